package loadgen

import (
	"sync"
	"sync/atomic"
	"time"
)

// kindStats counts one kind of request (decisions or event batches) for all
// workers at once. Counters are atomics so the progress line can read them
// while the run goes on; the rare things (non-2xx statuses, rejection codes,
// the first error) sit behind a mutex.
type kindStats struct {
	requests atomic.Int64 // requests that got an HTTP answer, of any status
	non2xx   atomic.Int64 // of which not 2xx
	errors   atomic.Int64 // requests that got none, or an answer that did not parse
	latency  histogram    // of every request that got an answer
	answered atomic.Int64 // 2xx answers that parsed

	// decisions
	ads    atomic.Int64 // ads in the answers
	filled atomic.Int64 // answers with at least one ad

	// event batches
	events     atomic.Int64 // events in the batches answered
	accepted   atomic.Int64
	duplicates atomic.Int64
	rejected   atomic.Int64

	mu         sync.Mutex
	statuses   map[int]int64    // non-2xx answers by status
	rejectedBy map[string]int64 // rejected events by error code
	firstErr   string

	// start and end bound the kind's phase; they are set by the goroutine
	// that runs the phase and read once it is over. began (Unix
	// nanoseconds) tells the progress line that the phase has started.
	start, end time.Time
	began      atomic.Int64
}

func (k *kindStats) begin() {
	k.start = time.Now()
	k.began.Store(k.start.UnixNano())
}

func (k *kindStats) finish() { k.end = time.Now() }

func newKindStats() *kindStats {
	return &kindStats{statuses: map[int]int64{}, rejectedBy: map[string]int64{}}
}

// fail counts a request that got no usable answer.
func (k *kindStats) fail(err error) {
	k.errors.Add(1)
	k.mu.Lock()
	if k.firstErr == "" {
		k.firstErr = err.Error()
	}
	k.mu.Unlock()
}

// status counts a non-2xx answer.
func (k *kindStats) status(code int) {
	k.non2xx.Add(1)
	k.mu.Lock()
	k.statuses[code]++
	k.mu.Unlock()
}

// elapsed is the length of the kind's phase, once it is over.
func (k *kindStats) elapsed() time.Duration {
	if k.start.IsZero() || k.end.IsZero() {
		return 0
	}
	return k.end.Sub(k.start)
}
