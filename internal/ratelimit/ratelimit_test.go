package ratelimit

import (
	"context"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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

// keyRecorder is a Buckets that records the keys it is asked for.
type keyRecorder struct{ keys []string }

func (k *keyRecorder) TakeToken(_ context.Context, key string, _ float64, _ int, _ time.Time) (bool, time.Duration, error) {
	k.keys = append(k.keys, key)
	return true, 0, nil
}

// TestSharedKeysAreSafeToStore: whatever a caller passes as a key (here a
// login name with a NUL byte and invalid UTF-8, which PostgreSQL refuses to
// store as text), the shared buckets see a short printable name, one per
// key. (Before, the key went to the store as given and the login page
// answered 500 on PostgreSQL.)
func TestSharedKeysAreSafeToStore(t *testing.T) {
	rec := &keyRecorder{}
	l := Shared(rec, "login:", clock.NewManual(time.Unix(0, 0)), 1, 1)
	for _, key := range []string{"maya", "a\x00b", "\xff\xfe", strings.Repeat("x", 10_000), "maya"} {
		if _, _, err := l.Allow(context.Background(), key); err != nil {
			t.Fatal(err)
		}
	}
	for _, k := range rec.keys {
		if len(k) > 64 || !utf8.ValidString(k) || strings.ContainsRune(k, 0) || !strings.HasPrefix(k, "login:") {
			t.Errorf("bucket key %q is not safe to store", k)
		}
	}
	if rec.keys[0] != rec.keys[4] || rec.keys[0] == rec.keys[1] || rec.keys[1] == rec.keys[2] {
		t.Errorf("keys do not name buckets one to one: %q", rec.keys)
	}
}
