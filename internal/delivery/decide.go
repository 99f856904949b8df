package delivery

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/country"
	"github.com/flintads/flint/internal/ids"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/tracking"
)

// Request asks for ads for one viewer in one placement.
type Request struct {
	Placement string
	Viewer    Viewer
	Count     int
}

// Viewer is who will see the ads, as the operator describes them.
type Viewer struct {
	ID        string
	Country   string
	Age       int
	Gender    string
	Language  string
	OS        string
	Interests []string
}

// Decision is the answer: zero or more ads, each with its tracking token.
type Decision struct {
	ID  string
	Ads []Ad
}

// Ad is one ad to show, delivered under the creator's identity.
type Ad struct {
	AdID, PostID                          string
	CreatorID, CreatorHandle, CreatorName string
	Caption, VideoURL                     string
	CTALabel, CTAURL                      string
	ClickID                               string
	Token                                 string
	Price                                 money.Micros // per billing event
}

// Limits of a decision request.
const (
	MaxCount      = 10
	maxViewerID   = tracking.MaxField // the token carries it whole
	maxInterests  = 100
	maxViewerAge  = 150
	placementFeed = "feed"
	// A decision collects the candidates it needs (the winners and the
	// price setter) and collectExtra more, then re-ranks them by their value
	// now: bucket order is only as fresh as the last re-sort.
	collectExtra = 4
	// scanBudget bounds how many entries one decision examines once it has
	// its candidates but still lacks a competing advertiser to set the
	// price: past it, the floor sets the price. It keeps a viewer that few
	// advertisers target from scanning a whole bucket.
	scanBudget       = 4096
	codeBadPlacement = "UNKNOWN_PLACEMENT"
)

// viewer is a request's viewer compiled for matching.
type viewer struct {
	id        string
	country   uint32 // interned term; 0: unknown
	age       int
	gender    uint8
	os        uint8
	lang      uint32
	interests []uint32
	buf       [16]uint32 // backs interests for most viewers, saving an allocation
}

func (r *Request) validate() error {
	if r.Placement == "" {
		r.Placement = placementFeed
	}
	if r.Placement != placementFeed {
		return apperr.Field("placement", codeBadPlacement, "placement must be feed")
	}
	if r.Count == 0 {
		r.Count = 1
	}
	if r.Count < 1 || r.Count > MaxCount {
		return apperr.Invalidf("count", "count must be between 1 and %d", MaxCount)
	}
	v := &r.Viewer
	if v.ID == "" {
		return apperr.Missing("viewer.id")
	}
	if len(v.ID) > maxViewerID || !utf8.ValidString(v.ID) || strings.ContainsRune(v.ID, 0) {
		return apperr.Invalidf("viewer.id", "viewer.id must be text of at most %d bytes", maxViewerID)
	}
	v.Country = strings.ToUpper(v.Country)
	if v.Country != "" && !country.Valid(v.Country) {
		return apperr.Invalidf("viewer.country", "viewer.country must be an ISO 3166-1 alpha-2 code such as US")
	}
	if v.Age < 0 || v.Age > maxViewerAge {
		return apperr.Invalidf("viewer.age", "viewer.age must be between 0 (unknown) and %d", maxViewerAge)
	}
	v.Gender = strings.ToLower(v.Gender)
	if _, ok := genderBits[v.Gender]; v.Gender != "" && !ok {
		return apperr.Invalidf("viewer.gender", "viewer.gender must be female, male or other")
	}
	v.Language = strings.ToLower(v.Language)
	if len(v.Language) > 16 {
		return apperr.Invalidf("viewer.language", "viewer.language must be a language code such as en")
	}
	v.OS = strings.ToLower(v.OS)
	if len(v.Interests) > maxInterests {
		return apperr.Invalidf("viewer.interests", "viewer.interests may hold at most %d values", maxInterests)
	}
	return nil
}

func compile(v Viewer, terms map[string]uint32, cv *viewer) {
	*cv = viewer{id: v.ID, age: v.Age, gender: genderBits[v.Gender], os: osBits[v.OS]}
	cv.interests = cv.buf[:0]
	var key [80]byte
	if v.Country != "" {
		cv.country = terms[string(append(append(key[:0], "country:"...), v.Country...))]
	}
	if v.Language != "" {
		cv.lang = terms[string(append(append(key[:0], "lang:"...), v.Language...))]
	}
	for _, i := range v.Interests {
		if len(i) > 64 {
			continue
		}
		k := append(key[:0], "interest:"...)
		for j := 0; j < len(i); j++ {
			c := i[j]
			if c >= 'A' && c <= 'Z' {
				c += 'a' - 'A'
			}
			k = append(k, c)
		}
		if id, ok := terms[string(k)]; ok {
			cv.interests = append(cv.interests, id)
		}
	}
}

// matches reports whether the entry targets the viewer.
func matches(en *entry, v *viewer, lists slabView[uint32]) bool {
	if en.ageMin > 0 && (v.age == 0 || v.age < int(en.ageMin)) {
		return false
	}
	if en.ageMax > 0 && (v.age == 0 || v.age > int(en.ageMax)) {
		return false
	}
	if en.genders != 0 && en.genders&v.gender == 0 {
		return false
	}
	if en.oses != 0 && en.oses&v.os == 0 {
		return false
	}
	if en.langs.n > 0 && !containsTerm(lists.values(en.langs), v.lang) {
		return false
	}
	if en.interests.n > 0 {
		list := lists.values(en.interests)
		for _, i := range v.interests {
			if containsTerm(list, i) {
				return true
			}
		}
		return false
	}
	return true
}

func containsTerm(list []uint32, t uint32) bool {
	if t == 0 {
		return false
	}
	for _, x := range list {
		if x == t {
			return true
		}
	}
	return false
}

// candidate is an entry that may win, with its value now.
type candidate struct {
	e    *entry
	r    *rates
	ecpm float64
}

var candidatePool = sync.Pool{New: func() any { s := make([]candidate, 0, 64); return &s }}

// Decide picks up to req.Count ads for the viewer, at most one per
// advertiser, reserving each one's price on its budgets.
func (e *Engine) Decide(ctx context.Context, req Request) (Decision, error) {
	if err := req.validate(); err != nil {
		return Decision{}, err
	}
	now := e.clock.Now()
	nowUS := now.UnixMicro()
	snap := e.snap.Load()
	var v viewer
	compile(req.Viewer, snap.terms, &v)
	fv := e.freq.viewer(v.id, false)
	floor := float64(e.cfg.FloorCPM)

	cp := candidatePool.Get().(*[]candidate)
	cands := (*cp)[:0]
	defer func() { *cp = cands[:0]; candidatePool.Put(cp) }()

	need := req.Count + 1 // the winners and the price setter
	limit := need + collectExtra
	var advertisers [MaxCount + 1]uint64
	distinct := 0

	var local []ranked
	if v.country != 0 {
		local = snap.buckets[v.country]
	}
	global := snap.buckets[0]
	i, j := 0, 0
	for scanned := 0; i < len(local) || j < len(global); scanned++ {
		var r *ranked
		if j >= len(global) || (i < len(local) && local[i].rank >= global[j].rank) {
			r, i = &local[i], i+1
		} else {
			r, j = &global[j], j+1
		}
		if !r.prefilter(&v) {
			continue
		}
		en := snap.entries.at(r.idx)
		if !snap.servable(en, &v, fv, nowUS) {
			continue
		}
		rt := snap.rates.at(en.rates)
		value := ecpm(en, rt)
		if value < floor {
			continue
		}
		cands = append(cands, candidate{en, rt, value})
		if distinct < need && !slices.Contains(advertisers[:distinct], en.advertiserKey) {
			advertisers[distinct] = en.advertiserKey
			distinct++
		}
		if len(cands) >= limit && (distinct >= need || scanned >= scanBudget) {
			break
		}
	}
	sortCandidates(cands)
	// The best candidate of each advertiser, in order of value.
	var best [MaxCount + 1 + collectExtra]candidate
	ranked := best[:0]
	for _, c := range cands {
		dup := false
		for _, r := range ranked {
			if r.e.advertiserKey == c.e.advertiserKey {
				dup = true
				break
			}
		}
		if !dup && len(ranked) < cap(ranked) {
			ranked = append(ranked, c)
		}
	}

	d := Decision{ID: ids.NewOrdered(ids.DecisionPrefix, now), Ads: make([]Ad, 0, req.Count)}
	for k := 0; k < len(ranked) && len(d.Ads) < req.Count; k++ {
		w := ranked[k]
		clearing := floor
		if k+1 < len(ranked) {
			clearing = max(ranked[k+1].ecpm, floor)
		}
		price := unitPrice(w.e, w.r, min(clearing, w.ecpm))
		if !e.take(snap, w.e, &v, price, now) {
			continue
		}
		text := snap.texts.of(w.e)
		f := func(field int) string { return w.e.field(text, field) }
		index := len(d.Ads)
		clickID := tracking.ClickID(d.ID, index)
		claims := tracking.Claims{DecisionID: d.ID, Index: index, AdID: f(tAdID), PostID: f(tPostID), ViewerID: v.id,
			Billing: w.e.billing.event(), Price: price, IssuedAt: now, Node: e.cfg.Node}
		d.Ads = append(d.Ads, Ad{AdID: f(tAdID), PostID: f(tPostID), CreatorID: f(tCreatorID), CreatorHandle: f(tHandle),
			CreatorName: f(tName), Caption: f(tCaption), VideoURL: f(tVideoURL), CTALabel: f(tCTALabel),
			CTAURL:  f(tCTAURL) + f(tCTASep) + "flint_clid=" + clickID + f(tCTAFragment),
			ClickID: clickID, Token: e.signer.Sign(&claims), Price: price})
	}
	return d, nil
}

// sortCandidates sorts by value, highest first (insertion sort: the list is
// short and nearly sorted already).
func sortCandidates(c []candidate) {
	for i := 1; i < len(c); i++ {
		for k := i; k > 0 && (c[k].ecpm > c[k-1].ecpm || (c[k].ecpm == c[k-1].ecpm && c[k].e.adKey < c[k-1].e.adKey)); k-- {
			c[k], c[k-1] = c[k-1], c[k]
		}
	}
}

// budgetAt returns the budget at index i, or nil for -1.
func (s *snapshot) budgetAt(i int32) *budget {
	if i < 0 {
		return nil
	}
	return s.budgets.at(i)
}

// freqSince is the start of an entry's frequency-cap window.
func (en *entry) freqSince(nowUS int64) int64 {
	return nowUS - int64(en.freqDays)*24*time.Hour.Microseconds()
}

// servable checks everything about an entry that can change between two
// decisions: liveness, schedule, the authorization and the post, targeting,
// the viewer's frequency cap and, without locking, budget room.
func (s *snapshot) servable(en *entry, v *viewer, fv *viewerFreq, nowUS int64) bool {
	if en.dead.Load() || nowUS < en.start || (en.end != 0 && nowUS >= en.end) {
		return false
	}
	if !s.posts.at(en.post).eligible.Load() || !s.auths.at(en.auth).valid(nowUS) {
		return false
	}
	if !matches(en, v, s.lists) {
		return false
	}
	if en.freqImps > 0 && fv != nil && fv.count(en.adGroupKey, en.freqSince(nowUS)) >= int(en.freqImps) {
		return false
	}
	if g := s.budgetAt(en.group); g != nil && !g.room(en.maxPrice, nowUS) {
		g.wantMore()
		return false
	}
	if c := s.budgetAt(en.camp); c != nil && !c.room(en.maxPrice, nowUS) {
		c.wantMore()
		return false
	}
	return true
}

// take commits a winner: it counts the serve against the viewer's
// frequency cap and reserves the price on the budgets, or does neither.
func (e *Engine) take(s *snapshot, en *entry, v *viewer, price money.Micros, now time.Time) bool {
	nowUS := now.UnixMicro()
	var fv *viewerFreq
	if en.freqImps > 0 {
		fv = e.freq.viewer(v.id, true)
		if !fv.take(en.adGroupKey, int(en.freqImps), en.freqSince(nowUS), nowUS) {
			return false
		}
	}
	g, c := s.budgetAt(en.group), s.budgetAt(en.camp)
	if e.ledger.reserve(g, c, price, en.paced, now) {
		return true
	}
	for _, b := range [2]*budget{g, c} {
		if b != nil {
			b.wantMore()
		}
	}
	if fv != nil {
		fv.untake(en.adGroupKey, nowUS)
	}
	return false
}
