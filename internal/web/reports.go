package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/report"
)

// The Reports page of Ads Manager: a question in plain words (the heart of
// it: report.Service.Ask), or a report built from dimensions, metrics and
// dates (report.Service.Run); the interpretation beside the answer, a
// table with its totals, a chart drawn on the server (reports_chart.go)
// and the same report as CSV (reports_export.go). A question is a GET, so
// an answer has an address that can be shared, reloaded or bookmarked.

// reportsPage is Reports.
type reportsPage struct {
	Base
	// Question is what the question box holds.
	Question string
	// Examples are questions to try, as links that ask them.
	Examples []link
	Builder  builderView
	// Answer is the report shown, if any; Refusal a question that could
	// not be answered; Problem a builder choice that is wrong.
	Answer  *answerView
	Refusal *refusalView
	Problem string
}

type link struct {
	Text, URL string
}

// answerView is a report with what it was read as.
type answerView struct {
	// Title is the report in one sentence; Period its dates and zone.
	Title, Period string
	// Understood are the phrases of the question that were used; Notes
	// what the interpretation adds (which channel "TikTok" meant, …).
	Understood []string
	Notes      []string
	Table      tableView
	Comparison *tableView
	// Chart is the chart's address and description, or nil when the
	// report is a single number (Cards show it).
	Chart    *chartRef
	Cards    []metricCard
	CSV      string
	Excluded []string
}

// tableView is a report as a table.
type tableView struct {
	Caption string
	Columns []columnView
	Rows    [][]cellView
	Totals  []cellView
	// Empty is set when the report has no rows.
	Empty bool
}

type columnView struct {
	Label string
	Num   bool
}

type cellView struct {
	Text      string
	Num, Null bool
}

// refusalView is a question Flint cannot answer: what it understood and
// what not, and a close question it can answer.
type refusalView struct {
	Message       string
	Understood    []string
	NotUnderstood []string
	Unsupported   []string
	Suggestion    link
}

// builderView is the plain report builder's form.
type builderView struct {
	Dimensions, Metrics []checkOption
	From, To            string
}

type checkOption struct {
	Value, Label string
	Checked      bool
}

// examples are questions the page offers; the first is the seed's own.
var examples = []string{
	"Show me a report comparing TikTok spend vs. Shopify revenue by campaign this month",
	"spend per day last 14 days",
	"ROAS by campaign last 7 days",
	"top 5 posts by engagement rate this month",
	"clicks last week vs the week before",
}

// Words for dimensions and metrics in tables and forms.
var (
	dimensionLabels = map[report.Dimension]string{report.DimCampaign: "Campaign", report.DimAdGroup: "Ad group",
		report.DimAd: "Ad", report.DimPost: "Post", report.DimCreator: "Creator", report.DimDay: "Day",
		report.DimWeek: "Week", report.DimMonth: "Month", report.DimChannel: "Channel"}
	metricLabels = map[report.Metric]string{report.Spend: "Spend", report.Impressions: "Impressions",
		report.Reach: "Reach", report.Clicks: "Clicks", report.CTR: "CTR", report.CPC: "CPC", report.CPM: "CPM",
		report.Views: "Views", report.Views2s: "2-second views", report.Views6s: "6-second views",
		report.Completions: "Completed views", report.AvgWatchTime: "Average watch time", report.Likes: "Likes",
		report.Comments: "Comments", report.Shares: "Shares", report.Follows: "Follows",
		report.EngagementRate: "Engagement rate", report.Conversions: "Conversions", report.CPA: "CPA",
		report.Revenue: "Revenue", report.StoreRevenue: "Shopify revenue", report.ConversionRevenue: "Conversion revenue",
		report.ROAS: "ROAS", report.StoreROAS: "ROAS (Shopify)"}
)

func (h *Handler) showReports(w http.ResponseWriter, r *http.Request, u *user) error {
	q := r.URL.Query()
	page := reportsPage{Base: h.base(r, u, "Reports"), Question: q.Get("q")}
	page.Nav = "reports"
	for _, e := range examples {
		page.Examples = append(page.Examples, link{e, questionURL("/ads/reports", e)})
	}
	page.Builder = builderFor(q)
	status := http.StatusOK
	var qe *report.QuestionError
	switch a, err := h.answer(r, u); {
	case err == nil:
		page.Answer = a
	case errors.As(err, &qe):
		page.Refusal = refusal(qe)
		status = http.StatusUnprocessableEntity
	case errors.Is(err, errNothingAsked):
	default:
		e, ok := apperr.As(err)
		if !ok || e.Kind == apperr.Unavailable {
			return err
		}
		page.Problem = words(e)
		status = statusFor(err)
	}
	h.render(w, r, status, "reports", page)
	return nil
}

// questionURL is the address that asks question on page.
func questionURL(page, question string) string {
	return page + "?" + url.Values{"q": {question}}.Encode()
}

// builderFor fills the builder's form from the query (what was chosen, or
// spend, Shopify revenue and ROAS by campaign this month).
func builderFor(q url.Values) builderView {
	dims, metrics := list(q["dimensions"]), list(q["metrics"])
	if len(dims)+len(metrics) == 0 {
		dims, metrics = []string{"campaign"}, []string{"spend", "store_revenue", "store_roas"}
	}
	b := builderView{From: q.Get("from"), To: q.Get("to")}
	for _, d := range report.Dimensions {
		b.Dimensions = append(b.Dimensions, checkOption{string(d), dimensionLabels[d], slices.Contains(dims, string(d))})
	}
	for _, m := range report.Metrics {
		b.Metrics = append(b.Metrics, checkOption{string(m), metricLabels[m], slices.Contains(metrics, string(m))})
	}
	return b
}

// list reads repeated or comma-separated values.
func list(vs []string) []string {
	var out []string
	for _, v := range vs {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				out = append(out, s)
			}
		}
	}
	return out
}

// errNothingAsked: the page was opened without a question or a report.
var errNothingAsked = errors.New("nothing asked")

// answered is a report and how it was asked for.
type answered struct {
	rep     *report.Report
	title   string
	notes   []string
	used    []string
	chart   string
	period  string
	address string // the query string that asks it again
}

// ask runs what the request asks for: the question q, or the builder's
// report. errNothingAsked when it asks for neither.
func (h *Handler) ask(r *http.Request, u *user) (answered, error) {
	q := r.URL.Query()
	a := u.Account
	if question := q.Get("q"); question != "" {
		ans, err := h.Reports.Ask(r.Context(), a, question)
		if err != nil {
			return answered{}, err
		}
		in := ans.Interpretation
		period := capital(in.PeriodText) + ": " + in.Period.String()
		if in.Compare != nil {
			period += ", compared with " + in.Compare.String()
		}
		return answered{rep: ans.Report, title: reportTitle(in.Metrics, in.Dimensions), notes: in.Notes,
			used: in.Understood, chart: in.Chart, period: period, address: url.Values{"q": {question}}.Encode()}, nil
	}
	if !q.Has("dimensions") && !q.Has("metrics") && !q.Has("from") && !q.Has("to") {
		return answered{}, errNothingAsked
	}
	params := report.Params{Dimensions: strings.Join(list(q["dimensions"]), ","),
		Metrics: strings.Join(list(q["metrics"]), ","), From: q.Get("from"), To: q.Get("to")}
	query, err := report.ParseQuery(params, h.Clock.Now(), location(a))
	if err != nil {
		return answered{}, err
	}
	rep, err := h.Reports.Run(r.Context(), a, query)
	if err != nil {
		return answered{}, err
	}
	address := url.Values{"dimensions": {params.Dimensions}, "metrics": {params.Metrics},
		"from": {query.Period.From.String()}, "to": {query.Period.To.String()}}
	return answered{rep: rep, title: reportTitle(query.Metrics, query.Dimensions), chart: report.SuggestChart(query),
		period: query.Period.String(), address: address.Encode()}, nil
}

// reportTitle names a report: "Spend, Shopify revenue and ROAS by campaign".
func reportTitle(metrics []report.Metric, dims []report.Dimension) string {
	var ms []string
	for _, m := range metrics {
		ms = append(ms, metricLabels[m])
	}
	title := strings.Join(ms, ", ")
	if n := len(ms); n > 1 {
		title = strings.Join(ms[:n-1], ", ") + " and " + ms[n-1]
	}
	for _, d := range dims {
		title += " by " + strings.ToLower(dimensionLabels[d])
	}
	return title
}

// answer builds the view of what the request asks for.
func (h *Handler) answer(r *http.Request, u *user) (*answerView, error) {
	ans, err := h.ask(r, u)
	if err != nil {
		return nil, err
	}
	a := u.Account
	rep := ans.rep
	v := &answerView{Title: ans.title, Period: ans.period + " (" + rep.Timezone + ")", Understood: ans.used,
		Table: table(a, rep, ""), CSV: "/ads/reports/export.csv?" + ans.address}
	for _, n := range append(slices.Clone(ans.notes), rep.Notes...) {
		v.Notes = append(v.Notes, apiPlaces.Replace(n))
	}
	if rep.Comparison != nil {
		c := table(a, rep.Comparison, "Compared with "+rep.Comparison.Query.Period.String())
		v.Comparison = &c
		v.Table.Caption = "This period: " + rep.Query.Period.String()
	}
	for _, e := range rep.Excluded {
		what := capital(e.Source)
		if e.Channel != "" {
			what += " on " + e.Channel
		}
		v.Excluded = append(v.Excluded, fmt.Sprintf("%s: %s, kept in %s and not added to these %s totals", what,
			amount(model.Account{Currency: e.Currency}, e.Amount), e.Currency, a.Currency))
	}
	if ans.chart == "number" || len(rep.Dimensions) == 0 {
		for i, m := range rep.Metrics {
			v.Cards = append(v.Cards, metricCard{metricLabels[m], cellText(a, m, rep.Totals.Values[i])})
		}
	}
	if ans.chart != "number" && len(rep.Rows) > 0 {
		v.Chart = &chartRef{URL: "/ads/reports/chart.svg?" + ans.address, Title: v.Title,
			Alt: chartDescription(rep, ans.chart), Legend: chartLegend(rep, ans.chart)}
	}
	return v, nil
}

// table lays a report out: a column per dimension (names, not IDs) and per
// metric, a totals row; not measured is "—", never 0.
func table(a model.Account, rep *report.Report, caption string) tableView {
	t := tableView{Caption: caption, Empty: len(rep.Rows) == 0}
	for _, d := range rep.Dimensions {
		t.Columns = append(t.Columns, columnView{Label: dimensionLabels[d]})
	}
	for _, m := range rep.Metrics {
		t.Columns = append(t.Columns, columnView{Label: metricLabels[m], Num: true})
	}
	row := func(r report.Row, total bool) []cellView {
		var cells []cellView
		for i := range rep.Dimensions {
			text := "Total"
			if !total {
				text = labelText(r.Labels[i].Name)
				if r.Other > 0 {
					text = "Other (" + plural(r.Other, "row", "rows") + ")"
				}
			} else if i > 0 {
				text = ""
			}
			cells = append(cells, cellView{Text: text})
		}
		for i, m := range rep.Metrics {
			v := r.Values[i]
			cells = append(cells, cellView{Text: cellText(a, m, v), Num: true, Null: v.Null})
		}
		return cells
	}
	for _, r := range rep.Rows {
		t.Rows = append(t.Rows, row(r, false))
	}
	t.Totals = row(rep.Totals, true)
	return t
}

// labelText shows a dimension value: "(unattributed)" in words.
func labelText(s string) string {
	switch s {
	case "(unattributed)", "unattributed":
		return "Unattributed (no campaign)"
	}
	return s
}

// cellText writes a value as people read it: money in the advertiser's
// currency and minor units, counts with separators, rates in percent,
// ROAS as a multiple; "—" when not measured.
func cellText(a model.Account, m report.Metric, v report.Value) string {
	if v.Null {
		return "—"
	}
	switch m.Kind() {
	case report.Count:
		return formatInt(v.Int)
	case report.Money:
		return amount(a, v.Money)
	case report.Seconds:
		return strconv.FormatFloat(v.Float, 'f', 1, 64) + " s"
	}
	if m == report.ROAS || m == report.StoreROAS {
		return strconv.FormatFloat(v.Float, 'f', 2, 64) + "×"
	}
	return strconv.FormatFloat(100*v.Float, 'f', 2, 64) + "%"
}

// refusal shows a question that could not be answered.
func refusal(qe *report.QuestionError) *refusalView {
	in := qe.Interpretation
	v := &refusalView{Message: sentence(qe.Err.Message), Understood: in.Understood, NotUnderstood: in.NotUnderstood,
		Unsupported: in.Unsupported}
	if qe.Suggestion != "" {
		v.Suggestion = link{qe.Suggestion, questionURL("/ads/reports", qe.Suggestion)}
	}
	return v
}
