package web_test

import (
	"html"
	"io"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"
)

// TestImportFormsRefuseHostileFiles: broken, binary, wrong-kind, empty and
// oversized files get a clear message on the page (4xx, never 5xx) and
// store nothing; a file that is fine keeps its good lines and lists the
// others by line, with counts of orders, not lines.
func TestImportFormsRefuseHostileFiles(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	adv := s.advertiser("Glow Co", "ads@glow.example")
	c := s.client().login(adv.login)
	good := ordersCSV([][]string{{"#1", "5500000000000000001", "paid", "10.00", "2026-03-02 10:15:00 -0500", "", ""}})
	sales, _ := os.ReadFile("../integration/testdata/shopify_sales_report.csv")
	meta, _ := os.ReadFile("../integration/testdata/meta_daily_usd.csv")
	stored := func() float64 {
		rep := s.api(adv.token, "GET", "/reports?metrics=store_revenue,spend&from=2026-01-01&to=2026-12-31", nil)
		tot := rep["totals"].(map[string]any)
		f := 0.0
		for _, k := range []string{"store_revenue", "spend"} {
			if v, ok := tot[k].(string); ok {
				f += money(t, v)
			}
		}
		return f
	}
	for _, tc := range []struct {
		name, path, file string
		body             io.Reader
		status           int
		want             string
	}{
		{"broken quoting", "/ads/reports/data/orders", "o.csv", strings.NewReader(good + "#2,\"unclosed\n"), 422, "Line 3"},
		{"binary", "/ads/reports/data/orders", "o.csv", strings.NewReader("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), 422, "not text"},
		{"a sales report as orders", "/ads/reports/data/orders", "sales.csv", strings.NewReader(string(sales)), 422, "It looks like a Shopify sales report"},
		{"a spend export as orders", "/ads/reports/data/orders", "meta.csv", strings.NewReader(string(meta)), 422, "import it under Other channels&#39; spend"},
		{"an empty file", "/ads/reports/data/orders", "empty.csv", strings.NewReader(""), 422, "empty"},
		{"no file chosen", "/ads/reports/data/orders", "", strings.NewReader(""), 400, "Choose the file"},
		{"orders as spend", "/ads/reports/data/ad-spend", "o.csv", strings.NewReader(good), 422, "spend export"},
		{"a line of 2 MB", "/ads/reports/data/ad-spend", "x.csv", strings.NewReader(strings.Repeat("x", 2<<20)), 422, "longer than"},
		{"more than 64 MiB", "/ads/reports/data/orders", "huge.csv", io.MultiReader(strings.NewReader(good),
			io.LimitReader(repeat('\n'), 65<<20)), 413, "larger than 64 MiB"},
	} {
		p := c.upload(tc.path, tc.file, tc.body)
		alert := alertText(p.body)
		if p.status != tc.status || !strings.Contains(alert, tc.want) ||
			!strings.Contains(strings.ToLower(alert), "nothing was imported") && tc.status != 400 {
			t.Errorf("%s: %d, want %d with %q; it says %q", tc.name, p.status, tc.status, tc.want, alert)
		}
	}
	if got := stored(); got != 0 {
		t.Fatalf("refused files stored %v", got)
	}

	// Without the form token, or with another session's, nothing is read.
	other := s.client().login(adv.login)
	for _, token := range []string{"", other.token(), "x"} {
		if p := c.uploadWith("/ads/reports/data/orders", token, "o.csv", strings.NewReader(good)); p.status != http.StatusForbidden {
			t.Errorf("an upload with token %q: %d", token, p.status)
		}
	}
	if got := stored(); got != 0 {
		t.Fatalf("a forged upload stored %v", got)
	}

	// A spend export: detected, counted in rows, once.
	p := c.upload("/ads/reports/data/ad-spend", "meta.csv", strings.NewReader(string(meta)))
	if p.status != http.StatusOK || !strings.Contains(p.body, "Read as a Meta Ads Manager export") ||
		!strings.Contains(p.body, "Imported ") {
		t.Fatalf("a Meta export: %d\n%s", p.status, p.body)
	}
	_, rest, _ := strings.Cut(p.body, `<p class="small"><a href="`)
	next, _, _ := strings.Cut(rest, `"`)
	if n := c.get(html.UnescapeString(next)); n.status != http.StatusOK || !strings.Contains(n.body, "by channel") {
		t.Errorf("the report after a spend import (%s): %d", next, n.status)
	}
	if p := c.upload("/ads/reports/data/ad-spend", "meta.csv", strings.NewReader(string(meta))); !strings.Contains(p.body, "Imported 0 spend rows") {
		t.Errorf("the same export again:\n%s", p.body)
	}
}

// alertText is the text of a page's first alert.
func alertText(body string) string {
	_, rest, _ := strings.Cut(body, `role="alert">`)
	text, _, _ := strings.Cut(rest, "</")
	return text
}

// repeat is an endless reader of one byte.
type repeat byte

func (r repeat) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = byte(r)
	}
	return len(p), nil
}

// TestShopifyAndAttributionSettings: the webhook's URL is shown and its
// secret set (never shown again); the click window and the mappings are
// changed on the page, with errors in words next to their field.
func TestShopifyAndAttributionSettings(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	adv := s.advertiser("Glow Co", "ads@glow.example")
	maya := s.creator("maya", "creator")
	tr := s.structure(adv, maya, "Summer")
	c := s.client().login(adv.login)

	p := c.get("/ads/reports/data")
	if p.status != http.StatusOK || !strings.Contains(p.body, "/api/v1/integrations/shopify/"+adv.id+"/orders") ||
		!strings.Contains(p.body, "Not set up") {
		t.Fatalf("Data sources: %d\n%s", p.status, p.body)
	}
	if p := c.post("/ads/reports/data/shopify", url.Values{"webhook_secret": {"short"}}); p.status != http.StatusBadRequest ||
		!fieldError(p.body, "webhook_secret") {
		t.Errorf("a short secret: %d", p.status)
	}
	const secret = "shpss_glow_0123456789abcdef"
	if p := c.post("/ads/reports/data/shopify", url.Values{"webhook_secret": {secret}}); p.status != http.StatusSeeOther {
		t.Fatalf("set the secret: %d\n%s", p.status, p.body)
	}
	p = c.get("/ads/reports/data?done=shopify")
	if !strings.Contains(p.body, "Secret set") || strings.Contains(p.body, secret) {
		t.Errorf("after setting the secret:\n%s", p.body)
	}
	if s.api(adv.token, "GET", "/attribution-settings", nil)["shopify_configured"] != true {
		t.Error("the secret was not stored")
	}

	if p := c.post("/ads/reports/data/click-window", url.Values{"click_window_days": {"90"}}); p.status != http.StatusBadRequest ||
		!fieldError(p.body, "click_window_days") || !strings.Contains(p.body, `value="90"`) {
		t.Errorf("a click window of 90 days: %d", p.status)
	}
	if p := c.post("/ads/reports/data/click-window", url.Values{"click_window_days": {"14"}}); p.status != http.StatusSeeOther {
		t.Errorf("a click window of 14 days: %d", p.status)
	}
	if p := c.post("/ads/reports/data/mappings", url.Values{"action": {"add"}, "kind": {"utm"}, "key": {""},
		"campaign_id": {tr.campaign}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "Enter the utm_campaign value") {
		t.Errorf("a mapping without a value: %d", p.status)
	}
	if p := c.post("/ads/reports/data/mappings", url.Values{"action": {"add"}, "kind": {"utm"}, "key": {"tt-summer"},
		"campaign_id": {"cmp_not_mine"}}); p.status != http.StatusBadRequest || !strings.Contains(p.body, "not one of your campaigns") {
		t.Errorf("a mapping to another campaign: %d", p.status)
	}
	for _, f := range []url.Values{
		{"action": {"add"}, "kind": {"utm"}, "key": {"tt-summer"}, "campaign_id": {tr.campaign}},
		{"action": {"add"}, "kind": {"code"}, "key": {"glow10"}, "campaign_id": {tr.campaign}},
	} {
		if p := c.post("/ads/reports/data/mappings", f); p.status != http.StatusSeeOther {
			t.Fatalf("add a mapping: %d\n%s", p.status, p.body)
		}
	}
	st := s.api(adv.token, "GET", "/attribution-settings", nil)
	if st["click_window_days"] != float64(14) || st["utm_campaigns"].(map[string]any)["ttsummer"] != tr.campaign ||
		st["discount_codes"].(map[string]any)["GLOW10"] != tr.campaign {
		t.Fatalf("settings after the page: %v", st)
	}
	p = c.get("/ads/reports/data")
	if !strings.Contains(p.body, "<code>GLOW10</code>") || !strings.Contains(p.body, "Launch Summer") {
		t.Errorf("the mappings are not listed:\n%s", p.body)
	}
	if p := c.post("/ads/reports/data/mappings", url.Values{"action": {"remove"}, "kind": {"code"}, "key": {"GLOW10"}}); p.status != http.StatusSeeOther {
		t.Errorf("remove a mapping: %d", p.status)
	}
	if n := len(s.api(adv.token, "GET", "/attribution-settings", nil)["discount_codes"].(map[string]any)); n != 0 {
		t.Errorf("%d discount codes after removing the only one", n)
	}
}
