package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

func testCampaignRoundTrip(f *fixture) {
	adv := f.advertiser()
	c := f.campaign(adv.ID, t0)
	got, err := f.s.GetCampaign(f.ctx, c.ID)
	f.check(err, "GetCampaign")
	f.same(got, c, "GetCampaign")

	c.Name, c.Objective, c.BudgetMode, c.Budget = "Summer sale", model.ObjectiveVideoViews, model.BudgetDaily, 1_234_567
	c.Status, c.UpdatedAt = model.Disabled, t0.Add(time.Hour)
	c = f.setCampaign(c)
	got, err = f.s.GetCampaign(f.ctx, c.ID)
	f.check(err, "GetCampaign")
	f.same(got, c, "GetCampaign after UpdateCampaign")

	c.BudgetMode, c.Budget = model.BudgetNone, 0
	c = f.setCampaign(c)
	got, err = f.s.GetCampaign(f.ctx, c.ID)
	f.check(err, "GetCampaign")
	f.same(got, c, "GetCampaign after removing the budget")

	_, err = f.s.GetCampaign(f.ctx, "no-such-campaign")
	f.wantErr(err, store.ErrNotFound, "GetCampaign(unknown)")
	_, err = f.s.UpdateCampaign(f.ctx, "no-such-campaign", func(*model.Campaign, []model.AdGroup) error { return nil })
	f.wantErr(err, store.ErrNotFound, "UpdateCampaign(unknown)")
	if c.Version != 3 {
		f.t.Errorf("version after two updates = %d, want 3", c.Version)
	}
	f.wantErr(f.s.CreateCampaign(f.ctx, c), store.ErrConflict, "CreateCampaign with a taken ID")
}

func testCampaignList(f *fixture) {
	a1, a2 := f.advertiser(), f.advertiser()
	c12 := f.campaign(a1.ID, t0.Add(2*time.Hour))
	c11 := f.campaign(a1.ID, t0)
	c21 := f.campaign(a2.ID, t0.Add(time.Hour))
	for _, tc := range []struct {
		adv  string
		want []model.Campaign
	}{
		{a1.ID, []model.Campaign{c11, c12}},
		{a2.ID, []model.Campaign{c21}},
		{"", []model.Campaign{c11, c21, c12}},
		{"no-such-advertiser", nil},
	} {
		got, err := f.s.ListCampaigns(f.ctx, tc.adv)
		f.check(err, "ListCampaigns(%q)", tc.adv)
		f.same(got, tc.want, "ListCampaigns(%q), oldest first", tc.adv)
	}
}

func testAdGroupRoundTrip(f *fixture) {
	adv := f.advertiser()
	c := f.campaign(adv.ID, t0)

	full := f.newAdGroup(c, t0)
	full.EndTime = t0.AddDate(0, 1, 0)

	// Empty lists (and a zero end time, budget and cap) mean "any".
	open := f.newAdGroup(c, t0.Add(time.Minute))
	open.Targeting = model.Targeting{Countries: []string{}, Genders: []string{}, Languages: []string{},
		OS: []string{}, Interests: []string{}}
	open.EndTime = time.Time{}
	open.BudgetMode, open.Budget = model.BudgetNone, 0
	open.BillingEvent, open.Bid = model.BillCPC, 250_000
	open.FrequencyCap = model.FrequencyCap{}
	open.Pacing = model.PacingAccelerated

	unset := f.newAdGroup(c, t0.Add(2*time.Minute))
	unset.Targeting = model.Targeting{}

	for _, want := range []model.AdGroup{full, open, unset} {
		f.check(f.s.CreateAdGroup(f.ctx, want, nil), "CreateAdGroup(%s)", want.ID)
		got, err := f.s.GetAdGroup(f.ctx, want.ID)
		f.check(err, "GetAdGroup(%s)", want.ID)
		f.same(got, want, "GetAdGroup(%s)", want.ID)
	}
	got, err := f.s.GetAdGroup(f.ctx, open.ID)
	f.check(err, "GetAdGroup")
	if !got.EndTime.IsZero() {
		f.t.Errorf("zero EndTime read back as %s", fmtTime(got.EndTime))
	}

	upd := open
	upd.Name = "Renamed"
	upd.Targeting = model.Targeting{Countries: []string{"DE"}, AgeMin: 25, Languages: []string{"de", "en"},
		Interests: []string{}}
	upd.StartTime, upd.EndTime = t0.Add(24*time.Hour), t0.Add(48*time.Hour)
	upd.BudgetMode, upd.Budget = model.BudgetLifetime, 99*money.PerUnit
	upd.BillingEvent, upd.Bid = model.BillCPV, 30_000
	upd.FrequencyCap = model.FrequencyCap{Impressions: 2, Days: 1}
	upd.Pacing, upd.Status, upd.UpdatedAt = model.PacingStandard, model.Disabled, t0.Add(time.Hour)
	upd = f.setAdGroup(upd)
	got, err = f.s.GetAdGroup(f.ctx, upd.ID)
	f.check(err, "GetAdGroup")
	f.same(got, upd, "GetAdGroup after UpdateAdGroup")

	// Back to running until stopped.
	upd.EndTime = time.Time{}
	upd = f.setAdGroup(upd)
	got, err = f.s.GetAdGroup(f.ctx, upd.ID)
	f.check(err, "GetAdGroup")
	f.same(got, upd, "GetAdGroup after clearing EndTime")

	_, err = f.s.GetAdGroup(f.ctx, "no-such-group")
	f.wantErr(err, store.ErrNotFound, "GetAdGroup(unknown)")
	_, err = f.s.UpdateAdGroup(f.ctx, "no-such-group", func(*model.AdGroup, model.Campaign) error { return nil })
	f.wantErr(err, store.ErrNotFound, "UpdateAdGroup(unknown)")
	f.wantErr(f.s.CreateAdGroup(f.ctx, full, nil), store.ErrConflict, "CreateAdGroup with a taken ID")
	orphan := full
	orphan.ID, orphan.CampaignID = "group-orphan", "no-such-campaign"
	f.wantErr(f.s.CreateAdGroup(f.ctx, orphan, nil), store.ErrNotFound, "CreateAdGroup in an unknown campaign")
}

func testAdGroupList(f *fixture) {
	a1, a2 := f.advertiser(), f.advertiser()
	c1, c2 := f.campaign(a1.ID, t0), f.campaign(a1.ID, t0)
	c3 := f.campaign(a2.ID, t0)
	g12 := f.adGroup(c1, t0.Add(2*time.Hour))
	g11 := f.adGroup(c1, t0)
	g21 := f.adGroup(c2, t0.Add(time.Hour))
	g31 := f.adGroup(c3, t0.Add(30*time.Minute))
	for _, tc := range []struct {
		adv, campaign string
		want          []model.AdGroup
	}{
		{"", "", []model.AdGroup{g11, g31, g21, g12}},
		{a1.ID, "", []model.AdGroup{g11, g21, g12}},
		{a2.ID, "", []model.AdGroup{g31}},
		{"", c1.ID, []model.AdGroup{g11, g12}},
		{a1.ID, c2.ID, []model.AdGroup{g21}},
		{a2.ID, c1.ID, nil},
		{"no-such-advertiser", "", nil},
	} {
		got, err := f.s.ListAdGroups(f.ctx, tc.adv, tc.campaign)
		f.check(err, "ListAdGroups(%q, %q)", tc.adv, tc.campaign)
		f.same(got, tc.want, "ListAdGroups(%q, %q), oldest first", tc.adv, tc.campaign)
	}
}

func testAdRoundTrip(f *fixture) {
	adv := f.advertiser()
	l := f.library(adv, t0)
	g := f.adGroup(f.campaign(adv.ID, t0), t0)
	a := f.ad(g, l.sparkPost, t0.Add(time.Second))
	got, err := f.s.GetAd(f.ctx, a.ID)
	f.check(err, "GetAd")
	f.same(got, a, "GetAd")
	if got.PostID != l.post.ID {
		f.t.Errorf("ad's PostID = %q, want the Spark post's post %q", got.PostID, l.post.ID)
	}

	a.Name, a.CTALabel, a.CTAURL = "Renamed", "Learn more", "https://shop.example/learn?x=1&y=2"
	a.Status, a.UpdatedAt = model.Disabled, t0.Add(time.Hour)
	a = f.setAd(a)
	got, err = f.s.GetAd(f.ctx, a.ID)
	f.check(err, "GetAd")
	f.same(got, a, "GetAd after UpdateAd")

	_, err = f.s.GetAd(f.ctx, "no-such-ad")
	f.wantErr(err, store.ErrNotFound, "GetAd(unknown)")
	_, err = f.s.UpdateAd(f.ctx, "no-such-ad", func(*model.Ad) error { return nil })
	f.wantErr(err, store.ErrNotFound, "UpdateAd(unknown)")
	f.wantErr(f.s.CreateAd(f.ctx, a), store.ErrConflict, "CreateAd with a taken ID")
}

func testAdList(f *fixture) {
	a1, a2 := f.advertiser(), f.advertiser()
	l1, l2 := f.library(a1, t0), f.library(a2, t0)
	c1 := f.campaign(a1.ID, t0)
	g1, g2 := f.adGroup(c1, t0), f.adGroup(c1, t0)
	g3 := f.adGroup(f.campaign(a2.ID, t0), t0)
	ad12 := f.ad(g1, l1.sparkPost, t0.Add(2*time.Hour))
	ad11 := f.ad(g1, l1.sparkPost, t0)
	ad21 := f.ad(g2, l1.sparkPost, t0.Add(time.Hour))
	ad31 := f.ad(g3, l2.sparkPost, t0.Add(30*time.Minute))
	for _, tc := range []struct {
		adv, group string
		want       []model.Ad
	}{
		{"", "", []model.Ad{ad11, ad31, ad21, ad12}},
		{a1.ID, "", []model.Ad{ad11, ad21, ad12}},
		{a2.ID, "", []model.Ad{ad31}},
		{"", g1.ID, []model.Ad{ad11, ad12}},
		{a1.ID, g2.ID, []model.Ad{ad21}},
		{a2.ID, g1.ID, nil},
		{"", "no-such-group", nil},
	} {
		got, err := f.s.ListAds(f.ctx, tc.adv, tc.group)
		f.check(err, "ListAds(%q, %q)", tc.adv, tc.group)
		f.same(got, tc.want, "ListAds(%q, %q), oldest first", tc.adv, tc.group)
	}
}

func testAdsForPost(f *fixture) {
	a1, a2 := f.advertiser(), f.advertiser()
	l1 := f.library(a1, t0)
	// a2 redeems the same post into its own library.
	sp2 := f.redeem(l1.code, l1.creator.ID, a2.ID, t0)
	other := f.library(a1, t0)
	g1 := f.adGroup(f.campaign(a1.ID, t0), t0)
	g2 := f.adGroup(f.campaign(a2.ID, t0), t0)
	x := f.ad(g1, l1.sparkPost, t0)
	y := f.ad(g2, sp2, t0.Add(time.Hour))
	z := f.ad(g1, other.sparkPost, t0)

	got, err := f.s.AdsForPost(f.ctx, l1.post.ID)
	f.check(err, "AdsForPost")
	sortAds(got)
	want := []model.Ad{x, y}
	sortAds(want)
	f.same(got, want, "AdsForPost")
	got, err = f.s.AdsForPost(f.ctx, other.post.ID)
	f.check(err, "AdsForPost(other)")
	f.same(got, []model.Ad{z}, "AdsForPost(other)")
	got, err = f.s.AdsForPost(f.ctx, f.post(l1.creator.ID, t0).ID)
	f.check(err, "AdsForPost(post without ads)")
	if len(got) != 0 {
		f.t.Errorf("AdsForPost(post without ads) = %d ads, want none", len(got))
	}
}

func sortAds(ads []model.Ad) {
	slices.SortFunc(ads, func(a, b model.Ad) int { return strings.Compare(a.ID, b.ID) })
}

// setCampaign stores c over the campaign of its ID (all fields but the
// version) and returns what UpdateCampaign stored: c with the next version.
func (f *fixture) setCampaign(c model.Campaign) model.Campaign {
	f.t.Helper()
	got, err := f.s.UpdateCampaign(f.ctx, c.ID, func(cur *model.Campaign, _ []model.AdGroup) error {
		v := cur.Version
		*cur = c
		cur.Version = v
		return nil
	})
	f.check(err, "UpdateCampaign(%s)", c.ID)
	c.Version++
	f.same(got, c, "UpdateCampaign(%s) result", c.ID)
	return got
}

// setAdGroup is setCampaign for ad groups.
func (f *fixture) setAdGroup(g model.AdGroup) model.AdGroup {
	f.t.Helper()
	got, err := f.s.UpdateAdGroup(f.ctx, g.ID, func(cur *model.AdGroup, _ model.Campaign) error {
		v := cur.Version
		*cur = g
		cur.Version = v
		return nil
	})
	f.check(err, "UpdateAdGroup(%s)", g.ID)
	g.Version++
	f.same(got, g, "UpdateAdGroup(%s) result", g.ID)
	return got
}

// setAd is setCampaign for ads.
func (f *fixture) setAd(a model.Ad) model.Ad {
	f.t.Helper()
	got, err := f.s.UpdateAd(f.ctx, a.ID, func(cur *model.Ad) error {
		v := cur.Version
		*cur = a
		cur.Version = v
		return nil
	})
	f.check(err, "UpdateAd(%s)", a.ID)
	a.Version++
	f.same(got, a, "UpdateAd(%s) result", a.ID)
	return got
}

// race runs n goroutines of each fn at once and fails on any error.
func (f *fixture) raceAll(n int, fns ...func(i int) error) {
	f.t.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, n*len(fns))
	for i := range n {
		for _, fn := range fns {
			wg.Go(func() { errs <- fn(i) })
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		f.check(err, "concurrent update")
	}
}

// testCampaignConcurrentEdits: concurrent edits of different fields of one
// campaign, ad group and ad all survive.
func testCampaignConcurrentEdits(f *fixture) {
	adv := f.advertiser()
	c := f.campaign(adv.ID, t0)
	g := f.adGroup(c, t0)
	ad := f.ad(g, f.library(adv, t0).sparkPost, t0)
	const n = 5
	f.raceAll(n,
		func(i int) error {
			_, err := f.s.UpdateCampaign(f.ctx, c.ID, func(c *model.Campaign, _ []model.AdGroup) error {
				c.Name += "x"
				return nil
			})
			return err
		},
		func(i int) error {
			_, err := f.s.UpdateCampaign(f.ctx, c.ID, func(c *model.Campaign, _ []model.AdGroup) error {
				c.Budget += money.PerUnit
				return nil
			})
			return err
		},
		func(i int) error {
			_, err := f.s.UpdateAdGroup(f.ctx, g.ID, func(g *model.AdGroup, _ model.Campaign) error {
				g.Name += "x"
				return nil
			})
			return err
		},
		func(i int) error {
			_, err := f.s.UpdateAdGroup(f.ctx, g.ID, func(g *model.AdGroup, _ model.Campaign) error {
				g.Bid += money.PerUnit
				return nil
			})
			return err
		},
		func(i int) error {
			_, err := f.s.UpdateAd(f.ctx, ad.ID, func(a *model.Ad) error {
				a.Name += "x"
				return nil
			})
			return err
		},
		func(i int) error {
			_, err := f.s.UpdateAd(f.ctx, ad.ID, func(a *model.Ad) error {
				a.CTALabel += "x"
				return nil
			})
			return err
		},
	)
	gotC, err := f.s.GetCampaign(f.ctx, c.ID)
	f.check(err, "GetCampaign")
	if gotC.Name != c.Name+strings.Repeat("x", n) || gotC.Budget != c.Budget+n*money.PerUnit || gotC.Version != 1+2*n {
		f.t.Errorf("campaign after %d + %d concurrent edits: name %q, budget %s, version %d", n, n, gotC.Name, gotC.Budget,
			gotC.Version)
	}
	gotG, err := f.s.GetAdGroup(f.ctx, g.ID)
	f.check(err, "GetAdGroup")
	if gotG.Name != g.Name+strings.Repeat("x", n) || gotG.Bid != g.Bid+n*money.PerUnit || gotG.Version != 1+2*n {
		f.t.Errorf("ad group after %d + %d concurrent edits: name %q, bid %s, version %d", n, n, gotG.Name, gotG.Bid,
			gotG.Version)
	}
	gotA, err := f.s.GetAd(f.ctx, ad.ID)
	f.check(err, "GetAd")
	if gotA.Name != ad.Name+strings.Repeat("x", n) || gotA.CTALabel != ad.CTALabel+strings.Repeat("x", n) ||
		gotA.Version != 1+2*n {
		f.t.Errorf("ad after %d + %d concurrent edits: name %q, label %q, version %d", n, n, gotA.Name, gotA.CTALabel,
			gotA.Version)
	}
}

// testCampaignRulesSeeCurrentState: the change functions see the rows they
// must check as stored, and an error from them stores nothing: a campaign
// edit and an ad group edit that each leave some budget, but together
// none, cannot both succeed however they interleave.
func testCampaignRulesSeeCurrentState(f *fixture) {
	adv := f.advertiser()
	c := f.campaign(adv.ID, t0) // lifetime budget
	g := f.adGroup(c, t0)       // daily budget
	noBudget := errors.New("no budget left")
	fresh := make([]model.AdGroup, 5)
	for i := range fresh {
		fresh[i] = f.newAdGroupNoBudget(c, i)
	}
	f.raceAll(len(fresh),
		func(int) error {
			_, err := f.s.UpdateCampaign(f.ctx, c.ID, func(c *model.Campaign, groups []model.AdGroup) error {
				for _, g := range groups {
					if g.BudgetMode == model.BudgetNone {
						return noBudget
					}
				}
				c.BudgetMode, c.Budget = model.BudgetNone, 0
				return nil
			})
			if errors.Is(err, noBudget) {
				return nil
			}
			return err
		},
		func(int) error {
			_, err := f.s.UpdateAdGroup(f.ctx, g.ID, func(g *model.AdGroup, c model.Campaign) error {
				if c.BudgetMode == model.BudgetNone {
					return noBudget
				}
				g.BudgetMode, g.Budget = model.BudgetNone, 0
				return nil
			})
			if errors.Is(err, noBudget) {
				return nil
			}
			return err
		},
		func(i int) error {
			err := f.s.CreateAdGroup(f.ctx, fresh[i], func(c model.Campaign) error {
				if c.BudgetMode == model.BudgetNone {
					return noBudget
				}
				return nil
			})
			if errors.Is(err, noBudget) {
				return nil
			}
			return err
		},
	)
	gotC, err := f.s.GetCampaign(f.ctx, c.ID)
	f.check(err, "GetCampaign")
	groups, err := f.s.ListAdGroups(f.ctx, "", c.ID)
	f.check(err, "ListAdGroups")
	for _, g := range groups {
		if g.BudgetMode == model.BudgetNone && gotC.BudgetMode == model.BudgetNone {
			f.t.Fatalf("ad group %s and its campaign both ended without a budget", g.ID)
		}
	}
	// A refused create stores nothing.
	ng := f.newAdGroupNoBudget(c, 99)
	f.wantErr(f.s.CreateAdGroup(f.ctx, ng, func(model.Campaign) error { return noBudget }), noBudget, "refused CreateAdGroup")
	_, err = f.s.GetAdGroup(f.ctx, ng.ID)
	f.wantErr(err, store.ErrNotFound, "GetAdGroup of a refused ad group")
}

func (f *fixture) newAdGroupNoBudget(c model.Campaign, i int) model.AdGroup {
	g := f.newAdGroup(c, t0)
	g.ID = fmt.Sprintf("%s-nobudget-%d", g.ID, i)
	g.BudgetMode, g.Budget = model.BudgetNone, 0
	return g
}

// testCountLiveAds counts only ads switched on at every level, under the
// given episode.
func testCountLiveAds(f *fixture) {
	adv := f.advertiser()
	l := f.library(adv, t0)
	c := f.campaign(adv.ID, t0)
	on, off := f.adGroup(c, t0), f.adGroup(c, t0)
	f.setAdGroup(func() model.AdGroup { g := off; g.Status = model.Disabled; return g }())
	f.ad(on, l.sparkPost, t0)
	f.ad(on, l.sparkPost, t0)
	disabled := f.ad(on, l.sparkPost, t0)
	disabled.Status = model.Disabled
	f.setAd(disabled)
	f.ad(off, l.sparkPost, t0)
	other := f.library(adv, t0) // another post
	f.ad(on, other.sparkPost, t0)
	n, err := f.s.CountLiveAds(f.ctx, l.post.ID, l.auth.ID)
	f.check(err, "CountLiveAds")
	if n != 2 {
		f.t.Errorf("CountLiveAds = %d, want 2", n)
	}
	if n, err = f.s.CountLiveAds(f.ctx, l.post.ID, "another-episode"); err != nil || n != 0 {
		f.t.Errorf("CountLiveAds under another episode = %d, %v; want 0", n, err)
	}
	c.Status = model.Disabled
	f.setCampaign(c)
	if n, err = f.s.CountLiveAds(f.ctx, l.post.ID, l.auth.ID); err != nil || n != 0 {
		f.t.Errorf("CountLiveAds with the campaign off = %d, %v; want 0", n, err)
	}
}
