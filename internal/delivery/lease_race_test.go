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
