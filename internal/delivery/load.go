package delivery

import (
	"context"
	"time"
)

// Load builds the index from the store: every ad with what it depends on,
// each budget's spend so far and each ad's observed rates. The new index is
// built beside the one in use, which keeps serving (and answering event
// ingestion) until the new one is complete; if any read fails, Load returns
// the error and changes nothing.
//
// Budgets are leased (lease.go): a budget that the index in use has too
// (same ID and mode) keeps its lease, spend and reservations, so that a
// resync loses nothing; the others have no room until leased.
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
	for _, ad := range ads {
		p, err := src.part(ad)
		if err != nil {
			return err
		}
		i := ix.build(e.ledger, now, &p)
		ix.ads[key(ad.ID)] = i
		if ix.entries.at(i).enabled {
			serving++
		}
	}
	buckets := ix.rank()
	e.mu.Lock()
	ix.carryBudgets(e.ix)
	e.ix = ix
	e.mu.Unlock()
	e.publish(ix, buckets)
	e.loaded.Store(true)
	e.log.Info("delivery index loaded", "ads", len(ads), "serving", serving, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

// carryBudgets moves the ledger state of old's budgets to the budgets of ix
// with the same ID and mode. Both indexes' writer must be held (e.mu).
func (ix *index) carryBudgets(old *index) {
	for k, i := range ix.budIdx {
		j, ok := old.budIdx[k]
		if !ok {
			continue
		}
		b, o := ix.budgets.at(i), old.budgets.at(j)
		if b.mode != o.mode || b.id != o.id {
			continue
		}
		o.mu.Lock()
		b.mu.Lock()
		b.day, b.spent, b.prevSpent, b.reserved, b.slots, b.epoch = o.day, o.spent, o.prevSpent, o.reserved, o.slots, o.epoch
		b.limit, b.prevLimit, b.foreignSeen, b.prevForeign, b.lastGrant = o.limit, o.prevLimit, o.foreignSeen, o.prevForeign, o.lastGrant
		b.dayEnd.Store(o.dayEnd.Load())
		b.releaseAt.Store(o.releaseAt.Load())
		b.grantedAt.Store(o.grantedAt.Load())
		b.poolRoom.Store(o.poolRoom.Load())
		b.poolCheckedAt.Store(o.poolCheckedAt.Load())
		b.lastUse.Store(o.lastUse.Load())
		b.publish()
		b.mu.Unlock()
		o.mu.Unlock()
	}
}
