package campaign

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/validate"
)

// Limits a real Ads Manager would enforce.
const (
	maxNameRunes = 512
	maxCTALabel  = 40
	maxListLen   = 250
	minAge       = 13
	maxAge       = 100
	maxFreqImps  = 100
	maxFreqDays  = 30
	maxBid       = 1000 * money.PerUnit
	maxBudget    = 100_000_000 * money.PerUnit
)

// Genders and operating systems that targeting may name.
var (
	Genders = []string{"female", "male", "other"}
	OSes    = []string{"android", "ios"}
)

var (
	interestRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`)
	languageRE = regexp.MustCompile(`^[a-z]{2}$`)
)

func checkName(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return apperr.Missing(field)
	}
	return validate.Text(field, s, maxNameRunes)
}

// parseMoney reads a positive amount with at most the given number of
// decimals (the currency's minor units).
func parseMoney(field, s string, max money.Micros, decimals int) (money.Micros, error) {
	m, err := money.Parse(s, decimals)
	switch {
	case errors.Is(err, money.ErrPrecision) && decimals == 0:
		return 0, apperr.Invalidf(field, "%s must be a whole amount in this currency (it has no minor unit)", field)
	case errors.Is(err, money.ErrPrecision):
		return 0, apperr.Invalidf(field, "%s may have at most %d decimals in this currency", field, decimals)
	case err != nil:
		return 0, apperr.Invalidf(field, "%s must be a decimal amount such as \"12.50\"", field)
	case m <= 0:
		return 0, apperr.Invalidf(field, "%s must be more than zero", field)
	case m > max:
		return 0, apperr.Invalidf(field, "%s must be at most %s", field, money.Format(max, decimals))
	}
	return m, nil
}

// parseTime reads an RFC 3339 time.
func parseTime(field, s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return t, apperr.Invalidf(field, "%s must be an RFC 3339 time such as 2026-12-01T00:00:00Z", field)
	}
	return t.UTC().Truncate(time.Microsecond), nil
}

func checkStatus(field string, s model.Status) error {
	if s != model.Enabled && s != model.Disabled {
		return apperr.Invalidf(field, "status must be ENABLED or DISABLED")
	}
	return nil
}

func checkBudget(mode model.BudgetMode, budget money.Micros) error {
	switch mode {
	case model.BudgetNone:
		if budget != 0 {
			return apperr.Invalidf("budget", "a budget needs budget_mode DAILY or LIFETIME")
		}
	case model.BudgetDaily, model.BudgetLifetime:
		if budget <= 0 {
			return apperr.Missing("budget")
		}
	default:
		return apperr.Invalidf("budget_mode", "budget_mode must be NONE, DAILY or LIFETIME")
	}
	return nil
}

// normaliseTargeting cleans up targeting in place (upper-case countries,
// lower-case the rest, sorted and deduplicated) and validates it, reporting
// every field that is wrong.
func normaliseTargeting(t *model.Targeting) error {
	var errs apperr.List
	norm := func(field string, list *[]string, fold func(string) string, ok func(string) bool, what string) {
		out, err := normaliseList(field, *list, fold, ok, what)
		if err != nil {
			errs.Add(err)
			return
		}
		*list = out
	}
	norm("targeting.countries", &t.Countries, strings.ToUpper, ValidCountry, "an ISO 3166-1 alpha-2 country code such as US")
	norm("targeting.genders", &t.Genders, strings.ToLower, func(s string) bool { return slices.Contains(Genders, s) },
		"female, male or other")
	norm("targeting.languages", &t.Languages, strings.ToLower, languageRE.MatchString, "an ISO 639-1 language code such as en")
	norm("targeting.os", &t.OS, strings.ToLower, func(s string) bool { return slices.Contains(OSes, s) }, "ios or android")
	norm("targeting.interests", &t.Interests, strings.ToLower, interestRE.MatchString,
		"a lower-case interest slug such as beauty")
	if t.AgeMin != 0 && (t.AgeMin < minAge || t.AgeMin > maxAge) {
		errs.Add(apperr.Invalidf("targeting.age_min", "age_min must be between %d and %d", minAge, maxAge))
	}
	if t.AgeMax != 0 && (t.AgeMax < minAge || t.AgeMax > maxAge) {
		errs.Add(apperr.Invalidf("targeting.age_max", "age_max must be between %d and %d", minAge, maxAge))
	}
	if t.AgeMin != 0 && t.AgeMax != 0 && t.AgeMin > t.AgeMax {
		errs.Add(apperr.Invalidf("targeting.age_max", "age_max must not be below age_min"))
	}
	return errs.Err()
}

func normaliseList(field string, in []string, fold func(string) string, ok func(string) bool, what string) ([]string, error) {
	if len(in) > maxListLen {
		return nil, apperr.Invalidf(field, "%s may hold at most %d values", field, maxListLen)
	}
	out := make([]string, 0, len(in))
	for _, s := range in {
		v := fold(strings.TrimSpace(s))
		if !ok(v) {
			return nil, apperr.Invalidf(field, "%q in %s is not %s", s, field, what)
		}
		out = append(out, v)
	}
	slices.Sort(out)
	return slices.Compact(out), nil
}

func checkFrequencyCap(f model.FrequencyCap) error {
	if f.Impressions == 0 && f.Days == 0 {
		return nil
	}
	var errs apperr.List
	if f.Impressions < 1 || f.Impressions > maxFreqImps {
		errs.Add(apperr.Invalidf("frequency_cap.impressions", "frequency_cap.impressions must be between 1 and %d", maxFreqImps))
	}
	if f.Days < 1 || f.Days > maxFreqDays {
		errs.Add(apperr.Invalidf("frequency_cap.days", "frequency_cap.days must be between 1 and %d", maxFreqDays))
	}
	return errs.Err()
}
