package delivery

import (
	"hash/maphash"
	"unicode/utf8"
	"unsafe"
)

// The index holds hundreds of thousands of entries that live as long as the
// process. Held as ordinary Go objects full of pointers, they would make
// every garbage collection walk them all and stall decisions while it does.
// So the index keeps its data in slabs: arrays of pointer-free elements in
// fixed chunks that never move, addressed by int32 indexes, with objects
// found by 64-bit keys (hashes of their IDs) instead of strings. A
// collection then has almost nothing to scan in the index.

const (
	chunkShift = 12
	chunkLen   = 1 << chunkShift
)

// slab is a growable array whose elements never move once added.
type slab[T any] struct {
	chunks []*[chunkLen]T
	n      int32
}

// add appends a zero element and returns its index.
func (s *slab[T]) add() int32 {
	if int(s.n)>>chunkShift == len(s.chunks) {
		s.chunks = append(s.chunks, new([chunkLen]T))
	}
	i := s.n
	s.n++
	return i
}

// at returns the element at i.
func (s *slab[T]) at(i int32) *T { return &s.chunks[i>>chunkShift][i&(chunkLen-1)] }

// view returns a read-only directory of the slab as it is now, for
// decisions to read while changes add to the slab.
func (s *slab[T]) view() slabView[T] { return slabView[T](s.chunks[:len(s.chunks):len(s.chunks)]) }

// slabView is a snapshot of a slab's directory.
type slabView[T any] []*[chunkLen]T

func (v slabView[T]) at(i int32) *T { return &v[i>>chunkShift][i&(chunkLen-1)] }

// span is a run of values in the lists slab; spans never cross chunks.
type span struct {
	off int32
	n   uint16
}

// addList stores vals in the lists slab and returns their span.
func addList(s *slab[uint32], vals []uint32) span {
	if len(vals) == 0 {
		return span{}
	}
	if room := chunkLen - int(s.n)&(chunkLen-1); int(s.n)>>chunkShift < len(s.chunks) && room < len(vals) {
		for range room { // skip to the next chunk so the span stays in one
			s.add()
		}
	}
	first := s.add()
	*s.at(first) = vals[0]
	for _, v := range vals[1:] {
		*s.at(s.add()) = v
	}
	return span{off: first, n: uint16(len(vals))}
}

// values returns the span's values from a view of the lists slab.
func (v slabView[T]) values(sp span) []T {
	if sp.n == 0 {
		return nil
	}
	c := v[sp.off>>chunkShift]
	o := int(sp.off & (chunkLen - 1))
	return c[o : o+int(sp.n)]
}

var keySeed = maphash.MakeSeed()

// key is the 64-bit key the index files an ID under. Within one process
// keys of distinct IDs collide with probability 2^-64 per pair; lookups of
// ads by ID check the ID itself as well.
func key(id string) uint64 { return maphash.String(keySeed, id) }

// textBlockLen is the size of a block of the texts arena: an entry's
// packed text is at most this long (its field ends are uint16s).
const textBlockLen = 1 << 16

// textArena holds the entries' packed texts in large blocks, so that a
// million entries make a few thousand objects for the collector to mark
// instead of a million strings. An entry's text is read as a string that
// views its block (unsafe.String): a block's bytes are written once, by
// the writer, before any entry that refers to them is published, and never
// again; blocks never move, and a text never spans two of them.
type textArena struct {
	blocks []*[textBlockLen]byte
	used   int // bytes used of the last block
}

// textRef is where an entry's text starts in the arena.
type textRef struct {
	block int32
	off   uint16
}

// maxText is the longest packed text: its field ends are uint16s. Texts
// that validated input makes are far shorter (a caption of at most 2,200
// characters, URLs of at most 2,048 bytes).
const maxText = 1<<16 - 1

// pack appends the fields to the arena as one text and returns where it
// starts and where each field ends in it. A text longer than maxText, which
// only data stored around validation could give, has its caption cut (at a
// character boundary) to fit, and then, if that is not enough, its other
// fields emptied from the last.
func (a *textArena) pack(fields [textFields]string) (textRef, [textFields]uint16) {
	n := 0
	for _, f := range fields {
		n += len(f)
	}
	if n > maxText {
		fields, n = clipText(fields, n)
	}
	r, b := a.alloc(n)
	var ends [textFields]uint16
	at := 0
	for i, f := range fields {
		at += copy(b[at:], f)
		ends[i] = uint16(at)
	}
	return r, ends
}

// copyText appends a text packed before (at most maxText long) as it is.
func (a *textArena) copyText(text string) textRef {
	r, b := a.alloc(len(text))
	copy(b, text)
	return r
}

// alloc reserves n <= maxText bytes in one block and returns where they
// start and the bytes, for the caller to write once.
func (a *textArena) alloc(n int) (textRef, []byte) {
	if len(a.blocks) == 0 || a.used+n > textBlockLen || a.used >= maxText {
		a.blocks = append(a.blocks, new([textBlockLen]byte))
		a.used = 0
	}
	r := textRef{block: int32(len(a.blocks) - 1), off: uint16(a.used)}
	b := a.blocks[r.block][a.used : a.used+n]
	a.used += n
	return r, b
}

// clipText shortens fields whose lengths add up to n > maxText, as pack
// says, and returns them with their new total.
func clipText(fields [textFields]string, n int) ([textFields]string, int) {
	c := fields[tCaption]
	cut := min(len(c), n-maxText)
	keep := len(c) - cut
	for keep > 0 && !utf8.RuneStart(c[keep]) {
		keep--
	}
	n -= len(c) - keep
	fields[tCaption] = c[:keep]
	for f := textFields - 1; n > maxText && f >= 0; f-- {
		n -= len(fields[f])
		fields[f] = ""
	}
	return fields, n
}

// view returns a read-only directory of the arena as it is now, for
// decisions to read while the writer adds to it.
func (a *textArena) view() textView {
	return textView(a.blocks[:len(a.blocks):len(a.blocks)])
}

// textView is a snapshot of a textArena's directory.
type textView []*[textBlockLen]byte

// of returns the packed text of en.
func (v textView) of(en *entry) string {
	n := int(en.ends[textFields-1])
	if n == 0 {
		return ""
	}
	return unsafe.String(&v[en.text.block][en.text.off], n)
}
