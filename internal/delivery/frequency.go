package delivery

import (
	"hash/maphash"
	"sync"
)

// frequency remembers, per viewer and ad group with a frequency cap, when
// the viewer was last served that ad group's ads. A serve counts when the
// decision returns the ad. Only the newest cap-many serve times are kept,
// which is all a cap needs, and viewers unseen for longer than the longest
// cap window are forgotten by sweep.
type frequency struct {
	seed   maphash.Seed
	shards [64]freqShard
}

type freqShard struct {
	mu      sync.Mutex
	viewers map[string]*viewerFreq
}

type viewerFreq struct {
	mu     sync.Mutex
	last   int64 // Unix micros of the newest serve
	groups []groupFreq
}

type groupFreq struct {
	adGroup uint64  // the ad group's key
	times   []int64 // newest last, at most the cap
}

func newFrequency() *frequency {
	f := &frequency{seed: maphash.MakeSeed()}
	for i := range f.shards {
		f.shards[i].viewers = map[string]*viewerFreq{}
	}
	return f
}

func (f *frequency) shard(viewer string) *freqShard {
	return &f.shards[maphash.String(f.seed, viewer)%uint64(len(f.shards))]
}

// viewer returns the viewer's record, or nil if it has none and create is
// false.
func (f *frequency) viewer(id string, create bool) *viewerFreq {
	s := f.shard(id)
	s.mu.Lock()
	defer s.mu.Unlock()
	v := s.viewers[id]
	if v == nil && create {
		v = &viewerFreq{}
		s.viewers[id] = v
	}
	return v
}

// count returns how many serves of the ad group happened at or after since.
func (v *viewerFreq) count(adGroup uint64, since int64) int {
	if v == nil {
		return 0
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.countLocked(adGroup, since)
}

func (v *viewerFreq) countLocked(adGroup uint64, since int64) int {
	for i := range v.groups {
		if v.groups[i].adGroup == adGroup {
			n := 0
			for _, t := range v.groups[i].times {
				if t >= since {
					n++
				}
			}
			return n
		}
	}
	return 0
}

// take records a serve at now if fewer than limit serves happened at or
// after since, and reports whether it did.
func (v *viewerFreq) take(adGroup uint64, limit int, since, now int64) bool {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.countLocked(adGroup, since) >= limit {
		return false
	}
	v.last = max(v.last, now)
	for i := range v.groups {
		g := &v.groups[i]
		if g.adGroup == adGroup {
			g.times = append(g.times, now)
			if len(g.times) > limit {
				g.times = append(g.times[:0], g.times[len(g.times)-limit:]...)
			}
			return true
		}
	}
	v.groups = append(v.groups, groupFreq{adGroup: adGroup, times: []int64{now}})
	return true
}

// sweep forgets viewers not served since before.
func (f *frequency) sweep(before int64) {
	for i := range f.shards {
		s := &f.shards[i]
		s.mu.Lock()
		for id, v := range s.viewers {
			v.mu.Lock()
			old := v.last < before
			v.mu.Unlock()
			if old {
				delete(s.viewers, id)
			}
		}
		s.mu.Unlock()
	}
}

// untake removes a serve recorded at now by take, when the ad could not be
// served after all.
func (v *viewerFreq) untake(adGroup uint64, now int64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	for i := range v.groups {
		g := &v.groups[i]
		if g.adGroup != adGroup {
			continue
		}
		for k := len(g.times) - 1; k >= 0; k-- {
			if g.times[k] == now {
				g.times = append(g.times[:k], g.times[k+1:]...)
				return
			}
		}
	}
}
