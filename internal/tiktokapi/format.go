package tiktokapi

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

// timeLayout is how TikTok writes times (UTC) and dates.
const (
	timeLayout = "2006-01-02 15:04:05"
	dateLayout = "2006-01-02"
)

// when writes a time as TikTok does, in UTC; nil for the zero time.
func when(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format(timeLayout)
}

// idText writes a numeric id as TikTok's decimal string.
func idText(n int64) string { return strconv.FormatInt(n, 10) }

// amount writes money as a JSON number in the currency's minor units,
// exactly (the decimal text, never a float).
func amount(m money.Micros, currency string) json.Number {
	return json.Number(money.Format(m, money.Decimals(currency)))
}

// parseAmount reads a budget or bid sent as a JSON number or a string:
// trailing zeros after the point are dropped first ("100.0" is 100 in a
// currency without minor units, as Python sends it), then the service
// checks the amount against the currency.
func parseAmount(s string) string {
	if strings.Contains(s, ".") {
		s = strings.TrimRight(s, "0")
		s = strings.TrimSuffix(s, ".")
	}
	return s
}

// Enum mappings between Flint and TikTok (docs/TIKTOK.md).
var (
	objectiveToTikTok = map[model.Objective]string{
		model.ObjectiveReach: "REACH", model.ObjectiveVideoViews: "VIDEO_VIEWS", model.ObjectiveTraffic: "TRAFFIC",
		model.ObjectiveEngagement: "ENGAGEMENT", model.ObjectiveConversions: "WEB_CONVERSIONS",
	}
	budgetModeToTikTok = map[model.BudgetMode]string{
		model.BudgetNone: "BUDGET_MODE_INFINITE", model.BudgetDaily: "BUDGET_MODE_DAY", model.BudgetLifetime: "BUDGET_MODE_TOTAL",
	}
	pacingToTikTok = map[model.Pacing]string{
		model.PacingStandard: "PACING_MODE_SMOOTH", model.PacingAccelerated: "PACING_MODE_FAST",
	}
	statusToTikTok = map[model.Status]string{model.Enabled: "ENABLE", model.Disabled: "DISABLE"}
	osToTikTok     = map[string]string{"android": "ANDROID", "ios": "IOS"}
	// optimizationGoal is the goal each billing event optimises for;
	// Flint stores no goal of its own.
	optimizationGoal = map[model.BillingEvent]string{
		model.BillCPM: "REACH", model.BillCPC: "CLICK", model.BillCPV: "VIDEO_VIEW",
	}
)

// reverse returns the inverse of an enum map, with TikTok's value as key.
func reverse[K ~string](m map[K]string) map[string]K {
	out := make(map[string]K, len(m))
	for k, v := range m {
		out[v] = k
	}
	return out
}

var (
	objectiveFromTikTok  = reverse(objectiveToTikTok)
	budgetModeFromTikTok = reverse(budgetModeToTikTok)
	pacingFromTikTok     = reverse(pacingToTikTok)
	statusFromTikTok     = reverse(statusToTikTok)
)

// ageGroups are TikTok's age buckets, each an age range.
var ageGroups = []struct {
	name     string
	min, max int
}{{"AGE_13_17", 13, 17}, {"AGE_18_24", 18, 24}, {"AGE_25_34", 25, 34}, {"AGE_35_44", 35, 44},
	{"AGE_45_54", 45, 54}, {"AGE_55_100", 55, 100}}

// ageGroupsOf lists the buckets that overlap targeting's age range (none:
// any age).
func ageGroupsOf(t model.Targeting) []string {
	out := []string{}
	if t.AgeMin == 0 && t.AgeMax == 0 {
		return out
	}
	lo, hi := max(t.AgeMin, 13), t.AgeMax
	if hi == 0 {
		hi = 100
	}
	for _, g := range ageGroups {
		if g.max >= lo && g.min <= hi {
			out = append(out, g.name)
		}
	}
	return out
}

// genderOf writes targeting's genders as TikTok's single gender.
func genderOf(t model.Targeting) string {
	if len(t.Genders) == 1 {
		switch t.Genders[0] {
		case "male":
			return "GENDER_MALE"
		case "female":
			return "GENDER_FEMALE"
		}
	}
	return "GENDER_UNLIMITED"
}
