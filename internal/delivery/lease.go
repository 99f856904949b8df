package delivery

import (
	"context"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

// Leases. Several nodes share each budget, so no node may spend what
// another might: each node leases slices of each budget (of its current
// period: the advertiser's day for a daily budget) from the database
// (store.LeaseBudget, a conditional update that never grants past the
// budget), and its in-memory ledger serves decisions from its lease only:
// a leased budget's limit is what this node was granted, its spent what
// was charged to that lease. The leaser, in the background,
//
//   - leases more when a budget runs low (or a decision found no room),
//     a share of what the pool has left (all of it for one node, a third
//     for three), at least a few billing events' worth;
//   - reads its leases to learn what other nodes charged to them (events of
//     this node's decisions that reached another node), and turns as much
//     of its reservations into spend: the hold of a decision whose event
//     another node stored is released here;
//   - gives back what it did not spend of leases idle for a while, of days
//     gone by, and, on shutdown, of all of them.
//
// A node that dies keeps its leases until the others take them back (the
// cluster's heartbeat timeout); the event transaction charges each billing
// event to the deciding node's lease, whichever node stores it, or to the
// pool when that lease is gone (store.InsertEvents). So what all nodes spend
// never exceeds the budget.
//
// An engine without a store (unit tests, benchmarks) does not lease: its
// budgets' limits are the budgets.

// LeaseConfig tunes leasing.
type LeaseConfig struct {
	// Interval is how often the leaser tops budgets up and reads what other
	// nodes charged to its leases.
	Interval time.Duration
	// IdleAfter is how long an unused lease is kept before it is returned.
	IdleAfter time.Duration
}

// SetNodes tells the leaser how many nodes share the budgets (it sizes
// slices by it).
func (e *Engine) SetNodes(n int) { e.nodes.Store(int64(max(n, 1))) }

// Node returns this node's ID (see Config.Node).
func (e *Engine) Node() string { return e.cfg.Node }

// periodOf returns the lease period of b at now: 0 for a lifetime budget,
// the local day for a daily one (numbered as the report rollups number the
// advertiser's days, from which the store starts a new pool).
func (b *budget) periodOf(now time.Time) int64 {
	if b.mode != model.BudgetDaily {
		return 0
	}
	day, _ := b.localDay(now)
	return day
}

// slice is how much to lease of b at once: all that the pool has left for
// a node that shares its budgets with no other (SQLite); else half of an
// even share of it, and never more than a quarter of the budget, so that
// the nodes that come next (or that the count of live nodes does not know
// yet: it lags while nodes start) find some left; at least a few billing
// events' worth. b.mu must be held.
func (e *Engine) slice(b *budget) money.Micros {
	room := money.Micros(b.poolRoom.Load())
	if room < 0 {
		room = b.total
	}
	if !e.cfg.Shared {
		return max(room, 1)
	}
	return max(min(room/money.Micros(2*e.nodes.Load()), b.total/4), 4*b.maxPrice, 1)
}

// leaseFor leases a slice of b's current period and records the grant.
// b is read without e.mu: its fields other than the ledger's are written
// only while it is built.
func (e *Engine) leaseFor(ctx context.Context, b *budget, now time.Time) (store.LeaseGrant, error) {
	b.mu.Lock()
	period := b.periodOf(now)
	req := store.LeaseRequest{Node: e.cfg.Node, BudgetID: b.id, Mode: b.mode, Period: period, Want: e.slice(b)}
	if b.paced && b.mode == model.BudgetDaily {
		limit := b.limit
		b.limit = b.total
		req.Cap = max(b.paceLimit(now), 1)
		b.limit = limit
	}
	b.mu.Unlock()
	g, err := e.store.LeaseBudget(ctx, req)
	if err != nil {
		return g, err
	}
	b.granted(e.ledger, period, g, now)
	return g, nil
}

// granted records what this node holds of period after a grant.
func (b *budget) granted(l ledger, period int64, g store.LeaseGrant, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(l, now)
	b.poolRoom.Store(int64(g.Room))
	b.poolCheckedAt.Store(now.UnixNano())
	b.lastGrant = max(g.Granted, b.lastGrant/2)
	b.grantedAt.Store(time.Now().UnixNano())
	// A lease no decision uses is returned IdleAfter after it was granted.
	b.lastUse.CompareAndSwap(0, time.Now().UnixNano())
	if limit, _, _, ok := b.leaseOf(period); ok {
		*limit = g.Lease.Granted
	}
	b.publish()
}

// leaseOf returns the ledger fields of this node's lease of period: its
// limit, what was spent of it and what other nodes' charges to it were
// counted here; the current period's (the lifetime, or the ledger's day)
// or, for a daily budget, the day before's. ok is false for any other
// period. b.mu must be held, and the ledger rolled to now.
func (b *budget) leaseOf(period int64) (limit, spent, foreignSeen *money.Micros, ok bool) {
	switch {
	case b.mode != model.BudgetDaily || period == b.day:
		return &b.limit, &b.spent, &b.foreignSeen, true
	case period == b.day-1:
		return &b.prevLimit, &b.prevSpent, &b.prevForeign, true
	}
	return nil, nil, nil, false
}

// foreign counts what other nodes charged to this node's lease of period
// (foreign is the lease's total so far): as much of the reservations,
// oldest first, becomes spend.
func (b *budget) foreign(l ledger, period int64, foreign money.Micros, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(l, now)
	_, spent, seen, ok := b.leaseOf(period)
	if !ok {
		return
	}
	delta := foreign - *seen
	if delta <= 0 {
		return
	}
	*seen = foreign
	*spent += delta
	for left := delta; left > 0; {
		oldest := -1
		for i := range b.slots {
			s := &b.slots[i]
			if s.amount > 0 && live(s.epoch, b.epoch) && (oldest < 0 || s.epoch < b.slots[oldest].epoch) {
				oldest = i
			}
		}
		if oldest < 0 {
			break
		}
		take := min(left, b.slots[oldest].amount)
		b.slots[oldest].amount -= take
		b.reserved -= take
		left -= take
	}
	b.publish()
}

// endLease records that this node no longer holds a lease of period: no
// room in it until the leaser leases again.
func (b *budget) endLease(l ledger, period int64, now time.Time) {
	b.endLeaseUnlessGrantedSince(l, period, now, 0)
}

// endLeaseUnlessGrantedSince is endLease for a lease that a read of the
// store begun at readAt (UnixNano; 0: always) did not find: it leaves the
// lease alone if it was granted since. The check and the end are one step
// under b.mu, the lock granted holds: checked apart, a grant landing
// between them was wiped out, and the budget had no room until the leaser
// asked again a second later.
func (b *budget) endLeaseUnlessGrantedSince(l ledger, period int64, now time.Time, readAt int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if readAt != 0 && b.grantedAt.Load() >= readAt {
		return
	}
	b.roll(l, now)
	if limit, spent, seen, ok := b.leaseOf(period); ok {
		*limit, *seen = *spent, 0
	}
	b.publish()
}

// clip lowers this node's lease of period to granted, what the store
// holds of it, where that is less: a lowered budget took unspent room back
// (the store's budget edits). Like endLeaseUnlessGrantedSince, it leaves
// alone a lease granted since the read that found granted.
func (b *budget) clip(l ledger, period int64, granted money.Micros, now time.Time, readAt int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.grantedAt.Load() >= readAt {
		return
	}
	b.roll(l, now)
	limit, _, _, ok := b.leaseOf(period)
	if ok && granted < *limit {
		*limit = granted
		b.publish()
	}
}

// leasedBudgets returns the leased budgets of the index in use.
func (e *Engine) leasedBudgets() []*budget {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]*budget, 0, len(e.ix.budIdx))
	for _, i := range e.ix.budIdx {
		if b := e.ix.budgets.at(i); b.leased {
			out = append(out, b)
		}
	}
	return out
}

// RunLeases runs the leaser until ctx is done (Run starts it).
func (e *Engine) runLeases(ctx context.Context) {
	t := time.NewTicker(e.cfg.Lease.Interval)
	defer t.Stop()
	failing := false
	for {
		err := e.tendLeases(ctx)
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			e.log.Warn("budget leases: cannot reach the database; serving from the leases held", "err", err)
			failing = true
		case err == nil && failing:
			e.log.Info("budget leases: database reachable again")
			failing = false
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-e.leaseKick:
		}
	}
}

// kickLeaser wakes the leaser.
func (e *Engine) kickLeaser() { kick(e.leaseKick) }

func kick(c chan struct{}) {
	select {
	case c <- struct{}{}:
	default:
	}
}

// wantMore asks the leaser for more of b, which a decision found without
// room: cheap enough for the decision path (an atomic load when asked
// already).
func (b *budget) wantMore() {
	if b.leased && !b.want.Load() {
		b.want.Store(true)
		kick(b.kick)
	}
}

// tendLeases does one round of the leaser's work.
func (e *Engine) tendLeases(ctx context.Context) error {
	if !e.loaded.Load() {
		return nil
	}
	readAt := time.Now().UnixNano()
	held, err := e.store.NodeLeases(ctx, e.cfg.Node)
	if err != nil {
		return err
	}
	type pk struct {
		id     string
		period int64
	}
	rows := make(map[pk]store.Lease, len(held))
	for _, l := range held {
		rows[pk{l.BudgetID, l.Period}] = l
	}
	now := e.clock.Now()
	idle := time.Now().Add(-e.cfg.Lease.IdleAfter).UnixNano()
	for _, b := range e.leasedBudgets() {
		period := b.periodOf(now)
		periods := []int64{period}
		if b.mode == model.BudgetDaily {
			periods = append(periods, period-1)
		}
		for _, p := range periods {
			l, ok := rows[pk{b.id, p}]
			delete(rows, pk{b.id, p})
			switch {
			case ok:
				b.clip(e.ledger, p, l.Granted, now, readAt)
				b.foreign(e.ledger, p, l.Foreign, now)
			default:
				// Taken back, or never held: unless a grant came after the
				// read (a change's first lease, concurrently), which the
				// read could not see.
				b.endLeaseUnlessGrantedSince(e.ledger, p, now, readAt)
			}
		}
		b.mu.Lock()
		b.roll(e.ledger, now)
		headroom := b.limit - b.spent - b.reserved
		unspent, reserved := b.limit-b.spent, b.reserved
		low := headroom < max(2*b.maxPrice, b.lastGrant/4)
		b.mu.Unlock()
		wanted := b.want.Swap(false)
		recent := b.lastUse.Load() > idle
		switch {
		case (wanted || recent) && low && b.poolRoom.Load() != 0:
			if _, err := e.leaseFor(ctx, b, now); err != nil {
				b.want.Store(true)
				return err
			}
		case wanted && low && b.poolCheckedAt.Load() < time.Now().Add(-time.Second).UnixNano():
			// The pool was empty when last asked: ask again now and then
			// (another node may have returned a lease).
			if _, err := e.leaseFor(ctx, b, now); err != nil {
				return err
			}
		case !recent && !wanted && unspent > 0 && reserved == 0 && b.lastUse.Load() != 0:
			if err := e.store.ReturnLease(ctx, e.cfg.Node, b.id, period); err != nil {
				return err
			}
			b.endLease(e.ledger, period, now)
			b.lastUse.Store(0)
		}
	}
	// Leases of budgets this node no longer has (removed, or of a day gone
	// by): give back what they did not spend.
	for k := range rows {
		if err := e.store.ReturnLease(ctx, e.cfg.Node, k.id, k.period); err != nil {
			return err
		}
	}
	return nil
}

// LeaseAll leases a first slice of every budget that an enabled ad spends
// from and that has none yet, now rather than when a decision first asks:
// for in-process callers (flint demo, tests) that decide right after Load.
// flint serve leases lazily instead, so that start-up does not wait for a
// lease of every budget.
func (e *Engine) LeaseAll(ctx context.Context) error {
	if !e.ledger.leased {
		return nil
	}
	e.mu.RLock()
	var want []*budget
	seen := map[*budget]bool{}
	for _, i := range e.ix.ads {
		en := e.ix.entries.at(i)
		if !en.enabled {
			continue
		}
		for _, b := range [2]*budget{e.ix.budgetAt(en.group), e.ix.budgetAt(en.camp)} {
			if b != nil && !seen[b] {
				seen[b] = true
				want = append(want, b)
			}
		}
	}
	e.mu.RUnlock()
	now := e.clock.Now()
	for _, b := range want {
		b.mu.Lock()
		b.roll(e.ledger, now)
		has := b.limit > b.spent
		b.mu.Unlock()
		if !has {
			if _, err := e.leaseFor(ctx, b, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// StopLeasing ends this node's use of its leases: after it, no decision
// finds room, so that the leases can be returned (store.LeaveCluster) with
// nothing reserved against them. For graceful shutdown, once no requests
// are served.
func (e *Engine) StopLeasing() {
	now := e.clock.Now()
	for _, b := range e.leasedBudgets() {
		period := b.periodOf(now)
		b.endLease(e.ledger, period, now)
		b.endLease(e.ledger, period-1, now)
	}
}

// ForgetLeases drops every lease this node held, for a node that was taken
// for dead (its leases were taken back): it leases again as decisions ask.
func (e *Engine) ForgetLeases() {
	e.StopLeasing()
	for _, b := range e.leasedBudgets() {
		b.want.Store(true)
	}
	e.kickLeaser()
}
