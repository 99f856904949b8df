package e2e

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// seedQuestion is the source document's question, verbatim.
const seedQuestion = "Show me a report comparing TikTok spend vs. Shopify revenue by campaign this month"

// spendWorld is an advertiser whose two campaigns ran a little, against a
// rival whose lower bid sets the price; clicks holds a click id of each.
type spendWorld struct {
	token              string
	summer, spring     string // campaign ids
	clickA, clickB     string
	ordersAt           time.Time
	campaignOf         map[string]string
	summerAd, springAd string
}

// runAds builds the world through the API: the brand's ads, traffic, and
// the test clock in the middle of a month (so that "this month" holds it).
func (s *site) runAds(email string) spendWorld {
	s.t.Helper()
	now, _ := time.Parse(time.RFC3339Nano, s.api("GET", "/test-clock", nil)["now"].(string))
	mid := time.Date(now.Year(), now.Month()+1, 15, 17, 0, 0, 0, time.UTC) // noon in New York
	s.api("POST", "/test-clock/advance", map[string]any{"seconds": int(mid.Sub(now).Seconds())})

	account := func(body map[string]any) string {
		body["password"] = password
		return s.api("POST", "/accounts", body)["token"].(string)
	}
	w := spendWorld{token: account(map[string]any{"kind": "advertiser", "name": "Glow Co", "email": email,
		"currency": "USD", "timezone": "America/New_York"})}
	rival := account(map[string]any{"kind": "advertiser", "name": "Rival", "email": "rival@" + strings.Split(email, "@")[1]})
	type made struct{ campaign, group, ad string }
	build := func(token, creatorToken, creatorID, name, bid string) made {
		post := s.post(creatorID, name+" routine", nil)
		base := "/posts/" + post + "/ad-authorization"
		s.apiAs(creatorToken, "PUT", base, map[string]any{"enabled": true, "accept_terms": true, "days": 30})
		code := s.apiAs(creatorToken, "POST", base+"/codes", nil)["code"].(string)
		sp := s.apiAs(token, "POST", "/spark-posts", map[string]any{"code": code})["id"].(string)
		var m made
		m.campaign = s.apiAs(token, "POST", "/campaigns", map[string]any{"name": name, "objective": "CONVERSIONS",
			"budget_mode": "LIFETIME", "budget": "500.00"})["id"].(string)
		m.group = s.apiAs(token, "POST", "/ad-groups", map[string]any{"campaign_id": m.campaign, "name": "Everyone",
			"billing_event": "CPM", "bid": bid})["id"].(string)
		m.ad = s.apiAs(token, "POST", "/ads", map[string]any{"ad_group_id": m.group, "spark_post_id": sp, "name": name + " ad",
			"cta": map[string]any{"label": "Shop now", "url": "https://glow.example/"}})["id"].(string)
		return m
	}
	creator := func(handle string) (string, string) {
		a := s.api("POST", "/accounts", map[string]any{"kind": "creator", "handle": handle, "creator_type": "creator",
			"password": password})
		return a["id"].(string), a["token"].(string)
	}
	mayaID, mayaToken := creator("maya")
	leoID, leoToken := creator("leo")
	build(rival, leoToken, leoID, "Rival", "250.00")
	summer := build(w.token, mayaToken, mayaID, "Summer Sale", "300.00")
	spring := build(w.token, leoToken, leoID, "Spring Launch", "300.00")
	w.summer, w.spring, w.summerAd, w.springAd = summer.campaign, spring.campaign, summer.ad, spring.ad
	serve := func(prefix string, n int) string {
		var events []map[string]any
		click := ""
		for i := range n {
			d := s.api("POST", "/decisions", map[string]any{"placement": "feed", "count": 1, "viewer": map[string]any{
				"id": fmt.Sprintf("%s-%d", prefix, i), "country": "US", "age": 30}})
			ad := d["ads"].([]any)[0].(map[string]any)
			events = append(events, map[string]any{"event_id": fmt.Sprintf("%s-imp-%d", prefix, i), "type": "impression",
				"token": ad["token"]})
			if i == 0 {
				click = ad["click_id"].(string)
				events = append(events, map[string]any{"event_id": prefix + "-click", "type": "click", "token": ad["token"]})
			}
		}
		s.api("POST", "/events", map[string]any{"events": events})
		return click
	}
	s.apiAs(w.token, "PATCH", "/ads/"+spring.ad, map[string]any{"status": "DISABLED"})
	w.clickA = serve("a", 20)
	s.apiAs(w.token, "PATCH", "/ads/"+spring.ad, map[string]any{"status": "ENABLED"})
	s.apiAs(w.token, "PATCH", "/ads/"+summer.ad, map[string]any{"status": "DISABLED"})
	w.clickB = serve("b", 15)
	w.ordersAt = mid.Add(20 * time.Minute)
	s.api("POST", "/test-clock/advance", map[string]any{"seconds": 3600})
	return w
}

// ordersFile writes a small Shopify orders export (the columns reports
// read; Shopify's own files have 79) and returns its path.
func ordersFile(t *testing.T, w spendWorld) string {
	at := w.ordersAt.In(time.FixedZone("EST", -5*3600)).Format("2006-01-02 15:04:05 -0700")
	rows := [][]string{{"Name", "Email", "Financial Status", "Currency", "Total", "Discount Code", "Created at",
		"Lineitem quantity", "Lineitem name", "Cancelled at", "Refunded Amount", "Note Attributes", "Id", "Source"}}
	for _, o := range [][]string{
		{"#1001", "paid", "69.00", "flint_clid: " + w.clickA, "5500000000000000001"},
		{"#1002", "paid", "48.50", "utm_campaign: spring-launch", "5500000000000000002"},
		{"#1003", "paid", "20.00", "", "5500000000000000003"},
		{"#1004", "pending", "80.00", "flint_clid: " + w.clickB, "5500000000000000004"},
	} {
		rows = append(rows, []string{o[0], "", o[1], "USD", o[2], "", at, "1", "Glow Serum", "", "0.00", o[3], o[4], "web"})
	}
	path := filepath.Join(t.TempDir(), "orders_export.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	cw := csv.NewWriter(f)
	cw.WriteAll(rows)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// upload chooses a file for the file field labelled label.
func (b *browser) upload(label, path string) {
	b.t.Helper()
	b.waitFor(control(label), "labelled "+label)
	b.do("choose "+path, chromedp.SetUploadFiles(control(label), []string{path}))
}

// download clicks the link that reads text, which downloads a file, and
// returns the file's content.
func (b *browser) download(text string) string {
	b.t.Helper()
	dir := b.t.TempDir()
	c := chromedp.FromContext(b.ctx)
	on := true
	b.do("allow downloads", func(ctx context.Context, _ *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, c.Browser, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
			Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllow, BrowserContextID: c.BrowserContextID, DownloadPath: dir,
			EventsEnabled: &on})
		return chromedp.Void{}, err
	})
	b.waitFor(clickable(text), text)
	b.do("click "+text, chromedp.Click(clickable(text), chromedp.NodeVisible))
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".crdownload") {
				data, err := os.ReadFile(filepath.Join(dir, e.Name()))
				if err == nil && len(data) > 0 {
					return string(data)
				}
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	b.snap("no download")
	b.t.Fatalf("%s: clicking %s downloaded nothing", b.name, text)
	return ""
}

// cells returns the cells of the report table's row whose first cell reads
// first.
func (b *browser) cells(first string) []string {
	b.t.Helper()
	out, err := chromedp.Run(b.ctx, chromedp.Evaluate[[]string](`(function(){
		for (const tr of document.querySelectorAll("table.report-table tr")) {
			const cells = Array.from(tr.cells).map(c => c.innerText.trim());
			if (cells[0] === `+jsString(first)+`) return cells;
		}
		return [];
	})()`))
	if err != nil {
		b.t.Fatalf("%s: %v", b.name, err)
	}
	return out
}

// TestBrowserReports: after a small run of ads, the brand imports its
// Shopify orders on the Reports page's Data sources, asks the seed's
// question verbatim, and reads spend, Shopify revenue and ROAS per
// campaign with a line of unattributed revenue; downloads the same report
// as CSV; and a question Flint cannot answer offers one it can, which a
// click asks.
func TestBrowserReports(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	w := s.runAds("ads@glow.example")
	orders := ordersFile(t, w)
	window := newBrowser(t, s.url)
	b := window("brand-reports")
	b.login("ads@glow.example")
	b.see("Dashboard")
	b.click("Reports")
	b.see("Ask about your results")
	b.click("Data sources")
	b.upload("Shopify orders export (CSV)", orders)
	b.click("Import orders")
	b.see("Imported 4 orders.")
	b.snap("orders imported")

	b.click("Reports")
	b.fill("Ask a question", seedQuestion)
	b.click("Ask")
	b.see("How Flint read it")
	b.see("means our own ads (flint)")
	summer, spring, none := b.cells("Summer Sale"), b.cells("Spring Launch"), b.cells("Unattributed (no campaign)")
	total := b.cells("Total")
	b.snap("seed question")
	if len(summer) != 4 || !strings.HasPrefix(summer[1], "$") || summer[2] != "$69.00" || !strings.HasSuffix(summer[3], "×") {
		t.Errorf("the Summer Sale row reads %q", summer)
	}
	if len(spring) != 4 || !strings.HasPrefix(spring[1], "$") || spring[2] != "$48.50" || !strings.HasSuffix(spring[3], "×") {
		t.Errorf("the Spring Launch row reads %q", spring)
	}
	if len(none) != 4 || none[1] != "—" || none[2] != "$20.00" || none[3] != "—" {
		t.Errorf("the unattributed row reads %q", none)
	}
	if len(total) != 4 || total[2] != "$137.50" {
		t.Errorf("the totals row reads %q", total)
	}
	if loaded, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(function(){
		const img = document.querySelector("figure.report-chart img");
		return !!img && img.complete && img.naturalWidth > 0;
	})()`)); err != nil || !loaded {
		t.Errorf("the chart did not load (%v)", err)
	}

	file := b.download("Download CSV")
	recs, err := csv.NewReader(strings.NewReader(file)).ReadAll()
	if err != nil || len(recs) != 5 || strings.Join(recs[0], ",") != "campaign,campaign_id,spend,store_revenue,store_roas" ||
		recs[4][0] != "Total" || recs[4][3] != "137.50" {
		t.Errorf("the CSV download: %v\n%s", err, file)
	}

	b.fill("Ask a question", "units sold by campaign this month")
	b.click("Ask")
	b.see("Flint does not measure units sold")
	b.snap("refused question")
	b.click("conversions by campaign this month")
	b.see("How Flint read it")
	b.see("Conversions")
	b.snap("suggested question")
}
