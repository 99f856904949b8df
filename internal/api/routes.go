package api

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/ids"
)

// uploadLimits are the body limits of the routes that take bodies larger
// than MaxBody (CSV imports, streamed; Shopify's orders); every other route
// reads at most MaxBody.
var uploadLimits = map[string]int64{
	"POST /api/v1/imports/orders":                              MaxUpload,
	"POST /api/v1/imports/ad-spend":                            MaxUpload,
	"POST /api/v1/integrations/shopify/{advertiser_id}/orders": maxWebhook,
}

// route is one line of the route table: who may call which method on which
// path, and the handler. Path segments in braces are object IDs.
type route struct {
	method, path string
	roles        role // who may call it; 0: anyone, without credentials
	h            handlerFunc
}

// routes is the API's route table. A new endpoint is one more line here;
// the security suite (security_test.go) walks this table, so a new route
// is checked for authentication and roles without further work.
func (a *API) routes() []route {
	const op, cr, ad, anyone = roleOperator, roleCreator, roleAdvertiser, 0
	rs := []route{
		{"GET", "/healthz", anyone, a.healthz},
		{"GET", "/readyz", anyone, a.readyz},
		{"GET", "/api/v1/openapi.json", anyone, a.serveOpenAPI}, // public documentation

		// Operator: accounts, post sync, decisions and events.
		{"POST", "/api/v1/accounts", op, a.createAccount},
		{"GET", "/api/v1/accounts/{id}", op, a.getAccount},
		{"PATCH", "/api/v1/accounts/{id}", op, a.patchAccount},
		{"POST", "/api/v1/accounts/{id}/token", op, a.rotateToken},
		{"GET", "/api/v1/me", cr | ad, a.me},
		{"POST", "/api/v1/posts", op, a.createPost},
		{"PATCH", "/api/v1/posts/{id}", op, a.patchPost},
		{"POST", "/api/v1/decisions", op, a.decide},
		{"POST", "/api/v1/events", op, a.ingestEvents},

		// Creator: posts and ad authorization.
		{"GET", "/api/v1/posts", cr | op, a.listPosts},
		{"GET", "/api/v1/posts/{id}", cr | op, a.getPost},
		{"GET", "/api/v1/posts/{id}/ad-authorization", cr, a.getAuthorization},
		{"PUT", "/api/v1/posts/{id}/ad-authorization", cr, a.setAuthorization},
		{"DELETE", "/api/v1/posts/{id}/ad-authorization", cr, a.revokeAuthorization},
		{"POST", "/api/v1/posts/{id}/ad-authorization/codes", cr, a.generateCode},
		{"POST", "/api/v1/posts/{id}/ad-authorization/extend", cr, a.extendAuthorization},

		// Advertiser: the library of Spark posts.
		{"POST", "/api/v1/spark-posts/lookup", ad, a.lookupCode},
		{"POST", "/api/v1/spark-posts", ad, a.redeemCode},
		{"GET", "/api/v1/spark-posts", ad, a.listLibrary},
		{"GET", "/api/v1/spark-posts/{id}", ad, a.getLibraryEntry},
		{"DELETE", "/api/v1/spark-posts/{id}", ad, a.removeFromLibrary},

		// Advertiser: campaigns, ad groups, ads.
		{"POST", "/api/v1/campaigns", ad, a.createCampaign},
		{"GET", "/api/v1/campaigns", ad, a.listCampaigns},
		{"GET", "/api/v1/campaigns/{id}", ad, a.getCampaign},
		{"PATCH", "/api/v1/campaigns/{id}", ad, a.patchCampaign},
		{"POST", "/api/v1/ad-groups", ad, a.createAdGroup},
		{"GET", "/api/v1/ad-groups", ad, a.listAdGroups},
		{"GET", "/api/v1/ad-groups/{id}", ad, a.getAdGroup},
		{"PATCH", "/api/v1/ad-groups/{id}", ad, a.patchAdGroup},
		{"POST", "/api/v1/ads", ad, a.createAd},
		{"GET", "/api/v1/ads", ad, a.listAds},
		{"GET", "/api/v1/ads/{id}", ad, a.getAd},
		{"PATCH", "/api/v1/ads/{id}", ad, a.patchAd},

		// Advertiser: measurement (reports, questions, conversions, imports);
		// Spark-ad candidates for creators and advertisers.
		{"GET", "/api/v1/reports", ad, a.getReport},
		{"POST", "/api/v1/questions", ad, a.askQuestion},
		{"POST", "/api/v1/conversions", ad, a.recordConversions},
		{"POST", "/api/v1/imports/orders", ad, a.importOrders},
		{"POST", "/api/v1/imports/ad-spend", ad, a.importSpend},
		{"GET", "/api/v1/attribution-settings", ad, a.getAttribution},
		{"PATCH", "/api/v1/attribution-settings", ad, a.patchAttribution},
		{"PUT", "/api/v1/integrations/shopify", ad, a.setShopify},
		{"GET", "/api/v1/recommendations/spark-posts", cr | ad, a.sparkRecommendations},

		// Shopify's webhook: no bearer token; the signature over the raw
		// body authenticates it (measure.Service.OrderWebhook).
		{"POST", "/api/v1/integrations/shopify/{advertiser_id}/orders", anyone, a.shopifyWebhook},
	}
	if a.TestClock != nil {
		rs = append(rs,
			route{"POST", "/api/v1/test-clock/advance", op, a.advanceClock},
			route{"GET", "/api/v1/test-clock", op, a.getClock})
	}
	return rs
}

// Route describes one route of the table, for tests and documentation.
type Route struct {
	Method, Path string
	// Roles are the callers allowed: "operator", "creator", "advertiser";
	// none for a route that needs no credentials.
	Roles []string
}

// Routes returns the route table.
func (a *API) Routes() []Route {
	var out []Route
	for _, rt := range a.routes() {
		out = append(out, Route{Method: rt.method, Path: rt.path, Roles: rt.roleNames()})
	}
	return out
}

// roleNames names the roles the route is open to, none for anyone.
func (rt route) roleNames() []string {
	var names []string
	for _, x := range []role{roleOperator, roleCreator, roleAdvertiser} {
		if rt.roles&x != 0 {
			names = append(names, x.name())
		}
	}
	return names
}

// Handler returns the API's route table wrapped in its middleware.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	for _, rt := range a.routes() {
		mux.Handle(rt.method+" "+rt.path, a.handle(rt))
	}
	return a.middleware(a.dispatch(mux))
}

// dispatch answers what the mux itself would answer in plain text, in the
// JSON error shape: a path that is not canonical (//, /./, /../) or not
// valid text is not found (never redirected), no route is 404, and a known
// path with another method is 405 with Allow.
func (a *API) dispatch(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if !validText(p) || strings.Contains(p, "//") || strings.Contains(p, "/./") || strings.Contains(p, "/../") ||
			strings.HasSuffix(p, "/.") || strings.HasSuffix(p, "/..") || !strings.HasPrefix(p, "/") {
			writeError(w, r, a.Log, apperr.NotFoundf("no endpoint at this path"))
			return
		}
		h, pattern := mux.Handler(r)
		if pattern != "" {
			mux.ServeHTTP(w, r)
			return
		}
		// No route: let the mux say whether another method would match.
		probe := &allowProbe{header: http.Header{}}
		h.ServeHTTP(probe, r)
		if allow := probe.header.Get("Allow"); probe.status == http.StatusMethodNotAllowed && allow != "" {
			w.Header().Set("Allow", allow)
			writeError(w, r, a.Log, apperr.New(apperr.MethodNotAllowed, apperr.CodeMethodNotAllowed,
				"%s is not allowed here; allowed: %s", r.Method, allow))
			return
		}
		writeError(w, r, a.Log, apperr.NotFoundf("no endpoint %s %s", r.Method, p))
	})
}

// allowProbe records the status and headers of the mux's own answer to an
// unmatched request, and discards its body.
type allowProbe struct {
	header http.Header
	status int
}

func (p *allowProbe) Header() http.Header         { return p.header }
func (p *allowProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *allowProbe) WriteHeader(status int)      { p.status = status }

// checkRequestIDs refuses what no handler should pass on to the store: a
// path ID that Flint could not have made is not found, and a query
// parameter that is not valid text (or a query string that cannot be
// parsed) is invalid.
func checkRequestIDs(r *http.Request, path string) error {
	for seg := range strings.SplitSeq(path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			name = strings.TrimSuffix(name, "}")
			if v := r.PathValue(name); !ids.Plausible(v) {
				return apperr.NotFoundf("no object with this %s", name)
			}
		}
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return apperr.New(apperr.Invalid, apperr.CodeInvalidValue, "the query string cannot be parsed")
	}
	for k, vs := range q {
		for _, v := range append(vs, k) {
			if !validText(v) {
				return &apperr.Error{Kind: apperr.Invalid, Code: apperr.CodeInvalidText, Field: k,
					Message: "query parameters must be valid UTF-8 text without control characters"}
			}
		}
	}
	return nil
}

// validText reports whether s is valid UTF-8 without control characters.
func validText(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, c := range s {
		if c < 0x20 || c == 0x7f {
			return false
		}
	}
	return true
}
