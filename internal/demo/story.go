package demo

import (
	"context"
	"fmt"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/post"
	"github.com/flintads/flint/internal/server"
)

// The live demo's world: four creators (one with a personal account), two
// brands, eleven posts of which some are eligible for ads and some are not
// (private, copied, music outside the commercial library, a personal
// account), authorizations, codes redeemed into both brands' libraries, and
// running campaigns. It is built through the same services the API and the
// web UI use.

// demoPassword is the password of every demo login.
const demoPassword = "flint-demo"

// world is what the demo remembers of its world: who logs in, and what the
// traffic simulation needs.
type world struct {
	advertisers []demoAdvertiser
	creators    []demoCreator
	// posts are the public posts that get organic traffic.
	posts []string
	// ads are the ads the traffic simulation expects to serve.
	ads []demoAd
}

type demoAdvertiser struct {
	id, name, email string
}

type demoCreator struct {
	id, handle, note string
}

type demoAd struct {
	id, postID               string
	advertiserID, campaignID string
	bid                      float64 // per billing unit, in currency units
	billing                  model.BillingEvent
}

// Sample videos in the public domain (CC0), served over https, so that the
// players have something to play when the machine is online.
var videos = []string{
	"https://interactive-examples.mdn.mozilla.net/media/cc0-videos/flower.mp4",
	"https://interactive-examples.mdn.mozilla.net/media/cc0-videos/flower.webm",
}

type postSpec struct {
	caption    string
	visibility model.Visibility
	original   bool
	music      *model.Music
}

type creatorSpec struct {
	handle, name, ctype, note string
	posts                     []postSpec
}

var commercial = func(title string) *model.Music { return &model.Music{Title: title, Commercial: true} }

var creatorSpecs = []creatorSpec{
	{"maya", "Maya Chen", "creator", "creator, authorized posts in use", []postSpec{
		{"My 5-minute morning glow routine ✨ #skincare #routine", model.Public, true, commercial("Golden Hour Drive - The Lanterns")},
		{"Testing the viral lip oil so you don't have to 👀 #beauty", model.Public, true, &model.Music{Title: "original sound - maya", Own: true}},
		{"Drugstore dupes that actually work #beauty #tips", model.Public, true, nil},
		{"Behind the scenes of today's shoot 🎬", model.Private, true, nil},
	}},
	{"leo.cooks", "Leo Park", "business", "business, one post with non-commercial music", []postSpec{
		{"Latte art for beginners ☕ #coffee #howto", model.Public, true, commercial("Late Night Loops - Kumo")},
		{"One-pan lemon garlic chicken 🍋 #cooking", model.Public, true, nil},
		{"15-minute weeknight pasta, with this week's chart-topper", model.Public, true, &model.Music{Title: "Top of the Charts - Famous Artist"}},
	}},
	{"ava.travels", "Ava Silva", "creator", "creator, one copied post", []postSpec{
		{"48 hours in Lisbon: where to drink the best coffee #travel", model.Public, true, commercial("Coastline - The Harbour Lights")},
		{"Hidden beaches nobody talks about (reposted) #travel", model.Public, false, nil},
	}},
	{"sam.rivera", "Sam Rivera", "personal", "personal account: no Ad settings", []postSpec{
		{"My cat judging my cooking 🐱 #pets", model.Public, true, nil},
		{"Rainy Sunday reading list 📚", model.Public, true, nil},
	}},
}

// findWorld returns the demo world stored in the database, nil if the
// database is empty, or errOtherWorld.
func findWorld(ctx context.Context, svc server.Services) (*world, error) {
	advertisers, err := svc.Accounts.List(ctx, model.KindAdvertiser)
	if err != nil {
		return nil, err
	}
	creators, err := svc.Accounts.List(ctx, model.KindCreator)
	if err != nil {
		return nil, err
	}
	if len(advertisers) == 0 && len(creators) == 0 {
		return nil, nil
	}
	w := &world{}
	for _, a := range advertisers {
		if a.Email == "ads@glow.example" || a.Email == "ads@harbor.example" {
			w.advertisers = append(w.advertisers, demoAdvertiser{a.ID, a.Name, a.Email})
		}
	}
	byHandle := map[string]model.Account{}
	for _, c := range creators {
		byHandle[c.Handle] = c
	}
	for _, spec := range creatorSpecs {
		c, ok := byHandle[spec.handle]
		if !ok {
			return nil, errOtherWorld
		}
		w.creators = append(w.creators, demoCreator{c.ID, c.Handle, spec.note})
		posts, err := svc.Posts.List(ctx, c.ID)
		if err != nil {
			return nil, err
		}
		for _, p := range posts {
			if p.Visibility == model.Public && !p.Deleted {
				w.posts = append(w.posts, p.ID)
			}
		}
	}
	if len(w.advertisers) != 2 {
		return nil, errOtherWorld
	}
	for _, adv := range w.advertisers {
		ads, err := svc.Campaigns.ListAds(ctx, adv.id, "")
		if err != nil {
			return nil, err
		}
		for _, ad := range ads {
			g, err := svc.Campaigns.GetAdGroup(ctx, adv.id, ad.AdGroupID)
			if err != nil {
				return nil, err
			}
			w.ads = append(w.ads, demoAd{id: ad.ID, postID: ad.PostID, advertiserID: ad.AdvertiserID,
				campaignID: ad.CampaignID, billing: g.BillingEvent,
				bid: float64(g.Bid) / 1e6})
		}
	}
	return w, nil
}

// buildWorld creates the demo world through the services.
func buildWorld(ctx context.Context, svc server.Services) (*world, error) {
	w := &world{}
	pw := demoPassword
	glow, _, err := svc.Accounts.Create(ctx, account.CreateInput{Kind: "advertiser", Name: "Glow Co Skincare",
		Email: "ads@glow.example", Currency: "USD", Timezone: "America/New_York", Password: pw})
	if err != nil {
		return nil, err
	}
	harbor, _, err := svc.Accounts.Create(ctx, account.CreateInput{Kind: "advertiser", Name: "Harbor Coffee Roasters",
		Email: "ads@harbor.example", Currency: "GBP", Timezone: "Europe/London", Password: pw})
	if err != nil {
		return nil, err
	}
	w.advertisers = []demoAdvertiser{{glow.ID, glow.Name, glow.Email}, {harbor.ID, harbor.Name, harbor.Email}}

	posts := map[string][]model.Post{} // by handle
	for i, spec := range creatorSpecs {
		c, _, err := svc.Accounts.Create(ctx, account.CreateInput{Kind: "creator", Handle: spec.handle,
			DisplayName: spec.name, CreatorType: spec.ctype, Password: pw})
		if err != nil {
			return nil, err
		}
		w.creators = append(w.creators, demoCreator{c.ID, c.Handle, spec.note})
		for j, ps := range spec.posts {
			dur := int64(15_000 + 7_000*j)
			orig := ps.original
			p, err := svc.Posts.Create(ctx, post.CreateInput{CreatorID: c.ID, Caption: ps.caption,
				VideoURL: videos[(i+j)%len(videos)], DurationMS: &dur, Visibility: string(ps.visibility),
				Original: &orig, Music: ps.music})
			if err != nil {
				return nil, err
			}
			posts[spec.handle] = append(posts[spec.handle], p)
			if p.Visibility == model.Public {
				w.posts = append(w.posts, p.ID)
			}
		}
	}

	// Creators authorize posts and hand codes to the brands, who confirm them.
	type grant struct {
		handle string
		post   int
		days   int
		to     []model.Account
	}
	library := map[string]map[string]string{} // advertiser → post ID → Spark post ID
	for _, g := range []grant{
		{"maya", 0, 30, []model.Account{glow}},
		{"maya", 1, 60, []model.Account{glow}},
		{"leo.cooks", 0, 30, []model.Account{harbor}},
		{"ava.travels", 0, 7, []model.Account{harbor, glow}},
	} {
		c := w.creatorByHandle(g.handle)
		p := posts[g.handle][g.post]
		on := true
		days := g.days
		if _, err := svc.Authorization.Set(ctx, c.id, p.ID, authorization.SetInput{Enabled: &on, AcceptTerms: true, Days: &days}); err != nil {
			return nil, fmt.Errorf("authorize %q: %w", p.Caption, err)
		}
		code, err := svc.Authorization.Generate(ctx, c.id, p.ID, authorization.GenerateInput{})
		if err != nil {
			return nil, err
		}
		for _, adv := range g.to {
			e, _, err := svc.Authorization.Redeem(ctx, adv.ID, code.Code)
			if err != nil {
				return nil, err
			}
			if library[adv.ID] == nil {
				library[adv.ID] = map[string]string{}
			}
			library[adv.ID][p.ID] = e.SparkPost.ID
		}
	}

	// Campaigns that run those posts.
	type adSpec struct {
		name, handle string
		post         int
		cta, url     string
	}
	type groupSpec struct {
		name                             string
		countries                        []string
		ageMin, ageMax                   int
		mode, budget, billing, bid, pace string
		freq                             *model.FrequencyCap
		ads                              []adSpec
	}
	type campaignSpec struct {
		adv                           model.Account
		name, objective, mode, budget string
		groups                        []groupSpec
	}
	for _, cs := range []campaignSpec{
		{glow, "Vitamin C serum launch", "VIDEO_VIEWS", "LIFETIME", "2500.00", []groupSpec{
			{"US women 18–34 · skincare", []string{"US"}, 18, 34, "DAILY", "120.00", "CPM", "6.00", "STANDARD",
				&model.FrequencyCap{Impressions: 3, Days: 1}, []adSpec{
					{"Maya · morning routine", "maya", 0, "Shop now", "https://glow.example/serum?utm_source=flint"},
					{"Maya · lip oil test", "maya", 1, "Learn more", "https://glow.example/lip-oil?utm_source=flint"},
				}},
		}},
		{glow, "Always on · creators", "REACH", "NONE", "", []groupSpec{
			{"All markets", nil, 0, 0, "DAILY", "60.00", "CPM", "3.50", "ACCELERATED", nil, []adSpec{
				{"Ava · Lisbon", "ava.travels", 0, "Shop now", "https://glow.example/travel-kit?utm_source=flint"},
			}},
		}},
		{harbor, "Autumn blend", "TRAFFIC", "DAILY", "90.00", []groupSpec{
			{"UK & Portugal coffee lovers", []string{"GB", "PT"}, 18, 0, "NONE", "", "CPC", "0.45", "STANDARD", nil, []adSpec{
				{"Leo · latte art", "leo.cooks", 0, "Order now", "https://harbor.example/autumn?utm_source=flint"},
				{"Ava · Lisbon coffee", "ava.travels", 0, "Learn more", "https://harbor.example/lisbon?utm_source=flint"},
			}},
		}},
	} {
		c, err := svc.Campaigns.CreateCampaign(ctx, cs.adv.ID, campaign.CampaignInput{Name: &cs.name,
			Objective: &cs.objective, BudgetMode: &cs.mode, Budget: optional(cs.budget)})
		if err != nil {
			return nil, fmt.Errorf("campaign %q: %w", cs.name, err)
		}
		for _, gs := range cs.groups {
			t := &campaign.TargetingInput{Countries: gs.countries}
			if gs.ageMin > 0 {
				t.AgeMin = &gs.ageMin
			}
			if gs.ageMax > 0 {
				t.AgeMax = &gs.ageMax
			}
			g, err := svc.Campaigns.CreateAdGroup(ctx, cs.adv.ID, campaign.AdGroupInput{CampaignID: c.ID, Name: &gs.name,
				Targeting: t, BudgetMode: &gs.mode, Budget: optional(gs.budget), BillingEvent: &gs.billing, Bid: &gs.bid,
				Pacing: &gs.pace, FrequencyCap: gs.freq})
			if err != nil {
				return nil, fmt.Errorf("ad group %q: %w", gs.name, err)
			}
			for _, as := range gs.ads {
				p := posts[as.handle][as.post]
				ad, err := svc.Campaigns.CreateAd(ctx, cs.adv.ID, campaign.AdInput{AdGroupID: g.ID,
					SparkPostID: library[cs.adv.ID][p.ID], Name: &as.name, CTALabel: &as.cta, CTAURL: &as.url})
				if err != nil {
					return nil, fmt.Errorf("ad %q: %w", as.name, err)
				}
				w.ads = append(w.ads, demoAd{id: ad.ID, postID: p.ID, advertiserID: cs.adv.ID, campaignID: c.ID,
					billing: g.BillingEvent, bid: float64(g.Bid) / 1e6})
			}
		}
	}
	return w, nil
}

func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func (w *world) creatorByHandle(handle string) demoCreator {
	for _, c := range w.creators {
		if c.handle == handle {
			return c
		}
	}
	return demoCreator{}
}
