package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// loadgen is one run in progress.
type loadgen struct {
	o         options
	c         *client
	dec, ev   *kindStats
	collected atomic.Int64 // tokens collected in events mode
}

func newLoadgen(o options) *loadgen {
	return &loadgen{
		o:   o,
		c:   newClient(o.url, o.token, o.concurrency+o.flushers, o.timeout),
		dec: newKindStats(),
		ev:  newKindStats(),
	}
}

// worker is the state one goroutine reuses from request to request.
type worker struct {
	r      *rand.Rand // seeded from --seed: which viewers, which events
	ids    *idSource  // event ids, never from --seed
	hdr    http.Header
	resp   bytes.Buffer
	dans   decisionAnswer
	eans   eventsAnswer
	evs    []event
	tokens []string

	failures int // requests in a row that got no answer
}

func (lg *loadgen) newWorker(stream uint64) *worker {
	return &worker{r: rand.New(rand.NewPCG(lg.o.seed, stream)), ids: newIDSource(lg.o.randomIDs), hdr: lg.c.header()}
}

// Streams of the random generators, so that decision workers and flushers
// never share one.
const (
	decisionStream = 0
	eventStream    = 1 << 32
)

// decisionAnswer is the part of a decision answer the load generator uses.
type decisionAnswer struct {
	DecisionID string     `json:"decision_id"`
	Ads        []adAnswer `json:"ads"`
}

type adAnswer struct {
	AdID  string `json:"ad_id"`
	Token string `json:"token"`
}

// eventsAnswer is the answer to POST /api/v1/events.
type eventsAnswer struct {
	Accepted   int64 `json:"accepted"`
	Duplicates int64 `json:"duplicates"`
	Rejected   []struct {
		Index int `json:"index"`
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	} `json:"rejected"`
}

// parallel runs n copies of f and waits for them.
func parallel(n int, f func(i int)) {
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() { f(i) })
	}
	wg.Wait()
}

// precheck asks for one decision, unrecorded, so that an unreachable
// server or a wrong token ends the run at once with a clear message instead
// of a summary full of errors.
func (lg *loadgen) precheck(ctx context.Context) error {
	w := lg.newWorker(decisionStream)
	v := viewerAt(0)
	body := lg.c.buffer()
	*body = appendDecision(*body, &v, lg.o.count)
	status, err := lg.c.post(ctx, lg.c.decisionsURL, w.hdr, body, &w.resp)
	switch {
	case err != nil:
		return fmt.Errorf("cannot reach Flint: %w", err)
	case status == http.StatusUnauthorized || status == http.StatusForbidden:
		return fmt.Errorf("POST %s answered %d: check --token (%.200s)", lg.c.decisionsURL, status, w.resp.Bytes())
	case status == http.StatusNotFound || status == http.StatusMethodNotAllowed:
		return fmt.Errorf("POST %s answered %d: is --url a Flint server? (%.200s)", lg.c.decisionsURL, status, w.resp.Bytes())
	}
	return nil
}

// backoff pauses a worker after a request that got no answer, longer after
// each one in a row, so a server that went away is not hammered by a tight
// loop that would also burn the CPU the server needs when it comes back.
func backoff(ctx context.Context, failures int) {
	d := time.Millisecond << min(failures, 7) // up to 128ms
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// decide asks for one decision for a random viewer of the pool and records
// it. The ads it returns are valid until w's next decision.
func (lg *loadgen) decide(ctx context.Context, w *worker) []adAnswer {
	v := viewerAt(w.r.IntN(lg.o.viewers))
	body := lg.c.buffer()
	*body = appendDecision(*body, &v, lg.o.count)
	t0 := time.Now()
	status, err := lg.c.post(ctx, lg.c.decisionsURL, w.hdr, body, &w.resp)
	lat := time.Since(t0)
	k := lg.dec
	if err != nil {
		if ctx.Err() == nil { // an interrupted run does not count its last requests
			k.fail(err)
			w.failures++
			backoff(ctx, w.failures)
		}
		return nil
	}
	w.failures = 0
	k.requests.Add(1)
	k.latency.record(lat)
	if status < 200 || status > 299 {
		k.status(status)
		return nil
	}
	clear(w.dans.Ads[:cap(w.dans.Ads)]) // json reuses the elements and keeps fields an answer lacks
	w.dans = decisionAnswer{Ads: w.dans.Ads[:0]}
	if err := json.Unmarshal(w.resp.Bytes(), &w.dans); err != nil {
		k.fail(fmt.Errorf("decision answer: %w", err))
		return nil
	}
	if w.dans.DecisionID == "" {
		k.fail(errors.New("decision answer: no decision_id"))
		return nil
	}
	k.answered.Add(1)
	if n := len(w.dans.Ads); n > 0 {
		k.ads.Add(int64(n))
		k.filled.Add(1)
	}
	return w.dans.Ads
}

// sendEvents posts evs as one batch and records the answer.
func (lg *loadgen) sendEvents(ctx context.Context, w *worker, evs []event) {
	body := lg.c.buffer()
	*body = appendEvents(*body, evs, w.ids)
	t0 := time.Now()
	status, err := lg.c.post(ctx, lg.c.eventsURL, w.hdr, body, &w.resp)
	lat := time.Since(t0)
	k := lg.ev
	if err != nil {
		if ctx.Err() == nil {
			k.fail(err)
			w.failures++
			backoff(ctx, w.failures)
		}
		return
	}
	w.failures = 0
	k.requests.Add(1)
	k.latency.record(lat)
	if status < 200 || status > 299 {
		k.status(status)
		return
	}
	w.eans = eventsAnswer{Rejected: w.eans.Rejected[:0]}
	if err := json.Unmarshal(w.resp.Bytes(), &w.eans); err != nil {
		k.fail(fmt.Errorf("events answer: %w", err))
		return
	}
	k.answered.Add(1)
	k.events.Add(int64(len(evs)))
	k.accepted.Add(w.eans.Accepted)
	k.duplicates.Add(w.eans.Duplicates)
	if n := len(w.eans.Rejected); n > 0 {
		k.rejected.Add(int64(n))
		k.mu.Lock()
		for _, r := range w.eans.Rejected {
			code := r.Error.Code
			if code == "" {
				code = "UNKNOWN"
			}
			k.rejectedBy[code]++
		}
		k.mu.Unlock()
	}
}

// runDecisions sends decisions from every worker for the duration.
func (lg *loadgen) runDecisions(ctx context.Context) {
	lg.dec.begin()
	deadline := lg.dec.start.Add(lg.o.duration)
	parallel(lg.o.concurrency, func(i int) {
		w := lg.newWorker(decisionStream + uint64(i))
		for ctx.Err() == nil && time.Now().Before(deadline) {
			lg.decide(ctx, w)
		}
	})
	lg.dec.finish()
}

// runMixed sends decisions for the duration and, for every ad returned,
// the events its viewer would cause; flushers batch them to the events
// endpoint and send what is left once the decisions stop.
func (lg *loadgen) runMixed(ctx context.Context) {
	queue := make(chan event, 2*lg.o.batch*lg.o.flushers)
	lg.dec.begin()
	lg.ev.begin()
	var flushers sync.WaitGroup
	for i := range lg.o.flushers {
		w := lg.newWorker(eventStream + uint64(i))
		flushers.Go(func() { lg.flush(ctx, w, queue) })
	}
	deadline := lg.dec.start.Add(lg.o.duration)
	parallel(lg.o.concurrency, func(i int) {
		w := lg.newWorker(decisionStream + uint64(i))
		for ctx.Err() == nil && time.Now().Before(deadline) {
			w.evs = w.evs[:0]
			for _, ad := range lg.decide(ctx, w) {
				w.evs = engage(w.evs, ad.Token, w.r)
			}
			for _, e := range w.evs {
				select {
				case queue <- e:
				case <-ctx.Done():
					return
				}
			}
		}
	})
	lg.dec.finish()
	close(queue)
	flushers.Wait()
	lg.ev.finish()
}

// flush sends the events from queue in batches of up to --batch, sending a
// smaller batch when the queue has been quiet for the linger time, until
// the queue is closed and empty.
func (lg *loadgen) flush(ctx context.Context, w *worker, queue <-chan event) {
	batch := make([]event, 0, lg.o.batch)
	send := func() {
		if len(batch) > 0 {
			lg.sendEvents(ctx, w, batch)
			batch = batch[:0]
		}
	}
	linger := time.NewTimer(time.Hour)
	linger.Stop()
	for {
		if len(batch) == 0 {
			select {
			case e, ok := <-queue:
				if !ok {
					return
				}
				batch = append(batch, e)
				linger.Reset(lg.o.linger)
			case <-ctx.Done():
				return
			}
			continue
		}
		select {
		case e, ok := <-queue:
			if !ok {
				send()
				return
			}
			if batch = append(batch, e); len(batch) >= lg.o.batch {
				linger.Stop()
				send()
			}
		case <-linger.C:
			send()
		case <-ctx.Done():
			return
		}
	}
}

// runEvents collects ad tokens with decisions, then sends batches of events
// made from them for the duration.
func (lg *loadgen) runEvents(ctx context.Context) error {
	lg.dec.begin()
	deadline := lg.dec.start.Add(min(lg.o.collectFor, lg.o.duration))
	target := int64(lg.o.collectTokens)
	workers := make([]*worker, lg.o.concurrency)
	parallel(lg.o.concurrency, func(i int) {
		w := lg.newWorker(decisionStream + uint64(i))
		workers[i] = w
		for ctx.Err() == nil && time.Now().Before(deadline) && lg.collected.Load() < target {
			for _, ad := range lg.decide(ctx, w) {
				if ad.Token != "" {
					w.tokens = append(w.tokens, ad.Token)
					lg.collected.Add(1)
				}
			}
		}
	})
	lg.dec.finish()
	var tokens []string
	for _, w := range workers {
		tokens = append(tokens, w.tokens...)
	}
	if ctx.Err() != nil {
		return nil
	}
	if len(tokens) == 0 {
		return fmt.Errorf("no decision returned an ad in %s, so there are no tokens to send events with; is the server seeded with serving ads?",
			lg.dec.elapsed().Round(time.Millisecond))
	}

	lg.ev.begin()
	deadline = lg.ev.start.Add(lg.o.duration)
	parallel(lg.o.concurrency, func(i int) {
		w := workers[i]
		// Each worker sends its own share of the tokens, so that no two send
		// the same once-per-delivery event.
		var mine []string
		for k := i; k < len(tokens); k += lg.o.concurrency {
			mine = append(mine, tokens[k])
		}
		if len(mine) == 0 {
			mine = tokens[:1]
		}
		used := make([]uint16, len(mine))
		for ctx.Err() == nil && time.Now().Before(deadline) {
			w.evs = w.evs[:0]
			for range lg.o.batch {
				w.evs = append(w.evs, randomEvent(mine, used, w.r))
			}
			lg.sendEvents(ctx, w, w.evs)
		}
	})
	lg.ev.finish()
	return nil
}
