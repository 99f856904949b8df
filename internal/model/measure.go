package model

import (
	"time"

	"github.com/flintads/flint/internal/money"
)

// Day is a calendar date counted in days since 1970-01-01: an advertiser's
// local day once a time zone has been applied.
type Day int64

// DayOf returns the local date of t in loc.
func DayOf(t time.Time, loc *time.Location) Day {
	y, m, d := t.In(loc).Date()
	return DateDay(y, m, d)
}

// DateDay returns the Day of a calendar date.
func DateDay(y int, m time.Month, d int) Day {
	return Day(time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400)
}

// Date returns the calendar date of the day.
func (d Day) Date() (int, time.Month, int) {
	return time.Unix(int64(d)*86400, 0).UTC().Date()
}

// Month returns the first day of d's month.
func (d Day) Month() Day {
	y, m, _ := d.Date()
	return DateDay(y, m, 1)
}

// MonthEnd returns the last day of d's month.
func (d Day) MonthEnd() Day {
	y, m, _ := d.Date()
	return DateDay(y, m+1, 1) - 1
}

// String formats the day as YYYY-MM-DD.
func (d Day) String() string { return time.Unix(int64(d)*86400, 0).UTC().Format(time.DateOnly) }

// StatsGroup says which dimensions an own-ads rollup query groups by.
type StatsGroup uint8

// The dimensions of own-ads rollups.
const (
	ByDay StatsGroup = 1 << iota
	ByCampaign
	ByAdGroup
	ByAd
	ByPost
	ByCreator
)

// StatsQuery selects one advertiser's own-ad rollups over local days
// [From, To], grouped by GroupBy; a non-empty filter keeps only the rows
// whose value is listed.
type StatsQuery struct {
	AdvertiserID string
	From, To     Day
	// Today, when set, says that no day after it has data yet: the store
	// may then answer a month to date from the month's sums.
	Today     Day
	GroupBy   StatsGroup
	Campaigns []string
	AdGroups  []string
	Ads       []string
	Posts     []string
	Creators  []string
}

// StatsRow is one group of a StatsQuery; dimensions not grouped by are empty.
type StatsRow struct {
	Day        Day
	CampaignID string
	AdGroupID  string
	AdID       string
	PostID     string
	CreatorID  string
	Stats      AdStats
}

// Conversion is an event an advertiser reported through the conversions
// API, attributed (or not) to one of its ads.
type Conversion struct {
	AdvertiserID string
	EventID      string
	Event        string // "purchase", "add_to_cart", …
	ClickID      string
	OrderID      string // set when the conversion is a store order
	AdID         string // empty when unattributed
	CampaignID   string
	Value        money.Micros
	Currency     string
	At           time.Time
	Day          Day // At in the advertiser's time zone
	ReceivedAt   time.Time
}

// OrderStatus is the payment state of a store order, as Shopify names it.
type OrderStatus string

// Attribution says how an order or conversion was tied to a campaign.
type Attribution string

// The attribution methods, in the order they are tried.
const (
	AttributedByClick    Attribution = "click_id"
	AttributedByUTM      Attribution = "utm_campaign"
	AttributedByDiscount Attribution = "discount_code"
	Unattributed         Attribution = ""
)

// Order is a store order (from a Shopify export or webhook) with the
// revenue it counts for and what it was attributed to.
type Order struct {
	AdvertiserID string
	OrderID      string // the store's order id (Shopify's numeric id), or its name when the id is unknown
	Name         string // "#1001"
	Source       string // "csv" or "webhook"
	CreatedAt    time.Time
	Day          Day
	Currency     string
	Total        money.Micros
	Refunded     money.Micros
	// Revenue is what the order counts for: Total − Refunded for paid,
	// partially paid and partially refunded orders; 0 otherwise.
	Revenue money.Micros
	// Counted is true when the order counts as a purchase (its status is
	// paid, partially paid or partially refunded, and it is neither
	// cancelled nor a test), even when its revenue is 0 (fully discounted).
	Counted         bool
	FinancialStatus OrderStatus
	Cancelled       bool
	Test            bool
	ClickID         string
	UTMCampaign     string
	DiscountCode    string
	AdID            string
	CampaignID      string
	AttributedBy    Attribution
	ImportedAt      time.Time
}

// ChannelSpend is one row of spend imported from another channel's export:
// one day, or the export's reporting range [SpanStart, SpanEnd] (reports
// spread it evenly over its days).
type ChannelSpend struct {
	AdvertiserID string
	Channel      string // "meta", "google", "tiktok", or the generic file's name
	Campaign     string // the campaign's name on that channel
	Detail       string // ad set or ad name when the export has one
	SpanStart    Day
	SpanEnd      Day
	Spend        money.Micros
	Currency     string
	Impressions  *int64 // nil when the export does not say
	Clicks       *int64
	Conversions  *int64
	ImportedAt   time.Time
}

// ImportCounts is what storing an import did: new rows, rows that changed
// an existing one, and repeats that changed nothing.
type ImportCounts struct {
	Imported int
	Updated  int
	Skipped  int
}

// Add returns the field-wise sum.
func (c ImportCounts) Add(o ImportCounts) ImportCounts {
	return ImportCounts{c.Imported + o.Imported, c.Updated + o.Updated, c.Skipped + o.Skipped}
}

// RevenueQuery selects one advertiser's conversions or orders over local
// days [From, To], summed per day when ByDay is set (else Day is 0).
type RevenueQuery struct {
	AdvertiserID string
	From, To     Day
	ByDay        bool
	Today        Day // as in StatsQuery
}

// RevenueRow sums conversions or orders of one day, ad (or campaign, for
// orders attributed without a click) and currency. For conversions,
// DuplicateOfOrder marks those that carry the id of a stored order (their
// revenue is counted through the order).
type RevenueRow struct {
	Day              Day
	CampaignID       string // empty: unattributed
	AdID             string
	Currency         string
	DuplicateOfOrder bool
	Count            int64
	Value            money.Micros
}

// SpendQuery selects one advertiser's imported spend whose span overlaps
// the local days [From, To].
type SpendQuery struct {
	AdvertiserID string
	From, To     Day
}

// SpendRow sums imported spend of one span, channel, campaign and currency.
// A count is nil when no row of the group had it.
type SpendRow struct {
	SpanStart   Day
	SpanEnd     Day
	Channel     string
	Campaign    string
	Currency    string
	Spend       money.Micros
	Impressions *int64
	Clicks      *int64
	Conversions *int64
}

// Click is a stored click event: which ad, and when.
type Click struct {
	AdID string
	At   time.Time
}

// MeasurementSettings are an advertiser's attribution settings.
type MeasurementSettings struct {
	AdvertiserID    string
	ClickWindowDays int
	// UTMCampaigns maps a utm_campaign value (folded to lower case) to a
	// campaign id, for campaigns whose links use another name.
	UTMCampaigns map[string]string
	// DiscountCodes maps a discount code (upper case) to a campaign id.
	DiscountCodes map[string]string
	// ShopifySecret is the sealed webhook secret (nil when not set up).
	ShopifySecret []byte
	UpdatedAt     time.Time
}

// PostActivity is a post's organic engagement over some period, with
// completions and watch time (which post_stats lacks).
type PostActivity struct {
	PostID    string
	Views     int64
	Views2s   int64
	Views6s   int64
	Completes int64
	WatchMS   int64
	Likes     int64
	Comments  int64
	Shares    int64
	Follows   int64
}
