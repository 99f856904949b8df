package ratelimit

import (
	"context"
	"testing"
	"time"

	"github.com/flintads/flint/internal/clock"
)

func TestBurstThenRefill(t *testing.T) {
	c := clock.NewManual(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	l := New(c, 2, 3) // 2 per second, bursts of 3
	for i := range 3 {
		if ok, _, _ := l.Allow(context.Background(), "a"); !ok {
			t.Fatalf("attempt %d refused within the burst", i)
		}
	}
	ok, wait, _ := l.Allow(context.Background(), "a")
	if ok || wait <= 0 || wait > 500*time.Millisecond {
		t.Fatalf("4th attempt: ok=%v wait=%v, want refused with wait in (0, 500ms]", ok, wait)
	}
	if ok, _, _ := l.Allow(context.Background(), "b"); !ok {
		t.Fatal("another key must have its own bucket")
	}
	c.Advance(500 * time.Millisecond)
	if ok, _, _ := l.Allow(context.Background(), "a"); !ok {
		t.Fatal("one token must be back after half a second")
	}
	if ok, _, _ := l.Allow(context.Background(), "a"); ok {
		t.Fatal("only one token should have come back")
	}
	c.Advance(time.Hour)
	for i := range 3 {
		if ok, _, _ := l.Allow(context.Background(), "a"); !ok {
			t.Fatalf("after an hour, attempt %d refused", i)
		}
	}
	if ok, _, _ := l.Allow(context.Background(), "a"); ok {
		t.Fatal("the bucket must not hold more than the burst")
	}
}
