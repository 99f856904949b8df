package delivery

import (
	"testing"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

// TestLeaserKeepsAGrantItCouldNotHaveRead: the leaser reads the node's
// leases, finds none of a budget, and ends its lease; meanwhile the change
// that created the budget was granted its first lease. Ending it wiped the
// grant out, and a freshly created ad had no room until the leaser asked
// again a second later (a decision made then found no runner-up and was
// priced at the floor: api's TestDailySpendFollowsTheDecisionClock failed
// that way under load). A lease granted after the read began stays.
func TestLeaserKeepsAGrantItCouldNotHaveRead(t *testing.T) {
	l := newLedger(time.Minute)
	b := newBudget(model.BudgetLifetime, 20_000, time.UTC)
	b.leased = true

	readAt := time.Now().UnixNano() // the leaser's read begins, and finds no lease
	b.granted(l, 0, store.LeaseGrant{Granted: 20_000, Lease: store.Lease{Granted: 20_000}}, t0)
	b.endLeaseUnlessGrantedSince(l, 0, t0, readAt)
	if !b.room(10_000, t0.UnixMicro()) {
		t.Fatalf("a lease granted after the leaser's read was ended: limit %d", b.limit)
	}

	// A lease the read should have found and did not was taken back.
	b.endLeaseUnlessGrantedSince(l, 0, t0, time.Now().UnixNano())
	if b.room(10_000, t0.UnixMicro()) {
		t.Fatalf("a lease taken back still has room: limit %d", b.limit)
	}
}

// TestClipLowersTheLease: the store took leased room back (the budget was
// lowered); the leaser's read finds the smaller grant and the budget serves
// only from it, unless the lease was granted since the read began.
func TestClipLowersTheLease(t *testing.T) {
	l := newLedger(time.Minute)
	b := newBudget(model.BudgetLifetime, 20_000, time.UTC)
	b.leased = true
	b.granted(l, 0, store.LeaseGrant{Granted: 20_000, Lease: store.Lease{Granted: 20_000}}, t0)
	if !b.room(15_000, t0.UnixMicro()) {
		t.Fatalf("no room in a lease of 20,000: limit %d", b.limit)
	}

	b.clip(l, 0, 10_000, t0, time.Now().UnixNano())
	if b.room(15_000, t0.UnixMicro()) || !b.room(8_000, t0.UnixMicro()) {
		t.Fatalf("after the store clipped the lease to 10,000: limit %d", b.limit)
	}
	b.clip(l, 0, 30_000, t0, time.Now().UnixNano()) // clip never raises
	if b.limit != 10_000 {
		t.Fatalf("a larger grant read back raised the limit to %d", b.limit)
	}

	readAt := time.Now().UnixNano()
	b.granted(l, 0, store.LeaseGrant{Granted: 20_000, Lease: store.Lease{Granted: 30_000}}, t0)
	b.clip(l, 0, 10_000, t0, readAt) // a read from before that grant
	if b.limit != 30_000 {
		t.Fatalf("a grant made after the read was clipped: limit %d", b.limit)
	}
}
