package delivery

import "hash/maphash"

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
