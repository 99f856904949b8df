package api

import (
	"bytes"
	"errors"
	"io"
	"math"
	"net/http"
	"time"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/measure"
	"github.com/flintads/flint/internal/report"
)

// MaxUpload is the largest CSV an import takes; the file is read as a
// stream, so memory does not grow with it.
const MaxUpload = 64 << 20

// maxWebhook is the largest webhook body read.
const maxWebhook = 2 << 20

// reportView is a report as JSON: rows as objects keyed by column.
type reportView struct {
	Currency   string           `json:"currency"`
	Timezone   string           `json:"timezone"`
	From       string           `json:"from"`
	To         string           `json:"to"`
	Dimensions []string         `json:"dimensions"`
	Metrics    []string         `json:"metrics"`
	Rows       []map[string]any `json:"rows"`
	Totals     map[string]any   `json:"totals"`
	Excluded   []excludedView   `json:"excluded"`
	Notes      []string         `json:"notes"`
	Comparison *reportView      `json:"comparison,omitempty"`
}

type excludedView struct {
	Source   string `json:"source"`
	Channel  string `json:"channel,omitempty"`
	Currency string `json:"currency"`
	Amount   string `json:"amount"`
}

func viewReport(r *report.Report) *reportView {
	if r == nil {
		return nil
	}
	v := &reportView{Currency: r.Currency, Timezone: r.Timezone, From: r.Query.Period.From.String(),
		To: r.Query.Period.To.String(), Rows: make([]map[string]any, len(r.Rows)), Totals: map[string]any{},
		Excluded: []excludedView{}, Notes: r.Notes, Comparison: viewReport(r.Comparison)}
	if v.Notes == nil {
		v.Notes = []string{}
	}
	for _, d := range r.Dimensions {
		v.Dimensions = append(v.Dimensions, string(d))
	}
	for _, m := range r.Metrics {
		v.Metrics = append(v.Metrics, string(m))
	}
	row := func(row report.Row) map[string]any {
		out := map[string]any{}
		for i, d := range r.Dimensions {
			if row.Labels == nil {
				continue
			}
			out[string(d)] = row.Labels[i].Name
			switch d {
			case report.DimCampaign, report.DimAdGroup, report.DimAd, report.DimPost, report.DimCreator:
				if id := row.Labels[i].ID; id != "" {
					out[string(d)+"_id"] = id
				} else {
					out[string(d)+"_id"] = nil
				}
			}
		}
		for i, m := range r.Metrics {
			out[string(m)] = row.Values[i].JSON(m.Kind(), r.Currency)
		}
		if row.Other > 0 {
			out["other_rows"] = row.Other
		}
		return out
	}
	for i, rr := range r.Rows {
		v.Rows[i] = row(rr)
	}
	v.Totals = row(r.Totals)
	for _, e := range r.Excluded {
		v.Excluded = append(v.Excluded, excludedView{Source: e.Source, Channel: e.Channel, Currency: e.Currency,
			Amount: e.Amount.String()})
	}
	return v
}

func (a *API) getReport(w http.ResponseWriter, r *http.Request, p principal) error {
	q := r.URL.Query()
	format := q.Get("format")
	if format != "" && format != "json" && format != "csv" {
		return apperr.Invalidf("format", "format must be json or csv")
	}
	query, err := report.ParseQuery(report.Params{Dimensions: q.Get("dimensions"), Metrics: q.Get("metrics"),
		From: q.Get("from"), To: q.Get("to"), CompareFrom: q.Get("compare_from"), CompareTo: q.Get("compare_to"),
		Campaigns: q.Get("campaigns"), AdGroups: q.Get("ad_groups"), Ads: q.Get("ads"), Posts: q.Get("posts"),
		Creators: q.Get("creators"), Channels: q.Get("channels"), Sort: q.Get("sort"), Limit: q.Get("limit")},
		a.Clock.Now(), location(p.account.Timezone))
	if err != nil {
		return err
	}
	rep, err := a.Reports.Run(r.Context(), p.account, query)
	if err != nil {
		return err
	}
	if format == "csv" {
		var buf bytes.Buffer
		if err := rep.WriteCSV(&buf); err != nil {
			return err
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", `attachment; filename="flint-report.csv"`)
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(buf.Bytes())
		return nil
	}
	writeJSON(w, http.StatusOK, viewReport(rep))
	return nil
}

type questionRequest struct {
	Q *string `json:"q"`
}

type interpretationView struct {
	Summary       string   `json:"summary"`
	Metrics       []string `json:"metrics"`
	Dimensions    []string `json:"dimensions"`
	From          string   `json:"from"`
	To            string   `json:"to"`
	Period        string   `json:"period"`
	Timezone      string   `json:"timezone"`
	CompareFrom   string   `json:"compare_from,omitempty"`
	CompareTo     string   `json:"compare_to,omitempty"`
	Channels      []string `json:"channels"`
	Campaigns     []string `json:"campaigns"`
	Limit         int      `json:"limit,omitempty"`
	Chart         string   `json:"chart"`
	Notes         []string `json:"notes"`
	Understood    []string `json:"understood"`
	NotUnderstood []string `json:"not_understood"`
	Unsupported   []string `json:"unsupported"`
}

func viewInterpretation(in report.Interpretation, tz string) interpretationView {
	v := interpretationView{Summary: in.Summary, From: in.Period.From.String(), To: in.Period.To.String(),
		Period: in.PeriodText, Timezone: tz, Channels: nonNil(in.Channels), Campaigns: nonNil(in.Campaigns),
		Limit: in.Limit, Chart: in.Chart, Notes: nonNil(in.Notes), Understood: nonNil(in.Understood),
		NotUnderstood: nonNil(in.NotUnderstood), Unsupported: nonNil(in.Unsupported), Metrics: []string{}, Dimensions: []string{}}
	for _, m := range in.Metrics {
		v.Metrics = append(v.Metrics, string(m))
	}
	for _, d := range in.Dimensions {
		v.Dimensions = append(v.Dimensions, string(d))
	}
	if in.Compare != nil {
		v.CompareFrom, v.CompareTo = in.Compare.From.String(), in.Compare.To.String()
	}
	return v
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func (a *API) askQuestion(w http.ResponseWriter, r *http.Request, p principal) error {
	var req questionRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Q == nil {
		return apperr.Missing("q")
	}
	ans, err := a.Reports.Ask(r.Context(), p.account, *req.Q)
	var qe *report.QuestionError
	if errors.As(err, &qe) {
		writeJSON(w, http.StatusUnprocessableEntity, questionErrorView{
			Error:          errorDetail{Code: qe.Err.Code, Message: qe.Err.Message, Field: "q"},
			Interpretation: viewInterpretation(qe.Interpretation, location(p.account.Timezone).String()),
			Suggestion:     qe.Suggestion,
		})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, answerView{Interpretation: viewInterpretation(ans.Interpretation, ans.Report.Timezone),
		Report: viewReport(ans.Report)})
	return nil
}

// answerView is the answer to a question: how it was read, and the report.
type answerView struct {
	Interpretation interpretationView `json:"interpretation"`
	Report         *reportView        `json:"report"`
}

// questionErrorView is the answer to a question Flint cannot read: the
// error, what it understood, and a question it can answer.
type questionErrorView struct {
	Error          errorDetail        `json:"error"`
	Interpretation interpretationView `json:"interpretation"`
	Suggestion     string             `json:"suggestion"`
}

type conversionRequest struct {
	EventID  string `json:"event_id"`
	Event    string `json:"event"`
	ClickID  string `json:"click_id"`
	OrderID  string `json:"order_id"`
	Value    string `json:"value"`
	Currency string `json:"currency"`
	At       string `json:"at"`
}

type conversionsRequest struct {
	Events *[]conversionRequest `json:"events"`
}

func (a *API) recordConversions(w http.ResponseWriter, r *http.Request, p principal) error {
	var req conversionsRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Events == nil {
		return apperr.Missing("events")
	}
	in := make([]measure.ConversionInput, len(*req.Events))
	for i, e := range *req.Events {
		in[i] = measure.ConversionInput(e)
	}
	res, err := a.Measure.RecordConversions(r.Context(), p.account, in)
	if err != nil {
		return err
	}
	rejected := make([]rejectionView, len(res.Rejected))
	for i, rj := range res.Rejected {
		rejected[i] = rejectionView{Index: rj.Index, Error: errorDetail{Code: rj.Err.Code, Message: rj.Err.Message, Field: rj.Err.Field}}
	}
	writeJSON(w, http.StatusOK, conversionsView{Accepted: res.Accepted, Duplicates: res.Duplicates,
		Attributed: res.Attributed, Rejected: rejected})
	return nil
}

// conversionsView is the answer to a batch of conversions.
type conversionsView struct {
	Accepted   int             `json:"accepted"`
	Duplicates int             `json:"duplicates"`
	Attributed int             `json:"attributed"`
	Rejected   []rejectionView `json:"rejected"`
}

type lineRejectionView struct {
	Line  int         `json:"line"`
	Error errorDetail `json:"error"`
}

// importView is the answer to a CSV import.
type importView struct {
	Imported     int                 `json:"imported"`
	Updated      int                 `json:"updated"`
	Skipped      int                 `json:"skipped"`
	Rejected     []lineRejectionView `json:"rejected"`
	MoreRejected int                 `json:"more_rejected,omitempty"`
	Warnings     []string            `json:"warnings"`
	Platform     string              `json:"platform,omitempty"`
}

func writeImport(w http.ResponseWriter, res measure.ImportResult) {
	rejected := make([]lineRejectionView, len(res.Rejected))
	for i, rj := range res.Rejected {
		rejected[i] = lineRejectionView{Line: rj.Line, Error: errorDetail{Code: rj.Err.Code, Message: rj.Err.Message,
			Field: rj.Err.Field}}
	}
	writeJSON(w, http.StatusOK, importView{Imported: res.Imported, Updated: res.Updated, Skipped: res.Skipped,
		Rejected: rejected, MoreRejected: res.MoreRejected, Warnings: nonNil(res.Warnings), Platform: res.Platform})
}

func (a *API) importOrders(w http.ResponseWriter, r *http.Request, p principal) error {
	res, err := a.Measure.ImportOrders(r.Context(), p.account, r.Body)
	if err != nil {
		return err
	}
	writeImport(w, res)
	return nil
}

func (a *API) importSpend(w http.ResponseWriter, r *http.Request, p principal) error {
	res, err := a.Measure.ImportSpend(r.Context(), p.account, r.Body)
	if err != nil {
		return err
	}
	writeImport(w, res)
	return nil
}

type shopifyRequest struct {
	WebhookSecret *string `json:"webhook_secret"`
}

func (a *API) setShopify(w http.ResponseWriter, r *http.Request, p principal) error {
	var req shopifyRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.WebhookSecret == nil {
		return apperr.Missing("webhook_secret")
	}
	path, err := a.Measure.SetShopifySecret(r.Context(), p.id(), *req.WebhookSecret)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, shopifyView{WebhookURL: path, Topics: []string{"orders/create", "orders/updated"}})
	return nil
}

// shopifyView tells the advertiser where Shopify should send its webhooks.
type shopifyView struct {
	WebhookURL string   `json:"webhook_url"`
	Topics     []string `json:"topics"`
}

// shopifyWebhook takes Shopify's deliveries: no bearer token, the
// signature over the raw body instead.
func (a *API) shopifyWebhook(w http.ResponseWriter, r *http.Request, _ principal) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxWebhook))
	if err != nil {
		return err
	}
	res, err := a.Measure.OrderWebhook(r.Context(), measure.WebhookInput{AdvertiserID: r.PathValue("advertiser_id"),
		Signature: r.Header.Get("X-Shopify-Hmac-Sha256"), WebhookID: r.Header.Get("X-Shopify-Webhook-Id"),
		Topic: r.Header.Get("X-Shopify-Topic"), Body: body})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, webhookView{Duplicate: res.Duplicate, Test: res.Test, Counted: res.Imported || res.Updated})
	return nil
}

// webhookView is the answer to one of Shopify's deliveries.
type webhookView struct {
	Duplicate bool `json:"duplicate"`
	Test      bool `json:"test"`
	Counted   bool `json:"counted"`
}

type settingsRequest struct {
	ClickWindowDays *int              `json:"click_window_days"`
	UTMCampaigns    map[string]string `json:"utm_campaigns"`
	DiscountCodes   map[string]string `json:"discount_codes"`
}

// settingsView is an advertiser's attribution settings.
type settingsView struct {
	ClickWindowDays   int               `json:"click_window_days"`
	UTMCampaigns      map[string]string `json:"utm_campaigns"`
	DiscountCodes     map[string]string `json:"discount_codes"`
	ShopifyConfigured bool              `json:"shopify_configured"`
}

func writeSettings(w http.ResponseWriter, s measure.Settings) {
	m := func(x map[string]string) map[string]string {
		if x == nil {
			return map[string]string{}
		}
		return x
	}
	writeJSON(w, http.StatusOK, settingsView{ClickWindowDays: s.ClickWindowDays, UTMCampaigns: m(s.UTMCampaigns),
		DiscountCodes: m(s.DiscountCodes), ShopifyConfigured: s.ShopifyConfigured})
}

func (a *API) getAttribution(w http.ResponseWriter, r *http.Request, p principal) error {
	s, err := a.Measure.Settings(r.Context(), p.id())
	if err != nil {
		return err
	}
	writeSettings(w, s)
	return nil
}

func (a *API) patchAttribution(w http.ResponseWriter, r *http.Request, p principal) error {
	var req settingsRequest
	if err := decodePatch(r, &req, "shopify_configured"); err != nil {
		return err
	}
	s, err := a.Measure.UpdateSettings(r.Context(), p.id(), measure.SettingsInput(req))
	if err != nil {
		return err
	}
	writeSettings(w, s)
	return nil
}

func (a *API) sparkRecommendations(w http.ResponseWriter, r *http.Request, p principal) error {
	cands, err := a.Reports.Recommendations(r.Context(), p.account)
	if err != nil {
		return err
	}
	out := make([]candidateView, len(cands))
	rate := func(f float64) *float64 {
		if math.IsNaN(f) {
			return nil
		}
		r := math.Round(f*10000) / 10000
		return &r
	}
	for i, c := range cands {
		out[i] = candidateView{Rank: c.Rank, PostID: c.Post.ID, Caption: c.Post.Caption, CreatorID: c.CreatorID,
			Views: c.Views, Engagements: c.Engaged, Completions: c.Completes,
			EngagementRate: rate(c.EngagementRate), WatchThrough: rate(c.WatchThrough),
			CautiousEngagementRate: rate(c.CautiousEngagement), CautiousWatchThrough: rate(c.CautiousWatchThrough),
			Score: math.Round(c.Score*1000) / 1000, Reason: c.Reason}
	}
	writeJSON(w, http.StatusOK, recommendationsView{Candidates: out,
		Method: "organic engagement rate (likes, comments, shares per view) and watch-through (completions per view), " +
			"each smoothed toward the average of these posts (empirical Bayes) and ranked on its lower 10% bound"})
	return nil
}

// recommendationsView ranks posts as Spark-ad candidates.
type recommendationsView struct {
	Candidates []candidateView `json:"candidates"`
	Method     string          `json:"method"`
}

// candidateView is one ranked post; a rate is null when the post has no
// views to compute it from.
type candidateView struct {
	Rank                   int      `json:"rank"`
	PostID                 string   `json:"post_id"`
	Caption                string   `json:"caption"`
	CreatorID              string   `json:"creator_id"`
	Views                  int64    `json:"views"`
	Engagements            int64    `json:"engagements"`
	Completions            int64    `json:"completions"`
	EngagementRate         *float64 `json:"engagement_rate"`
	WatchThrough           *float64 `json:"watch_through"`
	CautiousEngagementRate *float64 `json:"cautious_engagement_rate"`
	CautiousWatchThrough   *float64 `json:"cautious_watch_through"`
	Score                  float64  `json:"score"`
	Reason                 string   `json:"reason"`
}

// location is the advertiser's time zone, UTC if it has none.
func location(tz string) *time.Location {
	if loc, err := account.LoadLocation(tz); err == nil {
		return loc
	}
	return time.UTC
}
