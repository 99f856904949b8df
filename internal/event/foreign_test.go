package event_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/delivery"
	"github.com/flintads/flint/internal/demo"
	"github.com/flintads/flint/internal/event"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/tracking"
)

// sharedNode starts a node that shares its budgets with others, with its
// leaser running.
func sharedNode(t *testing.T, st store.Store, clk clock.Clock, idle ...time.Duration) node {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	signer := tracking.NewSigner(secret, 24*time.Hour)
	lc := delivery.LeaseConfig{Interval: 10 * time.Millisecond}
	if len(idle) > 0 {
		lc.IdleAfter = idle[0]
	}
	e := delivery.New(st, clk, log, signer, delivery.Config{Shared: true, Lease: lc})
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := e.Load(ctx); err != nil {
		t.Fatal(err)
	}
	go e.Run(ctx)
	in := event.New(st, clk, log, signer, e)
	t.Cleanup(in.Close)
	return node{e, in}
}

// TestForeignBillingEvent: the billing event of node A's decision that
// reaches node B is charged once, to A's lease, and A releases its hold:
// no budget strands in A's reservations.
func TestForeignBillingEvent(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		clk := clock.Real{}
		w := demo.Generate(1, 3, clk.Now().Add(-time.Hour))
		for i := range w.Campaigns {
			w.Campaigns[i].BudgetMode, w.Campaigns[i].Budget = model.BudgetNone, 0
		}
		g := &w.AdGroups[0]
		g.BudgetMode, g.Budget, g.BillingEvent, g.Bid = model.BudgetLifetime, 100*money.PerUnit, model.BillCPM, delivery.DefaultFloorCPM
		g.Targeting, g.FrequencyCap, g.EndTime, g.Pacing = model.Targeting{}, model.FrequencyCap{}, time.Time{}, model.PacingAccelerated
		if err := st.(store.Seeder).Seed(ctx, w); err != nil {
			t.Fatal(err)
		}
		a, b := sharedNode(t, st, clk), sharedNode(t, st, clk)
		var ad *delivery.Ad
		deadline := time.Now().Add(5 * time.Second)
		for ad == nil && time.Now().Before(deadline) { // the first decision asks the leaser for a lease
			d, err := a.e.Decide(ctx, delivery.Request{Viewer: delivery.Viewer{ID: "v"}, Count: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Ads) > 0 {
				ad = &d.Ads[0]
			}
			time.Sleep(5 * time.Millisecond)
		}
		if ad == nil {
			t.Fatal("node A never served the ad")
		}
		_, _, _, reserved := a.e.LeaseStats()
		if reserved != ad.Price {
			t.Fatalf("A reserved %v, want the price %v", reserved, ad.Price)
		}
		res, err := b.in.Ingest(ctx, []event.Input{{EventID: "imp", Type: "impression", Token: ad.Token}})
		if err != nil || res.Accepted != 1 {
			t.Fatalf("B: %+v %v", res, err)
		}
		if _, _, spent, _ := b.e.LeaseStats(); spent != 0 {
			t.Fatalf("B charged its own lease %v", spent)
		}
		leases, err := st.NodeLeases(ctx, a.e.Node())
		if err != nil || len(leases) != 1 || leases[0].Used != ad.Price || leases[0].Foreign != ad.Price {
			t.Fatalf("A's leases after B stored the event: %+v %v", leases, err)
		}
		deadline = time.Now().Add(5 * time.Second)
		for {
			_, _, spent, reserved := a.e.LeaseStats()
			if spent == ad.Price && reserved == 0 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("A: spent %v reserved %v; want the price spent and nothing held", spent, reserved)
			}
			time.Sleep(5 * time.Millisecond)
		}
		// Once per delivery, whichever node sees it again.
		res, err = a.in.Ingest(ctx, []event.Input{{EventID: "imp2", Type: "impression", Token: ad.Token}})
		if err != nil || len(res.Rejected) != 1 || res.Rejected[0].Err.Code != event.CodeTokenReplayed {
			t.Fatalf("the same delivery's impression at A: %+v %v", res, err)
		}
		stats, err := st.AdStats(ctx, []string{ad.AdID})
		if err != nil || stats[ad.AdID].Spend != ad.Price {
			t.Fatalf("stored spend %v, want %v (%v)", stats[ad.AdID].Spend, ad.Price, err)
		}
	})
}

// TestIdleLeaseReturned: a lease that no decision uses goes back to the
// pool after the idle time, and the node leases again when asked.
func TestIdleLeaseReturned(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		w := demo.Generate(1, 3, time.Now().Add(-time.Hour))
		g := &w.AdGroups[0]
		g.BudgetMode, g.Budget, g.Targeting, g.FrequencyCap = model.BudgetLifetime, 100*money.PerUnit, model.Targeting{}, model.FrequencyCap{}
		if err := st.(store.Seeder).Seed(ctx, w); err != nil {
			t.Fatal(err)
		}
		n := sharedNode(t, st, clock.Real{}, 200*time.Millisecond)
		if err := n.e.LeaseAll(ctx); err != nil {
			t.Fatal(err)
		}
		if b, granted, _, _ := n.e.LeaseStats(); b == 0 || granted == 0 {
			t.Fatal("nothing leased")
		}
		// The leaser returns the lease to the store, then ends it in
		// memory: wait for both.
		deadline := time.Now().Add(5 * time.Second)
		for {
			leases, err := st.NodeLeases(ctx, n.e.Node())
			if err != nil {
				t.Fatal(err)
			}
			b, _, _, _ := n.e.LeaseStats()
			if len(leases) == 0 && b == 0 {
				break
			}
			if time.Now().After(deadline) {
				if len(leases) != 0 {
					t.Fatalf("an idle lease was not returned: %+v", leases)
				}
				t.Fatalf("the node still counts %d leases after returning them", b)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}
