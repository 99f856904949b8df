package api_test

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/flintads/flint/internal/config"
)

// The standing security suite. Both tests walk the route table itself
// (api.Routes), so a route added to the table is covered without anyone
// remembering to add it here; a route these tests cannot place fails them.

// publicRoutes are the only routes open without credentials. Shopify's
// webhook carries no bearer token: its HMAC signature authenticates it
// (measurement_test.go refuses a wrong or missing one with 401). The
// OpenAPI document is public documentation (openapi_test.go).
var publicRoutes = []string{"GET /healthz", "GET /readyz", "GET /api/v1/openapi.json",
	"POST /api/v1/integrations/shopify/{advertiser_id}/orders"}

// TestEveryRouteChecksCredentialsAndRole: every route refuses a request
// without credentials (401) and with the token of each role it is not open
// to (403), before it reads the body or looks anything up.
func TestEveryRouteChecksCredentialsAndRole(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	w := e.world()
	tokens := map[string]string{"operator": operatorToken, "creator": w.creator.token, "advertiser": w.advertiser.token}
	for _, rt := range routeTable() {
		name := rt.Method + " " + rt.Path
		if len(rt.Roles) == 0 {
			if !slices.Contains(publicRoutes, name) {
				t.Errorf("%s needs no credentials; only %v may", name, publicRoutes)
			}
			continue
		}
		path := strings.ReplaceAll(rt.Path, "{id}", "x_1")
		for _, token := range []string{"", "flt_not-a-token", "Basic b3A6b3A="} {
			a := e.do(token, rt.Method, path, `{"kind":"creator"}`)
			if a.status != 401 || a.code() != "UNAUTHENTICATED" || a.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s with token %q: %d %s", name, token, a.status, a.raw)
			}
		}
		for role, token := range tokens {
			if slices.Contains(rt.Roles, role) {
				continue
			}
			if a := e.do(token, rt.Method, path, `{"kind":"creator"}`); a.status != 403 || a.code() != "FORBIDDEN" {
				t.Errorf("%s as %s: %d %s", name, role, a.status, a.raw)
			}
		}
	}
}

// tenant is one creator and one advertiser with one of everything.
type tenant struct {
	creator, advertiser                  account
	post, sparkPost, campaign, group, ad string
}

func (e *env) tenant(n int) tenant {
	var tn tenant
	tn.creator = e.newCreator(fmt.Sprintf("creator%d", n), "creator")
	tn.advertiser = e.newAdvertiser(fmt.Sprintf("Brand %d", n))
	tn.post = e.newPost(tn.creator.id, nil)
	tn.ad, tn.sparkPost = e.sparkAd(tn.creator, tn.advertiser, tn.post, nil)
	ad := e.must(200, tn.advertiser.token, "GET", "/api/v1/ads/"+tn.ad, nil)
	tn.campaign, tn.group = ad.str("campaign_id"), ad.str("ad_group_id")
	return tn
}

// snapshot is everything a tenant can read about itself, as raw answers.
func (e *env) snapshot(tn tenant) []byte {
	var b bytes.Buffer
	for _, c := range []struct{ token, path string }{
		{tn.creator.token, "/api/v1/posts"},
		{tn.creator.token, "/api/v1/posts/" + tn.post + "/ad-authorization"},
		{tn.advertiser.token, "/api/v1/spark-posts"},
		{tn.advertiser.token, "/api/v1/campaigns"},
		{tn.advertiser.token, "/api/v1/ad-groups"},
		{tn.advertiser.token, "/api/v1/ads"},
		{operatorToken, "/api/v1/accounts/" + tn.creator.id},
		{operatorToken, "/api/v1/accounts/" + tn.advertiser.id},
	} {
		b.Write(e.must(200, c.token, "GET", c.path, nil).raw)
	}
	return b.Bytes()
}

// TestTenantIsolation: for every route that names an object of a creator
// or an advertiser, the same call by another creator or advertiser on the
// victim's object answers 404, as if it did not exist, and leaves the
// victim's data byte for byte as it was. Objects named in bodies and list
// filters are checked the same way.
func TestTenantIsolation(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		victim, attacker := e.tenant(1), e.tenant(2)
		before := e.snapshot(victim)
		// The victim's object for each path, and a body that would change it.
		objects := map[string]string{
			"/api/v1/posts/{id}":                         victim.post,
			"/api/v1/posts/{id}/ad-authorization":        victim.post,
			"/api/v1/posts/{id}/ad-authorization/codes":  victim.post,
			"/api/v1/posts/{id}/ad-authorization/extend": victim.post,
			"/api/v1/spark-posts/{id}":                   victim.sparkPost,
			"/api/v1/campaigns/{id}":                     victim.campaign,
			"/api/v1/ad-groups/{id}":                     victim.group,
			"/api/v1/ads/{id}":                           victim.ad,
		}
		bodies := map[string]string{
			"PUT":    `{"enabled":false}`,
			"POST":   `{"days":7}`,
			"PATCH":  `{"status":"DISABLED","name":"pwned"}`,
			"DELETE": ``,
			"GET":    ``,
		}
		tokens := map[string]string{"creator": attacker.creator.token, "advertiser": attacker.advertiser.token}
		for _, rt := range routeTable() {
			if !strings.Contains(rt.Path, "{id}") || rt.Roles[0] == "operator" && len(rt.Roles) == 1 {
				continue // the operator sees every tenant by design
			}
			id, ok := objects[rt.Path]
			if !ok {
				t.Errorf("%s %s: no victim object for this path in the test", rt.Method, rt.Path)
				continue
			}
			for _, role := range rt.Roles {
				token, ok := tokens[role]
				if !ok {
					continue
				}
				path := strings.ReplaceAll(rt.Path, "{id}", id)
				a := e.do(token, rt.Method, path, bodies[rt.Method])
				if a.status != 404 || a.code() != "NOT_FOUND" {
					t.Errorf("%s %s as another %s: %d %s", rt.Method, path, role, a.status, a.raw)
				}
				if strings.Contains(string(a.raw), id) && !strings.Contains(a.str("error.message"), id) {
					t.Errorf("%s %s as another %s: the answer shows the victim's data: %s", rt.Method, path, role, a.raw)
				}
			}
		}
		// Objects named in bodies and filters.
		adv := attacker.advertiser.token
		for _, c := range []struct {
			method, path string
			body         map[string]any
			field        string
		}{
			{"POST", "/api/v1/ad-groups", map[string]any{"campaign_id": victim.campaign, "name": "G", "billing_event": "CPM",
				"bid": "1.00", "budget_mode": "DAILY", "budget": "5.00"}, "campaign_id"},
			{"POST", "/api/v1/ads", map[string]any{"ad_group_id": victim.group, "spark_post_id": attacker.sparkPost,
				"cta": map[string]any{"url": "https://x.example"}}, "ad_group_id"},
			{"POST", "/api/v1/ads", map[string]any{"ad_group_id": attacker.group, "spark_post_id": victim.sparkPost,
				"cta": map[string]any{"url": "https://x.example"}}, "spark_post_id"},
		} {
			if a := e.do(adv, c.method, c.path, c.body); a.status != 404 || a.field() != c.field {
				t.Errorf("%s %s naming the victim's %s: %d %s", c.method, c.path, c.field, a.status, a.raw)
			}
		}
		for _, path := range []string{"/api/v1/ad-groups?campaign_id=" + victim.campaign, "/api/v1/ads?ad_group_id=" + victim.group} {
			if a := e.must(200, adv, "GET", path, nil); strings.Contains(string(a.raw), victim.advertiser.id) {
				t.Errorf("GET %s shows the victim's objects: %s", path, a.raw)
			}
		}
		for _, path := range []string{"/api/v1/spark-posts", "/api/v1/campaigns", "/api/v1/ad-groups", "/api/v1/ads"} {
			if a := e.must(200, adv, "GET", path, nil); strings.Contains(string(a.raw), victim.advertiser.id) {
				t.Errorf("GET %s shows the victim's objects: %s", path, a.raw)
			}
		}
		if a := e.must(200, attacker.creator.token, "GET", "/api/v1/posts", nil); strings.Contains(string(a.raw), victim.post) {
			t.Errorf("a creator's post list shows another creator's post: %s", a.raw)
		}
		if after := e.snapshot(victim); !bytes.Equal(before, after) {
			t.Errorf("the victim's data changed:\nbefore %s\nafter  %s", before, after)
		}
	})
}
