package tiktokapi

import (
	"reflect"
	"testing"

	"github.com/flintads/flint/internal/country"
)

// TestGeonamesCoverCountries: every country Flint targets has its GeoNames
// id, and the United States is 6252001.
func TestGeonamesCoverCountries(t *testing.T) {
	n := 0
	for code, id := range geonameOf {
		if !country.Valid(code) {
			t.Errorf("%s (%s) is not a country Flint knows", code, id)
		}
		if countryOf[id] != code {
			t.Errorf("GeoNames id %s maps back to %s, not %s", id, countryOf[id], code)
		}
		n++
	}
	if geonameOf["US"] != "6252001" || countryOf["6252001"] != "US" {
		t.Errorf("US = %s", geonameOf["US"])
	}
	for _, c := range []string{"AD", "DE", "FR", "GB", "JP", "ZW", "SS", "CW"} {
		if geonameOf[c] == "" {
			t.Errorf("no GeoNames id for %s", c)
		}
	}
	if n != 249 {
		t.Errorf("%d countries, want the 249 of ISO 3166-1", n)
	}
}

// TestListOf reads every spelling of a list parameter.
func TestListOf(t *testing.T) {
	want := []string{"ad_id", "stat_time_day"}
	for _, in := range []any{`["ad_id","stat_time_day"]`, `["ad_id", "stat_time_day"]`,
		"[\n            \"ad_id\",\n            \"stat_time_day\"\n        ]", `['ad_id', 'stat_time_day']`,
		"ad_id,stat_time_day", []any{"ad_id", "stat_time_day"}} {
		got, err := listOf(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("listOf(%q) = %q, %v", in, got, err)
		}
	}
	for _, bad := range []any{`["a"`, `[{"x":1}]`, `['unterminated]`, map[string]any{}} {
		if got, err := listOf(bad); err == nil {
			t.Errorf("listOf(%q) = %q, want an error", bad, got)
		}
	}
	v, err := literal(`{'campaign_ids': ['1'], 'flag': True, 'none': None, 'quote': 'it\'s'}`)
	if err != nil || !reflect.DeepEqual(v, map[string]any{"campaign_ids": []any{"1"}, "flag": true, "none": nil,
		"quote": "it's"}) {
		t.Errorf("Python dict: %v, %v", v, err)
	}
}
