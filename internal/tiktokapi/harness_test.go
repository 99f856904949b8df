package tiktokapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/flintads/flint/internal/api"
	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/server"
	"github.com/flintads/flint/internal/store/pgtest"
)

const operator = "operator-token-for-tiktok-tests"

// env is a running Flint (in process) on one backend.
type env struct {
	t   *testing.T
	srv *httptest.Server
}

// backends runs fn once per storage backend.
func backends(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, start(t, name))
		})
	}
}

func start(t *testing.T, backend string) *env {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.DB = filepath.Join(cfg.DataDir, "flint.db")
	if backend == "postgres" {
		cfg.DB = pgtest.URL(t)
	}
	cfg.TestClock = true
	cfg.OperatorToken = operator
	cfg.CodeLookupBurst = 10_000
	app, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(app.Handler)
	srv.Listener = api.JSONErrors(srv.Listener)
	srv.Start()
	t.Cleanup(func() {
		srv.Close()
		if err := app.Close(); err != nil {
			t.Error(err)
		}
	})
	return &env{t: t, srv: srv}
}

// native calls the native API and expects the status given.
func (e *env) native(token, method, path string, body any, want int) map[string]any {
	e.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, e.srv.URL+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		e.t.Fatalf("%s %s: %d %s, want %d", method, path, resp.StatusCode, raw, want)
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return out
}

// reply is a decoded answer of the TikTok surface.
type reply struct {
	Code      int            `json:"code"`
	Message   string         `json:"message"`
	RequestID string         `json:"request_id"`
	Data      map[string]any `json:"data"`
	header    http.Header
}

// call sends a request to the TikTok surface: a GET with query, or a POST
// with body (a value sent as JSON, or a string sent as is). Every answer
// must be HTTP 200 JSON in the envelope.
func (e *env) call(token, method, path string, query url.Values, body any) reply {
	e.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		rd = bytes.NewReader(j)
	}
	u := e.srv.URL + path
	if len(query) > 0 {
		u += "?" + query.Encode()
	}
	req, _ := http.NewRequest(method, u, rd)
	if token != "" {
		req.Header.Set("Access-Token", token)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		e.t.Fatalf("%s %s: HTTP %d %s (%s), want 200 JSON", method, path, resp.StatusCode,
			resp.Header.Get("Content-Type"), raw)
	}
	var r reply
	if err := json.Unmarshal(raw, &r); err != nil {
		e.t.Fatalf("%s %s: not the envelope: %s", method, path, raw)
	}
	var keys map[string]json.RawMessage
	_ = json.Unmarshal(raw, &keys)
	for _, k := range []string{"code", "message", "request_id", "data"} {
		if _, ok := keys[k]; !ok {
			e.t.Fatalf("%s %s: envelope without %s: %s", method, path, k, raw)
		}
	}
	if r.Code == 0 && r.Message != "OK" {
		e.t.Fatalf("%s %s: code 0 with message %q, want OK", method, path, r.Message)
	}
	if r.Code != 0 && len(r.Data) != 0 {
		e.t.Fatalf("%s %s: error %d with data %v, want {}", method, path, r.Code, r.Data)
	}
	if r.RequestID == "" {
		e.t.Fatalf("%s %s: no request_id", method, path)
	}
	r.header = resp.Header
	return r
}

// ok expects success and returns data.
func (r reply) ok(t *testing.T, what string) map[string]any {
	t.Helper()
	if r.Code != 0 {
		t.Fatalf("%s: code %d %q, want 0", what, r.Code, r.Message)
	}
	return r.Data
}

// fails expects an error code.
func (r reply) fails(t *testing.T, code int, what string) {
	t.Helper()
	if r.Code != code {
		t.Fatalf("%s: code %d %q (data %v), want %d", what, r.Code, r.Message, r.Data, code)
	}
}

// world is what a scenario starts from: a creator with a post whose ad
// authorization is on and a code, and two advertisers.
type world struct {
	creator, adv, other     string // tokens
	advID, otherID          string // numeric advertiser ids
	advOpaque, postID, code string
	creatorID               string
}

func (e *env) world() world {
	e.t.Helper()
	var w world
	cr := e.native(operator, "POST", "/api/v1/accounts", map[string]any{"kind": "creator", "handle": "maya",
		"display_name": "Maya", "creator_type": "business"}, 201)
	w.creator, w.creatorID = cr["token"].(string), cr["id"].(string)
	ad := e.native(operator, "POST", "/api/v1/accounts", map[string]any{"kind": "advertiser", "name": "Glow Co",
		"currency": "USD", "timezone": "UTC", "email": "ads@glow.example"}, 201)
	w.adv, w.advOpaque = ad["token"].(string), ad["id"].(string)
	ot := e.native(operator, "POST", "/api/v1/accounts", map[string]any{"kind": "advertiser", "name": "Other Co",
		"currency": "EUR", "timezone": "Europe/Paris"}, 201)
	w.other = ot["token"].(string)
	w.postID = e.native(operator, "POST", "/api/v1/posts", map[string]any{"creator_id": w.creatorID,
		"caption": "Morning routine #glow", "video_url": "https://cdn.example/v.mp4", "duration_ms": 13538,
		"visibility": "public", "original": true, "music": nil}, 201)["id"].(string)
	w.code = e.newCode(w)
	w.advID = e.call(w.adv, "GET", "/open_api/v1.3/user/info/", nil, nil).ok(e.t, "user/info")["core_user_id"].(string)
	w.otherID = e.call(w.other, "GET", "/open_api/v1.3/user/info/", nil, nil).ok(e.t, "user/info")["core_user_id"].(string)
	return w
}

// newCode turns the post's authorization on (if needed) and generates a code.
func (e *env) newCode(w world) string {
	e.native(w.creator, "PUT", "/api/v1/posts/"+w.postID+"/ad-authorization",
		map[string]any{"enabled": true, "accept_terms": true, "days": 30}, 200)
	return e.native(w.creator, "POST", "/api/v1/posts/"+w.postID+"/ad-authorization/codes", nil, 201)["code"].(string)
}
