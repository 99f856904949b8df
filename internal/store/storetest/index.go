package storetest

import (
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

// testScanIndex checks that ScanIndex reports every object of each kind
// once, with the documented fields as the list calls read them, kinds in
// IndexVisitor's order and ads in ListAds' order; and that an error from a
// visitor function stops the scan and is returned.
func testScanIndex(f *fixture) {
	f.check(f.seed(f.seedWorld()), "Seed")
	want := f.stored()
	ads, err := f.s.ListAds(f.ctx, "", "")
	f.check(err, "ListAds")
	// Two ads with counters, one of them over two hours.
	at := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	c := newCounters()
	f.insert(c, []model.Event{f.keyed(model.EventImpression, ads[0], at), f.keyed(model.EventClick, ads[0], at),
		f.keyed(model.EventImpression, ads[0], at.Add(time.Hour)), f.keyed(model.EventView6s, ads[1], at)},
		model.EventStored, model.EventStored, model.EventStored, model.EventStored)

	var got model.World
	var gotParts []store.IndexAd
	gotTotals := map[string]model.AdStats{}
	var order []int
	seen := func(kind int) {
		if n := len(order); n == 0 || order[n-1] != kind {
			order = append(order, kind)
		}
	}
	err = f.s.ScanIndex(f.ctx, store.IndexVisitor{
		Account: func(a *model.Account) error {
			seen(0)
			got.Accounts = append(got.Accounts, *a)
			return nil
		},
		Campaign: func(c *model.Campaign) error {
			seen(1)
			got.Campaigns = append(got.Campaigns, *c)
			return nil
		},
		AdGroup: func(g *model.AdGroup) error {
			seen(2)
			got.AdGroups = append(got.AdGroups, *g)
			return nil
		},
		Authorization: func(a *model.Authorization) error {
			seen(3)
			got.Authorizations = append(got.Authorizations, *a)
			return nil
		},
		SparkPost: func(s *model.SparkPost) error {
			seen(4)
			got.SparkPosts = append(got.SparkPosts, *s)
			return nil
		},
		Post: func(p *model.Post) error {
			seen(5)
			got.Posts = append(got.Posts, *p)
			return nil
		},
		Ad: func(a *model.Ad) error {
			seen(6)
			got.Ads = append(got.Ads, *a)
			return nil
		},
		AdParts: func(x *store.IndexAd) error {
			seen(7)
			gotParts = append(gotParts, *x)
			return nil
		},
		AdTotals: func(t *store.AdTotals) error {
			seen(8)
			gotTotals[t.AdID] = t.AdStats
			return nil
		},
	})
	f.check(err, "ScanIndex")
	f.same(order, []int{0, 1, 2, 3, 4, 5, 6, 7, 8}, "ScanIndex: the order of kinds")
	f.same(got.Ads, project(ads, indexAd), "ScanIndex: ads, in ListAds' order")
	byAd := func(a, b store.IndexAd) int { return strings.Compare(a.Ad.ID, b.Ad.ID) }
	slices.SortFunc(gotParts, byAd)
	f.same(gotParts, slices.SortedFunc(slices.Values(wantParts(want, ads)), byAd), "ScanIndex: ads with their parts")
	wantTotals, err := f.s.AdStats(f.ctx, adIDs(ads))
	f.check(err, "AdStats")
	if len(wantTotals) != 2 || wantTotals[ads[0].ID].Impressions != 2 || wantTotals[ads[1].ID].Views6s != 1 {
		f.t.Fatalf("AdStats after the events = %+v, want 2 impressions of %s and a 6 s view of %s", wantTotals, ads[0].ID, ads[1].ID)
	}
	f.same(gotTotals, wantTotals, "ScanIndex: ad totals")
	got.Ads = nil
	got = sortWorld(got)
	f.same(got.Accounts, project(want.Accounts, indexAccount), "ScanIndex: accounts")
	f.same(got.Campaigns, project(want.Campaigns, indexCampaign), "ScanIndex: campaigns")
	f.same(got.AdGroups, project(want.AdGroups, indexAdGroup), "ScanIndex: ad groups")
	f.same(got.Authorizations, project(want.Authorizations, indexAuthorization), "ScanIndex: authorizations")
	f.same(got.SparkPosts, project(want.SparkPosts, indexSparkPost), "ScanIndex: Spark posts")
	f.same(got.Posts, project(want.Posts, indexPost), "ScanIndex: posts")

	stop := errors.New("stop")
	calls := 0
	err = f.s.ScanIndex(f.ctx, store.IndexVisitor{
		Post: func(*model.Post) error { calls++; return stop },
		Ad:   func(*model.Ad) error { calls++; return nil },
	})
	if !errors.Is(err, stop) || calls != 1 {
		f.t.Errorf("ScanIndex with a failing visitor = %v after %d calls, want %v after 1", err, calls, stop)
	}
}

// wantParts is what AdParts should report for ads, given everything stored.
func wantParts(w model.World, ads []model.Ad) []store.IndexAd {
	out := make([]store.IndexAd, len(ads))
	for k, a := range ads {
		sp := w.SparkPosts[slices.IndexFunc(w.SparkPosts, func(s model.SparkPost) bool { return s.ID == a.SparkPostID })]
		p := w.Posts[slices.IndexFunc(w.Posts, func(p model.Post) bool { return p.ID == sp.PostID })]
		au := w.Authorizations[slices.IndexFunc(w.Authorizations, func(au model.Authorization) bool { return au.ID == sp.AuthorizationID })]
		out[k] = store.IndexAd{Ad: indexAd(a), SparkPost: indexSparkPost(sp), Post: indexPost(p), Authorization: indexAuthorization(au)}
	}
	return out
}

func adIDs(ads []model.Ad) []string {
	out := make([]string, len(ads))
	for i, a := range ads {
		out[i] = a.ID
	}
	return out
}

func project[T any](s []T, fn func(T) T) []T {
	out := make([]T, len(s))
	for i, v := range s {
		out[i] = fn(v)
	}
	return out
}

// The fields store.IndexVisitor documents, kind by kind.

func indexAccount(a model.Account) model.Account {
	return model.Account{ID: a.ID, Handle: a.Handle, DisplayName: a.DisplayName,
		CreatorType: a.CreatorType, Timezone: a.Timezone}
}

func indexCampaign(c model.Campaign) model.Campaign {
	return model.Campaign{ID: c.ID, BudgetMode: c.BudgetMode, Budget: c.Budget,
		Status: c.Status}
}

func indexAdGroup(g model.AdGroup) model.AdGroup {
	g.AdvertiserID, g.CampaignID, g.Name, g.CreatedAt, g.UpdatedAt = "", "", "", time.Time{}, time.Time{}
	g.Version, g.NumericID = 0, 0
	return g
}

func indexAuthorization(a model.Authorization) model.Authorization {
	return model.Authorization{ID: a.ID, PostID: a.PostID, GeneratedAt: a.GeneratedAt,
		ExpiresAt: a.ExpiresAt, RevokedAt: a.RevokedAt}
}

func indexSparkPost(s model.SparkPost) model.SparkPost {
	return model.SparkPost{ID: s.ID, PostID: s.PostID, AuthorizationID: s.AuthorizationID}
}

func indexPost(p model.Post) model.Post {
	return model.Post{ID: p.ID, CreatorID: p.CreatorID, Caption: p.Caption, VideoURL: p.VideoURL,
		Visibility: p.Visibility, Original: p.Original, Music: p.Music, Deleted: p.Deleted}
}

func indexAd(a model.Ad) model.Ad {
	return model.Ad{ID: a.ID, AdvertiserID: a.AdvertiserID, CampaignID: a.CampaignID, AdGroupID: a.AdGroupID,
		SparkPostID: a.SparkPostID, CTALabel: a.CTALabel, CTAURL: a.CTAURL, Status: a.Status}
}
