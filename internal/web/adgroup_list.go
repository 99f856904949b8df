package web

import (
	"net/http"

	"github.com/flintads/flint/internal/model"
)

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

func adGroupRows(a model.Account, t *adTree, campaignID string) []adGroupRow {
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
			Budget: groupBudgetText(a, g), Bid: amount(a, g.Bid) + " " + billingWords[g.BillingEvent],
			Spend: amount(a, t.spend[g.ID]), Delivery: deliveringText(t.serving[g.ID], t.count[g.ID]),
			Switch: t.switchFor("/ads/ad-groups/"+g.ID+"/status", "Ad group "+g.Name, g.Status == model.Enabled)})
	}
	return out
}

// adGroupsPage is the Ad groups tab.
type adGroupsPage struct {
	Base
	AdGroups []adGroupRow
}

func (h *Handler) showAdGroups(w http.ResponseWriter, r *http.Request, u *user) error {
	t, err := h.readTree(r.Context(), u, "/ads/ad-groups")
	if err != nil {
		return err
	}
	page := adGroupsPage{Base: h.base(r, u, "Ad groups"), AdGroups: adGroupRows(u.Account, t, "")}
	page.Nav = "campaign"
	h.render(w, r, http.StatusOK, "ad_groups", page)
	return nil
}
