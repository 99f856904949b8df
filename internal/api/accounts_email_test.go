package api_test

import (
	"net/http"
	"testing"

	"github.com/flintads/flint/internal/config"
)

// TestAccountEmailAndPassword: advertisers have an optional unique email that
// every account answer echoes; the operator sets and resets passwords.
func TestAccountEmailAndPassword(t *testing.T) {
	backends(t, func(t *testing.T, newEnv func(opts ...func(*config.Config)) *env) {
		e := newEnv()
		a := e.must(http.StatusCreated, operatorToken, "POST", "/api/v1/accounts", map[string]any{
			"kind": "advertiser", "name": "Glow Co", "email": "Ads@Glow.example", "password": "correct horse"})
		if a.str("email") != "ads@glow.example" {
			t.Fatalf("email = %q", a.str("email"))
		}
		if _, ok := a.body["password"]; ok {
			t.Fatal("the answer echoes the password")
		}
		id := a.str("id")
		got := e.must(http.StatusOK, operatorToken, "GET", "/api/v1/accounts/"+id, nil)
		if got.str("email") != "ads@glow.example" {
			t.Fatalf("GET email = %q", got.str("email"))
		}
		dup := e.do(operatorToken, "POST", "/api/v1/accounts", map[string]any{
			"kind": "advertiser", "name": "Copycat", "email": "ads@glow.example"})
		if dup.status != http.StatusConflict || dup.code() != "EMAIL_TAKEN" || dup.field() != "email" {
			t.Fatalf("a taken email: %d %s", dup.status, dup.raw)
		}
		other := e.must(http.StatusCreated, operatorToken, "POST", "/api/v1/accounts", map[string]any{
			"kind": "advertiser", "name": "Other"}).str("id")
		dup = e.do(operatorToken, "PATCH", "/api/v1/accounts/"+other, map[string]any{"email": "ADS@glow.example"})
		if dup.status != http.StatusConflict || dup.code() != "EMAIL_TAKEN" {
			t.Fatalf("PATCH to a taken email: %d %s", dup.status, dup.raw)
		}
		p := e.must(http.StatusOK, operatorToken, "PATCH", "/api/v1/accounts/"+other,
			map[string]any{"email": "team@other.example", "password": "another password"})
		if p.str("email") != "team@other.example" {
			t.Fatalf("PATCH email = %q", p.str("email"))
		}
		bad := e.do(operatorToken, "PATCH", "/api/v1/accounts/"+other, map[string]any{"password": "short"})
		if bad.status != http.StatusBadRequest || bad.field() != "password" {
			t.Fatalf("a short password: %d %s", bad.status, bad.raw)
		}
	})
}
