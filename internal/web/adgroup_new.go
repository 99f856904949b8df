package web

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
)

// adGroupForm is the ad group step: what was typed, kept on error.
type adGroupForm struct {
	Name, Countries, Age, Gender, Languages, OS, Interests string
	Start, End                                             string
	BudgetMode, Budget, BillingEvent, Bid, Frequency       string
	Pacing                                                 string
}

// adGroupFormPage is Create → ad group.
type adGroupFormPage struct {
	Base
	CampaignID, CampaignName string
	Form                     adGroupForm
	Errors                   formErrors
	Ages, Genders, OSes      []option
	BudgetTypes              []option
	BillingEvents            []option
	Frequencies, Pacings     []option
	Currency, Timezone       string
}

// The choices of the ad group form. Empty values mean "everyone".
var (
	ageChoices = []option{{"", "All ages", false}, {"18-24", "18–24", false}, {"25-34", "25–34", false},
		{"35-44", "35–44", false}, {"45-54", "45–54", false}, {"55-", "55 and over", false}, {"18-34", "18–34", false},
		{"25-44", "25–44", false}, {"18-", "18 and over", false}, {"13-17", "13–17", false}}
	genderChoices  = []option{{"", "All genders", false}, {"female", "Female", false}, {"male", "Male", false}, {"other", "Other", false}}
	osChoices      = []option{{"", "All operating systems", false}, {"ios", "iOS", false}, {"android", "Android", false}}
	billingChoices = []option{{"CPM", "CPM: per 1,000 impressions", false}, {"CPC", "CPC: per click", false},
		{"CPV", "CPV: per 6-second view", false}}
	frequencyChoices = []option{{"", "No cap", false}, {"1/1", "1 impression per day", false},
		{"2/1", "2 impressions per day", false}, {"3/1", "3 impressions per day", false},
		{"3/7", "3 impressions per 7 days", false}, {"5/7", "5 impressions per 7 days", false}}
	pacingChoices = []option{{"STANDARD", "Standard: spread over the day", false},
		{"ACCELERATED", "Accelerated: as fast as possible", false}}
)

// choose returns the options with value selected.
func choose(options []option, value string) []option {
	out := make([]option, len(options))
	for i, o := range options {
		o.Selected = o.Value == value
		out[i] = o
	}
	return out
}

func (h *Handler) adGroupFormPage(r *http.Request, u *user, c model.Campaign, f adGroupForm) adGroupFormPage {
	none := "Use the campaign budget"
	if c.BudgetMode == model.BudgetNone {
		none = "No ad group budget"
	}
	page := adGroupFormPage{Base: h.base(r, u, "Create an ad group"), CampaignID: c.ID, CampaignName: c.Name, Form: f,
		Errors: formErrors{}, Ages: choose(ageChoices, f.Age), Genders: choose(genderChoices, f.Gender),
		OSes: choose(osChoices, f.OS), BudgetTypes: budgetTypeOptions(f.BudgetMode, none),
		BillingEvents: choose(billingChoices, f.BillingEvent), Frequencies: choose(frequencyChoices, f.Frequency),
		Pacings: choose(pacingChoices, f.Pacing), Currency: u.Account.Currency, Timezone: u.Account.Timezone}
	page.Nav = "campaign"
	return page
}

func (h *Handler) newAdGroup(w http.ResponseWriter, r *http.Request, u *user) error {
	c, err := h.Campaigns.GetCampaign(r.Context(), u.Account.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	f := adGroupForm{Name: c.Name + " · ad group", BudgetMode: "NONE", BillingEvent: "CPM", Bid: "4.00", Pacing: "STANDARD"}
	if c.BudgetMode == model.BudgetNone {
		f.BudgetMode = "DAILY"
	}
	page := h.adGroupFormPage(r, u, c, f)
	if r.URL.Query().Get("step") == "1" {
		page.Notice = "Campaign created. Now choose who sees your ads, and how you pay."
	}
	h.render(w, r, http.StatusOK, "ad_group_new", page)
	return nil
}

// adGroupFields maps the domain's field names to the form's.
var adGroupFields = map[string]string{
	"name": "name", "targeting.countries": "countries", "targeting.age_min": "age", "targeting.age_max": "age",
	"targeting.genders": "gender", "targeting.languages": "languages", "targeting.os": "os",
	"targeting.interests": "interests", "start_time": "start", "end_time": "end", "budget_mode": "budget_mode",
	"budget": "budget", "billing_event": "billing_event", "bid": "bid", "frequency_cap.": "frequency",
	"pacing": "pacing",
}

func (h *Handler) createAdGroup(w http.ResponseWriter, r *http.Request, u *user) error {
	c, err := h.Campaigns.GetCampaign(r.Context(), u.Account.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	p := r.PostForm
	f := adGroupForm{Name: p.Get("name"), Countries: p.Get("countries"), Age: p.Get("age"), Gender: p.Get("gender"),
		Languages: p.Get("languages"), OS: p.Get("os"), Interests: p.Get("interests"), Start: p.Get("start"),
		End: p.Get("end"), BudgetMode: p.Get("budget_mode"), Budget: strings.TrimSpace(p.Get("budget")),
		BillingEvent: p.Get("billing_event"), Bid: strings.TrimSpace(p.Get("bid")), Frequency: p.Get("frequency"),
		Pacing: p.Get("pacing")}
	page := h.adGroupFormPage(r, u, c, f)
	in, inputErrs := f.input(c.ID, location(u.Account))
	if len(inputErrs) == 0 {
		g, err := h.Campaigns.CreateAdGroup(r.Context(), u.Account.ID, in)
		if err == nil {
			return seeOther(w, r, "/ads/ad-groups/"+g.ID+"/ads/new?step=2")
		}
		if !page.Errors.add(err, adGroupFields) {
			return err
		}
		h.render(w, r, statusFor(err), "ad_group_new", page)
		return nil
	}
	page.Errors = inputErrs
	h.render(w, r, http.StatusBadRequest, "ad_group_new", page)
	return nil
}

// input turns the form into the domain's input. It reads the form's own
// choices (the age range, the cap, local times); everything else is the
// domain's to judge.
func (f adGroupForm) input(campaignID string, loc *time.Location) (campaign.AdGroupInput, formErrors) {
	errs := formErrors{}
	in := campaign.AdGroupInput{CampaignID: campaignID, Name: &f.Name, BudgetMode: &f.BudgetMode,
		BillingEvent: &f.BillingEvent, Bid: &f.Bid, Pacing: &f.Pacing}
	if f.Budget != "" || f.BudgetMode != "NONE" {
		in.Budget = &f.Budget
	}
	t := &campaign.TargetingInput{Countries: splitList(f.Countries), Languages: splitList(f.Languages),
		Interests: splitList(f.Interests), Genders: []string{}, OS: []string{}}
	if f.Gender != "" {
		t.Genders = []string{f.Gender}
	}
	if f.OS != "" {
		t.OS = []string{f.OS}
	}
	if f.Age != "" {
		lo, hi, ok := strings.Cut(f.Age, "-")
		a, err1 := strconv.Atoi(lo)
		if !ok || err1 != nil {
			errs["age"] = "Choose an age range from the list."
		} else {
			t.AgeMin = &a
			if hi != "" {
				b, err := strconv.Atoi(hi)
				if err != nil {
					errs["age"] = "Choose an age range from the list."
				}
				t.AgeMax = &b
			}
		}
	}
	in.Targeting = t
	for name, v := range map[string]string{"start": f.Start, "end": f.End} {
		if v == "" {
			continue
		}
		at, err := time.ParseInLocation("2006-01-02T15:04", v, loc)
		if err != nil {
			errs[name] = "Enter a date and time such as 2026-12-01 09:00."
			continue
		}
		s := at.UTC().Format(time.RFC3339)
		if name == "start" {
			in.StartTime = &s
		} else {
			in.EndTime = &s
		}
	}
	if f.Frequency != "" {
		imps, days, ok := strings.Cut(f.Frequency, "/")
		i, err1 := strconv.Atoi(imps)
		d, err2 := strconv.Atoi(days)
		if !ok || err1 != nil || err2 != nil {
			errs["frequency"] = "Choose a frequency cap from the list."
		} else {
			in.FrequencyCap = &model.FrequencyCap{Impressions: i, Days: d}
		}
	}
	return in, errs
}

// adGroupSettings describes an ad group's settings in words.
func adGroupSettings(a model.Account, g model.AdGroup) []metricCard {
	t := g.Targeting
	who := []string{}
	if len(t.Countries) > 0 {
		who = append(who, strings.Join(t.Countries, ", "))
	} else {
		who = append(who, "All countries")
	}
	switch {
	case t.AgeMin != 0 && t.AgeMax != 0:
		who = append(who, fmt.Sprintf("ages %d–%d", t.AgeMin, t.AgeMax))
	case t.AgeMin != 0:
		who = append(who, fmt.Sprintf("ages %d and over", t.AgeMin))
	}
	who = append(who, t.Genders...)
	who = append(who, t.Languages...)
	who = append(who, t.OS...)
	who = append(who, t.Interests...)
	loc := location(a)
	schedule := "From " + g.StartTime.In(loc).Format("2 Jan 2006 15:04") + ", continuously"
	if !g.EndTime.IsZero() {
		schedule = g.StartTime.In(loc).Format("2 Jan 2006 15:04") + " to " + g.EndTime.In(loc).Format("2 Jan 2006 15:04")
	}
	freq := "No cap"
	if g.FrequencyCap.Impressions > 0 {
		freq = fmt.Sprintf("%s per %s", plural(g.FrequencyCap.Impressions, "impression", "impressions"),
			plural(g.FrequencyCap.Days, "day", "days"))
	}
	pacing := "Standard"
	if g.Pacing == model.PacingAccelerated {
		pacing = "Accelerated"
	}
	return []metricCard{{"Audience", strings.Join(who, " · ")}, {"Schedule", schedule},
		{"Budget", budgetText(a, g.BudgetMode, g.Budget)}, {"Bid", amount(a, g.Bid) + " " + billingWords[g.BillingEvent]},
		{"Frequency cap", freq}, {"Pacing", pacing}}
}
