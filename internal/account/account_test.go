package account_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/store/sqlite"
)

func open(t *testing.T) store.Accounts {
	t.Helper()
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "flint.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func newService(t *testing.T, st store.Accounts) *account.Service {
	return account.New(st, clock.NewManual(time.Date(2026, 11, 1, 9, 0, 0, 0, time.UTC)), nil)
}

func advertiser(t *testing.T, s *account.Service, email, password string) (model.Account, string) {
	t.Helper()
	a, token, err := s.Create(t.Context(), account.CreateInput{Kind: "advertiser", Name: "Glow Co", Email: email,
		Password: password})
	if err != nil {
		t.Fatal(err)
	}
	return a, token
}

// rotatingStore rotates the account's token the first time Update reads the
// account: a rotation that lands between Update's read and its write.
type rotatingStore struct {
	store.Accounts
	once   sync.Once
	rotate func()
}

func (r *rotatingStore) GetAccount(ctx context.Context, id string) (model.Account, error) {
	a, err := r.Accounts.GetAccount(ctx, id)
	r.once.Do(r.rotate)
	return a, err
}

// TestUpdateKeepsRotatedToken failed before accounts were updated column by
// column: Update wrote back the token hash it had read, reviving the old
// token and killing the new one.
func TestUpdateKeepsRotatedToken(t *testing.T) {
	base := open(t)
	s := newService(t, base)
	a, oldToken := advertiser(t, s, "", "")
	var newToken string
	rs := &rotatingStore{Accounts: base}
	racer := newService(t, rs)
	rs.rotate = func() {
		var err error
		if _, newToken, err = s.RotateToken(t.Context(), a.ID); err != nil {
			t.Error(err)
		}
	}
	name := "Glow Company"
	if _, err := racer.Update(t.Context(), a.ID, account.UpdateInput{Name: &name}); err != nil {
		t.Fatal(err)
	}
	fresh := newService(t, base)
	if _, err := fresh.Authenticate(t.Context(), newToken); err != nil {
		t.Fatalf("the rotated token stopped working after a concurrent edit: %v", err)
	}
	if _, err := fresh.Authenticate(t.Context(), oldToken); err == nil {
		t.Fatal("the rotated-out token came back to life after a concurrent edit")
	}
	got, err := fresh.Get(t.Context(), a.ID)
	if err != nil || got.Name != name {
		t.Fatalf("name = %q, %v; want %q", got.Name, err, name)
	}
}

// TestUpdateForgetsCachedAccount failed before Update dropped the token
// cache: for up to a minute a token still authenticated the old account.
func TestUpdateForgetsCachedAccount(t *testing.T) {
	s := newService(t, open(t))
	a, token := advertiser(t, s, "", "")
	if _, err := s.Authenticate(t.Context(), token); err != nil {
		t.Fatal(err)
	}
	tz := "Europe/London"
	if _, err := s.Update(t.Context(), a.ID, account.UpdateInput{Timezone: &tz}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Authenticate(t.Context(), token)
	if err != nil {
		t.Fatal(err)
	}
	if got.Timezone != tz {
		t.Fatalf("Authenticate after Update returned time zone %q, want %q", got.Timezone, tz)
	}
}

func TestEmail(t *testing.T) {
	s := newService(t, open(t))
	a, _ := advertiser(t, s, "  Ads@Glow.Example ", "")
	if a.Email != "ads@glow.example" {
		t.Fatalf("email stored as %q", a.Email)
	}
	_, _, err := s.Create(t.Context(), account.CreateInput{Kind: "advertiser", Name: "Other", Email: "ADS@glow.example"})
	if e, ok := apperr.As(err); !ok || e.Code != account.CodeEmailTaken || e.Kind != apperr.Conflict || e.Field != "email" {
		t.Fatalf("a taken email: %v, want EMAIL_TAKEN", err)
	}
	b, _ := advertiser(t, s, "", "")
	email := "ads@glow.example"
	if _, err := s.Update(t.Context(), b.ID, account.UpdateInput{Email: &email}); !apperr.HasCode(err, account.CodeEmailTaken) {
		t.Fatalf("PATCH to a taken email: %v, want EMAIL_TAKEN", err)
	}
	for _, bad := range []string{"nope", "a@b", "a b@c.example", "@c.example", "a@@c.example", "a@c.example\x00"} {
		_, _, err := s.Create(t.Context(), account.CreateInput{Kind: "advertiser", Name: "X", Email: bad})
		if e, ok := apperr.As(err); !ok || e.Field != "email" {
			t.Errorf("email %q: %v, want an email error", bad, err)
		}
	}
	_, _, err = s.Create(t.Context(), account.CreateInput{Kind: "creator", Handle: "maya", CreatorType: "creator",
		Email: "maya@example.com"})
	if e, ok := apperr.As(err); !ok || e.Field != "email" {
		t.Fatalf("a creator with an email: %v, want an email error", err)
	}
	none := ""
	got, err := s.Update(t.Context(), a.ID, account.UpdateInput{Email: &none})
	if err != nil || got.Email != "" {
		t.Fatalf("clearing the email: %+v, %v", got, err)
	}
}

func TestLogin(t *testing.T) {
	s := newService(t, open(t))
	adv, _ := advertiser(t, s, "ads@glow.example", "correct horse")
	cr, _, err := s.Create(t.Context(), account.CreateInput{Kind: "creator", Handle: "maya", CreatorType: "creator",
		Password: "battery staple"})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		login, password, want string
	}{
		{"ads@glow.example", "correct horse", adv.ID},
		{" ADS@glow.example ", "correct horse", adv.ID},
		{"maya", "battery staple", cr.ID},
		{"@Maya", "battery staple", cr.ID},
		{"maya", "correct horse", ""},
		{"ads@glow.example", "battery staple", ""},
		{"nobody", "battery staple", ""},
		{"", "", ""},
	} {
		a, err := s.Login(t.Context(), tc.login, tc.password)
		if tc.want == "" {
			if !apperr.HasCode(err, account.CodeLoginFailed) {
				t.Errorf("Login(%q, %q) = %v, want LOGIN_FAILED", tc.login, tc.password, err)
			}
			continue
		}
		if err != nil || a.ID != tc.want {
			t.Errorf("Login(%q, %q) = %s, %v; want %s", tc.login, tc.password, a.ID, err, tc.want)
		}
	}
	// An account without a password cannot log in, and a new password
	// replaces the old one.
	noPW, _ := advertiser(t, s, "nopw@glow.example", "")
	if _, err := s.Login(t.Context(), "nopw@glow.example", ""); err == nil {
		t.Error("an account without a password logged in")
	}
	pw := "a brand new one"
	if _, err := s.Update(t.Context(), noPW.ID, account.UpdateInput{Password: &pw}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Login(t.Context(), "nopw@glow.example", pw); err != nil {
		t.Errorf("login with the password set by PATCH: %v", err)
	}
	short := "short"
	if _, err := s.Update(t.Context(), noPW.ID, account.UpdateInput{Password: &short}); !apperr.HasCode(err, apperr.CodeInvalidValue) {
		t.Errorf("a short password: %v", err)
	}
}
