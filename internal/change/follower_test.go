package change

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync"
	"testing"
)

// memLog is a change log in memory; entries up to pruned are gone.
type memLog struct {
	mu      sync.Mutex
	entries []Logged
	pruned  uint64
}

func (l *memLog) add(ev Event) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.entries = append(l.entries, Logged{Seq: uint64(len(l.entries)) + 1, Event: ev})
}

func (l *memLog) ChangeHead(context.Context) (uint64, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return uint64(len(l.entries)), nil
}

func (l *memLog) ChangesAfter(_ context.Context, after uint64, limit int) ([]Logged, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Logged
	for _, e := range l.entries {
		if e.Seq > after && e.Seq > l.pruned && len(out) < limit {
			out = append(out, e)
		}
	}
	return out, nil
}

// TestFollowerAppliesInOrder: entries are applied once each, in log order,
// through the applier, and seen by Also first.
func TestFollowerAppliesInOrder(t *testing.T) {
	log := &memLog{}
	var applied, also []string
	a := NewApplier(func(_ context.Context, ev Event) error {
		applied = append(applied, ev.ID)
		return nil
	}, func(Event, error) {}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f := NewFollower(log, a, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f.Batch = 3
	f.Also = func(ev Event) { also = append(also, ev.ID) }
	want := []string{"a", "b", "c", "d", "e", "f", "g"}
	for _, id := range want {
		log.add(Event{Kind: Ad, ID: id})
	}
	if err := f.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(applied, want) || !slices.Equal(also, want) {
		t.Fatalf("applied %v, also %v; want %v", applied, also, want)
	}
	if f.Applied() != 7 || f.Lag() != 0 {
		t.Fatalf("applied %d, lag %d", f.Applied(), f.Lag())
	}
	log.add(Event{Kind: Post, ID: "h"})
	if err := f.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if applied[len(applied)-1] != "h" || len(applied) != 8 {
		t.Fatalf("after one more entry: %v", applied)
	}
}

// TestFollowerResyncs: a follower whose next entries were pruned, or that
// is too far behind, rebuilds instead, and goes on from the head.
func TestFollowerResyncs(t *testing.T) {
	log := &memLog{}
	var applied []string
	a := NewApplier(func(_ context.Context, ev Event) error {
		applied = append(applied, ev.ID)
		return nil
	}, func(Event, error) {}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	f := NewFollower(log, a, 0, slog.New(slog.NewTextHandler(io.Discard, nil)))
	resyncs := 0
	f.Resync = func(context.Context) error { resyncs++; return nil }
	for _, id := range []string{"a", "b", "c"} {
		log.add(Event{Kind: Ad, ID: id})
	}
	log.pruned = 2 // a and b are gone
	if err := f.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if resyncs != 1 || len(applied) != 0 || f.Applied() != 3 {
		t.Fatalf("pruned entries: %d resyncs, applied %v, at %d", resyncs, applied, f.Applied())
	}
	f.MaxBehind, f.Batch = 5, 2
	for i := range 10 {
		log.add(Event{Kind: Ad, ID: string(rune('k' + i))})
	}
	if err := f.CatchUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	if resyncs != 2 || f.Applied() != 13 || f.Resyncs() != 2 {
		t.Fatalf("too far behind: %d resyncs, at %d", resyncs, f.Applied())
	}
}
