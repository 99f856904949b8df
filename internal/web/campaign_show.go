package web

import (
	"net/http"

	"github.com/flintads/flint/internal/model"
)

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
	t, err := h.readTree(r.Context(), u, back)
	if err != nil {
		return err
	}
	page := campaignPage{Base: h.base(r, u, c.Name), ID: c.ID, Name: c.Name, Objective: objectiveWords[c.Objective],
		Budget: budgetText(a, c.BudgetMode, c.Budget), Spend: amount(a, t.spend[c.ID]),
		Delivery: deliveringText(t.serving[c.ID], t.count[c.ID]),
		Switch:   t.switchFor("/ads/campaigns/"+c.ID+"/status", "Campaign "+c.Name, c.Status == model.Enabled),
		AdGroups: adGroupRows(a, t, c.ID)}
	page.Nav = "campaign"
	h.render(w, r, http.StatusOK, "campaign", page)
	return nil
}
