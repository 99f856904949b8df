package delivery

import (
	"time"

	"github.com/flintads/flint/internal/model"
)

// A budget that the index creates (at start, for an ad group's or a
// campaign's first ad, or when its mode changes) has no room until this
// node leases some of it (lease.go). The pool it leases from starts, in the
// database, from the spend stored in the hourly rollups, which events roll
// up under the hour of the decision that priced them: the same clock the
// ledger charges by. Lifetime budgets take their ads' all-time spend; daily
// budgets the spend since local midnight. The rollups are hourly, so in a
// zone whose midnight falls inside an hour (India, Nepal, …) the part of
// that hour before midnight counts as today too: a little early, which
// errs towards not overspending.

// newBudgets returns the IDs of the budgets that building the entries of ps
// will create in ix.
func (ix *index) newBudgets(ps []parts) []string {
	var out []string
	seen := map[string]bool{}
	for i := range ps {
		p := &ps[i]
		for _, b := range [2]struct {
			id   string
			mode model.BudgetMode
		}{{p.group.ID, p.group.BudgetMode}, {p.campaign.ID, p.campaign.BudgetMode}} {
			if !seen[b.id] && ix.needsSpend(b.id, b.mode) {
				seen[b.id] = true
				out = append(out, b.id)
			}
		}
	}
	return out
}

// localMidnight returns the start of t's local day in loc, floored to the
// hour the rollups are kept in.
func localMidnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return dayStart(y, m, d, loc).Truncate(time.Hour)
}
