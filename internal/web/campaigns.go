package web

import (
	"net/http"

	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
)

// campaignRow is a campaign in a list.
type campaignRow struct {
	ID, Name, Objective, Budget, Spend, Delivery string
	Switch                                       switchView
}

var objectiveWords = map[model.Objective]string{
	model.ObjectiveReach:       "Reach",
	model.ObjectiveVideoViews:  "Video views",
	model.ObjectiveTraffic:     "Traffic",
	model.ObjectiveEngagement:  "Engagement",
	model.ObjectiveConversions: "Conversions",
}

func campaignRows(a model.Account, t *adTree, back string) []campaignRow {
	out := make([]campaignRow, 0, len(t.campaigns))
	for _, c := range t.campaigns {
		out = append(out, campaignRow{ID: c.ID, Name: c.Name, Objective: objectiveWords[c.Objective],
			Budget: budgetText(a, c.BudgetMode, c.Budget), Spend: amount(a, t.spend[c.ID]),
			Delivery: deliveringText(t.serving[c.ID], t.count[c.ID]),
			Switch:   switchView{Action: "/ads/campaigns/" + c.ID + "/status", Label: "Campaign " + c.Name, On: c.Status == model.Enabled, Back: back}})
	}
	return out
}

// campaignsPage is the Campaign tab: every campaign with its switch.
type campaignsPage struct {
	Base
	Campaigns []campaignRow
}

func (h *Handler) showCampaigns(w http.ResponseWriter, r *http.Request, u *user) error {
	t, err := h.readTree(r.Context(), u.Account, "/ads/campaigns")
	if err != nil {
		return err
	}
	page := campaignsPage{Base: h.base(r, u, "Campaigns"), Campaigns: campaignRows(u.Account, t, "/ads/campaigns")}
	page.Nav = "campaign"
	h.render(w, r, http.StatusOK, "campaigns", page)
	return nil
}

// adGroupRow is an ad group in a list.
type adGroupRow struct {
	ID, Name, CampaignID, CampaignName, Budget, Bid, Spend, Delivery string
	Switch                                                           switchView
}

var billingWords = map[model.BillingEvent]string{
	model.BillCPM: "per 1,000 impressions",
	model.BillCPC: "per click",
	model.BillCPV: "per 6-second view",
}

func adGroupRows(a model.Account, t *adTree, campaignID, back string) []adGroupRow {
	names := map[string]string{}
	for _, c := range t.campaigns {
		names[c.ID] = c.Name
	}
	var out []adGroupRow
	for _, g := range t.groups {
		if campaignID != "" && g.CampaignID != campaignID {
			continue
		}
		out = append(out, adGroupRow{ID: g.ID, Name: g.Name, CampaignID: g.CampaignID, CampaignName: names[g.CampaignID],
			Budget: budgetText(a, g.BudgetMode, g.Budget), Bid: amount(a, g.Bid) + " " + billingWords[g.BillingEvent],
			Spend: amount(a, t.spend[g.ID]), Delivery: deliveringText(t.serving[g.ID], t.count[g.ID]),
			Switch: switchView{Action: "/ads/ad-groups/" + g.ID + "/status", Label: "Ad group " + g.Name,
				On: g.Status == model.Enabled, Back: back}})
	}
	return out
}

// campaignPage is one campaign with its ad groups.
type campaignPage struct {
	Base
	ID, Name, Objective, Budget, Spend, Delivery string
	Switch                                       switchView
	AdGroups                                     []adGroupRow
}

func (h *Handler) showCampaign(w http.ResponseWriter, r *http.Request, u *user) error {
	a := u.Account
	c, err := h.Campaigns.GetCampaign(r.Context(), a.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	back := "/ads/campaigns/" + c.ID
	t, err := h.readTree(r.Context(), a, back)
	if err != nil {
		return err
	}
	page := campaignPage{Base: h.base(r, u, c.Name), ID: c.ID, Name: c.Name, Objective: objectiveWords[c.Objective],
		Budget: budgetText(a, c.BudgetMode, c.Budget), Spend: amount(a, t.spend[c.ID]),
		Delivery: deliveringText(t.serving[c.ID], t.count[c.ID]),
		Switch:   switchView{Action: "/ads/campaigns/" + c.ID + "/status", Label: "Campaign " + c.Name, On: c.Status == model.Enabled, Back: back},
		AdGroups: adGroupRows(a, t, c.ID, back)}
	page.Nav = "campaign"
	if r.URL.Query().Get("done") == "created" {
		page.Notice = "Campaign created."
	}
	h.render(w, r, http.StatusOK, "campaign", page)
	return nil
}

// adGroupsPage is the Ad groups tab.
type adGroupsPage struct {
	Base
	AdGroups []adGroupRow
}

func (h *Handler) showAdGroups(w http.ResponseWriter, r *http.Request, u *user) error {
	t, err := h.readTree(r.Context(), u.Account, "/ads/ad-groups")
	if err != nil {
		return err
	}
	page := adGroupsPage{Base: h.base(r, u, "Ad groups"), AdGroups: adGroupRows(u.Account, t, "", "/ads/ad-groups")}
	page.Nav = "campaign"
	h.render(w, r, http.StatusOK, "ad_groups", page)
	return nil
}

// adGroupPage is one ad group: its settings and its ads.
type adGroupPage struct {
	Base
	ID, Name, CampaignID, CampaignName string
	Settings                           []metricCard
	Switch                             switchView
	Ads                                []adRow
}

func (h *Handler) showAdGroup(w http.ResponseWriter, r *http.Request, u *user) error {
	a := u.Account
	g, err := h.Campaigns.GetAdGroup(r.Context(), a.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	back := "/ads/ad-groups/" + g.ID
	t, err := h.readTree(r.Context(), a, back)
	if err != nil {
		return err
	}
	page := adGroupPage{Base: h.base(r, u, g.Name), ID: g.ID, Name: g.Name, CampaignID: g.CampaignID,
		Switch: switchView{Action: "/ads/ad-groups/" + g.ID + "/status", Label: "Ad group " + g.Name, On: g.Status == model.Enabled, Back: back},
		Ads:    t.byGroup[g.ID]}
	for _, c := range t.campaigns {
		if c.ID == g.CampaignID {
			page.CampaignName = c.Name
		}
	}
	page.Settings = adGroupSettings(a, g)
	page.Nav = "campaign"
	if r.URL.Query().Get("done") == "published" {
		page.Notice = "Your ad is published."
	}
	h.render(w, r, http.StatusOK, "ad_group", page)
	return nil
}

// adsPage is the Ads tab.
type adsPage struct {
	Base
	Ads []adRow
}

func (h *Handler) showAds(w http.ResponseWriter, r *http.Request, u *user) error {
	t, err := h.readTree(r.Context(), u.Account, "/ads/ads")
	if err != nil {
		return err
	}
	page := adsPage{Base: h.base(r, u, "Ads"), Ads: t.ads}
	page.Nav = "campaign"
	h.render(w, r, http.StatusOK, "ads", page)
	return nil
}

// adPage is one ad: serving status with reasons, its post, its counters.
type adPage struct {
	Base
	Ad      adRow
	CTA     string
	URL     string
	Numbers []metricCard
}

func (h *Handler) showAd(w http.ResponseWriter, r *http.Request, u *user) error {
	a := u.Account
	ad, err := h.Campaigns.GetAd(r.Context(), a.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	back := "/ads/ads/" + ad.ID
	t, err := h.readTree(r.Context(), a, back)
	if err != nil {
		return err
	}
	page := adPage{Base: h.base(r, u, ad.Name), CTA: ad.CTALabel, URL: ad.CTAURL}
	for _, row := range t.ads {
		if row.ID == ad.ID {
			page.Ad = row
		}
	}
	page.Numbers = []metricCard{{"Impressions", formatInt(page.Ad.Impressions)}, {"6-second views", formatInt(page.Ad.Views)},
		{"Clicks", formatInt(page.Ad.Clicks)}, {"Paid engagement", formatInt(page.Ad.Engagement)}, {"Spend", page.Ad.Spend}}
	page.Nav = "campaign"
	h.render(w, r, http.StatusOK, "ad", page)
	return nil
}

// The status switches: one button, then back to the list it was on.

func (h *Handler) switchCampaign(w http.ResponseWriter, r *http.Request, u *user) error {
	status, err := switchStatus(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := h.Campaigns.UpdateCampaign(r.Context(), u.Account.ID, id, campaign.CampaignInput{Status: &status}); err != nil {
		return err
	}
	return seeOther(w, r, backOr(r, "/ads/campaigns"))
}

func (h *Handler) switchAdGroup(w http.ResponseWriter, r *http.Request, u *user) error {
	status, err := switchStatus(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := h.Campaigns.UpdateAdGroup(r.Context(), u.Account.ID, id, campaign.AdGroupInput{Status: &status}); err != nil {
		return err
	}
	return seeOther(w, r, backOr(r, "/ads/ad-groups"))
}

func (h *Handler) switchAd(w http.ResponseWriter, r *http.Request, u *user) error {
	status, err := switchStatus(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := h.Campaigns.UpdateAd(r.Context(), u.Account.ID, id, campaign.AdInput{Status: &status}); err != nil {
		return err
	}
	return seeOther(w, r, backOr(r, "/ads/ads"))
}

func switchStatus(r *http.Request) (string, error) {
	if err := parseForm(r); err != nil {
		return "", err
	}
	return r.PostForm.Get("status"), nil
}
