package delivery

import (
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
// of the reservation window. A billing event whose reservation is gone
// (released, or lost in a restart) is charged only if the budget still has
// room, and otherwise not at all.
//
// Reservations are kept per time slot rather than per decision, so memory is
// constant per budget however many decisions are outstanding.
type budget struct {
	mu            sync.Mutex
	advertiserKey uint64
	mode          model.BudgetMode
	limit         money.Micros
	loc           *time.Location

	day      int64 // for daily budgets: the local day (days since epoch) spent belongs to
	dayEnd   atomic.Int64
	spent    money.Micros
	reserved money.Micros
	slots    [slotCount]slot
	epoch    int64 // the newest slot epoch rotated in

	// headroom is limit - spent - reserved, published for lock-free
	// pre-checks on the decision path.
	headroom atomic.Int64
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

// init sets up a zero budget.
func (b *budget) init(mode model.BudgetMode, limit money.Micros, loc *time.Location) {
	b.mode, b.limit, b.loc = mode, limit, loc
	b.publish()
}

func newBudget(mode model.BudgetMode, limit money.Micros, loc *time.Location) *budget {
	b := &budget{}
	b.init(mode, limit, loc)
	return b
}

// localDay returns the budget's local day number at t and when it ends.
func (b *budget) localDay(t time.Time) (int64, int64) {
	lt := t.In(b.loc)
	y, m, d := lt.Date()
	start := time.Date(y, m, d, 0, 0, 0, 0, b.loc)
	end := start.AddDate(0, 0, 1)
	return start.Unix() / 86400, end.UnixMicro()
}

// roll brings the budget to time now: a new local day empties a daily
// budget's spend; slots that left the window give their reservations back.
// b.mu must be held.
func (b *budget) roll(l ledger, now time.Time) {
	us := now.UnixMicro()
	if b.mode == model.BudgetDaily && us >= b.dayEnd.Load() {
		day, end := b.localDay(now)
		if day != b.day {
			b.day, b.spent = day, 0
		}
		b.dayEnd.Store(end)
	}
	ep := l.epochOf(us)
	if ep > b.epoch {
		for i := range b.slots {
			s := &b.slots[i]
			if s.amount != 0 && !live(s.epoch, ep) {
				b.reserved -= s.amount
				s.amount = 0
			}
		}
		b.epoch = ep
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
	start := time.Date(y, m, d, 0, 0, 0, 0, b.loc)
	length := start.AddDate(0, 0, 1).Sub(start) // 23 or 25 hours on DST days
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
	return !paced || used <= b.paceLimit(now)
}

// add reserves price in the slot of epoch ep. b.mu must be held.
func (b *budget) add(ep int64, price money.Micros) {
	s := &b.slots[ep%slotCount]
	if s.epoch != ep {
		// The slot is being reused: whatever it held has left the window
		// and roll already gave it back.
		s.epoch, s.amount = ep, 0
	}
	s.amount += price
	b.reserved += price
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
			b.add(ep, price)
		}
	}
	return true
}

// chargeTicket records what a charge did, so that it can be undone.
type chargeTicket struct {
	g, c     *budget
	epoch    int64 // the slot whose reservation was used, or -1
	reserved money.Micros
	charged  money.Micros
}

// charge turns the reservation a decision made at issuedAt into spend of
// price, or, if that reservation is gone, charges price only if both
// budgets still have room. It returns what was charged.
func (l ledger) charge(g, c *budget, issuedAt time.Time, price money.Micros, now time.Time) chargeTicket {
	t := chargeTicket{g: g, c: c, epoch: -1}
	if price <= 0 || (g == nil && c == nil) {
		t.charged = max(price, 0)
		return t
	}
	ep, nowEp := l.epochOf(issuedAt.UnixMicro()), l.epochOf(now.UnixMicro())
	budgets := [2]*budget{g, c}
	for _, b := range budgets {
		if b != nil {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.roll(l, now)
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
		for _, b := range budgets {
			if b != nil && b.spent+b.reserved+price > b.limit {
				return t // no room: not charged
			}
		}
	}
	for _, b := range budgets {
		if b == nil {
			continue
		}
		if t.epoch >= 0 {
			b.slots[ep%slotCount].amount -= price
			b.reserved -= price
		}
		b.spent += price
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
	for _, b := range [2]*budget{t.g, t.c} {
		if b == nil {
			continue
		}
		b.mu.Lock()
		b.spent -= t.charged
		if t.epoch >= 0 {
			// Give the reservation back if its slot is still there.
			if s := &b.slots[t.epoch%slotCount]; s.epoch == t.epoch && live(t.epoch, b.epoch) {
				s.amount += t.reserved
				b.reserved += t.reserved
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
