package delivery

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

// budget is the in-memory account of one ad group's or campaign's budget.
//
// Spend never exceeds the limit: a decision reserves its price on the ad
// group's and the campaign's budget before the ad is returned, and only
// when both have room; the billing event turns the reservation into spend.
// A reservation that is never used is released when its time slot falls out
// of the reservation window, whether or not anything touches the budget:
// the lock-free pre-check on the decision path (room) lets a decision
// through to reserve, which releases what has expired, as soon as the
// oldest reservation is due. A billing event whose reservation is gone
// (released, or lost in a restart) is charged only if the budget still has
// room, and otherwise not at all.
//
// Spend follows one clock, the decision's: a billing event is charged to
// the local day of the decision that priced and reserved it, not to the day
// it arrives, and the store rolls its spend up under the decision's hour,
// so that a restart restores exactly what the ledger counted.
//
// Reservations are kept per time slot rather than per decision, so memory is
// constant per budget however many decisions are outstanding.
type budget struct {
	mu            sync.Mutex
	advertiserKey uint64
	mode          model.BudgetMode
	limit         money.Micros
	loc           *time.Location

	day       int64 // for daily budgets: the local calendar day spent belongs to (see localDay)
	dayEnd    atomic.Int64
	spent     money.Micros // all time, or on day
	prevSpent money.Micros // daily budgets: on the day before day
	reserved  money.Micros
	slots     [slotCount]slot
	epoch     int64 // the newest slot epoch rotated in

	// headroom is limit - spent - reserved, published for lock-free
	// pre-checks on the decision path, and releaseAt the time (Unix
	// micros) at which the oldest reservation leaves the window and
	// headroom is due to grow.
	headroom  atomic.Int64
	releaseAt atomic.Int64

	// A leased budget (every budget of an engine with a store; see
	// lease.go) is this node's share of the budget: limit and spent are
	// this node's lease of the current period (day) and what was charged
	// to it, prevLimit and prevSpent the same for the day before, and
	// total the budget itself. The leaser sets them; the fields below are
	// its own.
	leased        bool
	id            string
	total         money.Micros
	prevLimit     money.Micros
	maxPrice      money.Micros // the highest unit price of an entry on this budget
	paced         bool         // an entry on it paces (standard pacing)
	foreignSeen   money.Micros // of this period's lease, charged by other nodes and counted here
	prevForeign   money.Micros
	lastGrant     money.Micros
	grantedAt     atomic.Int64  // Unix nanos of the last grant
	kick          chan struct{} // wakes the leaser
	want          atomic.Bool   // a decision found no room: the leaser should try to lease more
	lastUse       atomic.Int64  // Unix nanos of the last reservation
	poolRoom      atomic.Int64  // what the budget's pool could still grant when last asked; -1: unknown
	poolCheckedAt atomic.Int64
}

type slot struct {
	epoch  int64
	amount money.Micros
}

// slotCount slots of slotWidth make the reservation window.
const slotCount = 10

// ledger sets the reservation window.
type ledger struct {
	slotWidth int64 // micros
	leased    bool  // budgets are leased (see budget)
	kick      chan struct{}
}

func newLedger(reservationTTL time.Duration) ledger {
	w := reservationTTL.Microseconds() / (slotCount - 2)
	if w < 1 {
		w = 1
	}
	return ledger{slotWidth: w}
}

func (l ledger) epochOf(us int64) int64 { return us / l.slotWidth }

// live reports whether slot epoch ep still holds reservations at nowEpoch.
func live(ep, nowEpoch int64) bool { return ep > nowEpoch-(slotCount-1) && ep <= nowEpoch }

// releaseTime is when the reservations of slot epoch ep leave the window.
func (l ledger) releaseTime(ep int64) int64 { return (ep + slotCount - 1) * l.slotWidth }

// init sets up a zero budget. A leased one has no room until leased.
func (b *budget) init(mode model.BudgetMode, limit money.Micros, loc *time.Location) {
	b.mode, b.limit, b.total, b.loc = mode, limit, limit, loc
	b.releaseAt.Store(math.MaxInt64)
	b.poolRoom.Store(-1)
	b.publish()
}

// lease makes b a leased budget: no room until the leaser grants some.
func (b *budget) lease(id string, kick chan struct{}) {
	b.leased, b.id, b.limit, b.kick = true, id, 0, kick
	b.publish()
}

func newBudget(mode model.BudgetMode, limit money.Micros, loc *time.Location) *budget {
	b := &budget{}
	b.init(mode, limit, loc)
	return b
}

// localDay returns the budget's local day at t, numbered by its calendar
// date (days from 1970-01-01 to that date, whatever the zone's offset, so
// consecutive dates have consecutive numbers even across daylight-saving
// changes), and when it ends (Unix micros).
func (b *budget) localDay(t time.Time) (int64, int64) {
	y, m, d := t.In(b.loc).Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Unix() / 86400, dayStart(y, m, d+1, b.loc).UnixMicro()
}

// dayStart returns the first instant of the local date (y, m, d) in loc
// (d may overflow the month): its midnight, or, where the clocks jump over
// midnight (America/Santiago, Asia/Beirut), the moment they jump.
func dayStart(y int, m time.Month, d int, loc *time.Location) time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, loc)
	ny, nm, nd := time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Date()
	if ty, tm, td := t.Date(); ty != ny || tm != nm || td != nd {
		_, t = t.ZoneBounds() // midnight was skipped: t fell back into the day before
	}
	return t
}

// roll brings the budget to time now: a new local day empties a daily
// budget's spend; slots that left the window give their reservations back.
// b.mu must be held.
func (b *budget) roll(l ledger, now time.Time) {
	us := now.UnixMicro()
	if b.mode == model.BudgetDaily && us >= b.dayEnd.Load() {
		day, end := b.localDay(now)
		newDay := day != b.day && b.day != 0 // not the budget's first day
		switch {
		case day == b.day+1:
			b.day, b.prevSpent, b.spent = day, b.spent, 0
			b.prevLimit, b.prevForeign, b.foreignSeen = b.limit, b.foreignSeen, 0
		case day != b.day:
			b.day, b.prevSpent, b.spent = day, 0, 0
			b.prevLimit, b.prevForeign, b.foreignSeen = 0, 0, 0
		}
		if b.leased && newDay {
			// A new day: nothing leased of it yet.
			b.limit = 0
			b.poolRoom.Store(-1)
			b.want.Store(true)
		}
		b.dayEnd.Store(end)
	}
	ep := l.epochOf(us)
	if ep > b.epoch {
		next := int64(math.MaxInt64)
		for i := range b.slots {
			s := &b.slots[i]
			if s.amount == 0 {
				continue
			}
			if !live(s.epoch, ep) {
				b.reserved -= s.amount
				s.amount = 0
			} else {
				next = min(next, l.releaseTime(s.epoch))
			}
		}
		b.epoch = ep
		b.releaseAt.Store(next)
	}
	b.publish()
}

func (b *budget) publish() { b.headroom.Store(int64(b.limit - b.spent - b.reserved)) }

// room reports, without locking, whether the budget can take price. It may
// be stale by a moment; reserve decides for sure.
func (b *budget) room(price money.Micros, nowUS int64) bool {
	if b.mode == model.BudgetDaily && nowUS >= b.dayEnd.Load() {
		return true // a new day; reserve will roll it over
	}
	if nowUS >= b.releaseAt.Load() {
		return true // reservations have expired; reserve will release them
	}
	return money.Micros(b.headroom.Load()) >= price
}

// paceLimit is what standard pacing allows to be spent and reserved by now.
// Standard pacing spreads a daily budget across the advertiser's day: the
// share of the budget for the part of the day that has passed, plus an
// hour's share as slack. Lifetime budgets are not paced.
func (b *budget) paceLimit(now time.Time) money.Micros {
	if b.mode != model.BudgetDaily {
		return b.limit
	}
	y, m, d := now.In(b.loc).Date()
	start := dayStart(y, m, d, b.loc)
	length := dayStart(y, m, d+1, b.loc).Sub(start) // 23 or 25 hours on DST days
	frac := (now.Sub(start) + time.Hour).Seconds() / length.Seconds()
	if frac >= 1 {
		return b.limit
	}
	return money.Micros(float64(b.limit) * frac)
}

// fits reports whether price fits the budget, and its pacing when paced.
// b.mu must be held and b rolled.
func (b *budget) fits(price money.Micros, paced bool, now time.Time) bool {
	used := b.spent + b.reserved + price
	if used > b.limit {
		return false
	}
	// A leased budget is paced where it is leased: the pool never grants
	// past the pace.
	return !paced || b.leased || used <= b.paceLimit(now)
}

// add reserves price in the slot of epoch ep. b.mu must be held.
func (b *budget) add(l ledger, ep int64, price money.Micros) {
	s := &b.slots[ep%slotCount]
	if s.epoch != ep {
		// The slot is being reused: whatever it held has left the window
		// and roll already gave it back.
		s.epoch, s.amount = ep, 0
	}
	s.amount += price
	b.reserved += price
	if b.leased {
		b.lastUse.Store(time.Now().UnixNano())
	}
	if t := l.releaseTime(ep); t < b.releaseAt.Load() {
		b.releaseAt.Store(t)
	}
	b.publish()
}

// reserve takes price from both budgets (either may be nil) at once, or
// from neither.
func (l ledger) reserve(g, c *budget, price money.Micros, paced bool, now time.Time) bool {
	ep := l.epochOf(now.UnixMicro())
	for _, b := range [2]*budget{g, c} {
		if b != nil {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.roll(l, now)
			if !b.fits(price, paced, now) {
				return false
			}
		}
	}
	for _, b := range [2]*budget{g, c} {
		if b != nil {
			b.add(l, ep, price)
		}
	}
	return true
}

// chargeTicket records what a charge did, so that it can be undone.
type chargeTicket struct {
	g, c     *budget
	days     [2]int64 // the day each budget (g, c) was charged on; see spentOn
	epoch    int64    // the slot whose reservation was used, or -1
	reserved money.Micros
	charged  money.Micros
}

// spentOn returns the spend that a charge on day (a localDay number; any
// value for lifetime budgets) adds to, or nil when the ledger no longer
// keeps that day: a daily budget keeps its current day and the one before.
// b.mu must be held and b rolled.
func (b *budget) spentOn(day int64) *money.Micros {
	switch {
	case b.mode != model.BudgetDaily || day == b.day:
		return &b.spent
	case day == b.day-1:
		return &b.prevSpent
	}
	return nil
}

// charge turns the reservation a decision made at issuedAt into spend of
// price, on the decision's day, or, if that reservation is gone, charges
// price only if both budgets still have room on that day. It returns what
// was charged.
func (l ledger) charge(g, c *budget, issuedAt time.Time, price money.Micros, now time.Time) chargeTicket {
	t := chargeTicket{g: g, c: c, epoch: -1}
	if price <= 0 || (g == nil && c == nil) {
		t.charged = max(price, 0)
		return t
	}
	ep, nowEp := l.epochOf(issuedAt.UnixMicro()), l.epochOf(now.UnixMicro())
	budgets := [2]*budget{g, c}
	for k, b := range budgets {
		if b != nil {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.roll(l, now)
			if b.mode == model.BudgetDaily {
				t.days[k], _ = b.localDay(issuedAt)
			}
		}
	}
	reservedAll := live(ep, nowEp)
	for _, b := range budgets {
		if b != nil {
			s := &b.slots[ep%slotCount]
			reservedAll = reservedAll && s.epoch == ep && s.amount >= price
		}
	}
	if reservedAll {
		t.epoch, t.reserved = ep, price
	} else {
		for k, b := range budgets {
			if b == nil {
				continue
			}
			spent := b.spentOn(t.days[k])
			if spent == nil {
				return t // a day the ledger no longer knows: its room cannot be checked
			}
			used, limit := *spent+price, b.limit
			if spent == &b.spent {
				used += b.reserved
			} else if b.leased {
				limit = b.prevLimit
			}
			if used > limit {
				return t // no room: not charged
			}
		}
	}
	for k, b := range budgets {
		if b == nil {
			continue
		}
		if t.epoch >= 0 {
			b.slots[ep%slotCount].amount -= price
			b.reserved -= price
		}
		if spent := b.spentOn(t.days[k]); spent != nil {
			*spent += price
		}
		b.publish()
	}
	t.charged = price
	return t
}

// undo reverses a charge that was not stored after all.
func (l ledger) undo(t chargeTicket) {
	if t.charged == 0 {
		return
	}
	for k, b := range [2]*budget{t.g, t.c} {
		if b == nil {
			continue
		}
		b.mu.Lock()
		if spent := b.spentOn(t.days[k]); spent != nil {
			*spent -= t.charged
		}
		if t.epoch >= 0 {
			// Give the reservation back if its slot is still there.
			if s := &b.slots[t.epoch%slotCount]; s.epoch == t.epoch && live(t.epoch, b.epoch) {
				s.amount += t.reserved
				b.reserved += t.reserved
				b.releaseAt.Store(min(b.releaseAt.Load(), l.releaseTime(t.epoch)))
			}
		}
		b.publish()
		b.mu.Unlock()
	}
}

// exhausted reports whether the budget cannot take maxPrice now.
func (l ledger) exhausted(b *budget, maxPrice money.Micros, now time.Time) bool {
	if b == nil {
		return false
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.roll(l, now)
	return b.spent+b.reserved+maxPrice > b.limit
}
