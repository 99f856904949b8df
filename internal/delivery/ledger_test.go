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
