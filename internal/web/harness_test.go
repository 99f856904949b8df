package web_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/server"
	"github.com/flintads/flint/internal/store/pgtest"
)

const (
	opToken  = "operator-token-for-web-tests"
	password = "correct horse battery"
)

// site is an in-process Flint serving the UI, with helpers that set up data
// through the JSON API.
type site struct {
	t   *testing.T
	srv *httptest.Server
	app *server.App
}

func newSite(t *testing.T, tls bool) *site {
	t.Helper()
	return startSite(t, "sqlite", tls)
}

// backends are the stores the tests that matter most on both run on.
var backends = []string{"sqlite", "postgres"}

// startSite starts a site on backend ("sqlite", or "postgres": a
// throw-away database from pgtest, skipped when there is no server).
func startSite(t *testing.T, backend string, tls bool) *site {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.DB = filepath.Join(cfg.DataDir, "flint.db")
	if backend == "postgres" {
		cfg.DB = pgtest.URL(t)
	}
	cfg.OperatorToken = opToken
	cfg.TestClock = true
	cfg.CodeLookupBurst = 1000
	app, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	var srv *httptest.Server
	if tls {
		srv = httptest.NewTLSServer(app.Handler)
	} else {
		srv = httptest.NewServer(app.Handler)
	}
	t.Cleanup(func() {
		srv.Close()
		app.Close()
	})
	return &site{t: t, srv: srv, app: app}
}

// api calls the JSON API with token and returns the decoded answer.
func (s *site) api(token, method, path string, body any) map[string]any {
	s.t.Helper()
	var b []byte
	if body != nil { // no body at all, rather than "null", which the API refuses
		b, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, s.srv.URL+"/api/v1"+path, strings.NewReader(string(b)))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode >= 300 {
		s.t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, out)
	}
	return out
}

type acct struct{ id, token, login string }

func (s *site) creator(handle, ctype string) acct {
	a := s.api(opToken, "POST", "/accounts", map[string]any{"kind": "creator", "handle": handle,
		"creator_type": ctype, "password": password})
	return acct{a["id"].(string), a["token"].(string), handle}
}

func (s *site) advertiser(name, email string) acct {
	a := s.api(opToken, "POST", "/accounts", map[string]any{"kind": "advertiser", "name": name, "email": email,
		"password": password})
	return acct{a["id"].(string), a["token"].(string), email}
}

func (s *site) post(creator acct, caption string) string {
	return s.api(opToken, "POST", "/posts", map[string]any{"creator_id": creator.id, "caption": caption,
		"video_url": "https://cdn.example/v.mp4", "duration_ms": 15000, "visibility": "public", "original": true,
		"music": nil})["id"].(string)
}

// code authorizes a post and returns a fresh code for it.
func (s *site) code(creator acct, postID string) string {
	s.api(creator.token, "PUT", "/posts/"+postID+"/ad-authorization", map[string]any{"enabled": true,
		"accept_terms": true, "days": 30})
	return s.api(creator.token, "POST", "/posts/"+postID+"/ad-authorization/codes", nil)["code"].(string)
}

// tree is one advertiser's campaign, ad group, ad and library entry.
type tree struct {
	campaign, adGroup, ad, sparkPost, post string
}

// structure gives adv a library entry (a post of creator) and a live ad.
func (s *site) structure(adv, creator acct, caption string) tree {
	var t tree
	t.post = s.post(creator, caption)
	t.sparkPost = s.api(adv.token, "POST", "/spark-posts", map[string]any{"code": s.code(creator, t.post)})["id"].(string)
	t.campaign = s.api(adv.token, "POST", "/campaigns", map[string]any{"name": "Launch " + caption,
		"objective": "REACH", "budget_mode": "LIFETIME", "budget": "100.00"})["id"].(string)
	t.adGroup = s.api(adv.token, "POST", "/ad-groups", map[string]any{"campaign_id": t.campaign, "name": "Everyone",
		"billing_event": "CPM", "bid": "4.00"})["id"].(string)
	t.ad = s.api(adv.token, "POST", "/ads", map[string]any{"ad_group_id": t.adGroup, "spark_post_id": t.sparkPost,
		"name": "Ad " + caption, "cta": map[string]any{"label": "Shop now", "url": "https://shop.example"}})["id"].(string)
	return t
}

// client is one browser: a cookie jar, no automatic redirects, and the
// Origin a same-site form post carries.
type client struct {
	s *site
	c *http.Client
	// tokens caches the form token of each session (by cookie value).
	tokens map[string]string
}

func (s *site) client() *client {
	jar, _ := cookiejar.New(nil)
	c := *s.srv.Client() // a copy: each client has its own jar
	c.Jar = jar
	c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &client{s: s, c: &c, tokens: map[string]string{}}
}

type page struct {
	status int
	header http.Header
	body   string
}

func (c *client) get(path string) page {
	c.s.t.Helper()
	req, _ := http.NewRequest("GET", c.s.srv.URL+path, nil)
	return c.do(req)
}

// post sends a form the way a browser on this site does (same origin,
// with the form token its pages carry).
func (c *client) post(path string, form url.Values) page {
	c.s.t.Helper()
	return c.postFrom(c.s.srv.URL, "same-origin", path, form)
}

// postFrom sends a form, with the client's form token, as if from a page
// of origin.
func (c *client) postFrom(origin, fetchSite, path string, form url.Values) page {
	c.s.t.Helper()
	withToken := url.Values{}
	for k, v := range form {
		withToken[k] = v
	}
	if !form.Has("csrf") {
		withToken.Set("csrf", c.token())
	}
	return c.postRaw(origin, fetchSite, path, withToken)
}

// postRaw sends exactly form, as if from a page of origin.
func (c *client) postRaw(origin, fetchSite, path string, form url.Values) page {
	c.s.t.Helper()
	req, _ := http.NewRequest("POST", c.s.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	if fetchSite != "" {
		req.Header.Set("Sec-Fetch-Site", fetchSite)
	}
	return c.do(req)
}

func (c *client) do(req *http.Request) page {
	c.s.t.Helper()
	resp, err := c.c.Do(req)
	if err != nil {
		c.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return page{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

// token returns the form token of the client's pages: its session's when
// signed in (every page's Log out form carries it), else the login form's.
func (c *client) token() string {
	c.s.t.Helper()
	u, _ := url.Parse(c.s.srv.URL)
	key := ""
	for _, k := range c.c.Jar.Cookies(u) {
		if k.Name == "flint_session" {
			key = k.Value
		}
	}
	if tok, ok := c.tokens[key]; ok {
		return tok
	}
	tok := formToken(c.get("/terms").body)
	if tok == "" {
		tok = formToken(c.get("/login").body)
	}
	if tok == "" {
		c.s.t.Fatal("no page shows a form token")
	}
	c.tokens[key] = tok
	return tok
}

// formToken returns the value of the first csrf input on a page.
func formToken(body string) string {
	_, rest, ok := strings.Cut(body, `name="csrf" value="`)
	if !ok {
		return ""
	}
	tok, _, _ := strings.Cut(rest, `"`)
	return tok
}

// login signs the client in and fails the test if that does not work.
func (c *client) login(login string) *client {
	c.s.t.Helper()
	p := c.post("/login", url.Values{"login": {login}, "password": {password}})
	if p.status != http.StatusSeeOther {
		c.s.t.Fatalf("login %s: %d\n%s", login, p.status, p.body)
	}
	return c
}

func (s *site) advance(d time.Duration) {
	s.api(opToken, "POST", "/test-clock/advance", map[string]any{"seconds": int(d.Seconds())})
}
