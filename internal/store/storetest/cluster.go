package storetest

import (
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

func init() {
	tests["ChangeLogKinds"] = testChangeLogKinds
	tests["ChangeLogNoSkips"] = testChangeLogNoSkips
	tests["ChangeLogPrune"] = testChangeLogPrune
	tests["LeaseNeverPastBudget"] = testLeaseNeverPastBudget
	tests["DailyPoolStartsFromTheLocalDay"] = testDailyPoolStartsFromTheLocalDay
	tests["LeaseReturnAndReclaim"] = testLeaseReturnAndReclaim
	tests["LeaseCharges"] = testLeaseCharges
	tests["LeaseModeChange"] = testLeaseModeChange
	tests["LeaseClippedWhenBudgetLowered"] = testLeaseClippedWhenBudgetLowered
	tests["TokenBucketShared"] = testTokenBucketShared
}

// logged returns the changes logged after seq.
func (f *fixture) logged(after uint64) []store.LoggedChange {
	f.t.Helper()
	out, err := f.s.ChangesAfter(f.ctx, after, 1000)
	f.check(err, "ChangesAfter(%d)", after)
	return out
}

func (f *fixture) head() uint64 {
	f.t.Helper()
	h, err := f.s.ChangeHead(f.ctx)
	f.check(err, "ChangeHead")
	return h
}

// wantLogged checks that the changes after seq are exactly want, in order,
// numbered seq+1, seq+2, ….
func (f *fixture) wantLogged(after uint64, what string, want ...change.Event) uint64 {
	f.t.Helper()
	got := f.logged(after)
	var evs []change.Event
	for i, c := range got {
		if c.Seq != after+uint64(i)+1 {
			f.t.Fatalf("%s: change %d has seq %d, want %d", what, i, c.Seq, after+uint64(i)+1)
		}
		evs = append(evs, c.Event)
	}
	f.same(evs, want, "%s: logged changes", what)
	return after + uint64(len(got))
}

// testChangeLogKinds: each call that changes what serving or
// authentication depends on logs one change of the right kind; calls that
// change nothing log nothing.
func testChangeLogKinds(f *fixture) {
	adv := f.advertiser()
	l := f.library(adv, t0) // ChangeAuthorization (on), CreateCode, RedeemCode
	seq := f.wantLogged(0, "library", change.Event{Kind: change.Authorization, ID: l.post.ID},
		change.Event{Kind: change.SparkPost, ID: l.sparkPost.ID})
	if h := f.head(); h != seq {
		f.t.Fatalf("ChangeHead = %d, want %d", h, seq)
	}
	// Redeeming again changes nothing.
	_, _, err := f.s.RedeemCode(f.ctx, l.code, l.sparkPost)
	f.check(err, "RedeemCode again")
	// A step that stores nothing logs nothing.
	f.check(f.s.ChangeAuthorization(f.ctx, l.post.ID, func(model.Post, model.Authorization, bool) (store.EpisodeChange, error) {
		return store.EpisodeChange{}, nil
	}), "ChangeAuthorization(no change)")
	seq = f.wantLogged(seq, "no-op calls")

	c := f.campaign(adv.ID, t0)
	g := f.adGroup(c, t0)
	a := f.ad(g, l.sparkPost, t0)
	_, err = f.s.UpdateAd(f.ctx, a.ID, func(a *model.Ad) error { a.Name = "renamed"; return nil })
	f.check(err, "UpdateAd")
	_, err = f.s.UpdateAdGroup(f.ctx, g.ID, func(g *model.AdGroup, _ model.Campaign) error { g.Name = "g2"; return nil })
	f.check(err, "UpdateAdGroup")
	_, err = f.s.UpdateCampaign(f.ctx, c.ID, func(c *model.Campaign, _ []model.AdGroup) error { c.Name = "c2"; return nil })
	f.check(err, "UpdateCampaign")
	_, err = f.s.UpdatePost(f.ctx, l.post.ID, func(p *model.Post) error { p.Caption = "new"; return nil })
	f.check(err, "UpdatePost")
	name := "New name"
	f.check(f.s.UpdateAccount(f.ctx, adv.ID, store.AccountChanges{Name: &name, UpdatedAt: t0}), "UpdateAccount(name)")
	f.check(f.s.UpdateAccount(f.ctx, adv.ID, store.AccountChanges{TokenHash: hash("rotated"), UpdatedAt: t0}),
		"UpdateAccount(token)")
	seq = f.wantLogged(seq, "campaign structure and edits",
		change.Event{Kind: change.Campaign, ID: c.ID}, change.Event{Kind: change.AdGroup, ID: g.ID},
		change.Event{Kind: change.Ad, ID: a.ID}, change.Event{Kind: change.Ad, ID: a.ID},
		change.Event{Kind: change.AdGroup, ID: g.ID}, change.Event{Kind: change.Campaign, ID: c.ID},
		change.Event{Kind: change.Post, ID: l.post.ID}, change.Event{Kind: change.Account, ID: adv.ID},
		change.Event{Kind: change.Credentials, ID: adv.ID})

	// A failed change logs nothing.
	f.wantErr(f.s.UpdateAccount(f.ctx, "acct-missing", store.AccountChanges{Name: &name, UpdatedAt: t0}),
		store.ErrNotFound, "UpdateAccount(missing)")
	l2 := f.library(adv, t0)
	seq = f.head()
	f.check(f.s.DeleteSparkPost(f.ctx, l2.sparkPost.ID), "DeleteSparkPost")
	seq = f.wantLogged(seq, "delete", change.Event{Kind: change.SparkPost, ID: l2.sparkPost.ID})
	// A campaign, its ad group and its ad published together are one
	// change: the ad, which the other nodes read with its ad group and
	// campaign.
	c3 := f.newCampaign(adv.ID, t0)
	g3 := f.newAdGroup(c3, t0)
	a3 := f.newAd(g3, l.sparkPost, t0)
	f.check(f.s.CreateAdTree(f.ctx, &c3, &g3, a3, nil), "CreateAdTree")
	f.wantLogged(seq, "ad tree", change.Event{Kind: change.Ad, ID: a3.ID})
	select {
	case <-f.s.ChangeSignal():
	default:
		f.t.Fatal("ChangeSignal did not fire after changes were logged")
	}
}

// testChangeLogNoSkips: while many changes commit concurrently, a reader
// that asks for the changes after the last one it saw never passes over
// one: every sequence number it sees is the one after the last.
func testChangeLogNoSkips(f *fixture) {
	ads := f.ads(4)
	start := f.head()
	const writers, rounds = 8, 10
	var done atomic.Bool
	var seen []uint64
	var readErr error
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		last := start
		for {
			finished := done.Load()
			got, err := f.s.ChangesAfter(f.ctx, last, 50)
			if err != nil {
				readErr = err
				return
			}
			for _, c := range got {
				seen = append(seen, c.Seq)
				last = c.Seq
			}
			if finished && len(got) == 0 {
				return
			}
		}
	}()
	f.race(writers, func(i int) {
		for r := range rounds {
			_, err := f.s.UpdateAd(f.ctx, ads[(i+r)%len(ads)].ID, func(a *model.Ad) error { a.Name = "x"; return nil })
			if err != nil {
				f.t.Errorf("UpdateAd: %v", err)
			}
		}
	})
	done.Store(true)
	wg.Wait()
	f.check(readErr, "ChangesAfter while writing")
	if len(seen) != writers*rounds {
		f.t.Fatalf("the reader saw %d changes, want %d", len(seen), writers*rounds)
	}
	for i, s := range seen {
		if s != start+uint64(i)+1 {
			f.t.Fatalf("change %d seen with seq %d, want %d: the reader passed over one", i, s, start+uint64(i)+1)
		}
	}
}

func testChangeLogPrune(f *fixture) {
	f.library(f.advertiser(), t0)
	h := f.head()
	n, err := f.s.PruneChanges(f.ctx, time.Now().Add(-time.Hour))
	f.check(err, "PruneChanges(an hour ago)")
	if n != 0 {
		f.t.Fatalf("pruned %d recent changes", n)
	}
	n, err = f.s.PruneChanges(f.ctx, time.Now().Add(time.Minute))
	f.check(err, "PruneChanges(now)")
	if n != int(h) || len(f.logged(0)) != 0 {
		f.t.Fatalf("pruned %d of %d changes", n, h)
	}
	if f.head() != h {
		f.t.Fatal("pruning moved the head back")
	}
	f.library(f.advertiser(), t0)
	if got := f.logged(h); len(got) == 0 || got[0].Seq != h+1 {
		f.t.Fatalf("after pruning, numbering goes on from %d: %v", h, got)
	}
}

// budgetWorld is an ad group (daily budget) under a campaign (lifetime
// budget) with one ad.
type budgetWorld struct {
	c  model.Campaign
	g  model.AdGroup
	ad model.Ad
}

func (f *fixture) budgetWorld(campaignBudget, groupBudget money.Micros) budgetWorld {
	f.t.Helper()
	return f.budgetWorldOf(f.advertiser(), campaignBudget, groupBudget)
}

func (f *fixture) budgetWorldOf(adv model.Account, campaignBudget, groupBudget money.Micros) budgetWorld {
	f.t.Helper()
	l := f.library(adv, t0)
	c := f.campaign(adv.ID, t0)
	if c.Budget != campaignBudget {
		var err error
		c, err = f.s.UpdateCampaign(f.ctx, c.ID, func(c *model.Campaign, _ []model.AdGroup) error {
			c.Budget = campaignBudget
			return nil
		})
		f.check(err, "UpdateCampaign")
	}
	g := f.newAdGroup(c, t0)
	g.Budget = groupBudget
	f.check(f.s.CreateAdGroup(f.ctx, g, nil), "CreateAdGroup")
	return budgetWorld{c: c, g: g, ad: f.ad(g, l.sparkPost, t0)}
}

const day = int64(20000) // a daily budget's period in these tests

func (f *fixture) lease(node, budgetID string, mode model.BudgetMode, period int64, want money.Micros) store.LeaseGrant {
	f.t.Helper()
	g, err := f.s.LeaseBudget(f.ctx, store.LeaseRequest{Node: node, BudgetID: budgetID, Mode: mode, Period: period, Want: want})
	f.check(err, "LeaseBudget(%s, %s)", node, budgetID)
	return g
}

func (f *fixture) leases(node string) map[string]store.Lease {
	f.t.Helper()
	ls, err := f.s.NodeLeases(f.ctx, node)
	f.check(err, "NodeLeases(%s)", node)
	out := map[string]store.Lease{}
	for _, l := range ls {
		out[l.BudgetID] = l
	}
	return out
}

// testLeaseNeverPastBudget: many nodes leasing one budget at once are
// granted at most the budget in all; a lease of the wrong mode gets
// nothing; a pool starts from the spend already rolled up.
func testLeaseNeverPastBudget(f *fixture) {
	w := f.budgetWorld(500*money.PerUnit, 10*money.PerUnit)
	var total atomic.Int64
	f.race(8, func(i int) {
		for range 5 {
			g, err := f.s.LeaseBudget(f.ctx, store.LeaseRequest{Node: string(rune('a' + i)), BudgetID: w.g.ID,
				Mode: model.BudgetDaily, Period: day, Want: money.PerUnit / 3})
			if err != nil {
				f.t.Errorf("LeaseBudget: %v", err)
				return
			}
			total.Add(int64(g.Granted))
		}
	})
	if total.Load() != int64(10*money.PerUnit) {
		f.t.Fatalf("8 nodes were granted %d in all of a budget of %d", total.Load(), 10*money.PerUnit)
	}
	if g := f.lease("z", w.g.ID, model.BudgetDaily, day, money.PerUnit); g.Granted != 0 || g.Room != 0 {
		f.t.Fatalf("a spent budget granted %v (room %v)", g.Granted, g.Room)
	}
	if g := f.lease("z", w.g.ID, model.BudgetLifetime, 0, money.PerUnit); g.Granted != 0 {
		f.t.Fatalf("a lease of the wrong mode was granted %v", g.Granted)
	}
	// Pacing caps what the pool may have granted.
	if g := f.lease("a", w.g.ID, model.BudgetDaily, day+1, 0); g.Granted != 0 {
		f.t.Fatal("a lease of nothing granted something")
	}
	g, err := f.s.LeaseBudget(f.ctx, store.LeaseRequest{Node: "a", BudgetID: w.g.ID, Mode: model.BudgetDaily,
		Period: day + 1, Want: 5 * money.PerUnit, Cap: 2 * money.PerUnit})
	f.check(err, "LeaseBudget(capped)")
	if g.Granted != 2*money.PerUnit || g.Room != 8*money.PerUnit {
		f.t.Fatalf("capped lease: granted %v room %v, want 2 and 8 units", g.Granted, g.Room)
	}
	// The campaign's pool starts from what its ads spent before.
	hour := t0.Truncate(time.Hour)
	ev := paid("e1", model.EventImpression, w.ad, "dec-1", hour, 7*money.PerUnit, "")
	_, err = f.s.InsertEvents(f.ctx, []model.Event{ev})
	f.check(err, "InsertEvents")
	g = f.lease("a", w.c.ID, model.BudgetLifetime, 0, 1000*money.PerUnit)
	if g.Granted != 493*money.PerUnit {
		f.t.Fatalf("lifetime pool after 7 spent: granted %v, want 493 units", g.Granted)
	}
}

// testDailyPoolStartsFromTheLocalDay: a daily budget's pool starts from
// the spend of the advertiser's local day, exact where midnight falls inside
// a UTC hour (Asia/Kathmandu, +05:45): spend decided at 23:50 local is the
// day before's, at 00:05 today's, though both are in the UTC hour 18:00.
// (Pools used to start from the hourly rollups floored to the hour, which
// counted the day before's last 45 minutes as today.)
func testDailyPoolStartsFromTheLocalDay(f *fixture) {
	loc, err := time.LoadLocation("Asia/Kathmandu")
	f.check(err, "LoadLocation")
	adv := f.newAdvertiser(t0)
	adv.Timezone = loc.String()
	w := f.budgetWorldOf(f.createAccount(adv), 500*money.PerUnit, 10*money.PerUnit)
	midnight := time.Date(2025, 3, 20, 0, 0, 0, 0, loc)
	var evs []model.Event
	for i, c := range []struct {
		at    time.Time
		spend money.Micros
	}{{midnight.Add(-10 * time.Minute), 3 * money.PerUnit}, {midnight.Add(5 * time.Minute), 2 * money.PerUnit}} {
		e := paid(fmt.Sprintf("k%d", i), model.EventImpression, w.ad, fmt.Sprintf("dec-k%d", i), c.at, c.spend,
			fmt.Sprintf("once-k%d", i))
		e.DecidedAt = c.at
		evs = append(evs, e)
	}
	_, err = f.s.InsertEvents(f.ctx, evs)
	f.check(err, "InsertEvents")
	today := int64(model.DayOf(midnight, loc))
	if g := f.lease("a", w.g.ID, model.BudgetDaily, today, 100*money.PerUnit); g.Granted != 8*money.PerUnit {
		f.t.Fatalf("today's pool after 2 spent today: granted %v, want 8 units", g.Granted)
	}
	if g := f.lease("a", w.g.ID, model.BudgetDaily, today-1, 100*money.PerUnit); g.Granted != 7*money.PerUnit {
		f.t.Fatalf("yesterday's pool after 3 spent then: granted %v, want 7 units", g.Granted)
	}
}

// testLeaseReturnAndReclaim: what a node did not spend goes back to the
// pool when it returns a lease, leaves, or is taken for dead.
func testLeaseReturnAndReclaim(f *fixture) {
	w := f.budgetWorld(500*money.PerUnit, 10*money.PerUnit)
	for _, n := range []string{"a", "b"} {
		f.check(f.s.JoinCluster(f.ctx, n), "JoinCluster(%s)", n)
	}
	if n, err := f.s.LiveNodes(f.ctx, time.Minute); err != nil || n != 2 {
		f.t.Fatalf("LiveNodes = %d, %v; want 2", n, err)
	}
	f.lease("a", w.g.ID, model.BudgetDaily, day, 4*money.PerUnit)
	f.lease("b", w.g.ID, model.BudgetDaily, day, 4*money.PerUnit)
	// a spends 1 of its 4.
	ev := paid("e1", model.EventImpression, w.ad, "dec-1", t0, money.PerUnit, "")
	ev.Node, ev.Budgets = "a", [2]model.BudgetPeriod{{ID: w.g.ID, Period: day}}
	_, err := f.s.InsertEvents(f.ctx, []model.Event{ev})
	f.check(err, "InsertEvents")
	f.check(f.s.ReturnLease(f.ctx, "a", w.g.ID, day), "ReturnLease")
	if _, ok := f.leases("a")[w.g.ID]; ok {
		f.t.Fatal("a returned lease is still there")
	}
	// 10 - 1 spent - 4 held by b: 5 left.
	if g := f.lease("c", w.g.ID, model.BudgetDaily, day, 100*money.PerUnit); g.Granted != 5*money.PerUnit {
		f.t.Fatalf("after a's return: granted %v, want 5 units", g.Granted)
	}
	f.check(f.s.ReturnLease(f.ctx, "c", w.g.ID, day), "ReturnLease(c)")

	// b falls silent: taken for dead, its 4 come back.
	time.Sleep(5 * time.Millisecond)
	alive, err := f.s.Heartbeat(f.ctx, "a", 7)
	if err != nil || !alive {
		f.t.Fatalf("Heartbeat(a) = %v, %v", alive, err)
	}
	dead, err := f.s.ReclaimDead(f.ctx, 3*time.Millisecond, "a")
	f.check(err, "ReclaimDead")
	f.same(dead, []string{"b"}, "dead nodes")
	if alive, err := f.s.Heartbeat(f.ctx, "b", 0); err != nil || alive {
		f.t.Fatalf("Heartbeat of a reclaimed node = %v, %v; want false", alive, err)
	}
	if g := f.lease("c", w.g.ID, model.BudgetDaily, day, 100*money.PerUnit); g.Granted != 9*money.PerUnit {
		f.t.Fatalf("after b was reclaimed: granted %v, want 9 units", g.Granted)
	}
	f.check(f.s.LeaveCluster(f.ctx, "c"), "LeaveCluster(c)")
	if g := f.lease("d", w.g.ID, model.BudgetDaily, day, 100*money.PerUnit); g.Granted != 9*money.PerUnit {
		f.t.Fatalf("after c left: granted %v, want 9 units", g.Granted)
	}
}

// testLeaseCharges: a billing event is charged to the deciding node's
// leases of both budgets (counted as foreign when another node stores it),
// or straight from the pools when the lease lacks room, or not at all when
// neither has room: then it is stored uncharged.
func testLeaseCharges(f *fixture) {
	w := f.budgetWorld(3*money.PerUnit, 10*money.PerUnit)
	f.lease("a", w.g.ID, model.BudgetDaily, day, 2*money.PerUnit)
	f.lease("a", w.c.ID, model.BudgetLifetime, 0, 2*money.PerUnit)
	budgets := [2]model.BudgetPeriod{{ID: w.g.ID, Period: day}, {ID: w.c.ID, Period: 0}}
	ev := func(id string, charge money.Micros, foreign bool) model.Event {
		e := paid(id, model.EventImpression, w.ad, "dec-"+id, t0, charge, id)
		e.Node, e.Foreign, e.Budgets = "a", foreign, budgets
		return e
	}
	c := newCounters()
	f.insert(c, []model.Event{ev("e1", money.PerUnit, false), ev("e2", money.PerUnit/2, true)},
		model.EventStored, model.EventStored)
	l := f.leases("a")
	if l[w.g.ID].Used != 3*money.PerUnit/2 || l[w.g.ID].Foreign != money.PerUnit/2 || l[w.c.ID].Used != 3*money.PerUnit/2 {
		f.t.Fatalf("leases after charges: %+v", l)
	}
	// Both leases have 0.5 left; the pools have 8 (ad group) and 1
	// (campaign): a charge of 1 comes from the pools.
	events := []model.Event{ev("e3", money.PerUnit, false)}
	f.insert(c, events, model.EventStored)
	if events[0].Charge != money.PerUnit {
		f.t.Fatalf("charge from the pool: %v", events[0].Charge)
	}
	// Now the campaign has 0.5 (its lease) and nothing in its pool: a
	// charge of 1 cannot be paid, and is stored uncharged.
	events = []model.Event{ev("e4", money.PerUnit, false), ev("e5", money.PerUnit/2, false)}
	outcomes, err := f.s.InsertEvents(f.ctx, events)
	f.check(err, "InsertEvents")
	f.same(outcomes, []model.EventOutcome{model.EventStored, model.EventStored}, "outcomes")
	if events[0].Charge != 0 || events[1].Charge != money.PerUnit/2 {
		f.t.Fatalf("charges when the campaign has 0.5 left: %v, %v; want 0, 0.5", events[0].Charge, events[1].Charge)
	}
	c.add(events, outcomes)
	f.verify(c, nil, nil)
	if got := f.adSpend(time.Time{})[w.ad.ID]; got != 3*money.PerUnit {
		f.t.Fatalf("spend %v, want the campaign's budget, 3 units", got)
	}
}

// testLeaseModeChange: a budget whose mode changes starts afresh: its
// pools and leases are forgotten.
func testLeaseModeChange(f *fixture) {
	w := f.budgetWorld(500*money.PerUnit, 10*money.PerUnit)
	f.lease("a", w.g.ID, model.BudgetDaily, day, 4*money.PerUnit)
	_, err := f.s.UpdateAdGroup(f.ctx, w.g.ID, func(g *model.AdGroup, _ model.Campaign) error {
		g.BudgetMode = model.BudgetLifetime
		return nil
	})
	f.check(err, "UpdateAdGroup(mode)")
	if len(f.leases("a")) != 0 {
		f.t.Fatal("leases of the old mode are still there")
	}
	if g := f.lease("a", w.g.ID, model.BudgetLifetime, 0, 100*money.PerUnit); g.Granted != 10*money.PerUnit {
		f.t.Fatalf("the lifetime pool granted %v, want 10 units", g.Granted)
	}
}

// testLeaseClippedWhenBudgetLowered: lowering a budget takes back the
// unspent leased room past its new limit, nodes in order, so that what can
// still be charged never exceeds it; raising it takes nothing back.
func testLeaseClippedWhenBudgetLowered(f *fixture) {
	w := f.budgetWorld(100*money.PerUnit, 50*money.PerUnit)
	f.lease("a", w.c.ID, model.BudgetLifetime, 0, 40*money.PerUnit)
	f.lease("b", w.c.ID, model.BudgetLifetime, 0, 40*money.PerUnit)
	// a spends 10 of its 40.
	budgets := [2]model.BudgetPeriod{{}, {ID: w.c.ID, Period: 0}}
	e := paid("e1", model.EventImpression, w.ad, "dec-e1", t0, 10*money.PerUnit, "e1")
	e.Node, e.Budgets = "a", budgets
	c := newCounters()
	f.insert(c, []model.Event{e}, model.EventStored)

	lower := func(to money.Micros) {
		f.t.Helper()
		_, err := f.s.UpdateCampaign(f.ctx, w.c.ID, func(c *model.Campaign, _ []model.AdGroup) error {
			c.Budget = to
			return nil
		})
		f.check(err, "UpdateCampaign(budget %v)", to)
	}
	granted := func() (a, b money.Micros) {
		f.t.Helper()
		return f.leases("a")[w.c.ID].Granted, f.leases("b")[w.c.ID].Granted
	}
	lower(120 * money.PerUnit) // raised: nothing taken back
	if a, b := granted(); a != 40*money.PerUnit || b != 40*money.PerUnit {
		f.t.Fatalf("after raising the budget, leases %v and %v, want 40 and 40", a, b)
	}
	// Lowered to 50: the pool granted 80, 30 too many; a's unspent 30 go
	// first (a keeps what it spent), b keeps its 40.
	lower(50 * money.PerUnit)
	if a, b := granted(); a != 10*money.PerUnit || b != 40*money.PerUnit {
		f.t.Fatalf("after lowering the budget to 50, leases %v and %v, want 10 and 40", a, b)
	}
	if g := f.lease("c", w.c.ID, model.BudgetLifetime, 0, money.PerUnit); g.Granted != 0 {
		f.t.Fatalf("a new lease after lowering the budget to what is granted got %v", g.Granted)
	}
	// Lowered to 20, under what a spent and b holds: b gives back 30 (its
	// whole room but what a's spend leaves: 10 spent + 10 still leased).
	lower(20 * money.PerUnit)
	if a, b := granted(); a != 10*money.PerUnit || b != 10*money.PerUnit {
		f.t.Fatalf("after lowering the budget to 20, leases %v and %v, want 10 and 10", a, b)
	}
	// What can still be charged: b's 10, and nothing from a or the pool.
	e2 := paid("e2", model.EventImpression, w.ad, "dec-e2", t0, money.PerUnit, "e2")
	e2.Node, e2.Budgets = "a", budgets
	e3 := paid("e3", model.EventImpression, w.ad, "dec-e3", t0, 10*money.PerUnit, "e3")
	e3.Node, e3.Budgets = "b", budgets
	events := []model.Event{e2, e3}
	f.insert(c, events, model.EventStored, model.EventStored)
	if events[0].Charge != 0 || events[1].Charge != 10*money.PerUnit {
		f.t.Fatalf("charges after lowering the budget to 20: a %v, b %v; want 0 and 10", events[0].Charge, events[1].Charge)
	}
	if got := f.adSpend(time.Time{})[w.ad.ID]; got != 20*money.PerUnit {
		f.t.Fatalf("spend %v, want the lowered budget, 20", got)
	}
}

// testTokenBucketShared: concurrent takes from one shared bucket never
// take more than it holds; it refills with time.
func testTokenBucketShared(f *fixture) {
	var ok atomic.Int64
	f.race(12, func(int) {
		took, _, err := f.s.TakeToken(f.ctx, "k", 1, 5, t0)
		if err != nil {
			f.t.Errorf("TakeToken: %v", err)
		}
		if took {
			ok.Add(1)
		}
	})
	if ok.Load() != 5 {
		f.t.Fatalf("%d of 12 takes from a bucket of 5 succeeded", ok.Load())
	}
	took, wait, err := f.s.TakeToken(f.ctx, "k", 1, 5, t0.Add(500*time.Millisecond))
	f.check(err, "TakeToken")
	if took || wait <= 0 || wait > 500*time.Millisecond {
		f.t.Fatalf("half a second later: took=%v wait=%v", took, wait)
	}
	if took, _, _ := f.s.TakeToken(f.ctx, "k", 1, 5, t0.Add(time.Second)); !took {
		f.t.Fatal("a token should be back after a second")
	}
	if took, _, _ := f.s.TakeToken(f.ctx, "other", 1, 5, t0); !took {
		f.t.Fatal("another key has its own bucket")
	}
	n, err := f.s.PruneBuckets(f.ctx, t0.Add(time.Hour))
	f.check(err, "PruneBuckets")
	if n != 2 {
		f.t.Fatalf("pruned %d buckets, want 2", n)
	}
}
