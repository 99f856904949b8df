package storetest

import (
	"bytes"
	"fmt"
	"sync"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

// The web UI's part of the suite: logins by email and handle, concurrent
// account edits, and sessions.
func init() {
	tests["AccountLogins"] = testAccountLogins
	tests["AccountEmailConflict"] = testAccountEmailConflict
	tests["AccountConcurrentEdits"] = testAccountConcurrentEdits
	tests["SessionRoundTrip"] = testSessionRoundTrip
	tests["SessionExpiry"] = testSessionExpiry
	tests["AdvertiserHourlyStats"] = testAdvertiserHourlyStats
}

// testAdvertiserHourlyStats: the dashboard's series sums one advertiser's
// ads per hour, from the hour that contains since.
func testAdvertiserHourlyStats(f *fixture) {
	ads := f.ads(2)
	other := f.ads(1)[0]
	h0 := t0.Truncate(time.Hour)
	events := []model.Event{
		paid("e1", model.EventImpression, ads[0], "d1", h0.Add(-time.Minute), 1000, "o1"),
		paid("e2", model.EventImpression, ads[0], "d2", h0.Add(time.Minute), 2000, "o2"),
		paid("e3", model.EventImpression, ads[1], "d3", h0.Add(59*time.Minute), 3000, "o3"),
		paid("e4", model.EventClick, ads[1], "d3", h0.Add(2*time.Hour+time.Second), 0, "o4"),
		paid("e5", model.EventImpression, other, "d5", h0.Add(time.Minute), 5000, "o5"),
	}
	_, err := f.s.InsertEvents(f.ctx, events)
	f.check(err, "InsertEvents")
	got, err := f.s.AdvertiserHourlyStats(f.ctx, ads[0].AdvertiserID, h0.Add(30*time.Minute))
	f.check(err, "AdvertiserHourlyStats")
	if len(got) != 2 {
		f.t.Fatalf("AdvertiserHourlyStats = %+v, want two hours", got)
	}
	if !got[0].Hour.Equal(h0) || got[0].Stats.Impressions != 2 || got[0].Stats.Spend != 5000 {
		f.t.Errorf("first hour = %+v, want %s with 2 impressions and spend 5000", got[0], h0)
	}
	if !got[1].Hour.Equal(h0.Add(2*time.Hour)) || got[1].Stats.Clicks != 1 || got[1].Stats.Impressions != 0 {
		f.t.Errorf("second hour = %+v, want one click at %s", got[1], h0.Add(2*time.Hour))
	}
}

func testAccountLogins(f *fixture) {
	c := f.creator()
	a := f.newAdvertiser(t0)
	a.Email = "ads@acme.example"
	f.createAccount(a)
	got, err := f.s.AccountByEmail(f.ctx, "ads@acme.example")
	f.check(err, "AccountByEmail")
	f.same(got, a, "AccountByEmail")
	got, err = f.s.AccountByHandle(f.ctx, c.Handle)
	f.check(err, "AccountByHandle")
	f.same(got, c, "AccountByHandle")
	_, err = f.s.AccountByEmail(f.ctx, "nobody@acme.example")
	f.wantErr(err, store.ErrNotFound, "AccountByEmail(unknown)")
	_, err = f.s.AccountByEmail(f.ctx, "")
	f.wantErr(err, store.ErrNotFound, "AccountByEmail(empty)")
	_, err = f.s.AccountByHandle(f.ctx, "")
	f.wantErr(err, store.ErrNotFound, "AccountByHandle(empty)")
}

func testAccountEmailConflict(f *fixture) {
	a := f.newAdvertiser(t0)
	a.Email = "ads@acme.example"
	f.createAccount(a)
	b := f.newAdvertiser(t0)
	b.Email = a.Email
	f.wantErr(f.s.CreateAccount(f.ctx, b), store.ErrConflict, "CreateAccount with a taken email")
	// Advertisers without an email never conflict.
	f.createAccount(f.newAdvertiser(t0))
	f.createAccount(f.newAdvertiser(t0))
}

// testAccountConcurrentEdits edits the name of an account over and over
// while its token is rotated: the rotated token must win, whatever the
// interleaving (a whole-row rewrite from a stale read revived the old one).
func testAccountConcurrentEdits(f *fixture) {
	a := f.advertiser()
	newHash := hash("rotated " + a.ID)
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			name := fmt.Sprintf("Edit %d", i)
			if err := f.s.UpdateAccount(f.ctx, a.ID, store.AccountChanges{Name: &name, UpdatedAt: t0}); err != nil {
				errs <- err
			}
		}()
		if i == 8 {
			if err := f.s.UpdateAccount(f.ctx, a.ID, store.AccountChanges{TokenHash: newHash, UpdatedAt: t0}); err != nil {
				errs <- err
			}
		}
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		f.check(err, "concurrent UpdateAccount")
	}
	got, err := f.s.GetAccount(f.ctx, a.ID)
	f.check(err, "GetAccount")
	if !bytes.Equal(got.TokenHash, newHash) {
		f.t.Fatal("a concurrent name edit brought the rotated-out token back")
	}
	_, err = f.s.AccountByTokenHash(f.ctx, a.TokenHash)
	f.wantErr(err, store.ErrNotFound, "AccountByTokenHash(old hash)")
}

func testSessionRoundTrip(f *fixture) {
	a := f.advertiser()
	s := model.Session{Hash: hash("session 1"), AccountID: a.ID, PasswordTag: []byte{1, 2, 3, 4},
		CreatedAt: t0, ExpiresAt: t0.Add(time.Hour)}
	op := model.Session{Hash: hash("session 2"), Operator: true, PasswordTag: []byte{}, CreatedAt: t0,
		ExpiresAt: t0.Add(2 * time.Hour)}
	for _, want := range []model.Session{s, op} {
		f.check(f.s.CreateSession(f.ctx, want), "CreateSession")
		got, err := f.s.SessionByHash(f.ctx, want.Hash)
		f.check(err, "SessionByHash")
		f.same(got, want, "SessionByHash")
	}
	f.wantErr(f.s.CreateSession(f.ctx, s), store.ErrConflict, "CreateSession with a taken hash")
	f.check(f.s.DeleteSession(f.ctx, s.Hash), "DeleteSession")
	_, err := f.s.SessionByHash(f.ctx, s.Hash)
	f.wantErr(err, store.ErrNotFound, "SessionByHash after DeleteSession")
	f.check(f.s.DeleteSession(f.ctx, s.Hash), "DeleteSession again")
	_, err = f.s.SessionByHash(f.ctx, op.Hash)
	f.check(err, "the other session survives")
}

func testSessionExpiry(f *fixture) {
	for i := range 3 {
		f.check(f.s.CreateSession(f.ctx, model.Session{Hash: hash(fmt.Sprint("s", i)), AccountID: "x",
			PasswordTag: []byte{}, CreatedAt: t0, ExpiresAt: t0.Add(time.Duration(i) * time.Hour)}), "CreateSession")
	}
	n, err := f.s.DeleteExpiredSessions(f.ctx, t0.Add(time.Hour))
	f.check(err, "DeleteExpiredSessions")
	if n != 2 {
		f.t.Errorf("DeleteExpiredSessions removed %d sessions, want 2", n)
	}
	_, err = f.s.SessionByHash(f.ctx, hash("s2"))
	f.check(err, "the session that has not expired survives")
}
