// Package clock provides the time source that every other package takes by
// injection, so that expiry, schedules and budgets can be tested without
// waiting.
//
// Real is the wall clock. Offset is the wall clock shifted by an amount that
// only grows; `flint serve --test-clock` uses it so that tests can jump days
// ahead while time keeps flowing. Manual stands still until told to move and
// is meant for unit tests.
package clock

import (
	"sync"
	"sync/atomic"
	"time"
)

// Clock tells the current time. Times are in UTC and truncated to the
// microsecond, the precision at which they are stored, so that a value read
// back from storage equals the one that was written.
type Clock interface {
	Now() time.Time
}

// Real is the system clock.
type Real struct{}

// Now returns the system time.
func (Real) Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// Offset is the system clock plus an offset that Advance increases.
// It is safe for concurrent use.
type Offset struct {
	offset atomic.Int64 // nanoseconds
}

// NewOffset returns an Offset clock that starts at the real time.
func NewOffset() *Offset { return &Offset{} }

// Now returns the real time plus the accumulated offset, in UTC.
func (c *Offset) Now() time.Time {
	return time.Now().UTC().Add(time.Duration(c.offset.Load())).Truncate(time.Microsecond)
}

// Advance moves the clock forward by d. A negative d is ignored: time does not
// run backwards, even in tests.
func (c *Offset) Advance(d time.Duration) time.Time {
	if d > 0 {
		c.offset.Add(int64(d))
	}
	return c.Now()
}

// Manual is a clock that moves only when told. It is safe for concurrent use.
type Manual struct {
	mu  sync.Mutex
	now time.Time
}

// NewManual returns a Manual clock set to t.
func NewManual(t time.Time) *Manual { return &Manual{now: t.UTC().Truncate(time.Microsecond)} }

// Now returns the clock's current time.
func (c *Manual) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock forward by d and returns the new time.
func (c *Manual) Advance(d time.Duration) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	if d > 0 {
		c.now = c.now.Add(d).Truncate(time.Microsecond)
	}
	return c.now
}

// Advancer is a clock that tests may move forward.
type Advancer interface {
	Clock
	Advance(d time.Duration) time.Time
}
