package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"

	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
)

// The Create flow: campaign → ad group → ad → Publish. Nothing is stored
// before Publish: each step's page carries the answers of the other steps
// in hidden inputs (miniflux's subscription_submit.go →
// choose_subscription.html → subscription_choose.go), each Continue checks
// its step with the campaign service (Check*), and Publish checks all of it
// again and stores it in one transaction (campaign.Service.Publish); an
// error sends the advertiser back to the step it is about, with everything
// typed kept and every wrong field marked.
//
// The flow also adds an ad group and an ad to an existing campaign, or an
// ad to an existing ad group: the path names the existing object, which is
// read for the signed-in advertiser (another's is not found).

// wizard is the state of one Create flow: what exists, what was typed.
type wizard struct {
	// action is where each step's form posts.
	action string
	// existingCampaign and existingGroup are the stored parents, when the
	// flow adds to them.
	existingCampaign *model.Campaign
	existingGroup    *model.AdGroup
	campaign         campaignForm
	group            adGroupForm
	ad               adForm
	// groupSeen and adSeen are set once that step's form has been shown
	// (its answers travel in the posted form from then on).
	groupSeen, adSeen bool
}

// hiddenField is an answer of another step, carried in a hidden input.
type hiddenField struct {
	Name, Value string
}

// read takes every step's answers from a posted form.
func (wz *wizard) read(f url.Values) {
	if wz.existingCampaign == nil && wz.existingGroup == nil {
		wz.campaign = readCampaignForm(f)
	}
	if wz.existingGroup == nil {
		wz.groupSeen = f.Has("ad_group.billing_event")
		wz.group = readAdGroupForm(f)
	}
	wz.adSeen = f.Has("ad.cta")
	wz.ad = readAdForm(f)
}

// hidden returns the answers of every step but the one shown.
func (wz *wizard) hidden(shown string) []hiddenField {
	var out []hiddenField
	if shown != campaign.StepCampaign && wz.existingCampaign == nil && wz.existingGroup == nil {
		out = append(out, wz.campaign.fields()...)
	}
	if shown != campaign.StepAdGroup && wz.existingGroup == nil && (wz.groupSeen || shown == campaign.StepAd) {
		out = append(out, wz.group.fields()...)
	}
	if shown != campaign.StepAd && wz.adSeen {
		out = append(out, wz.ad.fields()...)
	}
	return out
}

// campaignName is the name of the campaign the flow adds to or creates.
func (wz *wizard) campaignName() string {
	if wz.existingCampaign != nil {
		return wz.existingCampaign.Name
	}
	return wz.campaign.Name
}

// campaignBudget reports whether the campaign has a budget of its own.
func (wz *wizard) campaignBudget() bool {
	if wz.existingCampaign != nil {
		return wz.existingCampaign.BudgetMode != model.BudgetNone
	}
	return wz.campaign.BudgetMode != "NONE"
}

// input is the flow as the campaign service takes it, and the errors of
// the answers the form itself reads (a date, a choice from a list).
func (wz *wizard) input(loc *time.Location) (campaign.PublishInput, formErrors) {
	var in campaign.PublishInput
	switch {
	case wz.existingGroup != nil:
		in.AdGroupID = wz.existingGroup.ID
	case wz.existingCampaign != nil:
		in.CampaignID = wz.existingCampaign.ID
	default:
		c := wz.campaign.input()
		in.Campaign = &c
	}
	var own formErrors
	if wz.existingGroup == nil {
		g, errs := wz.group.input(loc)
		in.AdGroup, own = &g, errs
	}
	in.Ad = wz.ad.input()
	return in, own
}

// check runs the checks of every step up to and including upTo, without
// storing anything. It returns the first step with errors, its errors (the
// form's own, such as an unreadable date, and every field error the domain
// found) and the status they answer with; an error that is not about the
// input is returned as err.
func (h *Handler) check(ctx context.Context, u *user, wz *wizard, upTo string) (step string, errs formErrors,
	status int, err error) {
	in, own := wz.input(location(u.Account))
	errs = formErrors{}
	status = http.StatusBadRequest
	// failed files a domain error and reports whether it was one.
	failed := func(err error, fields map[string]string) bool {
		if err == nil {
			return false
		}
		if errs.add(err, fields) {
			status = statusFor(err)
		}
		return true
	}
	c := model.Campaign{}
	switch {
	case wz.existingGroup != nil:
	case wz.existingCampaign != nil:
		c = *wz.existingCampaign
	default:
		var cerr error
		c, cerr = h.Campaigns.CheckCampaign(ctx, u.Account.ID, *in.Campaign)
		if failed(cerr, campaignFields) {
			if len(errs) == 0 {
				return "", nil, 0, cerr
			}
			return campaign.StepCampaign, errs, status, nil
		}
	}
	if upTo == campaign.StepCampaign {
		return "", nil, 0, nil
	}
	g := model.AdGroup{}
	if wz.existingGroup != nil {
		g = *wz.existingGroup
	} else {
		var gerr error
		g, gerr = h.Campaigns.CheckAdGroup(ctx, u.Account.ID, c, *in.AdGroup)
		if failed(gerr, adGroupFields) && len(errs) == 0 {
			return "", nil, 0, gerr
		}
		errs.merge(own)
		if len(errs) > 0 {
			return campaign.StepAdGroup, errs, status, nil
		}
	}
	if upTo == campaign.StepAdGroup {
		return "", nil, 0, nil
	}
	_, aerr := h.Campaigns.CheckAd(ctx, u.Account.ID, g, in.Ad)
	if failed(aerr, adFields) && len(errs) == 0 {
		return "", nil, 0, aerr
	}
	errs.merge(wz.ad.ownErrors())
	if len(errs) > 0 {
		return campaign.StepAd, errs, status, nil
	}
	return "", nil, 0, nil
}

// submitWizard takes one step of the flow: Back shows the previous step as
// typed; Continue checks the step and shows the next; Publish checks
// everything and stores it.
func (h *Handler) submitWizard(w http.ResponseWriter, r *http.Request, u *user, wz *wizard) error {
	if err := parseForm(r); err != nil {
		return err
	}
	wz.read(r.PostForm)
	step, action := r.PostForm.Get("step"), r.PostForm.Get("go")
	first := wz.firstStep()
	if !wz.hasStep(step) {
		return h.renderStep(w, r, u, wz, first, http.StatusOK, nil)
	}
	if action == "back" {
		prev := map[string]string{campaign.StepAdGroup: campaign.StepCampaign, campaign.StepAd: campaign.StepAdGroup}[step]
		if !wz.hasStep(prev) {
			prev = first
		}
		return h.renderStep(w, r, u, wz, prev, http.StatusOK, nil)
	}
	bad, errs, status, err := h.check(r.Context(), u, wz, step)
	if err != nil {
		return err
	}
	if bad != "" {
		return h.renderStep(w, r, u, wz, bad, status, errs)
	}
	switch step {
	case campaign.StepCampaign:
		return h.renderStep(w, r, u, wz, campaign.StepAdGroup, http.StatusOK, nil)
	case campaign.StepAdGroup:
		return h.renderStep(w, r, u, wz, campaign.StepAd, http.StatusOK, nil)
	}
	in, _ := wz.input(location(u.Account))
	out, err := h.Campaigns.Publish(r.Context(), u.Account.ID, in)
	var se *campaign.StepError
	if errors.As(err, &se) {
		// Something changed since the checks above (a post revoked, the
		// campaign's budget edited): back to the step it is about.
		errs := formErrors{}
		if !errs.add(se.Err, map[string]map[string]string{campaign.StepCampaign: campaignFields,
			campaign.StepAdGroup: adGroupFields, campaign.StepAd: adFields}[se.Step]) {
			return se.Err
		}
		return h.renderStep(w, r, u, wz, se.Step, statusFor(se.Err), errs)
	}
	if err != nil {
		return err
	}
	return seeOther(w, r, "/ads/ad-groups/"+out.AdGroup.ID+"?done=published")
}

// firstStep is the step the flow starts at.
func (wz *wizard) firstStep() string {
	switch {
	case wz.existingGroup != nil:
		return campaign.StepAd
	case wz.existingCampaign != nil:
		return campaign.StepAdGroup
	}
	return campaign.StepCampaign
}

// hasStep reports whether the flow shows step.
func (wz *wizard) hasStep(step string) bool {
	switch step {
	case campaign.StepCampaign:
		return wz.existingCampaign == nil && wz.existingGroup == nil
	case campaign.StepAdGroup:
		return wz.existingGroup == nil
	case campaign.StepAd:
		return true
	}
	return false
}

// renderStep shows one step of the flow with the others' answers hidden.
func (h *Handler) renderStep(w http.ResponseWriter, r *http.Request, u *user, wz *wizard, step string, status int,
	errs formErrors) error {
	if errs == nil {
		errs = formErrors{}
	}
	cancel := "/ads/campaigns"
	switch {
	case wz.existingGroup != nil:
		cancel = "/ads/ad-groups/" + wz.existingGroup.ID
	case wz.existingCampaign != nil:
		cancel = "/ads/campaigns/" + wz.existingCampaign.ID
	}
	flow := flowView{Action: wz.action, Cancel: cancel, Hidden: wz.hidden(step), CanGoBack: step != wz.firstStep(),
		Steps: stepsFor(wz, step)}
	switch step {
	case campaign.StepCampaign:
		page := h.campaignFormPage(r, u, wz.campaign)
		page.Flow, page.Errors = flow, errs
		h.render(w, r, status, "campaign_new", page)
	case campaign.StepAdGroup:
		if !wz.groupSeen && wz.existingCampaign == nil {
			wz.group = defaultAdGroupForm(wz.campaign.Name, !wz.campaignBudget())
		}
		page := h.adGroupFormPage(r, u, wz.campaignName(), wz.campaignBudget(), wz.group)
		page.Flow, page.Errors = flow, errs
		h.render(w, r, status, "ad_group_new", page)
	default:
		if !wz.adSeen {
			wz.ad = adForm{Identity: "creator", CTA: campaign.DefaultCTALabel}
		}
		groupName := wz.group.Name
		if wz.existingGroup != nil {
			groupName = wz.existingGroup.Name
		}
		page, err := h.adFormPage(r, u, wz.campaignName(), groupName, wz.ad)
		if err != nil {
			return err
		}
		page.Flow, page.Errors = flow, errs
		h.render(w, r, status, "ad_new", page)
	}
	return nil
}

// flowView is what every step's page shows of the flow.
type flowView struct {
	Action    string
	Cancel    string // where Cancel goes
	Hidden    []hiddenField
	CanGoBack bool
	Steps     []stepView
}

// stepView is one step in the flow's progress list.
type stepView struct {
	Name          string
	Done, Current bool
}

func stepsFor(wz *wizard, current string) []stepView {
	var out []stepView
	done := true
	for _, s := range []struct{ step, name string }{{campaign.StepCampaign, "Campaign"}, {campaign.StepAdGroup, "Ad group"},
		{campaign.StepAd, "Ad"}} {
		if s.step == current {
			done = false
			out = append(out, stepView{Name: s.name, Current: true})
			continue
		}
		out = append(out, stepView{Name: s.name, Done: done})
	}
	return out
}

// merge adds the messages of other for fields that have none yet.
func (fe formErrors) merge(other formErrors) {
	for k, v := range other {
		if _, ok := fe[k]; !ok {
			fe[k] = v
		}
	}
}

// The Create flow's three entries: a new campaign, an ad group and ad for
// an existing campaign, an ad for an existing ad group. Each POST takes a
// step of the flow; each GET (campaign_new.go, adgroup_new.go, ad_new.go)
// starts it.

func (h *Handler) createCampaign(w http.ResponseWriter, r *http.Request, u *user) error {
	return h.submitWizard(w, r, u, &wizard{action: "/ads/campaigns/new"})
}

func (h *Handler) createAdGroup(w http.ResponseWriter, r *http.Request, u *user) error {
	wz, err := h.campaignWizard(r, u)
	if err != nil {
		return err
	}
	return h.submitWizard(w, r, u, wz)
}

func (h *Handler) createAd(w http.ResponseWriter, r *http.Request, u *user) error {
	wz, err := h.adGroupWizard(r, u)
	if err != nil {
		return err
	}
	return h.submitWizard(w, r, u, wz)
}

// campaignWizard is the flow that adds an ad group and ad to the campaign
// the path names (one of the advertiser's, else not found).
func (h *Handler) campaignWizard(r *http.Request, u *user) (*wizard, error) {
	c, err := h.Campaigns.GetCampaign(r.Context(), u.Account.ID, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	return &wizard{action: "/ads/campaigns/" + c.ID + "/ad-groups/new", existingCampaign: &c}, nil
}

// adGroupWizard is the flow that adds an ad to the ad group the path names
// (one of the advertiser's, else not found).
func (h *Handler) adGroupWizard(r *http.Request, u *user) (*wizard, error) {
	g, err := h.Campaigns.GetAdGroup(r.Context(), u.Account.ID, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	c, err := h.Campaigns.GetCampaign(r.Context(), u.Account.ID, g.CampaignID)
	if err != nil {
		return nil, err
	}
	return &wizard{action: "/ads/ad-groups/" + g.ID + "/ads/new", existingCampaign: &c, existingGroup: &g}, nil
}
