package delivery

import (
	"cmp"
	"maps"
	"slices"
)

// snapshot is an immutable view of the serving ads, bucketed by target
// country (an interned term; 0 holds ads for any country), each bucket
// sorted by rank, with views of the slabs the buckets index into. Decisions
// read the newest snapshot without locking; the writer publishes a new one
// after each change.
type snapshot struct {
	buckets map[uint32][]ranked
	terms   map[string]uint32
	entries slabView[entry]
	texts   textView
	lists   slabView[uint32]
	auths   slabView[authState]
	posts   slabView[postState]
	rates   slabView[rates]
	budgets slabView[budget]
}

// ranked is a bucket's reference to an entry, carrying the cheapest and
// most selective targeting tests inline so that most entries a decision
// passes over are rejected without touching the entry's own memory.
type ranked struct {
	idx     int32
	ageMin  uint8
	ageMax  uint8
	genders uint8
	oses    uint8
	rank    float64
}

// prefilter is the inline part of the targeting test (matches does all of
// it).
func (r *ranked) prefilter(v *viewer) bool {
	if r.ageMin > 0 && (v.age == 0 || v.age < int(r.ageMin)) {
		return false
	}
	if r.ageMax > 0 && (v.age == 0 || v.age > int(r.ageMax)) {
		return false
	}
	return (r.genders == 0 || r.genders&v.gender != 0) && (r.oses == 0 || r.oses&v.os != 0)
}

// publish makes buckets, with ix's slabs as they are, the snapshot that
// decisions read. The writer calls it.
func (e *Engine) publish(ix *index, buckets map[uint32][]ranked) {
	e.snap.Store(&snapshot{buckets: buckets, terms: maps.Clone(ix.terms), entries: ix.entries.view(),
		texts: ix.texts.view(), lists: ix.lists.view(), auths: ix.auths.view(), posts: ix.posts.view(),
		rates: ix.rates.view(), budgets: ix.budgets.view()})
}

// bucketKeys are the buckets an entry belongs in.
func (ix *index) bucketKeys(en *entry) []uint32 {
	if en.countries.n == 0 {
		return []uint32{0}
	}
	return ix.lists.view().values(en.countries)
}

func (ix *index) rankedOf(i int32) ranked {
	en := ix.entries.at(i)
	return ranked{idx: i, rank: ecpm(en, ix.rates.at(en.rates)), ageMin: en.ageMin, ageMax: en.ageMax,
		genders: en.genders, oses: en.oses}
}

// serving reports whether an entry belongs in the buckets: switched on and
// not stopped.
func serving(en *entry) bool { return en.enabled && !en.dead.Load() }

// rank returns fresh buckets of every serving entry, ordered by current
// expected value. It only reads the index, so the writer runs it without
// blocking anyone.
func (ix *index) rank() map[uint32][]ranked {
	buckets := map[uint32][]ranked{}
	for _, i := range ix.ads {
		en := ix.entries.at(i)
		if !serving(en) {
			continue
		}
		r := ix.rankedOf(i)
		for _, k := range ix.bucketKeys(en) {
			buckets[k] = append(buckets[k], r)
		}
	}
	for _, b := range buckets {
		slices.SortFunc(b, byRank)
	}
	return buckets
}

// byRank orders by rank, highest first, then by index.
func byRank(a, b ranked) int {
	if c := cmp.Compare(b.rank, a.rank); c != 0 {
		return c
	}
	return cmp.Compare(a.idx, b.idx)
}

// rerank publishes a fresh snapshot of every serving entry, ranked by its
// current expected value, first compacting the slabs if dead entries have
// piled up. The writer calls it.
func (e *Engine) rerank() {
	ix := e.ix
	if ix.dead > 1024 && ix.dead > len(ix.ads)/4 {
		e.compact(ix)
	}
	e.publish(ix, ix.rank())
}

// merged returns the buckets of old with the entries in removed taken out
// and the fresh entries put in, in rank order. Only the buckets that change
// are copied; the rest are shared with old. Each changed bucket is merged,
// not sorted again: old buckets are sorted already.
func (ix *index) merged(old map[uint32][]ranked, removed map[int32]bool, fresh []int32) map[uint32][]ranked {
	touched := map[uint32][]ranked{} // bucket → fresh entries that go in, sorted
	for i := range removed {
		if en := ix.entries.at(i); en.enabled {
			for _, k := range ix.bucketKeys(en) {
				if _, ok := touched[k]; !ok {
					touched[k] = nil
				}
			}
		}
	}
	for _, i := range fresh {
		en := ix.entries.at(i)
		if !serving(en) {
			continue
		}
		r := ix.rankedOf(i)
		for _, k := range ix.bucketKeys(en) {
			touched[k] = append(touched[k], r)
		}
	}
	buckets := make(map[uint32][]ranked, len(old)+len(touched))
	for k, b := range old {
		if _, ok := touched[k]; !ok {
			buckets[k] = b
		}
	}
	for k, in := range touched {
		slices.SortFunc(in, byRank)
		prev := old[k]
		b := make([]ranked, 0, len(prev)+len(in))
		j := 0
		for _, r := range prev {
			if removed[r.idx] {
				continue
			}
			for j < len(in) && byRank(in[j], r) < 0 {
				b = append(b, in[j])
				j++
			}
			b = append(b, r)
		}
		b = append(b, in[j:]...)
		if len(b) > 0 {
			buckets[k] = b
		}
	}
	return buckets
}
