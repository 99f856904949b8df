package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"
)

// TestFormTokenRequired: a POST that carries the session cookie but
// neither Origin nor Sec-Fetch-Site (which CrossOriginProtection lets
// through) is refused 403 and changes nothing unless it carries the form
// token of that session; the login forms need the browser's token.
func TestFormTokenRequired(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	adv := s.advertiser("Glow Co", "ads@glow.example")
	maya := s.creator("maya", "creator")
	tr := s.structure(adv, maya, "Routine")
	ac := s.client().login(adv.login)
	cc := s.client().login("maya")
	other := s.client().login("maya") // another session of the same account

	status := func(path string) any { return s.api(adv.token, "GET", path, nil)["status"] }
	for _, tc := range []struct {
		name  string
		token string
	}{{"no token", ""}, {"a wrong token", strings.Repeat("0", 32)}, {"another session's token", other.token()},
		{"the token with a NUL", ac.token() + "\x00"}} {
		form := url.Values{"status": {"DISABLED"}}
		if tc.token != "" {
			form.Set("csrf", tc.token)
		}
		p := ac.postRaw("", "", "/ads/campaigns/"+tr.campaign+"/status", form)
		if p.status != http.StatusForbidden || !strings.Contains(p.body, "nothing was changed") {
			t.Errorf("a status switch with %s: %d", tc.name, p.status)
		}
		p = ac.postRaw("", "", "/ads/campaigns/new", url.Values{"csrf": {tc.token}, "campaign.name": {"Forged"},
			"campaign.objective": {"REACH"}, "campaign.budget_mode": {"DAILY"}, "campaign.budget": {"10"}})
		if p.status != http.StatusForbidden {
			t.Errorf("Create with %s: %d", tc.name, p.status)
		}
		if p := cc.postRaw("", "", "/posts/"+tr.post+"/ad-settings", url.Values{"csrf": {tc.token}}); p.status != http.StatusForbidden {
			t.Errorf("turning authorization off with %s: %d", tc.name, p.status)
		}
		if p := cc.postRaw("", "", "/logout", url.Values{"csrf": {tc.token}}); p.status != http.StatusForbidden {
			t.Errorf("Log out with %s: %d", tc.name, p.status)
		}
	}
	if st := status("/campaigns/" + tr.campaign); st != "ENABLED" {
		t.Errorf("a forged switch turned the campaign %v", st)
	}
	if n := len(s.api(adv.token, "GET", "/campaigns", nil)["campaigns"].([]any)); n != 1 {
		t.Errorf("a forged Create stored something: %d campaigns", n)
	}
	if st := s.api(maya.token, "GET", "/posts/"+tr.post+"/ad-authorization", nil)["status"]; st != "ON" {
		t.Errorf("a forged form revoked the authorization: %v", st)
	}
	if p := cc.get("/profile"); p.status != http.StatusOK {
		t.Errorf("a forged Log out ended the session: %d", p.status)
	}

	// The session's own token works without either header (an old browser).
	if p := ac.postRaw("", "", "/ads/campaigns/"+tr.campaign+"/status", url.Values{"status": {"DISABLED"},
		"csrf": {ac.token()}}); p.status != http.StatusSeeOther {
		t.Fatalf("a switch with the session's token: %d\n%s", p.status, p.body)
	}
	if st := status("/campaigns/" + tr.campaign); st != "DISABLED" {
		t.Errorf("the switch left the campaign %v", st)
	}

	// Logging in takes the token of the login form's browser cookie.
	anon := s.client()
	if p := anon.postRaw("", "", "/login", url.Values{"login": {adv.login}, "password": {password}}); p.status != http.StatusForbidden {
		t.Errorf("a login without the login form's token: %d", p.status)
	}
	if p := anon.post("/login", url.Values{"login": {adv.login}, "password": {password}}); p.status != http.StatusSeeOther {
		t.Errorf("a login with the login form's token: %d", p.status)
	}
	// A new session has a new token; the old one is refused.
	before := anon.token()
	anon.login(adv.login)
	if after := anon.token(); after == before {
		t.Error("the form token did not change at login")
	}
	if p := anon.postRaw("", "", "/ads/campaigns/"+tr.campaign+"/status", url.Values{"status": {"ENABLED"},
		"csrf": {before}}); p.status != http.StatusForbidden {
		t.Errorf("the token of the ended session: %d", p.status)
	}
}

// TestEveryFormHasItsToken: every form that posts, on every page, carries
// the form token; no page sends it anywhere but in a hidden input.
func TestEveryFormHasItsToken(t *testing.T) {
	t.Parallel()
	s := newSite(t, false)
	adv := s.advertiser("Glow Co", "ads@glow.example")
	maya := s.creator("maya", "creator")
	tr := s.structure(adv, maya, "Routine")
	ac := s.client().login(adv.login)
	cc := s.client().login("maya")
	oc := s.client()
	oc.post("/console/login", url.Values{"token": {opToken}})
	anon := s.client()

	pages := map[string]page{"login": anon.get("/login"), "console login": anon.get("/console/login"),
		"console": oc.get("/console")}
	for _, p := range []string{"/profile", "/posts/" + tr.post + "/ad-settings", "/ad-authorizations"} {
		pages[p] = cc.get(p)
	}
	for _, p := range []string{"/ads", "/ads/campaigns", "/ads/ad-groups", "/ads/ads", "/ads/campaigns/" + tr.campaign,
		"/ads/ad-groups/" + tr.adGroup, "/ads/ads/" + tr.ad, "/ads/creatives/apply", "/ads/campaigns/new",
		"/ads/campaigns/" + tr.campaign + "/ad-groups/new", "/ads/ad-groups/" + tr.adGroup + "/ads/new",
		"/ads/creatives", "/ads/reports", "/ads/reports/data"} {
		pages[p] = ac.get(p)
	}
	forms := 0
	for name, p := range pages {
		if p.status != http.StatusOK {
			t.Errorf("%s: %d", name, p.status)
			continue
		}
		doc, err := html.Parse(strings.NewReader(p.body))
		if err != nil {
			t.Fatal(err)
		}
		for f := range doc.Descendants() {
			if f.Type != html.ElementNode || f.Data != "form" || !strings.EqualFold(attr(f, "method"), "post") {
				continue
			}
			forms++
			token := ""
			for in := range f.Descendants() {
				if in.Type == html.ElementNode && in.Data == "input" && attr(in, "name") == "csrf" {
					token = attr(in, "value")
					if attr(in, "type") != "hidden" {
						t.Errorf("%s: the token input is not hidden", name)
					}
				}
			}
			if len(token) < 32 {
				t.Errorf("%s: the form posting to %s has no token", name, attr(f, "action"))
			}
		}
	}
	if forms < 30 {
		t.Errorf("only %d forms checked", forms)
	}
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}
