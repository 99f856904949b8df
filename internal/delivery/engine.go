// Package delivery is the hot path: it picks Spark ads for a viewer from an
// in-memory index of serving ads, and accounts for the budgets they spend.
//
// The index is built from the store at start and kept current on every
// change (the Engine is a change.Notifier), so the decision path never
// touches the database. Each decision filters by targeting, schedule,
// authorization validity, post eligibility, frequency cap, pacing and
// budget; ranks by expected value per impression; prices each winner by a
// second-price rule with a floor; and reserves that price on the budgets
// before the ad is returned (ledger.go). Billing events later turn
// reservations into spend through Charge.
package delivery

import (
	"context"

	"log/slog"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/post"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/tracking"
)

// Config tunes the engine.
type Config struct {
	// FloorCPM is the lowest value per mille an ad may clear at.
	FloorCPM money.Micros
	// ReservationTTL is how long a decision's reservation waits for its
	// billing event.
	ReservationTTL time.Duration
	// RerankInterval is how often the index is re-sorted by current
	// expected values.
	RerankInterval time.Duration
}

// DefaultFloorCPM is the default floor: 0.10 per thousand impressions.
const DefaultFloorCPM = 100_000

// Engine is the delivery index, the auction and the budget ledger.
type Engine struct {
	store  store.Store
	clock  clock.Clock
	log    *slog.Logger
	signer *tracking.Signer
	cfg    Config
	ledger ledger
	freq   *frequency

	snap       atomic.Pointer[snapshot]
	ratesMoved atomic.Bool

	mu      sync.RWMutex // serialises changes to everything below
	ads     map[string]*entry
	auths   map[string]*authState // by authorization ID
	posts   map[string]*postState
	budgets map[string]*budget // by ad group or campaign ID
	owners  map[string]string  // budget ID → advertiser ID
	rates   map[string]*rates
	terms   map[string]uint32
}

// snapshot is an immutable view of the serving ads, bucketed by target
// country ("" holds ads for any country), each bucket sorted by rank.
type snapshot struct {
	buckets map[string][]ranked
	terms   map[string]uint32
}

// ranked is a bucket's reference to an entry, carrying the cheapest and
// most selective targeting tests inline so that most entries a decision
// passes over are rejected without touching the entry's own memory.
type ranked struct {
	e       *entry
	rank    float64
	ageMin  uint8
	ageMax  uint8
	genders uint8
	oses    uint8
}

func rankedOf(en *entry) ranked {
	return ranked{e: en, rank: en.ecpm(), ageMin: uint8(en.ageMin), ageMax: uint8(en.ageMax), genders: en.genders,
		oses: en.oses}
}

// prefilter is the inline part of the targeting test (entry.matches does
// all of it).
func (r *ranked) prefilter(v *viewer) bool {
	if r.ageMin > 0 && (v.age == 0 || v.age < int(r.ageMin)) {
		return false
	}
	if r.ageMax > 0 && (v.age == 0 || v.age > int(r.ageMax)) {
		return false
	}
	return (r.genders == 0 || r.genders&v.gender != 0) && (r.oses == 0 || r.oses&v.os != 0)
}

// New returns an empty engine; call Load before serving.
func New(st store.Store, c clock.Clock, log *slog.Logger, signer *tracking.Signer, cfg Config) *Engine {
	if cfg.FloorCPM <= 0 {
		cfg.FloorCPM = DefaultFloorCPM
	}
	if cfg.ReservationTTL <= 0 {
		cfg.ReservationTTL = time.Minute
	}
	if cfg.RerankInterval <= 0 {
		cfg.RerankInterval = 5 * time.Second
	}
	e := &Engine{store: st, clock: c, log: log, signer: signer, cfg: cfg, ledger: newLedger(cfg.ReservationTTL),
		freq: newFrequency()}
	e.reset()
	return e
}

func (e *Engine) reset() {
	e.ads = map[string]*entry{}
	e.auths = map[string]*authState{}
	e.posts = map[string]*postState{}
	e.budgets = map[string]*budget{}
	e.owners = map[string]string{}
	e.rates = map[string]*rates{}
	e.terms = map[string]uint32{}
	e.snap.Store(&snapshot{buckets: map[string][]ranked{}, terms: map[string]uint32{}})
}

// Load builds the index from the store: every ad with what it depends on,
// each budget's spend so far and each ad's observed rates.
func (e *Engine) Load(ctx context.Context) error {
	start := time.Now()
	src := newSource(ctx, e.store)
	if err := src.preload(); err != nil {
		return err
	}
	ads, err := e.store.ListAds(ctx, "", "")
	if err != nil {
		return err
	}
	ids := make([]string, len(ads))
	for i, a := range ads {
		ids[i] = a.ID
	}
	stats, err := e.store.AdStats(ctx, ids)
	if err != nil {
		return err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.reset()
	for id, s := range stats {
		r := e.ratesFor(id)
		r.impressions.Store(s.Impressions)
		r.clicks.Store(s.Clicks)
		r.views6s.Store(s.Views6s)
	}
	for _, a := range src.auths {
		e.authFor(a)
	}
	for _, ad := range ads {
		en, err := e.build(src, ad)
		if err != nil {
			return err
		}
		e.ads[ad.ID] = en
	}
	if err := e.loadSpend(ctx, ads, nil); err != nil {
		return err
	}
	e.rebuild()
	e.log.Info("delivery index loaded", "ads", len(ads), "serving", e.servingCount(), "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func (e *Engine) servingCount() int {
	n := 0
	for _, en := range e.ads {
		if en.enabled {
			n++
		}
	}
	return n
}

// Run re-ranks the index as observed rates move and forgets idle viewers,
// until ctx is done.
func (e *Engine) Run(ctx context.Context) {
	rerank := time.NewTicker(e.cfg.RerankInterval)
	defer rerank.Stop()
	sweep := time.NewTicker(10 * time.Minute)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-rerank.C:
			if e.ratesMoved.Swap(false) {
				e.mu.Lock()
				e.rebuild()
				e.mu.Unlock()
			}
		case <-sweep.C:
			e.freq.sweep(e.clock.Now().Add(-31 * 24 * time.Hour).UnixMicro())
		}
	}
}

// ratesFor returns the ad's rate counters, creating them. e.mu must be held.
func (e *Engine) ratesFor(adID string) *rates {
	r := e.rates[adID]
	if r == nil {
		r = &rates{}
		e.rates[adID] = r
	}
	return r
}

// authFor returns the state of an authorization episode, brought up to
// date with a. e.mu must be held.
func (e *Engine) authFor(a model.Authorization) *authState {
	s := e.auths[a.ID]
	if s == nil {
		s = &authState{postID: a.PostID}
		e.auths[a.ID] = s
	}
	s.set(a)
	return s
}

// postFor returns the state of a post, brought up to date. e.mu must be held.
func (e *Engine) postFor(p model.Post, creatorType model.CreatorType) *postState {
	s := e.posts[p.ID]
	if s == nil {
		s = &postState{creatorID: p.CreatorID}
		e.posts[p.ID] = s
	}
	s.eligible.Store(post.Ineligibility(creatorType, &p) == "")
	return s
}

// budgetFor returns the budget with the given ID, created or updated to the
// given mode and limit; nil when mode is NONE. e.mu must be held. created
// reports a budget that did not exist (its spend must be loaded).
func (e *Engine) budgetFor(id, advertiserID string, mode model.BudgetMode, limit money.Micros, loc *time.Location,
	schedule [2]int64) (b *budget, created bool) {
	if mode == model.BudgetNone {
		delete(e.budgets, id)
		return nil, false
	}
	b = e.budgets[id]
	if b == nil || b.mode != mode {
		b = newBudget(mode, limit, loc)
		b.schedule = schedule
		b.mu.Lock()
		b.roll(e.ledger, e.clock.Now())
		b.mu.Unlock()
		e.budgets[id] = b
		e.owners[id] = advertiserID
		return b, true
	}
	b.mu.Lock()
	b.limit, b.loc, b.schedule = limit, loc, schedule
	b.dayEnd.Store(0) // re-derive the day in case the zone changed
	b.roll(e.ledger, e.clock.Now())
	b.mu.Unlock()
	return b, false
}

// intern returns the ID of a language or interest term. e.mu must be held.
func (e *Engine) intern(term string) uint32 {
	id, ok := e.terms[term]
	if !ok {
		id = uint32(len(e.terms) + 1)
		e.terms[term] = id
	}
	return id
}

// build compiles an ad into an entry. e.mu must be held.
func (e *Engine) build(src *source, ad model.Ad) (*entry, error) {
	g, err := src.group(ad.AdGroupID)
	if err != nil {
		return nil, err
	}
	c, err := src.campaign(ad.CampaignID)
	if err != nil {
		return nil, err
	}
	sp, err := src.sparkPost(ad.SparkPostID)
	if err != nil {
		return nil, err
	}
	p, err := src.post(sp.PostID)
	if err != nil {
		return nil, err
	}
	creator, err := src.account(p.CreatorID)
	if err != nil {
		return nil, err
	}
	adv, err := src.account(ad.AdvertiserID)
	if err != nil {
		return nil, err
	}
	au, ok := e.auths[sp.AuthorizationID]
	if !ok {
		a, err := src.authorization(sp.AuthorizationID)
		if err != nil {
			return nil, err
		}
		au = e.authFor(a)
	}
	loc, err := account.LoadLocation(adv.Timezone)
	if err != nil {
		loc = time.UTC
	}
	en := &entry{
		adID: ad.ID, postID: p.ID, advertiserID: ad.AdvertiserID, adGroupID: g.ID, campaignID: c.ID,
		creatorID: creator.ID, creatorHandle: creator.Handle, creatorName: creator.DisplayName,
		caption: p.Caption, videoURL: p.VideoURL, ctaLabel: ad.CTALabel,
		billing: g.BillingEvent, bid: g.Bid, maxPrice: maxUnitPrice(g.BillingEvent, g.Bid),
		countries: g.Targeting.Countries, ageMin: g.Targeting.AgeMin, ageMax: g.Targeting.AgeMax,
		genders: bitsOf(g.Targeting.Genders, genderBits), oses: bitsOf(g.Targeting.OS, osBits),
		start: g.StartTime.UnixMicro(), freq: g.FrequencyCap, paced: g.Pacing == model.PacingStandard,
		enabled: ad.Status == model.Enabled && g.Status == model.Enabled && c.Status == model.Enabled,
		auth:    au, post: e.postFor(p, creator.CreatorType), rates: e.ratesFor(ad.ID),
	}
	if !g.EndTime.IsZero() {
		en.end = g.EndTime.UnixMicro()
	}
	en.ctaURL, en.ctaSep, en.ctaFragment = splitURL(ad.CTAURL)
	pack(&en.adID, &en.postID, &en.advertiserID, &en.adGroupID, &en.campaignID, &en.creatorID, &en.creatorHandle,
		&en.creatorName, &en.caption, &en.videoURL, &en.ctaLabel, &en.ctaURL, &en.ctaSep, &en.ctaFragment)
	for _, l := range g.Targeting.Languages {
		en.langs = append(en.langs, e.intern("lang:"+l))
	}
	for _, i := range g.Targeting.Interests {
		en.interests = append(en.interests, e.intern("interest:"+i))
	}
	en.group, _ = e.budgetFor(g.ID, ad.AdvertiserID, g.BudgetMode, g.Budget, loc, [2]int64{en.start, en.end})
	en.camp, _ = e.budgetFor(c.ID, ad.AdvertiserID, c.BudgetMode, c.Budget, loc, [2]int64{})
	return en, nil
}

// loadSpend sets the spend of budgets from the store: all of it for
// lifetime budgets, today's (in the advertiser's zone) for daily ones. Only
// the budgets in only (all when nil) are set. e.mu must be held.
func (e *Engine) loadSpend(ctx context.Context, ads []model.Ad, only map[string]bool) error {
	lifetime, err := e.store.AdSpend(ctx, time.Time{})
	if err != nil {
		return err
	}
	byAd := map[string]model.Ad{}
	for _, a := range ads {
		byAd[a.ID] = a
	}
	now := e.clock.Now()
	// Daily budgets count from local midnight; fetch spend once per distinct
	// midnight, floored to the hour the rollups are kept in (counting a
	// little early errs towards not overspending).
	daily := map[int64][]model.AdSpend{}
	for id, b := range e.budgets {
		if (only != nil && !only[id]) || b.mode != model.BudgetDaily {
			continue
		}
		y, m, d := now.In(b.loc).Date()
		midnight := time.Date(y, m, d, 0, 0, 0, 0, b.loc).Truncate(time.Hour)
		if _, ok := daily[midnight.Unix()]; !ok {
			if daily[midnight.Unix()], err = e.store.AdSpend(ctx, midnight); err != nil {
				return err
			}
		}
	}
	set := func(id string, s money.Micros, mode model.BudgetMode, midnight int64) {
		b := e.budgets[id]
		if b == nil || b.mode != mode || (only != nil && !only[id]) {
			return
		}
		if mode == model.BudgetDaily {
			y, m, d := now.In(b.loc).Date()
			if time.Date(y, m, d, 0, 0, 0, 0, b.loc).Truncate(time.Hour).Unix() != midnight {
				return
			}
		}
		b.mu.Lock()
		b.spent += s
		b.publish()
		b.mu.Unlock()
	}
	for id := range e.budgets {
		if only == nil || only[id] {
			b := e.budgets[id]
			b.mu.Lock()
			b.spent = 0
			b.publish()
			b.mu.Unlock()
		}
	}
	for _, s := range lifetime {
		if a, ok := byAd[s.AdID]; ok {
			set(a.AdGroupID, s.Spend, model.BudgetLifetime, 0)
			set(a.CampaignID, s.Spend, model.BudgetLifetime, 0)
		}
	}
	for midnight, spends := range daily {
		for _, s := range spends {
			if a, ok := byAd[s.AdID]; ok {
				set(a.AdGroupID, s.Spend, model.BudgetDaily, midnight)
				set(a.CampaignID, s.Spend, model.BudgetDaily, midnight)
			}
		}
	}
	return nil
}

// bucketKeys are the buckets an entry belongs in.
func bucketKeys(en *entry) []string {
	if len(en.countries) == 0 {
		return []string{""}
	}
	return en.countries
}

// rebuild publishes a fresh snapshot of every enabled entry, ranked by its
// current expected value. e.mu must be held.
func (e *Engine) rebuild() {
	buckets := map[string][]ranked{}
	for _, en := range e.ads {
		if !en.enabled {
			continue
		}
		r := rankedOf(en)
		for _, k := range bucketKeys(en) {
			buckets[k] = append(buckets[k], r)
		}
	}
	for _, b := range buckets {
		sortRanked(b)
	}
	e.snap.Store(&snapshot{buckets: buckets, terms: maps(e.terms)})
}

func sortRanked(b []ranked) {
	sort.Slice(b, func(i, j int) bool {
		if b[i].rank != b[j].rank {
			return b[i].rank > b[j].rank
		}
		return b[i].e.adID < b[j].e.adID
	})
}

func maps(m map[string]uint32) map[string]uint32 {
	out := make(map[string]uint32, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// replace swaps entries in the catalog and publishes a snapshot in which
// only the affected buckets were rebuilt. Old entries are marked dead first,
// so no decision serves them once replace returns. e.mu must be held.
func (e *Engine) replace(fresh []*entry) {
	old := e.snap.Load()
	removed := map[*entry]bool{}
	touched := map[string]bool{}
	for _, en := range fresh {
		if prev := e.ads[en.adID]; prev != nil {
			prev.dead.Store(true)
			removed[prev] = true
			if prev.enabled {
				for _, k := range bucketKeys(prev) {
					touched[k] = true
				}
			}
		}
		e.ads[en.adID] = en
		if en.enabled {
			for _, k := range bucketKeys(en) {
				touched[k] = true
			}
		}
	}
	buckets := make(map[string][]ranked, len(old.buckets)+len(touched))
	for k, b := range old.buckets {
		if !touched[k] {
			buckets[k] = b
		}
	}
	for k := range touched {
		b := make([]ranked, 0, len(old.buckets[k])+len(fresh))
		for _, r := range old.buckets[k] {
			if !removed[r.e] {
				b = append(b, r)
			}
		}
		for _, en := range fresh {
			if en.enabled && slices.Contains(bucketKeys(en), k) {
				b = append(b, rankedOf(en))
			}
		}
		sortRanked(b)
		if len(b) > 0 {
			buckets[k] = b
		}
	}
	e.snap.Store(&snapshot{buckets: buckets, terms: maps(e.terms)})
}

// AdInfo is what event ingestion needs to know about an ad.
type AdInfo struct {
	AdID, PostID, AdGroupID, CampaignID, AdvertiserID string
	Billing                                           model.BillingEvent
}

// Ad returns what the engine knows of any ad, serving or not.
func (e *Engine) Ad(adID string) (AdInfo, bool) {
	e.mu.RLock()
	en := e.ads[adID]
	e.mu.RUnlock()
	if en == nil {
		return AdInfo{}, false
	}
	return AdInfo{AdID: en.adID, PostID: en.postID, AdGroupID: en.adGroupID, CampaignID: en.campaignID,
		AdvertiserID: en.advertiserID, Billing: en.billing}, true
}

// Charge is a billing event's charge, which Undo takes back if the event
// turns out not to be stored.
type Charge struct {
	Amount money.Micros
	ticket chargeTicket
}

// ChargeBilling charges the billing event of a delivery of adID made at
// issuedAt at price: from the decision's reservation, or, if that is gone,
// only if the budgets still have room (else Amount is zero).
func (e *Engine) ChargeBilling(adID string, issuedAt time.Time, price money.Micros) Charge {
	e.mu.RLock()
	en := e.ads[adID]
	var g, c *budget
	if en != nil {
		g, c = e.budgets[en.adGroupID], e.budgets[en.campaignID]
	}
	e.mu.RUnlock()
	t := e.ledger.charge(g, c, issuedAt, price, e.clock.Now())
	return Charge{Amount: t.charged, ticket: t}
}

// Undo takes a charge back.
func (e *Engine) Undo(c Charge) { e.ledger.undo(c.ticket) }

// Observe counts a stored ad event into the ad's observed rates.
func (e *Engine) Observe(adID string, t model.EventType) {
	e.mu.RLock()
	r := e.rates[adID]
	e.mu.RUnlock()
	if r == nil {
		return
	}
	switch t {
	case model.EventImpression:
		r.impressions.Add(1)
	case model.EventClick:
		r.clicks.Add(1)
	case model.EventView6s:
		r.views6s.Add(1)
	default:
		return
	}
	e.ratesMoved.Store(true)
}

// Exhausted implements campaign.Budgets: whether the ad group's or its
// campaign's budget lacks room for one more billing event at the bid.
func (e *Engine) Exhausted(g model.AdGroup, c model.Campaign) bool {
	e.mu.RLock()
	gb, cb := e.budgets[g.ID], e.budgets[c.ID]
	e.mu.RUnlock()
	maxPrice := maxUnitPrice(g.BillingEvent, g.Bid)
	now := e.clock.Now()
	return e.ledger.exhausted(gb, maxPrice, now) || e.ledger.exhausted(cb, maxPrice, now)
}
