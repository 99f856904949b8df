// Package ratelimit bounds how often one key (an advertiser, say) may do
// something, with a token bucket per key driven by the injected clock.
package ratelimit

import (
	"math"
	"sync"
	"time"

	"github.com/flintads/flint/internal/clock"
)

// Limiter holds one token bucket per key. Buckets that have refilled
// completely are forgotten, so memory follows the number of active keys.
type Limiter struct {
	clock clock.Clock
	rate  float64 // tokens per second
	burst float64

	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// New returns a Limiter allowing rate events per second per key, with bursts
// of up to burst events.
func New(c clock.Clock, rate float64, burst int) *Limiter {
	return &Limiter{clock: c, rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

// Allow takes a token from key's bucket. When the bucket is empty it returns
// false and how long until a token is available.
func (l *Limiter) Allow(key string) (bool, time.Duration) {
	now := l.clock.Now()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.sweep(now)
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	if elapsed := now.Sub(b.at).Seconds(); elapsed > 0 {
		b.tokens = math.Min(l.burst, b.tokens+elapsed*l.rate)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	wait := time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
	return false, wait
}

// sweep drops buckets that would be full by now, at most once a minute.
func (l *Limiter) sweep(now time.Time) {
	if now.Sub(l.swept) < time.Minute {
		return
	}
	l.swept = now
	full := time.Duration(l.burst / l.rate * float64(time.Second))
	for k, b := range l.buckets {
		if now.Sub(b.at) > full {
			delete(l.buckets, k)
		}
	}
}
