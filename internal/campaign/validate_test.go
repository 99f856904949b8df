package campaign

import (
	"slices"
	"testing"
	"time"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

func TestParseMoney(t *testing.T) {
	cases := map[string]struct {
		in       string
		decimals int
		want     money.Micros
		ok       bool
	}{
		"two decimals":        {"4.00", 2, 4_000_000, true},
		"whole":               {"100", 2, 100_000_000, true},
		"one cent":            {"0.01", 2, 10_000, true},
		"three decimals":      {"1.001", 2, 0, false},
		"zero":                {"0.00", 2, 0, false},
		"negative":            {"-1.00", 2, 0, false},
		"words":               {"ten", 2, 0, false},
		"too big":             {"1000.01", 2, 0, false},
		"yen":                 {"400", 0, 400_000_000, true},
		"yen with a decimal":  {"400.5", 0, 0, false},
		"yen with zero cents": {"400.00", 0, 0, false},
		"dinar, three places": {"1.125", 3, 1_125_000, true},
		"dinar, four places":  {"1.1255", 3, 0, false},
	}
	for name, c := range cases {
		got, err := parseMoney("bid", c.in, maxBid, c.decimals)
		if (err == nil) != c.ok || (c.ok && got != c.want) {
			t.Errorf("%s: parseMoney(%q) = %d, %v", name, c.in, got, err)
		}
		if err != nil && !apperr.HasCode(err, apperr.CodeInvalidValue) {
			t.Errorf("%s: error %v lacks INVALID_VALUE", name, err)
		}
	}
}

func TestNormaliseTargeting(t *testing.T) {
	good := model.Targeting{Countries: []string{"us", "GB", "US"}, AgeMin: 18, AgeMax: 34, Genders: []string{"Female"},
		Languages: []string{"EN"}, OS: []string{"iOS"}, Interests: []string{"Beauty", "skin-care"}}
	if err := normaliseTargeting(&good); err != nil {
		t.Fatal(err)
	}
	if len(good.Countries) != 2 || good.Countries[0] != "GB" || good.Countries[1] != "US" || good.Genders[0] != "female" ||
		good.OS[0] != "ios" || good.Interests[0] != "beauty" {
		t.Fatalf("normalised to %+v", good)
	}
	bad := map[string]struct {
		t     model.Targeting
		field string
	}{
		"unknown country": {model.Targeting{Countries: []string{"XX"}}, "targeting.countries"},
		"three letters":   {model.Targeting{Countries: []string{"USA"}}, "targeting.countries"},
		"unknown gender":  {model.Targeting{Genders: []string{"robot"}}, "targeting.genders"},
		"unknown os":      {model.Targeting{OS: []string{"windows"}}, "targeting.os"},
		"long language":   {model.Targeting{Languages: []string{"english"}}, "targeting.languages"},
		"interest spaces": {model.Targeting{Interests: []string{"skin care"}}, "targeting.interests"},
		"too young":       {model.Targeting{AgeMin: 12}, "targeting.age_min"},
		"too old":         {model.Targeting{AgeMax: 101}, "targeting.age_max"},
		"min above max":   {model.Targeting{AgeMin: 30, AgeMax: 20}, "targeting.age_max"},
		"too many":        {model.Targeting{Interests: make([]string, maxListLen+1)}, "targeting.interests"},
	}
	for name, c := range bad {
		err := normaliseTargeting(&c.t)
		e, ok := apperr.As(err)
		if !ok || e.Field != c.field {
			t.Errorf("%s: %v, want an error on %s", name, err, c.field)
		}
	}
}

func TestFrequencyCap(t *testing.T) {
	for _, c := range []struct {
		f  model.FrequencyCap
		ok bool
	}{{model.FrequencyCap{}, true}, {model.FrequencyCap{Impressions: 2, Days: 1}, true}, {model.FrequencyCap{Impressions: 2}, false},
		{model.FrequencyCap{Impressions: 101, Days: 1}, false}, {model.FrequencyCap{Impressions: 1, Days: 31}, false}} {
		if err := checkFrequencyCap(c.f); (err == nil) != c.ok {
			t.Errorf("%+v: %v", c.f, err)
		}
	}
}

func TestReasons(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	serving := Facts{
		Ad: model.Ad{Status: model.Enabled}, AdGroup: model.AdGroup{Status: model.Enabled, StartTime: now.Add(-time.Hour)},
		Campaign:      model.Campaign{Status: model.Enabled},
		Authorization: model.Authorization{GeneratedAt: now.Add(-time.Hour), ExpiresAt: now.Add(24 * time.Hour)},
		Post:          model.Post{Visibility: model.Public, Original: true}, CreatorType: model.CreatorCreator,
	}
	cases := map[string]struct {
		change func(f *Facts)
		want   []string
	}{
		"serving":          {func(*Facts) {}, []string{}},
		"ad off":           {func(f *Facts) { f.Ad.Status = model.Disabled }, []string{ReasonDisabled}},
		"campaign off":     {func(f *Facts) { f.Campaign.Status = model.Disabled }, []string{ReasonDisabled}},
		"not started":      {func(f *Facts) { f.AdGroup.StartTime = now.Add(time.Hour) }, []string{ReasonSchedule}},
		"ended":            {func(f *Facts) { f.AdGroup.EndTime = now }, []string{ReasonSchedule}},
		"budget":           {func(f *Facts) { f.BudgetExhausted = true }, []string{ReasonBudget}},
		"revoked":          {func(f *Facts) { f.Authorization.RevokedAt = now }, []string{ReasonRevoked}},
		"expired":          {func(f *Facts) { f.Authorization.ExpiresAt = now }, []string{ReasonExpired}},
		"private":          {func(f *Facts) { f.Post.Visibility = model.Private }, []string{ReasonPostUnavailable}},
		"private, expired": {func(f *Facts) { f.Post.Deleted = true; f.Authorization.ExpiresAt = now }, []string{ReasonPostUnavailable, ReasonExpired}},
		"several": {func(f *Facts) {
			f.Ad.Status = model.Disabled
			f.BudgetExhausted = true
			f.Authorization.RevokedAt = now
		},
			[]string{ReasonDisabled, ReasonBudget, ReasonRevoked}},
	}
	for name, c := range cases {
		f := serving
		c.change(&f)
		got := Reasons(f, now)
		if len(got) != len(c.want) {
			t.Errorf("%s: %v, want %v", name, got, c.want)
			continue
		}
		for i := range got {
			if got[i] != c.want[i] {
				t.Errorf("%s: %v, want %v", name, got, c.want)
			}
		}
	}
}

// fieldsOf lists the fields err names, in order.
func fieldsOf(err error) []string {
	e, ok := apperr.As(err)
	if !ok {
		return nil
	}
	var out []string
	for _, x := range e.All() {
		out = append(out, x.Field)
	}
	return out
}

// TestEveryFieldReported: a campaign, an ad group or an ad with several
// wrong fields is refused with an error about each, in the order of the
// fields, not only the first.
func TestEveryFieldReported(t *testing.T) {
	str := func(s string) *string { return &s }
	var c model.Campaign
	err := applyCampaign(&c, CampaignInput{Name: str("  "), Objective: str("FAME"), BudgetMode: str("DAILY"),
		Budget: str("12.345")}, 2)
	if got := fieldsOf(err); !slices.Equal(got, []string{"name", "objective", "budget"}) {
		t.Errorf("campaign errors about %q, want name, objective, budget", got)
	}

	age := 12
	var g model.AdGroup
	err = applyAdGroup(&g, AdGroupInput{Name: str(""), Targeting: &TargetingInput{Countries: []string{"XX"},
		AgeMin: &age, Genders: []string{"robot"}}, StartTime: str("soon"), BudgetMode: str("WEEKLY"),
		BillingEvent: str("CPX"), Bid: str("0"), FrequencyCap: &model.FrequencyCap{Impressions: 500, Days: 90},
		Pacing: str("FAST")}, 2)
	want := []string{"name", "targeting.countries", "targeting.genders", "targeting.age_min", "start_time",
		"budget_mode", "billing_event", "bid", "frequency_cap.impressions", "frequency_cap.days", "pacing"}
	if got := fieldsOf(err); !slices.Equal(got, want) {
		t.Errorf("ad group errors about %q,\nwant %q", got, want)
	}
	if e, _ := apperr.As(err); e.Kind != apperr.Invalid {
		t.Errorf("the ad group error is of kind %v", e.Kind)
	}

	var a model.Ad
	err = applyAd(&a, AdInput{Name: str("\x00"), CTALabel: str(" "), CTAURL: str("ftp://x")})
	if got := fieldsOf(err); !slices.Equal(got, []string{"name", "cta.label", "cta.url"}) {
		t.Errorf("ad errors about %q", got)
	}

	// One wrong field is one error, as before.
	err = applyCampaign(&c, CampaignInput{Name: str("Fine"), Objective: str("REACH"), BudgetMode: str("NONE")}, 2)
	if err != nil {
		t.Errorf("a valid campaign: %v", err)
	}
	err = applyCampaign(&c, CampaignInput{Name: str("Fine"), Objective: str("nope")}, 2)
	if got := fieldsOf(err); !slices.Equal(got, []string{"objective"}) {
		t.Errorf("one wrong field: %q", got)
	}
}
