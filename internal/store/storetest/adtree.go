package storetest

import (
	"errors"
	"time"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

func init() {
	tests["AdTree"] = testAdTree
	tests["CreateAds"] = testCreateAds
}

// testCreateAds: CreateAds stores every ad of a batch or none, and logs
// one change, of the ad group.
func testCreateAds(f *fixture) {
	adv := f.advertiser()
	l := f.library(adv, t0)
	g := f.adGroup(f.campaign(adv.ID, t0), t0)
	taken := f.ad(g, l.sparkPost, t0)
	list := func() int {
		ads, err := f.s.ListAds(f.ctx, adv.ID, g.ID)
		f.check(err, "ListAds")
		return len(ads)
	}

	// The second ad's ID is taken: neither is stored.
	a1, a2 := f.newAd(g, l.sparkPost, t0), f.newAd(g, l.sparkPost, t0)
	a2.ID = taken.ID
	f.wantErr(f.s.CreateAds(f.ctx, []model.Ad{a1, a2}), store.ErrConflict, "CreateAds with a taken ID")
	if n := list(); n != 1 {
		f.t.Fatalf("after a failed CreateAds the ad group has %d ads, want 1", n)
	}
	missing := g
	missing.ID = f.id("group")
	b := f.newAd(missing, l.sparkPost, t0)
	f.wantErr(f.s.CreateAds(f.ctx, []model.Ad{b}), store.ErrNotFound, "CreateAds in a missing ad group")

	head := f.head()
	a2 = f.newAd(g, l.sparkPost, t0)
	f.check(f.s.CreateAds(f.ctx, []model.Ad{a1, a2}), "CreateAds")
	if n := list(); n != 3 {
		f.t.Fatalf("after CreateAds of 2 the ad group has %d ads, want 3", n)
	}
	f.wantLogged(head, "CreateAds", change.Event{Kind: change.AdGroup, ID: g.ID})
}

// testAdTree: CreateAdTree stores a campaign, an ad group and an ad
// together, or under an existing campaign or ad group, and stores nothing
// when any part is refused.
func testAdTree(f *fixture) {
	adv := f.advertiser()
	l := f.library(adv, t0)
	newAd := func(g model.AdGroup) model.Ad { return f.newAd(g, l.sparkPost, t0) }
	count := func() (int, int, int) {
		cs, err := f.s.ListCampaigns(f.ctx, adv.ID)
		f.check(err, "ListCampaigns")
		gs, err := f.s.ListAdGroups(f.ctx, adv.ID, "")
		f.check(err, "ListAdGroups")
		as, err := f.s.ListAds(f.ctx, adv.ID, "")
		f.check(err, "ListAds")
		return len(cs), len(gs), len(as)
	}

	// All three at once; check sees the new campaign.
	c := f.newCampaign(adv.ID, t0)
	g := f.newAdGroup(c, t0)
	a := newAd(g)
	var seen model.Campaign
	f.check(f.s.CreateAdTree(f.ctx, &c, &g, a, func(stored model.Campaign) error { seen = stored; return nil }),
		"CreateAdTree(campaign, ad group, ad)")
	f.same(seen, c, "the campaign check saw")
	gotC, err := f.s.GetCampaign(f.ctx, c.ID)
	f.check(err, "GetCampaign")
	f.same(gotC, c, "the campaign stored")
	gotG, err := f.s.GetAdGroup(f.ctx, g.ID)
	f.check(err, "GetAdGroup")
	f.same(gotG, g, "the ad group stored")
	gotA, err := f.s.GetAd(f.ctx, a.ID)
	f.check(err, "GetAd")
	f.same(gotA, a, "the ad stored")

	// A refused check stores nothing, not even the new campaign.
	refused := errors.New("budget below bid")
	c2 := f.newCampaign(adv.ID, t0.Add(time.Minute))
	g2 := f.newAdGroup(c2, t0)
	f.wantErr(f.s.CreateAdTree(f.ctx, &c2, &g2, newAd(g2), func(model.Campaign) error { return refused }), refused,
		"CreateAdTree with a refused check")
	// An ad whose ID is taken stores nothing either.
	c3 := f.newCampaign(adv.ID, t0.Add(2*time.Minute))
	g3 := f.newAdGroup(c3, t0)
	taken := newAd(g3)
	taken.ID = a.ID
	f.wantErr(f.s.CreateAdTree(f.ctx, &c3, &g3, taken, nil), store.ErrConflict, "CreateAdTree with a taken ad ID")
	if nc, ng, na := count(); nc != 1 || ng != 1 || na != 1 {
		f.t.Errorf("after two refused trees: %d campaigns, %d ad groups, %d ads; want 1 each", nc, ng, na)
	}

	// An ad group and an ad under an existing campaign; an ad under an
	// existing ad group.
	g4 := f.newAdGroup(c, t0.Add(time.Hour))
	f.check(f.s.CreateAdTree(f.ctx, nil, &g4, newAd(g4), nil), "CreateAdTree(ad group, ad)")
	f.check(f.s.CreateAdTree(f.ctx, nil, nil, newAd(g), nil), "CreateAdTree(ad)")
	if nc, ng, na := count(); nc != 1 || ng != 2 || na != 3 {
		f.t.Errorf("after adding to the tree: %d campaigns, %d ad groups, %d ads; want 1, 2, 3", nc, ng, na)
	}

	// Parents that do not exist.
	orphanGroup := f.newAdGroup(model.Campaign{ID: "no-such-campaign", AdvertiserID: adv.ID}, t0)
	f.wantErr(f.s.CreateAdTree(f.ctx, nil, &orphanGroup, newAd(orphanGroup), nil), store.ErrNotFound,
		"CreateAdTree under an unknown campaign")
	f.wantErr(f.s.CreateAdTree(f.ctx, nil, nil, newAd(model.AdGroup{ID: "no-such-group", CampaignID: c.ID}), nil),
		store.ErrNotFound, "CreateAdTree under an unknown ad group")
	if nc, ng, na := count(); nc != 1 || ng != 2 || na != 3 {
		f.t.Errorf("after orphans: %d campaigns, %d ad groups, %d ads; want 1, 2, 3", nc, ng, na)
	}
}
