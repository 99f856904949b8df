package delivery

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/tracking"
)

// budgetWorld builds an engine over one ad per ad group, each of its own
// advertiser, targeting everyone, without a store.
func budgetWorld(t *testing.T, clk clock.Clock, cfg Config, groups []model.AdGroup) *Engine {
	t.Helper()
	e := New(nil, clk, slog.New(slog.NewTextHandler(io.Discard, nil)),
		tracking.NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour), cfg)
	src := newSource(context.Background(), nil)
	now := clk.Now()
	src.accounts["acct_c"] = model.Account{ID: "acct_c", Kind: model.KindCreator, Handle: "maya", CreatorType: model.CreatorCreator}
	e.writer.Lock()
	defer e.writer.Unlock()
	for i, g := range groups {
		adv := fmt.Sprintf("acct_adv%d", i)
		src.accounts[adv] = model.Account{ID: adv, Kind: model.KindAdvertiser, Timezone: "America/New_York"}
		cmp := fmt.Sprintf("cmp_%d", i)
		src.campaigns[cmp] = model.Campaign{ID: cmp, BudgetMode: model.BudgetNone, Status: model.Enabled}
		g.ID, g.CampaignID, g.Status, g.StartTime = fmt.Sprintf("adg_%d", i), cmp, model.Enabled, now.Add(-time.Hour)
		src.groups[g.ID] = g
		p := model.Post{ID: fmt.Sprintf("post_%d", i), CreatorID: "acct_c", Visibility: model.Public, Original: true}
		src.posts[p.ID] = p
		au := model.Authorization{ID: "auth_" + p.ID, PostID: p.ID, GeneratedAt: now, ExpiresAt: now.Add(30 * 24 * time.Hour)}
		src.auths[au.ID] = au
		sp := model.SparkPost{ID: "sp_" + p.ID, PostID: p.ID, AuthorizationID: au.ID, AdvertiserID: adv, CreatorID: "acct_c"}
		src.sparkPosts[sp.ID] = sp
		ad := model.Ad{ID: fmt.Sprintf("ad_%d", i), AdvertiserID: adv, CampaignID: cmp, AdGroupID: g.ID, SparkPostID: sp.ID,
			PostID: p.ID, CTAURL: "https://shop.example/", Status: model.Enabled}
		parts, err := src.part(ad)
		if err != nil {
			t.Fatal(err)
		}
		e.ix.ads[key(ad.ID)] = e.ix.build(e.ledger, now, &parts)
	}
	e.rerank()
	e.loaded.Store(true)
	return e
}

// TestHalfTheDecisionsNeverBilled runs decisions from several goroutines
// while the clock moves on; the billing event of every other delivery
// never comes. Reservations of the lost ones must come back on their own,
// so that at least 90% of each budget (daily and lifetime) is spent, and
// never more than all of it.
func TestHalfTheDecisionsNeverBilled(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	clk := clock.NewManual(time.Date(2026, 11, 25, 10, 0, 0, 0, ny))
	budgeted := []model.AdGroup{
		{BudgetMode: model.BudgetLifetime, Budget: money.PerUnit, BillingEvent: model.BillCPM, Bid: 10 * money.PerUnit},
		{BudgetMode: model.BudgetDaily, Budget: money.PerUnit, BillingEvent: model.BillCPM, Bid: 9_500_000},
	}
	// A competitor with no budget sets the price: 9.00 per mille.
	competitor := model.AdGroup{BudgetMode: model.BudgetNone, BillingEvent: model.BillCPM, Bid: 9 * money.PerUnit}
	e := budgetWorld(t, clk, Config{ReservationTTL: 5 * time.Second}, append(budgeted, competitor))

	var wg sync.WaitGroup
	var mu sync.Mutex
	delivered := 0
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 1500 {
				d, err := e.Decide(context.Background(), Request{Viewer: Viewer{ID: fmt.Sprintf("v%d-%d", w, i)}, Count: 3})
				if err != nil {
					t.Error(err)
					return
				}
				for k, ad := range d.Ads {
					if (i+k)%2 == 1 {
						continue // this delivery's impression never comes
					}
					claims, err := e.signer.Verify(ad.Token, clk.Now())
					if err != nil {
						t.Error(err)
						return
					}
					e.ChargeBilling(ad.AdID, claims.IssuedAt, claims.Price)
					mu.Lock()
					delivered++
					mu.Unlock()
				}
				if i%50 == 0 && w == 0 {
					clk.Advance(time.Second)
				}
			}
		}()
	}
	wg.Wait()
	if delivered == 0 {
		t.Fatal("nothing was delivered")
	}
	for i := range budgeted {
		b := e.ix.budget(fmt.Sprintf("adg_%d", i))
		b.mu.Lock()
		spent, limit := b.spent, b.limit
		b.mu.Unlock()
		t.Logf("%s budget: spent %d of %d", b.mode, spent, limit)
		if spent > limit {
			t.Errorf("%s budget overspent: %d of %d", b.mode, spent, limit)
		}
		if spent < limit*9/10 {
			t.Errorf("%s budget: only %d of %d spent; held budget was not given back", b.mode, spent, limit)
		}
	}
}
