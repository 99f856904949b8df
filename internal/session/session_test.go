package session_test

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/session"
	"github.com/flintads/flint/internal/store/sqlite"
)

const opToken = "operator-token-for-tests"

func setup(t *testing.T) (*session.Service, *account.Service, *clock.Manual) {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "flint.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	clk := clock.NewManual(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC))
	accounts := account.New(db, clk, nil)
	return session.New(db, accounts, clk, opToken, db), accounts, clk
}

func TestSessionLifecycle(t *testing.T) {
	t.Parallel()
	s, accounts, clk := setup(t)
	ctx := t.Context()
	a, _, err := accounts.Create(ctx, account.CreateInput{Kind: "advertiser", Name: "Glow", Email: "ads@glow.example",
		Password: "correct horse"})
	if err != nil {
		t.Fatal(err)
	}
	st, err := s.Login(ctx, "ads@glow.example", "correct horse", "10.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Check(ctx, st.Secret)
	if err != nil || p.Account.ID != a.ID || p.Operator {
		t.Fatalf("Check = %+v, %v", p, err)
	}
	// A second login rotates: the previous secret ends.
	st2, err := s.Login(ctx, "ads@glow.example", "correct horse", "10.0.0.1", st.Secret)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx, st.Secret); err != session.ErrNoSession {
		t.Fatalf("the session before the new login still works: %v", err)
	}
	// A password change ends every older session.
	pw := "a new password"
	if _, err := accounts.Update(ctx, a.ID, account.UpdateInput{Password: &pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx, st2.Secret); err != session.ErrNoSession {
		t.Fatalf("a session survived a password change: %v", err)
	}
	st3, err := s.Login(ctx, "ads@glow.example", pw, "10.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	// Expiry.
	clk.Advance(session.TTL - time.Second)
	if _, err := s.Check(ctx, st3.Secret); err != nil {
		t.Fatalf("a session ended before its time: %v", err)
	}
	clk.Advance(time.Second)
	if _, err := s.Check(ctx, st3.Secret); err != session.ErrNoSession {
		t.Fatalf("an expired session works: %v", err)
	}
	// Logout.
	st4, _ := s.Login(ctx, "ads@glow.example", pw, "10.0.0.1", "")
	if err := s.Logout(ctx, st4.Secret); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Check(ctx, st4.Secret); err != session.ErrNoSession {
		t.Fatalf("a logged-out session works: %v", err)
	}
	for _, bad := range []string{"", "nonsense", string(make([]byte, 100))} {
		if _, err := s.Check(ctx, bad); err != session.ErrNoSession {
			t.Errorf("Check(%q) = %v", bad, err)
		}
	}
}

func TestOperatorLogin(t *testing.T) {
	t.Parallel()
	s, _, _ := setup(t)
	if _, err := s.OperatorLogin(t.Context(), "wrong", "10.0.0.1", ""); !apperr.HasCode(err, account.CodeLoginFailed) {
		t.Fatalf("a wrong operator token: %v", err)
	}
	st, err := s.OperatorLogin(t.Context(), " "+opToken+"\n", "10.0.0.1", "")
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Check(t.Context(), st.Secret)
	if err != nil || !p.Operator {
		t.Fatalf("Check = %+v, %v", p, err)
	}
}

// TestLoginThrottling: guessing one account's password is cut off after a
// burst whatever the client address, and one address is cut off whatever
// the account; a right password does not get through while throttled.
func TestLoginThrottling(t *testing.T) {
	t.Parallel()
	s, accounts, clk := setup(t)
	ctx := t.Context()
	if _, _, err := accounts.Create(ctx, account.CreateInput{Kind: "creator", Handle: "maya", CreatorType: "creator",
		Password: "battery staple"}); err != nil {
		t.Fatal(err)
	}
	throttled := func(err error) bool { return apperr.HasCode(err, session.CodeLoginThrottle) }
	n := 0
	for ; n < 100; n++ {
		_, err := s.Login(ctx, "maya", "guess", "10.0.0."+string(rune('0'+n%10)), "")
		if throttled(err) {
			break
		}
	}
	if n == 0 || n >= 100 {
		t.Fatalf("per-account throttling began after %d attempts", n)
	}
	if _, err := s.Login(ctx, "@MAYA", "battery staple", "10.9.9.9", ""); !throttled(err) {
		t.Fatalf("the right password got through a throttled account: %v", err)
	}
	clk.Advance(time.Minute)
	if _, err := s.Login(ctx, "maya", "battery staple", "10.9.9.9", ""); err != nil {
		t.Fatalf("a minute later: %v", err)
	}
	// One address trying many accounts.
	m := 0
	for ; m < 200; m++ {
		_, err := s.Login(ctx, "user"+string(rune('a'+m%26))+string(rune('a'+m/26)), "guess", "10.1.1.1", "")
		if throttled(err) {
			break
		}
	}
	if m == 0 || m >= 200 {
		t.Fatalf("per-address throttling began after %d attempts", m)
	}
	if _, err := s.OperatorLogin(ctx, opToken, "10.1.1.1", ""); !throttled(err) {
		t.Fatalf("operator login from a throttled address: %v", err)
	}
}
