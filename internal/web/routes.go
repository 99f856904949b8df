package web

import "net/http"

// routes is the UI's route table: every page and action, then the
// middleware (request log and panic recovery → security headers →
// cross-origin protection for every state-changing request). The page
// wrappers (page, public, upload) add the session, the role, plausible
// path IDs and the form token of state-changing requests (csrf.go).
func (h *Handler) routes() http.Handler {
	mux := http.NewServeMux()
	const cr, ad, op = roleCreator, roleAdvertiser, roleOperator

	mux.HandleFunc("GET /static/{digest}/{name}", h.static.serve)
	mux.Handle("GET /{$}", h.public(h.home))
	mux.Handle("GET /login", h.public(h.showLogin))
	mux.Handle("POST /login", h.public(h.login))
	mux.Handle("POST /logout", h.public(h.logout))
	mux.Handle("GET /terms", h.public(h.showTerms))

	// The creator app.
	mux.Handle("GET /profile", h.page(cr, h.showProfile))
	mux.Handle("GET /posts/{id}", h.page(cr, h.showPost))
	mux.Handle("GET /posts/{id}/ad-settings", h.page(cr, h.showAdSettings))
	mux.Handle("POST /posts/{id}/ad-settings", h.page(cr, h.updateAdSettings))
	mux.Handle("POST /posts/{id}/ad-settings/code", h.page(cr, h.generateCode))
	mux.Handle("POST /posts/{id}/ad-settings/extend", h.page(cr, h.extendAuthorization))
	mux.Handle("GET /ad-authorizations", h.page(cr, h.showAdAuthorizations))

	// Ads Manager.
	mux.Handle("GET /ads", h.page(ad, h.showDashboard))
	mux.Handle("GET /ads/charts/{metric}", h.page(ad, h.showChart))
	mux.Handle("GET /ads/creatives", h.page(ad, h.showCreatives))
	mux.Handle("GET /ads/creatives/{id}", h.page(ad, h.showCreative))
	mux.Handle("GET /ads/creatives/apply", h.page(ad, h.showApply))
	mux.Handle("POST /ads/creatives/apply", h.page(ad, h.searchCode))
	mux.Handle("POST /ads/creatives/confirm", h.page(ad, h.confirmCode))
	mux.Handle("GET /ads/campaigns", h.page(ad, h.showCampaigns))
	mux.Handle("GET /ads/campaigns/new", h.page(ad, h.newCampaign))
	mux.Handle("POST /ads/campaigns/new", h.page(ad, h.createCampaign))
	mux.Handle("GET /ads/campaigns/{id}", h.page(ad, h.showCampaign))
	mux.Handle("POST /ads/campaigns/{id}/status", h.page(ad, h.switchCampaign))
	mux.Handle("GET /ads/campaigns/{id}/ad-groups/new", h.page(ad, h.newAdGroup))
	mux.Handle("POST /ads/campaigns/{id}/ad-groups/new", h.page(ad, h.createAdGroup))
	mux.Handle("GET /ads/ad-groups", h.page(ad, h.showAdGroups))
	mux.Handle("GET /ads/ad-groups/{id}", h.page(ad, h.showAdGroup))
	mux.Handle("POST /ads/ad-groups/{id}/status", h.page(ad, h.switchAdGroup))
	mux.Handle("GET /ads/ad-groups/{id}/ads/new", h.page(ad, h.newAd))
	mux.Handle("POST /ads/ad-groups/{id}/ads/new", h.page(ad, h.createAd))
	mux.Handle("GET /ads/ads", h.page(ad, h.showAds))
	mux.Handle("GET /ads/ads/{id}", h.page(ad, h.showAd))
	mux.Handle("POST /ads/ads/{id}/status", h.page(ad, h.switchAd))
	if h.Reports != nil && h.Measure != nil {
		mux.Handle("GET /ads/reports", h.page(ad, h.showReports))
		mux.Handle("GET /ads/reports/chart.svg", h.page(ad, h.showReportChart))
		mux.Handle("GET /ads/reports/export.csv", h.page(ad, h.exportReport))
		mux.Handle("GET /ads/reports/data", h.page(ad, h.showReportData))
		mux.Handle("POST /ads/reports/data/orders", h.upload(ad, h.importOrders))
		mux.Handle("POST /ads/reports/data/ad-spend", h.upload(ad, h.importSpend))
		mux.Handle("POST /ads/reports/data/shopify", h.page(ad, h.setShopifySecret))
		mux.Handle("POST /ads/reports/data/click-window", h.page(ad, h.setClickWindow))
		mux.Handle("POST /ads/reports/data/mappings", h.page(ad, h.changeMapping))
	}

	// The operator console.
	mux.Handle("GET /console/login", h.public(h.showConsoleLogin))
	mux.Handle("POST /console/login", h.public(h.consoleLogin))
	mux.Handle("GET /console", h.page(op, h.showConsole))
	mux.Handle("POST /console/accounts", h.page(op, h.consoleCreateAccount))
	mux.Handle("POST /console/posts", h.page(op, h.consoleCreatePost))

	// Anything else is not found (whatever the method: nothing changes).
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		u, _ := h.signedIn(r)
		h.serveError(w, r, u, errNotFound)
	})

	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.render(w, r, http.StatusForbidden, "error", errorPage{Base: h.base(r, nil, "Request refused"),
			Status: http.StatusForbidden,
			Message: "This form was sent from another site, so nothing was changed. " +
				"Open Flint and try again from there."})
	}))
	return h.logRecover(secureHeaders(csrf.Handler(mux)))
}
