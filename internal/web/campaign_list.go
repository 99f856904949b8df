package web

import (
	"net/http"

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

func campaignRows(a model.Account, t *adTree) []campaignRow {
	out := make([]campaignRow, 0, len(t.campaigns))
	for _, c := range t.campaigns {
		out = append(out, campaignRow{ID: c.ID, Name: c.Name, Objective: objectiveWords[c.Objective],
			Budget: budgetText(a, c.BudgetMode, c.Budget), Spend: amount(a, t.spend[c.ID]),
			Delivery: deliveringText(t.serving[c.ID], t.count[c.ID]),
			Switch:   t.switchFor("/ads/campaigns/"+c.ID+"/status", "Campaign "+c.Name, c.Status == model.Enabled)})
	}
	return out
}

// campaignsPage is the Campaign tab: every campaign with its switch.
type campaignsPage struct {
	Base
	Campaigns []campaignRow
}

func (h *Handler) showCampaigns(w http.ResponseWriter, r *http.Request, u *user) error {
	t, err := h.readTree(r.Context(), u, "/ads/campaigns")
	if err != nil {
		return err
	}
	page := campaignsPage{Base: h.base(r, u, "Campaigns"), Campaigns: campaignRows(u.Account, t)}
	page.Nav = "campaign"
	h.render(w, r, http.StatusOK, "campaigns", page)
	return nil
}
