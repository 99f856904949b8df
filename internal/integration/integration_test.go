package integration

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

func open(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// readOrders reads every order, collecting row errors.
func readOrders(r io.Reader) ([]Order, []*RowError, error) {
	or, err := NewOrderReader(r)
	if err != nil {
		return nil, nil, err
	}
	var orders []Order
	var rejected []*RowError
	for {
		o, err := or.Next()
		var re *RowError
		switch {
		case errors.Is(err, io.EOF):
			return orders, rejected, nil
		case errors.As(err, &re):
			rejected = append(rejected, re)
		case err != nil:
			return orders, rejected, err
		default:
			orders = append(orders, o)
		}
	}
}

func readSpend(r io.Reader) (string, []SpendRow, []*RowError, error) {
	sr, err := NewSpendReader(r)
	if err != nil {
		return "", nil, nil, err
	}
	var rows []SpendRow
	var rejected []*RowError
	for {
		row, err := sr.Next()
		var re *RowError
		switch {
		case errors.Is(err, io.EOF):
			return sr.Platform(), rows, rejected, nil
		case errors.As(err, &re):
			rejected = append(rejected, re)
		case err != nil:
			return sr.Platform(), rows, rejected, err
		default:
			rows = append(rows, row)
		}
	}
}

func TestOrders79(t *testing.T) {
	orders, rejected, err := readOrders(bytes.NewReader(open(t, "shopify_orders_79.csv")))
	if err != nil {
		t.Fatal(err)
	}
	if len(orders) != 10 {
		t.Fatalf("%d orders, want 10 (11 in the file, one rejected)", len(orders))
	}
	if len(rejected) != 1 || rejected[0].Err.Field != "Total" || rejected[0].Line != 14 {
		t.Fatalf("rejected %+v, want the formula Total of #1010 on line 14 (#1001 and #1004 have two-line notes)", rejected)
	}
	first := orders[0]
	want := Order{Line: 2, ID: "5500000000000000001", Name: "#1001", Currency: "USD", Total: 69 * money.PerUnit,
		FinancialStatus: "paid", ClickID: "dec_0001x0", UTMCampaign: "Summer Sale", Source: "web",
		CreatedAt: time.Date(2026, 3, 2, 15, 15, 0, 0, time.UTC)}
	if !first.CreatedAt.Equal(want.CreatedAt) {
		t.Fatalf("created %v, want %v", first.CreatedAt, want.CreatedAt)
	}
	first.CreatedAt = want.CreatedAt
	if first != want {
		t.Fatalf("first order\n got %+v\nwant %+v", first, want)
	}
	byName := map[string]Order{}
	for _, o := range orders {
		byName[o.Name] = o
	}
	for name, check := range map[string]func(o Order) bool{
		"#1003": func(o Order) bool { return o.Refunded == 39*money.PerUnit && o.UTMCampaign == "summer-sale" },
		"#1004": func(o Order) bool { return o.Refunded == 10*money.PerUnit && o.UTMCampaign == "spring-launch" },
		"#1005": func(o Order) bool { return o.Cancelled },
		"#1007": func(o Order) bool { return o.Total == 0 && o.DiscountCode == "GIFT100" },
		"#1008": func(o Order) bool { return o.FinancialStatus == "partially_paid" && o.DiscountCode == "SUMMER10" },
		// After the daylight-saving change: -0400.
		"#1009": func(o Order) bool {
			return o.CreatedAt.Equal(time.Date(2026, 3, 8, 7, 1, 0, 0, time.UTC)) && o.ClickID == "dec_0002x1" &&
				o.UTMCampaign == "summer-sale" && o.Source == "pos"
		},
		"#1011": func(o Order) bool { return o.Currency == "EUR" },
	} {
		if o, ok := byName[name]; !ok || !check(o) {
			t.Errorf("order %s: %+v", name, o)
		}
	}
}

func TestOrderHeaderVersions(t *testing.T) {
	for file, n := range map[string]int{"shopify_orders_78.csv": 4, "shopify_orders_75.csv": 5} {
		orders, rejected, err := readOrders(bytes.NewReader(open(t, file)))
		if err != nil || len(rejected) > 0 || len(orders) != n {
			t.Errorf("%s: %d orders, rejected %v, err %v; want %d", file, len(orders), rejected, err, n)
		}
	}
}

func code(err error) string {
	if e, ok := apperr.As(err); ok {
		return e.Code
	}
	return ""
}

func TestOrdersRefused(t *testing.T) {
	good := string(open(t, "shopify_orders_79.csv"))
	lines := strings.SplitAfter(string(open(t, "shopify_orders_75.csv")), "\n") // one line per row
	for name, tc := range map[string]struct {
		body string
		code string
		msg  string
	}{
		"sales report":   {string(open(t, "shopify_sales_report.csv")), CodeWrongExport, "sales report"},
		"spend export":   {string(open(t, "meta_daily_usd.csv")), CodeWrongExport, "Meta Ads Manager spend export"},
		"empty":          {"", CodeEmptyFile, "empty"},
		"binary":         {"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", CodeNotText, "not text"},
		"latin-1":        {"Name,Total\n#1,\xe9\n", CodeNotText, "UTF-8"},
		"wrong columns":  {"Order,Amount,When\n#1,3.00,2026-03-01\n", CodeWrongExport, `"financial status"`},
		"unbalanced":     {lines[0] + lines[1] + `#1002,"unclosed` + "\n" + strings.Join(lines[2:], ""), CodeMalformedCSV, "line 3"},
		"short row":      {lines[0] + lines[1] + "#1002,x\n", CodeMalformedCSV, "line 3 has 2 fields"},
		"nul late":       {good + strings.Repeat("x", 70_000) + "\x00", CodeNotText, "NUL"},
		"long line":      {lines[0] + strings.Repeat("a", MaxLine+10) + "\n", CodeLineTooLong, "line 2"},
		"bare quote":     {lines[0] + "#10\"02" + strings.Repeat(",", 74) + "\n", CodeMalformedCSV, "quote"},
		"utf16 no order": {"\xff\xfe" + "N\x00a\x00m\x00e\x00\n\x00", CodeWrongExport, "lacks"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, err := readOrders(strings.NewReader(tc.body))
			if code(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want %s mentioning %q", err, tc.code, tc.msg)
			}
		})
	}
}

func TestWebhook(t *testing.T) {
	body := open(t, "webhook_order.json")
	secret := []byte("shpss_0123456789abcdef")
	sig := SignShopify(secret, body)
	if !VerifyShopify(secret, body, sig) {
		t.Fatal("own signature does not verify")
	}
	// Re-serialising changes the bytes (\/ becomes /): the signature must
	// be over what was received.
	resaved := bytes.ReplaceAll(body, []byte(`\/`), []byte(`/`))
	if VerifyShopify(secret, resaved, sig) || VerifyShopify([]byte("other"), body, sig) || VerifyShopify(secret, body, "") ||
		VerifyShopify(nil, body, SignShopify(nil, body)) || VerifyShopify(secret, body, sig[:10]) {
		t.Fatal("a wrong body, secret or signature verified")
	}
	o, err := ParseOrderWebhook(body)
	if err != nil {
		t.Fatal(err)
	}
	if o.ID != "820982911946154508" || o.Name != "#9999" || o.Total != 39*money.PerUnit || o.FinancialStatus != "paid" ||
		o.ClickID != "CLICKID" || o.UTMCampaign != "summer-sale" || o.Test || !o.CreatedAt.Equal(time.Date(2026, 3, 8, 6, 59, 0, 0, time.UTC)) {
		t.Fatalf("parsed %+v", o)
	}
	o, err = ParseOrderWebhook(open(t, "webhook_test_order.json"))
	if err != nil || !o.Test || o.ID != "820982911946154999" {
		t.Fatalf("test order %+v, %v", o, err)
	}
	for _, bad := range []string{``, `[]`, `{"id":1.5e3}`, `{"id":"x"}`, `{"id":1,"currency":"USD","total_price":"abc","created_at":"2026-03-08T01:59:00Z"}`,
		`{"id":1,"currency":"USD","total_price":"1.00","created_at":"yesterday"}`} {
		if _, err := ParseOrderWebhook([]byte(bad)); err == nil {
			t.Errorf("ParseOrderWebhook(%s) succeeded", bad)
		}
	}
}

func n(v int64) *int64 { return &v }

func TestSpendExports(t *testing.T) {
	d := func(day int) model.Day { return model.DateDay(2026, 3, day) }
	for file, tc := range map[string]struct {
		platform string
		rows     []SpendRow
		rejected []int
	}{
		"meta_daily_usd.csv": {PlatformMeta, []SpendRow{
			{Line: 2, Channel: "meta", Campaign: "Spring launch", From: d(1), To: d(1), Spend: 120_500_000, Currency: "USD",
				Impressions: n(10000), Clicks: n(150), Conversions: n(4)},
			{Line: 3, Channel: "meta", Campaign: "Spring launch", From: d(2), To: d(2), Spend: 80_250_000, Currency: "USD",
				Impressions: n(7000), Clicks: n(90), Conversions: n(2)},
			{Line: 4, Channel: "meta", Campaign: "Brand awareness", From: d(1), To: d(1), Spend: 40_000_000, Currency: "USD",
				Impressions: n(20000)},
		}, []int{5}},
		"meta_range_eur_de.csv": {PlatformMeta, []SpendRow{
			{Line: 2, Channel: "meta", Campaign: "Frühlingsaktion", From: d(1), To: d(10), Spend: 1_234_500_000, Currency: "EUR",
				Impressions: n(120000), Clicks: n(1500), Conversions: n(12)},
			{Line: 3, Channel: "meta", Campaign: "Marke", From: d(1), To: d(10), Spend: 99_900_000, Currency: "EUR", Impressions: n(5000)},
		}, nil},
		"google_daily.csv": {PlatformGoogle, []SpendRow{
			{Line: 4, Channel: "google", Campaign: "Search - Brand", From: d(1), To: d(1), Spend: 1_234_560_000, Currency: "USD",
				Impressions: n(12000), Clicks: n(340)},
			{Line: 5, Channel: "google", Campaign: "Search - Brand", From: d(2), To: d(2), Spend: 99_000_000, Currency: "USD",
				Impressions: n(900), Clicks: n(20), Conversions: n(1)},
		}, nil},
		"google_excel_utf16.csv": {PlatformGoogle, []SpendRow{
			{Line: 4, Channel: "google", Campaign: "Search - Brand", From: d(1), To: d(1), Spend: 1_234_560_000, Currency: "USD",
				Impressions: n(12000), Clicks: n(340)},
			{Line: 5, Channel: "google", Campaign: "Search - Brand", From: d(2), To: d(2), Spend: 99_000_000, Currency: "USD",
				Impressions: n(900), Clicks: n(20), Conversions: n(1)},
		}, nil},
		"tiktok_daily.csv": {PlatformTikTok, []SpendRow{
			{Line: 2, Channel: "tiktok", Campaign: "Spark - Glow Serum", From: d(1), To: d(1), Spend: 55_100_000, Currency: "USD",
				Impressions: n(8000), Clicks: n(120), Conversions: n(3)},
			{Line: 3, Channel: "tiktok", Campaign: "Spark - Glow Serum", From: d(2), To: d(2), Spend: 12_000_000, Currency: "USD",
				Impressions: n(900), Masked: true},
		}, nil},
		"generic_spend.csv": {PlatformGeneric, []SpendRow{
			{Line: 2, Channel: "pinterest", Campaign: "Spring pins", From: d(1), To: d(1), Spend: 25_000_000, Currency: "USD",
				Impressions: n(3000), Clicks: n(40)},
			{Line: 3, Channel: "pinterest", Campaign: "Spring pins", From: d(2), To: d(2), Spend: 30_000_000, Currency: "USD"},
			{Line: 6, Channel: "newsletter", Campaign: "March issue", From: d(3), To: d(3), Spend: 0, Currency: "USD"},
		}, []int{4, 5}},
	} {
		t.Run(file, func(t *testing.T) {
			platform, rows, rejected, err := readSpend(bytes.NewReader(open(t, file)))
			if err != nil {
				t.Fatal(err)
			}
			if platform != tc.platform {
				t.Errorf("platform %s, want %s", platform, tc.platform)
			}
			if len(rows) != len(tc.rows) {
				t.Fatalf("%d rows, want %d: %+v", len(rows), len(tc.rows), rows)
			}
			for i := range rows {
				if d := diffRow(rows[i], tc.rows[i]); d != "" {
					t.Errorf("row %d: %s", i, d)
				}
			}
			var lines []int
			for _, r := range rejected {
				lines = append(lines, r.Line)
			}
			if !equalInts(lines, tc.rejected) {
				t.Errorf("rejected lines %v, want %v (%v)", lines, tc.rejected, rejected)
			}
		})
	}
}

func diffRow(a, b SpendRow) string {
	p := func(x *int64) any {
		if x == nil {
			return nil
		}
		return *x
	}
	a2, b2 := a, b
	a2.Impressions, a2.Clicks, a2.Conversions, b2.Impressions, b2.Clicks, b2.Conversions = nil, nil, nil, nil, nil, nil
	if a2 != b2 || p(a.Impressions) != p(b.Impressions) || p(a.Clicks) != p(b.Clicks) || p(a.Conversions) != p(b.Conversions) {
		return "got " + fmtRow(a) + "\nwant " + fmtRow(b)
	}
	return ""
}

func fmtRow(r SpendRow) string {
	s := func(x *int64) string {
		if x == nil {
			return "nil"
		}
		return money.Micros(*x * 1_000_000).String()
	}
	return r.Campaign + " " + r.From.String() + ".." + r.To.String() + " " + r.Spend.String() + " " + r.Currency + " imp " +
		s(r.Impressions) + " clicks " + s(r.Clicks) + " conv " + s(r.Conversions)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func TestSpendRefused(t *testing.T) {
	for name, tc := range map[string]struct{ body, code, msg string }{
		"orders export": {string(open(t, "shopify_orders_79.csv")), CodeWrongExport, "orders export"},
		"unknown":       {"a,b,c,d\n1,2,3,4\n", CodeWrongExport, "line 1"},
		"no dates":      {"Campaign name,Cost,Clicks (destination)\nX,1.00,3\n", CodeMissingColumns, "no day column"},
		"binary":        {"PK\x03\x04\x14\x00\x06\x00", CodeNotText, "not text"},
		"quote":         {"date,channel,campaign,spend,impressions,clicks,currency\n2026-03-01,x,\"a,1,1,1,USD\n", CodeMalformedCSV, "quote"},
	} {
		t.Run(name, func(t *testing.T) {
			_, _, _, err := readSpend(strings.NewReader(tc.body))
			if code(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
				t.Fatalf("error %v, want %s mentioning %q", err, tc.code, tc.msg)
			}
		})
	}
}

// FuzzOrderReader checks that no input panics the orders reader, and that
// every error is a refusal or a row error with a line inside the file.
func FuzzOrderReader(f *testing.F) {
	for _, name := range []string{"shopify_orders_79.csv", "shopify_orders_75.csv", "shopify_sales_report.csv"} {
		b, _ := os.ReadFile("testdata/" + name)
		f.Add(b)
	}
	f.Add([]byte("Name,Financial Status,Currency,Total,Created at\n#1,paid,USD,1.00,2026-03-01 00:00:00 +0000\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		lines := bytes.Count(b, []byte{'\n'}) + 1
		_, rejected, err := readOrders(bytes.NewReader(b))
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("error %v is not a refusal", err)
			}
		}
		for _, r := range rejected {
			if r.Line < 2 || r.Line > lines {
				t.Fatalf("row error on line %d of a %d-line file", r.Line, lines)
			}
		}
	})
}

// FuzzSpendReader does the same for spend exports.
func FuzzSpendReader(f *testing.F) {
	for _, name := range []string{"meta_daily_usd.csv", "meta_range_eur_de.csv", "google_daily.csv", "google_excel_utf16.csv",
		"tiktok_daily.csv", "generic_spend.csv"} {
		b, _ := os.ReadFile("testdata/" + name)
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		_, rows, _, err := readSpend(bytes.NewReader(b))
		if err != nil {
			if _, ok := apperr.As(err); !ok {
				t.Fatalf("error %v is not a refusal", err)
			}
		}
		for _, r := range rows {
			if r.To < r.From || r.To-r.From > 366 || r.Campaign == "" || r.Spend < 0 {
				t.Fatalf("row %+v", r)
			}
		}
	})
}
