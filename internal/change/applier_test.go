package change

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// recorder is an apply function that records what it applied and fails
// while told to.
type recorder struct {
	mu      sync.Mutex
	applied []Event
	active  int // applies running at once, to catch overlap
	overlap bool
	failing map[string]bool
	failed  []Event
	gate    chan struct{} // when set, each apply waits until it is closed
	started chan struct{} // when set, each apply sends on it first
}

func (r *recorder) apply(_ context.Context, ev Event) error {
	r.mu.Lock()
	r.active++
	if r.active > 1 {
		r.overlap = true
	}
	gate, started := r.gate, r.started
	r.mu.Unlock()
	if started != nil {
		started <- struct{}{}
	}
	if gate != nil {
		<-gate
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.active--
	if r.failing[ev.ID] {
		return errors.New("store down")
	}
	r.applied = append(r.applied, ev)
	return nil
}

func (r *recorder) fail(ev Event, _ error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = append(r.failed, ev)
}

func TestChangedReturnsOnceApplied(t *testing.T) {
	t.Parallel()
	r := &recorder{}
	a := NewApplier(r.apply, r.fail, quiet)
	a.Changed(context.Background(), Event{Kind: Ad, ID: "ad_1"})
	if len(r.applied) != 1 || r.applied[0].ID != "ad_1" {
		t.Fatalf("applied %v", r.applied)
	}
	if err := a.Current(); err != nil {
		t.Fatal(err)
	}
}

// TestNoticesApplyOneAtATimeInOrder queues notices from many goroutines
// while the first apply is stalled: they must apply one at a time, each
// notice at most once per batch, and every caller must return only after
// its own notice was applied.
func TestNoticesApplyOneAtATimeInOrder(t *testing.T) {
	t.Parallel()
	gate := make(chan struct{})
	r := &recorder{gate: gate, started: make(chan struct{}, 100)}
	a := NewApplier(r.apply, r.fail, quiet)
	first := make(chan struct{})
	go func() {
		defer close(first)
		a.Changed(context.Background(), Event{Kind: AdGroup, ID: "first"})
	}()
	<-r.started // the first apply runs, and waits
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		id := []string{"x", "y"}[i%2]
		go func() {
			defer wg.Done()
			a.Changed(context.Background(), Event{Kind: AdGroup, ID: id})
			r.mu.Lock()
			defer r.mu.Unlock()
			found := false
			for _, ev := range r.applied {
				found = found || ev.ID == id
			}
			if !found {
				t.Errorf("Changed(%s) returned before its notice was applied", id)
			}
		}()
	}
	// Let the waiting notices queue up behind the stalled first one.
	deadline := time.Now().Add(5 * time.Second)
	for {
		a.mu.Lock()
		n := len(a.queue)
		a.mu.Unlock()
		if n == 20 || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	close(gate)
	wg.Wait()
	<-first
	if r.overlap {
		t.Error("two applies ran at once")
	}
	if len(r.applied) != 3 {
		t.Errorf("applied %d notices, want 3 (first, then x and y once each): %v", len(r.applied), r.applied)
	}
	if r.applied[0].ID != "first" {
		t.Errorf("applied %v: the first notice is not first", r.applied)
	}
}

// TestFailedNoticesAreRetried: a notice whose apply fails is reported to
// the failure function, keeps Current failing, and is retried by Run until
// it applies.
func TestFailedNoticesAreRetried(t *testing.T) {
	t.Parallel()
	r := &recorder{failing: map[string]bool{"sp_1": true}}
	a := NewApplier(r.apply, r.fail, quiet)
	a.RetryMin, a.RetryMax = time.Millisecond, 10*time.Millisecond
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go a.Run(ctx)
	ev := Event{Kind: SparkPost, ID: "sp_1"}
	a.Changed(ctx, ev)
	r.mu.Lock()
	if len(r.failed) != 1 || r.failed[0] != ev {
		t.Errorf("failure function called for %v, want %v", r.failed, ev)
	}
	r.mu.Unlock()
	if a.Current() == nil {
		t.Fatal("Current reports nothing missing while a notice failed")
	}
	time.Sleep(30 * time.Millisecond) // a few retries fail
	r.mu.Lock()
	retried := len(r.failed)
	r.failing = nil
	r.mu.Unlock()
	if retried < 2 {
		t.Errorf("%d attempts in 30 ms with a backoff of 1–10 ms", retried)
	}
	deadline := time.Now().Add(5 * time.Second)
	for a.Current() != nil {
		if time.Now().After(deadline) {
			t.Fatalf("not current after the store recovered: %v", a.Current())
		}
		time.Sleep(time.Millisecond)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.applied) != 1 || r.applied[0] != ev {
		t.Errorf("applied %v, want the retried notice once", r.applied)
	}
}

func TestCurrentReportsLag(t *testing.T) {
	t.Parallel()
	a := NewApplier(func(context.Context, Event) error { return nil }, func(Event, error) {}, quiet)
	a.MaxLag = time.Millisecond
	a.Enqueue(Event{Kind: Post, ID: "p"})
	time.Sleep(5 * time.Millisecond)
	if a.Current() == nil {
		t.Fatal("a notice waiting longer than MaxLag is not reported")
	}
	seq := a.Enqueue(Event{Kind: Post, ID: "q"})
	a.Sync(context.Background(), seq)
	if err := a.Current(); err != nil {
		t.Fatal(err)
	}
}
