package api

import (
	"reflect"
	"strings"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/delivery"
	"github.com/flintads/flint/internal/event"
	"github.com/flintads/flint/internal/integration"
	"github.com/flintads/flint/internal/measure"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/post"
	"github.com/flintads/flint/internal/report"
)

// This file describes each route of the route table for the OpenAPI
// document (openapi.go): what the table itself does not say. A new route
// needs an entry in operations, or the tests fail; a new field of a
// request or answer type appears in the document by itself, and needs a
// line in schemaHints only for what its Go type does not tell (an enum, a
// pattern, a description).

// operation describes one route.
type operation struct {
	id, summary, tag string
	description      string
	query            []param
	// body is what the handler decodes: the reflect.Type of its request
	// struct, a schema (js), csvBody, or nil for no body.
	body         any
	optionalBody bool
	// rawBody: the handler reads the body itself (not with decode), so
	// the strict decoder's errors do not apply.
	rawBody bool
	// required are the body fields the call needs ("cta.url" for a nested
	// one).
	required []string
	// status is the status of success (200 when 0), answer its body: a
	// reflect.Type, a schema, or csvAnswer.
	status        int
	answer        any
	answerHeaders js
	// alsoAnswers are other successful statuses and their bodies.
	alsoAnswers map[int]any
	// errors are the codes the domain can answer, by status, beyond those
	// the route's shape implies (see operation in openapi.go).
	errors map[int][]string
	// errorAnswers are error answers that carry more than the error.
	errorAnswers map[int]any
	// errorHeaders replace the headers an error status implies
	// (Retry-After for 429 and 503, WWW-Authenticate for 401).
	errorHeaders map[int]js
	// testClock: the route exists only under flint serve --test-clock.
	testClock bool
	// openAnswer: the answer holds more than its schema names (the
	// document itself): x-flint-open-answer tells strict checks so.
	openAnswer bool
}

// param is a query parameter (or, with in "header", a request header).
type param struct {
	name, in, description string
	schema                any
	required              bool
	// list: several values, comma-separated.
	list bool
}

// csvBody is a request body that is a CSV file.
type csvBody struct{ description string }

// csvAnswer is an answer given as JSON, or as CSV with format=csv.
type csvAnswer struct{ json any }

// ref refers to a component schema by name.
func ref(name string) js { return js{"$ref": "#/components/schemas/" + name} }

// Error codes shared by several operations.
var (
	eligibility = []string{post.CodeNotBusinessAccount, post.CodePostNotPublic, post.CodePostNotOriginal,
		post.CodeMusicNotCommercial, post.CodePostDeleted}
	adCodeErrors = map[int][]string{
		400: {apperr.CodeMissingField, authorization.CodeMalformed},
		404: {authorization.CodeNotFound},
		422: {authorization.CodeExpired, authorization.CodeRevoked, authorization.CodeNotForYou,
			authorization.CodePostUnavailable},
		429: {apperr.CodeRateLimited},
	}
	sparkPostErrors = []string{campaign.ReasonRevoked, campaign.ReasonExpired, campaign.ReasonPostUnavailable}
	importErrors    = []string{integration.CodeNotText, integration.CodeMalformedCSV, integration.CodeWrongExport,
		integration.CodeMissingColumns, integration.CodeEmptyFile, integration.CodeLineTooLong}
	invalid = []string{apperr.CodeMissingField, apperr.CodeInvalidValue}
)

// operations describes every route, by "METHOD path" as in the route table.
var operations = map[string]operation{
	"GET /healthz": {id: "healthz", summary: "Liveness: 200 while the process runs", tag: "Health",
		answer: object("status", enum("ok"))},
	"GET /readyz": {id: "readyz", summary: "Readiness: 200 when the server can take traffic", tag: "Health",
		description: "The database answers, the delivery index has applied every change, and events can be stored; " +
			"otherwise 503 NOT_READY.",
		answer: object("status", enum("ready")), errors: map[int][]string{503: {"NOT_READY"}},
		errorHeaders: map[int]js{503: nil}},
	"GET /api/v1/openapi.json": {id: "getOpenAPI", summary: "This document", tag: "Health",
		description: "The OpenAPI 3.1 document of this API, built from its route table. Public: no token needed.",
		answer: described(object("openapi", str(), "info", js{"type": "object"}, "jsonSchemaDialect?", str(),
			"tags?", arrayOf(js{"type": "object"}), "paths", js{"type": "object"}, "components?", js{"type": "object"}),
			"An OpenAPI 3.1 document, as https://spec.openapis.org/oas/v3.1.0 specifies it."),
		openAnswer: true},

	// Operator: accounts.
	"POST /api/v1/accounts": {id: "createAccount", summary: "Create a creator or advertiser account", tag: "Accounts",
		description: "The answer carries the account's API token, shown only this once. Creators need handle and " +
			"creator_type; advertisers need name (currency defaults to USD, timezone to UTC). email (advertisers " +
			"only) and password are the web login.",
		body: typeOf[accountRequest](), required: []string{"kind"}, status: 201, answer: typeOf[accountView](),
		errors: map[int][]string{400: invalid, 409: {account.CodeHandleTaken, account.CodeEmailTaken}}},
	"GET /api/v1/accounts/{id}": {id: "getAccount", summary: "Read an account", tag: "Accounts",
		answer: typeOf[accountView]()},
	"PATCH /api/v1/accounts/{id}": {id: "updateAccount", summary: "Change an account's editable fields", tag: "Accounts",
		description: "Only the fields sent are written. A password change ends the account's web sessions; an " +
			`advertiser's "email": "" removes it.`,
		body: typeOf[accountPatch](), answer: typeOf[accountView](),
		errors: map[int][]string{400: invalid, 409: {account.CodeEmailTaken, account.CodeHandleTaken}}},
	"POST /api/v1/accounts/{id}/token": {id: "rotateToken", summary: "Give an account a new token", tag: "Accounts",
		description: "The old token stops working at once; the new one is in the answer, shown only this once.",
		answer:      typeOf[accountView]()},
	"GET /api/v1/me": {id: "getMe", summary: "The calling creator's or advertiser's account", tag: "Accounts",
		answer: typeOf[accountView]()},

	// Operator: posts, decisions, events.
	"POST /api/v1/posts": {id: "createPost", summary: "Sync a creator's post", tag: "Posts",
		body: typeOf[postRequest](), required: []string{"creator_id", "video_url", "duration_ms", "visibility", "original"},
		status: 201, answer: typeOf[postView](),
		errors: map[int][]string{400: invalid, 422: {post.CodeNotCreator}}},
	"PATCH /api/v1/posts/{id}": {id: "updatePost", summary: "Change a post, or delete it", tag: "Posts",
		description: `"music": null removes the music; "deleted": true deletes the post (it cannot be undeleted).`,
		body:        typeOf[postPatch](), answer: typeOf[postView](),
		errors: map[int][]string{400: invalid, 409: {post.CodePostDeleted}}},
	"POST /api/v1/decisions": {id: "decide", summary: "Ask for ads for one viewer's feed slots", tag: "Delivery",
		description: "The answer lists at most count ads (none when nothing is eligible); each carries the token " +
			"that its events must send.",
		body: typeOf[decisionRequest](), required: []string{"viewer", "viewer.id"}, answer: typeOf[decisionView](),
		errors: map[int][]string{400: append([]string{"UNKNOWN_PLACEMENT"}, invalid...)}},
	"POST /api/v1/events": {id: "ingestEvents", summary: "Record engagement events", tag: "Delivery",
		description: "An ad event carries the decision's token; an organic event the post_id. Each event is " +
			"accepted, a duplicate (its event_id was seen), or rejected with its index and error (codes " +
			"MISSING_FIELD, INVALID_VALUE, TOKEN_INVALID, TOKEN_EXPIRED, TOKEN_REPLAYED, POST_NOT_FOUND, " +
			"AD_NOT_FOUND). When events cannot be stored, 503 with Retry-After and nothing of the batch recorded: " +
			"send it again (event IDs make that safe).",
		body: typeOf[eventsRequest](), required: []string{"events"}, answer: typeOf[eventsView](),
		errors: map[int][]string{400: {apperr.CodeMissingField, event.CodeTooMany, event.CodeUnstorable},
			503: {apperr.CodeStorageDown, event.CodeUnavailable}}},

	// Creator: posts and ad authorization.
	"GET /api/v1/posts": {id: "listPosts", summary: "List posts with their engagement", tag: "Posts",
		description: "A creator sees their own posts; the operator every post.",
		answer:      listOf("posts", typeOf[postView]())},
	"GET /api/v1/posts/{id}": {id: "getPost", summary: "Read a post with its engagement", tag: "Posts",
		answer: typeOf[postView]()},
	"GET /api/v1/posts/{id}/ad-authorization": {id: "getAdAuthorization", summary: "A post's ad authorization",
		tag: "Ad authorization", answer: typeOf[authorizationView]()},
	"PUT /api/v1/posts/{id}/ad-authorization": {id: "setAdAuthorization",
		summary: "Turn ad authorization on (accepting the terms, choosing the period) or off", tag: "Ad authorization",
		description: "Turning it on again while it is on changes the period only until the first code is " +
			`generated. "enabled": false is the same as DELETE.`,
		body: typeOf[setAuthorizationRequest](), required: []string{"enabled"}, answer: typeOf[authorizationView](),
		errors: map[int][]string{400: invalid,
			409: {authorization.CodeAlreadyAuthorized, authorization.CodeAuthorizationOff},
			422: append([]string{authorization.CodeTermsNotAccepted}, eligibility...)}},
	"DELETE /api/v1/posts/{id}/ad-authorization": {id: "revokeAdAuthorization",
		summary: "Revoke ad authorization: every code stops working and every ad of the post pauses",
		tag:     "Ad authorization", answer: typeOf[authorizationView](),
		errors: map[int][]string{409: {authorization.CodeAuthorizationOff}}},
	"POST /api/v1/posts/{id}/ad-authorization/codes": {id: "generateAdCode", summary: "Generate an ad code",
		tag: "Ad authorization",
		description: "The first code of an authorization starts its period: expires_at = now + days. The code is " +
			"shown only this once. The body may be left out.",
		body: typeOf[generateRequest](), optionalBody: true, status: 201, answer: typeOf[codeView](),
		errors: map[int][]string{400: {apperr.CodeInvalidValue},
			409: {authorization.CodeAuthorizationOff, authorization.CodeAuthRevoked, authorization.CodeAuthExpired},
			422: append([]string{authorization.CodeUnknownAdvertiser}, eligibility...)}},
	"POST /api/v1/posts/{id}/ad-authorization/extend": {id: "extendAdAuthorization",
		summary: "Extend the authorization period", tag: "Ad authorization",
		description: "The new expiry is the later of now and the old expiry, plus days; at most two years (730 " +
			"days) past now. An expired authorization may be extended, a revoked one not.",
		body: typeOf[extendRequest](), required: []string{"days"}, answer: typeOf[authorizationView](),
		errors: map[int][]string{400: invalid,
			409: {authorization.CodeAuthorizationOff, authorization.CodeAuthRevoked, authorization.CodeNotStarted},
			422: {authorization.CodeTooFar}}},

	// Advertiser: the library of Spark posts.
	"POST /api/v1/spark-posts/lookup": {id: "lookupAdCode", summary: "Preview the post an ad code authorizes",
		tag: "Spark posts", description: "Changes nothing. Attempts are rate-limited per advertiser (429).",
		body: typeOf[codeRequest](), required: []string{"code"}, answer: typeOf[previewView](), errors: adCodeErrors},
	"POST /api/v1/spark-posts": {id: "redeemAdCode", summary: "Confirm an ad code: the post joins the library",
		tag:         "Spark posts",
		description: "201 the first time; confirming the same code again answers 200 with the same entry.",
		body:        typeOf[codeRequest](), required: []string{"code"}, status: 201, answer: typeOf[sparkPostView](),
		alsoAnswers: map[int]any{200: typeOf[sparkPostView]()}, errors: adCodeErrors},
	"GET /api/v1/spark-posts": {id: "listSparkPosts", summary: "The library of Spark posts", tag: "Spark posts",
		answer: listOf("spark_posts", typeOf[sparkPostView]())},
	"GET /api/v1/spark-posts/{id}": {id: "getSparkPost", summary: "One Spark post of the library", tag: "Spark posts",
		answer: typeOf[sparkPostView]()},
	"DELETE /api/v1/spark-posts/{id}": {id: "removeSparkPost", summary: "Remove a Spark post from the library",
		tag: "Spark posts", answer: object("id", str(), "deleted", enumBool(true)),
		errors: map[int][]string{409: {authorization.CodeSparkPostInUse}}},

	// Advertiser: campaigns, ad groups, ads.
	"POST /api/v1/campaigns": {id: "createCampaign", summary: "Create a campaign", tag: "Campaigns",
		body: typeOf[campaignRequest](), required: []string{"name", "objective"}, status: 201,
		answer: typeOf[campaignView](), errors: map[int][]string{400: invalid}},
	"GET /api/v1/campaigns": {id: "listCampaigns", summary: "List campaigns", tag: "Campaigns",
		answer: listOf("campaigns", typeOf[campaignView]())},
	"GET /api/v1/campaigns/{id}": {id: "getCampaign", summary: "Read a campaign", tag: "Campaigns",
		answer: typeOf[campaignView]()},
	"PATCH /api/v1/campaigns/{id}": {id: "updateCampaign", summary: "Change a campaign", tag: "Campaigns",
		description: "A campaign cannot drop the only budget one of its ad groups has (BUDGET_REQUIRED), nor go " +
			"below one billing event of an ad group (BUDGET_BELOW_BID).",
		body: typeOf[campaignRequest](), answer: typeOf[campaignView](),
		errors: map[int][]string{400: invalid, 422: {campaign.CodeBudgetRequired, campaign.CodeBudgetBelowBid}}},
	"POST /api/v1/ad-groups": {id: "createAdGroup", summary: "Create an ad group", tag: "Campaigns",
		description: "Some budget (the ad group's or its campaign's) must limit its spend (BUDGET_REQUIRED), and " +
			"each budget that does must pay for at least one billing event at the bid — the bid for CPC and CPV, " +
			"a thousandth of it for CPM (BUDGET_BELOW_BID). A campaign_id that is not the advertiser's answers 404 " +
			"with field campaign_id.",
		body: typeOf[adGroupRequest](), required: []string{"campaign_id", "name", "billing_event", "bid"}, status: 201,
		answer: typeOf[adGroupView](),
		errors: map[int][]string{400: invalid, 404: {apperr.CodeNotFound},
			422: {campaign.CodeBudgetRequired, campaign.CodeBudgetBelowBid}}},
	"GET /api/v1/ad-groups": {id: "listAdGroups", summary: "List ad groups", tag: "Campaigns",
		query: []param{{name: "campaign_id", schema: str(),
			description: "Only the ad groups of this campaign (none when it is not the advertiser's)."}},
		answer: listOf("ad_groups", typeOf[adGroupView]())},
	"GET /api/v1/ad-groups/{id}": {id: "getAdGroup", summary: "Read an ad group", tag: "Campaigns",
		answer: typeOf[adGroupView]()},
	"PATCH /api/v1/ad-groups/{id}": {id: "updateAdGroup", summary: "Change an ad group", tag: "Campaigns",
		description: `The budget rules of createAdGroup hold on every edit. "end_time": null and ` +
			`"frequency_cap": null remove them.`,
		body: typeOf[adGroupRequest](), answer: typeOf[adGroupView](),
		errors: map[int][]string{400: invalid, 422: {campaign.CodeBudgetRequired, campaign.CodeBudgetBelowBid}}},
	"POST /api/v1/ads": {id: "createAd", summary: "Create a Spark ad from a post of the library", tag: "Campaigns",
		description: "The Spark post must be AUTHORIZED now. An ad_group_id or spark_post_id that is not the " +
			"advertiser's answers 404 with that field.",
		body: typeOf[adRequest](), required: []string{"ad_group_id", "spark_post_id", "cta", "cta.url"}, status: 201,
		answer: typeOf[adView](),
		errors: map[int][]string{400: invalid, 404: {apperr.CodeNotFound}, 422: sparkPostErrors}},
	"GET /api/v1/ads": {id: "listAds", summary: "List ads with their serving status", tag: "Campaigns",
		query: []param{{name: "ad_group_id", schema: str(),
			description: "Only the ads of this ad group (none when it is not the advertiser's)."}},
		answer: listOf("ads", typeOf[adView]())},
	"GET /api/v1/ads/{id}": {id: "getAd", summary: "Read an ad with its serving status", tag: "Campaigns",
		answer: typeOf[adView]()},
	"PATCH /api/v1/ads/{id}": {id: "updateAd", summary: "Change an ad, or switch it on or off", tag: "Campaigns",
		description: "Switching an ad on re-checks its Spark post.",
		body:        typeOf[adRequest](), answer: typeOf[adView](),
		errors: map[int][]string{400: invalid, 422: sparkPostErrors}},

	// Advertiser: measurement.
	"GET /api/v1/reports": {id: "getReport", summary: "A report: metrics by dimensions over a range of days",
		tag: "Measurement",
		description: "Dates are local days in the advertiser's time zone; the default range is this month so far. " +
			"format=csv answers the same report as CSV (a header, the rows, a Total row).",
		query: reportParams, answer: csvAnswer{typeOf[reportView]()},
		answerHeaders: js{"Content-Disposition": header(`With format=csv: attachment; filename="flint-report.csv"`,
			false)},
		errors: map[int][]string{400: {apperr.CodeInvalidValue}}},
	"POST /api/v1/questions": {id: "askQuestion", summary: "Ask for a report in plain English", tag: "Measurement",
		description: "Read deterministically (no model, no network) into a report query. A question with words " +
			"Flint cannot read, or asking for what it does not measure, answers 422 QUESTION_NOT_UNDERSTOOD with " +
			"what it understood and a question it can answer.",
		body: typeOf[questionRequest](), required: []string{"q"}, answer: typeOf[answerView](),
		errors:       map[int][]string{400: invalid, 422: {report.CodeQuestionNotUnderstood}},
		errorAnswers: map[int]any{422: typeOf[questionErrorView]()}},
	"POST /api/v1/conversions": {id: "recordConversions", summary: "Record conversions (purchases and other events)",
		tag: "Measurement",
		description: "A repeated event_id counts once; a click_id of one of the advertiser's clicks within the " +
			"click window attributes the conversion to that ad. Rejected events are listed with their index.",
		body: typeOf[conversionsRequest](), required: []string{"events"}, answer: typeOf[conversionsView](),
		errors: map[int][]string{400: {apperr.CodeMissingField, measure.CodeTooManyEvents}}},
	"POST /api/v1/imports/orders": {id: "importOrders", summary: "Import a Shopify order export (CSV)",
		tag: "Measurement",
		description: "Shopify's Export orders CSV, read as a stream, at most 64 MiB. A file that is not a CSV of " +
			"the right kind is refused whole with 422 and stores nothing; rows with wrong values are listed in " +
			"rejected with their line, and the other rows kept.",
		body: csvBody{"Shopify's Export orders CSV (75, 78 or 79 columns, found by name)."}, answer: typeOf[importView](),
		errors: map[int][]string{409: {measure.CodeImportConflict}, 422: importErrors}},
	"POST /api/v1/imports/ad-spend": {id: "importAdSpend", summary: "Import another channel's spend export (CSV)",
		tag: "Measurement",
		description: "Meta Ads Manager, Google Ads, TikTok Ads Manager, or the generic " +
			"date,channel,campaign,spend,impressions,clicks,currency; at most 64 MiB. The detected platform is in " +
			"platform.",
		body:   csvBody{"A spend export of Meta, Google Ads or TikTok Ads Manager, or the generic CSV."},
		answer: typeOf[importView](), errors: map[int][]string{422: importErrors}},
	"GET /api/v1/attribution-settings": {id: "getAttributionSettings", summary: "How orders are attributed",
		tag: "Measurement", answer: typeOf[settingsView]()},
	"PATCH /api/v1/attribution-settings": {id: "updateAttributionSettings", summary: "Change how orders are attributed",
		tag: "Measurement", description: "A mapping sent replaces the stored one whole.",
		body: typeOf[settingsRequest](), answer: typeOf[settingsView](), errors: map[int][]string{400: invalid}},
	"PUT /api/v1/integrations/shopify": {id: "setShopify", summary: "Set up Shopify's order webhook",
		tag: "Measurement", description: "The secret is never shown again.",
		body: typeOf[shopifyRequest](), required: []string{"webhook_secret"}, answer: typeOf[shopifyView](),
		errors: map[int][]string{400: invalid}},
	"GET /api/v1/recommendations/spark-posts": {id: "recommendSparkPosts",
		summary: "Posts ranked as Spark-ad candidates", tag: "Measurement",
		description: "A creator's own posts, or an advertiser's library.",
		answer:      typeOf[recommendationsView]()},
	"POST /api/v1/integrations/shopify/{advertiser_id}/orders": {id: "shopifyOrderWebhook",
		summary: "Shopify's orders/create and orders/updated webhook", tag: "Measurement",
		description: "No bearer token: X-Shopify-Hmac-Sha256, the base64 HMAC-SHA256 of the raw body under the " +
			"secret set with setShopify, authenticates it. A bad signature (or no secret set up) answers 401 " +
			"WEBHOOK_SIGNATURE_INVALID and stores nothing; a repeated X-Shopify-Webhook-Id answers 200 with " +
			"duplicate true and is counted once; test orders are not counted.",
		query: []param{
			{name: "X-Shopify-Hmac-Sha256", in: "header", required: true, schema: str(),
				description: "The base64 HMAC-SHA256 of the raw body."},
			{name: "X-Shopify-Webhook-Id", in: "header", required: true, schema: str(),
				description: "Shopify's id of this delivery; a repeat is counted once."},
			{name: "X-Shopify-Topic", in: "header", schema: enum("orders/create", "orders/updated", "orders/paid")},
		},
		body: shopifyOrder, rawBody: true, answer: typeOf[webhookView](),
		errors: map[int][]string{400: {apperr.CodeMalformedJSON, apperr.CodeInvalidValue},
			401: {measure.CodeSignatureInvalid}}},

	// The test clock (flint serve --test-clock).
	"POST /api/v1/test-clock/advance": {id: "advanceTestClock", summary: "Move the test clock forward", tag: "Testing",
		testClock: true, body: typeOf[advanceRequest](), required: []string{"seconds"},
		answer: object("now", dateTime()), errors: map[int][]string{400: invalid}},
	"GET /api/v1/test-clock": {id: "getTestClock", summary: "The test clock's time", tag: "Testing", testClock: true,
		answer: object("now", dateTime())},
}

// typeOrNull is the schema of t, or null.
func typeOrNull(t reflect.Type) js { return js{"anyOf": []any{t, js{"type": "null"}}} }

// enumBool is a boolean that is always v.
func enumBool(v bool) js { return js{"type": "boolean", "const": v} }

// reportParams are the query parameters of a report.
var reportParams = func() []param {
	ids := func(name, what string) param {
		return param{name: name, list: true, schema: arrayOf(str()), description: "Only these " + what + " (IDs)."}
	}
	return []param{
		{name: "dimensions", list: true, schema: arrayOf(enum(report.Dimensions...)),
			description: "What the rows are broken down by (weeks start on Monday)."},
		{name: "metrics", list: true, schema: arrayOf(enum(report.Metrics...)),
			description: "The columns; by default spend, impressions, clicks, ctr, conversions, revenue, roas."},
		{name: "from", schema: date(), description: "The first local day (default: the first of this month)."},
		{name: "to", schema: date(), description: "The last local day, at most 731 days after from (default: today)."},
		{name: "compare_from", schema: date(), description: "With compare_to: a second range, answered in comparison."},
		{name: "compare_to", schema: date()},
		ids("campaigns", "campaigns"), ids("ad_groups", "ad groups"), ids("ads", "ads"), ids("posts", "posts"),
		ids("creators", "creators"),
		{name: "channels", list: true, schema: arrayOf(str()),
			description: "Only these channels: flint (our own ads; tiktok and spark are aliases) and imported ones."},
		{name: "sort", schema: pattern(`^-?[a-z_0-9]+$`, ""), description: "A metric or dimension, - for descending: -spend."},
		{name: "limit", schema: between(1, report.MaxLimit),
			description: "At most this many rows; the rest is summed into one row with other_rows."},
		{name: "format", schema: enum("json", "csv"), description: "json (default) or csv."},
	}
}()

// reportRow is a row (or the totals) of a report: one property per
// dimension and metric asked for.
func reportRow() js {
	var kv []any
	for _, d := range report.Dimensions {
		kv = append(kv, string(d)+"?", described(str(), "The row's "+string(d)+" (its name; a local date for day, "+
			"week and month)."))
		switch d {
		case report.DimCampaign, report.DimAdGroup, report.DimAd, report.DimPost, report.DimCreator:
			kv = append(kv, string(d)+"_id?", orNull(str()))
		}
	}
	for _, m := range report.Metrics {
		var s js
		switch m.Kind() {
		case report.Count:
			s = integer()
		case report.Money:
			s = moneyAnswer()
		case report.Seconds:
			s = described(number(), "seconds")
		default:
			s = described(number(), "a fraction or multiple, 4 decimals")
		}
		kv = append(kv, string(m)+"?", orNull(s))
	}
	kv = append(kv, "other_rows?", described(integer(), "How many rows past limit this row sums."))
	s := object(kv...)
	s["description"] = "A metric that was not measured for the row is null, not 0. Money is rounded so that the " +
		"rows add up to the totals."
	return s
}

// shopifyOrder is the part of Shopify's order that Flint reads; Shopify
// sends much more, which is ignored.
var shopifyOrder = described(object(
	"id?", js{"type": []any{"integer", "string"}},
	"name?", str(),
	"created_at?", str(),
	"currency?", str(),
	"total_price?", js{"type": []any{"string", "number"}},
	"financial_status?", orNull(str()),
	"cancelled_at?", orNull(str()),
	"test?", boolean(),
	"landing_site?", orNull(str()),
	"discount_codes?", arrayOf(js{"type": "object"}),
	"note_attributes?", arrayOf(js{"type": "object"}),
	"refunds?", arrayOf(js{"type": "object"}),
), "Shopify's order (REST Admin API shape), of which Flint reads these fields; the rest is ignored.")

// componentNames names the types that become components; other types are
// written inline. A model type used in requests too is also a component
// with "Input" appended (its request side requires nothing).
var componentNames = map[reflect.Type]string{
	typeOf[errorBody]():             "Error",
	typeOf[errorDetail]():           "ErrorDetail",
	typeOf[accountView]():           "Account",
	typeOf[creatorView]():           "Creator",
	typeOf[postView]():              "Post",
	typeOf[statsView]():             "PostStats",
	typeOf[model.Engagement]():      "Engagement",
	typeOf[model.Music]():           "Music",
	typeOf[authorizationView]():     "AdAuthorization",
	typeOf[authorizationUserView](): "AdAuthorizationAdvertiser",
	typeOf[codeView]():              "AdCode",
	typeOf[sparkPostView]():         "SparkPost",
	typeOf[authorizationTerm]():     "AuthorizationTerm",
	typeOf[previewView]():           "SparkPostPreview",
	typeOf[campaignView]():          "Campaign",
	typeOf[adGroupView]():           "AdGroup",
	typeOf[model.Targeting]():       "Targeting",
	typeOf[model.FrequencyCap]():    "FrequencyCap",
	typeOf[adView]():                "Ad",
	typeOf[ctaView]():               "CallToAction",
	typeOf[adStatsView]():           "AdStats",
	typeOf[decisionView]():          "Decision",
	typeOf[decisionAdView]():        "DecisionAd",
	typeOf[eventsView]():            "EventsResult",
	typeOf[rejectionView]():         "Rejection",
	typeOf[lineRejectionView]():     "LineRejection",
	typeOf[reportView]():            "Report",
	typeOf[excludedView]():          "ExcludedAmount",
	typeOf[interpretationView]():    "Interpretation",
	typeOf[answerView]():            "Answer",
	typeOf[questionErrorView]():     "QuestionNotUnderstood",
	typeOf[conversionsView]():       "ConversionsResult",
	typeOf[importView]():            "ImportResult",
	typeOf[settingsView]():          "AttributionSettings",
	typeOf[shopifyView]():           "ShopifySetup",
	typeOf[webhookView]():           "WebhookResult",
	typeOf[recommendationsView]():   "Recommendations",
	typeOf[candidateView]():         "Candidate",
	// Request parts (top-level request bodies are named after their
	// operation: CreateCampaignRequest).
	typeOf[targetingRequest]():  "TargetingInput",
	typeOf[ctaRequest]():        "CallToActionInput",
	typeOf[viewerRequest]():     "ViewerInput",
	typeOf[eventRequest]():      "EventInput",
	typeOf[conversionRequest](): "ConversionInput",
}

// fieldHints apply to a field of this name in any type (before the type's
// own hints).
var fieldHints = map[string]js{
	// The TikTok-compatible surface's stable decimal IDs.
	"numeric_id": pattern(`^[1-9][0-9]{0,18}$`, "The object's stable decimal ID, as the TikTok-compatible API "+
		"(/open_api/v1.3) shows it."),
	"created_at": {"description": "When the object was created."},
	"updated_at": {"description": "When the object last changed."},
}

// Enums shared by several types.
var (
	statuses      = enum(model.Enabled, model.Disabled)
	budgetModes   = enum(model.BudgetNone, model.BudgetDaily, model.BudgetLifetime)
	libraryStatus = enum(model.LibraryAuthorized, model.LibraryExpired, model.LibraryRevoked,
		model.LibraryPostUnavailable)
	periods      = described(intEnum(authorization.Periods...), "The authorization period in days.")
	creatorTypes = enum(model.CreatorPersonal, model.CreatorBusiness, model.CreatorCreator)
	visibilities = enum(model.Public, model.Friends, model.Private)
	currency     = pattern(`^[A-Z]{3}$`, "An ISO 4217 currency code such as USD.")
	country      = pattern(`^[A-Za-z]{2}$`, "An ISO 3166-1 alpha-2 country code such as US.")
	language     = pattern(`^[A-Za-z]{2}$`, "An ISO 639-1 language code such as en.")
	adCode       = described(str(), "An ad code: FLINT- and 20 letters and digits (case and spaces ignored).")
	timeInput    = js{"type": "string", "format": "date-time", "description": "An RFC 3339 time."}
)

// schemaHints add to the schemas derived from Go types what the types do
// not say, by type and JSON field name. A hint with a "type" replaces the
// derived schema; "nullable": true lets the field be null.
var schemaHints = map[reflect.Type]map[string]js{
	typeOf[errorDetail](): {
		"code":    pattern(`^[A-Z][A-Z0-9_]*$`, "A stable machine-readable code."),
		"message": {"description": "For people; may change."},
		"field":   {"description": "The offending input field, as a path: events[3].watch_ms, targeting.countries."},
	},
	typeOf[accountRequest](): {
		"": {"allOf": []any{
			js{"if": object("kind", js{"const": string(model.KindCreator)}), "then": js{"required": []any{"handle", "creator_type"}}},
			js{"if": object("kind", js{"const": string(model.KindAdvertiser)}), "then": js{"required": []any{"name"}}},
		}},
		"kind":         enum(model.KindCreator, model.KindAdvertiser),
		"creator_type": creatorTypes,
		"handle":       pattern(`^@?[A-Za-z0-9._]{2,24}$`, "Creators: 2–24 letters, digits, dots or underscores (stored in lower case)."),
		"currency":     described(pattern(`^[A-Za-z]{3}$`, ""), "Advertisers: an ISO 4217 code; USD when left out."),
		"timezone":     {"description": "Advertisers: an IANA time zone such as America/New_York; UTC when left out."},
		"email":        js{"type": "string", "format": "email", "description": "Advertisers: the web login (stored in lower case)."},
		"password":     js{"type": "string", "minLength": 8, "maxLength": 256, "description": "The web login's password; never shown."},
	},
	typeOf[accountPatch](): {
		"creator_type": creatorTypes,
		"email":        {"description": `Advertisers: the web login; "" removes it.`},
		"password":     js{"type": "string", "minLength": 8, "maxLength": 256, "description": "Sets or resets the web login; ends the account's web sessions."},
	},
	typeOf[accountView](): {
		"kind":         enum(model.KindCreator, model.KindAdvertiser),
		"creator_type": creatorTypes,
		"currency":     currency,
		"token":        {"description": "The API token: only in the answers that create or rotate it."},
	},
	typeOf[postRequest](): {
		"video_url":   js{"type": "string", "format": "uri", "description": "An absolute http(s) URL."},
		"duration_ms": js{"type": "integer", "minimum": 1},
		"visibility":  visibilities,
		"music":       {"nullable": true, "description": "null when the post has no music."},
	},
	typeOf[postPatch](): {
		"video_url":   js{"type": "string", "format": "uri"},
		"duration_ms": js{"type": "integer", "minimum": 1},
		"visibility":  visibilities,
		"music":       typeOrNull(typeOf[model.Music]()),
		"deleted":     enumBool(true),
	},
	typeOf[postView](): {
		"visibility": visibilities,
		"stats":      {"description": "Views and engagement, organic, paid (earned by ads) and in total."},
	},
	typeOf[setAuthorizationRequest](): {
		"":             {"if": object("enabled", enumBool(true)), "then": js{"required": []any{"days"}}},
		"days":         periods,
		"accept_terms": {"description": "Must be true to turn authorization on."},
	},
	typeOf[extendRequest](): {"days": periods},
	typeOf[generateRequest](): {
		"advertiser_id":   {"description": "Only this advertiser may redeem the code."},
		"max_redemptions": js{"type": "integer", "minimum": 1, "maximum": 1000},
	},
	typeOf[authorizationView](): {
		"status":            enum(model.AuthOff, model.AuthOn, model.AuthRevoked, model.AuthExpired),
		"days":              orNull(periods),
		"ineligible_reason": enum(eligibility...),
		"generated_at":      {"description": "When the first code was generated: the period started then."},
		"paused_ads":        {"description": "Revocation only: how many switched-on ads stopped."},
	},
	typeOf[authorizationUserView](): {"status": libraryStatus},
	typeOf[codeView]():              {"code": adCode, "days": periods},
	typeOf[codeRequest]():           {"code": adCode},
	typeOf[sparkPostView]():         {"status": libraryStatus},
	typeOf[previewView]():           {"status": libraryStatus},
	typeOf[authorizationTerm]():     {"days": periods},
	typeOf[campaignRequest](): {
		"objective":   enum(model.ObjectiveReach, model.ObjectiveVideoViews, model.ObjectiveTraffic, model.ObjectiveEngagement, model.ObjectiveConversions),
		"budget_mode": budgetModes,
		"budget":      moneyInput(),
		"status":      statuses,
	},
	typeOf[campaignView](): {
		"objective":   enum(model.ObjectiveReach, model.ObjectiveVideoViews, model.ObjectiveTraffic, model.ObjectiveEngagement, model.ObjectiveConversions),
		"budget_mode": budgetModes,
		"budget":      orNull(moneyAnswer()),
		"status":      statuses,
	},
	typeOf[targetingRequest](): {
		"countries": arrayOf(country),
		"genders":   arrayOf(enum(campaign.Genders...)),
		"languages": arrayOf(language),
		"os":        arrayOf(enum(campaign.OSes...)),
		"interests": arrayOf(pattern(`^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$`, "An interest slug such as beauty.")),
		"age_min":   between(13, 100),
		"age_max":   between(13, 100),
	},
	typeOf[model.Targeting](): {
		"countries": arrayOf(country),
		"genders":   arrayOf(enum(campaign.Genders...)),
		"os":        arrayOf(enum(campaign.OSes...)),
	},
	typeOf[adGroupRequest](): {
		"start_time":    described(timeInput, "RFC 3339; now when left out."),
		"end_time":      orNull(described(timeInput, "RFC 3339; null or left out: no end.")),
		"budget_mode":   budgetModes,
		"budget":        moneyInput(),
		"billing_event": described(enum(model.BillCPM, model.BillCPC, model.BillCPV), "CPM per thousand impressions, CPC per click, CPV per 6-second view."),
		"bid":           moneyInput(),
		"frequency_cap": typeOrNull(typeOf[model.FrequencyCap]()),
		"pacing":        enum(model.PacingStandard, model.PacingAccelerated),
		"status":        statuses,
	},
	typeOf[adGroupView](): {
		"budget_mode":   budgetModes,
		"budget":        orNull(moneyAnswer()),
		"billing_event": enum(model.BillCPM, model.BillCPC, model.BillCPV),
		"bid":           moneyAnswer(),
		"pacing":        enum(model.PacingStandard, model.PacingAccelerated),
		"status":        statuses,
	},
	typeOf[ctaRequest](): {"url": js{"type": "string", "format": "uri", "description": "An absolute http(s) URL."}},
	typeOf[adRequest]():  {"status": statuses},
	typeOf[adView](): {
		"status":         statuses,
		"serving_status": enum("SERVING", "NOT_SERVING"),
		"reasons": described(arrayOf(enum(campaign.ReasonRevoked, campaign.ReasonExpired, campaign.ReasonPostUnavailable,
			campaign.ReasonBudget, campaign.ReasonSchedule, campaign.ReasonDisabled)), "Why the ad is not serving."),
		"spend": moneyAnswer(),
	},
	typeOf[decisionRequest](): {
		"placement": described(enum("feed"), "feed (the default)."),
		"count":     described(between(1, delivery.MaxCount), "How many ad slots (1 when left out)."),
	},
	typeOf[viewerRequest](): {
		"id":      {"description": "The viewer's ID on the platform: at most 255 bytes of UTF-8."},
		"country": country,
		"age":     described(between(0, 150), "0: unknown."),
		"gender":  enum(append([]string{""}, campaign.Genders...)...),
		"os":      {"description": "ios or android."},
	},
	typeOf[decisionAdView](): {
		"token":    {"description": "The tracking token that this ad's events send."},
		"click_id": {"description": "Put it in the landing URL (flint_clid) so orders can be attributed to the click."},
	},
	typeOf[eventsRequest](): {"events": js{"type": "array", "maxItems": event.MaxBatch, "items": typeOf[eventRequest]()}},
	// The values of a batch's events are checked one by one: a wrong one
	// is rejected in the answer, not the whole batch (wrong types are).
	// So these schemas say what a valid event is in descriptions only.
	typeOf[eventRequest](): {
		"":         {"description": "Needs event_id and type, and a token (ad event) or a post_id (organic event)."},
		"event_id": {"description": "The client's ID of the event, at most 128 bytes: a repeat counts once."},
		"type":     {"description": "One of " + strings.Join(model.EventTypeNames(), ", ") + "."},
		"token":    {"description": "An ad event: the token of the decision that showed the ad."},
		"post_id":  {"description": "An organic event: the post."},
		"watch_ms": {"description": "Milliseconds watched, 0 to 86400000."},
		"at": {"description": "RFC 3339: when it happened, within the last 7 days, at most 5 minutes ahead of the " +
			"server, and for ad events not before the decision; now when left out."},
	},
	typeOf[reportView](): {
		"dimensions": arrayOf(enum(report.Dimensions...)),
		"metrics":    arrayOf(enum(report.Metrics...)),
		"from":       date(),
		"to":         date(),
		"currency":   currency,
		"rows":       arrayOf(ref("ReportRow")),
		"totals":     ref("ReportRow"),
		"notes":      {"description": "What a reader should know: spend left out below campaign, reach not counted…"},
		"excluded":   {"description": "Amounts in another currency than the advertiser's, never added in."},
		"comparison": {"description": "With compare_from and compare_to: the same report over the second range."},
	},
	typeOf[excludedView](): {"amount": moneyAnswer()},
	typeOf[interpretationView](): {
		"chart":        enum("line", "bar", "grouped_bar", "number"),
		"from":         date(),
		"to":           date(),
		"compare_from": date(),
		"compare_to":   date(),
		"metrics":      arrayOf(enum(report.Metrics...)),
		"dimensions":   arrayOf(enum(report.Dimensions...)),
		"period":       {"description": "The range as the question put it: this month, last 7 days…"},
	},
	typeOf[questionRequest](): {"q": js{"type": "string", "maxLength": report.MaxQuestion}},
	typeOf[conversionsRequest](): {"events": js{"type": "array", "maxItems": measure.MaxConversions,
		"items": typeOf[conversionRequest]()}},
	typeOf[conversionRequest](): { // checked one by one, as events are
		"":         {"description": "Needs event_id and event."},
		"event_id": {"description": "The client's ID of the conversion: a repeat counts once."},
		"event":    {"description": "A name such as purchase, add_to_cart or lead."},
		"value":    {"description": `An amount such as "39.00", in currency (the advertiser's when left out).`},
		"currency": {"description": "An ISO 4217 code such as USD."},
		"at":       {"description": "RFC 3339, within the last 90 days; now when left out."},
	},
	typeOf[settingsRequest](): {"click_window_days": between(1, measure.MaxClickWindowDays)},
	typeOf[settingsView](): {
		"utm_campaigns":  {"description": "utm_campaign values mapped to campaign IDs."},
		"discount_codes": {"description": "Discount codes mapped to campaign IDs."},
	},
	typeOf[shopifyRequest](): {"webhook_secret": js{"type": "string", "minLength": 16, "maxLength": 256}},
	typeOf[advanceRequest](): {"seconds": js{"type": "integer", "minimum": 1}},
}

// typeDocs describe component schemas.
var typeDocs = map[reflect.Type]string{
	typeOf[errorBody]():     "Every error answer.",
	typeOf[sparkPostView](): "A post in the advertiser's library of Spark posts.",
	typeOf[adView]():        "An ad, with its serving status and what it earned.",
}

const docDescription = `Flint's JSON API under /api/v1, as docs/API.md describes it in words.

Conventions: snake_case fields; RFC 3339 UTC times; IDs are opaque strings; money is a decimal string in the
minor units of the advertiser's currency ("15.50" USD, "1500" JPY). Send Authorization: Bearer <token> (the
operator token, or an account's); each operation's x-flint-roles names who may call it.

Input is read strictly: bodies of at most 1 MiB (64 MiB for CSV imports), nested at most 64 levels; a key named
twice (DUPLICATE_KEY) or differing from a field only in case (KEY_CASE_MISMATCH) is refused, other unknown keys
are ignored; text must be valid UTF-8 without NUL (INVALID_TEXT); a wrong type names the field's path
(WRONG_TYPE). null is the same as leaving a field out, except where a field says what null means. A PATCH must name a field it can change (NO_EDITABLE_FIELD) and no field that cannot change
(FIELD_NOT_EDITABLE). Another tenant's object answers 404, as if it did not exist.

Every error answer is {"error": {"code", "message", "field"}} (field when an input field is at fault); each
response lists the codes it can carry. A wrong method on a known path answers 405 METHOD_NOT_ALLOWED with Allow
(components.responses.MethodNotAllowed), an unknown or non-canonical path 404 NOT_FOUND (NoRoute), a request the
server cannot parse 400 BAD_REQUEST (ProtocolError), all in the same shape. HEAD is answered wherever GET is.`

var docTags = []any{
	js{"name": "Accounts", "description": "The operator creates creators and advertisers; each gets an API token."},
	js{"name": "Posts", "description": "The operator syncs creators' posts; creators read theirs with engagement."},
	js{"name": "Ad authorization", "description": "A creator authorizes a post for ads and generates ad codes."},
	js{"name": "Spark posts", "description": "An advertiser redeems ad codes into its library of Spark posts."},
	js{"name": "Campaigns", "description": "Campaigns, ad groups and Spark ads."},
	js{"name": "Delivery", "description": "The platform asks for ads and reports what viewers did."},
	js{"name": "Measurement", "description": "Reports, questions, conversions, imports and attribution."},
	js{"name": "Health", "description": "Liveness, readiness and this document."},
	js{"name": "Testing", "description": "Only under flint serve --test-clock."},
}
