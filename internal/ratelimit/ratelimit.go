// Package ratelimit bounds how often one key (an advertiser, say) may do
// something, with a token bucket per key driven by the injected clock. The
// buckets are kept in memory (New) or in the database that every node
// shares (Shared), so that a limit holds across nodes.
package ratelimit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"math"
	"sync"
	"time"

	"github.com/flintads/flint/internal/clock"
)

// Buckets keeps token buckets: Take takes a token from key's bucket, which
// holds at most burst tokens and gains rate per second, at time now, or
// says how long until one is there.
type Buckets interface {
	TakeToken(ctx context.Context, key string, rate float64, burst int, now time.Time) (bool, time.Duration, error)
}

// Limiter holds one token bucket per key.
type Limiter struct {
	clock   clock.Clock
	rate    float64 // tokens per second
	burst   int
	prefix  string
	buckets Buckets
}

// New returns a Limiter allowing rate events per second per key, with bursts
// of up to burst events, whose buckets are in this process's memory.
func New(c clock.Clock, rate float64, burst int) *Limiter {
	return &Limiter{clock: c, rate: rate, burst: burst, buckets: &memory{buckets: map[string]*bucket{}}}
}

// Shared returns a Limiter whose buckets are b's (the store's, shared by
// every node), under keys that start with prefix.
func Shared(b Buckets, prefix string, c clock.Clock, rate float64, burst int) *Limiter {
	return &Limiter{clock: c, rate: rate, burst: burst, prefix: prefix, buckets: b}
}

// Allow takes a token from key's bucket. When the bucket is empty it returns
// false and how long until a token is available; err when the buckets
// cannot be reached (then nothing was allowed). Keys may be anything a
// caller typed (a login name with a NUL byte, say): the buckets see only
// a digest of it, fixed in length and safe to store.
func (l *Limiter) Allow(ctx context.Context, key string) (bool, time.Duration, error) {
	return l.buckets.TakeToken(ctx, l.prefix+bucketKey(key), l.rate, l.burst, l.clock.Now())
}

// bucketKey is the stored name of key's bucket: 128 bits of its SHA-256, in
// hex.
func bucketKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:16])
}

// memory keeps buckets in memory. Buckets that have refilled completely
// are forgotten, so memory follows the number of active keys.
type memory struct {
	mu      sync.Mutex
	buckets map[string]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// TakeToken implements Buckets.
func (m *memory) TakeToken(_ context.Context, key string, rate float64, burst int, now time.Time) (bool, time.Duration, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.sweep(now, float64(burst)/rate)
	b, ok := m.buckets[key]
	if !ok {
		b = &bucket{tokens: float64(burst), at: now}
		m.buckets[key] = b
	}
	if elapsed := now.Sub(b.at).Seconds(); elapsed > 0 {
		b.tokens = math.Min(float64(burst), b.tokens+elapsed*rate)
		b.at = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0, nil
	}
	wait := time.Duration((1 - b.tokens) / rate * float64(time.Second))
	return false, wait, nil
}

// sweep drops buckets that would be full by now, at most once a minute.
func (m *memory) sweep(now time.Time, fullAfter float64) {
	if now.Sub(m.swept) < time.Minute {
		return
	}
	m.swept = now
	full := time.Duration(fullAfter * float64(time.Second))
	for k, b := range m.buckets {
		if now.Sub(b.at) > full {
			delete(m.buckets, k)
		}
	}
}
