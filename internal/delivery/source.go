package delivery

import (
	"context"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/tz"
)

// source reads what entries are built from: everything at once when the
// index loads (preload), or one object at a time, remembered, when a change
// rebuilds a few entries.
type source struct {
	ctx        context.Context
	st         store.Store
	groups     map[string]model.AdGroup
	campaigns  map[string]model.Campaign
	sparkPosts map[string]model.SparkPost
	posts      map[string]model.Post
	accounts   map[string]model.Account
	auths      map[string]model.Authorization
}

func newSource(ctx context.Context, st store.Store) *source {
	return &source{ctx: ctx, st: st, groups: map[string]model.AdGroup{}, campaigns: map[string]model.Campaign{},
		sparkPosts: map[string]model.SparkPost{}, posts: map[string]model.Post{}, accounts: map[string]model.Account{},
		auths: map[string]model.Authorization{}}
}

// visitor returns the functions that remember what the store's ScanIndex
// reads of accounts, campaigns and ad groups; the caller handles the rest.
func (s *source) visitor() store.IndexVisitor {
	return store.IndexVisitor{
		Account:  remember(s.accounts, func(a *model.Account) string { return a.ID }),
		Campaign: remember(s.campaigns, func(c *model.Campaign) string { return c.ID }),
		AdGroup:  remember(s.groups, func(g *model.AdGroup) string { return g.ID }),
	}
}

// remember returns a function that files a copy of each object in m.
func remember[T any](m map[string]T, id func(*T) string) func(*T) error {
	return func(v *T) error {
		m[id(v)] = *v
		return nil
	}
}

// get returns the object with the given ID from m, reading and remembering
// it on a miss.
func get[T any](s *source, m map[string]T, id string, read func(store.Store, context.Context, string) (T, error)) (T, error) {
	if v, ok := m[id]; ok {
		return v, nil
	}
	v, err := read(s.st, s.ctx, id)
	if err != nil {
		return v, err
	}
	m[id] = v
	return v, nil
}

func (s *source) group(id string) (model.AdGroup, error) {
	return get(s, s.groups, id, store.Store.GetAdGroup)
}

func (s *source) campaign(id string) (model.Campaign, error) {
	return get(s, s.campaigns, id, store.Store.GetCampaign)
}

func (s *source) sparkPost(id string) (model.SparkPost, error) {
	return get(s, s.sparkPosts, id, store.Store.GetSparkPost)
}

func (s *source) post(id string) (model.Post, error) {
	return get(s, s.posts, id, store.Store.GetPost)
}

func (s *source) account(id string) (model.Account, error) {
	return get(s, s.accounts, id, store.Store.GetAccount)
}

func (s *source) authorization(id string) (model.Authorization, error) {
	return get(s, s.auths, id, store.Store.GetAuthorization)
}

// parts is everything an ad's entry is compiled from.
type parts struct {
	ad                  model.Ad
	group               model.AdGroup
	campaign            model.Campaign
	sparkPost           model.SparkPost
	post                model.Post
	auth                model.Authorization
	creator, advertiser model.Account
	loc                 *time.Location // the advertiser's zone
}

// parts reads everything the entries of ads are compiled from.
func (s *source) parts(ads []model.Ad) ([]parts, error) {
	out := make([]parts, len(ads))
	for i, ad := range ads {
		var err error
		if out[i], err = s.part(ad); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// part reads everything the entry of ad is compiled from.
func (s *source) part(ad model.Ad) (parts, error) { return s.partVia(s, ad) }

// perAd reads the kinds of object there are about as many of as ads: the
// source itself, or what ScanIndex read with the ad (joinedParts).
type perAd interface {
	sparkPost(id string) (model.SparkPost, error)
	authorization(id string) (model.Authorization, error)
	post(id string) (model.Post, error)
}

// partVia is part with Spark posts, authorizations and posts read through r.
func (s *source) partVia(r perAd, ad model.Ad) (parts, error) {
	p := parts{ad: ad}
	var err error
	if p.group, err = s.group(ad.AdGroupID); err != nil {
		return p, err
	}
	if p.campaign, err = s.campaign(ad.CampaignID); err != nil {
		return p, err
	}
	if p.advertiser, err = s.account(ad.AdvertiserID); err != nil {
		return p, err
	}
	if p.sparkPost, err = r.sparkPost(ad.SparkPostID); err != nil {
		return p, err
	}
	if p.auth, err = r.authorization(p.sparkPost.AuthorizationID); err != nil {
		return p, err
	}
	if p.post, err = r.post(p.sparkPost.PostID); err != nil {
		return p, err
	}
	if p.creator, err = s.account(p.post.CreatorID); err != nil {
		return p, err
	}
	if p.loc, err = tz.Load(p.advertiser.Timezone); err != nil {
		p.loc = time.UTC
	}
	return p, nil
}
