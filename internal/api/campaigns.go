package api

import (
	"bytes"
	"encoding/json"
	"net/http"
	"slices"
	"time"

	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

type campaignRequest struct {
	Name       *string `json:"name"`
	Objective  *string `json:"objective"`
	BudgetMode *string `json:"budget_mode"`
	Budget     *string `json:"budget"`
	Status     *string `json:"status"`
}

type campaignView struct {
	ID           string    `json:"id"`
	AdvertiserID string    `json:"advertiser_id"`
	Name         string    `json:"name"`
	Objective    string    `json:"objective"`
	BudgetMode   string    `json:"budget_mode"`
	Budget       *string   `json:"budget"`
	Status       string    `json:"status"`
	CreatedAt    time.Time `json:"created_at"`
	UpdatedAt    time.Time `json:"updated_at"`
}

// moneyPtr shows a budget in the currency's precision, or null when there
// is none.
func moneyPtr(mode model.BudgetMode, m money.Micros, decimals int) *string {
	if mode == model.BudgetNone {
		return nil
	}
	s := money.Format(m, decimals)
	return &s
}

// decimals is the number of decimals of the calling advertiser's currency:
// amounts are shown (and accepted) in that precision.
func decimals(p principal) int { return money.Decimals(p.account.Currency) }

func viewCampaign(c model.Campaign, dec int) campaignView {
	return campaignView{ID: c.ID, AdvertiserID: c.AdvertiserID, Name: c.Name, Objective: string(c.Objective),
		BudgetMode: string(c.BudgetMode), Budget: moneyPtr(c.BudgetMode, c.Budget, dec), Status: string(c.Status),
		CreatedAt: c.CreatedAt, UpdatedAt: c.UpdatedAt}
}

func (a *API) createCampaign(w http.ResponseWriter, r *http.Request, p principal) error {
	var req campaignRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	c, err := a.Campaigns.CreateCampaign(r.Context(), p.id(), campaign.CampaignInput(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewCampaign(c, decimals(p)))
	return nil
}

func (a *API) patchCampaign(w http.ResponseWriter, r *http.Request, p principal) error {
	var req campaignRequest
	if err := decodePatch(r, &req, readOnly...); err != nil {
		return err
	}
	c, err := a.Campaigns.UpdateCampaign(r.Context(), p.id(), r.PathValue("id"), campaign.CampaignInput(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewCampaign(c, decimals(p)))
	return nil
}

func (a *API) getCampaign(w http.ResponseWriter, r *http.Request, p principal) error {
	c, err := a.Campaigns.GetCampaign(r.Context(), p.id(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewCampaign(c, decimals(p)))
	return nil
}

func (a *API) listCampaigns(w http.ResponseWriter, r *http.Request, p principal) error {
	cs, err := a.Campaigns.ListCampaigns(r.Context(), p.id())
	if err != nil {
		return err
	}
	out := make([]campaignView, len(cs))
	for i, c := range cs {
		out[i] = viewCampaign(c, decimals(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"campaigns": out})
	return nil
}

type targetingRequest struct {
	Countries []string `json:"countries"`
	AgeMin    *int     `json:"age_min"`
	AgeMax    *int     `json:"age_max"`
	Genders   []string `json:"genders"`
	Languages []string `json:"languages"`
	OS        []string `json:"os"`
	Interests []string `json:"interests"`
}

type adGroupRequest struct {
	CampaignID   string            `json:"campaign_id"`
	Name         *string           `json:"name"`
	Targeting    *targetingRequest `json:"targeting"`
	StartTime    *string           `json:"start_time"`
	EndTime      json.RawMessage   `json:"end_time"`
	BudgetMode   *string           `json:"budget_mode"`
	Budget       *string           `json:"budget"`
	BillingEvent *string           `json:"billing_event"`
	Bid          *string           `json:"bid"`
	FrequencyCap json.RawMessage   `json:"frequency_cap"`
	Pacing       *string           `json:"pacing"`
	Status       *string           `json:"status"`
}

var jsonNull = []byte("null")

// nullable decodes a field that may be absent (nothing to do), null (clear
// it) or a value (into v, as strictly as the body it came in).
func nullable(raw json.RawMessage, field string, v any) (isNull bool, err error) {
	if raw == nil {
		return false, nil
	}
	if bytes.Equal(bytes.TrimSpace(raw), jsonNull) {
		return true, nil
	}
	_, err = decodeValue(raw, field, v)
	return false, err
}

func (req *adGroupRequest) input() (campaign.AdGroupInput, error) {
	in := campaign.AdGroupInput{CampaignID: req.CampaignID, Name: req.Name, StartTime: req.StartTime,
		BudgetMode: req.BudgetMode, Budget: req.Budget, BillingEvent: req.BillingEvent, Bid: req.Bid,
		Pacing: req.Pacing, Status: req.Status}
	if t := req.Targeting; t != nil {
		in.Targeting = &campaign.TargetingInput{Countries: t.Countries, AgeMin: t.AgeMin, AgeMax: t.AgeMax,
			Genders: t.Genders, Languages: t.Languages, OS: t.OS, Interests: t.Interests}
	}
	var end string
	isNull, err := nullable(req.EndTime, "end_time", &end)
	if err != nil {
		return in, err
	}
	if isNull {
		in.ClearEndTime = true
	} else if req.EndTime != nil {
		in.EndTime = &end
	}
	var fc model.FrequencyCap
	isNull, err = nullable(req.FrequencyCap, "frequency_cap", &fc)
	if err != nil {
		return in, err
	}
	if isNull {
		in.ClearFrequencyCap = true
	} else if req.FrequencyCap != nil {
		in.FrequencyCap = &fc
	}
	return in, nil
}

type adGroupView struct {
	ID           string              `json:"id"`
	AdvertiserID string              `json:"advertiser_id"`
	CampaignID   string              `json:"campaign_id"`
	Name         string              `json:"name"`
	Targeting    model.Targeting     `json:"targeting"`
	StartTime    time.Time           `json:"start_time"`
	EndTime      *time.Time          `json:"end_time"`
	BudgetMode   string              `json:"budget_mode"`
	Budget       *string             `json:"budget"`
	BillingEvent string              `json:"billing_event"`
	Bid          string              `json:"bid"`
	FrequencyCap *model.FrequencyCap `json:"frequency_cap"`
	Pacing       string              `json:"pacing"`
	Status       string              `json:"status"`
	CreatedAt    time.Time           `json:"created_at"`
	UpdatedAt    time.Time           `json:"updated_at"`
}

func viewAdGroup(g model.AdGroup, dec int) adGroupView {
	v := adGroupView{ID: g.ID, AdvertiserID: g.AdvertiserID, CampaignID: g.CampaignID, Name: g.Name, Targeting: g.Targeting,
		StartTime: g.StartTime, EndTime: timePtr(g.EndTime), BudgetMode: string(g.BudgetMode),
		Budget: moneyPtr(g.BudgetMode, g.Budget, dec), BillingEvent: string(g.BillingEvent), Bid: money.Format(g.Bid, dec),
		Pacing: string(g.Pacing), Status: string(g.Status), CreatedAt: g.CreatedAt, UpdatedAt: g.UpdatedAt}
	for _, l := range []*[]string{&v.Targeting.Countries, &v.Targeting.Genders, &v.Targeting.Languages, &v.Targeting.OS,
		&v.Targeting.Interests} {
		if *l == nil {
			*l = []string{}
		}
	}
	if g.FrequencyCap.Impressions > 0 {
		fc := g.FrequencyCap
		v.FrequencyCap = &fc
	}
	return v
}

func (a *API) createAdGroup(w http.ResponseWriter, r *http.Request, p principal) error {
	var req adGroupRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	g, err := a.Campaigns.CreateAdGroup(r.Context(), p.id(), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewAdGroup(g, decimals(p)))
	return nil
}

func (a *API) patchAdGroup(w http.ResponseWriter, r *http.Request, p principal) error {
	var req adGroupRequest
	if err := decodePatch(r, &req, slices.Concat(readOnly, []string{"campaign_id", "billing_event"})...); err != nil {
		return err
	}
	in, err := req.input()
	if err != nil {
		return err
	}
	g, err := a.Campaigns.UpdateAdGroup(r.Context(), p.id(), r.PathValue("id"), in)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAdGroup(g, decimals(p)))
	return nil
}

func (a *API) getAdGroup(w http.ResponseWriter, r *http.Request, p principal) error {
	g, err := a.Campaigns.GetAdGroup(r.Context(), p.id(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAdGroup(g, decimals(p)))
	return nil
}

func (a *API) listAdGroups(w http.ResponseWriter, r *http.Request, p principal) error {
	gs, err := a.Campaigns.ListAdGroups(r.Context(), p.id(), r.URL.Query().Get("campaign_id"))
	if err != nil {
		return err
	}
	out := make([]adGroupView, len(gs))
	for i, g := range gs {
		out[i] = viewAdGroup(g, decimals(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"ad_groups": out})
	return nil
}

type ctaRequest struct {
	Label *string `json:"label"`
	URL   *string `json:"url"`
}

type adRequest struct {
	AdGroupID   string      `json:"ad_group_id"`
	Name        *string     `json:"name"`
	SparkPostID string      `json:"spark_post_id"`
	CTA         *ctaRequest `json:"cta"`
	Status      *string     `json:"status"`
}

func (req *adRequest) input() campaign.AdInput {
	in := campaign.AdInput{AdGroupID: req.AdGroupID, Name: req.Name, SparkPostID: req.SparkPostID, Status: req.Status}
	if req.CTA != nil {
		in.CTALabel, in.CTAURL = req.CTA.Label, req.CTA.URL
	}
	return in
}

type ctaView struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

type adStatsView struct {
	Impressions int64 `json:"impressions"`
	Views2s     int64 `json:"views_2s"`
	Views6s     int64 `json:"views_6s"`
	Completes   int64 `json:"completes"`
	Clicks      int64 `json:"clicks"`
	Likes       int64 `json:"likes"`
	Comments    int64 `json:"comments"`
	Shares      int64 `json:"shares"`
	Follows     int64 `json:"follows"`
}

type adView struct {
	ID            string      `json:"id"`
	AdvertiserID  string      `json:"advertiser_id"`
	CampaignID    string      `json:"campaign_id"`
	AdGroupID     string      `json:"ad_group_id"`
	Name          string      `json:"name"`
	SparkPostID   string      `json:"spark_post_id"`
	PostID        string      `json:"post_id"`
	CTA           ctaView     `json:"cta"`
	Status        string      `json:"status"`
	ServingStatus string      `json:"serving_status"`
	Reasons       []string    `json:"reasons"`
	Spend         string      `json:"spend"`
	Stats         adStatsView `json:"stats"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
}

func viewAd(s campaign.AdStatus, dec int) adView {
	ad := s.Ad
	serving := "NOT_SERVING"
	if s.Serving {
		serving = "SERVING"
	}
	st := s.Stats
	return adView{ID: ad.ID, AdvertiserID: ad.AdvertiserID, CampaignID: ad.CampaignID, AdGroupID: ad.AdGroupID,
		Name: ad.Name, SparkPostID: ad.SparkPostID, PostID: ad.PostID, CTA: ctaView{Label: ad.CTALabel, URL: ad.CTAURL},
		Status: string(ad.Status), ServingStatus: serving, Reasons: s.Reasons, Spend: money.Format(st.Spend, dec),
		Stats: adStatsView{Impressions: st.Impressions, Views2s: st.Views2s, Views6s: st.Views6s, Completes: st.Completes,
			Clicks: st.Clicks, Likes: st.Likes, Comments: st.Comments, Shares: st.Shares, Follows: st.Follows},
		CreatedAt: ad.CreatedAt, UpdatedAt: ad.UpdatedAt}
}

// writeAd answers with one ad and its serving status.
func (a *API) writeAd(w http.ResponseWriter, r *http.Request, p principal, status int, ad model.Ad) error {
	statuses, err := a.Campaigns.AdStatuses(r.Context(), []model.Ad{ad})
	if err != nil {
		return err
	}
	writeJSON(w, status, viewAd(statuses[0], decimals(p)))
	return nil
}

func (a *API) createAd(w http.ResponseWriter, r *http.Request, p principal) error {
	var req adRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	ad, err := a.Campaigns.CreateAd(r.Context(), p.id(), req.input())
	if err != nil {
		return err
	}
	return a.writeAd(w, r, p, http.StatusCreated, ad)
}

func (a *API) patchAd(w http.ResponseWriter, r *http.Request, p principal) error {
	var req adRequest
	if err := decodePatch(r, &req, slices.Concat(readOnly, []string{"campaign_id", "ad_group_id", "spark_post_id", "post_id",
		"serving_status", "reasons", "spend", "stats"})...); err != nil {
		return err
	}
	ad, err := a.Campaigns.UpdateAd(r.Context(), p.id(), r.PathValue("id"), req.input())
	if err != nil {
		return err
	}
	return a.writeAd(w, r, p, http.StatusOK, ad)
}

func (a *API) getAd(w http.ResponseWriter, r *http.Request, p principal) error {
	ad, err := a.Campaigns.GetAd(r.Context(), p.id(), r.PathValue("id"))
	if err != nil {
		return err
	}
	return a.writeAd(w, r, p, http.StatusOK, ad)
}

func (a *API) listAds(w http.ResponseWriter, r *http.Request, p principal) error {
	ads, err := a.Campaigns.ListAds(r.Context(), p.id(), r.URL.Query().Get("ad_group_id"))
	if err != nil {
		return err
	}
	statuses, err := a.Campaigns.AdStatuses(r.Context(), ads)
	if err != nil {
		return err
	}
	out := make([]adView, len(statuses))
	for i, s := range statuses {
		out[i] = viewAd(s, decimals(p))
	}
	writeJSON(w, http.StatusOK, map[string]any{"ads": out})
	return nil
}
