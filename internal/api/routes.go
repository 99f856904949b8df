package api

import (
	"net/http"

	"github.com/flintads/flint/internal/apperr"
)

// Handler returns the API's route table wrapped in its middleware.
func (a *API) Handler() http.Handler {
	mux := http.NewServeMux()
	const op, cr, ad = roleOperator, roleCreator, roleAdvertiser

	mux.HandleFunc("GET /healthz", a.healthz)
	mux.HandleFunc("GET /readyz", a.readyz)

	// Operator: accounts, post sync, the test clock.
	mux.Handle("POST /api/v1/accounts", a.handle(op, a.createAccount))
	mux.Handle("GET /api/v1/accounts/{id}", a.handle(op, a.getAccount))
	mux.Handle("PATCH /api/v1/accounts/{id}", a.handle(op, a.patchAccount))
	mux.Handle("POST /api/v1/accounts/{id}/token", a.handle(op, a.rotateToken))
	mux.Handle("GET /api/v1/me", a.handle(cr|ad, a.me))
	mux.Handle("POST /api/v1/posts", a.handle(op, a.createPost))
	mux.Handle("PATCH /api/v1/posts/{id}", a.handle(op, a.patchPost))
	mux.Handle("POST /api/v1/decisions", a.handle(op, a.decide))
	mux.Handle("POST /api/v1/events", a.handle(op, a.ingestEvents))
	if a.TestClock != nil {
		mux.Handle("POST /api/v1/test-clock/advance", a.handle(op, a.advanceClock))
		mux.Handle("GET /api/v1/test-clock", a.handle(op, a.getClock))
	}

	// Creator: posts and ad authorization.
	mux.Handle("GET /api/v1/posts", a.handle(cr|op, a.listPosts))
	mux.Handle("GET /api/v1/posts/{id}", a.handle(cr|op, a.getPost))
	mux.Handle("GET /api/v1/posts/{id}/ad-authorization", a.handle(cr, a.getAuthorization))
	mux.Handle("PUT /api/v1/posts/{id}/ad-authorization", a.handle(cr, a.setAuthorization))
	mux.Handle("DELETE /api/v1/posts/{id}/ad-authorization", a.handle(cr, a.revokeAuthorization))
	mux.Handle("POST /api/v1/posts/{id}/ad-authorization/codes", a.handle(cr, a.generateCode))
	mux.Handle("POST /api/v1/posts/{id}/ad-authorization/extend", a.handle(cr, a.extendAuthorization))

	// Advertiser: the library of Spark posts.
	mux.Handle("POST /api/v1/spark-posts/lookup", a.handle(ad, a.lookupCode))
	mux.Handle("POST /api/v1/spark-posts", a.handle(ad, a.redeemCode))
	mux.Handle("GET /api/v1/spark-posts", a.handle(ad, a.listLibrary))
	mux.Handle("GET /api/v1/spark-posts/{id}", a.handle(ad, a.getLibraryEntry))
	mux.Handle("DELETE /api/v1/spark-posts/{id}", a.handle(ad, a.removeFromLibrary))

	// Advertiser: campaigns, ad groups, ads.
	mux.Handle("POST /api/v1/campaigns", a.handle(ad, a.createCampaign))
	mux.Handle("GET /api/v1/campaigns", a.handle(ad, a.listCampaigns))
	mux.Handle("GET /api/v1/campaigns/{id}", a.handle(ad, a.getCampaign))
	mux.Handle("PATCH /api/v1/campaigns/{id}", a.handle(ad, a.patchCampaign))
	mux.Handle("POST /api/v1/ad-groups", a.handle(ad, a.createAdGroup))
	mux.Handle("GET /api/v1/ad-groups", a.handle(ad, a.listAdGroups))
	mux.Handle("GET /api/v1/ad-groups/{id}", a.handle(ad, a.getAdGroup))
	mux.Handle("PATCH /api/v1/ad-groups/{id}", a.handle(ad, a.patchAdGroup))
	mux.Handle("POST /api/v1/ads", a.handle(ad, a.createAd))
	mux.Handle("GET /api/v1/ads", a.handle(ad, a.listAds))
	mux.Handle("GET /api/v1/ads/{id}", a.handle(ad, a.getAd))
	mux.Handle("PATCH /api/v1/ads/{id}", a.handle(ad, a.patchAd))

	// Advertiser: measurement (reports, questions, conversions, imports);
	// Spark-ad candidates for creators and advertisers.
	mux.Handle("GET /api/v1/reports", a.handle(ad, a.getReport))
	mux.Handle("POST /api/v1/questions", a.handle(ad, a.askQuestion))
	mux.Handle("POST /api/v1/conversions", a.handle(ad, a.recordConversions))
	mux.Handle("POST /api/v1/imports/orders", a.handleBody(ad, MaxUpload, a.importOrders))
	mux.Handle("POST /api/v1/imports/ad-spend", a.handleBody(ad, MaxUpload, a.importSpend))
	mux.Handle("GET /api/v1/attribution-settings", a.handle(ad, a.getAttribution))
	mux.Handle("PATCH /api/v1/attribution-settings", a.handle(ad, a.patchAttribution))
	mux.Handle("PUT /api/v1/integrations/shopify", a.handle(ad, a.setShopify))
	mux.HandleFunc("POST /api/v1/integrations/shopify/{advertiser_id}/orders", a.shopifyWebhook)
	mux.Handle("GET /api/v1/recommendations/spark-posts", a.handle(cr|ad, a.sparkRecommendations))

	mux.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, r, a.Log, apperr.NotFoundf("no endpoint %s %s", r.Method, r.URL.Path))
	})
	return a.middleware(mux)
}
