package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/flintads/flint/internal/api"
	"github.com/flintads/flint/internal/api/openapitest"
	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/server"
	"github.com/flintads/flint/internal/store/pgtest"
)

const operatorToken = "operator-token-for-tests"

// env is a running Flint (in process, behind httptest) on one backend.
type env struct {
	t    *testing.T
	srv  *httptest.Server
	app  *server.App
	cfg  config.Config
	dir  string
	logs *logBuffer
	stop func()
	// openAPI checks every exchange of the tests against the document the
	// server serves (openapi_check_test.go).
	openAPI func() *openapitest.Checker
	checked atomic.Int64 // exchanges checked
}

// backends runs fn once per storage backend.
func backends(t *testing.T, fn func(t *testing.T, newEnv func(opts ...func(*config.Config)) *env)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			fn(t, func(opts ...func(*config.Config)) *env { return startEnv(t, name, opts...) })
		})
	}
}

func startEnv(t *testing.T, backend string, opts ...func(*config.Config)) *env {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.DB = filepath.Join(cfg.DataDir, "flint.db")
	if backend == "postgres" {
		cfg.DB = pgtest.URL(t)
	}
	cfg.TestClock = true
	cfg.OperatorToken = operatorToken
	cfg.CodeLookupBurst = 10_000
	for _, o := range opts {
		o(&cfg)
	}
	return serve(t, cfg)
}

// serve starts Flint with cfg behind an httptest server.
func serve(t *testing.T, cfg config.Config) *env {
	logs := &logBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	app, err := server.New(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(app.Handler)
	srv.Listener = api.JSONErrors(srv.Listener)
	srv.Start()
	var once sync.Once
	stop := func() {
		once.Do(func() {
			srv.Close()
			if err := app.Close(); err != nil {
				t.Error(err)
			}
		})
	}
	t.Cleanup(stop)
	e := &env{t: t, srv: srv, app: app, cfg: cfg, dir: cfg.DataDir, logs: logs, stop: stop}
	e.openAPI = sync.OnceValue(e.loadOpenAPI)
	return e
}

// restart stops this server and starts another on the same data.
func (e *env) restart() *env {
	e.t.Helper()
	e.stop()
	return serve(e.t, e.cfg)
}

// answer is a decoded response.
type answer struct {
	status int
	header http.Header
	raw    []byte
	body   map[string]any
}

// do sends a request; body may be a string (sent as is) or a value (JSON).
// The request and its answer are checked against the OpenAPI document.
func (e *env) do(token, method, path string, body any) answer {
	e.t.Helper()
	var sent []byte
	switch b := body.(type) {
	case nil:
	case string:
		sent = []byte(b)
	case []byte:
		sent = b
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		sent = j
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(sent)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		e.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return e.send(req, sent)
}

// send sends req, whose body is sent, checks the exchange against the
// OpenAPI document, and returns the answer.
func (e *env) send(req *http.Request, sent []byte) answer {
	e.t.Helper()
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	a := answer{status: resp.StatusCode, header: resp.Header}
	a.raw, _ = io.ReadAll(resp.Body)
	if len(a.raw) > 0 && a.raw[0] == '{' {
		if err := json.Unmarshal(a.raw, &a.body); err != nil {
			e.t.Fatalf("%s %s: answer is not JSON: %s", req.Method, req.URL.Path, a.raw)
		}
	}
	e.checkOpenAPI(openapitest.Exchange{Method: req.Method, Target: req.URL.RequestURI(), Header: req.Header,
		Body: sent, Status: a.status, ResponseHeader: a.header, ResponseBody: a.raw})
	return a
}

// must sends a request and fails the test unless the status is want.
func (e *env) must(want int, token, method, path string, body any) answer {
	e.t.Helper()
	a := e.do(token, method, path, body)
	if a.status != want {
		e.t.Fatalf("%s %s: status %d, want %d: %s", method, path, a.status, want, a.raw)
	}
	return a
}

// code returns the error code of an error answer.
func (a answer) code() string {
	if e, ok := a.body["error"].(map[string]any); ok {
		s, _ := e["code"].(string)
		return s
	}
	return ""
}

func (a answer) field() string {
	if e, ok := a.body["error"].(map[string]any); ok {
		s, _ := e["field"].(string)
		return s
	}
	return ""
}

// str returns a string at a dotted path of the body.
func (a answer) str(path string) string {
	v := a.get(path)
	s, _ := v.(string)
	return s
}

func (a answer) get(path string) any {
	var v any = a.body
	for _, k := range strings.Split(path, ".") {
		switch m := v.(type) {
		case map[string]any:
			v = m[k]
		case []any:
			var i int
			fmt.Sscan(k, &i)
			if i >= len(m) {
				return nil
			}
			v = m[i]
		default:
			return nil
		}
	}
	return v
}

func (a answer) num(path string) float64 {
	f, _ := a.get(path).(float64)
	return f
}

// world is a small set of accounts and posts most tests start from.
type world struct {
	creator, creator2, personal      account
	advertiser, advertiser2, adv3    account
	post, post2, privatePost         string
	friendsPost, copiedPost, hitPost string
	personalPost                     string
}

type account struct{ id, token string }

func (e *env) newCreator(handle, ctype string) account {
	a := e.must(201, operatorToken, "POST", "/api/v1/accounts", map[string]any{
		"kind": "creator", "handle": handle, "display_name": strings.ToUpper(handle[:1]) + handle[1:], "creator_type": ctype})
	return account{a.str("id"), a.str("token")}
}

func (e *env) newAdvertiser(name string) account {
	a := e.must(201, operatorToken, "POST", "/api/v1/accounts", map[string]any{
		"kind": "advertiser", "name": name, "currency": "USD", "timezone": "America/New_York"})
	return account{a.str("id"), a.str("token")}
}

func (e *env) newPost(creatorID string, change func(p map[string]any)) string {
	p := map[string]any{"creator_id": creatorID, "caption": "Morning routine", "video_url": "https://cdn.example/v.mp4",
		"duration_ms": 21000, "visibility": "public", "original": true, "music": nil}
	if change != nil {
		change(p)
	}
	return e.must(201, operatorToken, "POST", "/api/v1/posts", p).str("id")
}

func (e *env) world() world {
	var w world
	w.creator = e.newCreator("maya", "creator")
	w.creator2 = e.newCreator("lena", "business")
	w.personal = e.newCreator("pat", "personal")
	w.advertiser = e.newAdvertiser("Glow Co")
	w.advertiser2 = e.newAdvertiser("Shine Inc")
	w.adv3 = e.newAdvertiser("Third Brand")
	w.post = e.newPost(w.creator.id, nil)
	w.post2 = e.newPost(w.creator2.id, func(p map[string]any) {
		p["music"] = map[string]any{"title": "Library track", "commercial": true}
	})
	w.privatePost = e.newPost(w.creator.id, func(p map[string]any) { p["visibility"] = "private" })
	w.friendsPost = e.newPost(w.creator.id, func(p map[string]any) { p["visibility"] = "friends" })
	w.copiedPost = e.newPost(w.creator.id, func(p map[string]any) { p["original"] = false })
	w.hitPost = e.newPost(w.creator.id, func(p map[string]any) {
		p["music"] = map[string]any{"title": "Chart hit", "commercial": false}
	})
	w.personalPost = e.newPost(w.personal.id, nil)
	return w
}

// authorize turns authorization on for a post and returns a fresh code.
func (e *env) authorize(creator account, postID string, days int) string {
	e.must(200, creator.token, "PUT", "/api/v1/posts/"+postID+"/ad-authorization",
		map[string]any{"enabled": true, "accept_terms": true, "days": days})
	return e.must(201, creator.token, "POST", "/api/v1/posts/"+postID+"/ad-authorization/codes", nil).str("code")
}

// advance moves the test clock.
func (e *env) advance(seconds int64) {
	e.must(200, operatorToken, "POST", "/api/v1/test-clock/advance", map[string]any{"seconds": seconds})
}

const day = 24 * 3600
