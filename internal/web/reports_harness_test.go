package web_test

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"time"
)

// seedQuestion is the source document's question, verbatim.
const seedQuestion = "Show me a report comparing TikTok spend vs. Shopify revenue by campaign this month"

// toMidMonth moves the test clock to noon UTC on the 15th of next month,
// so that what a test does falls in one month.
func (s *site) toMidMonth() time.Time {
	s.t.Helper()
	now, err := time.Parse(time.RFC3339Nano, s.api(opToken, "GET", "/test-clock", nil)["now"].(string))
	if err != nil {
		s.t.Fatal(err)
	}
	target := time.Date(now.Year(), now.Month()+1, 15, 12, 0, 0, 0, time.UTC)
	s.advance(target.Sub(now))
	return target
}

// bid changes the bid (per 1,000 impressions) of one of adv's ad groups.
func (s *site) bid(adv acct, adGroupID, bid string) {
	s.t.Helper()
	s.api(adv.token, "PATCH", "/ad-groups/"+adGroupID, map[string]any{"bid": bid})
}

// delivered is one served ad: its token and click id.
type delivered struct{ token, clickID string }

// serve asks for n decisions (for viewers prefix-i), each of which must
// serve adID, and sends an impression for each and a click for the first
// clicks of them.
func (s *site) serve(adID, prefix string, n, clicks int) []delivered {
	s.t.Helper()
	var out []delivered
	var events []map[string]any
	for i := range n {
		d := s.api(opToken, "POST", "/decisions", map[string]any{"placement": "feed", "count": 1, "viewer": map[string]any{
			"id": fmt.Sprintf("%s-%d", prefix, i), "country": "US", "age": 27, "gender": "female", "language": "en", "os": "ios"}})
		ads := d["ads"].([]any)
		if len(ads) != 1 || ads[0].(map[string]any)["ad_id"] != adID {
			s.t.Fatalf("decision %d serves %v, want %s", i, ads, adID)
		}
		a := ads[0].(map[string]any)
		dl := delivered{token: a["token"].(string), clickID: a["click_id"].(string)}
		out = append(out, dl)
		events = append(events, map[string]any{"event_id": fmt.Sprintf("%s-imp-%d", prefix, i), "type": "impression", "token": dl.token})
		if i < clicks {
			events = append(events, map[string]any{"event_id": fmt.Sprintf("%s-click-%d", prefix, i), "type": "click", "token": dl.token})
		}
	}
	if got := s.api(opToken, "POST", "/events", map[string]any{"events": events})["accepted"]; got != float64(len(events)) {
		s.t.Fatalf("%v of %d events accepted", got, len(events))
	}
	return out
}

// ordersCSV writes a Shopify orders export (the 79-column header of the
// integration fixtures), one line item per order: name, id, financial
// status, total, created at, note attributes, discount code.
func ordersCSV(orders [][]string) string {
	fixture, err := os.ReadFile("../integration/testdata/shopify_orders_79.csv")
	if err != nil {
		panic(err)
	}
	header, err := csv.NewReader(bytes.NewReader(fixture)).Read()
	if err != nil {
		panic(err)
	}
	col := map[string]int{}
	for i, h := range header {
		col[h] = i
	}
	var b strings.Builder
	w := csv.NewWriter(&b)
	w.Write(header)
	for _, o := range orders {
		row := make([]string, len(header))
		row[col["Name"]], row[col["Id"]], row[col["Financial Status"]], row[col["Total"]] = o[0], o[1], o[2], o[3]
		row[col["Created at"]], row[col["Note Attributes"]], row[col["Discount Code"]] = o[4], o[5], o[6]
		row[col["Currency"]], row[col["Lineitem name"]], row[col["Lineitem quantity"]] = "USD", "Glow Serum", "1"
		w.Write(row)
	}
	w.Flush()
	return b.String()
}

// upload sends an import form as a browser does: the form token first,
// then the file (whose content is read from body as it is sent).
func (c *client) upload(path, filename string, body io.Reader) page {
	c.s.t.Helper()
	return c.uploadWith(path, c.token(), filename, body)
}

// uploadWith sends an import form with the given token ("" for none).
func (c *client) uploadWith(path, token, filename string, body io.Reader) page {
	c.s.t.Helper()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		if token != "" {
			mw.WriteField("csrf", token)
		}
		fw, err := mw.CreateFormFile("file", filename)
		if err == nil {
			_, err = io.Copy(fw, body)
		}
		if err == nil {
			err = mw.Close()
		}
		pw.CloseWithError(err)
	}()
	req, _ := http.NewRequest("POST", c.s.srv.URL+path, pr)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.s.srv.URL)
	return c.do(req)
}
