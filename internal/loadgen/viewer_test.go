package loadgen

import (
	"bytes"
	"encoding/json"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"testing"

	"github.com/flintads/flint/internal/campaign"
)

var (
	languageRE = regexp.MustCompile(`^[a-z]{2}$`)
	interestRE = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]{0,39}$`) // as campaign validates targeting
)

func TestViewersAreDeterministic(t *testing.T) {
	for n := range 5000 {
		a, b := viewerAt(n), viewerAt(n)
		if !reflect.DeepEqual(a, b) {
			t.Fatalf("viewer %d: %+v, then %+v", n, a, b)
		}
	}
	if reflect.DeepEqual(viewerAt(1), viewerAt(2)) && reflect.DeepEqual(viewerAt(2), viewerAt(3)) {
		t.Fatal("viewers 1, 2 and 3 are identical")
	}
}

func TestViewersHaveValidTargetingValues(t *testing.T) {
	const n = 100_000
	countries := map[string]int{}
	interestCount := make([]int, 4)
	for i := range n {
		v := viewerAt(i)
		if v.ID() != "v"+strconv.Itoa(i) {
			t.Fatalf("viewer %d has id %q", i, v.ID())
		}
		if !campaign.ValidCountry(v.Country) {
			t.Fatalf("viewer %d: country %q", i, v.Country)
		}
		if v.Age < 13 || v.Age > 65 {
			t.Fatalf("viewer %d: age %d", i, v.Age)
		}
		if !slices.Contains(campaign.Genders, v.Gender) {
			t.Fatalf("viewer %d: gender %q", i, v.Gender)
		}
		if !slices.Contains(campaign.OSes, v.OS) {
			t.Fatalf("viewer %d: os %q", i, v.OS)
		}
		if !languageRE.MatchString(v.Language) {
			t.Fatalf("viewer %d: language %q", i, v.Language)
		}
		if len(v.Interests) > 3 {
			t.Fatalf("viewer %d: %d interests", i, len(v.Interests))
		}
		for j, s := range v.Interests {
			if !interestRE.MatchString(s) || slices.Contains(v.Interests[:j], s) {
				t.Fatalf("viewer %d: interests %q", i, v.Interests)
			}
		}
		countries[v.Country]++
		interestCount[len(v.Interests)]++
	}
	if len(countries) != len(markets) {
		t.Errorf("%d countries, want %d: %v", len(countries), len(markets), countries)
	}
	// Shares follow the weights: US 21%, NL 2%; 0–3 interests 15/35/30/20%.
	near := func(what string, got int, wantPct float64) {
		t.Helper()
		if pct := 100 * float64(got) / n; pct < wantPct*0.9 || pct > wantPct*1.1 {
			t.Errorf("%s: %.2f%%, want about %.0f%%", what, pct, wantPct)
		}
	}
	near("US", countries["US"], 21)
	near("NL", countries["NL"], 2)
	for k, want := range interestCounts {
		near(strconv.Itoa(k)+" interests", interestCount[k], float64(want))
	}
}

func TestDecisionBodyFollowsTheContract(t *testing.T) {
	type viewer struct {
		ID        string   `json:"id"`
		Country   string   `json:"country"`
		Age       int      `json:"age"`
		Gender    string   `json:"gender"`
		Language  string   `json:"language"`
		OS        string   `json:"os"`
		Interests []string `json:"interests"`
	}
	type request struct {
		Placement string `json:"placement"`
		Viewer    viewer `json:"viewer"`
		Count     int    `json:"count"`
	}
	for n := range 200 {
		v := viewerAt(n * 7919)
		body := appendDecision(nil, &v, 3)
		var got request
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&got); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		want := request{Placement: "feed", Count: 3, Viewer: viewer{ID: v.ID(), Country: v.Country, Age: v.Age,
			Gender: v.Gender, Language: v.Language, OS: v.OS, Interests: v.Interests}}
		if want.Viewer.Interests == nil {
			want.Viewer.Interests = []string{}
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s decodes to %+v, want %+v", body, got, want)
		}
	}
}
