package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
)

// adGroupForm is the ad group step: what was typed, kept on error and
// carried through the other steps.
type adGroupForm struct {
	Name, Countries, Age, Gender, Languages, OS, Interests string
	Start, End                                             string
	BudgetMode, Budget, BillingEvent, Bid, Frequency       string
	Pacing                                                 string
}

// adGroupInputs are the form's field names, in the order of the page.
var adGroupInputs = []string{"name", "countries", "age", "gender", "languages", "os", "interests", "start", "end",
	"budget_mode", "budget", "billing_event", "bid", "frequency", "pacing"}

func (f *adGroupForm) field(name string) *string {
	return map[string]*string{"name": &f.Name, "countries": &f.Countries, "age": &f.Age, "gender": &f.Gender,
		"languages": &f.Languages, "os": &f.OS, "interests": &f.Interests, "start": &f.Start, "end": &f.End,
		"budget_mode": &f.BudgetMode, "budget": &f.Budget, "billing_event": &f.BillingEvent, "bid": &f.Bid,
		"frequency": &f.Frequency, "pacing": &f.Pacing}[name]
}

func readAdGroupForm(v url.Values) adGroupForm {
	var f adGroupForm
	for _, name := range adGroupInputs {
		*f.field(name) = v.Get("ad_group." + name)
	}
	f.Budget, f.Bid = strings.TrimSpace(f.Budget), strings.TrimSpace(f.Bid)
	return f
}

// fields are the answers as hidden inputs of the other steps.
func (f adGroupForm) fields() []hiddenField {
	out := make([]hiddenField, 0, len(adGroupInputs))
	for _, name := range adGroupInputs {
		out = append(out, hiddenField{"ad_group." + name, *f.field(name)})
	}
	return out
}

// defaultAdGroupForm is what the ad group step starts with: everyone, now,
// continuously, a CPM bid, and a daily budget when the campaign has none.
func defaultAdGroupForm(campaignName string, campaignHasNoBudget bool) adGroupForm {
	f := adGroupForm{Name: campaignName + " · ad group", BudgetMode: "NONE", BillingEvent: "CPM", Bid: "4.00",
		Pacing: "STANDARD"}
	if campaignName == "" {
		f.Name = "Ad group"
	}
	if campaignHasNoBudget {
		f.BudgetMode = "DAILY"
	}
	return f
}

// adGroupFormPage is Create → ad group.
type adGroupFormPage struct {
	Base
	Flow                 flowView
	CampaignName         string
	Form                 adGroupForm
	Errors               formErrors
	Ages, Genders, OSes  []option
	BudgetTypes          []option
	BillingEvents        []option
	Frequencies, Pacings []option
	Currency, Timezone   string
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

func (h *Handler) adGroupFormPage(r *http.Request, u *user, campaignName string, campaignBudget bool,
	f adGroupForm) adGroupFormPage {
	none := "Use the campaign budget"
	if !campaignBudget {
		none = "No ad group budget"
	}
	page := adGroupFormPage{Base: h.base(r, u, "Create an ad group"), CampaignName: campaignName, Form: f,
		Errors: formErrors{}, Ages: choose(ageChoices, f.Age), Genders: choose(genderChoices, f.Gender),
		OSes: choose(osChoices, f.OS), BudgetTypes: budgetTypeOptions(f.BudgetMode, none),
		BillingEvents: choose(billingChoices, f.BillingEvent), Frequencies: choose(frequencyChoices, f.Frequency),
		Pacings: choose(pacingChoices, f.Pacing), Currency: u.Account.Currency, Timezone: u.Account.Timezone}
	page.Nav = "campaign"
	return page
}

// newAdGroup starts the flow that adds an ad group (and its first ad) to
// one of the advertiser's campaigns.
func (h *Handler) newAdGroup(w http.ResponseWriter, r *http.Request, u *user) error {
	wz, err := h.campaignWizard(r, u)
	if err != nil {
		return err
	}
	c := wz.existingCampaign
	wz.group = defaultAdGroupForm(c.Name, c.BudgetMode == model.BudgetNone)
	return h.renderStep(w, r, u, wz, campaign.StepAdGroup, http.StatusOK, nil)
}

// adGroupFields maps the domain's field names to the form's.
var adGroupFields = map[string]string{
	"name": "ad_group.name", "targeting.countries": "ad_group.countries", "targeting.age_min": "ad_group.age",
	"targeting.age_max": "ad_group.age", "targeting.genders": "ad_group.gender",
	"targeting.languages": "ad_group.languages", "targeting.os": "ad_group.os",
	"targeting.interests": "ad_group.interests", "start_time": "ad_group.start", "end_time": "ad_group.end",
	"budget_mode": "ad_group.budget_mode", "budget": "ad_group.budget", "billing_event": "ad_group.billing_event",
	"bid": "ad_group.bid", "frequency_cap.": "ad_group.frequency", "pacing": "ad_group.pacing",
}

// input turns the form into the domain's input. It reads the form's own
// choices (the age range, the cap, local times) and returns their errors
// by form field; everything else is the domain's to judge.
func (f adGroupForm) input(loc *time.Location) (campaign.AdGroupInput, formErrors) {
	errs := formErrors{}
	in := campaign.AdGroupInput{Name: &f.Name, BudgetMode: &f.BudgetMode,
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
			errs["ad_group.age"] = "Choose an age range from the list."
		} else {
			t.AgeMin = &a
			if hi != "" {
				b, err := strconv.Atoi(hi)
				if err != nil {
					errs["ad_group.age"] = "Choose an age range from the list."
				}
				t.AgeMax = &b
			}
		}
	}
	in.Targeting = t
	for _, end := range []struct {
		name, value string
		dst         **string
	}{{"ad_group.start", f.Start, &in.StartTime}, {"ad_group.end", f.End, &in.EndTime}} {
		if end.value == "" {
			continue
		}
		at, err := time.ParseInLocation("2006-01-02T15:04", end.value, loc)
		if err != nil {
			errs[end.name] = "Enter a date and time such as 2026-12-01 09:00."
			continue
		}
		s := at.UTC().Format(time.RFC3339)
		*end.dst = &s
	}
	if f.Frequency != "" {
		imps, days, ok := strings.Cut(f.Frequency, "/")
		i, err1 := strconv.Atoi(imps)
		d, err2 := strconv.Atoi(days)
		if !ok || err1 != nil || err2 != nil {
			errs["ad_group.frequency"] = "Choose a frequency cap from the list."
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
		per := plural(g.FrequencyCap.Days, "day", "days")
		if g.FrequencyCap.Days == 1 {
			per = "day"
		}
		freq = fmt.Sprintf("%s per %s", plural(g.FrequencyCap.Impressions, "impression", "impressions"), per)
	}
	pacing := "Standard"
	if g.Pacing == model.PacingAccelerated {
		pacing = "Accelerated"
	}
	return []metricCard{{"Audience", strings.Join(who, " · ")}, {"Schedule", schedule},
		{"Budget", groupBudgetText(a, g)}, {"Bid", amount(a, g.Bid) + " " + billingWords[g.BillingEvent]},
		{"Frequency cap", freq}, {"Pacing", pacing}}
}
