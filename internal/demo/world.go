package demo

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/ids"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

// The shape of a world of n ads: one advertiser per 20 ads, one creator per
// 4, one campaign per 10, ad groups of 1 to 3 ads, and one post (with its
// authorization, code and library entry) per ad.
const (
	adsPerAdvertiser = 20
	adsPerCreator    = 4
	adsPerCampaign   = 10
	maxAdsPerGroup   = 3
)

const day = 24 * time.Hour

// MinAuthorizationLeft is how long, at least, every authorization of a
// generated world stays active after its now.
const MinAuthorizationLeft = 8 * authorization.Day

// Generate builds a world of n ads that all serve at time now and keep
// serving for a long load test: every level is enabled, every ad group's
// schedule has started, budgets are large, and every ad delivers a public,
// original post of a business or creator account under an authorization
// that stays active for at least MinAuthorizationLeft.
//
// The same n, seed and now give the same world, except for what must be
// random: identifiers, API token hashes and ad code hashes (the tokens and
// codes themselves are not kept, so the accounts cannot be logged into and
// the codes cannot be redeemed again).
func Generate(n int, seed int64, now time.Time) model.World {
	g := &generator{
		rng: rand.New(rand.NewPCG(uint64(seed), 0x666c696e742d646d)), // "flint-dm"
		now: now.UTC().Truncate(time.Microsecond),
	}
	if n < 1 {
		return model.World{}
	}
	advertisers, creators, campaigns := max(1, n/adsPerAdvertiser), max(1, n/adsPerCreator), max(1, n/adsPerCampaign)
	g.w = model.World{
		Accounts:       make([]model.Account, 0, advertisers+creators),
		Posts:          make([]model.Post, 0, n),
		Authorizations: make([]model.Authorization, 0, n),
		AdCodes:        make([]model.AdCode, 0, n),
		SparkPosts:     make([]model.SparkPost, 0, n),
		Campaigns:      make([]model.Campaign, 0, campaigns),
		AdGroups:       make([]model.AdGroup, 0, n*2/(1+maxAdsPerGroup)+16),
		Ads:            make([]model.Ad, 0, n),
	}
	g.advertisers(advertisers)
	g.creators(creators)
	g.campaigns(campaigns)
	g.ads(n)
	return g.w
}

type generator struct {
	rng *rand.Rand
	now time.Time
	w   model.World

	brands []brand // of each advertiser, by index in w.Accounts
	// niches holds each creator's niche (by index among creators) and
	// byNiche the creators of each niche; cursor spreads posts over them.
	niches  []string
	byNiche map[string][]int
	cursor  map[string]int
	next    int // the next creator for posts outside the advertiser's niches
}

// brand is what the generator remembers of an advertiser.
type brand struct {
	category *category
	domain   string
}

// intn returns a number in [lo, hi].
func (g *generator) intn(lo, hi int) int { return lo + g.rng.IntN(hi-lo+1) }

// chance returns true with probability p.
func (g *generator) chance(p float64) bool { return g.rng.Float64() < p }

// ago returns now minus a random duration in [lo, hi], to the microsecond.
func (g *generator) ago(lo, hi time.Duration) time.Time {
	return g.now.Add(-lo - time.Duration(g.rng.Int64N(int64(hi-lo)+1))).Truncate(time.Microsecond)
}

// after returns t plus a random duration in [lo, hi], to the microsecond.
func (g *generator) after(t time.Time, lo, hi time.Duration) time.Time {
	return t.Add(lo + time.Duration(g.rng.Int64N(int64(hi-lo)+1))).Truncate(time.Microsecond)
}

func pick[T any](g *generator, list []T) T { return list[g.rng.IntN(len(list))] }

// weighted is a value drawn with a relative weight.
type weighted[T any] struct {
	w int
	v T
}

func pickWeighted[T any](g *generator, list []weighted[T]) T {
	total := 0
	for _, x := range list {
		total += x.w
	}
	r := g.rng.IntN(total)
	for _, x := range list {
		if r < x.w {
			return x.v
		}
		r -= x.w
	}
	panic("unreachable")
}

// pickSome returns k distinct values of list, sorted.
func pickSome(g *generator, list []string, k int) []string {
	out := make([]string, 0, k)
	for _, i := range g.rng.Perm(len(list))[:k] {
		out = append(out, list[i])
	}
	slices.Sort(out)
	return out
}

func (g *generator) advertisers(n int) {
	for range n {
		m := pickWeighted(g, markets)
		cat := &categories[g.rng.IntN(len(categories))]
		name := pick(g, brandNames) + " " + pick(g, cat.names)
		domain := strings.NewReplacer(" ", "", "&", "and", "'", "").Replace(strings.ToLower(name))
		if g.chance(0.3) {
			name += " " + m.label
		}
		created := g.ago(200*day, 900*day)
		g.w.Accounts = append(g.w.Accounts, model.Account{
			ID: ids.New("acct"), Kind: model.KindAdvertiser, Name: name, Currency: m.currency,
			Timezone: pick(g, m.zones), TokenHash: account.HashToken(account.NewToken()),
			CreatedAt: created, UpdatedAt: created,
		})
		g.brands = append(g.brands, brand{category: cat, domain: "www." + domain + ".example"})
	}
}

func (g *generator) creators(n int) {
	g.byNiche, g.cursor = map[string][]int{}, map[string]int{}
	for i := range n {
		first, last := pick(g, firstNames), pick(g, lastNames)
		niche := pick(g, interests)
		// Handles are unique: the creator's index ends them.
		suffix := fmt.Sprint(i)
		handle := strings.ToLower(first) + pick(g, []string{".", "_", ""}) + strings.ReplaceAll(niche, "-", "")
		handle = handle[:min(len(handle), 24-len(suffix))] + suffix
		display := first + " " + last
		if g.chance(0.3) {
			display = first + " | " + nicheTitle(niche)
		}
		ct := model.CreatorCreator
		if g.chance(0.3) {
			ct = model.CreatorBusiness
		}
		created := g.ago(100*day, 1500*day)
		g.w.Accounts = append(g.w.Accounts, model.Account{
			ID: ids.New("acct"), Kind: model.KindCreator, Handle: handle, DisplayName: display, CreatorType: ct,
			TokenHash: account.HashToken(account.NewToken()), CreatedAt: created, UpdatedAt: created,
		})
		g.niches = append(g.niches, niche)
		g.byNiche[niche] = append(g.byNiche[niche], i)
	}
}

func nicheTitle(niche string) string {
	words := strings.Split(niche, "-")
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

func (g *generator) campaigns(n int) {
	advertisers := len(g.brands)
	for i := range n {
		adv := &g.w.Accounts[i%advertisers]
		objective := pick(g, objectives)
		c := model.Campaign{
			ID: ids.New("cmp"), AdvertiserID: adv.ID, Objective: objective.v, BudgetMode: model.BudgetNone,
			Status: model.Enabled,
			Name:   fmt.Sprintf("%s %d · %s", pick(g, campaignThemes), g.now.Year(), objective.label),
		}
		switch g.rng.IntN(10) {
		case 0, 1, 2:
			c.BudgetMode, c.Budget = model.BudgetDaily, money.Micros(g.intn(100, 1000))*1000*money.PerUnit
		case 3, 4, 5:
			c.BudgetMode, c.Budget = model.BudgetLifetime, money.Micros(g.intn(200, 2000))*10_000*money.PerUnit
		}
		c.CreatedAt = g.ago(2*time.Hour, 3*day)
		c.UpdatedAt = c.CreatedAt
		g.w.Campaigns = append(g.w.Campaigns, c)
	}
}

// ads makes n ads in ad groups of 1 to 3, spread over the campaigns in turn,
// each ad with a post of its own in its advertiser's library.
func (g *generator) ads(n int) {
	advIndex := make(map[string]int, len(g.brands))
	for i := range g.brands {
		advIndex[g.w.Accounts[i].ID] = i
	}
	for made, k := 0, 0; made < n; k++ {
		c := &g.w.Campaigns[k%len(g.w.Campaigns)]
		adv := advIndex[c.AdvertiserID]
		group := g.adGroup(c, &g.brands[adv])
		size := min(g.intn(1, maxAdsPerGroup), n-made)
		for range size {
			sp, handle := g.sparkPost(adv)
			g.ad(&group, c, &g.brands[adv], sp, handle)
		}
		made += size
		g.w.AdGroups = append(g.w.AdGroups, group)
	}
}

func (g *generator) adGroup(c *model.Campaign, b *brand) model.AdGroup {
	ag := model.AdGroup{
		ID: ids.New("adg"), AdvertiserID: c.AdvertiserID, CampaignID: c.ID, Targeting: g.targeting(b),
		StartTime: g.now.Add(-time.Hour), Pacing: model.PacingAccelerated, Status: model.Enabled,
	}
	if g.chance(0.2) {
		ag.EndTime = g.now.Add(time.Duration(g.intn(90, 365)) * day).Truncate(day)
	}
	if g.chance(0.6) {
		ag.BudgetMode, ag.Budget = model.BudgetDaily, money.Micros(g.intn(50, 500))*100*money.PerUnit
	} else {
		ag.BudgetMode, ag.Budget = model.BudgetLifetime, money.Micros(g.intn(100, 1000))*1000*money.PerUnit
	}
	ag.BillingEvent = model.BillCPM
	switch c.Objective {
	case model.ObjectiveVideoViews:
		if g.chance(0.5) {
			ag.BillingEvent = model.BillCPV
		}
	case model.ObjectiveTraffic:
		if g.chance(0.4) {
			ag.BillingEvent = model.BillCPC
		}
	case model.ObjectiveConversions:
		if g.chance(0.3) {
			ag.BillingEvent = model.BillCPC
		}
	}
	const cent = money.PerUnit / 100
	switch ag.BillingEvent {
	case model.BillCPM:
		ag.Bid = money.Micros(g.intn(100, 2000)) * cent
	case model.BillCPC:
		ag.Bid = money.Micros(g.intn(10, 200)) * cent
	case model.BillCPV:
		ag.Bid = money.Micros(g.intn(1, 20)) * cent
	}
	if g.chance(0.15) {
		ag.FrequencyCap = model.FrequencyCap{Impressions: 3, Days: 1}
	}
	if g.chance(0.15) {
		ag.Pacing = model.PacingStandard
	}
	ag.Name = groupName(&ag)
	ag.CreatedAt = g.after(c.CreatedAt, time.Minute, 10*time.Minute)
	ag.UpdatedAt = ag.CreatedAt
	return ag
}

// targeting returns targeting as Ads Manager stores it: lists sorted,
// without duplicates, empty (not nil) when they do not narrow.
func (g *generator) targeting(b *brand) model.Targeting {
	t := model.Targeting{Countries: []string{}, Genders: []string{}, Languages: []string{}, OS: []string{},
		Interests: []string{}}
	if k := pickWeighted(g, countryCounts); k > 0 {
		// At least one big market, where most viewers are.
		set := map[string]bool{pick(g, bigMarkets): true}
		for len(set) < k {
			if g.chance(0.9) {
				set[pick(g, bigMarkets)] = true
			} else {
				set[pick(g, otherMarkets)] = true
			}
		}
		for c := range set {
			t.Countries = append(t.Countries, c)
		}
		slices.Sort(t.Countries)
	}
	if g.chance(0.6) {
		r := pick(g, ageRanges)
		t.AgeMin, t.AgeMax = r[0], r[1]
	}
	if g.chance(0.3) {
		t.Genders = []string{pickWeighted(g, genders)}
	}
	if k := pickWeighted(g, languageCounts); k > 0 {
		// Languages that the countries speak, if they name any.
		pool := languages
		if len(t.Countries) > 0 {
			pool = nil
			for _, c := range t.Countries {
				for _, l := range countryLanguages[c] {
					if !slices.Contains(pool, l) {
						pool = append(pool, l)
					}
				}
			}
		}
		t.Languages = pickSome(g, pool, min(k, len(pool)))
	}
	if g.chance(0.25) {
		t.OS = []string{pick(g, []string{"android", "ios"})}
	}
	if k := pickWeighted(g, interestCounts); k > 0 {
		// Mostly the brand's own niches.
		pool := b.category.niches
		if g.chance(0.3) || len(pool) < k {
			pool = interests
		}
		t.Interests = pickSome(g, pool, k)
	}
	return t
}

func groupName(ag *model.AdGroup) string {
	t := &ag.Targeting
	parts := []string{"All markets"}
	if len(t.Countries) > 0 {
		parts[0] = strings.Join(t.Countries, ", ")
	}
	switch {
	case t.AgeMin != 0 && t.AgeMax != 0:
		parts = append(parts, fmt.Sprintf("%d-%d", t.AgeMin, t.AgeMax))
	case t.AgeMin != 0:
		parts = append(parts, fmt.Sprintf("%d+", t.AgeMin))
	}
	parts = append(parts, t.Genders...)
	if len(t.Interests) > 0 {
		parts = append(parts, t.Interests[0])
	}
	parts = append(parts, string(ag.BillingEvent))
	return strings.Join(parts, " · ")
}

// creatorFor returns the creator whose post the advertiser runs: mostly one
// of its brand's niches, taking each niche's creators in turn.
func (g *generator) creatorFor(b *brand) int {
	if g.chance(0.75) {
		niche := pick(g, b.category.niches)
		if pool := g.byNiche[niche]; len(pool) > 0 {
			i := pool[g.cursor[niche]%len(pool)]
			g.cursor[niche]++
			return i
		}
	}
	i := g.next % len(g.niches)
	g.next++
	return i
}

// sparkPost makes a post of a creator, its authorization and code, and the
// library entry of advertiser adv that redeemed the code.
func (g *generator) sparkPost(adv int) (model.SparkPost, string) {
	b := &g.brands[adv]
	ci := g.creatorFor(b)
	creator := &g.w.Accounts[len(g.brands)+ci]
	niche := g.niches[ci]

	p := model.Post{
		ID: ids.New("post"), CreatorID: creator.ID, Caption: g.caption(niche),
		DurationMS: int64(g.intn(7_000, 60_000)), Visibility: model.Public, Original: true,
		CreatedAt: g.ago(3*day, 60*day),
	}
	p.UpdatedAt = p.CreatedAt
	p.VideoURL = fmt.Sprintf("https://v16.sparkclips.example/%s/%s/%016x.mp4", p.CreatedAt.Format("2006/01"),
		creator.Handle, g.rng.Uint64())
	switch g.rng.IntN(20) {
	case 0, 1, 2, 3, 4, 5, 6: // no music
	case 7, 8, 9, 10, 11, 12, 13, 14:
		p.Music = &model.Music{Title: pick(g, commercialTracks), Commercial: true}
	default:
		p.Music = &model.Music{Title: "original sound - " + creator.Handle, Own: true}
	}
	g.w.Posts = append(g.w.Posts, p)

	a := model.Authorization{
		ID: ids.New("auth"), PostID: p.ID, CreatorID: creator.ID, Days: pickWeighted(g, periods),
		TermsVersion: authorization.TermsVersion, CreatedAt: g.ago(2*time.Hour, 3*day),
	}
	a.TermsAcceptedAt = a.CreatedAt
	a.GeneratedAt = g.after(a.CreatedAt, 5*time.Second, 5*time.Minute)
	a.ExpiresAt, a.UpdatedAt = authorization.WindowEnd(a.GeneratedAt, a.Days), a.GeneratedAt
	// A short period ends too soon for a load test: the creator extended it.
	for a.ExpiresAt.Before(g.now.Add(MinAuthorizationLeft)) {
		a.UpdatedAt = g.after(a.UpdatedAt, time.Minute, max(time.Minute, g.now.Sub(a.UpdatedAt)/2))
		a.ExpiresAt = authorization.ExtendedEnd(a.UpdatedAt, a.ExpiresAt, 30)
	}
	g.w.Authorizations = append(g.w.Authorizations, a)

	code := model.AdCode{
		ID: ids.New("code"), AuthorizationID: a.ID, PostID: p.ID, Hash: authorization.NewSecret().Hash(),
		Redemptions: 1, CreatedAt: a.GeneratedAt,
	}
	switch g.rng.IntN(10) {
	case 0, 1: // made for this advertiser only
		code.AdvertiserID = g.w.Accounts[adv].ID
	case 2:
		code.MaxRedemptions = g.intn(1, 5)
	}
	g.w.AdCodes = append(g.w.AdCodes, code)

	added := g.after(a.GeneratedAt, time.Minute, time.Hour)
	sp := model.SparkPost{
		ID: ids.New("sp"), AdvertiserID: g.w.Accounts[adv].ID, PostID: p.ID, CreatorID: creator.ID,
		AuthorizationID: a.ID, CodeID: code.ID, AddedAt: added, UpdatedAt: added,
	}
	g.w.SparkPosts = append(g.w.SparkPosts, sp)
	return sp, creator.Handle
}

func (g *generator) caption(niche string) string {
	var sb strings.Builder
	sb.WriteString(pick(g, captionOpeners))
	sb.WriteString(pick(g, nicheSubjects[niche]))
	if g.chance(0.6) {
		sb.WriteString(" ")
		sb.WriteString(pick(g, emojis))
	}
	sb.WriteString(" #")
	sb.WriteString(strings.ReplaceAll(niche, "-", ""))
	for _, tag := range pickSome(g, hashtags, g.intn(0, 2)) {
		sb.WriteString(" #")
		sb.WriteString(tag)
	}
	return sb.String()
}

func (g *generator) ad(ag *model.AdGroup, c *model.Campaign, b *brand, sp model.SparkPost, handle string) {
	created := sp.AddedAt
	if ag.CreatedAt.After(created) {
		created = ag.CreatedAt
	}
	created = g.after(created, time.Minute, 30*time.Minute)
	g.w.Ads = append(g.w.Ads, model.Ad{
		ID: ids.New("ad"), AdvertiserID: ag.AdvertiserID, CampaignID: c.ID, AdGroupID: ag.ID,
		Name: "Spark ad · @" + handle, SparkPostID: sp.ID, PostID: sp.PostID, CTALabel: pick(g, b.category.ctas),
		CTAURL: fmt.Sprintf("https://%s/%s?utm_source=flint&utm_medium=spark_ads&utm_campaign=%s", b.domain,
			pick(g, b.category.paths), slug(c.Name)),
		Status: model.Enabled, CreatedAt: created, UpdatedAt: created,
	})
}

// slug turns a name into lower-case words joined by hyphens.
func slug(s string) string {
	var sb strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			if dash && sb.Len() > 0 {
				sb.WriteByte('-')
			}
			sb.WriteRune(r)
			dash = false
		} else {
			dash = true
		}
	}
	return sb.String()
}
