package storetest

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

func testAuthorizationRoundTrip(f *fixture) {
	c := f.creator()
	p := f.post(c.ID, t0)
	// A fresh episode: no code generated yet, so its window times are zero.
	a := model.Authorization{
		ID: "auth-rt", PostID: p.ID, CreatorID: c.ID, Days: 60, TermsVersion: "2025-01",
		TermsAcceptedAt: t0, CreatedAt: t0.Add(time.Millisecond), UpdatedAt: t0.Add(time.Millisecond), Version: 1,
	}
	f.startEpisode(a)
	got, err := f.s.GetAuthorization(f.ctx, a.ID)
	f.check(err, "GetAuthorization")
	f.same(got, a, "GetAuthorization")
	if !got.GeneratedAt.IsZero() || !got.ExpiresAt.IsZero() || !got.RevokedAt.IsZero() {
		f.t.Errorf("zero times read back as generated %s, expires %s, revoked %s",
			fmtTime(got.GeneratedAt), fmtTime(got.ExpiresAt), fmtTime(got.RevokedAt))
	}

	a.GeneratedAt = t0.Add(time.Minute)
	a.ExpiresAt = a.GeneratedAt.AddDate(0, 0, 60)
	a.UpdatedAt = a.GeneratedAt
	a.Version = 2
	f.same(f.changeEpisode(p.ID, func(e *model.Authorization) { *e = a }), a, "episode stored by generating")
	got, err = f.s.GetAuthorization(f.ctx, a.ID)
	f.check(err, "GetAuthorization")
	f.same(got, a, "GetAuthorization after generating")

	a.Days = 365
	a.TermsVersion = "2025-06"
	a.TermsAcceptedAt = t0.Add(24 * time.Hour)
	a.ExpiresAt = a.GeneratedAt.AddDate(0, 0, 365)
	a.RevokedAt = t0.Add(48 * time.Hour)
	a.UpdatedAt = a.RevokedAt
	f.changeEpisode(p.ID, func(e *model.Authorization) { *e = a })
	a.Version = 3
	got, err = f.s.GetAuthorization(f.ctx, a.ID)
	f.check(err, "GetAuthorization")
	f.same(got, a, "GetAuthorization after extending and revoking")

	_, err = f.s.GetAuthorization(f.ctx, "no-such-auth")
	f.wantErr(err, store.ErrNotFound, "GetAuthorization(unknown)")
	err = f.s.ChangeAuthorization(f.ctx, "no-such-post", func(model.Post, model.Authorization, bool) (store.EpisodeChange, error) {
		f.t.Error("step called for an unknown post")
		return store.EpisodeChange{}, nil
	})
	f.wantErr(err, store.ErrNotFound, "ChangeAuthorization(unknown post)")
	dup := a
	dup.CreatedAt = t0
	err = f.s.ChangeAuthorization(f.ctx, p.ID, func(model.Post, model.Authorization, bool) (store.EpisodeChange, error) {
		return store.EpisodeChange{New: &dup}, nil
	})
	f.wantErr(err, store.ErrConflict, "a new episode with a taken ID")
	got, err = f.s.CurrentAuthorization(f.ctx, p.ID)
	f.check(err, "CurrentAuthorization after a refused change")
	f.same(got, a, "current episode after a refused change")
}

func testAuthorizationCurrent(f *fixture) {
	c := f.creator()
	p, q := f.post(c.ID, t0), f.post(c.ID, t0)
	_, err := f.s.CurrentAuthorization(f.ctx, p.ID)
	f.wantErr(err, store.ErrNotFound, "CurrentAuthorization before any episode")

	f.authorization(p, t0)
	f.authorization(p, t0.Add(time.Hour))
	// Stored last, though dated between the two: current.
	third := f.authorization(p, t0.Add(30*time.Minute))
	// Another post's later episode does not count.
	other := f.authorization(q, t0.Add(2*time.Hour))

	got, err := f.s.CurrentAuthorization(f.ctx, p.ID)
	f.check(err, "CurrentAuthorization(p)")
	f.same(got, third, "CurrentAuthorization(p)")
	got, err = f.s.CurrentAuthorization(f.ctx, q.ID)
	f.check(err, "CurrentAuthorization(q)")
	f.same(got, other, "CurrentAuthorization(q)")
	_, err = f.s.CurrentAuthorization(f.ctx, "no-such-post")
	f.wantErr(err, store.ErrNotFound, "CurrentAuthorization(unknown post)")

	// The step sees the post and the current episode; an error stores nothing.
	boom := errors.New("refused")
	err = f.s.ChangeAuthorization(f.ctx, p.ID, func(gotP model.Post, cur model.Authorization, ok bool) (store.EpisodeChange, error) {
		f.same(gotP, p, "post seen by the step")
		if !ok || cur.ID != third.ID {
			f.t.Errorf("step saw current %q (ok %v), want %q", cur.ID, ok, third.ID)
		}
		a := f.newEpisode(p, t0.Add(3*time.Hour))
		return store.EpisodeChange{New: &a}, boom
	})
	f.wantErr(err, boom, "ChangeAuthorization with a failing step")
	got, err = f.s.CurrentAuthorization(f.ctx, p.ID)
	f.check(err, "CurrentAuthorization(p)")
	f.same(got, third, "CurrentAuthorization(p) after a failed step")
	// Only the current episode can be updated.
	err = f.s.ChangeAuthorization(f.ctx, p.ID, func(_ model.Post, cur model.Authorization, _ bool) (store.EpisodeChange, error) {
		return store.EpisodeChange{Updated: &other}, nil
	})
	if err == nil {
		f.t.Error("ChangeAuthorization updated another post's episode")
	}
}

// testAuthorizationOneCurrent: steps on one post run one at a time, so that
// of many concurrent "turn on if off" steps exactly one starts an episode,
// and an update made from a stale read is impossible.
func testAuthorizationOneCurrent(f *fixture) {
	c := f.creator()
	p := f.post(c.ID, t0)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, 2*n)
	for i := range n {
		wg.Add(2)
		go func() {
			defer wg.Done()
			errs <- f.s.ChangeAuthorization(f.ctx, p.ID, func(_ model.Post, _ model.Authorization, ok bool) (store.EpisodeChange, error) {
				if ok {
					return store.EpisodeChange{}, nil
				}
				a := model.Authorization{ID: fmt.Sprintf("auth-race-%d", i), CreatorID: c.ID, Days: 7, TermsVersion: "v",
					TermsAcceptedAt: t0, CreatedAt: t0, UpdatedAt: t0}
				return store.EpisodeChange{New: &a}, nil
			})
		}()
		go func() {
			defer wg.Done()
			// Count steps: each adds a day to the current episode, if any.
			errs <- f.s.ChangeAuthorization(f.ctx, p.ID, func(_ model.Post, cur model.Authorization, ok bool) (store.EpisodeChange, error) {
				if !ok {
					return store.EpisodeChange{}, nil
				}
				cur.Days++
				return store.EpisodeChange{Updated: &cur}, nil
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		f.check(err, "concurrent ChangeAuthorization")
	}
	all, err := f.s.ListAuthorizations(f.ctx)
	f.check(err, "ListAuthorizations")
	if len(all) != 1 {
		f.t.Fatalf("%d episodes after concurrent starts, want 1", len(all))
	}
	cur, err := f.s.CurrentAuthorization(f.ctx, p.ID)
	f.check(err, "CurrentAuthorization")
	if added := cur.Days - 7; int64(added) != cur.Version-1 {
		f.t.Errorf("episode has %d days added over version %d: an update was lost", added, cur.Version)
	}
}

// newEpisode returns an episode on p that is not stored.
func (f *fixture) newEpisode(p model.Post, at time.Time) model.Authorization {
	return model.Authorization{ID: f.id("auth"), PostID: p.ID, CreatorID: p.CreatorID, Days: 7, TermsVersion: "v",
		TermsAcceptedAt: at, CreatedAt: at, UpdatedAt: at, Version: 1}
}

func testAuthorizationList(f *fixture) {
	got, err := f.s.ListAuthorizations(f.ctx)
	f.check(err, "ListAuthorizations (empty)")
	if len(got) != 0 {
		f.t.Fatalf("ListAuthorizations on an empty store = %d episodes", len(got))
	}
	c := f.creator()
	p, q := f.post(c.ID, t0), f.post(c.ID, t0)
	want := []model.Authorization{
		f.authorization(p, t0.Add(time.Hour)),
		f.authorization(q, t0),
		f.authorization(p, t0.Add(2*time.Hour)),
	}
	got, err = f.s.ListAuthorizations(f.ctx)
	f.check(err, "ListAuthorizations")
	byID := func(a, b model.Authorization) int { return strings.Compare(a.ID, b.ID) }
	slices.SortFunc(got, byID)
	slices.SortFunc(want, byID)
	f.same(got, want, "ListAuthorizations")
}

func testCodeRoundTrip(f *fixture) {
	c := f.creator()
	adv := f.advertiser()
	a := f.authorization(f.post(c.ID, t0), t0)
	open := model.AdCode{ID: "code-open", AuthorizationID: a.ID, PostID: a.PostID, Hash: hash("ABCD-1234"),
		CreatedAt: t0.Add(time.Second)}
	restricted := model.AdCode{ID: "code-restricted", AuthorizationID: a.ID, PostID: a.PostID,
		Hash: hash("WXYZ-9876"), AdvertiserID: adv.ID, MaxRedemptions: 5, CreatedAt: t0.Add(2 * time.Second)}
	for _, want := range []model.AdCode{open, restricted} {
		f.check(f.s.CreateCode(f.ctx, want), "CreateCode(%s)", want.ID)
		got, err := f.s.CodeByHash(f.ctx, want.Hash)
		f.check(err, "CodeByHash(%s)", want.ID)
		f.same(got, want, "CodeByHash(%s)", want.ID)
	}
	dup := open
	dup.ID = "code-dup"
	f.wantErr(f.s.CreateCode(f.ctx, dup), store.ErrConflict, "CreateCode with a taken hash")
	_, err := f.s.CodeByHash(f.ctx, hash("no-such-code"))
	f.wantErr(err, store.ErrNotFound, "CodeByHash(unknown)")
	got, err := f.s.CodeByHash(f.ctx, open.Hash)
	f.check(err, "CodeByHash")
	f.same(got, open, "CodeByHash after a conflicting create")
}

func testRedeemFirst(f *fixture) {
	c, adv := f.creator(), f.advertiser()
	code := f.code(f.authorization(f.post(c.ID, t0), t0), 0)
	entry := f.redeem(code, c.ID, adv.ID, t0.Add(time.Hour))
	got, err := f.s.GetSparkPost(f.ctx, entry.ID)
	f.check(err, "GetSparkPost")
	f.same(got, entry, "GetSparkPost after RedeemCode")
	if n := f.codeRedemptions(code); n != 1 {
		f.t.Errorf("Redemptions = %d after the first redemption, want 1", n)
	}
}

func testRedeemIdempotent(f *fixture) {
	c, adv := f.creator(), f.advertiser()
	code := f.code(f.authorization(f.post(c.ID, t0), t0), 0)
	first := f.redeem(code, c.ID, adv.ID, t0.Add(time.Hour))
	for i := range 2 {
		again := f.newSparkPost(code, c.ID, adv.ID, t0.Add(2*time.Hour))
		entry, created, err := f.s.RedeemCode(f.ctx, code, again)
		f.check(err, "RedeemCode again (%d)", i)
		if created {
			f.t.Errorf("RedeemCode again (%d): created = true, want false", i)
		}
		f.same(entry, first, "RedeemCode again (%d) returns the existing entry", i)
		_, err = f.s.GetSparkPost(f.ctx, again.ID)
		f.wantErr(err, store.ErrNotFound, "GetSparkPost of the unused entry ID")
	}
	if n := f.codeRedemptions(code); n != 1 {
		f.t.Errorf("Redemptions = %d after redeeming twice, want 1", n)
	}
	list, err := f.s.ListSparkPosts(f.ctx, adv.ID)
	f.check(err, "ListSparkPosts")
	f.same(list, []model.SparkPost{first}, "library after redeeming twice")
}

func testRedeemLimit(f *fixture) {
	c := f.creator()
	a1, a2 := f.advertiser(), f.advertiser()
	code := f.code(f.authorization(f.post(c.ID, t0), t0), 1)
	first := f.redeem(code, c.ID, a1.ID, t0)

	sp := f.newSparkPost(code, c.ID, a2.ID, t0.Add(time.Minute))
	_, _, err := f.s.RedeemCode(f.ctx, code, sp)
	f.wantErr(err, store.ErrLimitReached, "RedeemCode by a second advertiser of a single-use code")
	_, err = f.s.GetSparkPost(f.ctx, sp.ID)
	f.wantErr(err, store.ErrNotFound, "GetSparkPost of the refused entry")
	list, err := f.s.ListSparkPosts(f.ctx, a2.ID)
	f.check(err, "ListSparkPosts")
	if len(list) != 0 {
		f.t.Errorf("refused advertiser's library has %d entries, want none", len(list))
	}
	if n := f.codeRedemptions(code); n != 1 {
		f.t.Errorf("Redemptions = %d after a refused redemption, want 1", n)
	}

	// The advertiser that did redeem it may redeem it again.
	entry, created, err := f.s.RedeemCode(f.ctx, code, f.newSparkPost(code, c.ID, a1.ID, t0.Add(time.Hour)))
	f.check(err, "RedeemCode again by the first advertiser at the limit")
	if created {
		f.t.Error("RedeemCode again at the limit: created = true, want false")
	}
	f.same(entry, first, "RedeemCode again at the limit")
}

func testRedeemUnlimited(f *fixture) {
	c := f.creator()
	code := f.code(f.authorization(f.post(c.ID, t0), t0), 0)
	for i := range 5 {
		f.redeem(code, c.ID, f.advertiser().ID, t0.Add(time.Duration(i)*time.Minute))
	}
	if n := f.codeRedemptions(code); n != 5 {
		f.t.Errorf("Redemptions = %d after five advertisers, want 5", n)
	}
	code2 := f.code(f.authorization(f.post(c.ID, t0), t0), 3)
	for range 3 {
		f.redeem(code2, c.ID, f.advertiser().ID, t0)
	}
	if n := f.codeRedemptions(code2); n != 3 {
		f.t.Errorf("Redemptions = %d after three of three, want 3", n)
	}
}

// testRedeemRepoint: an advertiser that has the post from an older episode
// redeems a code of the new one; its entry moves to the new episode.
func testRedeemRepoint(f *fixture) {
	c, adv := f.creator(), f.advertiser()
	p := f.post(c.ID, t0)
	old := f.authorization(p, t0)
	oldCode := f.code(old, 0)
	first := f.redeem(oldCode, c.ID, adv.ID, t0.Add(time.Hour))

	old = f.changeEpisode(p.ID, func(a *model.Authorization) { a.RevokedAt = t0.Add(2 * time.Hour) })
	cur := f.authorization(p, t0.Add(3*time.Hour))
	newCode := f.code(cur, 0)

	at := t0.Add(4 * time.Hour)
	sp := f.newSparkPost(newCode, c.ID, adv.ID, at)
	entry, created, err := f.s.RedeemCode(f.ctx, newCode, sp)
	f.check(err, "RedeemCode of the new episode's code")
	if created {
		f.t.Error("RedeemCode re-pointing an entry: created = true, want false")
	}
	want := first
	want.AuthorizationID, want.CodeID, want.UpdatedAt = cur.ID, newCode.ID, at
	f.same(entry, want, "re-pointed entry")
	got, err := f.s.GetSparkPost(f.ctx, first.ID)
	f.check(err, "GetSparkPost")
	f.same(got, want, "GetSparkPost after re-pointing")
	_, err = f.s.GetSparkPost(f.ctx, sp.ID)
	f.wantErr(err, store.ErrNotFound, "GetSparkPost of the unused entry ID")
	if n := f.codeRedemptions(newCode); n != 1 {
		f.t.Errorf("new code's Redemptions = %d, want 1", n)
	}
	if n := f.codeRedemptions(oldCode); n != 1 {
		f.t.Errorf("old code's Redemptions = %d, want 1", n)
	}
	list, err := f.s.ListSparkPosts(f.ctx, adv.ID)
	f.check(err, "ListSparkPosts")
	f.same(list, []model.SparkPost{want}, "library after re-pointing")
	pas, err := f.s.PostAdvertisers(f.ctx, p.ID)
	f.check(err, "PostAdvertisers")
	f.same(pas, []model.PostAdvertiser{{AdvertiserID: adv.ID, Name: adv.Name, Authorization: cur,
		AddedAt: first.AddedAt}}, "PostAdvertisers after re-pointing")
}

// testRedeemSameEpisode: a second code of the same episode counts as a
// redemption of that code and points the entry at it.
func testRedeemSameEpisode(f *fixture) {
	c, adv := f.creator(), f.advertiser()
	a := f.authorization(f.post(c.ID, t0), t0)
	c1, c2 := f.code(a, 0), f.code(a, 1)
	first := f.redeem(c1, c.ID, adv.ID, t0.Add(time.Hour))
	at := t0.Add(2 * time.Hour)
	entry, created, err := f.s.RedeemCode(f.ctx, c2, f.newSparkPost(c2, c.ID, adv.ID, at))
	f.check(err, "RedeemCode of a second code")
	if created {
		f.t.Error("RedeemCode of a second code: created = true, want false")
	}
	want := first
	want.CodeID, want.UpdatedAt = c2.ID, at
	f.same(entry, want, "entry after redeeming a second code of the episode")
	if n := f.codeRedemptions(c2); n != 1 {
		f.t.Errorf("second code's Redemptions = %d, want 1", n)
	}
	// c2 is now used up for everyone else.
	_, _, err = f.s.RedeemCode(f.ctx, c2, f.newSparkPost(c2, c.ID, f.advertiser().ID, at))
	f.wantErr(err, store.ErrLimitReached, "RedeemCode of a used-up second code")
}

// testRedeemOldCodeAgain: redeeming a code the advertiser redeemed before
// changes nothing, even when its entry has since moved to a newer episode.
func testRedeemOldCodeAgain(f *fixture) {
	c, adv := f.creator(), f.advertiser()
	p := f.post(c.ID, t0)
	oldCode := f.code(f.authorization(p, t0), 0)
	f.redeem(oldCode, c.ID, adv.ID, t0.Add(time.Hour))
	newCode := f.code(f.authorization(p, t0.Add(2*time.Hour)), 0)
	moved, created, err := f.s.RedeemCode(f.ctx, newCode, f.newSparkPost(newCode, c.ID, adv.ID, t0.Add(3*time.Hour)))
	f.check(err, "RedeemCode of the new code")
	if created || moved.CodeID != newCode.ID {
		f.t.Fatalf("RedeemCode of the new code = %+v, created %v; want the entry moved to %s", moved, created, newCode.ID)
	}

	entry, created, err := f.s.RedeemCode(f.ctx, oldCode, f.newSparkPost(oldCode, c.ID, adv.ID, t0.Add(4*time.Hour)))
	f.check(err, "RedeemCode of the old code again")
	if created {
		f.t.Error("RedeemCode of the old code again: created = true, want false")
	}
	f.same(entry, moved, "RedeemCode of the old code again returns the entry unchanged")
	got, err := f.s.GetSparkPost(f.ctx, moved.ID)
	f.check(err, "GetSparkPost")
	f.same(got, moved, "entry after redeeming the old code again")
	if n := f.codeRedemptions(oldCode); n != 1 {
		f.t.Errorf("old code's Redemptions = %d, want 1", n)
	}
}

func testRedeemAfterDelete(f *fixture) {
	c, adv := f.creator(), f.advertiser()
	code := f.code(f.authorization(f.post(c.ID, t0), t0), 1)
	first := f.redeem(code, c.ID, adv.ID, t0)
	f.check(f.s.DeleteSparkPost(f.ctx, first.ID), "DeleteSparkPost")

	// The advertiser redeemed this code already: the entry comes back, but
	// the code is not counted twice (so the single-use code still works).
	second := f.redeem(code, c.ID, adv.ID, t0.Add(time.Hour))
	if second.ID == first.ID {
		f.t.Errorf("recreated entry reuses the deleted ID %s", first.ID)
	}
	got, err := f.s.GetSparkPost(f.ctx, second.ID)
	f.check(err, "GetSparkPost")
	f.same(got, second, "recreated entry")
	if n := f.codeRedemptions(code); n != 1 {
		f.t.Errorf("Redemptions = %d after redeeming, deleting and redeeming again, want 1", n)
	}
	list, err := f.s.ListSparkPosts(f.ctx, adv.ID)
	f.check(err, "ListSparkPosts")
	f.same(list, []model.SparkPost{second}, "library after recreating the entry")
}

func testRedeemUnknownCode(f *fixture) {
	c, adv := f.creator(), f.advertiser()
	a := f.authorization(f.post(c.ID, t0), t0)
	ghost := model.AdCode{ID: "no-such-code", AuthorizationID: a.ID, PostID: a.PostID, Hash: hash("ghost")}
	sp := f.newSparkPost(ghost, c.ID, adv.ID, t0)
	_, _, err := f.s.RedeemCode(f.ctx, ghost, sp)
	f.wantErr(err, store.ErrNotFound, "RedeemCode of a code that was never created")
	_, err = f.s.GetSparkPost(f.ctx, sp.ID)
	f.wantErr(err, store.ErrNotFound, "GetSparkPost after a failed redemption")

	code := f.code(a, 0)
	sp = f.newSparkPost(code, c.ID, "no-such-advertiser", t0)
	_, _, err = f.s.RedeemCode(f.ctx, code, sp)
	f.wantErr(err, store.ErrNotFound, "RedeemCode by an advertiser that does not exist")
	if n := f.codeRedemptions(code); n != 0 {
		f.t.Errorf("Redemptions = %d after a failed redemption, want 0", n)
	}
}

// testRedeemConcurrentLimit: advertisers racing for a limited code; exactly
// the limit succeed.
func testRedeemConcurrentLimit(f *fixture) {
	const racers, limit = 8, 3
	c := f.creator()
	code := f.code(f.authorization(f.post(c.ID, t0), t0), limit)
	sps := make([]model.SparkPost, racers)
	for i := range sps {
		sps[i] = f.newSparkPost(code, c.ID, f.advertiser().ID, t0.Add(time.Duration(i)*time.Second))
	}
	errs := make([]error, racers)
	created := make([]bool, racers)
	f.race(racers, func(i int) {
		_, created[i], errs[i] = f.s.RedeemCode(f.ctx, code, sps[i])
	})
	won, lost := 0, 0
	for i, err := range errs {
		switch {
		case err == nil && created[i]:
			won++
		case errors.Is(err, store.ErrLimitReached):
			lost++
		default:
			f.t.Errorf("racer %d: created %v, error %v", i, created[i], err)
		}
	}
	if won != limit || lost != racers-limit {
		f.t.Errorf("%d redemptions succeeded and %d hit the limit, want %d and %d", won, lost, limit, racers-limit)
	}
	if n := f.codeRedemptions(code); n != limit {
		f.t.Errorf("Redemptions = %d, want %d", n, limit)
	}
	list, err := f.s.ListSparkPosts(f.ctx, "")
	f.check(err, "ListSparkPosts")
	if len(list) != limit {
		f.t.Errorf("%d library entries exist, want %d", len(list), limit)
	}
}

// testRedeemConcurrentSameAdvertiser: one advertiser redeeming a code from
// several requests at once gets one entry and one redemption.
func testRedeemConcurrentSameAdvertiser(f *fixture) {
	const racers = 8
	c, adv := f.creator(), f.advertiser()
	code := f.code(f.authorization(f.post(c.ID, t0), t0), 2)
	sps := make([]model.SparkPost, racers)
	for i := range sps {
		sps[i] = f.newSparkPost(code, c.ID, adv.ID, t0)
	}
	entries := make([]model.SparkPost, racers)
	created := make([]bool, racers)
	errs := make([]error, racers)
	f.race(racers, func(i int) {
		entries[i], created[i], errs[i] = f.s.RedeemCode(f.ctx, code, sps[i])
	})
	n := 0
	var winner string
	for i := range racers {
		f.check(errs[i], "racer %d", i)
		if created[i] {
			n++
			winner = entries[i].ID
		}
	}
	if n != 1 {
		f.t.Fatalf("%d racers created an entry, want 1", n)
	}
	for i := range racers {
		if entries[i].ID != winner {
			f.t.Errorf("racer %d got entry %s, want %s", i, entries[i].ID, winner)
		}
	}
	if r := f.codeRedemptions(code); r != 1 {
		f.t.Errorf("Redemptions = %d, want 1", r)
	}
	list, err := f.s.ListSparkPosts(f.ctx, adv.ID)
	f.check(err, "ListSparkPosts")
	if len(list) != 1 {
		f.t.Errorf("library has %d entries, want 1", len(list))
	}
}

// race runs fn(0) … fn(n-1) in goroutines released at the same moment and
// waits for them. It first has n goroutines ping the store at once, so that
// a pooled backend has its connections open and the racers are not spaced
// out by connection setup.
func (f *fixture) race(n int, fn func(i int)) {
	race(n, func(int) { _ = f.s.Ping(f.ctx) })
	race(n, fn)
}

func race(n int, fn func(i int)) {
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			fn(i)
		}()
	}
	close(start)
	wg.Wait()
}

func testSparkPostList(f *fixture) {
	a1, a2 := f.advertiser(), f.advertiser()
	c := f.creator()
	p1, p2, p3 := f.post(c.ID, t0), f.post(c.ID, t0), f.post(c.ID, t0)
	k1 := f.code(f.authorization(p1, t0), 0)
	k2 := f.code(f.authorization(p2, t0), 0)
	k3 := f.code(f.authorization(p3, t0), 0)
	e12 := f.redeem(k2, c.ID, a1.ID, t0.Add(2*time.Hour))
	e11 := f.redeem(k1, c.ID, a1.ID, t0.Add(time.Hour))
	e13 := f.redeem(k3, c.ID, a1.ID, t0.Add(3*time.Hour))
	e21 := f.redeem(k1, c.ID, a2.ID, t0.Add(90*time.Minute))

	for _, e := range []model.SparkPost{e11, e12, e13, e21} {
		got, err := f.s.GetSparkPost(f.ctx, e.ID)
		f.check(err, "GetSparkPost(%s)", e.ID)
		f.same(got, e, "GetSparkPost(%s)", e.ID)
	}
	_, err := f.s.GetSparkPost(f.ctx, "no-such-entry")
	f.wantErr(err, store.ErrNotFound, "GetSparkPost(unknown)")

	got, err := f.s.ListSparkPosts(f.ctx, a1.ID)
	f.check(err, "ListSparkPosts(a1)")
	f.same(got, []model.SparkPost{e13, e12, e11}, "ListSparkPosts(a1), newest first")
	got, err = f.s.ListSparkPosts(f.ctx, a2.ID)
	f.check(err, "ListSparkPosts(a2)")
	f.same(got, []model.SparkPost{e21}, "ListSparkPosts(a2)")
	got, err = f.s.ListSparkPosts(f.ctx, "")
	f.check(err, "ListSparkPosts(all)")
	f.same(got, []model.SparkPost{e13, e12, e21, e11}, "ListSparkPosts(all), newest first")
	got, err = f.s.ListSparkPosts(f.ctx, "no-such-advertiser")
	f.check(err, "ListSparkPosts(unknown)")
	if len(got) != 0 {
		f.t.Errorf("ListSparkPosts(unknown advertiser) = %d entries, want none", len(got))
	}
}

func testSparkPostDelete(f *fixture) {
	adv := f.advertiser()
	l1, l2 := f.library(adv, t0), f.library(adv, t0.Add(time.Hour))
	f.check(f.s.DeleteSparkPost(f.ctx, l1.sparkPost.ID), "DeleteSparkPost")
	_, err := f.s.GetSparkPost(f.ctx, l1.sparkPost.ID)
	f.wantErr(err, store.ErrNotFound, "GetSparkPost after DeleteSparkPost")
	got, err := f.s.ListSparkPosts(f.ctx, adv.ID)
	f.check(err, "ListSparkPosts")
	f.same(got, []model.SparkPost{l2.sparkPost}, "library after deleting an entry")
	pas, err := f.s.PostAdvertisers(f.ctx, l1.post.ID)
	f.check(err, "PostAdvertisers")
	if len(pas) != 0 {
		f.t.Errorf("PostAdvertisers after DeleteSparkPost = %+v, want none", pas)
	}
	f.wantErr(f.s.DeleteSparkPost(f.ctx, l1.sparkPost.ID), store.ErrNotFound, "DeleteSparkPost twice")
	f.wantErr(f.s.DeleteSparkPost(f.ctx, "no-such-entry"), store.ErrNotFound, "DeleteSparkPost(unknown)")
}

func testSparkPostInUse(f *fixture) {
	adv := f.advertiser()
	l := f.library(adv, t0)
	g := f.adGroup(f.campaign(adv.ID, t0), t0)
	f.ad(g, l.sparkPost, t0)
	f.wantErr(f.s.DeleteSparkPost(f.ctx, l.sparkPost.ID), store.ErrConflict, "DeleteSparkPost of an entry an ad uses")
	got, err := f.s.GetSparkPost(f.ctx, l.sparkPost.ID)
	f.check(err, "GetSparkPost after a refused delete")
	f.same(got, l.sparkPost, "entry after a refused delete")
}

func testPostAdvertisers(f *fixture) {
	c := f.creator()
	p, q := f.post(c.ID, t0), f.post(c.ID, t0)
	a := f.authorization(p, t0)
	code := f.code(a, 0)
	a1, a2, a3 := f.advertiser(), f.advertiser(), f.advertiser()
	e2 := f.redeem(code, c.ID, a2.ID, t0.Add(2*time.Hour))
	e1 := f.redeem(code, c.ID, a1.ID, t0.Add(time.Hour))
	f.redeem(f.code(f.authorization(q, t0), 0), c.ID, a3.ID, t0)

	got, err := f.s.PostAdvertisers(f.ctx, p.ID)
	f.check(err, "PostAdvertisers")
	slices.SortFunc(got, func(x, y model.PostAdvertiser) int { return strings.Compare(x.AdvertiserID, y.AdvertiserID) })
	f.same(got, []model.PostAdvertiser{
		{AdvertiserID: a1.ID, Name: a1.Name, Authorization: a, AddedAt: e1.AddedAt},
		{AdvertiserID: a2.ID, Name: a2.Name, Authorization: a, AddedAt: e2.AddedAt},
	}, "PostAdvertisers")
	got, err = f.s.PostAdvertisers(f.ctx, f.post(c.ID, t0).ID)
	f.check(err, "PostAdvertisers(post in no library)")
	if len(got) != 0 {
		f.t.Errorf("PostAdvertisers(post in no library) = %+v, want none", got)
	}
}

// testRedeemConcurrentCodes: one advertiser redeeming several codes of the
// same post at once ends up with one entry, and every code counted once.
func testRedeemConcurrentCodes(f *fixture) {
	const racers = 6
	c, adv := f.creator(), f.advertiser()
	a := f.authorization(f.post(c.ID, t0), t0)
	codes := make([]model.AdCode, racers)
	sps := make([]model.SparkPost, racers)
	for i := range codes {
		codes[i] = f.code(a, 0)
		sps[i] = f.newSparkPost(codes[i], c.ID, adv.ID, t0)
	}
	entries := make([]model.SparkPost, racers)
	created := make([]bool, racers)
	errs := make([]error, racers)
	f.race(racers, func(i int) {
		entries[i], created[i], errs[i] = f.s.RedeemCode(f.ctx, codes[i], sps[i])
	})
	n := 0
	for i := range racers {
		f.check(errs[i], "racer %d", i)
		if created[i] {
			n++
		}
	}
	if n != 1 {
		f.t.Errorf("%d racers created an entry, want 1", n)
	}
	list, err := f.s.ListSparkPosts(f.ctx, adv.ID)
	f.check(err, "ListSparkPosts")
	if len(list) != 1 {
		f.t.Fatalf("library has %d entries, want 1", len(list))
	}
	for i := range racers {
		if entries[i].ID != list[0].ID {
			f.t.Errorf("racer %d got entry %s, want %s", i, entries[i].ID, list[0].ID)
		}
		if r := f.codeRedemptions(codes[i]); r != 1 {
			f.t.Errorf("code %d: Redemptions = %d, want 1", i, r)
		}
	}
}

// testSparkPostDeleteRace: deleting an entry while an ad is being created on
// it either refuses the delete (ErrConflict) or refuses the ad.
func testSparkPostDeleteRace(f *fixture) {
	const rounds = 6
	adv := f.advertiser()
	g := f.adGroup(f.campaign(adv.ID, t0), t0)
	libs := make([]library, rounds)
	ads := make([]model.Ad, rounds)
	for i := range libs {
		libs[i] = f.library(adv, t0)
		id := f.id("ad")
		ads[i] = model.Ad{ID: id, AdvertiserID: adv.ID, CampaignID: g.CampaignID, AdGroupID: g.ID, Name: id,
			SparkPostID: libs[i].sparkPost.ID, PostID: libs[i].post.ID, CTALabel: "Go", CTAURL: "https://x.example/",
			Status: model.Enabled, CreatedAt: t0, UpdatedAt: t0}
	}
	errs := make([]error, 2*rounds)
	f.race(2*rounds, func(i int) {
		if i%2 == 0 {
			errs[i] = f.s.CreateAd(f.ctx, ads[i/2])
		} else {
			errs[i] = f.s.DeleteSparkPost(f.ctx, libs[i/2].sparkPost.ID)
		}
	})
	for r := range rounds {
		createErr, deleteErr := errs[2*r], errs[2*r+1]
		switch {
		case createErr == nil && errors.Is(deleteErr, store.ErrConflict):
			if _, err := f.s.GetSparkPost(f.ctx, libs[r].sparkPost.ID); err != nil {
				f.t.Errorf("round %d: entry gone after a refused delete: %v", r, err)
			}
		case createErr != nil && deleteErr == nil:
			if _, err := f.s.GetAd(f.ctx, ads[r].ID); !errors.Is(err, store.ErrNotFound) {
				f.t.Errorf("round %d: ad on a deleted entry exists (GetAd error %v)", r, err)
			}
		default:
			f.t.Errorf("round %d: CreateAd error %v, DeleteSparkPost error %v; want exactly one refused, the delete with ErrConflict",
				r, createErr, deleteErr)
		}
	}
}

// testLibraryEntries reads a library with each entry's post, creator and
// episode in one call.
func testLibraryEntries(f *fixture) {
	adv, other := f.advertiser(), f.advertiser()
	l1 := f.library(adv, t0)
	l2 := f.library(adv, t0.Add(time.Hour))
	f.library(other, t0)
	l1.auth = f.changeEpisode(l1.post.ID, func(a *model.Authorization) { a.RevokedAt = t0.Add(2 * time.Hour) })
	creator := func(a model.Account) model.Account {
		return model.Account{ID: a.ID, Kind: model.KindCreator, Handle: a.Handle, DisplayName: a.DisplayName,
			CreatorType: a.CreatorType}
	}
	want := []model.LibraryEntry{
		{SparkPost: l2.sparkPost, Post: l2.post, Creator: creator(l2.creator), Authorization: l2.auth},
		{SparkPost: l1.sparkPost, Post: l1.post, Creator: creator(l1.creator), Authorization: l1.auth},
	}
	got, err := f.s.LibraryEntries(f.ctx, adv.ID, "")
	f.check(err, "LibraryEntries")
	f.same(got, want, "LibraryEntries, newest first")
	got, err = f.s.LibraryEntries(f.ctx, adv.ID, l1.sparkPost.ID)
	f.check(err, "LibraryEntries(one)")
	f.same(got, want[1:], "LibraryEntries(one)")
	got, err = f.s.LibraryEntries(f.ctx, other.ID, l1.sparkPost.ID)
	f.check(err, "LibraryEntries(another advertiser's entry)")
	if len(got) != 0 {
		f.t.Errorf("LibraryEntries returned another advertiser's entry: %+v", got)
	}
}

// testTimesBeyondYear9999: a time past what RFC 3339 can write is stored as
// the last microsecond of year 9999, so that reading it back can always be
// encoded.
func testTimesBeyondYear9999(f *fixture) {
	p := f.post(f.creator().ID, t0)
	a := f.authorization(p, t0)
	far := time.Date(20000, 1, 1, 0, 0, 0, 0, time.UTC)
	f.changeEpisode(p.ID, func(e *model.Authorization) { e.ExpiresAt = far })
	got, err := f.s.GetAuthorization(f.ctx, a.ID)
	f.check(err, "GetAuthorization")
	if want := time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC); !got.ExpiresAt.Equal(want) {
		f.t.Errorf("ExpiresAt in year 20000 read back as %s, want %s", fmtTime(got.ExpiresAt), fmtTime(want))
	}
	if _, err := got.ExpiresAt.MarshalJSON(); err != nil {
		f.t.Errorf("the stored time cannot be encoded: %v", err)
	}
}
