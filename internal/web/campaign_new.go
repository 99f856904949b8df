package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
)

// campaignForm is the first step of Create: what was typed, kept on error
// and carried through the later steps.
type campaignForm struct {
	Name, Objective, BudgetMode, Budget string
}

func readCampaignForm(f url.Values) campaignForm {
	return campaignForm{Name: f.Get("campaign.name"), Objective: f.Get("campaign.objective"),
		BudgetMode: f.Get("campaign.budget_mode"), Budget: strings.TrimSpace(f.Get("campaign.budget"))}
}

// fields are the answers as hidden inputs of the other steps.
func (f campaignForm) fields() []hiddenField {
	return []hiddenField{{"campaign.name", f.Name}, {"campaign.objective", f.Objective},
		{"campaign.budget_mode", f.BudgetMode}, {"campaign.budget", f.Budget}}
}

// input is the form as the campaign service takes it.
func (f campaignForm) input() campaign.CampaignInput {
	in := campaign.CampaignInput{Name: &f.Name, Objective: &f.Objective, BudgetMode: &f.BudgetMode}
	if f.Budget != "" || f.BudgetMode != "NONE" {
		in.Budget = &f.Budget
	}
	return in
}

// campaignFields maps the domain's field names to the form's.
var campaignFields = map[string]string{"name": "campaign.name", "objective": "campaign.objective",
	"budget_mode": "campaign.budget_mode", "budget": "campaign.budget"}

// campaignFormPage is Create → campaign.
type campaignFormPage struct {
	Base
	Flow        flowView
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

// newCampaign starts the Create flow.
func (h *Handler) newCampaign(w http.ResponseWriter, r *http.Request, u *user) error {
	wz := &wizard{action: "/ads/campaigns/new",
		campaign: campaignForm{Objective: string(model.ObjectiveVideoViews), BudgetMode: "NONE"}}
	return h.renderStep(w, r, u, wz, campaign.StepCampaign, http.StatusOK, nil)
}
