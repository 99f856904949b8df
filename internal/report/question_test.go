package report

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flintads/flint/internal/model"
)

var ny, _ = time.LoadLocation("America/New_York")

// questionCtx is 2026-11-25 10:00 in New York, with imported Meta and
// TikTok spend and two campaigns.
var questionCtx = QuestionContext{Now: time.Date(2026, 11, 25, 15, 0, 0, 0, time.UTC), Location: ny, Own: DefaultChannel,
	Imported: []string{"meta", "tiktok"}, Campaigns: []model.Campaign{{ID: "cmp_1", Name: "Summer Sale"}, {ID: "cmp_2", Name: "Summer"}}}

func day(m time.Month, d int) model.Day { return model.DateDay(2026, m, d) }

func TestParseQuestion(t *testing.T) {
	for q, want := range map[string]struct {
		metrics  []Metric
		dims     []Dimension
		period   Period
		compare  *Period
		channels []string
		filter   []string
		limit    int
		chart    string
	}{
		"Show me a report comparing TikTok spend vs. Shopify revenue by campaign this month": {
			[]Metric{Spend, StoreRevenue, StoreROAS}, []Dimension{DimCampaign}, Period{day(11, 1), day(11, 25)}, nil,
			[]string{"flint"}, nil, 0, "grouped_bar"},
		"spend per day last 7 days": {[]Metric{Spend}, []Dimension{DimDay}, Period{day(11, 19), day(11, 25)}, nil, nil, nil, 0, "line"},
		"daily cost and sales in October": {[]Metric{Spend, Revenue, ROAS}, []Dimension{DimDay},
			Period{day(10, 1), day(10, 31)}, nil, nil, nil, 0, "line"},
		"top 5 posts by engagement rate yesterday": {[]Metric{EngagementRate}, []Dimension{DimPost}, Period{day(11, 24), day(11, 24)},
			nil, nil, nil, 5, "bar"},
		"CPA by creator since Nov 3": {[]Metric{CPA}, []Dimension{DimCreator}, Period{day(11, 3), day(11, 25)}, nil, nil, nil, 0, "bar"},
		"clicks last week vs the week before": {[]Metric{Clicks}, nil, Period{day(11, 16), day(11, 22)},
			&Period{day(11, 9), day(11, 15)}, nil, nil, 0, "grouped_bar"},
		"return on ad spend for campaign Summer Sale this month": {[]Metric{ROAS}, nil, Period{day(11, 1), day(11, 25)}, nil, nil,
			[]string{"cmp_1"}, 0, "number"},
		"Meta spend vs TikTok spend by campaign": {[]Metric{Spend}, []Dimension{DimChannel, DimCampaign},
			Period{day(11, 1), day(11, 25)}, nil, []string{"meta", "flint"}, nil, 0, "grouped_bar"},
		"imported TikTok spend weekly this year": {[]Metric{Spend}, []Dimension{DimWeek}, Period{day(1, 1), day(11, 25)}, nil,
			[]string{"tiktok"}, nil, 0, "line"},
		"impressions, reach and ctr by ad group last month": {[]Metric{Impressions, Reach, CTR}, []Dimension{DimAdGroup},
			Period{day(10, 1), day(10, 31)}, nil, nil, nil, 0, "grouped_bar"},
		"What was our average watch time per video between Nov 1 and Nov 10?": {[]Metric{AvgWatchTime}, []Dimension{DimPost},
			Period{day(11, 1), day(11, 10)}, nil, nil, nil, 0, "bar"},
	} {
		t.Run(q, func(t *testing.T) {
			query, in, err := ParseQuestion(q, questionCtx)
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(query.Metrics, want.metrics) || !slices.Equal(query.Dimensions, want.dims) ||
				query.Period != want.period || !slices.Equal(query.Channels, want.channels) ||
				!slices.Equal(query.Campaigns, want.filter) || query.Limit != want.limit || in.Chart != want.chart {
				t.Fatalf("got %+v chart %s", query, in.Chart)
			}
			if (query.Compare == nil) != (want.compare == nil) || (want.compare != nil && *query.Compare != *want.compare) {
				t.Fatalf("compare %v, want %v", query.Compare, want.compare)
			}
			if in.Summary == "" {
				t.Fatal("no summary")
			}
		})
	}
}

// TestSeedQuestionInterpretation checks what the answer says about the
// seed's question: TikTok is our own ads, not the imported TikTok spend.
func TestSeedQuestionInterpretation(t *testing.T) {
	_, in, err := ParseQuestion("Show me a report comparing TikTok spend vs. Shopify revenue by campaign this month", questionCtx)
	if err != nil {
		t.Fatal(err)
	}
	notes := strings.Join(in.Notes, " ")
	for _, want := range []string{"our own ads (flint)", "not the tiktok spend you imported", "store orders only"} {
		if !strings.Contains(notes, want) {
			t.Errorf("notes %q lack %q", notes, want)
		}
	}
	if !strings.Contains(in.Summary, "2026-11-01 – 2026-11-25, America/New_York") {
		t.Errorf("summary %q", in.Summary)
	}
}

func TestQuestionRefused(t *testing.T) {
	for q, want := range map[string]struct {
		unsupported, notUnderstood []string
		suggestion                 string
	}{
		"units sold by campaign this month":     {[]string{"units sold"}, nil, "conversions by campaign this month"},
		"how many new customers did we get?":    {[]string{"new customers"}, nil, "conversions"},
		"spend by campain":                      {nil, []string{"campain"}, "spend by campaign"},
		"what's the weather like":               {nil, []string{"weather"}, "spend vs revenue by campaign this month"},
		"lifetime value and spend by campaign":  {[]string{"lifetime value"}, nil, "spend vs revenue by campaign this month"},
		"profit per day":                        {[]string{"profit"}, nil, "ROAS by day"},
		"spend by campaign for campaign Winter": {nil, []string{"campaign", "Winter"}, "spend by campaign this month"},
	} {
		t.Run(q, func(t *testing.T) {
			_, _, err := ParseQuestion(q, questionCtx)
			var qe *QuestionError
			if !errors.As(err, &qe) {
				t.Fatalf("error %v, want a QuestionError", err)
			}
			if qe.Err.Code != CodeQuestionNotUnderstood || !slices.Equal(qe.Interpretation.Unsupported, want.unsupported) ||
				!slices.Equal(qe.Interpretation.NotUnderstood, want.notUnderstood) || !strings.HasPrefix(qe.Suggestion, want.suggestion) {
				t.Fatalf("got %s; unsupported %v; not understood %v; suggestion %q", qe.Err.Message, qe.Interpretation.Unsupported,
					qe.Interpretation.NotUnderstood, qe.Suggestion)
			}
			for _, u := range want.unsupported {
				if !strings.Contains(qe.Err.Message, u) {
					t.Fatalf("message %q does not name %q", qe.Err.Message, u)
				}
			}
			// The suggestion is a question Flint answers.
			if _, _, err := ParseQuestion(qe.Suggestion, questionCtx); err != nil {
				t.Fatalf("suggestion %q fails: %v", qe.Suggestion, err)
			}
		})
	}
	if _, _, err := ParseQuestion(strings.Repeat("spend ", 100), questionCtx); err == nil {
		t.Fatal("a question over the length limit was accepted")
	}
}

func BenchmarkParseQuestion(b *testing.B) {
	for _, q := range []string{"Show me a report comparing TikTok spend vs. Shopify revenue by campaign this month",
		"clicks last week vs the week before", "spend by campain"} {
		b.Run(strings.Fields(q)[0], func(b *testing.B) {
			for b.Loop() {
				ParseQuestion(q, questionCtx)
			}
		})
	}
}

// FuzzParseQuestion checks that any text parses or is refused, never
// panics, and that an accepted question has a metric and a valid period.
func FuzzParseQuestion(f *testing.F) {
	for _, q := range []string{"Show me a report comparing TikTok spend vs. Shopify revenue by campaign this month",
		"top 5 posts", "clicks last week vs the week before", "since Nov 3", "in may 2026", "from 2026-11-01 to 2026-11-03",
		"spend by campain", "last 99999999999 days"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		query, _, err := ParseQuestion(q, questionCtx)
		if err != nil {
			return
		}
		if len(query.Metrics) == 0 || query.Period.To < query.Period.From || query.Period.Days() > MaxDays {
			t.Fatalf("%q: %+v", q, query)
		}
	})
}

// BenchmarkParseQuestionManyCampaigns parses the seed's question for an
// advertiser with 1,000 campaigns (names are matched for filters).
func BenchmarkParseQuestionManyCampaigns(b *testing.B) {
	ctx := questionCtx
	ctx.Campaigns = nil
	for i := range 1000 {
		ctx.Campaigns = append(ctx.Campaigns, model.Campaign{ID: fmt.Sprintf("cmp_%04d", i), Name: fmt.Sprintf("Campaign %d spring", i)})
	}
	for b.Loop() {
		if _, _, err := ParseQuestion("Show me a report comparing TikTok spend vs. Shopify revenue by campaign this month", ctx); err != nil {
			b.Fatal(err)
		}
	}
}
