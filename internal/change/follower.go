package change

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"
)

// Log is the shared change log that every process on one database writes
// in the transactions of its changes (see store.Cluster).
type Log interface {
	// ChangeHead returns the newest sequence number (0: none).
	ChangeHead(ctx context.Context) (uint64, error)
	// ChangesAfter returns up to limit entries after seq, oldest first;
	// sequence numbers have no gaps except where old entries were pruned.
	ChangesAfter(ctx context.Context, after uint64, limit int) ([]Logged, error)
}

// Follower applies the shared change log, in sequence order, through an
// Applier: the same path the process's own changes take. It reads the log
// when woken (a notification that another process logged a change, or
// this process's own) and on a short timer, since notifications can be
// lost (a listener that reconnects misses those sent meanwhile). A
// follower that finds the entries it needs pruned, or more than MaxBehind
// entries behind, resyncs instead: it rebuilds everything derived from the
// store (Resync, which must not block readers) and goes on from the head it
// read before.
type Follower struct {
	log     Log
	applier *Applier
	slog    *slog.Logger
	// Also, when set, sees every entry before it is applied (caches of
	// credentials drop what an entry names).
	Also func(Event)
	// Resync rebuilds what the log would have brought up to date.
	Resync func(ctx context.Context) error
	// Interval is how often the log is read without a wake-up; MaxBehind
	// how far behind the head the follower may be before it resyncs.
	Interval  time.Duration
	MaxBehind uint64
	// Batch is how many entries one read takes.
	Batch int

	wake    chan struct{}
	applied atomic.Uint64
	head    atomic.Uint64
	resyncs atomic.Uint64
}

// NewFollower returns a follower of log that applies through a, starting
// after the entry numbered from (read the head before loading the state
// that the log keeps current: entries logged meanwhile are applied again,
// which is harmless).
func NewFollower(log Log, a *Applier, from uint64, slog *slog.Logger) *Follower {
	f := &Follower{log: log, applier: a, slog: slog, Interval: 250 * time.Millisecond, MaxBehind: 10_000, Batch: 500,
		wake: make(chan struct{}, 1)}
	f.applied.Store(from)
	f.head.Store(from)
	return f
}

// Wake makes the follower read the log now.
func (f *Follower) Wake() {
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Applied returns the sequence number of the last entry applied.
func (f *Follower) Applied() uint64 { return f.applied.Load() }

// Lag returns how many entries the follower knows of but has not applied.
func (f *Follower) Lag() uint64 {
	h, a := f.head.Load(), f.applied.Load()
	if h < a {
		return 0
	}
	return h - a
}

// Resyncs counts the full rebuilds so far.
func (f *Follower) Resyncs() uint64 { return f.resyncs.Load() }

// Run follows the log until ctx is done.
func (f *Follower) Run(ctx context.Context) {
	t := time.NewTicker(f.Interval)
	defer t.Stop()
	failing := false
	for {
		err := f.CatchUp(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			f.slog.Warn("change log: cannot read it; retrying", "err", err)
			failing = true
		case err == nil && failing:
			f.slog.Info("change log: reading again", "applied", f.applied.Load())
			failing = false
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-f.wake:
		}
	}
}

// CatchUp applies every entry logged so far, and returns once they are
// applied (or, for entries that could not be read into the state, once
// what they concern has been stopped and their retry scheduled).
func (f *Follower) CatchUp(ctx context.Context) error {
	for {
		after := f.applied.Load()
		batch, err := f.log.ChangesAfter(ctx, after, f.Batch)
		if err != nil {
			return err
		}
		if len(batch) == 0 {
			if f.head.Load() > after {
				// The head was read before pruning caught up; nothing is lost.
				f.head.Store(after)
			}
			return nil
		}
		last := batch[len(batch)-1].Seq
		f.head.Store(max(f.head.Load(), last))
		if batch[0].Seq != after+1 || (len(batch) == f.Batch && f.behind(ctx, after)) {
			if err := f.resync(ctx, batch[0].Seq != after+1); err != nil {
				return err
			}
			continue
		}
		var seq uint64
		for _, c := range batch {
			if f.Also != nil {
				f.Also(c.Event)
			}
			seq = f.applier.Enqueue(c.Event)
		}
		f.applier.Sync(ctx, seq)
		f.applied.Store(last)
		if len(batch) < f.Batch {
			return nil
		}
	}
}

// behind reports whether the head is more than MaxBehind entries ahead.
func (f *Follower) behind(ctx context.Context, after uint64) bool {
	h, err := f.log.ChangeHead(ctx)
	if err != nil {
		return false
	}
	f.head.Store(h)
	return h > after+f.MaxBehind
}

// resync rebuilds everything and goes on from the head read before.
func (f *Follower) resync(ctx context.Context, pruned bool) error {
	h, err := f.log.ChangeHead(ctx)
	if err != nil {
		return err
	}
	f.slog.Warn("change log: too far behind; rebuilding from the store", "applied", f.applied.Load(), "head", h,
		"entries_pruned", pruned)
	if err := f.Resync(ctx); err != nil {
		return err
	}
	f.resyncs.Add(1)
	f.applied.Store(h)
	f.head.Store(h)
	return nil
}
