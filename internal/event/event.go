// Package event ingests engagement events: it checks each one (ad events by
// their signed tracking token, organic events by their post), charges
// billing events against the delivery engine's budgets, and stores batches
// through group-commit writers (one on SQLite, a few on PostgreSQL),
// answering each caller only once its events are durable. Paid engagement
// lands on the original post beside the organic, through the store's
// counters.
package event

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/delivery"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/tracking"
)

// Error codes of rejected events.
const (
	CodeTokenInvalid  = "TOKEN_INVALID"
	CodeTokenExpired  = "TOKEN_EXPIRED"
	CodeTokenReplayed = "TOKEN_REPLAYED"
	CodePostNotFound  = "POST_NOT_FOUND"
	CodeAdNotFound    = "AD_NOT_FOUND"
	CodeTooMany       = "TOO_MANY_EVENTS"
	CodeUnavailable   = "SHUTTING_DOWN"
	CodeUnstorable    = "EVENT_NOT_STORABLE"
)

// Limits of a batch.
const (
	MaxBatch     = 1000
	maxEventID   = 128
	maxWatchMS   = 24 * 3600 * 1000
	maxPast      = 7 * 24 * time.Hour
	maxFuture    = 5 * time.Minute
	writerBatch  = 5000 // the most events one transaction takes
	writerQueue  = 256  // submitted batches waiting for the writer
	storeTimeout = time.Minute
	retryAfter   = 2 * time.Second // what a caller is told to wait when storage fails
)

// Store is what ingestion needs from storage.
type Store interface {
	InsertEvents(ctx context.Context, events []model.Event) ([]model.EventOutcome, error)
	ExistingPosts(ctx context.Context, postIDs []string) (map[string]bool, error)
	ProbeWrite(ctx context.Context) error
}

// concurrentWriter is a Store that takes several InsertEvents at once
// (PostgreSQL); EventWriters says how many are worth running. Other stores
// get one writer.
type concurrentWriter interface {
	EventWriters() int
}

// Delivery is what ingestion needs from the delivery engine.
type Delivery interface {
	Ad(adID string) (delivery.AdInfo, bool)
	ChargeBilling(adID string, issuedAt time.Time, price money.Micros) delivery.Charge
	Undo(c delivery.Charge)
	Observe(adID string, t model.EventType)
	// Node is this node's ID; BudgetsOf the budgets a billing event of
	// another node's decision is charged to (that node's leases pay it).
	Node() string
	BudgetsOf(adID string, issuedAt time.Time) [2]model.BudgetPeriod
}

// Input is one event as the operator sends it.
type Input struct {
	EventID  string
	Type     string
	Token    string
	PostID   string
	ViewerID string
	WatchMS  *int64
	At       string
}

// Result reports what became of a batch.
type Result struct {
	Accepted   int
	Duplicates int
	Rejected   []Rejection
}

// Rejection is an event that was not counted, by its index in the batch.
type Rejection struct {
	Index int
	Err   *apperr.Error
}

// Ingestor checks and stores events. Its writer runs until Close.
type Ingestor struct {
	store    Store
	clock    clock.Clock
	log      *slog.Logger
	signer   *tracking.Signer
	delivery Delivery

	mu     sync.RWMutex // guards closed against sends on jobs
	closed bool
	jobs   chan *job
	done   chan struct{}
	// failing is set while event writes fail for want of storage.
	failing atomic.Bool
	spent   atomic.Int64 // micros charged by the events stored so far
}

// Spent returns what the events this process stored were charged, in all.
func (in *Ingestor) Spent() money.Micros { return money.Micros(in.spent.Load()) }

// job is one caller's valid events, on their way through the writer.
type job struct {
	events   []model.Event
	billing  []bool // per event: charge it
	issued   []time.Time
	outcomes []model.EventOutcome
	err      error
	done     chan struct{}
}

// New starts an Ingestor's writer.
func New(st Store, c clock.Clock, log *slog.Logger, signer *tracking.Signer, d Delivery) *Ingestor {
	in := &Ingestor{store: st, clock: c, log: log, signer: signer, delivery: d,
		jobs: make(chan *job, writerQueue), done: make(chan struct{})}
	writers := 1
	if cw, ok := st.(concurrentWriter); ok {
		writers = max(1, cw.EventWriters())
	}
	var wg sync.WaitGroup
	for range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			in.run()
		}()
	}
	go func() {
		wg.Wait()
		close(in.done)
	}()
	return in
}

// Close stops accepting events, waits until every accepted one is stored,
// and stops the writer.
func (in *Ingestor) Close() {
	in.mu.Lock()
	if !in.closed {
		in.closed = true
		close(in.jobs)
	}
	in.mu.Unlock()
	<-in.done
}

// billingType is the event type each billing event charges on.
var billingType = map[model.BillingEvent]model.EventType{
	model.BillCPM: model.EventImpression,
	model.BillCPC: model.EventClick,
	model.BillCPV: model.EventView6s,
}

// OnceKey identifies one event type of one delivery: the decision ID, the
// ad's position and the type. Decision IDs are time-ordered, so these keys
// are appended to their index rather than scattered through it.
func OnceKey(decisionID string, index int, t model.EventType) []byte {
	k := make([]byte, 0, len(decisionID)+2)
	k = append(k, decisionID...)
	return append(k, byte(index), byte(t))
}

// Ingest checks a batch and stores its valid events, returning once they
// are durable. Invalid events are reported, not stored; the others are
// counted even if some are rejected.
func (in *Ingestor) Ingest(ctx context.Context, inputs []Input) (Result, error) {
	var res Result
	if len(inputs) > MaxBatch {
		return res, apperr.Field("events", CodeTooMany, "a batch may hold at most %d events", MaxBatch)
	}
	now := in.clock.Now()
	j := &job{done: make(chan struct{})}
	index := make([]int, 0, len(inputs)) // input index of each event in j
	organic := map[string][]int{}        // post ID → positions in j
	for i := range inputs {
		ev, issued, charge, err := in.check(&inputs[i], now)
		if err != nil {
			res.Rejected = append(res.Rejected, Rejection{Index: i, Err: err})
			continue
		}
		if ev.AdID == "" {
			organic[ev.PostID] = append(organic[ev.PostID], len(j.events))
		}
		j.events = append(j.events, ev)
		j.issued = append(j.issued, issued)
		j.billing = append(j.billing, charge)
		index = append(index, i)
	}
	if len(organic) > 0 {
		postIDs := make([]string, 0, len(organic))
		for id := range organic {
			postIDs = append(postIDs, id)
		}
		exist, err := in.store.ExistingPosts(ctx, postIDs)
		if err != nil {
			if ctx.Err() != nil {
				return res, err
			}
			in.log.Error("reading posts for organic events failed", "err", err)
			return res, unavailable()
		}
		drop := map[int]bool{}
		for id, positions := range organic {
			if !exist[id] {
				for _, p := range positions {
					drop[p] = true
				}
			}
		}
		if len(drop) > 0 {
			keep := 0
			for p := range j.events {
				if drop[p] {
					res.Rejected = append(res.Rejected, Rejection{Index: index[p], Err: apperr.Field("post_id",
						CodePostNotFound, "no post %s", j.events[p].PostID)})
					continue
				}
				j.events[keep], j.issued[keep], j.billing[keep], index[keep] = j.events[p], j.issued[p], j.billing[p], index[p]
				keep++
			}
			j.events, j.issued, j.billing, index = j.events[:keep], j.issued[:keep], j.billing[:keep], index[:keep]
		}
	}
	if len(j.events) > 0 {
		if err := in.submit(ctx, j); err != nil {
			return res, err
		}
		for p, o := range j.outcomes {
			switch o {
			case model.EventStored:
				res.Accepted++
			case model.EventDuplicate:
				res.Duplicates++
			case model.EventReplayed:
				res.Rejected = append(res.Rejected, Rejection{Index: index[p], Err: apperr.Field("token", CodeTokenReplayed,
					"this ad delivery already had a %s event", j.events[p].Type)})
			}
		}
	}
	slices.SortFunc(res.Rejected, func(a, b Rejection) int { return a.Index - b.Index })
	return res, nil
}

// submit hands a job to the writer and waits until it is stored.
func (in *Ingestor) submit(ctx context.Context, j *job) error {
	in.mu.RLock()
	if in.closed {
		in.mu.RUnlock()
		return &apperr.Error{Kind: apperr.Unavailable, Code: CodeUnavailable,
			Message: "the server is shutting down; send the events again", RetryAfter: retryAfter}
	}
	select {
	case in.jobs <- j:
	case <-ctx.Done():
		in.mu.RUnlock()
		return ctx.Err()
	}
	in.mu.RUnlock()
	<-j.done // the writer always finishes a job it took
	return j.err
}

// check turns an input into an event, or says why it is rejected. For ad
// events it returns when the delivery was made and whether the event is
// the delivery's billing event.
func (in *Ingestor) check(x *Input, now time.Time) (model.Event, time.Time, bool, *apperr.Error) {
	var ev model.Event
	var issued time.Time
	if x.EventID == "" {
		return ev, issued, false, apperr.Missing("event_id")
	}
	if len(x.EventID) > maxEventID || !printable(x.EventID) {
		return ev, issued, false, apperr.Invalidf("event_id", "event_id must be printable text of at most %d bytes", maxEventID)
	}
	t, ok := model.ParseEventType(x.Type)
	if x.Type == "" {
		return ev, issued, false, apperr.Missing("type")
	}
	if !ok {
		return ev, issued, false, apperr.Invalidf("type", "type must be one of %s", strings.Join(model.EventTypeNames(), ", "))
	}
	ev.ID, ev.Type, ev.At = x.EventID, t, now
	if x.WatchMS != nil {
		if *x.WatchMS < 0 || *x.WatchMS > maxWatchMS {
			return ev, issued, false, apperr.Invalidf("watch_ms", "watch_ms must be between 0 and %d", maxWatchMS)
		}
		ev.WatchMS = *x.WatchMS
	}
	if x.At != "" {
		at, err := time.Parse(time.RFC3339Nano, x.At)
		if err != nil {
			return ev, issued, false, apperr.Invalidf("at", "at must be an RFC 3339 time")
		}
		if at.After(now.Add(maxFuture)) {
			return ev, issued, false, apperr.Invalidf("at", "at is in the future: it may be at most %s ahead of the "+
				"server's clock (%s)", maxFuture, now.Format(time.RFC3339))
		}
		if at.Before(now.Add(-maxPast)) {
			return ev, issued, false, apperr.Invalidf("at", "at must be within the last 7 days")
		}
		ev.At = at.UTC().Truncate(time.Microsecond)
	}
	switch {
	case x.Token != "" && x.PostID != "":
		return ev, issued, false, apperr.Invalidf("post_id", "send a token (ad event) or a post_id (organic event), not both")
	case x.Token == "" && x.PostID == "":
		return ev, issued, false, apperr.Missing("token")
	case x.PostID != "":
		if len(x.PostID) > maxEventID || !printable(x.PostID) {
			return ev, issued, false, apperr.Invalidf("post_id", "post_id must be printable text of at most %d bytes",
				maxEventID)
		}
		if len(x.ViewerID) > tracking.MaxField || !utf8.ValidString(x.ViewerID) || strings.ContainsRune(x.ViewerID, 0) {
			return ev, issued, false, apperr.Invalidf("viewer_id", "viewer_id must be text of at most %d bytes, as in "+
				"decisions", tracking.MaxField)
		}
		ev.PostID, ev.ViewerID = x.PostID, x.ViewerID
		return ev, issued, false, nil
	}
	claims, err := in.signer.Verify(x.Token, now)
	switch {
	case errors.Is(err, tracking.ErrExpired):
		return ev, issued, false, apperr.Field("token", CodeTokenExpired, "the tracking token has expired")
	case err != nil:
		return ev, issued, false, apperr.Field("token", CodeTokenInvalid, "the tracking token is not valid")
	}
	if ev.At.Before(claims.IssuedAt) {
		if x.At == "" {
			ev.At = claims.IssuedAt // the server's clock is behind the node that decided
		} else {
			return ev, issued, false, apperr.Invalidf("at", "at may not precede the decision that issued the token "+
				"(decided at %s)", claims.IssuedAt.Format(time.RFC3339Nano))
		}
	}
	ad, ok := in.delivery.Ad(claims.AdID)
	if !ok || ad.PostID != claims.PostID {
		return ev, issued, false, apperr.Field("token", CodeAdNotFound, "the token's ad does not exist")
	}
	ev.AdID, ev.PostID, ev.DecisionID, ev.ViewerID = claims.AdID, claims.PostID, claims.DecisionID, claims.ViewerID
	ev.DecidedAt, ev.Node = claims.IssuedAt, claims.Node
	if !t.Repeatable() {
		ev.OnceKey = OnceKey(claims.DecisionID, claims.Index, t)
	}
	if t == model.EventClick {
		ev.ClickID = claims.ClickID()
	}
	// The price was fixed at decision time, for the token's billing event:
	// the one event of the delivery that the decision reserved for.
	billing := billingType[claims.Billing] == t
	if billing {
		ev.Charge = claims.Price
	}
	return ev, claims.IssuedAt, billing, nil
}

func printable(s string) bool {
	if !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return false
		}
	}
	return true
}

// run is a group-commit writer: it takes every job waiting (up to
// writerBatch events) into one transaction. On a store that takes several
// transactions at once, several writers run, each with its own group.
func (in *Ingestor) run() {
	for j := range in.jobs {
		batch := []*job{j}
		n := len(j.events)
	more:
		for n < writerBatch {
			select {
			case next, ok := <-in.jobs:
				if !ok {
					break more
				}
				batch = append(batch, next)
				n += len(next.events)
			default:
				break more
			}
		}
		in.write(batch, n)
	}
}

// write stores one group of jobs in one transaction and releases their
// callers. If the transaction fails, each job is tried again alone, so
// that one caller's bad input fails only that caller's batch (unless the
// database did not answer in time: then every job fails, at once).
func (in *Ingestor) write(batch []*job, n int) {
	err := in.commit(batch, n)
	if err != nil && len(batch) > 1 && !errors.Is(err, context.DeadlineExceeded) {
		for _, j := range batch {
			j.err = failure(in.commit([]*job{j}, len(j.events)))
		}
	} else {
		for _, j := range batch {
			j.err = failure(err)
		}
	}
	for _, j := range batch {
		close(j.done)
	}
}

// commit charges, stores and counts jobs in one transaction and sets their
// outcomes, or undoes the charges and returns why it failed.
func (in *Ingestor) commit(batch []*job, n int) error {
	all := make([]model.Event, 0, n)
	var charges []delivery.Charge
	var charged []int // positions in all
	self := in.delivery.Node()
	for _, j := range batch {
		for p := range j.events {
			ev := j.events[p]
			switch {
			case !j.billing[p]: // only ad events are billing events
			case ev.Node != "" && ev.Node != self:
				// Another node decided: its lease pays, and it releases its
				// hold when it reads what was charged to its lease.
				ev.Foreign, ev.Budgets = true, in.delivery.BudgetsOf(ev.AdID, j.issued[p])
			default:
				c := in.delivery.ChargeBilling(ev.AdID, j.issued[p], ev.Charge)
				ev.Charge, ev.Node, ev.Budgets = c.Amount, self, c.Budgets
				charges = append(charges, c)
				charged = append(charged, len(all))
			}
			all = append(all, ev)
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	outcomes, err := in.store.InsertEvents(ctx, all)
	cancel()
	if err != nil {
		in.log.Error("storing events failed", "events", len(all), "batches", len(batch), "err", err)
		for _, c := range charges {
			in.delivery.Undo(c)
		}
		if !errors.Is(err, store.ErrUnstorable) {
			in.failing.Store(true)
		}
		return err
	}
	in.failing.Store(false)
	for k, pos := range charged {
		// Not stored, or stored uncharged (the lease was taken back).
		if outcomes[pos] != model.EventStored || all[pos].Charge != charges[k].Amount {
			in.delivery.Undo(charges[k])
		}
	}
	var spent money.Micros
	for p := range all {
		if outcomes[p] == model.EventStored && all[p].AdID != "" {
			in.delivery.Observe(all[p].AdID, all[p].Type)
			spent += all[p].Charge
		}
	}
	in.spent.Add(int64(spent))
	off := 0
	for _, j := range batch {
		j.outcomes = outcomes[off : off+len(j.events)]
		off += len(j.events)
	}
	return nil
}

// failure is what a caller hears when its events could not be stored:
// 400 when the database refused a value of theirs, else 503 with
// Retry-After (storage is down or full); nothing of the batch was stored.
func failure(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, store.ErrUnstorable):
		return apperr.New(apperr.Invalid, CodeUnstorable, "an event of this batch holds a value that cannot be "+
			"stored (text must be valid UTF-8); none of the batch was recorded")
	}
	return unavailable()
}

func unavailable() *apperr.Error {
	return &apperr.Error{Kind: apperr.Unavailable, Code: apperr.CodeStorageDown,
		Message:    "events cannot be stored right now; none of this batch was recorded: send it again",
		RetryAfter: retryAfter}
}

// Ready returns nil unless event writes are failing. While they are, it
// tries a small write of its own, so that readiness comes back as soon as
// the database takes writes again, even if no events arrive meanwhile.
func (in *Ingestor) Ready(ctx context.Context) error {
	if !in.failing.Load() {
		return nil
	}
	if err := in.store.ProbeWrite(ctx); err != nil {
		return fmt.Errorf("event writes fail: %w", err)
	}
	in.failing.Store(false)
	return nil
}
