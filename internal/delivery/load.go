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
// Budgets are leased (lease.go): a budget that the index in use has too
// (same ID and mode) keeps its lease, spend and reservations, so that a
// resync loses nothing; the others have no room until leased.
func (e *Engine) Load(ctx context.Context) error {
	e.writer.Lock()
	defer e.writer.Unlock()
	start := time.Now()
	src := newSource(ctx, e.store)
	ix := newIndex()
	now := e.clock.Now()
	var ids []string
	serving := 0
	// One pass over the store: every object an entry may need is
	// remembered (authorization episodes are filed at once), then each ad
	// is built as it is read.
	v := src.visitor()
	v.Authorization = func(a *model.Authorization) error {
		src.auths[a.ID] = *a
		ix.authFor(*a)
		return nil
	}
	v.Ad = func(a *model.Ad) error {
		p, err := src.part(*a)
		if err != nil {
			return err
		}
		i := ix.build(e.ledger, now, &p)
		ix.ads[key(a.ID)] = i
		ids = append(ids, a.ID)
		if ix.entries.at(i).enabled {
			serving++
		}
		return nil
	}
	if err := e.store.ScanIndex(ctx, v); err != nil {
		return err
	}
	src = nil // what the entries were built from is no longer needed
	stats, err := e.store.AdStats(ctx, ids)
	if err != nil {
		return err
	}
	for id, s := range stats {
		r := ix.rates.at(ix.ratesFor(id))
		r.impressions.Store(s.Impressions)
		r.clicks.Store(s.Clicks)
		r.views6s.Store(s.Views6s)
	}
	buckets := ix.rank()
	e.mu.Lock()
	ix.carryBudgets(e.ix)
	e.ix = ix
	e.mu.Unlock()
	e.publish(ix, buckets)
	e.loaded.Store(true)
	e.log.Info("delivery index loaded", "ads", len(ids), "serving", serving, "took", time.Since(start).Round(time.Millisecond))
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
