package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/flintads/flint/internal/authorization"
)

func TestLoginAndSessions(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	s.advertiser("Glow Co", "ads@glow.example")
	c := s.client()

	if p := c.get("/"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/login" {
		t.Fatalf("/ without a session: %d %s", p.status, p.header.Get("Location"))
	}
	if p := c.get("/ads/campaigns"); p.status != http.StatusSeeOther ||
		p.header.Get("Location") != "/login?next=%2Fads%2Fcampaigns" {
		t.Fatalf("a page without a session: %d %s", p.status, p.header.Get("Location"))
	}
	login := c.get("/login")
	for _, label := range []string{`<label for="login">Email or handle</label>`, `<label for="password">Password</label>`,
		`>Log in</button>`} {
		if !strings.Contains(login.body, label) {
			t.Errorf("the login page lacks %s", label)
		}
	}

	bad := c.post("/login", url.Values{"login": {"ads@glow.example"}, "password": {"wrong password"}})
	if bad.status != http.StatusUnauthorized || !strings.Contains(bad.body, "don&#39;t match") ||
		!strings.Contains(bad.body, `value="ads@glow.example"`) || strings.Contains(bad.body, "wrong password") {
		t.Fatalf("a wrong password: %d\n%s", bad.status, bad.body)
	}

	ok := c.post("/login", url.Values{"login": {"ads@glow.example"}, "password": {password}, "next": {"//evil.example/x"}})
	if ok.status != http.StatusSeeOther || ok.header.Get("Location") != "/" {
		t.Fatalf("login with a foreign next: %d %s", ok.status, ok.header.Get("Location"))
	}
	cookie := ok.header.Get("Set-Cookie")
	for _, attr := range []string{"flint_session=", "HttpOnly", "SameSite=Lax", "Path=/"} {
		if !strings.Contains(cookie, attr) {
			t.Errorf("session cookie %q lacks %s", cookie, attr)
		}
	}
	if strings.Contains(cookie, "Secure") {
		t.Errorf("session cookie over plain HTTP is Secure: %q", cookie)
	}
	if p := c.get("/"); p.header.Get("Location") != "/ads" {
		t.Fatalf("/ for an advertiser goes to %q", p.header.Get("Location"))
	}
	if p := c.get("/ads"); p.status != http.StatusOK || !strings.Contains(p.body, "Log out") {
		t.Fatalf("/ads after login: %d", p.status)
	}

	// Another browser with the same cookie value is the same session; after
	// Log out it is none.
	stolen := s.client()
	u, _ := url.Parse(s.srv.URL)
	stolen.c.Jar.SetCookies(u, c.c.Jar.Cookies(u))
	if p := stolen.get("/ads"); p.status != http.StatusOK {
		t.Fatalf("the session cookie did not work in another client: %d", p.status)
	}
	if p := c.post("/logout", nil); p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Set-Cookie"), "Max-Age=0") {
		t.Fatalf("log out: %d %q", p.status, p.header.Get("Set-Cookie"))
	}
	if p := stolen.get("/ads"); p.status != http.StatusSeeOther {
		t.Fatalf("the session still works after Log out: %d", p.status)
	}

	// Sessions expire.
	c.login("ads@glow.example")
	s.advance(8 * 24 * time.Hour)
	if p := c.get("/ads"); p.status != http.StatusSeeOther {
		t.Fatalf("a session older than its lifetime still works: %d", p.status)
	}
}

func TestSecureCookieUnderTLS(t *testing.T) {
	t.Parallel()
	s := newSite(t, true)
	s.creator("maya", "creator")
	p := s.client().post("/login", url.Values{"login": {"maya"}, "password": {password}})
	if p.status != http.StatusSeeOther || !strings.Contains(p.header.Get("Set-Cookie"), "Secure") {
		t.Fatalf("login over TLS: %d, cookie %q", p.status, p.header.Get("Set-Cookie"))
	}
}

// TestCrossSiteFormsRefused: a form posted from another site with a valid
// session cookie is refused with 403 and changes nothing.
func TestCrossSiteFormsRefused(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	adv := s.advertiser("Glow Co", "ads@glow.example")
	maya := s.creator("maya", "creator")
	tr := s.structure(adv, maya, "Routine")
	ac := s.client().login(adv.login)
	cc := s.client().login("maya")

	for _, tc := range []struct {
		c           *client
		path        string
		form        url.Values
		origin, sfs string
	}{
		{ac, "/ads/campaigns/new", url.Values{"name": {"Evil"}, "objective": {"REACH"}, "budget_mode": {"DAILY"}, "budget": {"9"}}, "https://evil.example", ""},
		{ac, "/ads/campaigns/new", url.Values{"name": {"Evil"}, "objective": {"REACH"}, "budget_mode": {"DAILY"}, "budget": {"9"}}, "", "cross-site"},
		{ac, "/ads/campaigns/" + tr.campaign + "/status", url.Values{"status": {"DISABLED"}}, "https://evil.example", "cross-site"},
		{ac, "/ads/ads/" + tr.ad + "/status", url.Values{"status": {"DISABLED"}}, "http://evil.example", ""},
		{cc, "/posts/" + tr.post + "/ad-settings", url.Values{}, "https://evil.example", "cross-site"},
		{cc, "/logout", url.Values{}, "https://evil.example", ""},
	} {
		p := tc.c.postFrom(tc.origin, tc.sfs, tc.path, tc.form)
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "sent from another site") {
			t.Errorf("cross-site POST %s: %d", tc.path, p.status)
		}
	}
	if n := len(s.api(adv.token, "GET", "/campaigns", nil)["campaigns"].([]any)); n != 1 {
		t.Errorf("a cross-site form created a campaign: %d campaigns", n)
	}
	if st := s.api(adv.token, "GET", "/campaigns/"+tr.campaign, nil)["status"]; st != "ENABLED" {
		t.Errorf("a cross-site form switched the campaign %v", st)
	}
	if st := s.api(adv.token, "GET", "/ads/"+tr.ad, nil)["status"]; st != "ENABLED" {
		t.Errorf("a cross-site form switched the ad %v", st)
	}
	if st := s.api(maya.token, "GET", "/posts/"+tr.post+"/ad-authorization", nil)["status"]; st != "ON" {
		t.Errorf("a cross-site form revoked the authorization: %v", st)
	}
	if p := cc.get("/profile"); p.status != http.StatusOK {
		t.Errorf("a cross-site Log out ended the session: %d", p.status)
	}
	// The same forms from this site work.
	if p := ac.post("/ads/campaigns/"+tr.campaign+"/status", url.Values{"status": {"DISABLED"}}); p.status != http.StatusSeeOther {
		t.Fatalf("a same-site status switch: %d\n%s", p.status, p.body)
	}
	if st := s.api(adv.token, "GET", "/campaigns/"+tr.campaign, nil)["status"]; st != "DISABLED" {
		t.Errorf("a same-site switch left the campaign %v", st)
	}
}

// TestTenantIsolation: every page and action on another tenant's object
// answers 404 and changes nothing; a page of another app answers 404. On
// both backends.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			testTenantIsolation(t, startSite(t, backend, false))
		})
	}
}

func testTenantIsolation(t *testing.T, s *site) {
	victim := s.advertiser("Victim", "victim@example.com")
	attacker := s.advertiser("Attacker", "attacker@example.com")
	maya := s.creator("maya", "creator")
	leo := s.creator("leo", "creator")
	v := s.structure(victim, maya, "Victim's")
	s.structure(attacker, leo, "Attacker's")
	ac := s.client().login(attacker.login)
	lc := s.client().login("leo")

	for _, path := range []string{
		"/ads/campaigns/" + v.campaign, "/ads/ad-groups/" + v.adGroup, "/ads/ads/" + v.ad,
		"/ads/creatives/" + v.sparkPost, "/ads/campaigns/" + v.campaign + "/ad-groups/new",
		"/ads/ad-groups/" + v.adGroup + "/ads/new", "/ads/campaigns/no-such-id", "/ads/charts/nonsense",
	} {
		if p := ac.get(path); p.status != http.StatusNotFound || strings.Contains(p.body, "Victim") {
			t.Errorf("GET %s as another advertiser: %d", path, p.status)
		}
	}
	for _, tc := range []struct {
		path string
		form url.Values
	}{
		{"/ads/campaigns/" + v.campaign + "/status", url.Values{"status": {"DISABLED"}}},
		{"/ads/ad-groups/" + v.adGroup + "/status", url.Values{"status": {"DISABLED"}}},
		{"/ads/ads/" + v.ad + "/status", url.Values{"status": {"DISABLED"}}},
		{"/ads/campaigns/" + v.campaign + "/ad-groups/new", url.Values{"step": {"ad_group"}, "ad_group.name": {"x"},
			"ad_group.billing_event": {"CPM"}, "ad_group.bid": {"1"}}},
		{"/ads/ad-groups/" + v.adGroup + "/ads/new", url.Values{"step": {"ad"}, "go": {"publish"}, "ad.identity": {"creator"},
			"ad.spark_post_id": {v.sparkPost}, "ad.url": {"https://x.example"}}},
	} {
		if p := ac.post(tc.path, tc.form); p.status != http.StatusNotFound {
			t.Errorf("POST %s as another advertiser: %d", tc.path, p.status)
		}
	}
	for _, path := range []string{"/posts/" + v.post, "/posts/" + v.post + "/ad-settings"} {
		if p := lc.get(path); p.status != http.StatusNotFound {
			t.Errorf("GET %s as another creator: %d", path, p.status)
		}
	}
	for _, path := range []string{"/posts/" + v.post + "/ad-settings", "/posts/" + v.post + "/ad-settings/code",
		"/posts/" + v.post + "/ad-settings/extend"} {
		if p := lc.post(path, url.Values{"days": {"30"}}); p.status != http.StatusNotFound {
			t.Errorf("POST %s as another creator: %d", path, p.status)
		}
	}
	// The victim's objects are as they were.
	for _, path := range []string{"/campaigns/" + v.campaign, "/ad-groups/" + v.adGroup, "/ads/" + v.ad} {
		if st := s.api(victim.token, "GET", path, nil)["status"]; st != "ENABLED" {
			t.Errorf("%s is %v after another tenant's posts", path, st)
		}
	}
	if n := len(s.api(victim.token, "GET", "/ad-groups", nil)["ad_groups"].([]any)); n != 1 {
		t.Errorf("the victim has %d ad groups", n)
	}
	if st := s.api(maya.token, "GET", "/posts/"+v.post+"/ad-authorization", nil)["status"]; st != "ON" {
		t.Errorf("another creator changed the authorization: %v", st)
	}
	// Pages of another app.
	for _, tc := range []struct {
		c    *client
		path string
	}{{lc, "/ads"}, {lc, "/ads/creatives"}, {ac, "/profile"}, {ac, "/ad-authorizations"}} {
		if p := tc.c.get(tc.path); p.status != http.StatusNotFound {
			t.Errorf("GET %s from the other app: %d", tc.path, p.status)
		}
	}
	if p := ac.get("/console"); p.status != http.StatusSeeOther || !strings.HasPrefix(p.header.Get("Location"), "/console/login") {
		t.Errorf("GET /console as an advertiser: %d %s", p.status, p.header.Get("Location"))
	}
}

func TestLoginThrottled(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	s.creator("maya", "creator")
	c := s.client()
	throttled := false
	for range 15 {
		p := c.post("/login", url.Values{"login": {"maya"}, "password": {"guess"}})
		if p.status == http.StatusTooManyRequests {
			throttled = strings.Contains(p.body, "Too many login attempts") && p.header.Get("Retry-After") != ""
			break
		}
	}
	if !throttled {
		t.Fatal("15 wrong passwords for one account were not throttled with a message")
	}
	if p := c.post("/login", url.Values{"login": {"maya"}, "password": {password}}); p.status != http.StatusTooManyRequests {
		t.Fatalf("the right password got through while throttled: %d", p.status)
	}
}

// TestOperatorConsole: the console sits behind the operator token, lists and
// adds accounts (with a password that then logs in) and posts.
func TestOperatorConsole(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	c := s.client()
	if p := c.post("/console/login", url.Values{"token": {"not it"}}); p.status != http.StatusUnauthorized {
		t.Fatalf("a wrong operator token: %d", p.status)
	}
	if p := c.post("/console/login", url.Values{"token": {opToken}}); p.status != http.StatusSeeOther {
		t.Fatalf("operator login: %d", p.status)
	}
	bad := c.post("/console/accounts", url.Values{"kind": {"advertiser"}, "name": {"Glow"}, "email": {"not an email"},
		"currency": {"USD"}, "timezone": {"UTC"}, "password": {password}})
	if bad.status != http.StatusBadRequest || !strings.Contains(bad.body, `value="not an email"`) {
		t.Fatalf("a bad email: %d", bad.status)
	}
	if p := c.post("/console/accounts", url.Values{"kind": {"advertiser"}, "name": {"Glow"}, "email": {"ads@glow.example"},
		"currency": {"USD"}, "timezone": {"UTC"}, "password": {password}}); p.status != http.StatusSeeOther {
		t.Fatalf("add advertiser: %d\n%s", p.status, p.body)
	}
	if p := c.post("/console/accounts", url.Values{"kind": {"creator"}, "handle": {"maya"}, "display_name": {"Maya"},
		"creator_type": {"creator"}, "password": {password}}); p.status != http.StatusSeeOther {
		t.Fatalf("add creator: %d\n%s", p.status, p.body)
	}
	page := c.get("/console")
	if !strings.Contains(page.body, "ads@glow.example") || !strings.Contains(page.body, "@maya") {
		t.Fatal("the console does not list the new accounts")
	}
	creatorID := between(page.body, `<option value="`, `">@maya`)
	if p := c.post("/console/posts", url.Values{"creator_id": {creatorID}, "caption": {"Hello"}, "video_url": {"https://cdn.example/1.mp4"},
		"duration": {"12"}, "visibility": {"public"}, "original": {"on"}}); p.status != http.StatusSeeOther {
		t.Fatalf("add post: %d\n%s", p.status, p.body)
	}
	if !strings.Contains(c.get("/console").body, "Hello") {
		t.Fatal("the console does not list the new post")
	}
	// Every wrong field of a post at once, what was typed kept.
	bad = c.post("/console/posts", url.Values{"creator_id": {"\x00"}, "caption": {"Bye"}, "video_url": {"ftp://x"},
		"duration": {"soon"}, "visibility": {"public"}, "original": {"on"}})
	if bad.status != http.StatusUnprocessableEntity || !fieldError(bad.body, "video_url") || !fieldError(bad.body, "duration") ||
		!strings.Contains(bad.body, "Enter the length in seconds") || !strings.Contains(bad.body, `value="ftp://x"`) ||
		!strings.Contains(bad.body, "Choose a creator") {
		t.Fatalf("a post with three wrong fields: %d\n%s", bad.status, bad.body)
	}
	s.client().login("ads@glow.example")
	s.client().login("maya")
}

func between(s, before, after string) string {
	i := strings.Index(s, after)
	if i < 0 {
		return ""
	}
	j := strings.LastIndex(s[:i], before)
	if j < 0 {
		return ""
	}
	return s[j+len(before) : i]
}

// TestFormsKeepWhatWasTyped: a refused form comes back with each message
// next to its field and every value as typed.
func TestFormsKeepWhatWasTyped(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	adv := s.advertiser("Glow Co", "ads@glow.example")
	maya := s.creator("maya", "creator")
	tr := s.structure(adv, maya, "Routine")
	c := s.client().login(adv.login)

	p := c.post("/ads/campaigns/new", url.Values{"step": {"campaign"}, "campaign.name": {""},
		"campaign.objective": {"TRAFFIC"}, "campaign.budget_mode": {"DAILY"}, "campaign.budget": {"12.345"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `value="12.345"`) ||
		!strings.Contains(p.body, `<option value="TRAFFIC" selected>`) || !fieldError(p.body, "campaign.budget") ||
		!fieldError(p.body, "campaign.name") || !strings.Contains(p.body, "Give the campaign a name") {
		t.Fatalf("campaign without a name and with a bad budget: %d\n%s", p.status, p.body)
	}
	p = c.post("/ads/campaigns/"+tr.campaign+"/ad-groups/new", url.Values{"step": {"ad_group"},
		"ad_group.name": {"Europe"}, "ad_group.countries": {"FR, XX"}, "ad_group.age": {"18-24"},
		"ad_group.budget_mode": {"NONE"}, "ad_group.billing_event": {"CPC"}, "ad_group.bid": {"0.505"},
		"ad_group.pacing": {"STANDARD"}, "ad_group.interests": {"beauty"}, "ad_group.start": {"someday"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `value="FR, XX"`) ||
		!strings.Contains(p.body, `value="beauty"`) || !strings.Contains(p.body, `<option value="18-24" selected>`) ||
		!fieldError(p.body, "ad_group.countries") || !fieldError(p.body, "ad_group.bid") ||
		!fieldError(p.body, "ad_group.start") || fieldError(p.body, "ad_group.name") {
		t.Fatalf("ad group with a bad country, bid and start: %d\n%s", p.status, p.body)
	}
	p = c.post("/ads/ad-groups/"+tr.adGroup+"/ads/new", url.Values{"step": {"ad"}, "go": {"publish"},
		"ad.name": {"Second"}, "ad.identity": {"creator"}, "ad.cta": {"Shop now"}, "ad.url": {"ftp://shop.example"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `value="ftp://shop.example"`) ||
		!strings.Contains(p.body, `value="Second"`) || !fieldError(p.body, "ad.url") ||
		!fieldError(p.body, "ad.spark_post_id") || !strings.Contains(p.body, "Select a post from your library") {
		t.Fatalf("ad without a post and with a bad URL: %d\n%s", p.status, p.body)
	}
	p = c.post("/ads/creatives/apply", url.Values{"code": {"FLINT-NOPE"}})
	if p.status != http.StatusBadRequest || !strings.Contains(p.body, `value="FLINT-NOPE"`) ||
		!strings.Contains(p.body, "complete ad code") {
		t.Fatalf("a mistyped code: %d\n%s", p.status, p.body)
	}
}

// fieldError reports whether the form shows an error right after the field
// named name (within its .field block).
func fieldError(body, name string) bool {
	i := strings.Index(body, `name="`+name+`"`)
	if i < 0 {
		return false
	}
	rest := body[i:]
	end := strings.Index(rest, `<div class="field`)
	if end < 0 {
		end = len(rest)
	}
	return strings.Contains(rest[:end], `class="field-error"`)
}

// TestCodeErrorsInWords: every ad-code error a brand can meet is shown next
// to the field in plain words.
func TestCodeErrorsInWords(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	adv := s.advertiser("Glow Co", "ads@glow.example")
	other := s.advertiser("Other", "other@example.com")
	maya := s.creator("maya", "creator")

	revokedPost := s.post(maya, "Revoked")
	revoked := s.code(maya, revokedPost)
	s.api(maya.token, "DELETE", "/posts/"+revokedPost+"/ad-authorization", nil)
	forOtherPost := s.post(maya, "Bound")
	s.api(maya.token, "PUT", "/posts/"+forOtherPost+"/ad-authorization", map[string]any{"enabled": true, "accept_terms": true, "days": 7})
	forOther := s.api(maya.token, "POST", "/posts/"+forOtherPost+"/ad-authorization/codes", map[string]any{"advertiser_id": other.id})["code"].(string)
	expiredPost := s.post(maya, "Expired")
	s.api(maya.token, "PUT", "/posts/"+expiredPost+"/ad-authorization", map[string]any{"enabled": true, "accept_terms": true, "days": 7})
	expired := s.api(maya.token, "POST", "/posts/"+expiredPost+"/ad-authorization/codes", nil)["code"].(string)
	s.advance(8 * 24 * time.Hour)
	c := s.client().login(adv.login)

	for _, tc := range []struct{ code, want string }{
		{"", "Paste the ad code"},
		{"FLINT-123", "complete ad code"},
		{revoked, "revoked this ad code"},
		{forOther, "made for another advertiser"},
		{expired, "has expired"},
		{authorization.NewSecret().Code(), "No post has this ad code"},
	} {
		p := c.post("/ads/creatives/apply", url.Values{"code": {tc.code}})
		if p.status < 400 || p.status >= 500 || !strings.Contains(p.body, tc.want) || !fieldError(p.body, "code") {
			t.Errorf("code %q: %d, want %q next to the field", tc.code, p.status, tc.want)
		}
		if p := c.post("/ads/creatives/confirm", url.Values{"code": {tc.code}}); p.status < 400 || p.status >= 500 {
			t.Errorf("confirm %q: %d", tc.code, p.status)
		}
	}
}

// TestSecurityHeaders: every answer carries the policy and the headers;
// static files are cached for ever; charts have their own policy.
func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	adv := s.advertiser("Glow Co", "ads@glow.example")
	c := s.client().login(adv.login)
	for _, path := range []string{"/login", "/ads", "/no-such-page", "/console/login"} {
		p := c.get(path)
		csp := p.header.Get("Content-Security-Policy")
		for _, want := range []string{"default-src 'none'", "script-src 'self'", "frame-ancestors 'none'", "media-src 'self' https:",
			"img-src 'self' https:"} {
			if !strings.Contains(csp, want) {
				t.Errorf("%s: policy %q lacks %s", path, csp, want)
			}
		}
		if strings.Contains(csp, "unsafe-inline") {
			t.Errorf("%s: policy allows inline code: %q", path, csp)
		}
		if p.header.Get("X-Content-Type-Options") != "nosniff" || p.header.Get("Referrer-Policy") == "" ||
			p.header.Get("X-Frame-Options") != "DENY" {
			t.Errorf("%s: headers %v", path, p.header)
		}
	}
	home := c.get("/ads")
	css := between(home.body, `href="`, `/app.css"`) + "/app.css"
	st := c.get(css)
	if st.status != http.StatusOK || !strings.Contains(st.header.Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(st.header.Get("Content-Type"), "text/css") {
		t.Errorf("GET %s: %d %v", css, st.status, st.header)
	}
	if p := c.get(strings.Replace(css, "/static/", "/static/0", 1)); p.status != http.StatusNotFound {
		t.Errorf("a stale asset digest: %d", p.status)
	}
	chart := c.get("/ads/charts/spend")
	if chart.status != http.StatusOK || chart.header.Get("Content-Type") != "image/svg+xml" ||
		!strings.HasPrefix(chart.body, "<?xml") || strings.Contains(chart.header.Get("Content-Security-Policy"), "script") ||
		!strings.Contains(chart.header.Get("Content-Security-Policy"), "default-src 'none'") {
		t.Errorf("chart: %d %v", chart.status, chart.header)
	}
}

// TestPagesHaveNoInlineCode renders every page, as each role and with form
// errors, and refuses inline script, on… handlers, style attributes, style
// elements and javascript: URLs: the policy would block them, so they would
// be bugs.
func TestPagesHaveNoInlineCode(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	adv := s.advertiser("Glow Co", "ads@glow.example")
	maya := s.creator("maya", "creator")
	tr := s.structure(adv, maya, "Routine")
	plain := s.post(maya, "Plain")
	ac := s.client().login(adv.login)
	cc := s.client().login("maya")
	oc := s.client()
	oc.post("/console/login", url.Values{"token": {opToken}})
	anon := s.client()

	pages := []page{anon.get("/login"), anon.get("/terms"), anon.get("/console/login"), anon.get("/nowhere"),
		anon.post("/login", url.Values{"login": {"x"}, "password": {"y"}})}
	for _, p := range []string{"/profile", "/posts/" + tr.post, "/posts/" + tr.post + "/ad-settings",
		"/posts/" + plain + "/ad-settings", "/ad-authorizations", "/posts/nope"} {
		pages = append(pages, cc.get(p))
	}
	pages = append(pages, cc.post("/posts/"+tr.post+"/ad-settings/code", url.Values{}),
		cc.post("/posts/"+plain+"/ad-settings", url.Values{"enabled": {"on"}}))
	for _, p := range []string{"/ads", "/ads/campaigns", "/ads/ad-groups", "/ads/ads", "/ads/campaigns/" + tr.campaign,
		"/ads/ad-groups/" + tr.adGroup, "/ads/ads/" + tr.ad, "/ads/creatives", "/ads/creatives/" + tr.sparkPost,
		"/ads/creatives/apply", "/ads/campaigns/new", "/ads/campaigns/" + tr.campaign + "/ad-groups/new",
		"/ads/ad-groups/" + tr.adGroup + "/ads/new", "/ads/reports", "/ads/reports/data",
		"/ads/reports?q=" + url.QueryEscape("Show me a report comparing TikTok spend vs. Shopify revenue by campaign this month"),
		"/ads/reports?q=units+sold", "/ads/reports?dimensions=day&metrics=spend,ctr,roas"} {
		pages = append(pages, ac.get(p))
	}
	pages = append(pages, ac.post("/ads/campaigns/new", url.Values{}), ac.post("/ads/creatives/apply", url.Values{"code": {"x"}}),
		ac.upload("/ads/reports/data/orders", "x.csv", strings.NewReader("Name\n")),
		ac.post("/ads/reports/data/shopify", url.Values{"webhook_secret": {"x"}}),
		oc.get("/console"), oc.post("/console/accounts", url.Values{"kind": {"creator"}}))
	for i, p := range pages {
		if p.status >= 500 {
			t.Errorf("page %d: %d", i, p.status)
		}
		if err := noInlineCode(p.body); err != nil {
			t.Errorf("page %d: %v", i, err)
		}
	}
}

func noInlineCode(body string) error {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return err
	}
	var walk func(n *html.Node) error
	walk = func(n *html.Node) error {
		if n.Type == html.ElementNode {
			if n.Data == "style" {
				return fmt.Errorf("a <style> element")
			}
			hasSrc := false
			for _, a := range n.Attr {
				key := strings.ToLower(a.Key)
				switch {
				case key == "src":
					hasSrc = true
				case key == "style":
					return fmt.Errorf("<%s style=%q>", n.Data, a.Val)
				case strings.HasPrefix(key, "on"):
					return fmt.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
				case (key == "href" || key == "action" || key == "formaction") && strings.HasPrefix(strings.ToLower(strings.TrimSpace(a.Val)), "javascript:"):
					return fmt.Errorf("<%s %s=%q>", n.Data, a.Key, a.Val)
				}
			}
			if n.Data == "script" && !hasSrc {
				return fmt.Errorf("an inline <script>")
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(doc)
}

// TestHostileInputNeverFails: forms and paths full of NUL bytes, invalid
// UTF-8, huge values and unknown IDs get a 4xx page, never a 5xx; a path
// ID Flint could not have made is not found. On both backends (PostgreSQL
// refuses NUL bytes and invalid UTF-8 outright).
func TestHostileInputNeverFails(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			t.Parallel()
			testHostileInput(t, startSite(t, backend, false))
		})
	}
}

func testHostileInput(t *testing.T, s *site) {
	adv := s.advertiser("Glow Co", "ads@glow.example")
	maya := s.creator("maya", "creator")
	tr := s.structure(adv, maya, "Routine")
	ac := s.client().login(adv.login)
	cc := s.client().login("maya")
	oc := s.client()
	oc.post("/console/login", url.Values{"token": {opToken}})

	values := []string{"\x00", "\xff\xfe", strings.Repeat("a", 70_000), "-1", "99999999999999999999", "<script>x</script>",
		"2026-13-45T99:99", "NaN", "1e400", "../../etc/passwd", "%00", "DROP TABLE accounts;--"}
	fields := []string{"campaign.name", "campaign.objective", "campaign.budget_mode", "campaign.budget",
		"ad_group.name", "ad_group.countries", "ad_group.age", "ad_group.gender", "ad_group.languages", "ad_group.os",
		"ad_group.interests", "ad_group.start", "ad_group.end", "ad_group.budget_mode", "ad_group.budget",
		"ad_group.billing_event", "ad_group.bid", "ad_group.frequency", "ad_group.pacing", "ad.name", "ad.identity",
		"ad.spark_post_id", "ad.cta", "ad.url", "step", "go", "name", "code", "enabled", "accept_terms", "days", "advertiser_id", "max_redemptions", "status", "back", "kind",
		"handle", "display_name", "creator_type", "email", "currency", "timezone", "password", "creator_id", "caption",
		"video_url", "duration", "visibility", "music_title", "login", "token", "next", "webhook_secret",
		"click_window_days", "action", "key", "campaign_id"}
	targets := []struct {
		c    *client
		path string
	}{
		{ac, "/ads/campaigns/new"}, {ac, "/ads/campaigns/" + tr.campaign + "/ad-groups/new"},
		{ac, "/ads/ad-groups/" + tr.adGroup + "/ads/new"}, {ac, "/ads/creatives/apply"}, {ac, "/ads/creatives/confirm"},
		{ac, "/ads/campaigns/" + tr.campaign + "/status"}, {ac, "/ads/ad-groups/" + tr.adGroup + "/status"},
		{ac, "/ads/ads/" + tr.ad + "/status"}, {cc, "/posts/" + tr.post + "/ad-settings"},
		{cc, "/posts/" + tr.post + "/ad-settings/code"}, {cc, "/posts/" + tr.post + "/ad-settings/extend"},
		{oc, "/console/accounts"}, {oc, "/console/posts"}, {s.client(), "/login"}, {s.client(), "/console/login"},
		{ac, "/ads/reports/data/shopify"}, {ac, "/ads/reports/data/click-window"}, {ac, "/ads/reports/data/mappings"},
	}
	for _, v := range values {
		form := url.Values{}
		for _, f := range fields {
			form.Set(f, v)
		}
		for _, tg := range targets {
			if p := tg.c.post(tg.path, form); p.status >= 500 {
				t.Errorf("POST %s with %q: %d", tg.path, v[:min(len(v), 20)], p.status)
			}
		}
		// Reports: questions, builder choices, charts and exports; uploads.
		q := url.Values{"q": {v}, "dimensions": {v}, "metrics": {v}, "from": {v}, "to": {v}}
		for _, p := range []string{"/ads/reports", "/ads/reports/chart.svg", "/ads/reports/export.csv"} {
			if pg := ac.get(p + "?" + q.Encode()); pg.status >= 500 {
				t.Errorf("GET %s with %q: %d", p, v[:min(len(v), 20)], pg.status)
			}
			q.Del("q")
			if pg := ac.get(p + "?" + q.Encode()); pg.status >= 500 {
				t.Errorf("GET %s with builder values %q: %d", p, v[:min(len(v), 20)], pg.status)
			}
		}
		for _, p := range []string{"/ads/reports/data/orders", "/ads/reports/data/ad-spend"} {
			if pg := ac.upload(p, v, strings.NewReader(v)); pg.status >= 500 {
				t.Errorf("upload %s with %q: %d", p, v[:min(len(v), 20)], pg.status)
			}
		}
		// Every step of the Create flow, with everything else hostile.
		for _, step := range [][2]string{{"campaign", "continue"}, {"ad_group", "continue"}, {"ad", "publish"},
			{"ad", "back"}, {"ad_group", "back"}} {
			form.Set("step", step[0])
			form.Set("go", step[1])
			for _, path := range []string{"/ads/campaigns/new", "/ads/campaigns/" + tr.campaign + "/ad-groups/new",
				"/ads/ad-groups/" + tr.adGroup + "/ads/new"} {
				if p := ac.post(path, form); p.status >= 500 {
					t.Errorf("POST %s step %s with %q: %d", path, step, v[:min(len(v), 20)], p.status)
				}
			}
		}
	}
	for _, id := range []string{"%00", "%ff%fe", "x%00y", "caf%C3%A9", strings.Repeat("x", 5000), "..%2F..",
		"acct_" + adv.id, "UPPER"} {
		for _, p := range []string{"/ads/campaigns/%s", "/ads/ad-groups/%s", "/ads/ads/%s", "/ads/creatives/%s",
			"/ads/charts/%s", "/ads/campaigns/%s/ad-groups/new", "/ads/ad-groups/%s/ads/new"} {
			path := fmt.Sprintf(p, id)
			if pg := ac.get(path); pg.status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path[:min(len(path), 40)], pg.status)
			}
		}
		for _, p := range []string{"/ads/campaigns/%s/status", "/ads/ad-groups/%s/status", "/ads/ads/%s/status",
			"/ads/campaigns/%s/ad-groups/new", "/ads/ad-groups/%s/ads/new"} {
			path := fmt.Sprintf(p, id)
			if pg := ac.post(path, url.Values{"status": {"DISABLED"}}); pg.status != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", path[:min(len(path), 40)], pg.status)
			}
		}
		for _, p := range []string{"/posts/%s", "/posts/%s/ad-settings"} {
			path := fmt.Sprintf(p, id)
			if pg := cc.get(path); pg.status != http.StatusNotFound {
				t.Errorf("GET %s: %d, want 404", path[:min(len(path), 40)], pg.status)
			}
		}
		for _, p := range []string{"/posts/%s/ad-settings", "/posts/%s/ad-settings/code", "/posts/%s/ad-settings/extend"} {
			path := fmt.Sprintf(p, id)
			if pg := cc.post(path, url.Values{"days": {"30"}}); pg.status != http.StatusNotFound {
				t.Errorf("POST %s: %d, want 404", path[:min(len(path), 40)], pg.status)
			}
		}
	}
}

// TestExtendAndRestrictedCodes: Extend adds a period from the Ad
// authorizations list; a code restricted to one advertiser works for it
// only.
func TestExtendAndRestrictedCodes(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	glow := s.advertiser("Glow Co", "ads@glow.example")
	other := s.advertiser("Other", "other@example.com")
	maya := s.creator("maya", "creator")
	postID := s.post(maya, "Routine")
	c := s.client().login("maya")

	if p := c.post("/posts/"+postID+"/ad-settings", url.Values{"enabled": {"on"}, "days": {"30"}}); p.status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.body, "Accept the Advertising Terms of Service") || !fieldError(p.body, "accept_terms") {
		t.Fatalf("Authorize without the terms: %d", p.status)
	}
	if p := c.post("/posts/"+postID+"/ad-settings", url.Values{"enabled": {"on"}, "accept_terms": {"on"}, "days": {"30"}}); p.status != http.StatusSeeOther {
		t.Fatalf("Authorize: %d", p.status)
	}
	p := c.post("/posts/"+postID+"/ad-settings/code", url.Values{"advertiser_id": {glow.id}})
	if p.status != http.StatusOK || !strings.Contains(p.body, "expires in 30 days") {
		t.Fatalf("Generate for one advertiser: %d", p.status)
	}
	code := between(p.body, `value="`, `">`+"\n"+`    <button class="btn btn-primary" type="button" data-copy`)
	if !strings.HasPrefix(code, "FLINT-") {
		t.Fatalf("no code on the page: %q", code)
	}
	if p := s.client().login(other.login).post("/ads/creatives/apply", url.Values{"code": {code}}); !strings.Contains(p.body, "made for another advertiser") {
		t.Errorf("another advertiser used a restricted code: %d", p.status)
	}
	if p := s.client().login(glow.login).post("/ads/creatives/confirm", url.Values{"code": {code}}); p.status != http.StatusSeeOther {
		t.Errorf("the advertiser the code is for: %d", p.status)
	}

	before := s.api(maya.token, "GET", "/posts/"+postID+"/ad-authorization", nil)["expires_at"].(string)
	list := c.get("/ad-authorizations")
	if !strings.Contains(list.body, "30 days left") || !strings.Contains(list.body, "Glow Co") {
		t.Fatalf("the Ad authorizations page: %d", list.status)
	}
	if p := c.post("/posts/"+postID+"/ad-settings/extend", url.Values{"days": {"7"}, "back": {"list"}}); p.status != http.StatusSeeOther ||
		p.header.Get("Location") != "/ad-authorizations?done=extended" {
		t.Fatalf("Extend: %d %s", p.status, p.header.Get("Location"))
	}
	after := s.api(maya.token, "GET", "/posts/"+postID+"/ad-authorization", nil)["expires_at"].(string)
	b, _ := time.Parse(time.RFC3339, before)
	a, _ := time.Parse(time.RFC3339, after)
	if a.Sub(b) != 7*24*time.Hour {
		t.Fatalf("Extend by 7 days moved the expiry from %s to %s", before, after)
	}
	if !strings.Contains(c.get("/ad-authorizations").body, "37 days left") {
		t.Error("the list does not show the extended period")
	}
}
