package delivery

import "github.com/flintads/flint/internal/model"

// A budget that the index creates (at start, for an ad group's or a
// campaign's first ad, or when its mode changes) has no room until this
// node leases some of it (lease.go). The pool it leases from starts, in the
// database, from the spend already stored, which events roll up under the
// time of the decision that priced them: the same clock the ledger charges
// by. Lifetime budgets take their ads' all-time spend (the hourly
// rollups); daily budgets the spend of the advertiser's local day (the
// report rollups of that day, exact in every zone, :30 and :45 offsets
// included).

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
