// Package delivery is the hot path: it picks Spark ads for a viewer from an
// in-memory index of serving ads, and accounts for the budgets they spend.
//
// The index is built from the store at start (load.go) and kept current on
// every change (changes.go: the Engine is a change.Notifier), so the
// decision path never touches the database. Each decision (decide.go)
// filters by targeting, schedule, authorization validity, post eligibility,
// frequency cap, pacing and budget; ranks by expected value per
// impression; prices each winner by a second-price rule with a floor; and
// reserves that price on the budgets before the ad is returned (ledger.go).
// Billing events later turn reservations into spend through ChargeBilling.
//
// The files follow the index's life: index.go holds its state and
// bookkeeping, build.go compiles an ad into an entry, load.go builds the
// whole index, changes.go applies changes, spend.go restores budgets'
// spend from the store, rank.go orders the buckets decisions read, and
// compact.go reclaims dead entries.
package delivery

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/ids"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/tracking"
)

// Config tunes the engine.
type Config struct {
	// FloorCPM is the lowest value per mille an ad may clear at.
	FloorCPM money.Micros
	// ReservationTTL is how long a decision's reservation waits for its
	// billing event.
	ReservationTTL time.Duration
	// RerankInterval is how often the index is re-sorted by current
	// expected values.
	RerankInterval time.Duration
	// RetryMin and RetryMax bound the backoff between retries of a change
	// that could not be read from the store.
	RetryMin, RetryMax time.Duration
	// Node is this node's ID, which its tracking tokens carry and its
	// budget leases are held under (random when empty).
	Node string
	// Lease tunes budget leasing (lease.go).
	Lease LeaseConfig
	// Shared says that other nodes may share the budgets (PostgreSQL):
	// leases are then slices rather than all that is left.
	Shared bool
}

// DefaultFloorCPM is the default floor: 0.10 per thousand impressions.
const DefaultFloorCPM = 100_000

// Engine is the delivery index, the auction and the budget ledger.
type Engine struct {
	store   store.Store
	clock   clock.Clock
	log     *slog.Logger
	signer  *tracking.Signer
	cfg     Config
	ledger  ledger
	freq    *frequency
	changes *change.Applier

	snap       atomic.Pointer[snapshot]
	ratesMoved atomic.Bool
	loaded     atomic.Bool
	nodes      atomic.Int64 // how many nodes share the budgets
	leaseKick  chan struct{}

	writer sync.Mutex // held by whoever changes the index: the change applier, the re-ranker, Load
	// closed lists the changes whose ads were stopped because they could
	// not be read; the writer owns it.
	closed map[change.Event]bool

	mu sync.RWMutex // held by the writer while it changes ix's maps or slabs, or replaces ix
	ix *index
}

// New returns an empty engine; call Load before serving.
func New(st store.Store, c clock.Clock, log *slog.Logger, signer *tracking.Signer, cfg Config) *Engine {
	if cfg.FloorCPM <= 0 {
		cfg.FloorCPM = DefaultFloorCPM
	}
	if cfg.ReservationTTL <= 0 {
		cfg.ReservationTTL = time.Minute
	}
	if cfg.RerankInterval <= 0 {
		cfg.RerankInterval = 5 * time.Second
	}
	if cfg.Node == "" {
		cfg.Node = ids.New("node")
	}
	if cfg.Lease.Interval <= 0 {
		cfg.Lease.Interval = 200 * time.Millisecond
	}
	if cfg.Lease.IdleAfter <= 0 {
		cfg.Lease.IdleAfter = time.Minute
	}
	e := &Engine{store: st, clock: c, log: log, signer: signer, cfg: cfg, ledger: newLedger(cfg.ReservationTTL),
		freq: newFrequency(), closed: map[change.Event]bool{}, ix: newIndex(), leaseKick: make(chan struct{}, 1)}
	e.nodes.Store(1)
	if st != nil {
		e.ledger.leased, e.ledger.kick = true, e.leaseKick
	}
	e.changes = change.NewApplier(e.apply, e.failClosed, log)
	if cfg.RetryMin > 0 {
		e.changes.RetryMin = cfg.RetryMin
	}
	if cfg.RetryMax > 0 {
		e.changes.RetryMax = cfg.RetryMax
	}
	e.publish(e.ix, map[uint32][]ranked{})
	return e
}

// Run re-ranks the index as observed rates move, retries changes that
// could not be applied, and forgets idle viewers, until ctx is done.
func (e *Engine) Run(ctx context.Context) {
	go e.changes.Run(ctx)
	if e.ledger.leased {
		go e.runLeases(ctx)
	}
	rerank := time.NewTicker(e.cfg.RerankInterval)
	defer rerank.Stop()
	sweep := time.NewTicker(10 * time.Minute)
	defer sweep.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-rerank.C:
			if e.ratesMoved.Swap(false) {
				e.writer.Lock()
				e.rerank()
				e.writer.Unlock()
			}
		case <-sweep.C:
			e.freq.sweep(e.clock.Now().Add(-31 * 24 * time.Hour).UnixMicro())
		}
	}
}

// Ready returns nil when the index is current: loaded, with every change
// applied. Otherwise the error says what is missing; /readyz answers 503
// with it.
func (e *Engine) Ready() error {
	if !e.loaded.Load() {
		return errors.New("the delivery index is loading")
	}
	return e.changes.Current()
}

// Size returns how many ads the index holds, and how many of them are
// switched on at every level (whether they serve now depends on more).
func (e *Engine) Size() (ads, enabled int) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	for _, i := range e.ix.ads {
		if e.ix.entries.at(i).enabled {
			enabled++
		}
	}
	return len(e.ix.ads), enabled
}

// LeaseStats sums this node's leases of the budgets' current periods:
// how many budgets it holds some of, what it was granted, what was
// charged to them, and what it holds reserved.
func (e *Engine) LeaseStats() (budgets int, granted, spent, reserved money.Micros) {
	for _, b := range e.leasedBudgets() {
		b.mu.Lock()
		if b.limit > 0 {
			budgets++
			granted += b.limit
			spent += b.spent
			reserved += b.reserved
		}
		b.mu.Unlock()
	}
	return budgets, granted, spent, reserved
}

// AdInfo is what event ingestion needs to know about an ad.
type AdInfo struct {
	AdID, PostID, AdGroupID, CampaignID, AdvertiserID string
	Billing                                           model.BillingEvent
}

// Ad returns what the engine knows of any ad, serving or not.
func (e *Engine) Ad(adID string) (AdInfo, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	en, text := e.ix.current(adID)
	if en == nil {
		return AdInfo{}, false
	}
	return AdInfo{AdID: en.field(text, tAdID), PostID: en.field(text, tPostID), AdGroupID: en.field(text, tAdGroupID),
		CampaignID: en.field(text, tCampaignID), AdvertiserID: en.field(text, tAdvertiserID),
		Billing: en.billing.event()}, true
}

// Charge is a billing event's charge, which Undo takes back if the event
// turns out not to be stored (or the store does not charge it).
type Charge struct {
	Amount money.Micros
	// Budgets are the budget periods charged (see model.Event.Budgets).
	Budgets [2]model.BudgetPeriod
	ticket  chargeTicket
}

// ChargeBilling charges the billing event of a delivery of adID decided at
// issuedAt at price, to the budgets' spend of the decision's time (the
// day of a daily budget is the decision's local day): from the decision's
// reservation, or, if that is gone, only if the budgets still have room
// (else Amount is zero).
func (e *Engine) ChargeBilling(adID string, issuedAt time.Time, price money.Micros) Charge {
	e.mu.RLock()
	var g, c *budget
	if en, _ := e.ix.current(adID); en != nil {
		g, c = e.ix.budgetAt(en.group), e.ix.budgetAt(en.camp)
	}
	e.mu.RUnlock()
	t := e.ledger.charge(g, c, issuedAt, price, e.clock.Now())
	return Charge{Amount: t.charged, Budgets: periods(g, c, issuedAt), ticket: t}
}

// BudgetsOf returns the budget periods that a billing event of a delivery
// of adID decided at issuedAt is charged to: for an event of another
// node's decision, which that node's ledger charges.
func (e *Engine) BudgetsOf(adID string, issuedAt time.Time) [2]model.BudgetPeriod {
	e.mu.RLock()
	var g, c *budget
	if en, _ := e.ix.current(adID); en != nil {
		g, c = e.ix.budgetAt(en.group), e.ix.budgetAt(en.camp)
	}
	e.mu.RUnlock()
	return periods(g, c, issuedAt)
}

// periods returns the periods of budgets g and c (either may be nil) that
// a decision made at t spends from. Only leased budgets are named: the
// store charges leases.
func periods(g, c *budget, t time.Time) [2]model.BudgetPeriod {
	var out [2]model.BudgetPeriod
	for k, b := range [2]*budget{g, c} {
		if b != nil && b.leased {
			b.mu.Lock()
			p := b.periodOf(t)
			b.mu.Unlock()
			out[k] = model.BudgetPeriod{ID: b.id, Period: p}
		}
	}
	return out
}

// Undo takes a charge back.
func (e *Engine) Undo(c Charge) { e.ledger.undo(c.ticket) }

// Observe counts a stored ad event into the ad's observed rates.
func (e *Engine) Observe(adID string, t model.EventType) {
	e.mu.RLock()
	i, ok := e.ix.rateIdx[key(adID)]
	var r *rates
	if ok {
		r = e.ix.rates.at(i)
	}
	e.mu.RUnlock()
	if r == nil {
		return
	}
	switch t {
	case model.EventImpression:
		r.impressions.Add(1)
	case model.EventClick:
		r.clicks.Add(1)
	case model.EventView6s:
		r.views6s.Add(1)
	default:
		return
	}
	e.ratesMoved.Store(true)
}

// Exhausted implements campaign.Budgets: whether the ad group's or its
// campaign's budget lacks room for one more billing event at the bid.
func (e *Engine) Exhausted(g model.AdGroup, c model.Campaign) bool {
	e.mu.RLock()
	gb, cb := e.ix.budget(g.ID), e.ix.budget(c.ID)
	e.mu.RUnlock()
	maxPrice := maxUnitPrice(g.BillingEvent, g.Bid)
	now := e.clock.Now()
	return e.exhausted(gb, maxPrice, now) || e.exhausted(cb, maxPrice, now)
}

// exhausted reports whether b cannot take maxPrice: for a leased budget,
// neither this node's lease nor the pool (asked now unless it was asked
// within the last second) can.
func (e *Engine) exhausted(b *budget, maxPrice money.Micros, now time.Time) bool {
	if !e.ledger.exhausted(b, maxPrice, now) || !b.leased {
		return e.ledger.exhausted(b, maxPrice, now)
	}
	if b.poolRoom.Load() < 0 || b.poolCheckedAt.Load() < time.Now().Add(-time.Second).UnixNano() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		if _, err := e.leaseFor(ctx, b, now); err != nil {
			return false // unknown: say so rather than claim the budget is spent
		}
	}
	return e.ledger.exhausted(b, maxPrice, now) && money.Micros(b.poolRoom.Load()) < maxPrice
}
