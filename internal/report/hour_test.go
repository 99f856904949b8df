package report

import (
	"testing"
	"time"

	"github.com/flintads/flint/internal/model"
)

// TestReportByHour: hourly reports read the hourly rollups of the local
// days asked for, name each hour by its local start (two rows named alike
// when clocks go back), leave revenue and imported spend out, and add up
// to the daily report of the same days.
func TestReportByHour(t *testing.T) {
	f := world()
	utc := func(d, h int) time.Time { return time.Date(2026, 11, d, h, 0, 0, 0, time.UTC) }
	// New York: 2026-11-01 starts at 04:00 UTC (EDT), clocks go back at
	// 06:00 UTC (01:00 EDT → 01:00 EST), and 2026-11-02 starts at 05:00 UTC.
	f.hours = []model.AdHourRow{
		{AdID: "a1", Hour: utc(1, 3), Stats: model.AdStats{Impressions: 7, Spend: 700}}, // Oct 31 local: outside
		{AdID: "a1", Hour: utc(1, 4), Stats: model.AdStats{Impressions: 10, Clicks: 1, Spend: 1_000}},
		{AdID: "a1", Hour: utc(1, 5), Stats: model.AdStats{Impressions: 20, Spend: 2_000}}, // 01:00 EDT
		{AdID: "a1", Hour: utc(1, 6), Stats: model.AdStats{Impressions: 30, Spend: 3_000}}, // 01:00 EST
		{AdID: "a2", Hour: utc(1, 6), Stats: model.AdStats{Impressions: 40, Spend: 4_000}}, // other campaign
		{AdID: "a1", Hour: utc(3, 4), Stats: model.AdStats{Impressions: 50, Spend: 5_000}}, // Nov 2 local, 23:00
		{AdID: "a1", Hour: utc(3, 5), Stats: model.AdStats{Impressions: 99, Spend: 9_900}}, // Nov 3 local: outside
		{AdID: "zz", Hour: utc(1, 8), Stats: model.AdStats{Impressions: 1, Spend: 100}},    // not the advertiser's ad
	}
	r := run(t, f, Query{Dimensions: []Dimension{DimCampaign, DimHour},
		Metrics: []Metric{Spend, Impressions, Clicks, Revenue}})
	type row struct {
		campaign, hour string
		impressions    int64
	}
	var got []row
	for _, x := range r.Rows {
		got = append(got, row{x.Labels[0].ID, x.Labels[1].Name, cell(r, x, Impressions).Int})
		if !cell(r, x, Revenue).Null {
			t.Errorf("hour %s: revenue %v, want not measured", x.Labels[1].Name, cell(r, x, Revenue))
		}
	}
	want := []row{{"c1", "2026-11-01 00:00", 10}, {"c1", "2026-11-01 01:00", 20}, {"c2", "2026-11-01 01:00", 40},
		{"c1", "2026-11-01 01:00", 30}, {"c1", "2026-11-02 23:00", 50}}
	if len(got) != len(want) {
		t.Fatalf("rows %v, want %v", got, want)
	}
	for _, w := range want {
		n := 0
		for _, g := range got {
			if g == w {
				n++
			}
		}
		if n != 1 {
			t.Errorf("row %v appears %d times in %v", w, n, got)
		}
	}
	if tot := cell(r, r.Totals, Impressions).Int; tot != 150 {
		t.Errorf("total impressions %d, want 150", tot)
	}
	if sp := cell(r, r.Totals, Spend).Money; sp != 20_000 {
		t.Errorf("total spend %d micros, want 0.015 rounded to the cent", sp)
	}
	// Imported spend (meta) is not broken down by hour.
	for _, x := range r.Rows {
		if x.Labels[0].ID == "meta:Brand" {
			t.Errorf("imported spend in an hourly report: %+v", x)
		}
	}
}
