package web_test

import (
	"encoding/csv"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
)

// reportWorld is an advertiser with two campaigns that ran, and orders
// imported through the page: one by click id, one by utm_campaign, one by
// discount code, one unattributed, one pending, one with a bad total.
type reportWorld struct {
	s                 *site
	adv               acct
	c                 *client
	summer, spring    tree
	spendA, spendB    float64
	importPage        page
	ordersCSV, period string
}

func newReportWorld(t *testing.T, s *site) *reportWorld {
	w := &reportWorld{s: s}
	w.adv = s.advertiser("Glow Co", "ads@glow.example")
	maya := s.creator("maya", "creator")
	leo := s.creator("leo", "creator")
	now := s.toMidMonth()
	w.summer = s.structure(w.adv, maya, "Summer")
	// A competitor's lower bid sets the price the ads pay (second price).
	rivalAdv := s.advertiser("Rival", "ads@rival.example")
	rival := s.structure(rivalAdv, leo, "Rival")
	s.bid(rivalAdv, rival.adGroup, "30.00")
	s.bid(w.adv, w.summer.adGroup, "40.00")
	s.api(w.adv.token, "PATCH", "/ads/"+w.summer.ad, map[string]any{"status": "DISABLED"})
	w.spring = s.structure(w.adv, leo, "Spring")
	s.bid(w.adv, w.spring.adGroup, "40.00")
	dB := s.serve(w.spring.ad, "b", 20, 2)
	s.api(w.adv.token, "PATCH", "/ads/"+w.spring.ad, map[string]any{"status": "DISABLED"})
	s.api(w.adv.token, "PATCH", "/ads/"+w.summer.ad, map[string]any{"status": "ENABLED"})
	dA := s.serve(w.summer.ad, "a", 30, 4)
	w.spendA = money(t, s.api(w.adv.token, "GET", "/ads/"+w.summer.ad, nil)["spend"])
	w.spendB = money(t, s.api(w.adv.token, "GET", "/ads/"+w.spring.ad, nil)["spend"])
	if w.spendA == 0 || w.spendB == 0 {
		t.Fatalf("the ads spent %v and %v", w.spendA, w.spendB)
	}

	w.c = s.client().login(w.adv.login)
	// Discount code GLOW10 belongs to the Summer campaign, set on the page.
	if p := w.c.post("/ads/reports/data/mappings", url.Values{"action": {"add"}, "kind": {"code"}, "key": {"GLOW10"},
		"campaign_id": {w.summer.campaign}}); p.status != http.StatusSeeOther {
		t.Fatalf("add a mapping: %d\n%s", p.status, p.body)
	}
	s.advance(time.Hour)
	at := now.Add(30 * time.Minute).Format("2006-01-02 15:04:05 -0700")
	w.ordersCSV = ordersCSV([][]string{
		{"#1001", "5500000000000000001", "paid", "69.00", at, "flint_clid: " + dA[0].clickID, ""},
		{"#1002", "5500000000000000002", "paid", "50.00", at, "UTM campaign: launch-spring", ""},
		{"#1003", "5500000000000000003", "pending", "80.00", at, "utm_campaign: Launch Summer", ""},
		{"#1004", "5500000000000000004", "paid", "20.00", at, "", ""},
		{"#1005", "5500000000000000005", "paid", "25.00", at, "", "GLOW10"},
		{"#1006", "5500000000000000006", "paid", "=1+1", at, "", ""},
		{"#1007", "5500000000000000007", "paid", "30.00", at, "flint_clid: " + dB[0].clickID, ""},
	})
	w.importPage = w.c.upload("/ads/reports/data/orders", "orders_export.csv", strings.NewReader(w.ordersCSV))
	return w
}

// money reads an amount: "12.50" from the API, "$1,012.50" from a page.
func money(t *testing.T, v any) float64 {
	t.Helper()
	s, _ := v.(string)
	f, err := strconv.ParseFloat(strings.NewReplacer("$", "", ",", "").Replace(s), 64)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return f
}

// TestReportsAnswerTheSeedQuestion: after a run of ads and orders imported
// through the page, the seed's question, asked verbatim in the question
// box, shows per campaign the spend and Shopify revenue with ROAS, a line
// of unattributed revenue, totals, what "TikTok" was taken to mean, a
// chart, and the same report as CSV.
func TestReportsAnswerTheSeedQuestion(t *testing.T) {
	t.Parallel()
	w := newReportWorld(t, newSite(t, false))
	imp := w.importPage
	if imp.status != http.StatusOK || !strings.Contains(imp.body, "Imported 6 orders; 1 line was not imported.") ||
		!strings.Contains(imp.body, "Line 7: ") {
		t.Fatalf("the orders import: %d\n%s", imp.status, imp.body)
	}
	again := w.c.upload("/ads/reports/data/orders", "orders_export.csv", strings.NewReader(w.ordersCSV))
	if !strings.Contains(again.body, "Imported 0 orders, skipped 6 already imported") {
		t.Fatalf("the same file again:\n%s", again.body)
	}

	p := w.c.get("/ads/reports?" + url.Values{"q": {seedQuestion}}.Encode())
	if p.status != http.StatusOK {
		t.Fatalf("the seed question: %d\n%s", p.status, p.body)
	}
	// Spend shows in cents, within a cent of what the ads were charged (rows
	// are rounded so that they add up to the rounded total); revenue and
	// ROAS as imported; not measured is "—".
	rows := tableRows(t, p.body)
	want := map[string]struct {
		spend   float64
		revenue string
	}{
		"Launch Summer":              {w.spendA, "$94.00"},
		"Launch Spring":              {w.spendB, "$80.00"},
		"Unattributed (no campaign)": {-1, "$20.00"},
		"Total":                      {w.spendA + w.spendB, "$194.00"},
	}
	if len(rows) != len(want) {
		t.Fatalf("the table has rows %q", rows)
	}
	for name, wnt := range want {
		r, ok := rows[name]
		if !ok {
			t.Fatalf("no row %q in %q", name, rows)
		}
		if r[1] != wnt.revenue {
			t.Errorf("row %q: Shopify revenue %q, want %q", name, r[1], wnt.revenue)
		}
		if wnt.spend < 0 {
			if r[0] != "—" || r[2] != "—" {
				t.Errorf("the unattributed row shows spend or ROAS: %q", r)
			}
			continue
		}
		spend := money(t, r[0])
		if d := spend - wnt.spend; d < -0.0101 || d > 0.0101 || !strings.HasPrefix(r[0], "$") {
			t.Errorf("row %q: spend %q, want %.2f to the cent", name, r[0], wnt.spend)
		}
		rev := money(t, wnt.revenue)
		roas, err := strconv.ParseFloat(strings.TrimSuffix(r[2], "×"), 64)
		if err != nil || roas < rev/spend*0.99 || roas > rev/spend*1.01 {
			t.Errorf("row %q: ROAS %q, want about %.2f", name, r[2], rev/spend)
		}
	}
	for _, want := range []string{"Spend", "Shopify revenue", "ROAS (Shopify)", "How Flint read it",
		"means our own ads (flint)", "store orders only", "this month", `src="/ads/reports/chart.svg?q=`, "Download CSV"} {
		if !strings.Contains(p.body, strings.ReplaceAll(want, "'", "&#39;")) {
			t.Errorf("the answer lacks %q", want)
		}
	}

	chart := w.c.get("/ads/reports/chart.svg?" + url.Values{"q": {seedQuestion}}.Encode())
	if chart.status != http.StatusOK || chart.header.Get("Content-Type") != "image/svg+xml" ||
		!strings.Contains(chart.body, "<svg") || !strings.Contains(chart.body, "Launch Summer") ||
		!strings.Contains(chart.header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("the chart: %d %v", chart.status, chart.header)
	}
	export := w.c.get("/ads/reports/export.csv?" + url.Values{"q": {seedQuestion}}.Encode())
	recs, err := csv.NewReader(strings.NewReader(export.body)).ReadAll()
	if export.status != http.StatusOK || err != nil || !strings.HasPrefix(export.header.Get("Content-Disposition"), "attachment") ||
		len(recs) != 5 || strings.Join(recs[0], ",") != "campaign,campaign_id,spend,store_revenue,store_roas" ||
		recs[4][0] != "Total" || recs[4][3] != "194.00" {
		t.Fatalf("the CSV: %d %v %q", export.status, err, export.body)
	}
	for _, r := range recs[1:4] {
		if r[0] == "(unattributed)" && (r[2] != "" || r[3] != "20.00") {
			t.Errorf("the CSV's unattributed line: %q", r)
		}
	}
}

// TestReportsRefuseWithASuggestion: a question Flint cannot answer says
// what it understood and what not, and links a close question it can
// answer, which then works.
func TestReportsRefuseWithASuggestion(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	adv := s.advertiser("Glow Co", "ads@glow.example")
	c := s.client().login(adv.login)
	p := c.get("/ads/reports?q=" + url.QueryEscape("units sold by campaign this month"))
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "Flint does not measure <strong>units sold</strong>") ||
		!strings.Contains(p.body, `<span class="chip">by campaign</span>`) {
		t.Fatalf("an unsupported measure: %d\n%s", p.status, p.body)
	}
	_, rest, _ := strings.Cut(p.body, `Try: <a class="btn btn-small" href="`)
	suggestion, _, _ := strings.Cut(rest, `"`)
	suggestion = html.UnescapeString(suggestion)
	if !strings.HasPrefix(suggestion, "/ads/reports?q=conversions") {
		t.Fatalf("the suggested question is %q:\n%s", suggestion, p.body)
	}
	next := c.get(suggestion)
	if next.status != http.StatusOK || !strings.Contains(next.body, "How Flint read it") {
		t.Fatalf("the suggested question %s: %d\n%s", suggestion, next.status, next.body)
	}
	p = c.get("/ads/reports?q=" + url.QueryEscape("spned by campaign this month"))
	if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "spned") ||
		!strings.Contains(p.body, "spend by campaign this month") {
		t.Fatalf("a misspelt question: %d\n%s", p.status, p.body)
	}
	if p := c.get("/ads/reports/chart.svg?q=" + url.QueryEscape("units sold")); p.status != http.StatusNotFound {
		t.Errorf("a chart of a refused question: %d", p.status)
	}
}

// TestReportBuilder: dimensions, metrics and dates chosen on the page give
// the report, its chart and its CSV; a wrong choice is explained.
func TestReportBuilder(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	w := newReportWorld(t, s)
	today := s.api(opToken, "GET", "/test-clock", nil)["now"].(string)[:10]
	q := url.Values{"dimensions": {"day"}, "metrics": {"spend", "clicks"}, "from": {today[:8] + "01"}, "to": {today}}
	p := w.c.get("/ads/reports?" + q.Encode())
	if p.status != http.StatusOK || !strings.Contains(p.body, "Spend and Clicks by day") || !strings.Contains(p.body, today) ||
		!strings.Contains(p.body, `<input type="checkbox" id="dim-day" name="dimensions" value="day" checked>`) {
		t.Fatalf("a built report: %d\n%s", p.status, p.body)
	}
	rows := tableRows(t, p.body)
	if rows["Total"][1] != "6" {
		t.Errorf("clicks total: %q", rows["Total"])
	}
	if c := w.c.get("/ads/reports/chart.svg?" + q.Encode()); c.status != http.StatusOK || !strings.Contains(c.body, "<svg") {
		t.Errorf("its chart: %d", c.status)
	}
	bad := w.c.get("/ads/reports?dimensions=planet&metrics=spend")
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, "Unknown dimension") {
		t.Errorf("an unknown dimension: %d\n%s", bad.status, bad.body)
	}
	if p := w.c.get("/ads/reports"); p.status != http.StatusOK || strings.Contains(p.body, "How Flint read it") ||
		!strings.Contains(p.body, seedQuestion) {
		t.Errorf("Reports without a question: %d", p.status)
	}
}

// tableRows reads the report table of a page: each row's cells after the
// first, by the first.
func tableRows(t *testing.T, body string) map[string][]string {
	t.Helper()
	_, rest, ok := strings.Cut(body, `<table class="table report-table">`)
	if !ok {
		t.Fatalf("no report table:\n%s", body)
	}
	rest, _, _ = strings.Cut(rest, "</table>")
	out := map[string][]string{}
	for _, tr := range strings.Split(rest, "<tr>")[1:] {
		var cells []string
		for _, td := range strings.Split(tr, "<td")[1:] {
			_, text, _ := strings.Cut(td, ">")
			text, _, _ = strings.Cut(text, "</td>")
			cells = append(cells, strings.ReplaceAll(text, "&#43;", "+"))
		}
		if len(cells) > 0 {
			out[cells[0]] = cells[1:]
		}
	}
	return out
}
