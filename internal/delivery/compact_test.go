package delivery

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
)

// TestChangesAndCompactionUnderLoad rebuilds entries again and again, and
// compacts the slabs, while decisions run; run it with -race.
func TestChangesAndCompactionUnderLoad(t *testing.T) {
	e, src, ads := syntheticWorld(t, 3000)
	reqs := benchViewers(512)
	var stop atomic.Bool
	var served atomic.Int64
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; !stop.Load(); i++ {
				d, err := e.Decide(context.Background(), reqs[i%len(reqs)])
				if err != nil {
					t.Error(err)
					return
				}
				served.Add(int64(len(d.Ads)))
			}
		}()
	}
	for round := range 3 {
		for k, ad := range ads {
			p, err := src.part(ad)
			if err != nil {
				t.Fatal(err)
			}
			e.writer.Lock()
			e.install(e.clock.Now(), []parts{p})
			if k%500 == 0 {
				e.rerank() // compacts once enough entries are dead
			}
			e.writer.Unlock()
		}
		e.writer.Lock()
		if e.ix.dead >= len(e.ix.ads) {
			t.Errorf("round %d: %d dead entries for %d ads: compaction does not run", round, e.ix.dead, len(e.ix.ads))
		}
		live := e.ix.entries.n
		e.writer.Unlock()
		if int(live) > 3*len(ads) {
			t.Errorf("round %d: %d entries in the slab for %d ads", round, live, len(ads))
		}
	}
	stop.Store(true)
	wg.Wait()
	if served.Load() == 0 {
		t.Fatal("no decision served an ad while the index changed")
	}
	// After it all, every ad is still there exactly once per bucket.
	snap := e.snap.Load()
	seen := map[int32]int{}
	for _, b := range snap.buckets {
		for _, r := range b {
			seen[r.idx]++
			if snap.entries.at(r.idx).dead.Load() {
				t.Fatal("a dead entry is still in a bucket")
			}
		}
	}
	if len(seen) != len(ads) {
		t.Fatalf("%d distinct entries in the buckets, want %d", len(seen), len(ads))
	}
}
