package api_test

import "testing"

// TestEveryFieldErrorListed: an ad group with several wrong fields answers
// the usual error shape about the first, plus error.errors listing every
// one; a single wrong field has no list.
func TestEveryFieldErrorListed(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	adv := e.newAdvertiser("Glow Co")
	c := e.must(201, adv.token, "POST", "/api/v1/campaigns", map[string]any{"name": "Launch", "objective": "REACH",
		"budget_mode": "LIFETIME", "budget": "100.00"})
	a := e.do(adv.token, "POST", "/api/v1/ad-groups", map[string]any{"campaign_id": c.str("id"), "name": "",
		"targeting": map[string]any{"countries": []string{"XX"}}, "billing_event": "CPX", "bid": "-1"})
	if a.status != 400 || a.code() != "MISSING_FIELD" || a.field() != "name" {
		t.Fatalf("%d %s %s: %s", a.status, a.code(), a.field(), a.raw)
	}
	list, _ := a.body["error"].(map[string]any)["errors"].([]any)
	var fields []string
	for _, x := range list {
		fields = append(fields, x.(map[string]any)["field"].(string))
	}
	want := []string{"name", "targeting.countries", "billing_event", "bid"}
	if len(fields) != len(want) {
		t.Fatalf("error.errors names %q, want %q: %s", fields, want, a.raw)
	}
	for i := range want {
		if fields[i] != want[i] {
			t.Fatalf("error.errors names %q, want %q", fields, want)
		}
	}
	one := e.do(adv.token, "POST", "/api/v1/campaigns", map[string]any{"name": "Launch", "objective": "FAME"})
	if one.status != 400 || one.field() != "objective" || one.body["error"].(map[string]any)["errors"] != nil {
		t.Fatalf("one wrong field: %d %s", one.status, one.raw)
	}
}
