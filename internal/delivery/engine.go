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
// reservations into spend through ChargeBilling.
package delivery

import (
	"context"
	"log/slog"
	"maps"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/post"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/tracking"
	"github.com/flintads/flint/internal/tz"
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
	entries slab[entry]
	texts   slab[string]
	lists   slab[uint32]
	auths   slab[authState]
	posts   slab[postState]
	rates   slab[rates]
	budgets slab[budget]
	ads     map[uint64]int32 // ad key → its current entry
	authIdx map[uint64]int32 // authorization key → state
	postIdx map[uint64]int32
	rateIdx map[uint64]int32 // ad key → rates
	budIdx  map[uint64]int32 // ad group or campaign key → budget
	terms   map[string]uint32
	dead    int // dead entries still in the slabs
}

// snapshot is an immutable view of the serving ads, bucketed by target
// country (an interned term; 0 holds ads for any country), each bucket
// sorted by rank, with views of the slabs the buckets index into.
type snapshot struct {
	buckets map[uint32][]ranked
	terms   map[string]uint32
	entries slabView[entry]
	texts   slabView[string]
	lists   slabView[uint32]
	auths   slabView[authState]
	posts   slabView[postState]
	rates   slabView[rates]
	budgets slabView[budget]
}

// ranked is a bucket's reference to an entry, carrying the cheapest and
// most selective targeting tests inline so that most entries a decision
// passes over are rejected without touching the entry's own memory.
type ranked struct {
	idx     int32
	ageMin  uint8
	ageMax  uint8
	genders uint8
	oses    uint8
	rank    float64
}

// prefilter is the inline part of the targeting test (matches does all of
// it).
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
	e.publish(map[uint32][]ranked{})
	return e
}

func (e *Engine) reset() {
	e.entries, e.texts, e.lists = slab[entry]{}, slab[string]{}, slab[uint32]{}
	e.auths, e.posts, e.rates, e.budgets = slab[authState]{}, slab[postState]{}, slab[rates]{}, slab[budget]{}
	e.ads, e.authIdx, e.postIdx = map[uint64]int32{}, map[uint64]int32{}, map[uint64]int32{}
	e.rateIdx, e.budIdx, e.terms = map[uint64]int32{}, map[uint64]int32{}, map[string]uint32{}
	e.dead = 0
}

// publish makes buckets, with the slabs as they are, the snapshot that
// decisions read. e.mu must be held.
func (e *Engine) publish(buckets map[uint32][]ranked) {
	e.snap.Store(&snapshot{buckets: buckets, terms: maps.Clone(e.terms), entries: e.entries.view(), texts: e.texts.view(),
		lists: e.lists.view(), auths: e.auths.view(), posts: e.posts.view(), rates: e.rates.view(),
		budgets: e.budgets.view()})
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
		r := e.rates.at(e.ratesFor(id))
		r.impressions.Store(s.Impressions)
		r.clicks.Store(s.Clicks)
		r.views6s.Store(s.Views6s)
	}
	for _, a := range src.auths {
		e.authFor(a)
	}
	for _, ad := range ads {
		i, err := e.build(src, ad)
		if err != nil {
			return err
		}
		e.ads[key(ad.ID)] = i
	}
	if err := e.loadSpend(ctx, ads, stats, nil); err != nil {
		return err
	}
	e.rebuild()
	serving := 0
	for _, i := range e.ads {
		if e.entries.at(i).enabled {
			serving++
		}
	}
	e.log.Info("delivery index loaded", "ads", len(ads), "serving", serving, "took", time.Since(start).Round(time.Millisecond))
	return nil
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

// ratesFor returns the index of an ad's rate counters, creating them. e.mu
// must be held.
func (e *Engine) ratesFor(adID string) int32 {
	k := key(adID)
	i, ok := e.rateIdx[k]
	if !ok {
		i = e.rates.add()
		e.rateIdx[k] = i
	}
	return i
}

// authFor returns the index of an authorization episode's state, brought up
// to date with a. e.mu must be held.
func (e *Engine) authFor(a model.Authorization) int32 {
	k := key(a.ID)
	i, ok := e.authIdx[k]
	if !ok {
		i = e.auths.add()
		e.auths.at(i).postKey = key(a.PostID)
		e.authIdx[k] = i
	}
	e.auths.at(i).set(a)
	return i
}

// postFor returns the index of a post's state, brought up to date. e.mu
// must be held.
func (e *Engine) postFor(p model.Post, creatorType model.CreatorType) int32 {
	k := key(p.ID)
	i, ok := e.postIdx[k]
	if !ok {
		i = e.posts.add()
		e.posts.at(i).creatorKey = key(p.CreatorID)
		e.postIdx[k] = i
	}
	e.posts.at(i).eligible.Store(post.Ineligibility(creatorType, &p) == "")
	return i
}

// budgetFor returns the index of the budget with the given ID, created or
// updated to the given mode and limit; -1 when mode is NONE. A budget whose
// mode changes starts afresh (its spend must be loaded). e.mu must be held.
func (e *Engine) budgetFor(id, advertiserID string, mode model.BudgetMode, limit money.Micros, loc *time.Location) int32 {
	k := key(id)
	if mode == model.BudgetNone {
		delete(e.budIdx, k)
		return -1
	}
	now := e.clock.Now()
	if i, ok := e.budIdx[k]; ok && e.budgets.at(i).mode == mode {
		b := e.budgets.at(i)
		b.mu.Lock()
		b.limit, b.loc = limit, loc
		b.dayEnd.Store(0) // re-derive the day in case the zone changed
		b.roll(e.ledger, now)
		b.mu.Unlock()
		return i
	}
	i := e.budgets.add()
	b := e.budgets.at(i)
	b.init(mode, limit, loc)
	b.advertiserKey = key(advertiserID)
	b.mu.Lock()
	b.roll(e.ledger, now)
	b.mu.Unlock()
	e.budIdx[k] = i
	return i
}

// budget returns the budget filed under id, or nil. e.mu must be held (or
// read-held).
func (e *Engine) budget(id string) *budget {
	if i, ok := e.budIdx[key(id)]; ok {
		return e.budgets.at(i)
	}
	return nil
}

// intern returns the ID of a targeting term. e.mu must be held.
func (e *Engine) intern(term string) uint32 {
	id, ok := e.terms[term]
	if !ok {
		id = uint32(len(e.terms) + 1)
		e.terms[term] = id
	}
	return id
}

func (e *Engine) internAll(prefix string, values []string) span {
	if len(values) == 0 {
		return span{}
	}
	ids := make([]uint32, len(values))
	for i, v := range values {
		ids[i] = e.intern(prefix + v)
	}
	return addList(&e.lists, ids)
}

// build compiles an ad into a new entry and returns its index. e.mu must be
// held.
func (e *Engine) build(src *source, ad model.Ad) (int32, error) {
	g, err := src.group(ad.AdGroupID)
	if err != nil {
		return 0, err
	}
	c, err := src.campaign(ad.CampaignID)
	if err != nil {
		return 0, err
	}
	sp, err := src.sparkPost(ad.SparkPostID)
	if err != nil {
		return 0, err
	}
	p, err := src.post(sp.PostID)
	if err != nil {
		return 0, err
	}
	creator, err := src.account(p.CreatorID)
	if err != nil {
		return 0, err
	}
	adv, err := src.account(ad.AdvertiserID)
	if err != nil {
		return 0, err
	}
	au, ok := e.authIdx[key(sp.AuthorizationID)]
	if !ok {
		a, err := src.authorization(sp.AuthorizationID)
		if err != nil {
			return 0, err
		}
		au = e.authFor(a)
	}
	loc, err := tz.Load(adv.Timezone)
	if err != nil {
		loc = time.UTC
	}
	i := e.entries.add()
	en := e.entries.at(i)
	*en = entry{
		adKey: key(ad.ID), advertiserKey: key(ad.AdvertiserID), adGroupKey: key(g.ID), campaignKey: key(c.ID),
		postKey: key(p.ID), creatorKey: key(creator.ID),
		billing: billingOf(g.BillingEvent), bid: g.Bid, maxPrice: maxUnitPrice(g.BillingEvent, g.Bid),
		countries: e.internAll("country:", g.Targeting.Countries), langs: e.internAll("lang:", g.Targeting.Languages),
		interests: e.internAll("interest:", g.Targeting.Interests),
		ageMin:    uint8(g.Targeting.AgeMin), ageMax: uint8(g.Targeting.AgeMax),
		genders: bitsOf(g.Targeting.Genders, genderBits), oses: bitsOf(g.Targeting.OS, osBits),
		start: g.StartTime.UnixMicro(), freqImps: int32(g.FrequencyCap.Impressions), freqDays: int32(g.FrequencyCap.Days),
		paced:   g.Pacing == model.PacingStandard,
		enabled: ad.Status == model.Enabled && g.Status == model.Enabled && c.Status == model.Enabled,
		auth:    au, post: e.postFor(p, creator.CreatorType), rates: e.ratesFor(ad.ID),
	}
	if !g.EndTime.IsZero() {
		en.end = g.EndTime.UnixMicro()
	}
	base, sep, fragment := splitURL(ad.CTAURL)
	var text string
	text, en.ends = packText([textFields]string{tAdID: ad.ID, tPostID: p.ID, tAdvertiserID: ad.AdvertiserID,
		tAdGroupID: g.ID, tCampaignID: c.ID, tCreatorID: creator.ID, tHandle: creator.Handle, tName: creator.DisplayName,
		tCaption: p.Caption, tVideoURL: p.VideoURL, tCTALabel: ad.CTALabel, tCTAURL: base, tCTASep: sep,
		tCTAFragment: fragment})
	en.text = e.texts.add()
	*e.texts.at(en.text) = text
	en.group = e.budgetFor(g.ID, ad.AdvertiserID, g.BudgetMode, g.Budget, loc)
	en.camp = e.budgetFor(c.ID, ad.AdvertiserID, c.BudgetMode, c.Budget, loc)
	return i, nil
}

// loadSpend sets the spend of budgets from the store: all of it for
// lifetime budgets (from stats, the ads' all-time counters), today's (in the
// advertiser's zone) for daily ones. Only the budgets whose keys are in only
// (all when nil) are set. e.mu must be held.
func (e *Engine) loadSpend(ctx context.Context, ads []model.Ad, stats map[string]model.AdStats, only map[uint64]bool) error {
	var err error
	byAd := make(map[string]model.Ad, len(ads))
	for _, a := range ads {
		byAd[a.ID] = a
	}
	now := e.clock.Now()
	midnightOf := func(b *budget) int64 {
		y, m, d := now.In(b.loc).Date()
		return time.Date(y, m, d, 0, 0, 0, 0, b.loc).Truncate(time.Hour).Unix()
	}
	// Daily budgets count from local midnight; fetch spend once per distinct
	// midnight, floored to the hour the rollups are kept in (counting a
	// little early errs towards not overspending).
	daily := map[int64][]model.AdSpend{}
	for k, i := range e.budIdx {
		b := e.budgets.at(i)
		if (only != nil && !only[k]) || b.mode != model.BudgetDaily {
			continue
		}
		if m := midnightOf(b); daily[m] == nil {
			if daily[m], err = e.store.AdSpend(ctx, time.Unix(m, 0)); err != nil {
				return err
			}
		}
	}
	for k, i := range e.budIdx {
		if only == nil || only[k] {
			b := e.budgets.at(i)
			b.mu.Lock()
			b.spent = 0
			b.publish()
			b.mu.Unlock()
		}
	}
	add := func(id string, s money.Micros, mode model.BudgetMode, midnight int64) {
		k := key(id)
		i, ok := e.budIdx[k]
		if !ok || (only != nil && !only[k]) {
			return
		}
		b := e.budgets.at(i)
		if b.mode != mode || (mode == model.BudgetDaily && midnightOf(b) != midnight) {
			return
		}
		b.mu.Lock()
		b.spent += s
		b.publish()
		b.mu.Unlock()
	}
	for id, s := range stats {
		if a, ok := byAd[id]; ok && s.Spend > 0 {
			add(a.AdGroupID, s.Spend, model.BudgetLifetime, 0)
			add(a.CampaignID, s.Spend, model.BudgetLifetime, 0)
		}
	}
	for midnight, spends := range daily {
		for _, s := range spends {
			if a, ok := byAd[s.AdID]; ok {
				add(a.AdGroupID, s.Spend, model.BudgetDaily, midnight)
				add(a.CampaignID, s.Spend, model.BudgetDaily, midnight)
			}
		}
	}
	return nil
}

// bucketKeys are the buckets an entry belongs in.
func (e *Engine) bucketKeys(en *entry) []uint32 {
	if en.countries.n == 0 {
		return []uint32{0}
	}
	return e.lists.view().values(en.countries)
}

func (e *Engine) rankedOf(i int32) ranked {
	en := e.entries.at(i)
	return ranked{idx: i, rank: ecpm(en, e.rates.at(en.rates)), ageMin: en.ageMin, ageMax: en.ageMax,
		genders: en.genders, oses: en.oses}
}

// rebuild publishes a fresh snapshot of every enabled entry, ranked by its
// current expected value, first compacting the slabs if dead entries have
// piled up. e.mu must be held.
func (e *Engine) rebuild() {
	if e.dead > 1024 && e.dead > len(e.ads)/4 {
		e.compact()
	}
	buckets := map[uint32][]ranked{}
	for _, i := range e.ads {
		en := e.entries.at(i)
		if !en.enabled {
			continue
		}
		r := e.rankedOf(i)
		for _, k := range e.bucketKeys(en) {
			buckets[k] = append(buckets[k], r)
		}
	}
	for _, b := range buckets {
		sortRanked(b)
	}
	e.publish(buckets)
}

// compact copies the live entries, their strings and lists into new slabs,
// leaving the dead ones to the garbage collector once no decision reads the
// old snapshot. e.mu must be held.
func (e *Engine) compact() {
	var entries slab[entry]
	var texts slab[string]
	var lists slab[uint32]
	oldLists := e.lists.view()
	for k, i := range e.ads {
		old := e.entries.at(i)
		j := entries.add()
		en := entries.at(j)
		*en = entry{adKey: old.adKey, advertiserKey: old.advertiserKey, adGroupKey: old.adGroupKey,
			campaignKey: old.campaignKey, postKey: old.postKey, creatorKey: old.creatorKey, ends: old.ends,
			start: old.start, end: old.end, billing: old.billing, bid: old.bid, maxPrice: old.maxPrice,
			ageMin: old.ageMin, ageMax: old.ageMax, genders: old.genders, oses: old.oses, freqImps: old.freqImps,
			freqDays: old.freqDays, paced: old.paced, enabled: old.enabled, group: old.group, camp: old.camp,
			auth: old.auth, post: old.post, rates: old.rates}
		en.text = texts.add()
		*texts.at(en.text) = *e.texts.at(old.text)
		en.countries = addList(&lists, oldLists.values(old.countries))
		en.langs = addList(&lists, oldLists.values(old.langs))
		en.interests = addList(&lists, oldLists.values(old.interests))
		e.ads[k] = j
	}
	e.entries, e.texts, e.lists, e.dead = entries, texts, lists, 0
}

func sortRanked(b []ranked) {
	sort.Slice(b, func(i, j int) bool { return b[i].rank > b[j].rank || (b[i].rank == b[j].rank && b[i].idx < b[j].idx) })
}

// replace makes fresh entries current and publishes a snapshot in which
// only the affected buckets were rebuilt. The entries they replace are
// marked dead first, so no decision serves them once replace returns. e.mu
// must be held.
func (e *Engine) replace(fresh []int32) {
	old := e.snap.Load()
	removed := map[int32]bool{}
	touched := map[uint32]bool{}
	for _, i := range fresh {
		en := e.entries.at(i)
		if prev, ok := e.ads[en.adKey]; ok {
			p := e.entries.at(prev)
			p.dead.Store(true)
			e.dead++
			removed[prev] = true
			if p.enabled {
				for _, k := range e.bucketKeys(p) {
					touched[k] = true
				}
			}
		}
		e.ads[en.adKey] = i
		if en.enabled {
			for _, k := range e.bucketKeys(en) {
				touched[k] = true
			}
		}
	}
	buckets := make(map[uint32][]ranked, len(old.buckets)+len(touched))
	for k, b := range old.buckets {
		if !touched[k] {
			buckets[k] = b
		}
	}
	for k := range touched {
		b := make([]ranked, 0, len(old.buckets[k])+len(fresh))
		for _, r := range old.buckets[k] {
			if !removed[r.idx] {
				b = append(b, r)
			}
		}
		for _, i := range fresh {
			if en := e.entries.at(i); en.enabled && slices.Contains(e.bucketKeys(en), k) {
				b = append(b, e.rankedOf(i))
			}
		}
		sortRanked(b)
		if len(b) > 0 {
			buckets[k] = b
		}
	}
	e.publish(buckets)
}

// current returns the entry now filed for adID and its packed text, or nil.
// e.mu must be read-held.
func (e *Engine) current(adID string) (*entry, string) {
	i, ok := e.ads[key(adID)]
	if !ok {
		return nil, ""
	}
	en := e.entries.at(i)
	text := *e.texts.at(en.text)
	if en.field(text, tAdID) != adID {
		return nil, "" // a key collision: not this ad
	}
	return en, text
}

// AdInfo is what event ingestion needs to know about an ad.
type AdInfo struct {
	AdID, PostID, AdGroupID, CampaignID, AdvertiserID string
	Billing                                           model.BillingEvent
}

// Ad returns what the engine knows of any ad, serving or not.
func (e *Engine) Ad(adID string) (AdInfo, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	en, text := e.current(adID)
	if en == nil {
		return AdInfo{}, false
	}
	return AdInfo{AdID: en.field(text, tAdID), PostID: en.field(text, tPostID), AdGroupID: en.field(text, tAdGroupID),
		CampaignID: en.field(text, tCampaignID), AdvertiserID: en.field(text, tAdvertiserID),
		Billing: en.billing.event()}, true
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
	var g, c *budget
	if en, _ := e.current(adID); en != nil {
		g, c = e.budgetAt(en.group), e.budgetAt(en.camp)
	}
	e.mu.RUnlock()
	t := e.ledger.charge(g, c, issuedAt, price, e.clock.Now())
	return Charge{Amount: t.charged, ticket: t}
}

// budgetAt returns the budget at index i, or nil for -1. e.mu must be
// read-held.
func (e *Engine) budgetAt(i int32) *budget {
	if i < 0 {
		return nil
	}
	return e.budgets.at(i)
}

// Undo takes a charge back.
func (e *Engine) Undo(c Charge) { e.ledger.undo(c.ticket) }

// Observe counts a stored ad event into the ad's observed rates.
func (e *Engine) Observe(adID string, t model.EventType) {
	e.mu.RLock()
	i, ok := e.rateIdx[key(adID)]
	var r *rates
	if ok {
		r = e.rates.at(i)
	}
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
	gb, cb := e.budget(g.ID), e.budget(c.ID)
	e.mu.RUnlock()
	maxPrice := maxUnitPrice(g.BillingEvent, g.Bid)
	now := e.clock.Now()
	return e.ledger.exhausted(gb, maxPrice, now) || e.ledger.exhausted(cb, maxPrice, now)
}
