package ids

import (
	"regexp"
	"testing"
	"time"
)

func TestNew(t *testing.T) {
	shape := regexp.MustCompile(`^post_[0-9a-z]{16}$`)
	seen := map[string]bool{}
	for range 1000 {
		id := New("post")
		if !shape.MatchString(id) || seen[id] {
			t.Fatalf("bad or repeated id %q", id)
		}
		seen[id] = true
	}
}

func TestNewOrderedSortsByTime(t *testing.T) {
	shape := regexp.MustCompile(`^dec_[0-9a-z]{20}$`)
	t0 := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	prev := ""
	for i := range 1000 {
		id := NewOrdered("dec", t0.Add(time.Duration(i)*time.Millisecond))
		if !shape.MatchString(id) || id <= prev {
			t.Fatalf("id %q after %q: wrong shape or order", id, prev)
		}
		prev = id
	}
}

func TestPlausible(t *testing.T) {
	for s, want := range map[string]bool{
		New("post"): true, NewOrdered("dec", time.Now()): true, "acct_x": true,
		"": false, "post_\x00": false, "post_\xff": false, "POST_1": false, "a/b": false, "a b": false,
		"x" + string(make([]byte, MaxLen)): false,
	} {
		if got := Plausible(s); got != want {
			t.Errorf("Plausible(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestOrderedFloor checks that the floor of a time sorts at or below every
// identifier made then and above every one made earlier.
func TestOrderedFloor(t *testing.T) {
	at := time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)
	floor := OrderedFloor(DecisionPrefix, at)
	for range 1000 {
		if id := NewOrdered(DecisionPrefix, at); id < floor {
			t.Fatalf("%s made at the floor's time sorts below %s", id, floor)
		}
		if id := NewOrdered(DecisionPrefix, at.Add(-time.Millisecond)); id >= floor {
			t.Fatalf("%s made earlier sorts at or above %s", id, floor)
		}
	}
}
