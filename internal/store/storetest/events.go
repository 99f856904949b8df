package storetest

import (
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

// organic returns an organic event on a post.
func organic(id string, typ model.EventType, postID string, at time.Time) model.Event {
	return model.Event{ID: id, Type: typ, PostID: postID, ViewerID: "viewer-" + id, At: at}
}

// paid returns an event of ad delivery decision; once, when not empty, is its
// OnceKey.
func paid(id string, typ model.EventType, ad model.Ad, decision string, at time.Time, charge money.Micros, once string) model.Event {
	e := model.Event{ID: id, Type: typ, PostID: ad.PostID, AdID: ad.ID, DecisionID: decision,
		ViewerID: "viewer-" + decision, At: at, Charge: charge}
	if once != "" {
		e.OnceKey = hash(once)
	}
	switch typ {
	case model.EventClick:
		e.ClickID = "click-" + id
	case model.EventComplete:
		e.WatchMS = 15_000
	case model.EventView6s:
		e.WatchMS = 6_000
	}
	return e
}

// counters is what the events stored so far should have added up to.
type counters struct {
	posts map[string]model.PostStats
	ads   map[string]model.AdStats
}

func newCounters() *counters {
	return &counters{posts: map[string]model.PostStats{}, ads: map[string]model.AdStats{}}
}

// add counts the events whose outcome is EventStored.
func (c *counters) add(events []model.Event, outcomes []model.EventOutcome) {
	for i, e := range events {
		if outcomes[i] != model.EventStored {
			continue
		}
		ps := c.posts[e.PostID]
		if e.AdID == "" {
			ps.Organic = ps.Organic.Add(e.Type.Engagement())
			c.posts[e.PostID] = ps
			continue
		}
		ps.Paid = ps.Paid.Add(e.Type.Engagement())
		c.posts[e.PostID] = ps
		s := c.ads[e.AdID]
		switch e.Type {
		case model.EventImpression:
			s.Impressions++
		case model.EventView2s:
			s.Views2s++
		case model.EventView6s:
			s.Views6s++
		case model.EventComplete:
			s.Completes++
		case model.EventClick:
			s.Clicks++
		case model.EventLike:
			s.Likes++
		case model.EventComment:
			s.Comments++
		case model.EventShare:
			s.Shares++
		case model.EventFollow:
			s.Follows++
		}
		s.WatchMS += e.WatchMS
		s.Spend += e.Charge
		c.ads[e.AdID] = s
	}
}

// verify checks PostStats, AdStats and all-time AdSpend against c, asking
// also about the extra IDs, which must have no counters.
func (f *fixture) verify(c *counters, extraPosts, extraAds []string) {
	f.t.Helper()
	postIDs := append(slices.Collect(maps.Keys(c.posts)), extraPosts...)
	ps, err := f.s.PostStats(f.ctx, postIDs)
	f.check(err, "PostStats")
	wantPosts := map[string]model.PostStats{}
	for id, s := range c.posts {
		if s != (model.PostStats{}) {
			wantPosts[id] = s
		}
	}
	f.same(ps, wantPosts, "PostStats")

	adIDs := append(slices.Collect(maps.Keys(c.ads)), extraAds...)
	as, err := f.s.AdStats(f.ctx, adIDs)
	f.check(err, "AdStats")
	f.same(as, c.ads, "AdStats")

	spend := map[string]money.Micros{}
	for id, s := range c.ads {
		if s.Spend != 0 {
			spend[id] = s.Spend
		}
	}
	f.same(f.adSpend(time.Time{}), spend, "AdSpend(all time)")
}

// adSpend calls AdSpend and returns its result as a map, failing on an ad
// listed twice.
func (f *fixture) adSpend(since time.Time) map[string]money.Micros {
	f.t.Helper()
	list, err := f.s.AdSpend(f.ctx, since, nil)
	f.check(err, "AdSpend(%s)", fmtTime(since))
	out := map[string]money.Micros{}
	for _, s := range list {
		if _, dup := out[s.AdID]; dup {
			f.t.Fatalf("AdSpend(%s) lists ad %s twice", fmtTime(since), s.AdID)
		}
		out[s.AdID] = s.Spend
	}
	return out
}

// insert stores a batch, checks its outcomes and counts it into c.
func (f *fixture) insert(c *counters, events []model.Event, want ...model.EventOutcome) {
	f.t.Helper()
	got, err := f.s.InsertEvents(f.ctx, events)
	f.check(err, "InsertEvents")
	if len(got) != len(events) {
		f.t.Fatalf("InsertEvents of %d events returned %d outcomes", len(events), len(got))
	}
	f.same(outcomeNames(got), outcomeNames(want), "InsertEvents outcomes")
	c.add(events, got)
}

func outcomeNames(os []model.EventOutcome) []string {
	out := make([]string, len(os))
	for i, o := range os {
		switch o {
		case model.EventStored:
			out[i] = "stored"
		case model.EventDuplicate:
			out[i] = "duplicate"
		case model.EventReplayed:
			out[i] = "replayed"
		default:
			out[i] = fmt.Sprintf("outcome(%d)", o)
		}
	}
	return out
}

const (
	stored    = model.EventStored
	duplicate = model.EventDuplicate
	replayed  = model.EventReplayed
)

// testEventOutcomes: duplicates and replays of events stored by an earlier
// batch.
func testEventOutcomes(f *fixture) {
	ad := f.ads(1)[0]
	c := newCounters()
	e1 := organic("e1", model.EventLike, ad.PostID, t0)
	e2 := paid("e2", model.EventImpression, ad, "d1", t0, 4_000, "d1/impression")
	e3 := paid("e3", model.EventClick, ad, "d1", t0.Add(time.Second), 500_000, "d1/click")
	f.insert(c, []model.Event{e1, e2, e3}, stored, stored, stored)

	e4 := paid("e4", model.EventImpression, ad, "d1", t0.Add(time.Minute), 4_000, "d1/impression")
	e5 := paid("e5", model.EventComment, ad, "d1", t0.Add(time.Minute), 0, "")
	// A repeated ID is a duplicate whatever else the event says.
	e2b := paid("e2", model.EventImpression, ad, "d9", t0, 9_000, "d9/impression")
	f.insert(c, []model.Event{e1, e4, e5, e2, e2b}, duplicate, replayed, stored, duplicate, duplicate)

	// The duplicate did not use its OnceKey.
	e6 := paid("e6", model.EventImpression, ad, "d9", t0, 4_000, "d9/impression")
	f.insert(c, []model.Event{e6, e3, e4}, stored, duplicate, replayed)
	f.verify(c, []string{"no-such-post"}, []string{"no-such-ad"})
	if got := c.ads[ad.ID]; got.Impressions != 2 || got.Clicks != 1 || got.Comments != 1 || got.Spend != 508_000 {
		f.t.Errorf("expected counters are off: %+v", got) // guards the suite's own arithmetic
	}
}

// testEventOutcomesSameBatch: duplicates and replays inside one batch.
func testEventOutcomesSameBatch(f *fixture) {
	ad := f.ads(1)[0]
	c := newCounters()
	a := paid("a", model.EventImpression, ad, "d1", t0, 1_000, "d1/impression")
	b := paid("b", model.EventClick, ad, "d1", t0, 2_000, "d1/click")
	bReplay := paid("b2", model.EventClick, ad, "d1", t0, 2_000, "d1/click")
	n1 := paid("n1", model.EventShare, ad, "d1", t0, 0, "")
	n2 := paid("n2", model.EventShare, ad, "d1", t0, 0, "")
	o := organic("o", model.EventFollow, ad.PostID, t0)
	f.insert(c, []model.Event{a, a, b, bReplay, n1, n2, a, o, o},
		stored, duplicate, stored, replayed, stored, stored, duplicate, stored, duplicate)

	k1 := paid("k1", model.EventLike, ad, "d2", t0, 0, "d2/like")
	k2 := paid("k2", model.EventLike, ad, "d2", t0, 0, "d2/like")
	k3 := paid("k3", model.EventLike, ad, "d2", t0, 0, "d2/like")
	f.insert(c, []model.Event{k1, k2, k3, k2}, stored, replayed, replayed, replayed)

	// Outcomes are those of storing the batch one event at a time: an ID
	// whose first event was a replay may still be stored by a later event,
	// and an event stored before keeps its OnceKey from a later one.
	k2fresh := paid("k2", model.EventLike, ad, "d3", t0, 0, "d3/like")
	aReplay := paid("a2", model.EventImpression, ad, "d1", t0, 1_000, "d1/impression")
	aFresh := paid("a2", model.EventImpression, ad, "d4", t0, 1_000, "d4/impression")
	l1 := paid("l1", model.EventLike, ad, "d5", t0, 0, "d5/like")
	l1Dup := paid("l1", model.EventLike, ad, "d6", t0, 0, "d6/like")
	l2 := paid("l2", model.EventLike, ad, "d6", t0, 0, "d6/like")
	f.insert(c, []model.Event{k2, k2fresh, aReplay, aFresh, aFresh, l1, l1Dup, l2, a},
		replayed, stored, replayed, stored, duplicate, stored, duplicate, stored, duplicate)
	f.verify(c, nil, nil)
}

// testEventNilOnceKey: repeatable and organic events never conflict with
// each other, however alike they are.
func testEventNilOnceKey(f *fixture) {
	ad := f.ads(1)[0]
	c := newCounters()
	var batch []model.Event
	var want []model.EventOutcome
	for i := range 6 {
		batch = append(batch, paid(fmt.Sprintf("comment-%d", i), model.EventComment, ad, "d1", t0, 0, ""))
		batch = append(batch, organic(fmt.Sprintf("like-%d", i), model.EventLike, ad.PostID, t0))
		want = append(want, stored, stored)
	}
	f.insert(c, batch, want...)
	f.insert(c, []model.Event{
		paid("comment-x", model.EventComment, ad, "d1", t0, 0, ""),
		organic("like-x", model.EventLike, ad.PostID, t0),
	}, stored, stored)
	f.verify(c, nil, nil)
	if got := c.ads[ad.ID].Comments; got != 7 {
		f.t.Errorf("suite arithmetic: %d comments, want 7", got)
	}
}

// testEventCounters: every event type feeds the right counters.
func testEventCounters(f *fixture) {
	ads := f.ads(2)
	x, y := ads[0], ads[1]
	c := newCounters()
	var batch []model.Event
	types := []model.EventType{model.EventImpression, model.EventView2s, model.EventView6s, model.EventComplete,
		model.EventClick, model.EventLike, model.EventComment, model.EventShare, model.EventFollow}
	for i, typ := range types {
		batch = append(batch, organic(fmt.Sprintf("org-x-%d", i), typ, x.PostID, t0))
		batch = append(batch, paid(fmt.Sprintf("paid-x-%d", i), typ, x, "dx", t0, money.Micros(1000+i), "dx/"+typ.String()))
	}
	batch = append(batch,
		paid("paid-x-imp2", model.EventImpression, x, "dx2", t0, 3_000, "dx2/impression"),
		paid("paid-x-comment2", model.EventComment, x, "dx", t0, 0, ""),
		paid("paid-y-imp", model.EventImpression, y, "dy", t0, 7_000, "dy/impression"),
		organic("org-y-share", model.EventShare, y.PostID, t0),
	)
	want := make([]model.EventOutcome, len(batch))
	for i := range want {
		want[i] = stored
	}
	f.insert(c, batch, want...)

	// Spelled out, so that the suite's arithmetic is checked too.
	wantX := model.AdStats{Impressions: 2, Views2s: 1, Views6s: 1, Completes: 1, WatchMS: 21_000, Clicks: 1,
		Likes: 1, Comments: 2, Shares: 1, Follows: 1, Spend: 9*1000 + 36 + 3_000}
	if d := diff(c.ads[x.ID], wantX); d != "" {
		f.t.Fatalf("suite arithmetic:\n%s", d)
	}
	wantPost := model.PostStats{
		Organic: model.Engagement{Views: 1, Likes: 1, Comments: 1, Shares: 1, Follows: 1},
		Paid:    model.Engagement{Views: 2, Likes: 1, Comments: 2, Shares: 1, Follows: 1},
	}
	if d := diff(c.posts[x.PostID], wantPost); d != "" {
		f.t.Fatalf("suite arithmetic:\n%s", d)
	}
	f.verify(c, nil, nil)

	// A second batch adds to the same counters.
	f.insert(c, []model.Event{
		organic("org-x-more", model.EventImpression, x.PostID, t0.Add(time.Minute)),
		paid("paid-x-more", model.EventLike, x, "dx3", t0.Add(time.Minute), 10, "dx3/like"),
	}, stored, stored)
	f.verify(c, nil, nil)

	stats, err := f.s.AdStats(f.ctx, nil)
	f.check(err, "AdStats(nil)")
	if len(stats) != 0 {
		f.t.Errorf("AdStats(nil) = %v, want empty", stats)
	}
}

// testEventRejectedNotCounted: a resent batch changes no counter, even when
// the copies claim other charges and engagement.
func testEventRejectedNotCounted(f *fixture) {
	ad := f.ads(1)[0]
	c := newCounters()
	batch := []model.Event{
		paid("r1", model.EventImpression, ad, "d1", t0, 5_000, "d1/impression"),
		paid("r2", model.EventLike, ad, "d1", t0, 1_000, "d1/like"),
		organic("r3", model.EventShare, ad.PostID, t0),
	}
	f.insert(c, batch, stored, stored, stored)
	f.verify(c, nil, nil)

	resent := slices.Clone(batch)
	for i := range resent {
		resent[i].Charge *= 10
		resent[i].Type = model.EventFollow
	}
	replays := []model.Event{
		paid("r1-again", model.EventImpression, ad, "d1", t0.Add(2*time.Hour), 5_000, "d1/impression"),
		paid("r2-again", model.EventLike, ad, "d1", t0.Add(2*time.Hour), 1_000, "d1/like"),
	}
	f.insert(c, append(resent, replays...), duplicate, duplicate, duplicate, replayed, replayed)
	f.verify(c, nil, nil)
	if got := f.adSpend(t0.Add(time.Hour)); len(got) != 0 {
		f.t.Errorf("AdSpend after the replayed events' hour = %v, want none", got)
	}
}

// testEventAdSpend: AdSpend counts the rollup hours that start at or after
// since.
func testEventAdSpend(f *fixture) {
	ads := f.ads(3)
	x, y, free := ads[0], ads[1], ads[2]
	h := t0.Truncate(time.Hour)
	c := newCounters()
	f.insert(c, []model.Event{
		paid("x0", model.EventClick, x, "dx0", h.Add(10*time.Minute), 100, "dx0/click"),
		paid("x1", model.EventClick, x, "dx1", h.Add(time.Hour+5*time.Minute), 200, "dx1/click"),
		paid("x2", model.EventClick, x, "dx2", h.Add(2*time.Hour+59*time.Minute), 400, "dx2/click"),
		paid("y0", model.EventImpression, y, "dy0", h.Add(30*time.Minute), 1_000, "dy0/impression"),
		paid("free0", model.EventImpression, free, "df0", h, 0, "df0/impression"),
	}, stored, stored, stored, stored, stored)
	// Another batch in an hour already rolled up.
	f.insert(c, []model.Event{
		paid("x1b", model.EventClick, x, "dx1b", h.Add(time.Hour+50*time.Minute), 50, "dx1b/click"),
	}, stored)
	f.verify(c, nil, nil)

	for _, tc := range []struct {
		since time.Time
		want  map[string]money.Micros
	}{
		{time.Time{}, map[string]money.Micros{x.ID: 750, y.ID: 1_000}},
		{h.Add(-24 * time.Hour), map[string]money.Micros{x.ID: 750, y.ID: 1_000}},
		{h, map[string]money.Micros{x.ID: 750, y.ID: 1_000}},
		{h.Add(time.Nanosecond), map[string]money.Micros{x.ID: 650}},
		{h.Add(time.Second), map[string]money.Micros{x.ID: 650}},
		{h.Add(time.Hour), map[string]money.Micros{x.ID: 650}},
		{h.Add(time.Hour + 30*time.Minute), map[string]money.Micros{x.ID: 400}},
		{h.Add(2 * time.Hour), map[string]money.Micros{x.ID: 400}},
		{h.Add(3 * time.Hour), map[string]money.Micros{}},
	} {
		f.same(f.adSpend(tc.since), tc.want, "AdSpend(%s)", fmtTime(tc.since))
	}
	// Of some ads only.
	list, err := f.s.AdSpend(f.ctx, h.Add(time.Hour), []string{x.ID, free.ID, "ad_unknown"})
	f.check(err, "AdSpend of some ads")
	f.same(list, []model.AdSpend{{AdID: x.ID, Spend: 650}}, "AdSpend(%s) of x, free and an unknown ad", fmtTime(h.Add(time.Hour)))
	list, err = f.s.AdSpend(f.ctx, time.Time{}, []string{})
	f.check(err, "AdSpend of no ads")
	f.same(len(list), 0, "AdSpend of no ads")
	stats, err := f.s.AdStats(f.ctx, []string{free.ID})
	f.check(err, "AdStats")
	f.same(stats, map[string]model.AdStats{free.ID: {Impressions: 1}}, "AdStats of an ad without spend")
}

// testEventSpendUnderDecisionHour: an ad event's charge is rolled up under
// the hour of its decision (DecidedAt), its counts under the hour it
// happened, so that spend follows the budgets' clock.
func testEventSpendUnderDecisionHour(f *fixture) {
	ad := f.ads(1)[0]
	h := t0.Truncate(time.Hour)
	c := newCounters()
	late := paid("late0", model.EventImpression, ad, "dl0", h.Add(time.Hour+5*time.Minute), 300, "dl0/impression")
	late.DecidedAt = h.Add(59 * time.Minute)
	same := paid("same0", model.EventImpression, ad, "dl1", h.Add(time.Hour+10*time.Minute), 20, "dl1/impression")
	same.DecidedAt = h.Add(time.Hour + 9*time.Minute)
	f.insert(c, []model.Event{late, same}, stored, stored)
	f.verify(c, nil, nil)
	f.same(f.adSpend(h), map[string]money.Micros{ad.ID: 320}, "AdSpend(%s)", fmtTime(h))
	f.same(f.adSpend(h.Add(time.Hour)), map[string]money.Micros{ad.ID: 20}, "AdSpend(%s): spend of the decision's hour",
		fmtTime(h.Add(time.Hour)))
}

// testEventLargeBatch: a batch longer than one INSERT statement, with
// duplicates and replays across and within its statements.
func testEventLargeBatch(f *fixture) {
	ads := f.ads(2)
	c := newCounters()
	const n = 250
	batch := make([]model.Event, n)
	want := make([]model.EventOutcome, n)
	for i := range batch {
		ad := ads[i%2]
		at := t0.Add(time.Duration(i) * 43 * time.Second)
		if i%2 == 0 {
			batch[i] = paid(fmt.Sprintf("big-%03d", i), model.EventImpression, ad, fmt.Sprintf("d%d", i), at, 10,
				fmt.Sprintf("d%d/impression", i))
		} else {
			batch[i] = paid(fmt.Sprintf("big-%03d", i), model.EventComment, ad, "d", at, 0, "")
		}
		want[i] = stored
	}
	batch[100].ID = batch[99].ID // across the first statement boundary
	want[100] = duplicate
	batch[150].ID = batch[10].ID // a row of the first statement, from the second
	want[150] = duplicate
	batch[220].OnceKey = batch[20].OnceKey // replay across statements
	want[220] = replayed
	batch[249].OnceKey = batch[248].OnceKey // replay inside the last statement
	want[249] = replayed
	f.insert(c, batch, want...)
	f.verify(c, nil, nil)
	total := int64(0)
	for _, s := range c.ads {
		total += s.Impressions + s.Comments
	}
	if total != n-4 {
		f.t.Errorf("suite arithmetic: %d events counted, want %d", total, n-4)
	}

	// The whole batch again: IDs stored before are duplicates, the two
	// replays stay replays.
	for i := range want {
		want[i] = duplicate
	}
	want[220], want[249] = replayed, replayed
	f.insert(c, batch, want...)
	f.verify(c, nil, nil)
}

func testEventEmptyBatch(f *fixture) {
	for _, batch := range [][]model.Event{nil, {}} {
		got, err := f.s.InsertEvents(f.ctx, batch)
		f.check(err, "InsertEvents(%#v)", batch)
		if len(got) != 0 {
			f.t.Errorf("InsertEvents(%#v) = %v, want no outcomes", batch, got)
		}
	}
	f.verify(newCounters(), []string{"p"}, []string{"a"})
}

// testEventUnstorable: a batch holding a value the engine cannot store
// (text that is not UTF-8) is either stored whole or refused whole with
// ErrUnstorable, never half stored and never with another error.
func testEventUnstorable(f *fixture) {
	ad := f.ads(1)[0]
	good := paid("u-good", model.EventImpression, ad, "du0", t0, 100, "du0/impression")
	bad := paid("u-bad", model.EventImpression, ad, "du1", t0, 100, "du1/impression")
	bad.ViewerID = "viewer-\xe2\x82"
	_, err := f.s.InsertEvents(f.ctx, []model.Event{good, bad})
	c := newCounters()
	switch {
	case err == nil:
		c.add([]model.Event{good, bad}, []model.EventOutcome{stored, stored})
	case errors.Is(err, store.ErrUnstorable):
		f.insert(c, []model.Event{good}, stored) // nothing of the refused batch was kept
	default:
		f.t.Fatalf("InsertEvents with invalid UTF-8: %v, want nil or ErrUnstorable", err)
	}
	f.verify(c, nil, nil)
}

// testEventProbeWrite: the write probe succeeds, again and again.
func testEventProbeWrite(f *fixture) {
	for range 2 {
		f.check(f.s.ProbeWrite(f.ctx), "ProbeWrite")
	}
}

// testEventConcurrent: batches stored at once, with distinct events on the
// same posts and ads in different orders, all succeed and count every event.
func testEventConcurrent(f *fixture) { concurrentEvents(f, 0) }

// testEventConcurrentOverlap: the same, with batches sharing some events (as
// when a client resends a batch to another node); each is stored once.
func testEventConcurrentOverlap(f *fixture) { concurrentEvents(f, 10) }

func concurrentEvents(f *fixture, shared int) {
	const workers, batches, own = 4, 5, 30
	ads := f.ads(3)
	all := map[string]model.Event{}
	var plan [workers][batches][]model.Event
	for w := range workers {
		rng := rand.New(rand.NewPCG(uint64(w), 42))
		for b := range batches {
			var batch []model.Event
			for j := range own + shared {
				id := fmt.Sprintf("w%d-b%d-%d", w, b, j)
				if j >= own {
					id = fmt.Sprintf("shared-b%d-%d", b, j) // the same in every worker
				}
				e, ok := all[id]
				if !ok {
					k := len(all)
					ad := ads[k%len(ads)]
					at := t0.Add(time.Duration(k%5) * time.Hour)
					switch k % 3 {
					case 0:
						e = paid(id, model.EventImpression, ad, id, at, 100, id+"/impression")
					case 1:
						e = paid(id, model.EventComment, ad, "d", at, 1, "")
					default:
						e = organic(id, model.EventLike, ad.PostID, at)
					}
					all[id] = e
				}
				batch = append(batch, e)
			}
			rng.Shuffle(len(batch), func(i, j int) { batch[i], batch[j] = batch[j], batch[i] })
			plan[w][b] = batch
		}
	}

	var mu sync.Mutex
	var errs []error
	storedCount := map[string]int{}
	f.race(workers, func(w int) {
		for b := range batches {
			out, err := f.s.InsertEvents(f.ctx, plan[w][b])
			mu.Lock()
			if err != nil {
				errs = append(errs, fmt.Errorf("worker %d batch %d: %w", w, b, err))
			}
			for i, o := range out {
				switch o {
				case model.EventStored:
					storedCount[plan[w][b][i].ID]++
				case model.EventDuplicate:
				default:
					errs = append(errs, fmt.Errorf("worker %d batch %d: %s has outcome %d", w, b, plan[w][b][i].ID, o))
				}
			}
			mu.Unlock()
		}
	})
	for _, err := range errs {
		f.t.Error(err)
	}
	if f.t.Failed() {
		f.t.FailNow()
	}
	c := newCounters()
	for id, e := range all {
		if n := storedCount[id]; n != 1 {
			f.t.Errorf("event %s stored %d times, want once", id, n)
		}
		c.add([]model.Event{e}, []model.EventOutcome{stored})
	}
	f.verify(c, nil, nil)
}
