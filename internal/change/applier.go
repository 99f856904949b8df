package change

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"
)

// Applier keeps state derived from the store in step with it: it applies
// change notices one at a time, in the order they were queued, through one
// apply function. Because a notice is queued only after its change is
// stored, and apply reads the store only after it has taken the notice, an
// applied notice never carries older data than the change it announces,
// and a later notice is never overtaken by an earlier one's read.
//
// Notices come from two places: the services of this process (Changed,
// which waits until the notice has been applied, so that whatever a caller
// changed is in effect when it is answered), and, for several processes on
// one database, a follower of a shared change log (Enqueue in log order,
// then Sync). Notices of the same object that wait together are applied
// once: one fresh read serves them all.
//
// When apply fails (the store cannot be read), the applier calls failed,
// which must stop whatever the change may concern, and retries the notice
// with exponential backoff until it succeeds. Current reports whether the
// derived state is up to date.
type Applier struct {
	apply  func(ctx context.Context, ev Event) error
	failed func(ev Event, err error)
	log    *slog.Logger
	// RetryMin and RetryMax bound the delay between retries of a failed
	// notice; set them before use.
	RetryMin, RetryMax time.Duration
	// MaxLag is how long a notice may wait before Current reports the state
	// as behind.
	MaxLag time.Duration

	run sync.Mutex // held while notices are applied

	mu       sync.Mutex
	queue    []queued
	queued   uint64    // sequence number of the newest queued notice
	done     uint64    // every notice up to this one has been processed
	waiting  time.Time // when the oldest notice not yet done was queued
	retries  map[Event]*retry
	retryNow chan struct{} // wakes Run when a retry is scheduled
}

type queued struct {
	ev Event
	at time.Time
}

type retry struct {
	attempts int
	due      time.Time
	err      error
}

// NewApplier returns an Applier that applies notices with apply and calls
// failed for each one that apply could not apply.
func NewApplier(apply func(ctx context.Context, ev Event) error, failed func(ev Event, err error), log *slog.Logger) *Applier {
	return &Applier{apply: apply, failed: failed, log: log, RetryMin: 100 * time.Millisecond, RetryMax: 30 * time.Second,
		MaxLag: time.Second, retries: map[Event]*retry{}, retryNow: make(chan struct{}, 1)}
}

// Changed implements Notifier: it queues the notice and returns once it has
// been applied (or, if the store could not be read, once what it concerns
// has been stopped and its retry scheduled).
func (a *Applier) Changed(ctx context.Context, ev Event) {
	a.Sync(ctx, a.Enqueue(ev))
}

// Enqueue queues a notice without waiting and returns its sequence number.
func (a *Applier) Enqueue(ev Event) uint64 {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.done == a.queued {
		a.waiting = now
	}
	a.queue = append(a.queue, queued{ev, now})
	a.queued++
	return a.queued
}

// Sync returns once every notice up to seq has been processed. The caller
// applies the waiting notices itself unless another goroutine is doing so.
func (a *Applier) Sync(ctx context.Context, seq uint64) {
	a.run.Lock()
	defer a.run.Unlock()
	for {
		a.mu.Lock()
		if a.done >= seq {
			a.mu.Unlock()
			return
		}
		batch, last := a.queue, a.queued
		a.queue = nil
		a.mu.Unlock()

		seen := make(map[Event]bool, len(batch))
		for _, q := range batch {
			if !seen[q.ev] {
				seen[q.ev] = true
				a.process(ctx, q.ev)
			}
		}

		a.mu.Lock()
		a.done = last
		if len(a.queue) > 0 {
			a.waiting = a.queue[0].at
		}
		a.mu.Unlock()
	}
}

// process applies one notice; a.run must be held.
func (a *Applier) process(ctx context.Context, ev Event) {
	err := a.apply(ctx, ev)
	if err == nil {
		a.mu.Lock()
		if r, ok := a.retries[ev]; ok {
			a.log.Info("change applied after retrying", "kind", ev.Kind, "id", ev.ID, "attempts", r.attempts)
			delete(a.retries, ev)
		}
		a.mu.Unlock()
		return
	}
	a.failed(ev, err)
	a.mu.Lock()
	r := a.retries[ev]
	if r == nil {
		r = &retry{}
		a.retries[ev] = r
	}
	r.attempts++
	r.err = err
	delay := a.RetryMin << min(r.attempts-1, 20)
	if delay > a.RetryMax || delay <= 0 {
		delay = a.RetryMax
	}
	r.due = time.Now().Add(delay)
	attempts := r.attempts
	a.mu.Unlock()
	a.log.Error("change could not be applied; what it concerns stops until a retry succeeds", "kind", ev.Kind,
		"id", ev.ID, "attempt", attempts, "retry_in", delay, "err", err)
	select {
	case a.retryNow <- struct{}{}:
	default:
	}
}

// Run retries failed notices when they are due, until ctx is done.
func (a *Applier) Run(ctx context.Context) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		a.mu.Lock()
		now := time.Now()
		var due []Event
		next := now.Add(time.Hour)
		for ev, r := range a.retries {
			if !r.due.After(now) {
				due = append(due, ev)
				r.due = now.Add(a.RetryMax) // until process reschedules it
			} else if r.due.Before(next) {
				next = r.due
			}
		}
		a.mu.Unlock()
		if len(due) > 0 {
			var seq uint64
			for _, ev := range due {
				seq = a.Enqueue(ev)
			}
			a.Sync(ctx, seq)
			continue
		}
		timer.Reset(next.Sub(now))
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		case <-a.retryNow:
		}
	}
}

// Current returns nil when every notice has been applied, else an error
// that says what is missing: notices that failed and wait for a retry, or
// notices that have waited longer than MaxLag.
func (a *Applier) Current() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if n := len(a.retries); n > 0 {
		var last error
		for _, r := range a.retries {
			last = r.err
		}
		return fmt.Errorf("%d changes could not be applied yet (retrying): %w", n, last)
	}
	if a.done < a.queued && time.Since(a.waiting) > a.MaxLag {
		return fmt.Errorf("%d changes wait to be applied, the oldest for %s", a.queued-a.done,
			time.Since(a.waiting).Round(time.Millisecond))
	}
	return nil
}
