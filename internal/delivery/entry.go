package delivery

import (
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

// entry is one ad as the decision path sees it: everything needed to match,
// rank, price and render it, compiled once when the ad (or anything it
// depends on) changes. Entries are immutable; a change builds a new entry
// and marks the old one dead, so a decision that still holds the old
// snapshot skips it. What changes often without the ad changing — the
// authorization, the post's eligibility, budgets, observed rates — lives in
// shared state objects that the entry points to.
type entry struct {
	adID, postID, advertiserID, adGroupID, campaignID string

	creatorID, creatorHandle, creatorName string
	caption, videoURL                     string
	ctaLabel                              string
	ctaURL, ctaSep, ctaFragment           string // landing URL split where flint_clid goes

	billing  model.BillingEvent
	bid      money.Micros // per mille for CPM, per event otherwise
	maxPrice money.Micros // the most one billing event can cost

	countries []string // empty: any country
	ageMin    int
	ageMax    int
	genders   uint8 // bit set; 0: any
	oses      uint8
	langs     []uint32 // interned; empty: any
	interests []uint32

	start, end int64 // schedule, Unix micros; end 0: open
	freq       model.FrequencyCap
	paced      bool
	// enabled: the ad, its ad group and its campaign are all switched on.
	enabled bool

	group, camp *budget // nil where that level has no budget
	auth        *authState
	post        *postState
	rates       *rates

	rank float64 // expected value per mille when the snapshot was sorted
	dead atomic.Bool
}

// authState is the validity of one authorization episode: until when its
// codes work, in Unix micros; 0 when it is revoked or has no code yet.
type authState struct {
	postID string
	until  atomic.Int64
}

func (a *authState) set(au model.Authorization) {
	if au.RevokedAt.IsZero() && !au.GeneratedAt.IsZero() {
		a.until.Store(au.ExpiresAt.UnixMicro())
	} else {
		a.until.Store(0)
	}
}

func (a *authState) valid(nowUS int64) bool { return nowUS < a.until.Load() }

// postState is whether a post may run as a Spark ad now.
type postState struct {
	eligible  atomic.Bool
	creatorID string
}

// rates counts what an ad's deliveries led to, for estimating click and
// view rates. Counts start from the stored totals.
type rates struct {
	impressions, clicks, views6s atomic.Int64
}

// Priors for rates of ads with little history, and how many impressions of
// evidence they weigh.
const (
	priorCTR    = 0.01
	priorVTR    = 0.30
	priorWeight = 200
)

func (r *rates) ctr() float64 {
	return (float64(r.clicks.Load()) + priorCTR*priorWeight) / (float64(r.impressions.Load()) + priorWeight)
}

func (r *rates) vtr() float64 {
	return (float64(r.views6s.Load()) + priorVTR*priorWeight) / (float64(r.impressions.Load()) + priorWeight)
}

// ecpm is the ad's expected value per thousand impressions, in micros: the
// CPM bid itself, or a CPC or CPV bid times the estimated rate of its event.
func (e *entry) ecpm() float64 {
	switch e.billing {
	case model.BillCPC:
		return float64(e.bid) * e.rates.ctr() * 1000
	case model.BillCPV:
		return float64(e.bid) * e.rates.vtr() * 1000
	}
	return float64(e.bid)
}

// unitPrice converts a clearing value per mille into the price of one
// billing event, never above the bid and at least one micro.
func (e *entry) unitPrice(ecpm float64) money.Micros {
	var p float64
	switch e.billing {
	case model.BillCPC:
		p = ecpm / (1000 * e.rates.ctr())
	case model.BillCPV:
		p = ecpm / (1000 * e.rates.vtr())
	default:
		p = ecpm / 1000
	}
	price := money.Micros(p)
	return min(max(price, 1), e.maxPrice)
}

// maxUnitPrice is the most one billing event can cost at bid.
func maxUnitPrice(billing model.BillingEvent, bid money.Micros) money.Micros {
	if billing == model.BillCPM {
		return max(bid/1000, 1)
	}
	return bid
}

// pack copies strings into one allocation and returns them as substrings of
// it: an entry's dozen strings then cost the garbage collector one object.
func pack(fields ...*string) {
	n := 0
	for _, f := range fields {
		n += len(*f)
	}
	var b strings.Builder
	b.Grow(n)
	for _, f := range fields {
		b.WriteString(*f)
	}
	all := b.String()
	off := 0
	for _, f := range fields {
		l := len(*f)
		*f = all[off : off+l]
		off += l
	}
}

// splitURL prepares a landing URL for a click id: the part before any
// fragment, the separator to use, and the fragment.
func splitURL(raw string) (base, sep, fragment string) {
	base, fragment, hasFragment := strings.Cut(raw, "#")
	if hasFragment {
		fragment = "#" + fragment
	}
	sep = "?"
	if u, err := url.Parse(base); err == nil && (u.RawQuery != "" || strings.HasSuffix(base, "?")) {
		sep = "&"
		if strings.HasSuffix(base, "?") || strings.HasSuffix(base, "&") {
			sep = ""
		}
	}
	return base, sep, fragment
}

// landingURL is the CTA URL with the click id added.
func (e *entry) landingURL(clickID string) string {
	return e.ctaURL + e.ctaSep + "flint_clid=" + clickID + e.ctaFragment
}

// Bits for genders and operating systems.
var (
	genderBits = map[string]uint8{"female": 1, "male": 2, "other": 4}
	osBits     = map[string]uint8{"android": 1, "ios": 2}
)

func bitsOf(values []string, bits map[string]uint8) uint8 {
	var b uint8
	for _, v := range values {
		b |= bits[v]
	}
	return b
}
