package event_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/delivery"
	"github.com/flintads/flint/internal/demo"
	"github.com/flintads/flint/internal/event"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/store/pgtest"
	"github.com/flintads/flint/internal/store/postgres"
	"github.com/flintads/flint/internal/store/sqlite"
	"github.com/flintads/flint/internal/tracking"
)

// backends runs fn on a fresh SQLite and a fresh PostgreSQL store.
func backends(t *testing.T, fn func(t *testing.T, st store.Store)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			var st store.Store
			var err error
			if name == "sqlite" {
				st, err = sqlite.Open(ctx, filepath.Join(t.TempDir(), "flint.db"))
			} else {
				st, err = postgres.Open(ctx, pgtest.URL(t))
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			fn(t, st)
		})
	}
}

// node is one running Flint process as far as budgets go: a delivery
// engine loaded from the store and an ingestor in front of it.
type node struct {
	e  *delivery.Engine
	in *event.Ingestor
}

var secret = []byte("0123456789abcdef0123456789abcdef")

func start(t *testing.T, st store.Store, clk clock.Clock) node {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	signer := tracking.NewSigner(secret, 24*time.Hour)
	e := delivery.New(st, clk, log, signer, delivery.Config{})
	if err := e.Load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := e.LeaseAll(context.Background()); err != nil {
		t.Fatal(err)
	}
	in := event.New(st, clk, log, signer, e)
	t.Cleanup(in.Close)
	return node{e, in}
}

// restart stops node n gracefully (its events stored, its leases
// returned) and starts another on the same store.
func restart(t *testing.T, st store.Store, clk clock.Clock, n node) node {
	t.Helper()
	n.in.Close()
	n.e.StopLeasing()
	if err := st.LeaveCluster(context.Background(), n.e.Node()); err != nil {
		t.Fatal(err)
	}
	return start(t, st, clk)
}

// TestBudgetClockSurvivesRestart: a daily budget counts spend by the
// decision's local day, in the ledger and in the stored rollups alike, so a
// restarted process restores exactly what the running one counted:
// yesterday's late billing events leave today's budget whole, and a budget
// exhausted today stays exhausted.
func TestBudgetClockSurvivesRestart(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, st store.Store) {
		ctx := context.Background()
		ny, _ := time.LoadLocation("America/New_York")
		clk := clock.NewManual(time.Date(2026, 11, 25, 23, 57, 0, 0, ny))
		w := demo.Generate(1, 3, clk.Now().Add(-time.Hour))
		for i := range w.Accounts {
			w.Accounts[i].Timezone = "America/New_York"
		}
		for i := range w.Campaigns {
			w.Campaigns[i].BudgetMode, w.Campaigns[i].Budget = model.BudgetNone, 0
		}
		g := &w.AdGroups[0]
		g.BudgetMode, g.Budget, g.BillingEvent, g.Bid = model.BudgetDaily, 200, model.BillCPM, delivery.DefaultFloorCPM
		g.Targeting, g.FrequencyCap, g.EndTime = model.Targeting{}, model.FrequencyCap{}, time.Time{}
		if err := st.(store.Seeder).Seed(ctx, w); err != nil {
			t.Fatal(err)
		}
		adID := w.Ads[0].ID
		// A bid at the floor prices each impression at 0.0001:
		// two impressions use up the budget of 0.0002.
		deliver := func(n node, viewer string) *delivery.Ad {
			d, err := n.e.Decide(ctx, delivery.Request{Viewer: delivery.Viewer{ID: viewer}, Count: 1})
			if err != nil {
				t.Fatal(err)
			}
			if len(d.Ads) == 0 || d.Ads[0].AdID != adID {
				return nil
			}
			return &d.Ads[0]
		}
		bill := func(n node, id string, ad *delivery.Ad) {
			res, err := n.in.Ingest(ctx, []event.Input{{EventID: id, Type: "impression", Token: ad.Token}})
			if err != nil || res.Accepted != 1 {
				t.Fatalf("event %s: %+v %v", id, res, err)
			}
		}
		exhausted := func(n node) bool {
			return n.e.Exhausted(w.AdGroups[0], w.Campaigns[0])
		}

		n := start(t, st, clk)
		var late []*delivery.Ad
		for i := range 2 {
			ad := deliver(n, fmt.Sprintf("eve%d", i))
			if ad == nil {
				t.Fatal("the ad does not serve before midnight")
			}
			late = append(late, ad)
		}
		clk.Advance(4 * time.Minute) // 00:01 the next day
		for i, ad := range late {
			bill(n, fmt.Sprintf("late%d", i), ad)
		}
		if exhausted(n) {
			t.Fatal("yesterday's decisions used up today's budget")
		}
		n = restart(t, st, clk, n)
		if exhausted(n) {
			t.Fatal("after a restart, yesterday's decisions used up today's budget")
		}

		for i := range 2 {
			ad := deliver(n, fmt.Sprintf("day%d", i))
			if ad == nil {
				t.Fatal("the ad does not serve today")
			}
			bill(n, fmt.Sprintf("day%d", i), ad)
		}
		if !exhausted(n) {
			t.Fatal("today's spend does not exhaust today's budget")
		}
		n = restart(t, st, clk, n)
		if !exhausted(n) {
			t.Fatal("a budget exhausted today has room again after a restart")
		}
		if ad := deliver(n, "after"); ad != nil {
			t.Fatal("an exhausted budget served again after a restart")
		}
	})
}
