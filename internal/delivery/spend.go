package delivery

import (
	"context"
	"slices"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

// A budget that the index creates (at start, for an ad group's or a
// campaign's first ad, or when its mode changes) starts from the spend
// stored in the hourly rollups, which events roll up under the hour of the
// decision that priced them: the same clock the ledger charges by. Lifetime
// budgets take their ads' all-time spend; daily budgets the spend since
// local midnight, and the day before's (for late charges of yesterday's
// decisions). The rollups are hourly, so in a zone whose midnight falls
// inside an hour (India, Nepal, …) the part of that hour before midnight
// counts as today too: a little early, which errs towards not overspending.

// spendWant is a budget whose spend must be read, and the ads that may
// have spent from it.
type spendWant struct {
	mode model.BudgetMode
	loc  *time.Location
	ads  []string
}

// stored is a budget's spend as the rollups have it.
type stored struct {
	spent money.Micros // all time, or today for daily budgets
	prev  money.Micros // daily budgets: the day before
}

// want records that the budget id (of mode, in zone loc) must have its
// spend read, and that adID spends from it.
func want(wants map[string]*spendWant, id string, mode model.BudgetMode, loc *time.Location, adID string) {
	w := wants[id]
	if w == nil {
		w = &spendWant{mode: mode, loc: loc}
		wants[id] = w
	}
	w.ads = append(w.ads, adID)
}

// spendWants lists the budgets that building the entries of ps will create
// in ix.
func (ix *index) spendWants(ps []parts) map[string]*spendWant {
	wants := map[string]*spendWant{}
	for i := range ps {
		p := &ps[i]
		if ix.needsSpend(p.group.ID, p.group.BudgetMode) {
			want(wants, p.group.ID, p.group.BudgetMode, p.loc, p.ad.ID)
		}
		if ix.needsSpend(p.campaign.ID, p.campaign.BudgetMode) {
			want(wants, p.campaign.ID, p.campaign.BudgetMode, p.loc, p.ad.ID)
		}
	}
	return wants
}

// localMidnight returns the start of t's local day in loc, floored to the
// hour the rollups are kept in.
func localMidnight(t time.Time, loc *time.Location) time.Time {
	y, m, d := t.In(loc).Date()
	return dayStart(y, m, d, loc).Truncate(time.Hour)
}

// readSpend reads what the wanted budgets have spent by now. stats, when
// not nil, are the all-time counters of every ad spending from them; all
// says that the wants cover every ad (Load), so the daily spend is read for
// all ads at once instead of by ID.
func readSpend(ctx context.Context, st store.Store, now time.Time, wants map[string]*spendWant,
	stats map[string]model.AdStats, all bool) (map[string]stored, error) {
	out := make(map[string]stored, len(wants))
	if len(wants) == 0 {
		return out, nil
	}
	var lifetimeAds []string
	daily := map[int64][]string{} // local midnight (today's or yesterday's) → ads whose spend since then is needed
	for _, w := range wants {
		switch w.mode {
		case model.BudgetLifetime:
			lifetimeAds = append(lifetimeAds, w.ads...)
		case model.BudgetDaily:
			today := localMidnight(now, w.loc)
			for _, m := range []time.Time{today, localMidnight(today.Add(-time.Hour), w.loc)} {
				daily[m.Unix()] = append(daily[m.Unix()], w.ads...)
			}
		}
	}
	if stats == nil && len(lifetimeAds) > 0 {
		var err error
		if stats, err = st.AdStats(ctx, lifetimeAds); err != nil {
			return nil, err
		}
	}
	// Spend since each distinct midnight, by ad.
	since := make(map[int64]map[string]money.Micros, len(daily))
	for midnight, ads := range daily {
		if all {
			ads = nil
		} else {
			slices.Sort(ads)
			ads = slices.Compact(ads)
		}
		list, err := st.AdSpend(ctx, time.Unix(midnight, 0), ads)
		if err != nil {
			return nil, err
		}
		m := make(map[string]money.Micros, len(list))
		for _, s := range list {
			m[s.AdID] = s.Spend
		}
		since[midnight] = m
	}
	for id, w := range wants {
		var s stored
		switch w.mode {
		case model.BudgetLifetime:
			for _, ad := range w.ads {
				s.spent += stats[ad].Spend
			}
		case model.BudgetDaily:
			today := localMidnight(now, w.loc)
			yesterday := localMidnight(today.Add(-time.Hour), w.loc)
			for _, ad := range w.ads {
				t, y := since[today.Unix()][ad], since[yesterday.Unix()][ad]
				s.spent += t
				s.prev += y - t
			}
		}
		out[id] = s
	}
	return out, nil
}

// restoreSpend sets the spend of the budgets in spend, which building the
// entries has just created.
func (ix *index) restoreSpend(spend map[string]stored) {
	for id, s := range spend {
		b := ix.budget(id)
		if b == nil {
			continue
		}
		b.mu.Lock()
		b.spent, b.prevSpent = s.spent, s.prev
		b.publish()
		b.mu.Unlock()
	}
}
