package web

import (
	"net/http"
	"strings"

	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
)

// campaignForm is the first step of Create: what was typed, kept on error.
type campaignForm struct {
	Name, Objective, BudgetMode, Budget string
}

// campaignFormPage is Create → campaign.
type campaignFormPage struct {
	Base
	Form        campaignForm
	Errors      formErrors
	Objectives  []option
	BudgetTypes []option
	Currency    string
}

func budgetTypeOptions(selected string, none string) []option {
	out := []option{{Value: "NONE", Label: none}, {Value: "DAILY", Label: "Daily budget"}, {Value: "LIFETIME", Label: "Lifetime budget"}}
	for i := range out {
		out[i].Selected = out[i].Value == selected
	}
	return out
}

func (h *Handler) campaignFormPage(r *http.Request, u *user, f campaignForm) campaignFormPage {
	page := campaignFormPage{Base: h.base(r, u, "Create a campaign"), Form: f, Errors: formErrors{},
		BudgetTypes: budgetTypeOptions(f.BudgetMode, "No campaign budget"), Currency: u.Account.Currency}
	page.Nav = "campaign"
	for _, o := range []model.Objective{model.ObjectiveReach, model.ObjectiveVideoViews, model.ObjectiveTraffic,
		model.ObjectiveEngagement, model.ObjectiveConversions} {
		page.Objectives = append(page.Objectives, option{Value: string(o), Label: objectiveWords[o], Selected: string(o) == f.Objective})
	}
	return page
}

func (h *Handler) newCampaign(w http.ResponseWriter, r *http.Request, u *user) error {
	h.render(w, r, http.StatusOK, "campaign_new", h.campaignFormPage(r, u,
		campaignForm{Objective: string(model.ObjectiveVideoViews), BudgetMode: "NONE"}))
	return nil
}

func (h *Handler) createCampaign(w http.ResponseWriter, r *http.Request, u *user) error {
	if err := parseForm(r); err != nil {
		return err
	}
	f := campaignForm{Name: r.PostForm.Get("name"), Objective: r.PostForm.Get("objective"),
		BudgetMode: r.PostForm.Get("budget_mode"), Budget: strings.TrimSpace(r.PostForm.Get("budget"))}
	in := campaign.CampaignInput{Name: &f.Name, Objective: &f.Objective, BudgetMode: &f.BudgetMode}
	if f.Budget != "" || f.BudgetMode != "NONE" {
		in.Budget = &f.Budget
	}
	c, err := h.Campaigns.CreateCampaign(r.Context(), u.Account.ID, in)
	if err == nil {
		return seeOther(w, r, "/ads/campaigns/"+c.ID+"/ad-groups/new?step=1")
	}
	page := h.campaignFormPage(r, u, f)
	if !page.Errors.add(err, map[string]string{"name": "name", "objective": "objective", "budget_mode": "budget_mode",
		"budget": "budget"}) {
		return err
	}
	h.render(w, r, statusFor(err), "campaign_new", page)
	return nil
}
