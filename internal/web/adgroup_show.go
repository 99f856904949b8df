package web

import (
	"net/http"

	"github.com/flintads/flint/internal/model"
)

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
	t, err := h.readTree(r.Context(), u, back)
	if err != nil {
		return err
	}
	page := adGroupPage{Base: h.base(r, u, g.Name), ID: g.ID, Name: g.Name, CampaignID: g.CampaignID,
		Switch: t.switchFor("/ads/ad-groups/"+g.ID+"/status", "Ad group "+g.Name, g.Status == model.Enabled),
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
