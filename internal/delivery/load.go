package delivery

import (
	"context"
	"time"

	"github.com/flintads/flint/internal/model"
)

// Load builds the index from the store: every ad with what it depends on,
// each budget's spend so far and each ad's observed rates. The new index is
// built beside the one in use, which keeps serving (and answering event
// ingestion) until the new one is complete; if any read fails, Load returns
// the error and changes nothing.
//
// Load is meant for start-up (or a full resync): budgets start from the
// stored spend, so reservations held in the old index are forgotten.
func (e *Engine) Load(ctx context.Context) error {
	e.writer.Lock()
	defer e.writer.Unlock()
	start := time.Now()
	src := newSource(ctx, e.store)
	if err := src.preload(); err != nil {
		return err
	}
	ads, err := e.store.ListAds(ctx, "", "")
	if err != nil {
		return err
	}
	ids := make([]string, len(ads))
	for i, a := range ads {
		ids[i] = a.ID
	}
	stats, err := e.store.AdStats(ctx, ids)
	if err != nil {
		return err
	}
	ix := newIndex()
	now := e.clock.Now()
	for id, s := range stats {
		r := ix.rates.at(ix.ratesFor(id))
		r.impressions.Store(s.Impressions)
		r.clicks.Store(s.Clicks)
		r.views6s.Store(s.Views6s)
	}
	for _, a := range src.auths {
		ix.authFor(a)
	}
	serving := 0
	wants := map[string]*spendWant{} // every budget: all are new
	for _, ad := range ads {
		p, err := src.part(ad)
		if err != nil {
			return err
		}
		for _, b := range []struct {
			id   string
			mode model.BudgetMode
		}{{p.group.ID, p.group.BudgetMode}, {p.campaign.ID, p.campaign.BudgetMode}} {
			if b.mode != model.BudgetNone {
				want(wants, b.id, b.mode, p.loc, ad.ID)
			}
		}
		i := ix.build(e.ledger, now, &p)
		ix.ads[key(ad.ID)] = i
		if ix.entries.at(i).enabled {
			serving++
		}
	}
	spend, err := readSpend(ctx, e.store, now, wants, stats, true)
	if err != nil {
		return err
	}
	ix.restoreSpend(spend)
	buckets := ix.rank()
	e.mu.Lock()
	e.ix = ix
	e.mu.Unlock()
	e.publish(ix, buckets)
	e.loaded.Store(true)
	e.log.Info("delivery index loaded", "ads", len(ads), "serving", serving, "took", time.Since(start).Round(time.Millisecond))
	return nil
}
