package demo

import (
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	_ "time/tzdata" // advertisers' time zones must load anywhere
	"unicode/utf8"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/post"
	"github.com/flintads/flint/internal/validate"
)

// now is the tests' reference time; Generate truncates it to microseconds.
var now = time.Date(2026, 11, 24, 15, 4, 5, 123456789, time.UTC)

// index holds a world's objects by identifier.
type index struct {
	accounts   map[string]*model.Account
	posts      map[string]*model.Post
	auths      map[string]*model.Authorization
	codes      map[string]*model.AdCode
	sparkPosts map[string]*model.SparkPost
	campaigns  map[string]*model.Campaign
	groups     map[string]*model.AdGroup
}

func byID[T any](t *testing.T, list []T, id func(*T) string) map[string]*T {
	t.Helper()
	m := make(map[string]*T, len(list))
	for i := range list {
		k := id(&list[i])
		if _, dup := m[k]; dup {
			t.Fatalf("duplicate identifier %s", k)
		}
		m[k] = &list[i]
	}
	return m
}

func indexOf(t *testing.T, w *model.World) index {
	t.Helper()
	return index{
		accounts:   byID(t, w.Accounts, func(a *model.Account) string { return a.ID }),
		posts:      byID(t, w.Posts, func(p *model.Post) string { return p.ID }),
		auths:      byID(t, w.Authorizations, func(a *model.Authorization) string { return a.ID }),
		codes:      byID(t, w.AdCodes, func(c *model.AdCode) string { return c.ID }),
		sparkPosts: byID(t, w.SparkPosts, func(s *model.SparkPost) string { return s.ID }),
		campaigns:  byID(t, w.Campaigns, func(c *model.Campaign) string { return c.ID }),
		groups:     byID(t, w.AdGroups, func(g *model.AdGroup) string { return g.ID }),
	}
}

func countKind(w *model.World, kind model.AccountKind) int {
	n := 0
	for _, a := range w.Accounts {
		if a.Kind == kind {
			n++
		}
	}
	return n
}

func TestGenerateCounts(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 19, 20, 21, 300, 1001} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			w := Generate(n, 1, now)
			for what, got := range map[string]int{
				"advertisers":    countKind(&w, model.KindAdvertiser),
				"creators":       countKind(&w, model.KindCreator),
				"posts":          len(w.Posts),
				"authorizations": len(w.Authorizations),
				"codes":          len(w.AdCodes),
				"Spark posts":    len(w.SparkPosts),
				"campaigns":      len(w.Campaigns),
				"ads":            len(w.Ads),
			} {
				want := map[string]int{"advertisers": max(1, n/20), "creators": max(1, n/4),
					"campaigns": max(1, n/10)}[what]
				if want == 0 {
					want = n
				}
				if got != want {
					t.Errorf("%d %s, want %d", got, what, want)
				}
			}
			if len(w.Accounts) != countKind(&w, model.KindAdvertiser)+countKind(&w, model.KindCreator) {
				t.Errorf("accounts of other kinds")
			}
			// Ad groups hold 1 to 3 ads; every campaign and advertiser is used.
			perGroup := map[string]int{}
			for _, a := range w.Ads {
				perGroup[a.AdGroupID]++
			}
			if len(perGroup) != len(w.AdGroups) {
				t.Errorf("%d ad groups have ads, of %d", len(perGroup), len(w.AdGroups))
			}
			for id, k := range perGroup {
				if k < 1 || k > maxAdsPerGroup {
					t.Errorf("ad group %s has %d ads", id, k)
				}
			}
			usedCampaigns, usedAdvertisers := map[string]bool{}, map[string]bool{}
			for _, g := range w.AdGroups {
				usedCampaigns[g.CampaignID] = true
				usedAdvertisers[g.AdvertiserID] = true
			}
			if len(usedCampaigns) != len(w.Campaigns) || len(usedAdvertisers) != countKind(&w, model.KindAdvertiser) {
				t.Errorf("%d of %d campaigns and %d of %d advertisers have ad groups", len(usedCampaigns),
					len(w.Campaigns), len(usedAdvertisers), countKind(&w, model.KindAdvertiser))
			}
		})
	}
	if w := Generate(0, 1, now); w.Objects() != 0 {
		t.Errorf("Generate(0) made %d objects", w.Objects())
	}
}

// TestGenerateReferences checks that every reference points at an object of
// the world, of the right kind, and that denormalised fields agree.
func TestGenerateReferences(t *testing.T) {
	w := Generate(1000, 3, now)
	ix := indexOf(t, &w)
	isKind := func(id string, kind model.AccountKind) bool {
		a, ok := ix.accounts[id]
		return ok && a.Kind == kind
	}
	handles, tokens, hashes := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, a := range w.Accounts {
		if a.Kind == model.KindCreator {
			if handles[a.Handle] {
				t.Errorf("handle %s is taken twice", a.Handle)
			}
			handles[a.Handle] = true
		}
		if len(a.TokenHash) != 32 || tokens[string(a.TokenHash)] {
			t.Errorf("account %s: token hash %x is not a fresh SHA-256", a.ID, a.TokenHash)
		}
		tokens[string(a.TokenHash)] = true
	}
	for _, p := range w.Posts {
		if !isKind(p.CreatorID, model.KindCreator) {
			t.Errorf("post %s: creator %s is not a creator", p.ID, p.CreatorID)
		}
	}
	authOfPost := map[string]string{}
	for _, a := range w.Authorizations {
		p, ok := ix.posts[a.PostID]
		if !ok || p.CreatorID != a.CreatorID {
			t.Errorf("authorization %s: post %s of creator %s is not in the world", a.ID, a.PostID, a.CreatorID)
		}
		if authOfPost[a.PostID] != "" {
			t.Errorf("post %s has two authorizations", a.PostID)
		}
		authOfPost[a.PostID] = a.ID
	}
	for _, c := range w.AdCodes {
		a, ok := ix.auths[c.AuthorizationID]
		if !ok || a.PostID != c.PostID {
			t.Errorf("code %s: authorization %s of post %s is not in the world", c.ID, c.AuthorizationID, c.PostID)
		}
		if len(c.Hash) != 32 || hashes[string(c.Hash)] {
			t.Errorf("code %s: hash %x is not a fresh SHA-256", c.ID, c.Hash)
		}
		hashes[string(c.Hash)] = true
		if c.AdvertiserID != "" && !isKind(c.AdvertiserID, model.KindAdvertiser) {
			t.Errorf("code %s: restricted to %s, not an advertiser", c.ID, c.AdvertiserID)
		}
	}
	library := map[[2]string]bool{}
	for _, sp := range w.SparkPosts {
		c, ok := ix.codes[sp.CodeID]
		switch {
		case !ok:
			t.Errorf("Spark post %s: code %s is not in the world", sp.ID, sp.CodeID)
		case c.PostID != sp.PostID || c.AuthorizationID != sp.AuthorizationID:
			t.Errorf("Spark post %s: post %s, authorization %s; its code's are %s, %s", sp.ID, sp.PostID,
				sp.AuthorizationID, c.PostID, c.AuthorizationID)
		case c.AdvertiserID != "" && c.AdvertiserID != sp.AdvertiserID:
			t.Errorf("Spark post %s: code %s is restricted to another advertiser", sp.ID, c.ID)
		case c.MaxRedemptions > 0 && c.Redemptions > c.MaxRedemptions:
			t.Errorf("code %s: %d redemptions of at most %d", c.ID, c.Redemptions, c.MaxRedemptions)
		}
		if p, ok := ix.posts[sp.PostID]; !ok || p.CreatorID != sp.CreatorID {
			t.Errorf("Spark post %s: creator %s is not the post's", sp.ID, sp.CreatorID)
		}
		if !isKind(sp.AdvertiserID, model.KindAdvertiser) {
			t.Errorf("Spark post %s: %s is not an advertiser", sp.ID, sp.AdvertiserID)
		}
		key := [2]string{sp.AdvertiserID, sp.PostID}
		if library[key] {
			t.Errorf("post %s is twice in the library of %s", sp.PostID, sp.AdvertiserID)
		}
		library[key] = true
	}
	for _, c := range w.Campaigns {
		if !isKind(c.AdvertiserID, model.KindAdvertiser) {
			t.Errorf("campaign %s: %s is not an advertiser", c.ID, c.AdvertiserID)
		}
	}
	for _, g := range w.AdGroups {
		if c, ok := ix.campaigns[g.CampaignID]; !ok || c.AdvertiserID != g.AdvertiserID {
			t.Errorf("ad group %s: campaign %s of advertiser %s is not in the world", g.ID, g.CampaignID, g.AdvertiserID)
		}
	}
	adsOfPost := map[string]int{}
	for _, a := range w.Ads {
		g, ok := ix.groups[a.AdGroupID]
		if !ok || g.CampaignID != a.CampaignID || g.AdvertiserID != a.AdvertiserID {
			t.Errorf("ad %s: ad group %s of campaign %s and advertiser %s is not in the world", a.ID, a.AdGroupID,
				a.CampaignID, a.AdvertiserID)
		}
		sp, ok := ix.sparkPosts[a.SparkPostID]
		if !ok || sp.AdvertiserID != a.AdvertiserID || sp.PostID != a.PostID {
			t.Errorf("ad %s: Spark post %s of post %s is not in its advertiser's library", a.ID, a.SparkPostID, a.PostID)
		}
		adsOfPost[a.PostID]++
	}
	for _, p := range w.Posts {
		if adsOfPost[p.ID] != 1 {
			t.Errorf("post %s has %d ads, want 1", p.ID, adsOfPost[p.ID])
		}
	}
}

// TestGenerateServes checks that every ad serves at now and a week later,
// by the rules that decide an ad's serving status.
func TestGenerateServes(t *testing.T) {
	w := Generate(2000, 5, now)
	ix := indexOf(t, &w)
	for _, at := range []time.Time{now, now.Add(7 * 24 * time.Hour)} {
		for _, a := range w.Ads {
			g := ix.groups[a.AdGroupID]
			sp := ix.sparkPosts[a.SparkPostID]
			auth := ix.auths[sp.AuthorizationID]
			f := campaign.Facts{Ad: a, AdGroup: *g, Campaign: *ix.campaigns[a.CampaignID], Authorization: *auth,
				Post: *ix.posts[sp.PostID], CreatorType: ix.accounts[sp.CreatorID].CreatorType}
			if r := campaign.Reasons(f, at); len(r) != 0 {
				t.Fatalf("ad %s does not serve at %s: %v", a.ID, at, r)
			}
			if !auth.Active(at) || auth.Status(at) != model.AuthOn {
				t.Fatalf("authorization %s is not active at %s (expires %s)", auth.ID, at, auth.ExpiresAt)
			}
		}
	}
}

var (
	interestRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	languageRE = regexp.MustCompile(`^[a-z]{2}$`)
	handleRE   = regexp.MustCompile(`^[a-z0-9._]{2,24}$`)
)

// TestGenerateValid checks every object against the rules that the services
// enforce when objects are created through the API (validate.go and its
// peers in campaign, post and account).
func TestGenerateValid(t *testing.T) {
	w := Generate(3000, 11, now)
	ix := indexOf(t, &w)
	nowUs := now.Truncate(time.Microsecond)
	text := func(what, s string, maxRunes int) {
		t.Helper()
		if strings.TrimSpace(s) == "" || !utf8.ValidString(s) || strings.ContainsRune(s, 0) ||
			utf8.RuneCountInString(s) > maxRunes {
			t.Errorf("%s %q is not text of 1 to %d characters", what, s, maxRunes)
		}
	}
	past := func(what string, ts ...time.Time) {
		t.Helper()
		for _, x := range ts {
			if x.IsZero() || x.After(nowUs) || !x.Equal(x.Truncate(time.Microsecond)) {
				t.Errorf("%s: time %s is not a past time in microseconds", what, x)
			}
		}
	}
	money2 := func(what string, m, max money.Micros) {
		t.Helper()
		if m <= 0 || m > max || m%(money.PerUnit/100) != 0 {
			t.Errorf("%s %s is not a positive amount with two decimals up to %s", what, m, max)
		}
	}
	for _, a := range w.Accounts {
		past("account "+a.ID, a.CreatedAt, a.UpdatedAt)
		switch a.Kind {
		case model.KindCreator:
			if !handleRE.MatchString(a.Handle) {
				t.Errorf("creator %s: handle %q", a.ID, a.Handle)
			}
			text("display name", a.DisplayName, 64)
			if a.CreatorType != model.CreatorBusiness && a.CreatorType != model.CreatorCreator {
				t.Errorf("creator %s has type %q", a.ID, a.CreatorType)
			}
		case model.KindAdvertiser:
			text("advertiser name", a.Name, 128)
			if !account.ValidCurrency(a.Currency) {
				t.Errorf("advertiser %s: currency %q", a.ID, a.Currency)
			}
			if _, err := account.LoadLocation(a.Timezone); err != nil {
				t.Errorf("advertiser %s: time zone %q: %v", a.ID, a.Timezone, err)
			}
		}
	}
	for _, p := range w.Posts {
		past("post "+p.ID, p.CreatedAt, p.UpdatedAt)
		text("caption", p.Caption, 2200)
		if err := validate.HTTPURL("video_url", p.VideoURL); err != nil || !strings.HasPrefix(p.VideoURL, "https://") {
			t.Errorf("post %s: video URL %q is not https", p.ID, p.VideoURL)
		}
		if p.DurationMS < 1 || p.DurationMS > 3_600_000 {
			t.Errorf("post %s lasts %d ms", p.ID, p.DurationMS)
		}
		if p.Music != nil {
			text("music title", p.Music.Title, 200)
		}
		if code := post.Ineligibility(ix.accounts[p.CreatorID].CreatorType, &p); code != "" {
			t.Errorf("post %s is not eligible: %s", p.ID, code)
		}
	}
	for _, a := range w.Authorizations {
		past("authorization "+a.ID, a.TermsAcceptedAt, a.CreatedAt, a.GeneratedAt, a.UpdatedAt)
		if !authorization.ValidPeriod(a.Days) || a.TermsVersion != authorization.TermsVersion {
			t.Errorf("authorization %s: %d days, terms %q", a.ID, a.Days, a.TermsVersion)
		}
		if a.CreatedAt.Before(ix.posts[a.PostID].CreatedAt) || a.GeneratedAt.Before(a.CreatedAt) ||
			a.UpdatedAt.Before(a.GeneratedAt) {
			t.Errorf("authorization %s: times out of order", a.ID)
		}
		// The window opened at generation; a creator may have extended it.
		if end := authorization.WindowEnd(a.GeneratedAt, a.Days); a.ExpiresAt.Before(end) ||
			a.ExpiresAt.After(end) && a.UpdatedAt.Equal(a.GeneratedAt) {
			t.Errorf("authorization %s: expires %s, window of %d days from %s", a.ID, a.ExpiresAt, a.Days, a.GeneratedAt)
		}
		if a.ExpiresAt.Before(nowUs.Add(MinAuthorizationLeft)) || !a.RevokedAt.IsZero() {
			t.Errorf("authorization %s expires %s or is revoked", a.ID, a.ExpiresAt)
		}
	}
	for _, c := range w.AdCodes {
		past("code "+c.ID, c.CreatedAt)
		if !c.CreatedAt.Equal(ix.auths[c.AuthorizationID].GeneratedAt) {
			t.Errorf("code %s was not generated when its window opened", c.ID)
		}
		if c.MaxRedemptions < 0 || c.MaxRedemptions > 1000 || c.Redemptions != 1 {
			t.Errorf("code %s: %d of at most %d redemptions", c.ID, c.Redemptions, c.MaxRedemptions)
		}
	}
	for _, sp := range w.SparkPosts {
		past("Spark post "+sp.ID, sp.AddedAt, sp.UpdatedAt)
		if sp.AddedAt.Before(ix.codes[sp.CodeID].CreatedAt) {
			t.Errorf("Spark post %s was added before its code existed", sp.ID)
		}
	}
	objectives := []model.Objective{model.ObjectiveReach, model.ObjectiveVideoViews, model.ObjectiveTraffic,
		model.ObjectiveEngagement, model.ObjectiveConversions}
	budget := func(what string, mode model.BudgetMode, b money.Micros) {
		t.Helper()
		switch mode {
		case model.BudgetNone:
			if b != 0 {
				t.Errorf("%s: budget %s without a budget mode", what, b)
			}
		case model.BudgetDaily, model.BudgetLifetime:
			money2(what+" budget", b, 100_000_000*money.PerUnit)
		default:
			t.Errorf("%s: budget mode %q", what, mode)
		}
	}
	for _, c := range w.Campaigns {
		past("campaign "+c.ID, c.CreatedAt, c.UpdatedAt)
		text("campaign name", c.Name, 512)
		if !slices.Contains(objectives, c.Objective) || c.Status != model.Enabled {
			t.Errorf("campaign %s: objective %q, status %q", c.ID, c.Objective, c.Status)
		}
		budget("campaign "+c.ID, c.BudgetMode, c.Budget)
	}
	for _, g := range w.AdGroups {
		what := "ad group " + g.ID
		past(what, g.CreatedAt, g.UpdatedAt)
		text("ad group name", g.Name, 512)
		checkTargeting(t, what, g.Targeting)
		if !g.StartTime.Equal(nowUs.Add(-time.Hour)) || !g.EndTime.IsZero() && !g.EndTime.After(g.StartTime.AddDate(0, 1, 0)) {
			t.Errorf("%s: schedule %s to %s", what, g.StartTime, g.EndTime)
		}
		budget(what, g.BudgetMode, g.Budget)
		if g.BudgetMode == model.BudgetNone {
			t.Errorf("%s has no budget", what)
		}
		switch g.BillingEvent {
		case model.BillCPM, model.BillCPC, model.BillCPV:
		default:
			t.Errorf("%s: billing event %q", what, g.BillingEvent)
		}
		money2(what+" bid", g.Bid, 1000*money.PerUnit)
		if f := g.FrequencyCap; f != (model.FrequencyCap{}) && (f.Impressions < 1 || f.Impressions > 100 || f.Days < 1 || f.Days > 30) {
			t.Errorf("%s: frequency cap %+v", what, f)
		}
		if g.Pacing != model.PacingStandard && g.Pacing != model.PacingAccelerated || g.Status != model.Enabled {
			t.Errorf("%s: pacing %q, status %q", what, g.Pacing, g.Status)
		}
	}
	for _, a := range w.Ads {
		past("ad "+a.ID, a.CreatedAt, a.UpdatedAt)
		text("ad name", a.Name, 512)
		text("CTA label", a.CTALabel, 40)
		if err := validate.HTTPURL("cta.url", a.CTAURL); err != nil || !strings.HasPrefix(a.CTAURL, "https://") {
			t.Errorf("ad %s: landing URL %q is not https", a.ID, a.CTAURL)
		}
		if a.Status != model.Enabled {
			t.Errorf("ad %s: status %q", a.ID, a.Status)
		}
		if a.CreatedAt.Before(ix.sparkPosts[a.SparkPostID].AddedAt) || a.CreatedAt.Before(ix.groups[a.AdGroupID].CreatedAt) {
			t.Errorf("ad %s was created before its Spark post or ad group", a.ID)
		}
	}
}

// checkTargeting checks targeting as campaign's normaliseTargeting leaves
// it: valid values, sorted, without duplicates, and bounds in range.
func checkTargeting(t *testing.T, what string, tg model.Targeting) {
	t.Helper()
	list := func(field string, values []string, ok func(string) bool) {
		t.Helper()
		if values == nil || len(values) > 250 || !slices.IsSorted(values) || len(slices.Compact(slices.Clone(values))) != len(values) {
			t.Errorf("%s: %s %q is not a sorted list without duplicates", what, field, values)
		}
		for _, v := range values {
			if !ok(v) {
				t.Errorf("%s: %s %q is not valid", what, field, v)
			}
		}
	}
	list("countries", tg.Countries, campaign.ValidCountry)
	list("genders", tg.Genders, func(s string) bool { return slices.Contains(campaign.Genders, s) })
	list("languages", tg.Languages, languageRE.MatchString)
	list("os", tg.OS, func(s string) bool { return slices.Contains(campaign.OSes, s) })
	list("interests", tg.Interests, interestRE.MatchString)
	for _, age := range []int{tg.AgeMin, tg.AgeMax} {
		if age != 0 && (age < 13 || age > 100) {
			t.Errorf("%s: age %d out of range", what, age)
		}
	}
	if tg.AgeMin != 0 && tg.AgeMax != 0 && tg.AgeMin > tg.AgeMax {
		t.Errorf("%s: ages %d-%d", what, tg.AgeMin, tg.AgeMax)
	}
	if len(tg.Countries) > 3 || len(tg.Genders) > 1 || len(tg.Languages) > 2 || len(tg.OS) > 1 || len(tg.Interests) > 3 {
		t.Errorf("%s: targeting %+v names more than the demo does", what, tg)
	}
	if len(tg.Countries) > 0 && !slices.ContainsFunc(tg.Countries, func(c string) bool { return slices.Contains(bigMarkets, c) }) {
		t.Errorf("%s: countries %v name no big market", what, tg.Countries)
	}
	for _, l := range tg.Languages {
		if len(tg.Countries) > 0 && !slices.ContainsFunc(tg.Countries, func(c string) bool {
			return slices.Contains(countryLanguages[c], l)
		}) {
			t.Errorf("%s: language %s is spoken in none of %v", what, l, tg.Countries)
		}
	}
}

// TestGenerateVariety checks that a world is as varied as its description
// says: its seed is fixed, so the shares below do not change between runs.
func TestGenerateVariety(t *testing.T) {
	w := Generate(4000, 1, now)
	share := func(k, n int) float64 { return float64(k) / float64(n) }
	count := func(n int, f func(i int) bool) int {
		k := 0
		for i := range n {
			if f(i) {
				k++
			}
		}
		return k
	}
	advertisers := w.Accounts[:countKind(&w, model.KindAdvertiser)]
	currencies := map[string]int{}
	zones := map[string]bool{}
	for _, a := range advertisers {
		currencies[a.Currency]++
		zones[a.Timezone] = true
	}
	groups := len(w.AdGroups)
	billing := map[model.BillingEvent]int{}
	for _, g := range w.AdGroups {
		billing[g.BillingEvent]++
	}
	days := map[int]int{}
	for _, a := range w.Authorizations {
		days[a.Days]++
	}
	objectives := map[model.Objective]bool{}
	campaignBudgets := map[model.BudgetMode]bool{}
	for _, c := range w.Campaigns {
		objectives[c.Objective] = true
		campaignBudgets[c.BudgetMode] = true
	}
	music := map[string]int{}
	for _, p := range w.Posts {
		switch {
		case p.Music == nil:
			music["none"]++
		case p.Music.Own:
			music["own"]++
		default:
			music["commercial"]++
		}
	}
	creators := w.Accounts[len(advertisers):]
	types := map[model.CreatorType]int{}
	for _, c := range creators {
		types[c.CreatorType]++
	}
	for _, c := range []struct {
		what string
		ok   bool
	}{
		{"mostly USD", share(currencies["USD"], len(advertisers)) > 0.4 && share(currencies["USD"], len(advertisers)) < 0.8},
		{"several currencies", len(currencies) >= 5},
		{"several time zones", len(zones) >= 10},
		{"both creator types", types[model.CreatorBusiness] > 0 && types[model.CreatorCreator] > 0},
		{"every kind of music", len(music) == 3},
		{"every objective", len(objectives) == 5},
		{"campaigns with and without budgets", len(campaignBudgets) == 3},
		{"mostly CPM", share(billing[model.BillCPM], groups) > 0.6},
		{"some CPC and CPV", billing[model.BillCPC] > 0 && billing[model.BillCPV] > 0},
		{"mostly 365 days", share(days[365], len(w.Authorizations)) > 0.7},
		{"every period", len(days) == 4},
		{"mostly accelerated", share(count(groups, func(i int) bool { return w.AdGroups[i].Pacing == model.PacingAccelerated }), groups) > 0.7},
		{"some standard pacing", count(groups, func(i int) bool { return w.AdGroups[i].Pacing == model.PacingStandard }) > 0},
		{"mostly no frequency cap", share(count(groups, func(i int) bool { return w.AdGroups[i].FrequencyCap.Impressions == 0 }), groups) > 0.7},
		{"some capped", count(groups, func(i int) bool { return w.AdGroups[i].FrequencyCap == model.FrequencyCap{Impressions: 3, Days: 1} }) > 0},
		{"mostly no end", share(count(groups, func(i int) bool { return w.AdGroups[i].EndTime.IsZero() }), groups) > 0.6},
		{"some end", count(groups, func(i int) bool { return !w.AdGroups[i].EndTime.IsZero() }) > 0},
		{"daily and lifetime budgets", count(groups, func(i int) bool { return w.AdGroups[i].BudgetMode == model.BudgetDaily }) > 0 &&
			count(groups, func(i int) bool { return w.AdGroups[i].BudgetMode == model.BudgetLifetime }) > 0},
	} {
		if !c.ok {
			t.Errorf("the world does not have %s", c.what)
		}
	}
	// Each kind of targeting is sometimes absent and sometimes present, up
	// to its most values.
	for _, k := range []struct {
		what string
		n    func(tg *model.Targeting) int
		most int
	}{
		{"countries", func(tg *model.Targeting) int { return len(tg.Countries) }, 3},
		{"ages", func(tg *model.Targeting) int { return min(1, tg.AgeMin+tg.AgeMax) }, 1},
		{"genders", func(tg *model.Targeting) int { return len(tg.Genders) }, 1},
		{"languages", func(tg *model.Targeting) int { return len(tg.Languages) }, 2},
		{"os", func(tg *model.Targeting) int { return len(tg.OS) }, 1},
		{"interests", func(tg *model.Targeting) int { return len(tg.Interests) }, 3},
	} {
		seen := map[int]bool{}
		for i := range w.AdGroups {
			seen[k.n(&w.AdGroups[i].Targeting)] = true
		}
		if !seen[0] || !seen[k.most] {
			t.Errorf("targeting by %s: counts seen %v, want 0 and %d among them", k.what, seen, k.most)
		}
	}
}

// canonical returns w with identifiers replaced by their kind and position
// and random hashes removed: what the seed determines.
func canonical(t *testing.T, w model.World) model.World {
	t.Helper()
	names := map[string]string{}
	lists := []any{w.Accounts, w.Posts, w.Authorizations, w.AdCodes, w.SparkPosts, w.Campaigns, w.AdGroups, w.Ads}
	for _, l := range lists {
		v := reflect.ValueOf(l)
		for i := range v.Len() {
			id := v.Index(i).FieldByName("ID").String()
			names[id] = fmt.Sprintf("%s#%d", strings.SplitN(id, "_", 2)[0], i)
		}
	}
	var out model.World
	outLists := []any{&out.Accounts, &out.Posts, &out.Authorizations, &out.AdCodes, &out.SparkPosts, &out.Campaigns,
		&out.AdGroups, &out.Ads}
	for k, l := range lists {
		src := reflect.ValueOf(l)
		dst := reflect.MakeSlice(src.Type(), src.Len(), src.Len())
		reflect.Copy(dst, src)
		for i := range dst.Len() {
			e := dst.Index(i)
			for f := range e.NumField() {
				field, name := e.Field(f), e.Type().Field(f).Name
				switch {
				case strings.HasSuffix(name, "ID") && field.Kind() == reflect.String && field.String() != "":
					n, ok := names[field.String()]
					if !ok {
						t.Fatalf("%s %s refers to %s, which is not in the world", e.Type().Name(), name, field.String())
					}
					field.SetString(n)
				case name == "TokenHash" || name == "Hash":
					field.SetBytes(nil)
				}
			}
		}
		reflect.ValueOf(outLists[k]).Elem().Set(dst)
	}
	return out
}

func TestGenerateDeterministic(t *testing.T) {
	a, b := canonical(t, Generate(500, 42, now)), canonical(t, Generate(500, 42, now))
	if !reflect.DeepEqual(a, b) {
		for i := range a.AdGroups {
			if !reflect.DeepEqual(a.AdGroups[i], b.AdGroups[i]) {
				t.Fatalf("ad group %d differs:\n%+v\n%+v", i, a.AdGroups[i], b.AdGroups[i])
			}
		}
		t.Fatal("the same seed gave different worlds")
	}
	if c := canonical(t, Generate(500, 43, now)); reflect.DeepEqual(a.Posts, c.Posts) || reflect.DeepEqual(a.AdGroups, c.AdGroups) {
		t.Error("seeds 42 and 43 gave the same world")
	}
	// A later now moves every time by as much, and nothing else.
	later := canonical(t, Generate(500, 42, now.Add(time.Hour)))
	if later.Posts[0].Caption != a.Posts[0].Caption || !later.Ads[0].CreatedAt.Equal(a.Ads[0].CreatedAt.Add(time.Hour)) {
		t.Errorf("Generate at now+1h: caption %q, ad created %s; at now: %q, %s", later.Posts[0].Caption,
			later.Ads[0].CreatedAt, a.Posts[0].Caption, a.Ads[0].CreatedAt)
	}
}
