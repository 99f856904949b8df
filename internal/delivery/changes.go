package delivery

import (
	"context"
	"errors"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

// Changed implements change.Notifier: it brings the index up to date with a
// change that has just been stored, before the request that made it is
// answered. If the store cannot be read, the engine fails closed: the ads
// the change may concern stop serving until a full reload succeeds.
func (e *Engine) Changed(ctx context.Context, ev change.Event) {
	// The change is stored: the index must follow it even if the client that
	// made it has gone away meanwhile.
	ctx = context.WithoutCancel(ctx)
	if err := e.apply(ctx, ev); err != nil {
		e.log.Error("delivery index update failed; reloading", "kind", ev.Kind, "id", ev.ID, "err", err)
		e.failClosed(ev)
		if err := e.Load(ctx); err != nil {
			e.log.Error("delivery index reload failed", "err", err)
		}
	}
}

func (e *Engine) apply(ctx context.Context, ev change.Event) error {
	switch ev.Kind {
	case change.Ad:
		ad, err := e.store.GetAd(ctx, ev.ID)
		if err != nil {
			return err
		}
		return e.reload(ctx, []model.Ad{ad}, nil)
	case change.AdGroup:
		ads, err := e.store.ListAds(ctx, "", ev.ID)
		if err != nil {
			return err
		}
		return e.reload(ctx, ads, []string{ev.ID})
	case change.Campaign:
		groups, err := e.store.ListAdGroups(ctx, "", ev.ID)
		if err != nil {
			return err
		}
		var ads []model.Ad
		for _, g := range groups {
			more, err := e.store.ListAds(ctx, "", g.ID)
			if err != nil {
				return err
			}
			ads = append(ads, more...)
		}
		return e.reload(ctx, ads, []string{ev.ID})
	case change.Post:
		ads, err := e.store.AdsForPost(ctx, ev.ID)
		if err != nil {
			return err
		}
		if err := e.refreshPost(ctx, ev.ID); err != nil {
			return err
		}
		return e.reload(ctx, ads, nil)
	case change.Authorization:
		return e.refreshAuthorizations(ctx, ev.ID)
	case change.SparkPost:
		sp, err := e.store.GetSparkPost(ctx, ev.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil // removed from the library; no ad can use it
		}
		if err != nil {
			return err
		}
		if err := e.refreshAuthorizations(ctx, sp.PostID); err != nil {
			return err
		}
		ads, err := e.store.AdsForPost(ctx, sp.PostID)
		if err != nil {
			return err
		}
		return e.reload(ctx, ads, nil)
	case change.Account:
		return e.refreshAccount(ctx, ev.ID)
	}
	return nil
}

// reload rebuilds the entries of ads. Budgets listed in budgetIDs (or
// created by the rebuild) get their spend read again.
func (e *Engine) reload(ctx context.Context, ads []model.Ad, budgetIDs []string) error {
	src := newSource(ctx, e.store)
	// Read what the entries need before taking the lock, so that events and
	// status checks are not held up by the store.
	if err := src.fetch(ads); err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	before := make(map[uint64]int32, len(e.budIdx))
	for k, i := range e.budIdx {
		before[k] = i
	}
	fresh := make([]int32, 0, len(ads))
	for _, ad := range ads {
		i, err := e.build(src, ad)
		if err != nil {
			return err
		}
		fresh = append(fresh, i)
	}
	// A budget is new only if no ad of its ad group or campaign was in the
	// index, or if a change of its ad group or campaign (whose ads are all
	// in ads) changed its mode; either way ads cover its spend.
	only := map[uint64]bool{}
	for k, i := range e.budIdx {
		if b, ok := before[k]; !ok || b != i {
			only[k] = true
		}
	}
	for _, id := range budgetIDs {
		k := key(id)
		if i, ok := e.budIdx[k]; ok && before[k] != i {
			only[k] = true
		}
	}
	if len(only) > 0 {
		ids := make([]string, len(ads))
		for i, ad := range ads {
			ids[i] = ad.ID
		}
		stats, err := e.store.AdStats(ctx, ids)
		if err != nil {
			return err
		}
		if err := e.loadSpend(ctx, ads, stats, only); err != nil {
			return err
		}
	}
	e.replace(fresh)
	return nil
}

// refreshPost re-reads a post's eligibility.
func (e *Engine) refreshPost(ctx context.Context, postID string) error {
	p, err := e.store.GetPost(ctx, postID)
	if err != nil {
		return err
	}
	creator, err := e.store.GetAccount(ctx, p.CreatorID)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.postFor(p, creator.CreatorType)
	e.mu.Unlock()
	return nil
}

// refreshAuthorizations re-reads every authorization episode of a post
// that the index holds, and the current one.
func (e *Engine) refreshAuthorizations(ctx context.Context, postID string) error {
	cur, err := e.store.CurrentAuthorization(ctx, postID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.authFor(cur)
	e.mu.Unlock()
	// Episodes other than the current one end only by revocation or expiry,
	// both already in their state, so the current one is all that can have
	// changed. Library entries still on an older episode are re-pointed by
	// redemption, which is a SparkPost change.
	return nil
}

// refreshAccount applies a changed account: a creator's type decides the
// eligibility of all their posts, and their name shows on their ads; an
// advertiser's time zone decides when daily budgets roll over.
func (e *Engine) refreshAccount(ctx context.Context, id string) error {
	a, err := e.store.GetAccount(ctx, id)
	if err != nil {
		return err
	}
	if a.Kind == model.KindCreator {
		posts, err := e.store.ListPosts(ctx, id)
		if err != nil {
			return err
		}
		var ads []model.Ad
		for _, p := range posts {
			e.mu.Lock()
			e.postFor(p, a.CreatorType)
			e.mu.Unlock()
			more, err := e.store.AdsForPost(ctx, p.ID)
			if err != nil {
				return err
			}
			ads = append(ads, more...)
		}
		return e.reload(ctx, ads, nil)
	}
	ads, err := e.store.ListAds(ctx, id, "")
	if err != nil {
		return err
	}
	return e.reload(ctx, ads, nil)
}

// failClosed stops the ads a failed change may concern.
func (e *Engine) failClosed(ev change.Event) {
	e.mu.Lock()
	defer e.mu.Unlock()
	k := key(ev.ID)
	for _, i := range e.ads {
		en := e.entries.at(i)
		switch {
		case ev.Kind == change.Ad && en.adKey == k,
			ev.Kind == change.AdGroup && en.adGroupKey == k,
			ev.Kind == change.Campaign && en.campaignKey == k,
			(ev.Kind == change.Post || ev.Kind == change.Authorization) && en.postKey == k,
			ev.Kind == change.Account && (en.creatorKey == k || en.advertiserKey == k),
			ev.Kind == change.SparkPost:
			en.dead.Store(true)
		}
	}
}
