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
	l := newLoader(src)
	v := src.visitor()
	v.SparkPost, v.Post = l.keepSparkPost, l.keepPost
	v.Authorization = func(a *model.Authorization) error {
		l.auths[a.ID] = loadedAuth{postID: a.PostID, generated: a.GeneratedAt, expires: a.ExpiresAt, revoked: a.RevokedAt}
		ix.authFor(*a)
		return nil
	}
	v.Ad = func(a *model.Ad) error {
		p, err := l.part(*a)
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
	src, l = nil, nil // what the entries were built from is no longer needed
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

// loader is what Load builds entries from: source's maps for the kinds
// there are fewer of than ads, and for the kinds there are as many of as
// ads (Spark posts, posts, authorization episodes), only what an entry
// reads, so that a large world loads in less memory. A miss is read from
// the store through the source.
type loader struct {
	src    *source
	sparks map[string]loadedSpark
	posts  map[string]loadedPost
	auths  map[string]loadedAuth
}

type loadedSpark struct{ postID, authID string }

type loadedPost struct {
	creatorID, caption, videoURL string
	visibility                   model.Visibility
	original, deleted            bool
	music                        *model.Music
}

type loadedAuth struct {
	postID                      string
	generated, expires, revoked time.Time
}

func newLoader(src *source) *loader {
	return &loader{src: src, sparks: map[string]loadedSpark{}, posts: map[string]loadedPost{},
		auths: map[string]loadedAuth{}}
}

// keepSparkPost and keepPost file what an entry reads of each object
// ScanIndex reads.
func (l *loader) keepSparkPost(sp *model.SparkPost) error {
	l.sparks[sp.ID] = loadedSpark{postID: sp.PostID, authID: sp.AuthorizationID}
	return nil
}

func (l *loader) keepPost(p *model.Post) error {
	l.posts[p.ID] = loadedPost{creatorID: p.CreatorID, caption: p.Caption, videoURL: p.VideoURL,
		visibility: p.Visibility, original: p.Original, deleted: p.Deleted, music: p.Music}
	return nil
}

// part is source.part over the loader's maps.
func (l *loader) part(ad model.Ad) (parts, error) { return l.src.partVia(l, ad) }

// The loader's perAd reads: its compact copy, else the source.

func (l *loader) sparkPost(id string) (model.SparkPost, error) {
	if sp, ok := l.sparks[id]; ok {
		return model.SparkPost{ID: id, PostID: sp.postID, AuthorizationID: sp.authID}, nil
	}
	return l.src.sparkPost(id)
}

func (l *loader) authorization(id string) (model.Authorization, error) {
	if a, ok := l.auths[id]; ok {
		return model.Authorization{ID: id, PostID: a.postID, GeneratedAt: a.generated, ExpiresAt: a.expires,
			RevokedAt: a.revoked}, nil
	}
	return l.src.authorization(id)
}

func (l *loader) post(id string) (model.Post, error) {
	if po, ok := l.posts[id]; ok {
		return model.Post{ID: id, CreatorID: po.creatorID, Caption: po.caption, VideoURL: po.videoURL,
			Visibility: po.visibility, Original: po.original, Deleted: po.deleted, Music: po.music}, nil
	}
	return l.src.post(id)
}
