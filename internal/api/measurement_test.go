package api_test

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/integration"
	"github.com/flintads/flint/internal/money"
)

// seedQuestion is the source document's own question, verbatim.
const seedQuestion = "Show me a report comparing TikTok spend vs. Shopify revenue by campaign this month"

// toMidMonth moves the test clock to noon on the 15th of next month in New
// York, so that everything a test does falls in one local month.
func (e *env) toMidMonth() time.Time {
	e.t.Helper()
	now, err := time.Parse(time.RFC3339Nano, e.must(200, operatorToken, "GET", "/api/v1/test-clock", nil).str("now"))
	if err != nil {
		e.t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	l := now.In(ny)
	target := time.Date(l.Year(), l.Month()+1, 15, 12, 0, 0, 0, ny)
	e.advance(int64(target.Sub(now).Seconds()))
	return target
}

// delivery is one served ad: its token and click id.
type delivery struct{ token, clickID string }

// serve asks for n decisions for the viewers v<prefix>-i and sends an
// impression for each, a click for the first clicks of them.
func (e *env) serve(adID, prefix string, n, clicks int) []delivery {
	e.t.Helper()
	var out []delivery
	var events []map[string]any
	for i := range n {
		d := e.decide(viewer(fmt.Sprintf("%s-%d", prefix, i), nil))
		if len(d.ads()) != 1 || d.str("ads.0.ad_id") != adID {
			e.t.Fatalf("decision %d: %s", i, d.raw)
		}
		dl := delivery{token: d.str("ads.0.token"), clickID: d.str("ads.0.click_id")}
		out = append(out, dl)
		events = append(events, map[string]any{"event_id": fmt.Sprintf("%s-imp-%d", prefix, i), "type": "impression", "token": dl.token})
		if i < clicks {
			events = append(events, map[string]any{"event_id": fmt.Sprintf("%s-click-%d", prefix, i), "type": "click", "token": dl.token})
		}
	}
	a := e.must(200, operatorToken, "POST", "/api/v1/events", map[string]any{"events": events})
	if int(a.num("accepted")) != len(events) {
		e.t.Fatalf("events: %s", a.raw)
	}
	return out
}

// ordersCSV writes a Shopify orders export (the 79-column header of the
// fixtures) with one line item per order.
func ordersCSV(t *testing.T, orders [][]string) string {
	t.Helper()
	fixture, err := os.ReadFile("../integration/testdata/shopify_orders_79.csv")
	if err != nil {
		t.Fatal(err)
	}
	header, err := csv.NewReader(strings.NewReader(string(fixture))).Read()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(header)
	for _, o := range orders { // name, id, status, total, created, notes, discount, refunded
		row := make([]string, len(header))
		row[col["Name"]], row[col["Id"]], row[col["Financial Status"]], row[col["Total"]] = o[0], o[1], o[2], o[3]
		row[col["Created at"]], row[col["Note Attributes"]], row[col["Discount Code"]], row[col["Refunded Amount"]] = o[4], o[5], o[6], o[7]
		row[col["Currency"]], row[col["Lineitem name"]], row[col["Lineitem quantity"]] = "USD", "Glow Serum", "1"
		w.Write(row)
	}
	w.Flush()
	return b.String()
}

// webhook sends a Shopify delivery for an advertiser.
func (e *env) webhook(advertiserID, secret, webhookID string, body []byte) answer {
	e.t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+"/api/v1/integrations/shopify/"+advertiserID+"/orders", strings.NewReader(string(body)))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("X-Shopify-Hmac-Sha256", integration.SignShopify([]byte(secret), body))
	req.Header.Set("X-Shopify-Webhook-Id", webhookID)
	req.Header.Set("X-Shopify-Topic", "orders/create")
	req.Header.Set("X-Shopify-Shop-Domain", "glow-co.myshopify.com")
	req.Header.Set("X-Shopify-API-Version", "2026-01")
	return e.send(req, body)
}

func webhookOrder(id, name, total, landing string, at time.Time, test bool) []byte {
	return []byte(fmt.Sprintf(`{"id":%s,"name":"%s","created_at":"%s","currency":"USD","total_price":"%s",`+
		`"financial_status":"paid","cancelled_at":null,"test":%v,"landing_site":"%s","source_name":"web",`+
		`"discount_codes":[],"note_attributes":[],"refunds":[],"referring_site":"https:\/\/www.tiktok.com\/"}`,
		id, name, at.Format(time.RFC3339), total, test, strings.ReplaceAll(landing, "/", `\/`)))
}

// rowsBy indexes a report's rows by the value of a column.
func rowsBy(a answer, path, key string) map[string]map[string]any {
	out := map[string]map[string]any{}
	rows, _ := a.get(path).([]any)
	for _, r := range rows {
		m := r.(map[string]any)
		k, _ := m[key].(string)
		out[k] = m
	}
	return out
}

func micros(t *testing.T, v any) money.Micros {
	t.Helper()
	s, ok := v.(string)
	if !ok {
		t.Fatalf("amount %v (%T) is not a string", v, v)
	}
	m, err := money.Parse(s, 6)
	if err != nil {
		t.Fatalf("amount %q: %v", s, err)
	}
	return m
}

// TestSeedQuestionEndToEnd runs ads with clicks, then reports conversions
// and Shopify orders (CSV and webhook), and asks the source document's
// question: per campaign, the spend the ads were charged and the store
// revenue attributed to them, with ROAS, and a line of unattributed revenue.
func TestSeedQuestionEndToEnd(t *testing.T) {
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		adv := w.advertiser
		now := e.toMidMonth()
		ny, _ := time.LoadLocation("America/New_York")

		summer := e.must(201, adv.token, "POST", "/api/v1/campaigns", map[string]any{"name": "Summer Sale", "objective": "CONVERSIONS"}).str("id")
		spring := e.must(201, adv.token, "POST", "/api/v1/campaigns", map[string]any{"name": "Spring Launch", "objective": "CONVERSIONS"}).str("id")
		// A competitor's lower bid sets the second price.
		e.sparkAd(w.creator, w.advertiser2, w.post, func(g map[string]any) { g["bid"] = "5.00" })
		adA, _ := e.sparkAd(w.creator, adv, w.post, func(g map[string]any) { g["campaign_id"] = summer; g["bid"] = "9.00" })
		dA := e.serve(adA, "a", 30, 4)
		e.must(200, adv.token, "PATCH", "/api/v1/ads/"+adA, map[string]any{"status": "DISABLED"})
		adB, _ := e.sparkAd(w.creator2, adv, w.post2, func(g map[string]any) { g["campaign_id"] = spring; g["bid"] = "6.00" })
		dB := e.serve(adB, "b", 20, 2)
		spendA := micros(t, e.must(200, adv.token, "GET", "/api/v1/ads/"+adA, nil).get("spend"))
		spendB := micros(t, e.must(200, adv.token, "GET", "/api/v1/ads/"+adB, nil).get("spend"))
		if spendA < 100_000 || spendB < 100_000 {
			t.Fatalf("spend %v %v", spendA, spendB)
		}

		// Conversions API: one purchase carries the id of a Shopify order
		// (counted once, through the order), one does not.
		conv := e.must(200, adv.token, "POST", "/api/v1/conversions", map[string]any{"events": []map[string]any{
			{"event_id": "c1", "event": "purchase", "click_id": dA[0].clickID, "value": "69.00", "currency": "USD", "order_id": "5500000000000000001"},
			{"event_id": "c2", "event": "purchase", "click_id": dA[1].clickID, "value": "15.00", "currency": "USD"},
			{"event_id": "c2", "event": "purchase", "click_id": dA[1].clickID, "value": "15.00", "currency": "USD"},
			{"event_id": "c3", "event": "purchase", "value": "1.234"},
		}})
		if conv.num("accepted") != 2 || conv.num("duplicates") != 1 || conv.num("attributed") != 2 || len(conv.get("rejected").([]any)) != 1 {
			t.Fatalf("conversions: %s", conv.raw)
		}

		// Orders CSV: by click id (campaign Summer), by utm_campaign (Spring
		// Launch, written differently), pending (nothing), unattributed,
		// partially refunded by discount code (mapped to Summer).
		e.must(200, adv.token, "PATCH", "/api/v1/attribution-settings", map[string]any{"discount_codes": map[string]string{"glow10": summer}})
		e.advance(3600) // the orders come an hour after the clicks
		at := now.Add(30 * time.Minute).In(ny).Format("2006-01-02 15:04:05 -0700")
		body := ordersCSV(t, [][]string{
			{"#1001", "5500000000000000001", "paid", "69.00", at, "flint_clid: " + dA[0].clickID, "", "0.00"},
			{"#1002", "5500000000000000002", "paid", "50.00", at, "UTM campaign: spring-launch", "", "0.00"},
			{"#1003", "5500000000000000003", "pending", "80.00", at, "utm_campaign: summer sale", "", "0.00"},
			{"#1004", "5500000000000000004", "paid", "20.00", at, "", "", "0.00"},
			{"#1005", "5500000000000000005", "partially_refunded", "40.00", at, "", "GLOW10", "15.00"},
			{"#1006", "5500000000000000006", "paid", "=1+1", at, "", "", ""},
		})
		imp := e.must(200, adv.token, "POST", "/api/v1/imports/orders", body)
		if imp.num("imported") != 5 || imp.num("skipped") != 0 || imp.num("rejected.0.line") != 7 {
			t.Fatalf("orders import: %s", imp.raw)
		}
		again := e.must(200, adv.token, "POST", "/api/v1/imports/orders", body)
		if again.num("imported") != 0 || again.num("skipped") != 5 {
			t.Fatalf("orders import again: %s", again.raw)
		}

		// Webhook: set the secret; a bad signature stores nothing; a
		// replayed delivery counts once; a test order counts nothing; an
		// order already imported by CSV counts once.
		const secret = "shpss_glow_0123456789abcdef"
		set := e.must(200, adv.token, "PUT", "/api/v1/integrations/shopify", map[string]any{"webhook_secret": secret})
		if set.str("webhook_url") != "/api/v1/integrations/shopify/"+adv.id+"/orders" || strings.Contains(string(set.raw), secret) {
			t.Fatalf("shopify set-up: %s", set.raw)
		}
		order := webhookOrder("9100000000000000001", "#2001", "30.00", "/products/serum?utm_campaign=x&flint_clid="+dB[0].clickID, now, false)
		if a := e.webhook(adv.id, "wrong-secret-0123456789", "wh-1", order); a.status != 401 || a.code() != "WEBHOOK_SIGNATURE_INVALID" {
			t.Fatalf("bad signature: %d %s", a.status, a.raw)
		}
		// The refused delivery recorded nothing: the same id is new.
		if a := e.webhook(adv.id, secret, "wh-1", order); a.status != 200 || a.get("duplicate") != false || a.get("counted") != true {
			t.Fatalf("webhook: %d %s", a.status, a.raw)
		}
		if a := e.webhook(adv.id, secret, "wh-1", order); a.status != 200 || a.get("duplicate") != true {
			t.Fatalf("replayed webhook: %d %s", a.status, a.raw)
		}
		if a := e.webhook(adv.id, secret, "wh-2", webhookOrder("9100000000000000002", "#2002", "403.00", "", now, true)); a.status != 200 ||
			a.get("test") != true || a.get("counted") != false {
			t.Fatalf("test webhook: %d %s", a.status, a.raw)
		}
		if a := e.webhook(adv.id, secret, "wh-3", webhookOrder("5500000000000000004", "#1004", "20.00", "", now, false)); a.status != 200 ||
			a.get("counted") != false {
			t.Fatalf("known order webhook: %d %s", a.status, a.raw)
		}
		if a := e.webhook("acct_nobody", secret, "wh-4", order); a.status != 401 {
			t.Fatalf("unknown advertiser: %d", a.status)
		}
		if strings.Contains(e.logs.String(), secret) {
			t.Fatal("the webhook secret was logged")
		}

		// The seed's question.
		ans := e.must(200, adv.token, "POST", "/api/v1/questions", map[string]any{"q": seedQuestion})
		if ans.str("interpretation.chart") != "grouped_bar" || ans.str("interpretation.period") != "this month" ||
			ans.str("interpretation.channels.0") != "flint" {
			t.Fatalf("interpretation: %s", ans.raw)
		}
		rows := rowsBy(ans, "report.rows", "campaign")
		want := map[string]struct {
			spend, revenue money.Micros
		}{
			"Summer Sale":    {spendA, 69_000_000 + 25_000_000},
			"Spring Launch":  {spendB, 50_000_000 + 30_000_000},
			"(unattributed)": {0, 20_000_000},
		}
		if len(rows) != 3 {
			t.Fatalf("rows: %s", ans.raw)
		}
		var sumSpend, sumRevenue money.Micros
		for name, wnt := range want {
			r, ok := rows[name]
			if !ok {
				t.Fatalf("no row %q: %s", name, ans.raw)
			}
			rev := micros(t, r["store_revenue"])
			sumRevenue += rev
			if rev != wnt.revenue {
				t.Errorf("%s: store revenue %v, want %v", name, rev, wnt.revenue)
			}
			if name == "(unattributed)" {
				if r["spend"] != nil || r["store_roas"] != nil {
					t.Errorf("unattributed row has spend or ROAS: %v", r)
				}
				continue
			}
			// Shown in cents, within one cent of what the ad was charged
			// (rows are rounded so that they add up to the rounded total).
			spend := micros(t, r["spend"])
			sumSpend += spend
			if d := spend - wnt.spend; d <= -10_000 || d >= 10_000 || spend%10_000 != 0 {
				t.Errorf("%s: spend %v, want %v to the cent", name, spend, wnt.spend)
			}
			roas, _ := r["store_roas"].(float64)
			if w := float64(wnt.revenue) / float64(wnt.spend); roas < w-0.0001 || roas > w+0.0001 {
				t.Errorf("%s: ROAS %v, want %.4f", name, roas, w)
			}
		}
		if micros(t, ans.get("report.totals.spend")) != (spendA+spendB).Round(2) || sumSpend != micros(t, ans.get("report.totals.spend")) {
			t.Errorf("total spend %v; rows %v; ads %v", ans.get("report.totals.spend"), sumSpend, spendA+spendB)
		}
		if micros(t, ans.get("report.totals.store_revenue")) != sumRevenue {
			t.Errorf("total revenue %v, rows %v", ans.get("report.totals.store_revenue"), sumRevenue)
		}

		// Plain revenue counts the conversions API too, once per order.
		rep := e.must(200, adv.token, "GET", "/api/v1/reports?dimensions=campaign&metrics=spend,revenue,conversions,roas,clicks,ctr", nil)
		rr := rowsBy(rep, "rows", "campaign")
		if got := micros(t, rr["Summer Sale"]["revenue"]); got != 69_000_000+25_000_000+15_000_000 {
			t.Errorf("Summer Sale revenue %v, want 109.00 (the order and the conversion without an order)", got)
		}
		if rr["Summer Sale"]["clicks"] != float64(4) || rr["Spring Launch"]["conversions"] != float64(2) {
			t.Errorf("rows: %s", rep.raw)
		}

		// CSV answers the same, with the totals line.
		csvAns := e.must(200, adv.token, "GET", "/api/v1/reports?dimensions=campaign&metrics=spend,store_revenue&format=csv", nil)
		recs, err := csv.NewReader(strings.NewReader(string(csvAns.raw))).ReadAll()
		if err != nil || len(recs) != 5 || recs[0][0] != "campaign" || recs[4][0] != "Total" {
			t.Fatalf("CSV: %v %q", err, csvAns.raw)
		}

		// A broken file changes nothing.
		broken := body[:len(body)/2] + "\"unclosed\n"
		if a := e.do(adv.token, "POST", "/api/v1/imports/orders", broken); a.status != 422 || a.code() != integration.CodeMalformedCSV {
			t.Fatalf("broken CSV: %d %s", a.status, a.raw)
		}
		after := e.must(200, adv.token, "POST", "/api/v1/questions", map[string]any{"q": seedQuestion})
		if fmt.Sprint(after.get("report.totals")) != fmt.Sprint(ans.get("report.totals")) {
			t.Fatalf("totals changed after a refused import: %v → %v", ans.get("report.totals"), after.get("report.totals"))
		}
	})
}

// TestImportsRefuseHostileFiles sends broken, binary, oversized and
// wrong-kind files and checks that each gets a clear 4xx and that nothing
// stored changes; then a good spend export, twice.
func TestImportsRefuseHostileFiles(t *testing.T) {
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		adv := e.newAdvertiser("Glow Co")
		fixture := func(name string) string {
			b, err := os.ReadFile("../integration/testdata/" + name)
			if err != nil {
				t.Fatal(err)
			}
			return string(b)
		}
		state := func() string {
			return string(e.must(200, adv.token, "GET", "/api/v1/reports?metrics=spend,store_revenue,conversions&dimensions=channel"+
				"&from=2026-01-01&to=2026-12-31", nil).raw)
		}
		spend := e.must(200, adv.token, "POST", "/api/v1/imports/ad-spend", fixture("meta_daily_usd.csv"))
		if spend.str("platform") != "meta" || spend.num("imported") != 3 || spend.num("rejected.0.line") != 5 {
			t.Fatalf("meta import: %s", spend.raw)
		}
		orders := e.must(200, adv.token, "POST", "/api/v1/imports/orders", fixture("shopify_orders_79.csv"))
		if orders.num("imported") != 10 || orders.num("rejected.0.line") != 14 || len(orders.get("warnings").([]any)) != 1 {
			t.Fatalf("orders import: %s", orders.raw)
		}
		before := state()
		// A valid export (one order with ever more line items) past the limit.
		lines := strings.SplitAfter(fixture("shopify_orders_75.csv"), "\n")
		item := "#1005" + strings.Repeat(",", 74) + "\n"
		big := lines[0] + lines[1] + strings.Repeat(item, MaxUploadForTest/len(item)+1)
		for name, tc := range map[string]struct {
			path, body string
			status     int
			code       string
		}{
			"sales report":   {"/api/v1/imports/orders", fixture("shopify_sales_report.csv"), 422, integration.CodeWrongExport},
			"spend as order": {"/api/v1/imports/orders", fixture("google_daily.csv"), 422, integration.CodeWrongExport},
			"order as spend": {"/api/v1/imports/ad-spend", fixture("shopify_orders_75.csv"), 422, integration.CodeWrongExport},
			"binary":         {"/api/v1/imports/ad-spend", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03", 422, integration.CodeNotText},
			"quote":          {"/api/v1/imports/orders", fixture("shopify_orders_79.csv") + "#9,\"x\n", 422, integration.CodeMalformedCSV},
			"empty":          {"/api/v1/imports/ad-spend", "", 422, integration.CodeEmptyFile},
			"too large":      {"/api/v1/imports/orders", big, 413, "BODY_TOO_LARGE"},
		} {
			a := e.do(adv.token, "POST", tc.path, tc.body)
			if a.status != tc.status || a.code() != tc.code {
				t.Errorf("%s: %d %s, want %d %s", name, a.status, a.raw, tc.status, tc.code)
			}
		}
		if after := state(); after != before {
			t.Fatalf("a refused file changed the data:\n%s\n%s", before, after)
		}
		again := e.must(200, adv.token, "POST", "/api/v1/imports/ad-spend", fixture("meta_daily_usd.csv"))
		if again.num("imported") != 0 || again.num("skipped") != 3 {
			t.Fatalf("meta import again: %s", again.raw)
		}
		// Only advertisers import; the operator gets 403.
		if a := e.do(operatorToken, "POST", "/api/v1/imports/orders", fixture("shopify_orders_79.csv")); a.status != 403 {
			t.Fatalf("operator import: %d", a.status)
		}
	})
}

// MaxUploadForTest is the upload limit of the API (64 MiB).
const MaxUploadForTest = 64 << 20

func TestQuestionsAndRecommendationsOverHTTP(t *testing.T) {
	e := startEnv(t, "sqlite")
	w := e.world()
	a := e.do(w.advertiser.token, "POST", "/api/v1/questions", map[string]any{"q": "units sold by campain last week"})
	if a.status != 422 || a.code() != "QUESTION_NOT_UNDERSTOOD" || a.str("suggestion") == "" ||
		a.str("interpretation.unsupported.0") != "units sold" || a.str("interpretation.not_understood.0") != "campain" {
		t.Fatalf("422: %s", a.raw)
	}
	for _, body := range []string{`{"q":1}`, `{}`, `{"q":"` + strings.Repeat("a", 600) + `"}`} {
		if a := e.do(w.advertiser.token, "POST", "/api/v1/questions", body); a.status != 400 {
			t.Fatalf("%s: %d %s", body, a.status, a.raw)
		}
	}
	if a := e.do(w.creator.token, "POST", "/api/v1/questions", map[string]any{"q": "spend"}); a.status != 403 {
		t.Fatalf("creator question: %d", a.status)
	}
	// Organic engagement ranks the creator's posts.
	var events []map[string]any
	for i := range 40 {
		events = append(events, map[string]any{"event_id": fmt.Sprintf("o-%d", i), "type": "impression", "post_id": w.post})
		if i < 12 {
			events = append(events, map[string]any{"event_id": fmt.Sprintf("l-%d", i), "type": "like", "post_id": w.post})
		}
	}
	events = append(events, map[string]any{"event_id": "h-1", "type": "impression", "post_id": w.hitPost})
	e.must(200, operatorToken, "POST", "/api/v1/events", map[string]any{"events": events})
	rec := e.must(200, w.creator.token, "GET", "/api/v1/recommendations/spark-posts", nil)
	if rec.str("candidates.0.post_id") != w.post || rec.str("candidates.0.reason") == "" || rec.num("candidates.0.views") != 40 {
		t.Fatalf("recommendations: %s", rec.raw)
	}
	lib := e.must(200, w.advertiser.token, "GET", "/api/v1/recommendations/spark-posts", nil)
	if cands, _ := lib.get("candidates").([]any); len(cands) != 0 {
		t.Fatalf("an empty library has candidates: %s", lib.raw)
	}
}
