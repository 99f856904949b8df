package measure

import (
	"testing"

	"github.com/flintads/flint/internal/integration"
	"github.com/flintads/flint/internal/money"
)

// TestRevenueRule checks the counting rule on every financial status.
func TestRevenueRule(t *testing.T) {
	const total, refunded = 50 * money.PerUnit, 10 * money.PerUnit
	for _, tc := range []struct {
		status          string
		cancelled, test bool
		revenue         money.Micros
		counted         bool
	}{
		{"paid", false, false, 40 * money.PerUnit, true},
		{"partially_paid", false, false, 40 * money.PerUnit, true},
		{"partially_refunded", false, false, 40 * money.PerUnit, true},
		{"pending", false, false, 0, false},
		{"authorized", false, false, 0, false},
		{"refunded", false, false, 0, false},
		{"voided", false, false, 0, false},
		{"paid", true, false, 0, false},
		{"paid", false, true, 0, false},
	} {
		o := integration.Order{FinancialStatus: tc.status, Total: total, Refunded: refunded, Cancelled: tc.cancelled, Test: tc.test}
		if rev, ok := counts(&o); rev != tc.revenue || ok != tc.counted {
			t.Errorf("%s cancelled=%v test=%v: %v %v, want %v %v", tc.status, tc.cancelled, tc.test, rev, ok, tc.revenue, tc.counted)
		}
	}
	// A fully discounted paid order counts as a purchase worth nothing.
	if rev, ok := counts(&integration.Order{FinancialStatus: "paid"}); rev != 0 || !ok {
		t.Errorf("free order: %v %v", rev, ok)
	}
}

func TestFold(t *testing.T) {
	for _, s := range []string{"Summer Sale", "summer-sale", "SUMMER_SALE", " summer sale "} {
		if fold(s) != "summersale" {
			t.Errorf("fold(%q) = %q", s, fold(s))
		}
	}
}
