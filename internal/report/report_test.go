package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

// fakeStore serves fixed rows; it applies the campaign filter and the
// grouping of AdDayStats as the real store does.
type fakeStore struct {
	stats       []model.StatsRow // per day and ad
	conversions []model.RevenueRow
	orders      []model.RevenueRow
	spend       []model.SpendRow
	campaigns   []model.Campaign
	ads         []model.Ad
	impressions []impression
	posts       map[string]model.Post
	postStats   map[string]model.PostStats
	activity    map[string]model.PostActivity
	library     []model.SparkPost
	hours       []model.AdHourRow
}

func (f *fakeStore) AdHourStats(_ context.Context, _ string, from, to time.Time) ([]model.AdHourRow, error) {
	var out []model.AdHourRow
	for _, r := range f.hours {
		if !r.Hour.Before(from) && r.Hour.Before(to) {
			out = append(out, r)
		}
	}
	return out, nil
}

type impression struct {
	ad, viewer string
	at         time.Time
}

func (f *fakeStore) AdDayStats(_ context.Context, q model.StatsQuery) ([]model.StatsRow, error) {
	groups := map[model.StatsRow]model.AdStats{}
	var order []model.StatsRow
	for _, r := range f.stats {
		if r.Day < q.From || r.Day > q.To || (len(q.Campaigns) > 0 && !slices.Contains(q.Campaigns, r.CampaignID)) {
			continue
		}
		k := model.StatsRow{}
		if q.GroupBy&model.ByDay != 0 {
			k.Day = r.Day
		}
		if q.GroupBy&model.ByCampaign != 0 {
			k.CampaignID = r.CampaignID
		}
		if q.GroupBy&model.ByAd != 0 {
			k.AdID = r.AdID
		}
		s, ok := groups[k]
		if !ok {
			order = append(order, k)
		}
		s.Impressions += r.Stats.Impressions
		s.Clicks += r.Stats.Clicks
		s.Likes += r.Stats.Likes
		s.WatchMS += r.Stats.WatchMS
		s.Spend += r.Stats.Spend
		groups[k] = s
	}
	var out []model.StatsRow
	for _, k := range order {
		k.Stats = groups[k]
		out = append(out, k)
	}
	return out, nil
}

func inRange(rows []model.RevenueRow, q model.RevenueQuery) []model.RevenueRow {
	var out []model.RevenueRow
	for _, r := range rows {
		if r.Day >= q.From && r.Day <= q.To {
			if !q.ByDay {
				r.Day = 0
			}
			out = append(out, r)
		}
	}
	return out
}

func (f *fakeStore) ConversionRevenue(_ context.Context, q model.RevenueQuery) ([]model.RevenueRow, error) {
	return inRange(f.conversions, q), nil
}
func (f *fakeStore) OrderRevenue(_ context.Context, q model.RevenueQuery) ([]model.RevenueRow, error) {
	return inRange(f.orders, q), nil
}
func (f *fakeStore) ChannelSpend(_ context.Context, q model.SpendQuery) ([]model.SpendRow, error) {
	var out []model.SpendRow
	for _, r := range f.spend {
		if r.SpanEnd >= q.From && r.SpanStart <= q.To {
			out = append(out, r)
		}
	}
	return out, nil
}
func (f *fakeStore) Channels(context.Context, string) ([]string, error) { return []string{"meta"}, nil }
func (f *fakeStore) Impressions(_ context.Context, _ string, from, to time.Time, _, _ []byte, fn func(string, string, time.Time) error) error {
	for _, i := range f.impressions {
		if !i.at.Before(from) && i.at.Before(to) {
			if err := fn(i.ad, i.viewer, i.at); err != nil {
				return err
			}
		}
	}
	return nil
}
func (f *fakeStore) PostActivity(_ context.Context, ids []string, _ time.Time) (map[string]model.PostActivity, error) {
	return f.activity, nil
}
func (f *fakeStore) PostStats(context.Context, []string) (map[string]model.PostStats, error) {
	return f.postStats, nil
}
func (f *fakeStore) ListCampaigns(context.Context, string) ([]model.Campaign, error) {
	return f.campaigns, nil
}
func (f *fakeStore) ListAdGroups(context.Context, string, string) ([]model.AdGroup, error) {
	return nil, nil
}
func (f *fakeStore) ListAds(context.Context, string, string) ([]model.Ad, error) { return f.ads, nil }
func (f *fakeStore) ListPosts(context.Context, string) ([]model.Post, error) {
	var out []model.Post
	for _, p := range f.posts {
		out = append(out, p)
	}
	slices.SortFunc(out, func(a, b model.Post) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}
func (f *fakeStore) ListSparkPosts(context.Context, string) ([]model.SparkPost, error) {
	return f.library, nil
}
func (f *fakeStore) GetPost(_ context.Context, id string) (model.Post, error) {
	p, ok := f.posts[id]
	if !ok {
		return p, store.ErrNotFound
	}
	return p, nil
}
func (f *fakeStore) GetAccount(_ context.Context, id string) (model.Account, error) {
	return model.Account{ID: id, Handle: "h" + id}, nil
}

var adv = model.Account{ID: "adv", Kind: model.KindAdvertiser, Currency: "USD", Timezone: "America/New_York"}

func world() *fakeStore {
	d1, d2 := day(11, 1), day(11, 2)
	return &fakeStore{
		campaigns: []model.Campaign{{ID: "c1", Name: "Summer"}, {ID: "c2", Name: "=HYPERLINK(\"x\")"}},
		ads:       []model.Ad{{ID: "a1", CampaignID: "c1", PostID: "p1"}, {ID: "a2", CampaignID: "c2", PostID: "p2"}},
		stats: []model.StatsRow{
			{Day: d1, CampaignID: "c1", AdID: "a1", Stats: model.AdStats{Impressions: 1000, Clicks: 10, Spend: 3_333_333}},
			{Day: d2, CampaignID: "c1", AdID: "a1", Stats: model.AdStats{Impressions: 3000, Clicks: 20, Spend: 3_333_333}},
			{Day: d1, CampaignID: "c2", AdID: "a2", Stats: model.AdStats{Impressions: 500, Spend: 3_333_334}},
		},
		orders: []model.RevenueRow{
			{Day: d1, CampaignID: "c1", Currency: "USD", Count: 2, Value: 50_000_000},
			{Day: d2, Currency: "USD", Count: 1, Value: 7_000_000},
			{Day: d2, Currency: "EUR", Count: 1, Value: 9_000_000},
		},
		conversions: []model.RevenueRow{
			{Day: d1, CampaignID: "c1", AdID: "a1", Currency: "USD", Count: 1, Value: 20_000_000, DuplicateOfOrder: true},
			{Day: d2, CampaignID: "c1", AdID: "a1", Currency: "USD", Count: 1, Value: 5_000_000},
		},
		spend: []model.SpendRow{{SpanStart: d1, SpanEnd: d1 + 2, Channel: "meta", Campaign: "Brand", Currency: "USD",
			Spend: 10_000_000, Impressions: ptr(301)}},
	}
}

func ptr(v int64) *int64 { return &v }

func run(t *testing.T, f *fakeStore, q Query) *Report {
	t.Helper()
	if q.Period == (Period{}) {
		q.Period = Period{day(11, 1), day(11, 2)}
	}
	r, err := New(f, clock.NewManual(time.Date(2026, 11, 25, 0, 0, 0, 0, time.UTC)), Options{Retention: 30 * 24 * time.Hour}).Run(
		context.Background(), adv, q)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func cell(r *Report, row Row, m Metric) Value { return row.Values[slices.Index(r.Metrics, m)] }

func TestReportByCampaign(t *testing.T) {
	r := run(t, world(), Query{Dimensions: []Dimension{DimCampaign},
		Metrics: []Metric{Spend, Impressions, Clicks, CTR, CPM, StoreRevenue, Revenue, Conversions, ROAS, Likes}})
	byName := map[string]Row{}
	for _, row := range r.Rows {
		byName[row.Labels[0].Name] = row
	}
	if len(r.Rows) != 4 {
		t.Fatalf("%d rows: %+v", len(r.Rows), r.Rows)
	}
	summer, brand, none := byName["Summer"], byName["Brand (meta)"], byName["(unattributed)"]
	// Rates from sums: CTR = 30 / 4000, never the mean of 1% and 0.67%.
	if v := cell(r, summer, CTR); math.Abs(v.Float-30.0/4000) > 1e-12 {
		t.Errorf("CTR %v", v.Float)
	}
	// Revenue: the order (50) and the conversion without an order id (5);
	// the conversion that duplicates an order is not counted again.
	if v := cell(r, summer, Revenue); v.Money != 55_000_000 {
		t.Errorf("revenue %v", v.Money)
	}
	if v := cell(r, summer, Conversions); v.Int != 3 {
		t.Errorf("conversions %v", v.Int)
	}
	// Imported spend for 2 of its 3 days: 3.333334 + 3.333333; its
	// impressions 101 + 100; clicks unknown (null), likes not measured.
	if v := cell(r, brand, Spend); v.Money != 6_670_000 { // 6.666667, shown in cents
		t.Errorf("imported spend %v", v.Money)
	}
	if cell(r, brand, Impressions).Int != 201 || !cell(r, brand, Clicks).Null || !cell(r, brand, Likes).Null ||
		!cell(r, brand, StoreRevenue).Null {
		t.Errorf("imported row %+v", brand.Values)
	}
	// The unattributed line: revenue, no spend; the EUR order is excluded.
	if !cell(r, none, Spend).Null || cell(r, none, StoreRevenue).Money != 7_000_000 || !cell(r, none, ROAS).Null {
		t.Errorf("unattributed row %+v", none.Values)
	}
	if len(r.Excluded) != 1 || r.Excluded[0].Currency != "EUR" || r.Excluded[0].Amount != 9_000_000 {
		t.Errorf("excluded %+v", r.Excluded)
	}
	// Totals are the sums of the rows, for every additive column.
	for _, m := range []Metric{Spend, Impressions, Clicks, StoreRevenue, Revenue, Conversions} {
		var sum int64
		for _, row := range r.Rows {
			v := cell(r, row, m)
			sum += v.Int + int64(v.Money)
		}
		tv := cell(r, r.Totals, m)
		if tv.Int+int64(tv.Money) != sum {
			t.Errorf("%s: total %v, rows add up to %d", m, tv, sum)
		}
	}
	if got := cell(r, r.Totals, Spend).Money; got != 16_670_000 { // 3.333333+3.333333+3.333334+6.666667 = 16.666667
		t.Errorf("total spend %v", got)
	}
}

func TestReportChannelsAndDays(t *testing.T) {
	f := world()
	// Our own ads only ("tiktok" is an alias): no Meta row; unattributed
	// revenue still shows.
	r := run(t, f, Query{Dimensions: []Dimension{DimDay}, Metrics: []Metric{Spend, StoreRevenue}, Channels: []string{"tiktok"}})
	if len(r.Rows) != 2 || r.Rows[0].Labels[0].Name != "2026-11-01" {
		t.Fatalf("rows %+v", r.Rows)
	}
	if cell(r, r.Rows[0], Spend).Money != 6_670_000 || cell(r, r.Rows[1], StoreRevenue).Money != 7_000_000 {
		t.Fatalf("day rows %+v", r.Rows)
	}
	// By channel: flint, meta, and (with revenue asked for) the
	// unattributed line.
	r = run(t, f, Query{Dimensions: []Dimension{DimChannel}, Metrics: []Metric{Spend, StoreRevenue}})
	var names []string
	for _, row := range r.Rows {
		names = append(names, row.Labels[0].Name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"flint", "meta", "unattributed"}) {
		t.Fatalf("channels %v", names)
	}
}

func TestReportLimitSortAndCSV(t *testing.T) {
	r := run(t, world(), Query{Dimensions: []Dimension{DimCampaign}, Metrics: []Metric{Spend, Impressions},
		Sort: Sort{By: string(Impressions), Desc: true}, Limit: 1})
	if len(r.Rows) != 2 || r.Rows[0].Labels[0].Name != "Summer" || r.Rows[1].Other != 2 {
		t.Fatalf("rows %+v", r.Rows)
	}
	var buf bytes.Buffer
	r = run(t, world(), Query{Dimensions: []Dimension{DimCampaign}, Metrics: []Metric{Spend, CTR}})
	if err := r.WriteCSV(&buf); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], []string{"campaign", "campaign_id", "spend", "ctr"}) || recs[len(recs)-1][0] != "Total" {
		t.Fatalf("CSV %q", recs)
	}
	for _, rec := range recs {
		for _, c := range rec {
			if c != "" && strings.ContainsRune("=+-@", rune(c[0])) {
				t.Fatalf("cell %q is not neutralised", c)
			}
		}
	}
	if !strings.Contains(buf.String(), "") || !slices.ContainsFunc(recs, func(r []string) bool { return r[0] == `'=HYPERLINK("x")` }) {
		t.Fatalf("formula campaign name not kept as text: %q", recs)
	}
}

func TestReportReach(t *testing.T) {
	f := world()
	at := time.Date(2026, 11, 1, 15, 0, 0, 0, time.UTC)
	f.impressions = []impression{{"a1", "v1", at}, {"a1", "v1", at.Add(time.Hour)}, {"a1", "v2", at}, {"a2", "v1", at}}
	r := run(t, f, Query{Dimensions: []Dimension{DimCampaign}, Metrics: []Metric{Reach}, Channels: []string{"flint"}})
	got := map[string]Value{}
	for _, row := range r.Rows {
		got[row.Labels[0].Name] = row.Values[0]
	}
	if got["Summer"].Int != 2 || got[`=HYPERLINK("x")`].Int != 1 || r.Totals.Values[0].Int != 2 {
		t.Fatalf("reach %+v, total %+v", got, r.Totals.Values)
	}
	// Before the retention window: not measured.
	r = run(t, f, Query{Metrics: []Metric{Reach}, Period: Period{day(9, 1), day(9, 30)}})
	if !r.Totals.Values[0].Null || len(r.Notes) == 0 {
		t.Fatalf("reach outside retention: %+v %v", r.Totals, r.Notes)
	}
}

func TestApportion(t *testing.T) {
	// Three rows of 0.333333: shown 0.34, 0.33, 0.33 = 1.00, the rounded total.
	rep := &Report{Metrics: []Metric{Spend}, Rows: []Row{{Values: []Value{{Money: 333_333}}}, {Values: []Value{{Money: 333_333}}},
		{Values: []Value{{Money: 333_334}}}}, Totals: Row{Values: []Value{{Money: 1_000_000}}}}
	apportion(rep, 2)
	var sum money.Micros
	for _, r := range rep.Rows {
		sum += r.Values[0].Money
		if r.Values[0].Money%10_000 != 0 {
			t.Fatalf("row %v not in cents", r.Values[0].Money)
		}
	}
	if sum != 1_000_000 || rep.Totals.Values[0].Money != 1_000_000 {
		t.Fatalf("rows %v, total %v", sum, rep.Totals.Values[0].Money)
	}
}

func TestParseQuery(t *testing.T) {
	now := time.Date(2026, 11, 25, 3, 0, 0, 0, time.UTC) // still the 24th in New York
	q, err := ParseQuery(Params{Dimensions: "campaign,day", Metrics: "spend,roas", Sort: "-spend", Limit: "10"}, now, ny)
	if err != nil || q.Period != (Period{day(11, 1), day(11, 24)}) || q.Sort != (Sort{"spend", true}) || q.Limit != 10 {
		t.Fatalf("%+v %v", q, err)
	}
	for _, p := range []Params{{Dimensions: "hour"}, {Metrics: "units_sold"}, {From: "2026-13-01"}, {From: "2026-11-02", To: "2026-11-01"},
		{From: "2020-01-01", To: "2026-01-01"}, {Sort: "nope"}, {Limit: "0"}, {CompareFrom: "2026-10-01"}, {Campaigns: "a\x00b"}} {
		if _, err := ParseQuery(p, now, ny); err == nil {
			t.Errorf("ParseQuery(%+v) succeeded", p)
		}
	}
}

// TestRecommendations checks the example the issue gives: a post with 10
// views and 2 likes does not outrank one with 10,000 views and 1,500.
func TestRecommendations(t *testing.T) {
	f := &fakeStore{
		posts: map[string]model.Post{"small": {ID: "small", Caption: "new"}, "proven": {ID: "proven", Caption: "hit"},
			"weak": {ID: "weak", Caption: "meh"}, "gone": {ID: "gone", Deleted: true}},
		postStats: map[string]model.PostStats{
			"small":  {Organic: model.Engagement{Views: 10, Likes: 2}},
			"proven": {Organic: model.Engagement{Views: 10_000, Likes: 1_200, Comments: 200, Shares: 100}},
			"weak":   {Organic: model.Engagement{Views: 20_000, Likes: 400}},
		},
		activity: map[string]model.PostActivity{
			"small":  {Views: 10, Completes: 5},
			"proven": {Views: 10_000, Completes: 4_000},
			"weak":   {Views: 20_000, Completes: 2_000},
		},
	}
	s := New(f, clock.NewManual(time.Now()), Options{})
	cands, err := s.Recommendations(context.Background(), model.Account{ID: "cr", Kind: model.KindCreator})
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, c := range cands {
		order = append(order, c.Post.ID)
		if c.Reason == "" {
			t.Errorf("%s has no reason", c.Post.ID)
		}
	}
	if !slices.Equal(order, []string{"proven", "small", "weak"}) {
		t.Fatalf("order %v", order)
	}
	if !strings.Contains(cands[1].Reason, "only 10 views") || !strings.Contains(cands[0].Reason, "15.0% engagement") {
		t.Fatalf("reasons: %q / %q", cands[0].Reason, cands[1].Reason)
	}
}
