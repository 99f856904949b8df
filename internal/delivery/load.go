package delivery

import (
	"context"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
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
	ads, serving := 0, 0
	// One pass over the store: accounts, campaigns and ad groups are
	// remembered, then each ad is built as it is read, with its Spark
	// post, post and authorization episode read alongside it.
	v := src.visitor()
	v.AdParts = func(x *store.IndexAd) error {
		p, err := src.partVia(joinedParts{x, src}, x.Ad)
		if err != nil {
			return err
		}
		i := ix.build(e.ledger, now, &p)
		ix.ads[key(x.Ad.ID)] = i
		ads++
		if ix.entries.at(i).enabled {
			serving++
		}
		return nil
	}
	// Then each ad's observed rates start from its stored counters.
	v.AdTotals = func(t *store.AdTotals) error {
		i, ok := ix.rateIdx[key(t.AdID)]
		if !ok {
			return nil // an ad created after the scan read the ads
		}
		r := ix.rates.at(i)
		r.impressions.Store(t.Impressions)
		r.clicks.Store(t.Clicks)
		r.views6s.Store(t.Views6s)
		return nil
	}
	if err := e.store.ScanIndex(ctx, v); err != nil {
		return err
	}
	buckets := ix.rank()
	e.mu.Lock()
	ix.carryBudgets(e.ix)
	e.ix = ix
	e.mu.Unlock()
	e.publish(ix, buckets)
	e.loaded.Store(true)
	e.log.Info("delivery index loaded", "ads", ads, "serving", serving, "took", time.Since(start).Round(time.Millisecond))
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

// joinedParts reads an ad's Spark post, authorization and post from what
// ScanIndex read with the ad, and anything else (a part the scan did not
// find) from the source.
type joinedParts struct {
	x   *store.IndexAd
	src *source
}

func (j joinedParts) sparkPost(id string) (model.SparkPost, error) {
	if j.x.SparkPost.ID == id && id != "" {
		return j.x.SparkPost, nil
	}
	return j.src.sparkPost(id)
}

func (j joinedParts) authorization(id string) (model.Authorization, error) {
	if j.x.Authorization.ID == id && id != "" {
		return j.x.Authorization, nil
	}
	return j.src.authorization(id)
}

func (j joinedParts) post(id string) (model.Post, error) {
	if j.x.Post.ID == id && id != "" {
		return j.x.Post, nil
	}
	return j.src.post(id)
}
