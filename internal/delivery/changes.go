package delivery

import (
	"context"
	"errors"
	"time"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

// The change path. A service stores a change, then calls Changed, which
// queues a notice on the engine's change.Applier and waits until it has
// been applied. The applier takes notices in order, one at a time, and
// calls apply, which
//
//  1. reads from the store, now, what the change concerns (the ads to
//     rebuild and everything their entries are compiled from), and the
//     stored spend of any budget the rebuild will create, all without a
//     lock: decisions and event ingestion go on meanwhile;
//  2. under the writer's lock (e.mu) compiles fresh entries, restores the
//     spend of new budgets and files the fresh entries in place of the
//     ones they replace, which cannot fail: everything was read in step 1;
//  3. publishes a snapshot in which only the buckets those entries leave
//     or enter were merged anew, then marks dead the replaced entries of
//     ads that no longer serve, so that decisions still reading an older
//     snapshot skip them.
//
// So when Changed returns, decisions see the change (a revoked post stops
// serving before DELETE answers), and since each notice reads the store
// after the previous one was applied, a stale read can never overwrite a
// newer one. If step 1 fails, nothing was changed yet: failClosed stops
// the ads the change may concern, and the applier retries the notice with
// backoff until it succeeds (Ready reports the index as not current
// meanwhile).

// Changed implements change.Notifier: it brings the index up to date with
// a change that has just been stored, before the request that made it is
// answered.
func (e *Engine) Changed(ctx context.Context, ev change.Event) {
	// The change is stored: the index must follow it even if the client that
	// made it has gone away meanwhile.
	e.changes.Changed(context.WithoutCancel(ctx), ev)
}

// Changes returns the applier the engine's changes go through, for a
// follower of a shared change log to feed (Enqueue, then Sync).
func (e *Engine) Changes() *change.Applier { return e.changes }

// apply brings the index up to date with one change. It is the applier's
// apply function.
func (e *Engine) apply(ctx context.Context, ev change.Event) error {
	e.writer.Lock()
	defer e.writer.Unlock()
	ads, err := e.affected(ctx, ev)
	if err != nil {
		return err
	}
	if err := e.reload(ctx, ads); err != nil {
		return err
	}
	delete(e.closed, ev)
	return nil
}

// affected reads which ads a change concerns. Authorization changes also
// update the episode's state in place, which is all they need unless a
// failure stopped the post's ads before.
func (e *Engine) affected(ctx context.Context, ev change.Event) ([]model.Ad, error) {
	switch ev.Kind {
	case change.Ad:
		ad, err := e.store.GetAd(ctx, ev.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil // never stored, or gone: nothing to serve
		}
		if err != nil {
			return nil, err
		}
		return []model.Ad{ad}, nil
	case change.AdGroup:
		return e.store.ListAds(ctx, "", ev.ID)
	case change.Campaign:
		groups, err := e.store.ListAdGroups(ctx, "", ev.ID)
		if err != nil {
			return nil, err
		}
		var ads []model.Ad
		for _, g := range groups {
			more, err := e.store.ListAds(ctx, "", g.ID)
			if err != nil {
				return nil, err
			}
			ads = append(ads, more...)
		}
		return ads, nil
	case change.Post:
		return e.store.AdsForPost(ctx, ev.ID)
	case change.Authorization:
		cur, err := e.store.CurrentAuthorization(ctx, ev.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		// Episodes other than the current one end only by revocation or
		// expiry, both already in their state, so the current one is all
		// that can have changed. Library entries still on an older episode
		// are re-pointed by redemption, which is a SparkPost change.
		e.mu.Lock()
		e.ix.authFor(cur)
		e.mu.Unlock()
		if !e.closed[ev] {
			return nil, nil
		}
		return e.store.AdsForPost(ctx, ev.ID)
	case change.SparkPost:
		sp, err := e.store.GetSparkPost(ctx, ev.ID)
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil // removed from the library; no ad can use it
		}
		if err != nil {
			return nil, err
		}
		return e.store.AdsForPost(ctx, sp.PostID)
	case change.Account:
		a, err := e.store.GetAccount(ctx, ev.ID)
		if err != nil {
			return nil, err
		}
		if a.Kind != model.KindCreator {
			// An advertiser's time zone decides when its daily budgets roll over.
			return e.store.ListAds(ctx, ev.ID, "")
		}
		// A creator's type decides the eligibility of all their posts, and
		// their name shows on their ads.
		posts, err := e.store.ListPosts(ctx, ev.ID)
		if err != nil {
			return nil, err
		}
		var ads []model.Ad
		for _, p := range posts {
			more, err := e.store.AdsForPost(ctx, p.ID)
			if err != nil {
				return nil, err
			}
			ads = append(ads, more...)
		}
		return ads, nil
	}
	return nil, nil
}

// reload rebuilds the entries of ads from the store as it is now.
func (e *Engine) reload(ctx context.Context, ads []model.Ad) error {
	if len(ads) == 0 {
		return nil
	}
	// 1. Read, without a lock.
	ix := e.ix
	ps, err := newSource(ctx, e.store).parts(ads)
	if err != nil {
		return err
	}
	now := e.clock.Now()
	fresh := ix.newBudgets(ps)
	e.install(now, ps)
	// A budget this change created gets its first lease now, so that the
	// ad serves as soon as the change is applied.
	for _, id := range fresh {
		if b := ix.budget(id); b != nil && b.leased {
			if _, err := e.leaseFor(ctx, b, now); err != nil {
				e.log.Warn("budget lease: cannot lease yet; the leaser will retry", "budget", id, "err", err)
				b.wantMore()
			}
		}
	}
	return nil
}

// install builds the entries of ps, restores the spend of the budgets they
// create, files them in place of the entries they replace, and publishes
// the result: steps 2 and 3 of a change, which cannot fail.
func (e *Engine) install(now time.Time, ps []parts) {
	ix := e.ix
	// 2. Build and file, under the lock.
	fresh := make([]int32, len(ps))
	removed := make(map[int32]bool, len(ps))
	var stopped []int32 // replaced entries of ads that no longer serve
	e.mu.Lock()
	for i := range ps {
		fresh[i] = ix.build(e.ledger, now, &ps[i])
	}
	for _, i := range fresh {
		k := ix.entries.at(i).adKey
		if prev, ok := ix.ads[k]; ok {
			ix.dead++
			removed[prev] = true
			if !serving(ix.entries.at(i)) {
				stopped = append(stopped, prev)
			}
		}
		ix.ads[k] = i
	}
	e.mu.Unlock()
	// 3. Publish. An entry replaced by one that serves stays alive for the
	// decisions still reading an older snapshot: they serve the ad as it
	// was a moment ago (marked dead, the ad sat out every decision made
	// during its own edit, and one it should have priced as runner-up was
	// priced at the floor). An ad the change stopped is stopped in those
	// decisions too, once the new snapshot is out.
	e.publish(ix, ix.merged(e.snap.Load().buckets, removed, fresh))
	for _, prev := range stopped {
		ix.entries.at(prev).dead.Store(true)
	}
}

// failClosed stops the ads a change that could not be read may concern,
// until a retry of the change rebuilds them. It is the applier's failure
// function.
func (e *Engine) failClosed(ev change.Event, _ error) {
	e.writer.Lock()
	defer e.writer.Unlock()
	e.closed[ev] = true
	k := key(ev.ID)
	for _, i := range e.ix.ads {
		en := e.ix.entries.at(i)
		switch {
		case ev.Kind == change.Ad && en.adKey == k,
			ev.Kind == change.AdGroup && en.adGroupKey == k,
			ev.Kind == change.Campaign && en.campaignKey == k,
			(ev.Kind == change.Post || ev.Kind == change.Authorization) && en.postKey == k,
			ev.Kind == change.SparkPost && en.sparkPostKey == k,
			ev.Kind == change.Account && (en.creatorKey == k || en.advertiserKey == k):
			en.dead.Store(true)
		}
	}
}
