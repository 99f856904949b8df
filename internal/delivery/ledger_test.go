package delivery

import (
	"sync"
	"testing"
	"time"

	"github.com/flintads/flint/internal/model"
)

var t0 = time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)

func TestReservationsNeverExceedTheBudget(t *testing.T) {
	l := newLedger(time.Minute)
	g := newBudget(model.BudgetLifetime, 1_000_000, time.UTC)
	c := newBudget(model.BudgetLifetime, 10_000_000, time.UTC)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 100 {
				if l.reserve(g, c, 9_000, false, t0) {
					mu.Lock()
					ok++
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if ok != 111 { // floor(1.00 / 0.009)
		t.Fatalf("%d reservations of 0.009 fit in 1.00, want 111", ok)
	}
	if g.reserved != 999_000 || c.reserved != 999_000 {
		t.Fatalf("reserved %d / %d", g.reserved, c.reserved)
	}
}

func TestUnusedReservationsAreReleased(t *testing.T) {
	l := newLedger(time.Minute)
	g := newBudget(model.BudgetLifetime, 20_000, time.UTC)
	if !l.reserve(g, nil, 10_000, false, t0) || !l.reserve(g, nil, 10_000, false, t0) {
		t.Fatal("two reservations must fit")
	}
	if l.reserve(g, nil, 10_000, false, t0.Add(30*time.Second)) {
		t.Fatal("a third must not")
	}
	if !l.exhausted(g, 10_000, t0.Add(30*time.Second)) {
		t.Fatal("fully reserved budget must show exhausted")
	}
	// After the reservation window the unused reservations come back.
	later := t0.Add(time.Minute + 10*time.Second)
	if l.exhausted(g, 10_000, later) || !l.reserve(g, nil, 10_000, false, later) {
		t.Fatal("released reservations must make room again")
	}
	if g.reserved != 10_000 || g.spent != 0 {
		t.Fatalf("reserved %d spent %d", g.reserved, g.spent)
	}
}

func TestChargeUsesTheReservation(t *testing.T) {
	l := newLedger(time.Minute)
	g := newBudget(model.BudgetLifetime, 20_000, time.UTC)
	c := newBudget(model.BudgetDaily, 1_000_000, time.UTC)
	l.reserve(g, c, 10_000, false, t0)
	l.reserve(g, c, 10_000, false, t0)
	tk := l.charge(g, c, t0, 10_000, t0.Add(5*time.Second))
	if tk.charged != 10_000 || tk.epoch < 0 || g.spent != 10_000 || g.reserved != 10_000 || c.spent != 10_000 {
		t.Fatalf("charge: %+v, group spent %d reserved %d", tk, g.spent, g.reserved)
	}
	// Undo gives the money and the reservation back.
	l.undo(tk)
	if g.spent != 0 || g.reserved != 20_000 || c.spent != 0 {
		t.Fatalf("after undo: spent %d reserved %d", g.spent, g.reserved)
	}
	l.charge(g, c, t0, 10_000, t0.Add(5*time.Second))
	l.charge(g, c, t0, 10_000, t0.Add(5*time.Second))
	// A third charge has neither a reservation nor room: not charged.
	if tk := l.charge(g, c, t0, 10_000, t0.Add(5*time.Second)); tk.charged != 0 || g.spent != 20_000 {
		t.Fatalf("over budget: charged %d, spent %d", tk.charged, g.spent)
	}
}

func TestLateChargeWithoutReservationNeedsRoom(t *testing.T) {
	l := newLedger(time.Minute)
	g := newBudget(model.BudgetLifetime, 15_000, time.UTC)
	l.reserve(g, nil, 10_000, false, t0)
	late := t0.Add(2 * time.Minute) // the reservation was released
	if tk := l.charge(g, nil, t0, 10_000, late); tk.charged != 10_000 || tk.epoch != -1 {
		t.Fatalf("late charge with room: %+v", tk)
	}
	if tk := l.charge(g, nil, t0, 10_000, late); tk.charged != 0 {
		t.Fatalf("late charge without room: %+v", tk)
	}
	if g.spent != 10_000 {
		t.Fatalf("spent %d", g.spent)
	}
}

func TestDailyBudgetRollsOverAtLocalMidnight(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	l := newLedger(time.Minute)
	g := newBudget(model.BudgetDaily, 10_000, ny)
	evening := time.Date(2026, 11, 25, 23, 0, 0, 0, ny)
	l.reserve(g, nil, 10_000, false, evening)
	l.charge(g, nil, evening, 10_000, evening)
	if !l.exhausted(g, 1, evening.Add(30*time.Minute)) {
		t.Fatal("spent budget must be exhausted before midnight")
	}
	if l.exhausted(g, 10_000, evening.Add(61*time.Minute)) {
		t.Fatal("a new local day must bring the daily budget back")
	}
}

func TestStandardPacing(t *testing.T) {
	l := newLedger(time.Minute)
	g := newBudget(model.BudgetDaily, 24_000_000, time.UTC) // 1.00 an hour
	sixAM := time.Date(2026, 11, 25, 6, 0, 0, 0, time.UTC)
	// By 06:00 a quarter of the day has passed; with an hour of slack, 7.00 may be used.
	n := 0
	for l.reserve(g, nil, 100_000, true, sixAM) {
		n++
	}
	if n != 70 {
		t.Fatalf("standard pacing let %d × 0.10 through by 06:00, want 70", n)
	}
	if !l.reserve(g, nil, 100_000, false, sixAM) {
		t.Fatal("accelerated delivery is not paced")
	}
	life := newBudget(model.BudgetLifetime, 10_000_000, time.UTC)
	if !l.reserve(nil, life, 9_000_000, true, sixAM) {
		t.Fatal("a lifetime budget is not paced")
	}
}

// TestDailyBudgetsRollOverEveryLocalDay walks a year of local days in zones
// with daylight-saving changes and with :30 and :45 offsets: each day has
// the next day number, and a budget spent late on one day has its room back
// early on the next (Europe/London's 2026-03-30 used to share its number
// with 2026-03-29, so the budget spent on the 29th stayed spent).
func TestDailyBudgetsRollOverEveryLocalDay(t *testing.T) {
	t.Parallel()
	for _, zone := range []string{"Europe/London", "America/New_York", "Australia/Sydney", "Asia/Kolkata",
		"Asia/Kathmandu", "Australia/Eucla", "America/Santiago", "UTC"} {
		loc, err := time.LoadLocation(zone)
		if err != nil {
			t.Fatal(err)
		}
		l := newLedger(time.Minute)
		b := newBudget(model.BudgetDaily, 10_000, loc)
		var prev int64
		for noon := time.Date(2026, 1, 1, 12, 0, 0, 0, loc); noon.Year() == 2026; noon = noon.AddDate(0, 0, 1) {
			day, end := b.localDay(noon)
			if prev != 0 && day != prev+1 {
				t.Errorf("%s %s: day %d follows day %d", zone, noon.Format(time.DateOnly), day, prev)
			}
			prev = day
			// The day ends at the first minute whose local date is the next.
			next := noon.Add(11 * time.Hour).Truncate(time.Minute)
			for next.In(loc).Day() == noon.Day() {
				next = next.Add(time.Minute)
			}
			if end != next.UnixMicro() {
				t.Errorf("%s %s: the day ends at %s, want %s", zone, noon.Format(time.DateOnly),
					time.UnixMicro(end).In(loc), next.In(loc))
			}
			late := next.Add(-10 * time.Minute)
			if !l.reserve(b, nil, 10_000, false, late) {
				t.Fatalf("%s %s: the budget has no room at the end of the day", zone, noon.Format(time.DateOnly))
			}
			l.charge(b, nil, late, 10_000, late.Add(time.Second))
			if !l.exhausted(b, 1, late.Add(time.Minute)) {
				t.Fatalf("%s %s: a spent budget is not exhausted", zone, noon.Format(time.DateOnly))
			}
			early := next.Add(30 * time.Minute)
			if l.exhausted(b, 10_000, early) {
				t.Errorf("%s: the budget spent on %s has no room on the next day", zone, noon.Format(time.DateOnly))
			}
		}
	}
}

// TestChargesCountOnTheDecisionsDay: a billing event that arrives after
// midnight for a decision made before it is spend of the day before, as
// the store rolls it up; today's budget stays whole.
func TestChargesCountOnTheDecisionsDay(t *testing.T) {
	t.Parallel()
	ny, _ := time.LoadLocation("America/New_York")
	l := newLedger(time.Minute)
	g := newBudget(model.BudgetDaily, 10_000, ny)
	c := newBudget(model.BudgetLifetime, 100_000, ny)
	decided := time.Date(2026, 11, 25, 23, 59, 50, 0, ny)
	if !l.reserve(g, c, 10_000, false, decided) {
		t.Fatal("no room")
	}
	after := decided.Add(40 * time.Second) // 00:00:30 the next day
	tk := l.charge(g, c, decided, 10_000, after)
	if tk.charged != 10_000 || tk.epoch < 0 {
		t.Fatalf("charge %+v", tk)
	}
	if g.spent != 0 || g.prevSpent != 10_000 || g.reserved != 0 || c.spent != 10_000 {
		t.Fatalf("daily: spent %d, the day before %d, reserved %d; lifetime spent %d", g.spent, g.prevSpent, g.reserved, c.spent)
	}
	if l.exhausted(g, 10_000, after) {
		t.Fatal("yesterday's decision used up today's budget")
	}
	l.undo(tk)
	if g.prevSpent != 0 || c.spent != 0 {
		t.Fatalf("after undo: the day before %d, lifetime %d", g.prevSpent, c.spent)
	}
	// Without its reservation, a late charge of yesterday's decision needs
	// room on yesterday's budget.
	late := after.Add(5 * time.Minute)
	if tk := l.charge(g, nil, decided, 6_000, late); tk.charged != 6_000 || tk.epoch != -1 || g.prevSpent != 6_000 {
		t.Fatalf("late charge with room yesterday: %+v, the day before %d", tk, g.prevSpent)
	}
	if tk := l.charge(g, nil, decided, 6_000, late); tk.charged != 0 {
		t.Fatalf("late charge beyond yesterday's budget: %+v", tk)
	}
	if g.spent != 0 {
		t.Fatalf("today's spend %d", g.spent)
	}
	// A decision older than the day before: only its reservation could pay.
	if tk := l.charge(g, nil, decided.Add(-24*time.Hour), 1, late); tk.charged != 0 {
		t.Fatalf("charge two days late without a reservation: %+v", tk)
	}
}

// TestExpiredHoldsComeBackWithoutAnyoneRolling: decisions skip a budget
// whose published headroom is below their price without locking it, so
// the pre-check itself must notice that reservations have expired.
func TestExpiredHoldsComeBackWithoutAnyoneRolling(t *testing.T) {
	t.Parallel()
	for _, mode := range []model.BudgetMode{model.BudgetLifetime, model.BudgetDaily} {
		l := newLedger(5 * time.Second)
		b := newBudget(mode, 10_000, time.UTC)
		n := 0
		for l.reserve(b, nil, 4_000, false, t0) {
			n++
		}
		if n != 2 || b.room(4_000, t0.UnixMicro()) {
			t.Fatalf("%s: %d reservations of 0.004 in 0.01; room for a third: %v", mode, n, b.room(4_000, t0.UnixMicro()))
		}
		for _, wait := range []time.Duration{20 * time.Second, 120 * time.Second} {
			later := t0.Add(wait)
			if !b.room(4_000, later.UnixMicro()) {
				t.Fatalf("%s: after %s the expired holds are still not given back", mode, wait)
			}
		}
		later := t0.Add(20 * time.Second)
		if !l.reserve(b, nil, 4_000, false, later) || b.reserved != 4_000 {
			t.Fatalf("%s: reserve after expiry: reserved %d", mode, b.reserved)
		}
		if b.room(4_000, later.UnixMicro()) != true || l.reserve(b, nil, 4_000, false, later) == false {
			t.Fatalf("%s: the budget has room for one more", mode)
		}
		if b.room(4_000, later.UnixMicro()) {
			t.Fatalf("%s: a full budget whose holds are fresh shows room", mode)
		}
	}
}
