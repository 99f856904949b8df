package delivery

import (
	"net/url"
	"strings"
	"sync/atomic"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

// entry is one ad as the decision path sees it: everything needed to match,
// rank, price and render it, compiled when the ad (or anything it depends
// on) changes. An entry never changes after it is published; a change adds
// a new entry, and if the ad no longer serves, marks the old one dead, so
// that a decision still reading an older snapshot skips it (an ad that
// still serves is served as it was by such a decision). What changes without the ad changing — the
// authorization, the post's eligibility, budgets, observed rates — lives in
// shared state that the entry refers to by index.
//
// entry holds no pointers (see arena.go): its strings are one packed text
// in the texts arena, its lists spans of the lists slab.
type entry struct {
	adKey, advertiserKey, adGroupKey, campaignKey, postKey, creatorKey, sparkPostKey uint64

	text  textRef            // where its packed strings start in the texts arena
	ends  [textFields]uint16 // end offset of each field in the packed string
	dead  atomic.Bool
	start int64 // schedule, Unix micros
	end   int64 // 0: open

	billing  billing
	bid      money.Micros // per mille for CPM, per event otherwise
	maxPrice money.Micros // the most one billing event can cost

	countries span // interned country terms; empty: any country
	langs     span // interned; empty: any
	interests span
	ageMin    uint8
	ageMax    uint8
	genders   uint8 // bit set; 0: any
	oses      uint8

	freqImps int32 // frequency cap; 0: none
	freqDays int32
	paced    bool
	// enabled: the ad, its ad group and its campaign are all switched on.
	enabled bool

	group, camp int32 // budgets; -1 where that level has none
	auth        int32
	post        int32
	rates       int32
}

// The strings of an entry, in the order they are packed.
const (
	tAdID = iota
	tPostID
	tAdvertiserID
	tAdGroupID
	tCampaignID
	tCreatorID
	tHandle
	tName
	tCaption
	tVideoURL
	tCTALabel
	tCTAURL      // the landing URL up to any fragment
	tCTASep      // "?", "&" or "" before flint_clid
	tCTAFragment // "#…" or ""
	textFields
)

// billing is a billing event as a small number.
type billing uint8

const (
	billCPM billing = iota + 1
	billCPC
	billCPV
)

func billingOf(b model.BillingEvent) billing {
	switch b {
	case model.BillCPC:
		return billCPC
	case model.BillCPV:
		return billCPV
	}
	return billCPM
}

func (b billing) event() model.BillingEvent {
	switch b {
	case billCPC:
		return model.BillCPC
	case billCPV:
		return model.BillCPV
	}
	return model.BillCPM
}

// field returns string f of an entry whose packed text is s.
func (en *entry) field(s string, f int) string {
	start := uint16(0)
	if f > 0 {
		start = en.ends[f-1]
	}
	return s[start:en.ends[f]]
}

// authState is the validity of one authorization episode: until when its
// codes work, in Unix micros; 0 when it is revoked or has no code yet.
type authState struct {
	postKey uint64
	until   atomic.Int64
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
	creatorKey uint64
	eligible   atomic.Bool
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

// ecpm is an ad's expected value per thousand impressions, in micros: the
// CPM bid itself, or a CPC or CPV bid times the estimated rate of its event.
func ecpm(en *entry, r *rates) float64 {
	switch en.billing {
	case billCPC:
		return float64(en.bid) * r.ctr() * 1000
	case billCPV:
		return float64(en.bid) * r.vtr() * 1000
	}
	return float64(en.bid)
}

// unitPrice converts a clearing value per mille into the price of one
// billing event, never above the bid and at least one micro.
func unitPrice(en *entry, r *rates, value float64) money.Micros {
	var p float64
	switch en.billing {
	case billCPC:
		p = value / (1000 * r.ctr())
	case billCPV:
		p = value / (1000 * r.vtr())
	default:
		p = value / 1000
	}
	return min(max(money.Micros(p), 1), en.maxPrice)
}

// maxUnitPrice is the most one billing event can cost at bid.
func maxUnitPrice(b model.BillingEvent, bid money.Micros) money.Micros {
	if b == model.BillCPM {
		return max(bid/1000, 1)
	}
	return bid
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
