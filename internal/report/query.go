// Package report answers an advertiser's questions about what it spent and
// earned: reports over any mix of dimensions and metrics (report.go), plain
// English questions turned into report queries (question.go), and the
// ranking of posts as Spark-ad candidates (recommend.go).
//
// It is pure domain: typed inputs and outputs, no HTTP and no SQL. The API
// and the web pages call the same Service.
package report

import (
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/model"
)

// Dimension is what a report groups rows by.
type Dimension string

// The dimensions.
const (
	DimCampaign Dimension = "campaign"
	DimAdGroup  Dimension = "ad_group"
	DimAd       Dimension = "ad"
	DimPost     Dimension = "post"
	DimCreator  Dimension = "creator"
	DimDay      Dimension = "day"
	DimWeek     Dimension = "week"
	DimMonth    Dimension = "month"
	DimChannel  Dimension = "channel"
	// DimHour groups by the hours of the hourly rollups (UTC hours, named
	// by their start in the advertiser's time zone). It is not one of
	// Dimensions: the native API does not offer it; the TikTok-compatible
	// API asks for it (stat_time_hour). Hourly reports cover our own ads
	// only, without revenue: conversions and orders are counted by day.
	DimHour Dimension = "hour"
)

// Dimensions lists every dimension, in the order report columns use.
var Dimensions = []Dimension{DimChannel, DimCampaign, DimAdGroup, DimAd, DimPost, DimCreator, DimMonth, DimWeek, DimDay}

// Time reports whether d is a period of time.
func (d Dimension) Time() bool { return d == DimDay || d == DimWeek || d == DimMonth || d == DimHour }

// Metric is a measure a report shows.
type Metric string

// The metrics.
const (
	Spend             Metric = "spend"
	Impressions       Metric = "impressions"
	Reach             Metric = "reach"
	Clicks            Metric = "clicks"
	CTR               Metric = "ctr"
	CPC               Metric = "cpc"
	CPM               Metric = "cpm"
	Views             Metric = "views"
	Views2s           Metric = "views_2s"
	Views6s           Metric = "views_6s"
	Completions       Metric = "completions"
	AvgWatchTime      Metric = "avg_watch_time"
	Likes             Metric = "likes"
	Comments          Metric = "comments"
	Shares            Metric = "shares"
	Follows           Metric = "follows"
	EngagementRate    Metric = "engagement_rate"
	Conversions       Metric = "conversions"
	CPA               Metric = "cpa"
	Revenue           Metric = "revenue"
	StoreRevenue      Metric = "store_revenue"
	ConversionRevenue Metric = "conversion_revenue"
	ROAS              Metric = "roas"
	StoreROAS         Metric = "store_roas"
)

// Kind is how a metric's values are written.
type Kind uint8

// The kinds of value.
const (
	Count   Kind = iota + 1 // a whole number
	Money                   // an amount in the advertiser's currency
	Ratio                   // a fraction (CTR 0.0123) or a multiple (ROAS 3.2)
	Seconds                 // a duration in seconds
)

// metricKinds gives every metric its kind.
var metricKinds = map[Metric]Kind{
	Spend: Money, Impressions: Count, Reach: Count, Clicks: Count, CTR: Ratio, CPC: Money, CPM: Money, Views: Count,
	Views2s: Count, Views6s: Count, Completions: Count, AvgWatchTime: Seconds, Likes: Count, Comments: Count,
	Shares: Count, Follows: Count, EngagementRate: Ratio, Conversions: Count, CPA: Money, Revenue: Money,
	StoreRevenue: Money, ConversionRevenue: Money, ROAS: Ratio, StoreROAS: Ratio,
}

// Metrics lists every metric, in a stable order.
var Metrics = []Metric{Spend, Impressions, Reach, Clicks, CTR, CPC, CPM, Views, Views2s, Views6s, Completions,
	AvgWatchTime, Likes, Comments, Shares, Follows, EngagementRate, Conversions, CPA, Revenue, StoreRevenue,
	ConversionRevenue, ROAS, StoreROAS}

// Kind returns how the metric's values are written.
func (m Metric) Kind() Kind { return metricKinds[m] }

// Period is a range of local days, both ends included.
type Period struct {
	From, To model.Day
}

// Days is the number of days in the period.
func (p Period) Days() int { return int(p.To-p.From) + 1 }

func (p Period) String() string {
	if p.From == p.To {
		return p.From.String()
	}
	return p.From.String() + " – " + p.To.String()
}

// Sort orders report rows by a metric or a dimension.
type Sort struct {
	By   string // a Metric or a Dimension
	Desc bool
}

// Query is what a report shows. Filters keep the rows whose value is
// listed; empty filters keep everything. Channels filters the spend side:
// our own ads (by the configured name or an alias) and imported channels.
type Query struct {
	Dimensions []Dimension
	Metrics    []Metric
	Period     Period
	// Compare, when set, is a second period the same report is run over.
	Compare   *Period
	Campaigns []string
	AdGroups  []string
	Ads       []string
	Posts     []string
	Creators  []string
	Channels  []string
	Sort      Sort
	// Limit keeps the first Limit rows (after sorting); the rest are
	// summed into one "other" row, so totals still equal the rows' sum.
	Limit int
	// AttributedOnly leaves out revenue that no campaign claims (the
	// TikTok-compatible API reports what ads earned, as TikTok does).
	AttributedOnly bool
}

// Limits of a query.
const (
	MaxDays    = 731
	MaxLimit   = 10_000
	maxFilters = 100
)

// DefaultMetrics are shown when a query names none.
var DefaultMetrics = []Metric{Spend, Impressions, Clicks, CTR, Conversions, Revenue, ROAS}

// Params are a report's query as text, the way the API and forms send it.
type Params struct {
	Dimensions, Metrics, From, To, CompareFrom, CompareTo string
	Campaigns, AdGroups, Ads, Posts, Creators, Channels   string
	Sort, Limit                                           string
}

// ParseQuery validates params into a Query. Dates are local to the
// advertiser; the default range is this month up to today.
func ParseQuery(p Params, now time.Time, loc *time.Location) (Query, error) {
	var q Query
	for _, s := range list(p.Dimensions) {
		d := Dimension(s)
		if !slices.Contains(Dimensions, d) {
			return q, apperr.Invalidf("dimensions", "unknown dimension %q; use %s", short(s), joinDims(Dimensions))
		}
		if !slices.Contains(q.Dimensions, d) {
			q.Dimensions = append(q.Dimensions, d)
		}
	}
	for _, s := range list(p.Metrics) {
		m := Metric(s)
		if m.Kind() == 0 {
			return q, apperr.Invalidf("metrics", "unknown metric %q; use %s", short(s), joinMetrics(Metrics))
		}
		if !slices.Contains(q.Metrics, m) {
			q.Metrics = append(q.Metrics, m)
		}
	}
	if len(q.Metrics) == 0 {
		q.Metrics = slices.Clone(DefaultMetrics)
	}
	today := model.DayOf(now, loc)
	y, m, _ := today.Date()
	q.Period = Period{model.DateDay(y, m, 1), today}
	var err error
	if q.Period, err = parsePeriod(p.From, p.To, "from", "to", q.Period); err != nil {
		return q, err
	}
	if p.CompareFrom != "" || p.CompareTo != "" {
		c, err := parsePeriod(p.CompareFrom, p.CompareTo, "compare_from", "compare_to", Period{})
		if err != nil {
			return q, err
		}
		if p.CompareFrom == "" || p.CompareTo == "" {
			return q, apperr.Invalidf("compare_from", "give both compare_from and compare_to")
		}
		q.Compare = &c
	}
	for _, f := range []struct {
		name string
		s    string
		dst  *[]string
	}{{"campaigns", p.Campaigns, &q.Campaigns}, {"ad_groups", p.AdGroups, &q.AdGroups}, {"ads", p.Ads, &q.Ads},
		{"posts", p.Posts, &q.Posts}, {"creators", p.Creators, &q.Creators}, {"channels", p.Channels, &q.Channels}} {
		*f.dst = list(f.s)
		if len(*f.dst) > maxFilters {
			return q, apperr.Invalidf(f.name, "%s may list at most %d values", f.name, maxFilters)
		}
		for _, v := range *f.dst {
			if len(v) > 128 || !printable(v) {
				return q, apperr.Invalidf(f.name, "%s must list short printable ids", f.name)
			}
		}
	}
	if p.Sort != "" {
		by := strings.TrimPrefix(p.Sort, "-")
		q.Sort = Sort{By: by, Desc: strings.HasPrefix(p.Sort, "-")}
		if Metric(by).Kind() == 0 && !slices.Contains(Dimensions, Dimension(by)) {
			return q, apperr.Invalidf("sort", "sort by a metric or a dimension, with - for descending: -spend")
		}
	}
	if p.Limit != "" {
		n, err := strconv.Atoi(p.Limit)
		if err != nil || n < 1 || n > MaxLimit {
			return q, apperr.Invalidf("limit", "limit must be a whole number from 1 to %d", MaxLimit)
		}
		q.Limit = n
	}
	return q, nil
}

func parsePeriod(from, to, fromName, toName string, def Period) (Period, error) {
	p := def
	for _, f := range []struct {
		s    string
		name string
		dst  *model.Day
	}{{from, fromName, &p.From}, {to, toName, &p.To}} {
		if f.s == "" {
			continue
		}
		t, err := time.Parse(time.DateOnly, f.s)
		if err != nil {
			return p, apperr.Invalidf(f.name, "%s must be a date such as 2026-11-01", f.name)
		}
		*f.dst = model.DateDay(t.Date())
	}
	if p.To < p.From {
		return p, apperr.Invalidf(toName, "%s must not be before %s", toName, fromName)
	}
	if p.Days() > MaxDays {
		return p, apperr.Invalidf(toName, "a report covers at most %d days", MaxDays)
	}
	return p, nil
}

func list(s string) []string {
	var out []string
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part != "" {
			out = append(out, part)
		}
	}
	return out
}

func joinDims(ds []Dimension) string {
	s := make([]string, len(ds))
	for i, d := range ds {
		s[i] = string(d)
	}
	return strings.Join(s, ", ")
}

func joinMetrics(ms []Metric) string {
	s := make([]string, len(ms))
	for i, m := range ms {
		s[i] = string(m)
	}
	return strings.Join(s, ", ")
}

func short(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return false
		}
	}
	return true
}
