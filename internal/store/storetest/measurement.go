package storetest

import (
	"errors"
	"fmt"
	"iter"
	"slices"
	"time"

	"github.com/flintads/flint/internal/ids"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

// The measurement part of the suite: report rollups, the raw-event purge,
// conversions, orders, imported spend and attribution settings.
func init() {
	tests["ReportRollupLocalDays"] = testReportRollupLocalDays
	tests["ReportRollupDecisionDay"] = testReportRollupDecisionDay
	tests["ReportRollupGroups"] = testReportRollupGroups
	tests["ReportRollupOrganic"] = testReportRollupOrganic
	tests["ReportRollupManyAds"] = testReportRollupManyAds
	tests["ReportRollupMonths"] = testReportRollupMonths
	tests["OrdersMonths"] = testOrdersMonths
	tests["ReportImpressions"] = testReportImpressions
	tests["PurgeEvents"] = testPurgeEvents
	tests["MeasurementSettings"] = testMeasurementSettings
	tests["Conversions"] = testConversions
	tests["OrdersImport"] = testOrdersImport
	tests["OrdersAllOrNothing"] = testOrdersAllOrNothing
	tests["OrderWebhook"] = testOrderWebhook
	tests["SpendImport"] = testSpendImport
}

// zoneAds creates n ads of a new advertiser in the given time zone: two
// campaigns, the first with two ad groups.
func (f *fixture) zoneAds(tz string, n int) []model.Ad {
	f.t.Helper()
	adv := f.newAdvertiser(t0)
	adv.Timezone = tz
	f.createAccount(adv)
	c1, c2 := f.campaign(adv.ID, t0), f.campaign(adv.ID, t0)
	groups := []model.AdGroup{f.adGroup(c1, t0), f.adGroup(c1, t0), f.adGroup(c2, t0)}
	out := make([]model.Ad, n)
	for i := range out {
		out[i] = f.ad(groups[i%len(groups)], f.library(adv, t0).sparkPost, t0)
	}
	return out
}

func (f *fixture) stats(q model.StatsQuery) []model.StatsRow {
	f.t.Helper()
	rows, err := f.s.AdDayStats(f.ctx, q)
	f.check(err, "AdDayStats")
	slices.SortFunc(rows, func(a, b model.StatsRow) int {
		if a.Day != b.Day {
			return int(a.Day - b.Day)
		}
		for _, p := range [][2]string{{a.CampaignID, b.CampaignID}, {a.AdGroupID, b.AdGroupID}, {a.AdID, b.AdID},
			{a.PostID, b.PostID}, {a.CreatorID, b.CreatorID}} {
			if p[0] != p[1] {
				if p[0] < p[1] {
					return -1
				}
				return 1
			}
		}
		return 0
	})
	return rows
}

// testReportRollupLocalDays checks that paid events count on the local day
// of their advertiser, in a half-hour zone, on both sides of midnight.
func testReportRollupLocalDays(f *fixture) {
	ads := f.zoneAds("Asia/Kolkata", 1) // UTC+05:30
	ad := ads[0]
	// Local midnight of 2025-03-15 in Kolkata is 18:30 UTC on the 14th.
	midnight := time.Date(2025, 3, 14, 18, 30, 0, 0, time.UTC)
	c := newCounters()
	f.insert(c, []model.Event{
		paid("e1", model.EventImpression, ad, "d1", midnight.Add(-time.Minute), 4000, "d1-i"),
		paid("e2", model.EventClick, ad, "d1", midnight.Add(-30*time.Second), 0, "d1-c"),
		paid("e3", model.EventImpression, ad, "d2", midnight, 5000, "d2-i"),
		paid("e4", model.EventComplete, ad, "d2", midnight.Add(20*time.Minute), 0, "d2-x"),
		paid("e5", model.EventImpression, ad, "d3", midnight.Add(-20*time.Minute), 6000, "d3-i"),
	}, model.EventStored, model.EventStored, model.EventStored, model.EventStored, model.EventStored)
	// A duplicate counts nothing.
	f.insert(c, []model.Event{paid("e1", model.EventImpression, ad, "d9", midnight, 9999, "d9-i")}, model.EventDuplicate)

	d14, d15 := model.DateDay(2025, 3, 14), model.DateDay(2025, 3, 15)
	got := f.stats(model.StatsQuery{AdvertiserID: ad.AdvertiserID, From: d14, To: d15, GroupBy: model.ByDay})
	want := []model.StatsRow{
		{Day: d14, Stats: model.AdStats{Impressions: 2, Clicks: 1, Spend: 10000}},
		{Day: d15, Stats: model.AdStats{Impressions: 1, Completes: 1, WatchMS: 15_000, Spend: 5000}},
	}
	f.same(got, want, "rollup by local day")
	// One day only.
	got = f.stats(model.StatsQuery{AdvertiserID: ad.AdvertiserID, From: d15, To: d15})
	f.same(got, []model.StatsRow{{Stats: want[1].Stats}}, "rollup of one day")
	// Another advertiser sees nothing.
	other := f.advertiser()
	f.same(f.stats(model.StatsQuery{AdvertiserID: other.ID, From: d14, To: d15}), []model.StatsRow(nil), "other advertiser")
}

// testReportRollupDecisionDay checks that a paid event's spend counts on the
// local day of the decision that priced it, and its counts on the day of
// the event: the billing event of a decision made before the advertiser's
// midnight, arriving after it, is yesterday's spend (the clock budgets
// follow), and today's impression.
func testReportRollupDecisionDay(f *fixture) {
	ad := f.zoneAds("America/New_York", 1)[0]
	midnight := time.Date(2026, 3, 9, 4, 0, 0, 0, time.UTC) // 00:00 EDT on 2026-03-09
	late := paid("late", model.EventImpression, ad, "d1", midnight.Add(2*time.Minute), 7000, "d1-i")
	late.DecidedAt = midnight.Add(-3 * time.Minute)
	onTime := paid("ontime", model.EventImpression, ad, "d2", midnight.Add(time.Hour), 2000, "d2-i")
	onTime.DecidedAt = midnight.Add(time.Hour - time.Second)
	f.insert(newCounters(), []model.Event{late, onTime}, model.EventStored, model.EventStored)
	d8, d9 := model.DateDay(2026, 3, 8), model.DateDay(2026, 3, 9)
	want := []model.StatsRow{
		{Day: d8, Stats: model.AdStats{Spend: 7000}},
		{Day: d9, Stats: model.AdStats{Impressions: 2, Spend: 2000}},
	}
	f.same(f.stats(model.StatsQuery{AdvertiserID: ad.AdvertiserID, From: d8, To: d9, GroupBy: model.ByDay}), want,
		"ad rollup: spend on the decision's day, counts on the event's")
	f.same(f.stats(model.StatsQuery{AdvertiserID: ad.AdvertiserID, From: d8, To: d9, GroupBy: model.ByDay | model.ByCampaign}),
		[]model.StatsRow{{Day: d8, CampaignID: ad.CampaignID, Stats: want[0].Stats},
			{Day: d9, CampaignID: ad.CampaignID, Stats: want[1].Stats}}, "campaign rollup follows the same clock")
}

// testReportRollupGroups checks grouping and filters on both rollup
// tables, and that the campaign table agrees with the ad table.
func testReportRollupGroups(f *fixture) {
	ads := f.zoneAds("UTC", 3) // ads 0 and 1: campaign 1 (two groups); ad 2: campaign 2
	at := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	c := newCounters()
	var events []model.Event
	for i, ad := range ads {
		for k := range i + 1 {
			d := f.id("dec")
			events = append(events, paid(f.id("ev"), model.EventImpression, ad, d, at.Add(time.Duration(k)*time.Hour), 1000, d+"i"),
				paid(f.id("ev"), model.EventLike, ad, d, at, 0, d+"l"))
		}
	}
	out, err := f.s.InsertEvents(f.ctx, events)
	f.check(err, "InsertEvents")
	c.add(events, out)
	day := model.DateDay(2025, 3, 14)
	adv := ads[0].AdvertiserID

	byAd := f.stats(model.StatsQuery{AdvertiserID: adv, From: day, To: day, GroupBy: model.ByAd | model.ByCampaign | model.ByPost})
	if len(byAd) != 3 {
		f.t.Fatalf("by ad: %d rows, want 3", len(byAd))
	}
	for _, r := range byAd {
		want := c.ads[r.AdID]
		f.same(r.Stats, want, "ad %s", r.AdID)
		i := slices.IndexFunc(ads, func(a model.Ad) bool { return a.ID == r.AdID })
		if r.CampaignID != ads[i].CampaignID || r.PostID != ads[i].PostID || r.AdGroupID != "" {
			f.t.Fatalf("row %+v: dimensions do not match ad %+v", r, ads[i])
		}
	}
	byCampaign := f.stats(model.StatsQuery{AdvertiserID: adv, From: day, To: day, GroupBy: model.ByCampaign})
	want := map[string]model.AdStats{}
	for _, ad := range ads {
		s, w := want[ad.CampaignID], c.ads[ad.ID]
		s.Impressions += w.Impressions
		s.Likes += w.Likes
		s.Spend += w.Spend
		want[ad.CampaignID] = s
	}
	if len(byCampaign) != 2 {
		f.t.Fatalf("by campaign: %d rows, want 2", len(byCampaign))
	}
	for _, r := range byCampaign {
		f.same(r.Stats, want[r.CampaignID], "campaign %s", r.CampaignID)
	}
	// Filters: one ad group (ad table), one campaign (campaign table).
	g := f.stats(model.StatsQuery{AdvertiserID: adv, From: day, To: day, GroupBy: model.ByAdGroup, AdGroups: []string{ads[1].AdGroupID}})
	f.same(g, []model.StatsRow{{AdGroupID: ads[1].AdGroupID, Stats: c.ads[ads[1].ID]}}, "ad group filter")
	cr := f.stats(model.StatsQuery{AdvertiserID: adv, From: day, To: day, GroupBy: model.ByCreator, Campaigns: []string{ads[2].CampaignID}})
	if len(cr) != 1 || cr[0].CreatorID == "" {
		f.t.Fatalf("creator rows %+v", cr)
	}
	f.same(cr[0].Stats, c.ads[ads[2].ID], "creator of campaign 2")
}

func testReportRollupOrganic(f *fixture) {
	cr := f.creator()
	p := f.post(cr.ID, t0)
	at := time.Date(2025, 3, 14, 12, 10, 0, 0, time.UTC)
	c := newCounters()
	view := organic("o1", model.EventImpression, p.ID, at)
	done := organic("o2", model.EventComplete, p.ID, at.Add(time.Hour))
	done.WatchMS = 14_000
	f.insert(c, []model.Event{view, done, organic("o3", model.EventLike, p.ID, at), organic("o4", model.EventShare, p.ID, at)},
		model.EventStored, model.EventStored, model.EventStored, model.EventStored)
	got, err := f.s.PostActivity(f.ctx, []string{p.ID, "post-unknown"}, time.Time{})
	f.check(err, "PostActivity")
	f.same(got, map[string]model.PostActivity{p.ID: {PostID: p.ID, Views: 1, Completes: 1, WatchMS: 14_000, Likes: 1, Shares: 1}},
		"organic activity")
	got, err = f.s.PostActivity(f.ctx, []string{p.ID}, at.Add(time.Minute))
	f.check(err, "PostActivity since")
	f.same(got, map[string]model.PostActivity{p.ID: {PostID: p.ID, Completes: 1, WatchMS: 14_000}}, "organic activity since")
}

// keyed returns a paid event whose once key starts, as real ones do, with
// a time-ordered decision id made at the event's time.
func (f *fixture) keyed(typ model.EventType, ad model.Ad, at time.Time) model.Event {
	dec := ids.NewOrdered(ids.DecisionPrefix, at)
	e := paid(f.id("ev"), typ, ad, dec, at, 1000, "")
	e.OnceKey = append([]byte(dec), 0, byte(typ))
	return e
}

// anyKey bounds every once key.
var anyKey = []byte{0xff}

func testReportImpressions(f *fixture) {
	ads := f.zoneAds("UTC", 2)
	at := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	c := newCounters()
	i1, i2 := f.keyed(model.EventImpression, ads[0], at), f.keyed(model.EventImpression, ads[1], at.Add(time.Hour))
	i3, i4 := f.keyed(model.EventClick, ads[1], at.Add(time.Hour)), f.keyed(model.EventImpression, ads[1], at.Add(2*time.Hour))
	f.insert(c, []model.Event{i1, i2, i3, i4}, model.EventStored, model.EventStored, model.EventStored, model.EventStored)
	impressions := func(from, to time.Time, keyFrom, keyTo []byte) []string {
		var seen []string
		err := f.s.Impressions(f.ctx, ads[0].AdvertiserID, from, to, keyFrom, keyTo, func(adID, viewerID string, _ time.Time) error {
			seen = append(seen, adID+"/"+viewerID)
			return nil
		})
		f.check(err, "Impressions")
		slices.Sort(seen)
		return seen
	}
	f.same(impressions(at, at.Add(2*time.Hour), nil, anyKey), []string{ads[0].ID + "/" + i1.ViewerID, ads[1].ID + "/" + i2.ViewerID},
		"impressions in range")
	// The once-key bounds narrow the scan.
	f.same(impressions(at, at.Add(3*time.Hour), []byte(ids.OrderedFloor(ids.DecisionPrefix, at.Add(time.Minute))), anyKey),
		[]string{ads[1].ID + "/" + i2.ViewerID, ads[1].ID + "/" + i4.ViewerID}, "impressions within key bounds")
}

func testPurgeEvents(f *fixture) {
	ads := f.zoneAds("UTC", 1)
	cr := f.creator()
	post := f.post(cr.ID, t0)
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	c := newCounters()
	var events []model.Event
	for i := range 10 {
		day := at.Add(time.Duration(i) * 24 * time.Hour)
		events = append(events, f.keyed(model.EventImpression, ads[0], day), organic(f.id("org"), model.EventLike, post.ID, day))
	}
	out, err := f.s.InsertEvents(f.ctx, events)
	f.check(err, "InsertEvents")
	c.add(events, out)
	before := f.stats(model.StatsQuery{AdvertiserID: ads[0].AdvertiserID, From: 0, To: model.DateDay(2030, 1, 1)})
	cut := at.Add(5 * 24 * time.Hour)
	key := []byte(ids.OrderedFloor(ids.DecisionPrefix, cut))
	n, err := f.s.PurgeEvents(f.ctx, cut, key, 3)
	f.check(err, "PurgeEvents")
	if n != 6 {
		f.t.Fatalf("PurgeEvents with limit 3 deleted %d, want 3 of each kind", n)
	}
	n, err = f.s.PurgeEvents(f.ctx, cut, key, 100)
	f.check(err, "PurgeEvents")
	if n != 4 {
		f.t.Fatalf("second PurgeEvents deleted %d, want 4", n)
	}
	var left int
	f.check(f.s.Impressions(f.ctx, ads[0].AdvertiserID, at, at.Add(30*24*time.Hour), nil, anyKey, func(string, string, time.Time) error {
		left++
		return nil
	}), "Impressions")
	if left != 5 {
		f.t.Fatalf("%d raw impressions left, want 5", left)
	}
	f.same(f.stats(model.StatsQuery{AdvertiserID: ads[0].AdvertiserID, From: 0, To: model.DateDay(2030, 1, 1)}), before,
		"rollups after the purge")
	f.verify(c, nil, nil)
	// The remaining events are still there: sending them again is a duplicate.
	again := events[10:]
	out, err = f.s.InsertEvents(f.ctx, again)
	f.check(err, "InsertEvents again")
	for i, o := range out {
		if o != model.EventDuplicate {
			f.t.Fatalf("event %d kept after the purge: outcome %d", i, o)
		}
	}
}

func testMeasurementSettings(f *fixture) {
	adv := f.advertiser()
	_, err := f.s.MeasurementSettings(f.ctx, adv.ID)
	f.wantErr(err, store.ErrNotFound, "settings never saved")
	s := model.MeasurementSettings{AdvertiserID: adv.ID, ClickWindowDays: 14,
		UTMCampaigns: map[string]string{"summer-sale": "cmp_1"}, DiscountCodes: map[string]string{"SUMMER10": "cmp_1"},
		ShopifySecret: []byte{1, 2, 3}, UpdatedAt: t0}
	f.check(f.s.PutMeasurementSettings(f.ctx, s), "PutMeasurementSettings")
	got, err := f.s.MeasurementSettings(f.ctx, adv.ID)
	f.check(err, "MeasurementSettings")
	s.UpdatedAt = t0.Truncate(time.Microsecond)
	f.same(got, s, "settings round trip")
	s.ShopifySecret, s.UTMCampaigns = nil, nil
	f.check(f.s.PutMeasurementSettings(f.ctx, s), "PutMeasurementSettings again")
	got, err = f.s.MeasurementSettings(f.ctx, adv.ID)
	f.check(err, "MeasurementSettings")
	if got.ShopifySecret != nil || len(got.UTMCampaigns) != 0 || got.DiscountCodes["SUMMER10"] != "cmp_1" {
		f.t.Fatalf("settings after overwrite: %+v", got)
	}
}

func testConversions(f *fixture) {
	ads := f.zoneAds("UTC", 1)
	adv := ads[0].AdvertiserID
	at := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	c := newCounters()
	click := paid("k1", model.EventClick, ads[0], "d1", at, 0, "d1c")
	f.insert(c, []model.Event{click}, model.EventStored)
	clicks, err := f.s.Clicks(f.ctx, []string{click.ClickID, "nope"})
	f.check(err, "Clicks")
	f.same(clicks, map[string]model.Click{click.ClickID: {AdID: ads[0].ID, At: at}}, "clicks")

	day := model.DateDay(2025, 3, 14)
	conv := func(id, event, order string, value money.Micros) model.Conversion {
		return model.Conversion{AdvertiserID: adv, EventID: id, Event: event, ClickID: click.ClickID, OrderID: order,
			AdID: ads[0].ID, CampaignID: ads[0].CampaignID, Value: value, Currency: "USD", At: at, Day: day, ReceivedAt: at}
	}
	stored, err := f.s.InsertConversions(f.ctx, []model.Conversion{conv("c1", "purchase", "", 39_000_000),
		conv("c2", "purchase", "5001", 20_000_000), conv("c1", "purchase", "", 1), conv("c3", "add_to_cart", "", 5)})
	f.check(err, "InsertConversions")
	f.same(stored, []bool{true, true, false, true}, "stored")
	stored, err = f.s.InsertConversions(f.ctx, []model.Conversion{conv("c2", "purchase", "5001", 20_000_000)})
	f.check(err, "InsertConversions again")
	f.same(stored, []bool{false}, "stored again")

	// Order 5001 arrives from the store: the conversion carrying it becomes
	// a duplicate of the order.
	_, err = f.s.ImportOrders(f.ctx, adv, one([]model.Order{{OrderID: "5001", Name: "#1001", Source: "csv", CreatedAt: at,
		Day: day, Currency: "USD", Total: 20_000_000, Revenue: 20_000_000, Counted: true, FinancialStatus: "paid"}}))
	f.check(err, "ImportOrders")
	rows, err := f.s.ConversionRevenue(f.ctx, model.RevenueQuery{AdvertiserID: adv, From: day, To: day, ByDay: true})
	f.check(err, "ConversionRevenue")
	slices.SortFunc(rows, func(a, b model.RevenueRow) int { return int(a.Value - b.Value) })
	base := model.RevenueRow{Day: day, CampaignID: ads[0].CampaignID, AdID: ads[0].ID, Currency: "USD", Count: 1}
	dup := base
	dup.DuplicateOfOrder, dup.Value = true, 20_000_000
	plain := base
	plain.Value = 39_000_000
	f.same(rows, []model.RevenueRow{dup, plain}, "conversion revenue (purchases only)")
	// Not per day: the same sums, day 0.
	rows, err = f.s.ConversionRevenue(f.ctx, model.RevenueQuery{AdvertiserID: adv, From: day - 5, To: day + 5})
	f.check(err, "ConversionRevenue")
	slices.SortFunc(rows, func(a, b model.RevenueRow) int { return int(a.Value - b.Value) })
	dup.Day, plain.Day = 0, 0
	f.same(rows, []model.RevenueRow{dup, plain}, "conversion revenue over days")
}

func one[T any](batch []T) iter.Seq2[[]T, error] {
	return func(yield func([]T, error) bool) { yield(batch, nil) }
}

func (f *fixture) orderRevenue(adv string) map[string]model.RevenueRow {
	f.t.Helper()
	rows, err := f.s.OrderRevenue(f.ctx, model.RevenueQuery{AdvertiserID: adv, From: 0, To: model.DateDay(2030, 1, 1), ByDay: true})
	f.check(err, "OrderRevenue")
	out := map[string]model.RevenueRow{}
	for _, r := range rows {
		out[r.CampaignID] = r
	}
	return out
}

func testOrdersImport(f *fixture) {
	adv := f.advertiser().ID
	at := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	day := model.DateDay(2025, 3, 14)
	order := func(id, name string, total money.Micros, status string, counted bool, campaign string) model.Order {
		o := model.Order{OrderID: id, Name: name, Source: "csv", CreatedAt: at, Day: day, Currency: "USD", Total: total,
			FinancialStatus: model.OrderStatus(status), Counted: counted, CampaignID: campaign, ImportedAt: at}
		if counted {
			o.Revenue = total
		}
		if campaign != "" {
			o.AttributedBy = model.AttributedByUTM
		}
		return o
	}
	batch := []model.Order{order("1", "#1001", 10_000_000, "paid", true, "cmp_a"),
		order("2", "#1002", 20_000_000, "pending", false, ""), order("3", "#1003", 5_000_000, "paid", true, "")}
	counts, err := f.s.ImportOrders(f.ctx, adv, one(batch))
	f.check(err, "ImportOrders")
	f.same(counts, model.ImportCounts{Imported: 3}, "first import")
	counts, err = f.s.ImportOrders(f.ctx, adv, one(batch))
	f.check(err, "ImportOrders again")
	f.same(counts, model.ImportCounts{Skipped: 3}, "second import")
	f.same(f.orderRevenue(adv), map[string]model.RevenueRow{
		"cmp_a": {Day: day, CampaignID: "cmp_a", Currency: "USD", Count: 1, Value: 10_000_000},
		"":      {Day: day, Currency: "USD", Count: 1, Value: 5_000_000}}, "revenue")
	// #1002 is paid now; #1003 gets attributed; #1001 is known by name only.
	later := []model.Order{order("2", "#1002", 20_000_000, "paid", true, ""), order("3", "#1003", 5_000_000, "paid", true, "cmp_b"),
		order("#1001", "#1001", 10_000_000, "paid", true, "")}
	counts, err = f.s.ImportOrders(f.ctx, adv, one(later))
	f.check(err, "ImportOrders later")
	f.same(counts, model.ImportCounts{Updated: 2, Skipped: 1}, "later import")
	f.same(f.orderRevenue(adv), map[string]model.RevenueRow{
		"cmp_a": {Day: day, CampaignID: "cmp_a", Currency: "USD", Count: 1, Value: 10_000_000},
		"cmp_b": {Day: day, CampaignID: "cmp_b", Currency: "USD", Count: 1, Value: 5_000_000},
		"":      {Day: day, Currency: "USD", Count: 1, Value: 20_000_000}}, "revenue later")
	// Another advertiser's order with the same id is its own.
	other := f.advertiser().ID
	counts, err = f.s.ImportOrders(f.ctx, other, one(batch[:1]))
	f.check(err, "ImportOrders other")
	f.same(counts, model.ImportCounts{Imported: 1}, "other advertiser")
}

func testOrdersAllOrNothing(f *fixture) {
	adv := f.advertiser().ID
	at := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	broken := errors.New("line 7: unbalanced quote")
	seq := func(yield func([]model.Order, error) bool) {
		if !yield([]model.Order{{OrderID: "1", Name: "#1", Source: "csv", CreatedAt: at, Currency: "USD", Counted: true,
			Total: 1, Revenue: 1}}, nil) {
			return
		}
		yield(nil, broken)
	}
	_, err := f.s.ImportOrders(f.ctx, adv, seq)
	f.wantErr(err, broken, "ImportOrders with a broken file")
	f.same(f.orderRevenue(adv), map[string]model.RevenueRow{}, "nothing stored")
}

func testOrderWebhook(f *fixture) {
	adv := f.advertiser().ID
	at := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	o := model.Order{OrderID: "820982911946154508", Name: "#9999", Source: "webhook", CreatedAt: at, Currency: "USD",
		Total: 7_000_000, Revenue: 7_000_000, Counted: true, FinancialStatus: "paid", Day: model.DateDay(2025, 3, 14)}
	dup, counts, err := f.s.OrderWebhook(f.ctx, adv, "wh-1", at, &o)
	f.check(err, "OrderWebhook")
	if dup || counts.Imported != 1 {
		f.t.Fatalf("first delivery: dup %v, counts %+v", dup, counts)
	}
	dup, counts, err = f.s.OrderWebhook(f.ctx, adv, "wh-1", at, &o)
	f.check(err, "OrderWebhook replay")
	if !dup || counts != (model.ImportCounts{}) {
		f.t.Fatalf("replay: dup %v, counts %+v", dup, counts)
	}
	// Another delivery of the same order (Shopify retries with a new id in
	// some cases) is a repeat of the order.
	dup, counts, err = f.s.OrderWebhook(f.ctx, adv, "wh-2", at, &o)
	f.check(err, "OrderWebhook second delivery")
	if dup || counts.Skipped != 1 {
		f.t.Fatalf("second delivery: dup %v, counts %+v", dup, counts)
	}
	// A test order: the delivery is recorded, no order stored.
	dup, counts, err = f.s.OrderWebhook(f.ctx, adv, "wh-3", at, nil)
	f.check(err, "OrderWebhook test")
	if dup || counts != (model.ImportCounts{}) {
		f.t.Fatalf("test delivery: dup %v, counts %+v", dup, counts)
	}
	// The same order in a CSV later counts once.
	csv := o
	csv.Source = "csv"
	counts, err = f.s.ImportOrders(f.ctx, adv, one([]model.Order{csv}))
	f.check(err, "ImportOrders")
	f.same(counts, model.ImportCounts{Skipped: 1}, "CSV after webhook")
	if r := f.orderRevenue(adv)[""]; r.Count != 1 || r.Value != 7_000_000 {
		f.t.Fatalf("revenue %+v", r)
	}
}

func testSpendImport(f *fixture) {
	adv := f.advertiser().ID
	at := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	d1, d2 := model.DateDay(2025, 3, 1), model.DateDay(2025, 3, 2)
	n := func(v int64) *int64 { return &v }
	rows := []model.ChannelSpend{
		{Channel: "meta", Campaign: "Spring", SpanStart: d1, SpanEnd: d1, Spend: 10_000_000, Currency: "USD",
			Impressions: n(1000), ImportedAt: at},
		{Channel: "meta", Campaign: "Spring", SpanStart: d2, SpanEnd: d2, Spend: 5_000_000, Currency: "USD",
			Impressions: n(400), Clicks: n(3), ImportedAt: at},
		{Channel: "google", Campaign: "Brand", SpanStart: d1, SpanEnd: d2, Spend: 1_500_000, Currency: "EUR",
			ImportedAt: at},
		{Channel: "google", Campaign: "Old", SpanStart: d1 - 40, SpanEnd: d1 - 10, Spend: 1, Currency: "EUR", ImportedAt: at},
	}
	counts, err := f.s.ImportSpend(f.ctx, adv, one(rows))
	f.check(err, "ImportSpend")
	f.same(counts, model.ImportCounts{Imported: 4}, "first import")
	counts, err = f.s.ImportSpend(f.ctx, adv, one(rows))
	f.check(err, "ImportSpend again")
	f.same(counts, model.ImportCounts{Skipped: 4}, "second import")
	changed := slices.Clone(rows[:1])
	changed[0].Spend = 11_000_000
	counts, err = f.s.ImportSpend(f.ctx, adv, one(changed))
	f.check(err, "ImportSpend changed")
	f.same(counts, model.ImportCounts{Updated: 1}, "changed row")
	broken := errors.New("binary file")
	_, err = f.s.ImportSpend(f.ctx, adv, func(yield func([]model.ChannelSpend, error) bool) {
		if yield([]model.ChannelSpend{{Channel: "tiktok", Campaign: "X", SpanStart: d1, SpanEnd: d1, Currency: "USD",
			Spend: 1}}, nil) {
			yield(nil, broken)
		}
	})
	f.wantErr(err, broken, "broken import")
	got, err := f.s.ChannelSpend(f.ctx, model.SpendQuery{AdvertiserID: adv, From: d1, To: d1})
	f.check(err, "ChannelSpend")
	slices.SortFunc(got, func(a, b model.SpendRow) int { return int(a.Spend - b.Spend) })
	f.same(got, []model.SpendRow{
		{SpanStart: d1, SpanEnd: d2, Channel: "google", Campaign: "Brand", Currency: "EUR", Spend: 1_500_000},
		{SpanStart: d1, SpanEnd: d1, Channel: "meta", Campaign: "Spring", Currency: "USD", Spend: 11_000_000, Impressions: n(1000)},
	}, "spend overlapping day 1")
	channels, err := f.s.Channels(f.ctx, adv)
	f.check(err, "Channels")
	f.same(channels, []string{"google", "meta"}, "channels")
}

// testReportRollupManyAds stores one batch that touches more ads than one
// upsert statement carries, twice.
func testReportRollupManyAds(f *fixture) {
	ads := f.ads(60)
	at := time.Date(2025, 3, 14, 12, 0, 0, 0, time.UTC)
	for round := range 2 {
		var events []model.Event
		for _, ad := range ads {
			d := f.id("dec")
			events = append(events, paid(f.id("ev"), model.EventImpression, ad, d, at, 1000, d))
		}
		out, err := f.s.InsertEvents(f.ctx, events)
		f.check(err, "InsertEvents round %d", round)
		for i, o := range out {
			if o != model.EventStored {
				f.t.Fatalf("event %d: outcome %d", i, o)
			}
		}
	}
	day := model.DayOf(at, time.UTC) // the fixture's advertiser is in New York: still the 14th
	rows := f.stats(model.StatsQuery{AdvertiserID: ads[0].AdvertiserID, From: day, To: day, GroupBy: model.ByAd})
	if len(rows) != 60 {
		f.t.Fatalf("%d ad rows, want 60", len(rows))
	}
	for _, r := range rows {
		if r.Stats.Impressions != 2 || r.Stats.Spend != 2000 {
			f.t.Fatalf("row %+v", r)
		}
	}
	total := f.stats(model.StatsQuery{AdvertiserID: ads[0].AdvertiserID, From: day, To: day})
	f.same(total, []model.StatsRow{{Stats: model.AdStats{Impressions: 120, Spend: 120_000}}}, "campaign total")
}

// rangesAcrossMonths are the ranges the monthly sums are checked on, with
// the day they treat as today (0: unknown).
func rangesAcrossMonths() [][3]model.Day {
	d := func(m time.Month, day int) model.Day { return model.DateDay(2025, m, day) }
	return [][3]model.Day{{d(3, 1), d(3, 31), 0}, {d(3, 1), d(3, 14), d(3, 14)}, {d(3, 1), d(3, 20), 0},
		{d(3, 3), d(3, 31), 0}, {d(2, 10), d(3, 14), d(3, 14)}, {d(2, 1), d(4, 30), 0}, {d(3, 14), d(3, 14), d(3, 20)},
		{d(2, 20), d(2, 28), d(3, 14)}}
}

// testReportRollupMonths checks that sums read through the monthly rollup
// equal the sums of the days, for whole and partial months.
func testReportRollupMonths(f *fixture) {
	ads := f.zoneAds("UTC", 3)
	c := newCounters()
	var events []model.Event
	start := time.Date(2025, 2, 1, 6, 0, 0, 0, time.UTC)
	for i := range 120 {
		ad := ads[i%len(ads)]
		d := f.id("dec")
		at := start.Add(time.Duration(i) * 14 * time.Hour)
		events = append(events, paid(f.id("ev"), model.EventImpression, ad, d, at, money.Micros(1000+i), d+"i"),
			paid(f.id("ev"), model.EventClick, ad, d, at, 0, d+"c"))
	}
	out, err := f.s.InsertEvents(f.ctx, events)
	f.check(err, "InsertEvents")
	c.add(events, out)
	adv := ads[0].AdvertiserID
	for _, r := range rangesAcrossMonths() {
		days := f.stats(model.StatsQuery{AdvertiserID: adv, From: r[0], To: r[1], GroupBy: model.ByDay | model.ByCampaign})
		want := map[string]model.AdStats{}
		for _, row := range days {
			s := want[row.CampaignID]
			s.Impressions += row.Stats.Impressions
			s.Clicks += row.Stats.Clicks
			s.Spend += row.Stats.Spend
			want[row.CampaignID] = s
		}
		got := map[string]model.AdStats{}
		for _, row := range f.stats(model.StatsQuery{AdvertiserID: adv, From: r[0], To: r[1], Today: r[2], GroupBy: model.ByCampaign}) {
			got[row.CampaignID] = row.Stats
		}
		f.same(got, want, "campaign sums over %v–%v (today %v)", r[0], r[1], r[2])
	}
}

// testOrdersMonths checks the monthly order sums against the orders, also
// after orders change state and get attributed.
func testOrdersMonths(f *fixture) {
	adv := f.advertiser().ID
	start := time.Date(2025, 2, 1, 12, 0, 0, 0, time.UTC)
	var orders []model.Order
	for i := range 90 {
		at := start.Add(time.Duration(i) * 20 * time.Hour)
		o := model.Order{OrderID: fmt.Sprint(1000 + i), Name: fmt.Sprintf("#%d", i), Source: "csv", CreatedAt: at,
			Day: model.DayOf(at, time.UTC), Currency: "USD", Total: money.Micros(1_000_000 * (i + 1)), ImportedAt: at}
		if i%3 != 0 {
			o.FinancialStatus, o.Counted, o.Revenue = "paid", true, o.Total
		} else {
			o.FinancialStatus = "pending"
		}
		if i%4 == 0 {
			o.CampaignID, o.AttributedBy = "cmp_a", model.AttributedByUTM
		}
		orders = append(orders, o)
	}
	check := func(when string) {
		f.t.Helper()
		for _, r := range rangesAcrossMonths() {
			daily, err := f.s.OrderRevenue(f.ctx, model.RevenueQuery{AdvertiserID: adv, From: r[0], To: r[1], ByDay: true})
			f.check(err, "OrderRevenue by day")
			want := map[string]model.RevenueRow{}
			for _, row := range daily {
				w := want[row.CampaignID]
				w.CampaignID, w.Currency, w.Count, w.Value = row.CampaignID, row.Currency, w.Count+row.Count, w.Value+row.Value
				want[row.CampaignID] = w
			}
			sums, err := f.s.OrderRevenue(f.ctx, model.RevenueQuery{AdvertiserID: adv, From: r[0], To: r[1], Today: r[2]})
			f.check(err, "OrderRevenue")
			got := map[string]model.RevenueRow{}
			for _, row := range sums {
				got[row.CampaignID] = row
			}
			f.same(got, want, "%s: orders over %v–%v (today %v)", when, r[0], r[1], r[2])
		}
	}
	_, err := f.s.ImportOrders(f.ctx, adv, one(orders))
	f.check(err, "ImportOrders")
	check("first import")
	// Pending orders get paid, some paid ones are refunded, some get
	// attributed.
	for i := range orders {
		o := &orders[i]
		switch {
		case i%3 == 0:
			o.FinancialStatus, o.Counted, o.Revenue = "paid", true, o.Total
		case i%5 == 0:
			o.FinancialStatus, o.Counted, o.Revenue = "refunded", false, 0
		}
		if i%7 == 0 && o.CampaignID == "" {
			o.CampaignID, o.AttributedBy = "cmp_b", model.AttributedByDiscount
		}
	}
	_, err = f.s.ImportOrders(f.ctx, adv, one(orders))
	f.check(err, "ImportOrders again")
	check("after changes")
}
