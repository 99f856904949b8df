package api_test

import (
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/flintads/flint/internal/api"
	"github.com/flintads/flint/internal/api/openapitest"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/config"
)

// routeTable is the API's route table, test clock included.
func routeTable() []api.Route {
	return api.New(api.Deps{TestClock: clock.NewOffset()}).Routes()
}

// TestStrictJSON: duplicate and case-variant keys, invalid UTF-8, lone
// surrogates and NUL characters are refused, never repaired or matched.
func TestStrictJSON(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	w := e.world()
	cmp := e.must(201, w.advertiser.token, "POST", "/api/v1/campaigns", map[string]any{"name": "C", "objective": "REACH",
		"budget_mode": "LIFETIME", "budget": "5.00"}).str("id")
	cases := map[string]struct {
		token, method, path, body string
		code, field               string
	}{
		"case-variant key": {operatorToken, "POST", "/api/v1/accounts",
			`{"kind":"creator","KIND":"advertiser","handle":"zz","creator_type":"creator"}`, "KEY_CASE_MISMATCH", "KIND"},
		"case-variant key alone": {operatorToken, "POST", "/api/v1/accounts",
			`{"Kind":"advertiser","name":"X"}`, "KEY_CASE_MISMATCH", "Kind"},
		"duplicate key": {w.advertiser.token, "PATCH", "/api/v1/campaigns/" + cmp,
			`{"budget":"1.00","budget":"100000.00"}`, "DUPLICATE_KEY", "budget"},
		"duplicate nested key": {w.advertiser.token, "POST", "/api/v1/ad-groups",
			`{"campaign_id":"` + cmp + `","name":"G","billing_event":"CPM","bid":"1.00","targeting":{"countries":["US"],"countries":["FR"]}}`,
			"DUPLICATE_KEY", "targeting.countries"},
		"duplicate key by escape": {operatorToken, "POST", "/api/v1/accounts",
			`{"kind":"creator","kin\u0064":"advertiser"}`, "DUPLICATE_KEY", "kind"},
		"lone surrogate": {operatorToken, "POST", "/api/v1/posts",
			`{"creator_id":"` + w.creator.id + `","caption":"a\ud800b"}`, "INVALID_TEXT", "caption"},
		"lone low surrogate": {operatorToken, "PATCH", "/api/v1/posts/" + w.post, `{"caption":"\udc00"}`, "INVALID_TEXT", "caption"},
		"invalid UTF-8":      {operatorToken, "PATCH", "/api/v1/posts/" + w.post, "{\"caption\":\"a\xffb\"}", "INVALID_TEXT", "caption"},
		"NUL in an id":       {w.advertiser.token, "POST", "/api/v1/ads", `{"ad_group_id":"a\u0000"}`, "INVALID_TEXT", "ad_group_id"},
		"NUL in a key":       {operatorToken, "PATCH", "/api/v1/posts/" + w.post, `{"cap\u0000tion":"x"}`, "INVALID_TEXT", ""},
		"wrong type in a batch": {operatorToken, "POST", "/api/v1/events",
			`{"events":[{"event_id":"a","type":"like","post_id":"` + w.post + `"},{"event_id":"b","type":"like","watch_ms":"long"}]}`,
			"WRONG_TYPE", "events[1].watch_ms"},
		"fraction for an integer": {w.creator.token, "POST", "/api/v1/posts/" + w.post + "/ad-authorization/extend",
			`{"days":7.5}`, "WRONG_TYPE", "days"},
		"too deep": {operatorToken, "POST", "/api/v1/accounts", `{"x":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`,
			"MALFORMED_JSON", ""},
	}
	for name, c := range cases {
		a := e.do(c.token, c.method, c.path, c.body)
		if a.status != 400 || a.code() != c.code || a.field() != c.field {
			t.Errorf("%s: %d %s field %q, want 400 %s field %q: %.300s", name, a.status, a.code(), a.field(), c.code, c.field, a.raw)
		}
	}
	// Nothing of the refused bodies was stored.
	if b := e.must(200, w.advertiser.token, "GET", "/api/v1/campaigns/"+cmp, nil).str("budget"); b != "5.00" {
		t.Errorf("budget after refused edits: %s", b)
	}
	if c := e.must(200, operatorToken, "GET", "/api/v1/posts/"+w.post, nil).str("caption"); c != "Morning routine" {
		t.Errorf("caption after refused edits: %q", c)
	}
}

// TestHostileIDs sends IDs that cannot exist (NUL bytes, invalid UTF-8,
// huge or odd strings) in every path of the route table and in the query
// filters: each answers 404 (400 for a query value that is not text), the
// same on both backends, never 5xx.
func TestHostileIDs(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		tokenFor := map[string]string{"operator": operatorToken, "creator": w.creator.token, "advertiser": w.advertiser.token}
		bad := []string{"%00", "a%00b", "%ff", "%ed%a0%80", strings.Repeat("x", 5000), "post_" + strings.Repeat("%C3%A9", 30),
			"..%2f..%2fetc", "%20", "1%0a2"}
		for _, rt := range routeTable() {
			if !strings.Contains(rt.Path, "{") || len(rt.Roles) == 0 {
				continue
			}
			for _, id := range bad {
				path := strings.ReplaceAll(rt.Path, "{id}", id)
				a := e.do(tokenFor[rt.Roles[0]], rt.Method, path, "{}")
				if a.status != 404 || a.code() != "NOT_FOUND" {
					t.Errorf("%s %s: %d %.200s", rt.Method, path, a.status, a.raw)
				}
			}
		}
		for _, path := range []string{"/api/v1/ad-groups?campaign_id=", "/api/v1/ads?ad_group_id="} {
			for _, v := range []string{"%00", "%ff", "a%0ab"} {
				a := e.do(w.advertiser.token, "GET", path+v, nil)
				if a.status != 400 || a.code() != "INVALID_TEXT" {
					t.Errorf("GET %s%s: %d %.200s", path, v, a.status, a.raw)
				}
			}
			// A well-formed ID that names nothing filters to nothing.
			if a := e.must(200, w.advertiser.token, "GET", path+url.QueryEscape("cmp_nothing"), nil); strings.Contains(string(a.raw), `"id"`) {
				t.Errorf("GET %s with an unknown ID: %s", path, a.raw)
			}
		}
	})
}

// TestProtocolAnswersAreJSON: a wrong method is 405 with Allow, odd paths
// and unparsable requests are answered in the JSON error shape.
func TestProtocolAnswersAreJSON(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	for _, c := range []struct {
		method, path string
		status       int
		code, allow  string
	}{
		{"DELETE", "/api/v1/campaigns", 405, "METHOD_NOT_ALLOWED", "GET, HEAD, POST"},
		{"PUT", "/api/v1/ads/ad_x", 405, "METHOD_NOT_ALLOWED", "GET, HEAD, PATCH"},
		{"POST", "/healthz", 405, "METHOD_NOT_ALLOWED", "GET, HEAD"},
		{"GET", "//api/v1/posts", 404, "NOT_FOUND", ""},
		{"GET", "/api/v1//posts", 404, "NOT_FOUND", ""},
		{"GET", "/api/v1/./posts", 404, "NOT_FOUND", ""},
		{"GET", "/api/v1/posts/../me", 404, "NOT_FOUND", ""},
		{"GET", "/api/nothing", 404, "NOT_FOUND", ""},
		{"GET", "//healthz", 404, "NOT_FOUND", ""},
	} {
		a := rawRequest(t, e, c.method+" "+c.path+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\nAuthorization: Bearer "+operatorToken+"\r\n\r\n")
		if a.status != c.status || a.code() != c.code || a.header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d %q Allow %q, want %d %s Allow %q: %s", c.method, c.path, a.status, a.code(),
				a.header.Get("Allow"), c.status, c.code, c.allow, a.raw)
		}
	}
	for name, req := range map[string]string{
		"NUL in a header":      "GET /healthz HTTP/1.1\r\nHost: x\r\nX-Probe: a\x00b\r\n\r\n",
		"NUL in the token":     "GET /api/v1/posts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer a\x00b\r\n\r\n",
		"NUL in the path":      "GET /api/v1/po\x00sts HTTP/1.1\r\nHost: x\r\n\r\n",
		"no Host":              "GET /healthz HTTP/1.1\r\n\r\n",
		"malformed first line": "GARBAGE\r\n\r\n",
	} {
		a := rawRequest(t, e, req)
		if a.status != 400 || a.code() == "" || !strings.HasPrefix(a.header.Get("Content-Type"), "application/json") {
			t.Errorf("%s: %d %q %s", name, a.status, a.header.Get("Content-Type"), a.raw)
		}
	}
}

// rawRequest sends raw bytes and reads the answer.
func rawRequest(t *testing.T, e *env, req string) answer {
	t.Helper()
	c, err := net.Dial("tcp", e.srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.WriteString(c, req+"\r\n"); err != nil {
		t.Fatal(err)
	}
	// One answer: read the status line, headers, and the body by its length.
	raw, _ := io.ReadAll(io.LimitReader(c, 1<<16))
	head, body, _ := strings.Cut(string(raw), "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	var a answer
	a.header = map[string][]string{}
	if f := strings.Fields(lines[0]); len(f) >= 2 {
		a.status = atoi(f[1])
	}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ": ")
		a.header.Add(k, v)
	}
	if n := a.header.Get("Content-Length"); n != "" && atoi(n) <= len(body) {
		body = body[:atoi(n)]
	}
	a.raw = []byte(body)
	_ = json.Unmarshal(a.raw, &a.body)
	e.checkOpenAPI(rawExchange(req, a))
	return a
}

// rawExchange is a raw request and its answer, for the OpenAPI check.
func rawExchange(req string, a answer) openapitest.Exchange {
	x := openapitest.Exchange{Header: http.Header{}, Status: a.status, ResponseHeader: a.header, ResponseBody: a.raw}
	head, body, _ := strings.Cut(req, "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	x.Method = lines[0]
	if f := strings.Fields(lines[0]); len(f) >= 2 {
		x.Method, x.Target = f[0], f[1]
	}
	for _, l := range lines[1:] {
		k, v, _ := strings.Cut(l, ":")
		x.Header.Add(k, strings.TrimSpace(v))
	}
	x.Body = []byte(body)
	return x
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		if c < '0' || c > '9' {
			break
		}
		n = n*10 + int(c-'0')
	}
	return n
}

// TestPatchRules: every PATCH refuses a body with nothing to change and
// names a field it cannot change, the same way.
func TestPatchRules(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	w := e.world()
	adID, _ := e.sparkAd(w.creator, w.advertiser, w.post, nil)
	ad := e.must(200, w.advertiser.token, "GET", "/api/v1/ads/"+adID, nil)
	paths := map[string]string{
		"/api/v1/accounts/{id}":  w.advertiser.id,
		"/api/v1/posts/{id}":     w.post,
		"/api/v1/campaigns/{id}": ad.str("campaign_id"),
		"/api/v1/ad-groups/{id}": ad.str("ad_group_id"),
		"/api/v1/ads/{id}":       adID,
		// Not an object with an ID: the advertiser's own settings.
		"/api/v1/attribution-settings": "",
	}
	readOnly := map[string]string{
		"/api/v1/accounts/{id}":        `{"kind":"creator"}`,
		"/api/v1/posts/{id}":           `{"creator_id":"acct_x","caption":"x"}`,
		"/api/v1/campaigns/{id}":       `{"advertiser_id":"acct_x"}`,
		"/api/v1/ad-groups/{id}":       `{"billing_event":"CPM"}`,
		"/api/v1/ads/{id}":             `{"spark_post_id":"sp_x"}`,
		"/api/v1/attribution-settings": `{"shopify_configured":true}`,
	}
	seen := 0
	for _, rt := range routeTable() {
		if rt.Method != "PATCH" {
			continue
		}
		seen++
		id, ok := paths[rt.Path]
		if !ok {
			t.Errorf("PATCH %s: no case in this test", rt.Path)
			continue
		}
		token := map[string]string{"operator": operatorToken, "advertiser": w.advertiser.token}[rt.Roles[0]]
		path := strings.ReplaceAll(rt.Path, "{id}", id)
		for _, body := range []string{`{}`, `{"unknown":1}`} {
			if a := e.do(token, "PATCH", path, body); a.status != 400 || a.code() != "NO_EDITABLE_FIELD" {
				t.Errorf("PATCH %s %s: %d %s", rt.Path, body, a.status, a.raw)
			}
		}
		if a := e.do(token, "PATCH", path, readOnly[rt.Path]); a.status != 400 || a.code() != "FIELD_NOT_EDITABLE" || a.field() == "" {
			t.Errorf("PATCH %s %s: %d %s", rt.Path, readOnly[rt.Path], a.status, a.raw)
		}
	}
	if seen != len(paths) {
		t.Errorf("%d PATCH routes, %d cases", seen, len(paths))
	}
}

// TestMoneyPrecision: amounts follow the currency's minor units.
func TestMoneyPrecision(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	for _, c := range []struct {
		currency, good, shown, tooPrecise string
	}{
		{"JPY", "1500", "1500", "1500.5"},
		{"USD", "15.5", "15.50", "15.505"},
		{"KWD", "1.125", "1.125", "1.1255"},
	} {
		adv := e.must(201, operatorToken, "POST", "/api/v1/accounts", map[string]any{"kind": "advertiser", "name": c.currency,
			"currency": c.currency}).str("token")
		got := e.must(201, adv, "POST", "/api/v1/campaigns", map[string]any{"name": "C", "objective": "REACH",
			"budget_mode": "DAILY", "budget": c.good})
		if got.str("budget") != c.shown {
			t.Errorf("%s: budget %q shown as %q, want %q", c.currency, c.good, got.str("budget"), c.shown)
		}
		a := e.do(adv, "PATCH", "/api/v1/campaigns/"+got.str("id"), map[string]any{"budget": c.tooPrecise})
		if a.status != 400 || a.field() != "budget" {
			t.Errorf("%s: budget %q: %d %s", c.currency, c.tooPrecise, a.status, a.raw)
		}
		g := e.do(adv, "POST", "/api/v1/ad-groups", map[string]any{"campaign_id": got.str("id"), "name": "G",
			"billing_event": "CPC", "bid": c.tooPrecise})
		if g.status != 400 || g.field() != "bid" {
			t.Errorf("%s: bid %q: %d %s", c.currency, c.tooPrecise, g.status, g.raw)
		}
	}
}

// TestExtensionsAreBounded: repeated extensions cannot push an
// authorization past MaxReach, and every answer that shows its expiry
// stays readable.
func TestExtensionsAreBounded(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		code := e.authorize(w.creator, w.post, 365)
		e.must(201, w.advertiser.token, "POST", "/api/v1/spark-posts", map[string]any{"code": code})
		base := "/api/v1/posts/" + w.post + "/ad-authorization"
		refused := 0
		for range 30 {
			a := e.do(w.creator.token, "POST", base+"/extend", map[string]any{"days": 365})
			if a.status == 422 && a.code() == "AUTHORIZATION_TOO_FAR" {
				refused++
			} else if a.status != 200 {
				t.Fatalf("extend: %d %s", a.status, a.raw)
			}
		}
		if refused != 29 { // 365 days + one more year fit in two years; no more
			t.Errorf("%d of 30 extensions refused, want 29", refused)
		}
		expires, err := time.Parse(time.RFC3339Nano, e.must(200, w.creator.token, "GET", base, nil).str("expires_at"))
		if err != nil || time.Until(expires) > 2*365*24*time.Hour+time.Hour {
			t.Errorf("expires_at %v after extensions (%v)", expires, err)
		}
		e.must(200, w.advertiser.token, "GET", "/api/v1/spark-posts", nil)
	})
}
