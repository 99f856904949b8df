package authorization

import (
	"testing"
	"time"

	"github.com/flintads/flint/internal/model"
)

func TestValidPeriod(t *testing.T) {
	for d := -1; d <= 400; d++ {
		want := d == 7 || d == 30 || d == 60 || d == 365
		if got := ValidPeriod(d); got != want {
			t.Errorf("ValidPeriod(%d) = %v", d, got)
		}
	}
}

func TestWindow(t *testing.T) {
	gen := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC) // a month with a DST change in many zones
	end := WindowEnd(gen, 30)
	if want := time.Date(2026, 3, 31, 10, 0, 0, 0, time.UTC); !end.Equal(want) {
		t.Fatalf("WindowEnd = %v, want %v", end, want)
	}
	a := model.Authorization{GeneratedAt: gen, ExpiresAt: end}
	cases := map[string]struct {
		at     time.Time
		active bool
		status model.AuthStatus
	}{
		"at generation":     {gen, true, model.AuthOn},
		"day 29":            {gen.Add(29 * Day), true, model.AuthOn},
		"one ns before end": {end.Add(-1), true, model.AuthOn},
		"exactly at day 30": {end, false, model.AuthExpired},
		"after day 30":      {gen.Add(31 * Day), false, model.AuthExpired},
	}
	for name, c := range cases {
		if got := a.Active(c.at); got != c.active {
			t.Errorf("%s: Active = %v, want %v", name, got, c.active)
		}
		if got := a.Status(c.at); got != c.status {
			t.Errorf("%s: Status = %v, want %v", name, got, c.status)
		}
	}
	revoked := a
	revoked.RevokedAt = gen.Add(Day)
	if revoked.Active(gen.Add(2*Day)) || revoked.Status(gen.Add(2*Day)) != model.AuthRevoked {
		t.Error("a revoked authorization must be inactive and REVOKED")
	}
	pending := model.Authorization{}
	if pending.Active(gen) || pending.Status(gen) != model.AuthOn {
		t.Error("an authorization without a code is ON but not active")
	}
}

func TestExtendedEnd(t *testing.T) {
	gen := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	old := WindowEnd(gen, 7)
	cases := map[string]struct {
		now  time.Time
		days int
		want time.Time
	}{
		"while active adds to the old expiry": {gen.Add(2 * Day), 30, old.Add(30 * Day)},
		"after expiry counts from now":        {old.Add(3 * Day), 7, old.Add(10 * Day)},
		"exactly at expiry":                   {old, 60, old.Add(60 * Day)},
	}
	for name, c := range cases {
		if got := ExtendedEnd(c.now, old, c.days); !got.Equal(c.want) {
			t.Errorf("%s: ExtendedEnd = %v, want %v", name, got, c.want)
		}
	}
}
