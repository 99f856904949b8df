package storetest

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

// newAuthorization returns an episode on p whose window opened at createdAt.
func (f *fixture) newAuthorization(p model.Post, createdAt time.Time, days int) model.Authorization {
	return model.Authorization{
		ID: f.id("auth"), PostID: p.ID, CreatorID: p.CreatorID, Days: days, TermsVersion: "2025-01",
		TermsAcceptedAt: createdAt, CreatedAt: createdAt, GeneratedAt: createdAt.Add(time.Second),
		ExpiresAt: createdAt.Add(time.Second).AddDate(0, 0, days), UpdatedAt: createdAt.Add(time.Second), Version: 1,
	}
}

func (f *fixture) newCode(a model.Authorization) model.AdCode {
	id := f.id("code")
	return model.AdCode{ID: id, AuthorizationID: a.ID, PostID: a.PostID, Hash: hash(id), CreatedAt: a.GeneratedAt}
}

func (f *fixture) newCampaign(advertiserID string, createdAt time.Time) model.Campaign {
	return model.Campaign{
		ID: f.id("campaign"), AdvertiserID: advertiserID, Name: "Launch", Objective: model.ObjectiveReach,
		BudgetMode: model.BudgetNone, Status: model.Enabled, CreatedAt: createdAt, UpdatedAt: createdAt, Version: 1,
	}
}

func (f *fixture) newAd(g model.AdGroup, sp model.SparkPost, createdAt time.Time) model.Ad {
	id := f.id("ad")
	return model.Ad{
		ID: id, AdvertiserID: g.AdvertiserID, CampaignID: g.CampaignID, AdGroupID: g.ID, Name: "Ad " + id,
		SparkPostID: sp.ID, PostID: sp.PostID, CTALabel: "Learn more", CTAURL: "https://brand.example/?ad=" + id,
		Status: model.Enabled, CreatedAt: createdAt, UpdatedAt: createdAt, Version: 1,
	}
}

// seedWorld returns a small world that uses every field: two advertisers
// and two creators, three posts (one of them in both libraries), codes
// limited to an advertiser or a number of redemptions, a revoked episode,
// campaigns with and without budgets, ad groups with full, empty and unset
// targeting, and ads.
func (f *fixture) seedWorld() model.World {
	var w model.World
	adv1, adv2 := f.newAdvertiser(t0), f.newAdvertiser(t0.Add(time.Minute))
	adv2.Currency, adv2.Timezone, adv2.PasswordHash = "EUR", "Europe/Berlin", "pbkdf2-sha256$1$c2FsdA$aGFzaA"
	cr1, cr2 := f.newCreator(t0.Add(2*time.Minute)), f.newCreator(t0.Add(3*time.Minute))
	cr2.CreatorType = model.CreatorBusiness
	w.Accounts = []model.Account{adv1, adv2, cr1, cr2}

	p1, p2, p3 := f.newPost(cr1.ID, t0), f.newPost(cr1.ID, t0.Add(time.Hour)), f.newPost(cr2.ID, t0.Add(2*time.Hour))
	p2.Music = nil
	p3.Music = &model.Music{Title: "Licensed track", Commercial: true}
	p3.Caption = "Ünïcode caption ✨ with 'quotes' and \"more\""
	w.Posts = []model.Post{p1, p2, p3}

	a1, a2, a3 := f.newAuthorization(p1, t0, 365), f.newAuthorization(p2, t0, 7), f.newAuthorization(p3, t0, 30)
	a2.RevokedAt, a2.UpdatedAt = t0.Add(time.Hour), t0.Add(time.Hour)
	w.Authorizations = []model.Authorization{a1, a2, a3}

	c1, c2, c3 := f.newCode(a1), f.newCode(a2), f.newCode(a3)
	c1.Redemptions = 2
	c2.AdvertiserID, c2.Redemptions = adv1.ID, 1
	c3.MaxRedemptions, c3.Redemptions = 1, 1
	w.AdCodes = []model.AdCode{c1, c2, c3}

	sp11 := f.newSparkPost(c1, cr1.ID, adv1.ID, t0.Add(time.Minute))
	sp12 := f.newSparkPost(c2, cr1.ID, adv1.ID, t0.Add(2*time.Minute))
	sp21 := f.newSparkPost(c1, cr1.ID, adv2.ID, t0.Add(3*time.Minute))
	sp23 := f.newSparkPost(c3, cr2.ID, adv2.ID, t0.Add(4*time.Minute))
	w.SparkPosts = []model.SparkPost{sp11, sp12, sp21, sp23}

	cmp1 := f.newCampaign(adv1.ID, t0)
	cmp2 := f.newCampaign(adv2.ID, t0.Add(time.Second))
	cmp2.Objective, cmp2.BudgetMode, cmp2.Budget = model.ObjectiveVideoViews, model.BudgetLifetime, 1_000_000*money.PerUnit
	w.Campaigns = []model.Campaign{cmp1, cmp2}

	g1 := f.newAdGroup(cmp1, t0)
	g1.EndTime = t0.AddDate(1, 0, 0)
	g2 := f.newAdGroup(cmp1, t0.Add(time.Second))
	g2.Targeting = model.Targeting{Countries: []string{}, Genders: []string{}, Languages: []string{}, OS: []string{},
		Interests: []string{}}
	g2.BillingEvent, g2.Bid, g2.Pacing = model.BillCPC, 150_000, model.PacingAccelerated
	g2.BudgetMode, g2.Budget, g2.FrequencyCap = model.BudgetLifetime, 100_000*money.PerUnit, model.FrequencyCap{}
	g3 := f.newAdGroup(cmp2, t0.Add(2*time.Second))
	g3.Targeting = model.Targeting{AgeMin: 55}
	g3.BillingEvent, g3.Bid, g3.Status = model.BillCPV, 20_000, model.Disabled
	w.AdGroups = []model.AdGroup{g1, g2, g3}

	w.Ads = []model.Ad{
		f.newAd(g1, sp11, t0), f.newAd(g1, sp12, t0.Add(time.Second)), f.newAd(g2, sp11, t0.Add(2*time.Second)),
		f.newAd(g3, sp21, t0.Add(3*time.Second)), f.newAd(g3, sp23, t0.Add(4*time.Second)),
	}
	w.Ads[1].Status = model.Disabled
	return w
}

// byID returns a copy of s sorted by identifier.
func byID[T any](s []T, id func(*T) string) []T {
	out := slices.Clone(s)
	slices.SortFunc(out, func(a, b T) int { return cmp.Compare(id(&a), id(&b)) })
	return out
}

// stored reads back every object of the kinds a world holds, sorted by
// identifier (authorizations by their own; codes and ad groups included).
func (f *fixture) stored() model.World {
	f.t.Helper()
	var w model.World
	for _, kind := range []model.AccountKind{model.KindAdvertiser, model.KindCreator} {
		as, err := f.s.ListAccounts(f.ctx, kind)
		f.check(err, "ListAccounts(%s)", kind)
		w.Accounts = append(w.Accounts, as...)
	}
	var err error
	w.Posts, err = f.s.ListPosts(f.ctx, "")
	f.check(err, "ListPosts")
	w.Authorizations, err = f.s.ListAuthorizations(f.ctx)
	f.check(err, "ListAuthorizations")
	w.SparkPosts, err = f.s.ListSparkPosts(f.ctx, "")
	f.check(err, "ListSparkPosts")
	w.Campaigns, err = f.s.ListCampaigns(f.ctx, "")
	f.check(err, "ListCampaigns")
	w.AdGroups, err = f.s.ListAdGroups(f.ctx, "", "")
	f.check(err, "ListAdGroups")
	w.Ads, err = f.s.ListAds(f.ctx, "", "")
	f.check(err, "ListAds")
	return sortWorld(w)
}

// sortWorld sorts each list of w by identifier.
func sortWorld(w model.World) model.World {
	return model.World{
		Accounts:       byID(w.Accounts, func(a *model.Account) string { return a.ID }),
		Posts:          byID(w.Posts, func(p *model.Post) string { return p.ID }),
		Authorizations: byID(w.Authorizations, func(a *model.Authorization) string { return a.ID }),
		AdCodes:        byID(w.AdCodes, func(c *model.AdCode) string { return c.ID }),
		SparkPosts:     byID(w.SparkPosts, func(s *model.SparkPost) string { return s.ID }),
		Campaigns:      byID(w.Campaigns, func(c *model.Campaign) string { return c.ID }),
		AdGroups:       byID(w.AdGroups, func(g *model.AdGroup) string { return g.ID }),
		Ads:            byID(w.Ads, func(a *model.Ad) string { return a.ID }),
	}
}

// wantEmpty fails the test unless the store holds no objects of the kinds a
// world holds, and none of w's codes.
func (f *fixture) wantEmpty(what string, w model.World) {
	f.t.Helper()
	got := f.stored()
	if n := got.Objects(); n != 0 {
		f.t.Fatalf("%s: the store holds %d objects, want none:\n%+v", what, n, got)
	}
	for _, c := range w.AdCodes {
		_, err := f.s.CodeByHash(f.ctx, c.Hash)
		f.wantErr(err, store.ErrNotFound, "%s: CodeByHash(%s)", what, c.ID)
	}
}

func testSeedRoundTrip(f *fixture) {
	w := f.seedWorld()
	f.check(f.seed(w), "Seed")

	// Every object reads back as seeded, one at a time…
	for _, want := range w.Accounts {
		got, err := f.s.GetAccount(f.ctx, want.ID)
		f.check(err, "GetAccount(%s)", want.ID)
		f.same(got, want, "GetAccount(%s)", want.ID)
		got, err = f.s.AccountByTokenHash(f.ctx, want.TokenHash)
		f.check(err, "AccountByTokenHash(%s)", want.ID)
		f.same(got, want, "AccountByTokenHash(%s)", want.ID)
	}
	for _, want := range w.Posts {
		got, err := f.s.GetPost(f.ctx, want.ID)
		f.check(err, "GetPost(%s)", want.ID)
		f.same(got, want, "GetPost(%s)", want.ID)
	}
	for _, want := range w.Authorizations {
		got, err := f.s.GetAuthorization(f.ctx, want.ID)
		f.check(err, "GetAuthorization(%s)", want.ID)
		f.same(got, want, "GetAuthorization(%s)", want.ID)
		got, err = f.s.CurrentAuthorization(f.ctx, want.PostID)
		f.check(err, "CurrentAuthorization(%s)", want.PostID)
		f.same(got, want, "CurrentAuthorization(%s)", want.PostID)
	}
	for _, want := range w.AdCodes {
		got, err := f.s.CodeByHash(f.ctx, want.Hash)
		f.check(err, "CodeByHash(%s)", want.ID)
		f.same(got, want, "CodeByHash(%s)", want.ID)
	}
	for _, want := range w.SparkPosts {
		got, err := f.s.GetSparkPost(f.ctx, want.ID)
		f.check(err, "GetSparkPost(%s)", want.ID)
		f.same(got, want, "GetSparkPost(%s)", want.ID)
	}
	for _, want := range w.Campaigns {
		got, err := f.s.GetCampaign(f.ctx, want.ID)
		f.check(err, "GetCampaign(%s)", want.ID)
		f.same(got, want, "GetCampaign(%s)", want.ID)
	}
	for _, want := range w.AdGroups {
		got, err := f.s.GetAdGroup(f.ctx, want.ID)
		f.check(err, "GetAdGroup(%s)", want.ID)
		f.same(got, want, "GetAdGroup(%s)", want.ID)
	}
	for _, want := range w.Ads {
		got, err := f.s.GetAd(f.ctx, want.ID)
		f.check(err, "GetAd(%s)", want.ID)
		f.same(got, want, "GetAd(%s)", want.ID)
	}

	// …and the list calls return exactly the world (codes have no list call).
	want := sortWorld(w)
	want.AdCodes = nil
	f.same(f.stored(), want, "the stored objects after Seed")

	// The indexes that the list calls filter on work for seeded rows too.
	adv1, adv2 := w.Accounts[0], w.Accounts[1]
	lib, err := f.s.ListSparkPosts(f.ctx, adv2.ID)
	f.check(err, "ListSparkPosts(%s)", adv2.ID)
	f.same(lib, []model.SparkPost{w.SparkPosts[3], w.SparkPosts[2]}, "ListSparkPosts(%s), newest first", adv2.ID)
	ads, err := f.s.AdsForPost(f.ctx, w.Posts[0].ID)
	f.check(err, "AdsForPost")
	f.same(ads, []model.Ad{w.Ads[0], w.Ads[2], w.Ads[3]}, "AdsForPost(%s)", w.Posts[0].ID)
	pa, err := f.s.PostAdvertisers(f.ctx, w.Posts[0].ID)
	f.check(err, "PostAdvertisers")
	f.same(pa, []model.PostAdvertiser{
		{AdvertiserID: adv1.ID, Name: adv1.Name, Authorization: w.Authorizations[0], AddedAt: w.SparkPosts[0].AddedAt},
		{AdvertiserID: adv2.ID, Name: adv2.Name, Authorization: w.Authorizations[0], AddedAt: w.SparkPosts[2].AddedAt},
	}, "PostAdvertisers(%s)", w.Posts[0].ID)
}

// testSeedRedemptions checks that a library entry counts as its advertiser's
// redemption of its code: redeeming again is idempotent, and a code's limit
// counts the seeded redemptions.
func testSeedRedemptions(f *fixture) {
	w := f.seedWorld()
	f.check(f.seed(w), "Seed")
	adv1, adv2 := w.Accounts[0], w.Accounts[1]
	c1, c3 := w.AdCodes[0], w.AdCodes[2]
	sp11, sp23 := w.SparkPosts[0], w.SparkPosts[3]

	entry, created, err := f.s.RedeemCode(f.ctx, c1, f.newSparkPost(c1, sp11.CreatorID, adv1.ID, t0.Add(time.Hour)))
	f.check(err, "RedeemCode of a seeded redemption")
	if created {
		f.t.Error("RedeemCode of a seeded redemption: created = true, want false")
	}
	f.same(entry, sp11, "RedeemCode of a seeded redemption: entry")
	f.same(f.codeRedemptions(c1), c1.Redemptions, "redemptions of %s after redeeming it again", c1.ID)

	entry, created, err = f.s.RedeemCode(f.ctx, c3, f.newSparkPost(c3, sp23.CreatorID, adv2.ID, t0.Add(time.Hour)))
	f.check(err, "RedeemCode of a seeded redemption at the limit")
	if created {
		f.t.Error("RedeemCode of a seeded redemption at the limit: created = true, want false")
	}
	f.same(entry, sp23, "RedeemCode of a seeded redemption at the limit: entry")

	_, _, err = f.s.RedeemCode(f.ctx, c3, f.newSparkPost(c3, sp23.CreatorID, adv1.ID, t0.Add(time.Hour)))
	f.wantErr(err, store.ErrLimitReached, "RedeemCode by a second advertiser of a seeded code with MaxRedemptions 1")
	f.same(f.codeRedemptions(c3), 1, "redemptions of %s", c3.ID)

	f.wantErr(f.s.DeleteSparkPost(f.ctx, sp11.ID), store.ErrConflict, "DeleteSparkPost of a seeded entry in use")
}

// testSeedAllOrNothing seeds worlds that fail at their last object and
// expects nothing of them to be stored.
func testSeedAllOrNothing(f *fixture) {
	for _, tc := range []struct {
		name  string
		spoil func(w *model.World)
	}{
		{"ad on a missing Spark post", func(w *model.World) { w.Ads[len(w.Ads)-1].SparkPostID = "no-such-sp" }},
		{"ad in a missing ad group", func(w *model.World) { w.Ads[len(w.Ads)-1].AdGroupID = "no-such-group" }},
		{"post of a missing creator", func(w *model.World) { w.Posts[len(w.Posts)-1].CreatorID = "no-such-creator" }},
	} {
		w := f.seedWorld()
		tc.spoil(&w)
		if err := f.seed(w); err == nil {
			f.t.Fatalf("Seed of a world with a %s succeeded", tc.name)
		}
		f.wantEmpty("after a failed Seed ("+tc.name+")", w)
	}

	// A duplicate identifier is a conflict: within the world…
	w := f.seedWorld()
	w.Ads = append(w.Ads, w.Ads[0])
	f.wantErr(f.seed(w), store.ErrConflict, "Seed of a world with a duplicate ad")
	f.wantEmpty("after a Seed with a duplicate ad", w)

	// …or with what was stored before, which stays as it was.
	before := f.seedWorld()
	f.check(f.seed(before), "Seed")
	w = f.seedWorld()
	w.Accounts[len(w.Accounts)-1].Handle = before.Accounts[2].Handle
	f.wantErr(f.seed(w), store.ErrConflict, "Seed of a world with a taken handle")
	want := sortWorld(before)
	want.AdCodes = nil
	f.same(f.stored(), want, "the stored objects after a Seed that conflicted with them")
}

func testSeedEmpty(f *fixture) {
	f.check(f.seed(model.World{}), "Seed of an empty world")
	f.wantEmpty("after seeding an empty world", model.World{})
	// Seeding adds to what is there, whether stored by Seed or not.
	adv := f.advertiser()
	w := f.seedWorld()
	w.Campaigns = append(w.Campaigns, f.newCampaign(adv.ID, t0))
	f.check(f.seed(w), "Seed after CreateAccount")
	f.check(f.seed(model.World{}), "Seed of an empty world after another")
	want := sortWorld(w)
	want.Accounts = byID(append(want.Accounts, adv), func(a *model.Account) string { return a.ID })
	want.AdCodes = nil
	f.same(f.stored(), want, "the stored objects")
}

// testSeedLarge seeds more rows of each kind than one INSERT takes.
func testSeedLarge(f *fixture) {
	const n = 1201
	var w model.World
	adv, cr := f.newAdvertiser(t0), f.newCreator(t0)
	w.Accounts = []model.Account{adv, cr}
	c := f.newCampaign(adv.ID, t0)
	c.BudgetMode, c.Budget = model.BudgetDaily, 10_000*money.PerUnit
	w.Campaigns = []model.Campaign{c}
	g := f.newAdGroup(c, t0)
	for i := range n {
		at := t0.Add(time.Duration(i) * time.Second)
		p := f.newPost(cr.ID, at)
		p.Caption = fmt.Sprintf("post %d", i)
		a := f.newAuthorization(p, at, 365)
		code := f.newCode(a)
		code.Redemptions = 1
		sp := f.newSparkPost(code, cr.ID, adv.ID, at)
		w.Posts = append(w.Posts, p)
		w.Authorizations = append(w.Authorizations, a)
		w.AdCodes = append(w.AdCodes, code)
		w.SparkPosts = append(w.SparkPosts, sp)
		if i%2 == 0 {
			g = f.newAdGroup(c, at)
			w.AdGroups = append(w.AdGroups, g)
		}
		w.Ads = append(w.Ads, f.newAd(g, sp, at))
	}
	f.check(f.seed(w), "Seed of %d ads", n)
	want := sortWorld(w)
	want.AdCodes = nil
	f.same(f.stored(), want, "the stored objects after seeding %d ads", n)
	last := w.AdCodes[n-1]
	got, err := f.s.CodeByHash(f.ctx, last.Hash)
	f.check(err, "CodeByHash")
	f.same(got, last, "the last code")
}

// seed stores w with the store's Seeder; the test is skipped for a store
// that has none.
func (f *fixture) seed(w model.World) error {
	f.t.Helper()
	s, ok := f.s.(store.Seeder)
	if !ok {
		f.t.Skip("the store does not implement store.Seeder")
	}
	return s.Seed(f.ctx, w)
}
