package api_test

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/flintads/flint/internal/api"
	"github.com/flintads/flint/internal/api/openapitest"
	"github.com/flintads/flint/internal/clock"
)

// document is the OpenAPI document of an API with the test clock (or
// without), as OpenAPI builds it; it fails the test if a route is not
// described or a description has no route.
func document(t *testing.T, testClock bool) []byte {
	t.Helper()
	deps := api.Deps{}
	if testClock {
		deps.TestClock = clock.NewManual(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))
	}
	doc, err := api.New(deps).OpenAPI()
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// TestOpenAPIDocument: GET /api/v1/openapi.json answers, without
// credentials, the document OpenAPI builds, and the document is valid
// OpenAPI 3.1 by the specification's own schema.
func TestOpenAPIDocument(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	served := e.must(200, "", "GET", "/api/v1/openapi.json", nil)
	if ct := served.header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("Content-Type %q", ct)
	}
	if string(served.raw) != string(document(t, true)) {
		t.Error("the served document is not the one OpenAPI builds")
	}
	// Any token, even a wrong one, is not looked at: the document is public.
	for _, token := range []string{operatorToken, "flt_not-a-token"} {
		if a := e.must(200, token, "GET", "/api/v1/openapi.json", nil); string(a.raw) != string(served.raw) {
			t.Errorf("with token %q: another document", token)
		}
	}
	if served.str("openapi") != "3.1.0" {
		t.Errorf("openapi %q", served.str("openapi"))
	}
	for _, testClock := range []bool{true, false} {
		for _, p := range openapitest.Validate(document(t, testClock)) {
			t.Errorf("test clock %v: the document is not valid OpenAPI: %s", testClock, p)
		}
	}
	// Without --test-clock, the document has no test-clock routes.
	if strings.Contains(string(document(t, false)), "/api/v1/test-clock") {
		t.Error("the test-clock routes are documented without the test clock")
	}
}

// TestOpenAPICoversTheRouteTable: the document has one operation per
// route of the table and no other, each with the route's roles, security,
// path parameters, an operation ID of its own, a success answer and the
// error answers its roles imply.
func TestOpenAPICoversTheRouteTable(t *testing.T) {
	t.Parallel()
	var doc struct {
		Paths map[string]map[string]struct {
			OperationID string              `json:"operationId"`
			Roles       []string            `json:"x-flint-roles"`
			Security    []map[string]any    `json:"security"`
			Parameters  []map[string]any    `json:"parameters"`
			Responses   map[string]struct{} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(document(t, true), &doc); err != nil {
		t.Fatal(err)
	}
	routes := api.New(api.Deps{TestClock: clock.NewManual(time.Now())}).Routes()
	inTable := map[string]bool{}
	ids := map[string]string{}
	for _, rt := range routes {
		name := rt.Method + " " + rt.Path
		inTable[name] = true
		op, ok := doc.Paths[rt.Path][strings.ToLower(rt.Method)]
		if !ok {
			t.Errorf("%s is not in the document", name)
			continue
		}
		if prev, dup := ids[op.OperationID]; dup || op.OperationID == "" {
			t.Errorf("%s: operationId %q (also %s)", name, op.OperationID, prev)
		}
		ids[op.OperationID] = name
		if !slices.Equal(op.Roles, rt.Roles) && len(op.Roles)+len(rt.Roles) > 0 {
			t.Errorf("%s: x-flint-roles %v, the table says %v", name, op.Roles, rt.Roles)
		}
		if (len(rt.Roles) == 0) != (len(op.Security) == 0) {
			t.Errorf("%s: security %v for roles %v", name, op.Security, rt.Roles)
		}
		var params []string
		for _, p := range op.Parameters {
			if p["in"] == "path" {
				params = append(params, p["name"].(string))
			}
		}
		var want []string
		for seg := range strings.SplitSeq(rt.Path, "/") {
			if n, ok := strings.CutPrefix(seg, "{"); ok {
				want = append(want, strings.TrimSuffix(n, "}"))
			}
		}
		if !slices.Equal(params, want) {
			t.Errorf("%s: path parameters %v, want %v", name, params, want)
		}
		codes := slices.Sorted(maps.Keys(op.Responses))
		if !slices.ContainsFunc(codes, func(c string) bool { return c[0] == '2' }) {
			t.Errorf("%s: no success answer among %v", name, codes)
		}
		if len(rt.Roles) > 0 && !slices.Contains(codes, "401") {
			t.Errorf("%s: no 401 answer among %v", name, codes)
		}
	}
	for path, item := range doc.Paths {
		for method := range item {
			if name := strings.ToUpper(method) + " " + path; !inTable[name] {
				t.Errorf("the document lists %s, which is not in the route table", name)
			}
		}
	}
}

// TestOpenAPICheckerCatchesDepartures: the check that the harness runs on
// every exchange fails a request or an answer that departs from the
// document, and passes the ones that keep to it, including requests sent
// on purpose to be refused. The answers are real ones, changed.
func TestOpenAPICheckerCatchesDepartures(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	c := e.openAPI()
	adv := e.newAdvertiser("Glow Co")
	campaign := string(e.must(201, adv.token, "POST", "/api/v1/campaigns",
		map[string]any{"name": "Summer", "objective": "REACH", "budget_mode": "DAILY", "budget": "50.00"}).raw)
	creator := string(e.must(201, operatorToken, "POST", "/api/v1/accounts",
		map[string]any{"kind": "creator", "handle": "maya", "creator_type": "creator"}).raw)
	// change returns answer (a JSON object) with key set to v, or removed
	// when v is nil.
	change := func(answer, key string, v any) string {
		var m map[string]any
		if err := json.Unmarshal([]byte(answer), &m); err != nil {
			t.Fatal(err)
		}
		if v == nil {
			delete(m, key)
		} else {
			m[key] = v
		}
		out, _ := json.Marshal(m)
		return string(out)
	}
	jsonHeader := func(kv ...string) http.Header {
		h := http.Header{"Content-Type": {"application/json; charset=utf-8"}}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	bearer := http.Header{"Authorization": {"Bearer " + adv.token}}
	createCampaign := func(body string, status int, answer string, h http.Header) openapitest.Exchange {
		return openapitest.Exchange{Method: "POST", Target: "/api/v1/campaigns", Header: bearer, Body: []byte(body),
			Status: status, ResponseHeader: h, ResponseBody: []byte(answer)}
	}
	good := `{"name":"Summer","objective":"REACH","budget_mode":"DAILY","budget":"50.00"}`
	errAnswer := func(code string) string { return `{"error":{"code":"` + code + `","message":"m","field":"name"}}` }
	for _, c2 := range []struct {
		name string
		x    openapitest.Exchange
		ok   bool
	}{
		{"a valid exchange", createCampaign(good, 201, campaign, jsonHeader()), true},
		{"unknown keys in a request are ignored, as the API does",
			createCampaign(`{"name":"S","objective":"REACH","color":"red"}`, 201, campaign, jsonHeader()), true},
		{"a request of the wrong type that succeeds",
			createCampaign(`{"name":"S","objective":7}`, 201, campaign, jsonHeader()), false},
		{"a request with an unknown enum value that succeeds",
			createCampaign(`{"name":"S","objective":"FAME"}`, 201, campaign, jsonHeader()), false},
		{"a request without a required field that succeeds",
			createCampaign(`{"objective":"REACH"}`, 201, campaign, jsonHeader()), false},
		{"a creator account without its creator_type, created",
			openapitest.Exchange{Method: "POST", Target: "/api/v1/accounts", Header: bearer,
				Body: []byte(`{"kind":"creator","handle":"maya"}`), Status: 201, ResponseHeader: jsonHeader(),
				ResponseBody: []byte(creator)}, false},
		{"a creator account created",
			openapitest.Exchange{Method: "POST", Target: "/api/v1/accounts", Header: bearer,
				Body: []byte(`{"kind":"creator","handle":"maya","creator_type":"creator"}`), Status: 201,
				ResponseHeader: jsonHeader(), ResponseBody: []byte(creator)}, true},
		{"a request of the wrong type refused as documented",
			createCampaign(`{"name":"S","objective":7}`, 400, errAnswer("WRONG_TYPE"), jsonHeader()), true},
		{"a request without a token refused as documented",
			openapitest.Exchange{Method: "GET", Target: "/api/v1/campaigns", Status: 401,
				ResponseHeader: jsonHeader("WWW-Authenticate", `Bearer realm="flint"`),
				ResponseBody:   []byte(errAnswer("UNAUTHENTICATED"))}, true},
		{"a 401 without WWW-Authenticate",
			openapitest.Exchange{Method: "GET", Target: "/api/v1/campaigns", Status: 401,
				ResponseHeader: jsonHeader(), ResponseBody: []byte(errAnswer("UNAUTHENTICATED"))}, false},
		{"an answer without a required field",
			createCampaign(good, 201, change(campaign, "status", nil), jsonHeader()), false},
		{"an answer with a field the document does not name",
			createCampaign(good, 201, change(campaign, "colour", "red"), jsonHeader()), false},
		{"an answer with a value outside its enum",
			createCampaign(good, 201, change(campaign, "status", "PAUSED"), jsonHeader()), false},
		{"an answer with money that is not a decimal string",
			createCampaign(good, 201, change(campaign, "budget", 50), jsonHeader()), false},
		{"an answer with money that is not a number",
			createCampaign(good, 201, change(campaign, "budget", "50 USD"), jsonHeader()), false},
		{"an answer with a time that is not RFC 3339",
			createCampaign(good, 201, change(campaign, "created_at", "yesterday"), jsonHeader()), false},
		{"an answer with null for a field that is never null",
			createCampaign(good, 201, change(campaign, "name", json.RawMessage("null")), jsonHeader()), false},
		{"an undocumented status",
			createCampaign(good, 409, errAnswer("CONFLICT"), jsonHeader()), false},
		{"an error code not documented for the status",
			createCampaign(good, 422, errAnswer("BUDGET_REQUIRED"), jsonHeader()), false},
		{"an error code documented for another status",
			createCampaign(good, 400, errAnswer("BODY_TOO_LARGE"), jsonHeader()), false},
		{"an error answer in another shape",
			createCampaign(good, 400, `{"code":"WRONG_TYPE"}`, jsonHeader()), false},
		{"a wrong method answered 405 with the path's methods",
			openapitest.Exchange{Method: "DELETE", Target: "/api/v1/campaigns", Header: bearer, Status: 405,
				ResponseHeader: jsonHeader("Allow", "GET, HEAD, POST"), ResponseBody: []byte(errAnswer("METHOD_NOT_ALLOWED"))}, true},
		{"a 405 whose Allow differs from the document",
			openapitest.Exchange{Method: "DELETE", Target: "/api/v1/campaigns", Header: bearer, Status: 405,
				ResponseHeader: jsonHeader("Allow", "GET, POST, PUT"), ResponseBody: []byte(errAnswer("METHOD_NOT_ALLOWED"))}, false},
		{"an unknown path answered 404",
			openapitest.Exchange{Method: "GET", Target: "/api/v1/nothing", Status: 404, ResponseHeader: jsonHeader(),
				ResponseBody: []byte(errAnswer("NOT_FOUND"))}, true},
		{"an unknown path answered 200",
			openapitest.Exchange{Method: "GET", Target: "/api/v1/nothing", Status: 200, ResponseHeader: jsonHeader(),
				ResponseBody: []byte(`{}`)}, false},
		{"an ID Flint could not have made, answered 404",
			openapitest.Exchange{Method: "GET", Target: "/api/v1/campaigns/CMP%20X", Header: bearer, Status: 404,
				ResponseHeader: jsonHeader(), ResponseBody: []byte(errAnswer("NOT_FOUND"))}, true},
		{"an ID Flint could not have made, answered 200",
			openapitest.Exchange{Method: "GET", Target: "/api/v1/campaigns/CMP%20X", Header: bearer, Status: 200,
				ResponseHeader: jsonHeader(), ResponseBody: []byte(campaign)}, false},
		{"Shopify's webhook needs its signature header, not a token",
			openapitest.Exchange{Method: "POST", Target: "/api/v1/integrations/shopify/acct_1/orders",
				Header: http.Header{"X-Shopify-Hmac-Sha256": {"c2ln"}, "X-Shopify-Webhook-Id": {"w1"}},
				Body:   []byte(`{"id":1,"name":"#1001"}`), Status: 200, ResponseHeader: jsonHeader(),
				ResponseBody: []byte(`{"duplicate":false,"test":false,"counted":true}`)}, true},
		{"Shopify's webhook without its signature, accepted",
			openapitest.Exchange{Method: "POST", Target: "/api/v1/integrations/shopify/acct_1/orders",
				Header: http.Header{"X-Shopify-Webhook-Id": {"w1"}}, Body: []byte(`{"id":1}`), Status: 200,
				ResponseHeader: jsonHeader(), ResponseBody: []byte(`{"duplicate":false,"test":false,"counted":true}`)}, false},
		{"a report query with an unknown metric, accepted",
			openapitest.Exchange{Method: "GET", Target: "/api/v1/reports?metrics=spend,profit", Header: bearer,
				Status: 200, ResponseHeader: jsonHeader(), ResponseBody: []byte(`{}`)}, false},
		{"a request the server could not parse, answered by the server itself",
			openapitest.Exchange{Method: "GET", Target: "/healthz", Status: 400, ResponseHeader: jsonHeader(),
				ResponseBody: []byte(errAnswer("BAD_REQUEST"))}, true},
	} {
		err := c.Check(c2.x)
		if (err == nil) != c2.ok {
			t.Errorf("%s: check passes %v, want %v (%v)", c2.name, err == nil, c2.ok, err)
		}
	}
}

// TestOpenAPIHarnessChecksEveryExchange: the harness's requests go through
// the check (which TestOpenAPICheckerCatchesDepartures tests).
func TestOpenAPIHarnessChecksEveryExchange(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	before := e.checked.Load()
	e.must(200, "", "GET", "/healthz", nil)
	e.do(operatorToken, "DELETE", "/api/v1/accounts", nil)
	e.webhook("acct_1", "secret", "w1", []byte(`{}`))
	if n := e.checked.Load() - before; n != 3 {
		t.Errorf("%d exchanges checked, want 3", n)
	}
}

// BenchmarkOpenAPICheck is the cost of checking one exchange (a campaign
// created), which every request of the API tests pays.
func BenchmarkOpenAPICheck(b *testing.B) {
	deps := api.Deps{TestClock: clock.NewManual(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))}
	doc, err := api.New(deps).OpenAPI()
	if err != nil {
		b.Fatal(err)
	}
	c, err := openapitest.New(doc)
	if err != nil {
		b.Fatal(err)
	}
	x := openapitest.Exchange{Method: "POST", Target: "/api/v1/campaigns",
		Header: http.Header{"Authorization": {"Bearer flt_x"}},
		Body:   []byte(`{"name":"Summer","objective":"REACH","budget_mode":"DAILY","budget":"50.00"}`), Status: 201,
		ResponseHeader: http.Header{"Content-Type": {"application/json; charset=utf-8"}},
		ResponseBody: []byte(`{"id":"cmp_1","advertiser_id":"acct_1","name":"Summer","objective":"REACH","budget_mode":"DAILY",` +
			`"budget":"50.00","status":"ENABLED","created_at":"2026-11-01T10:00:00Z","updated_at":"2026-11-01T10:00:00Z"}`)}
	for b.Loop() {
		if err := c.Check(x); err != nil {
			b.Fatal(err)
		}
	}
}
