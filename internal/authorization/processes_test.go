package authorization_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/ratelimit"
	"github.com/flintads/flint/internal/seal"
	"github.com/flintads/flint/internal/store/pgtest"
	"github.com/flintads/flint/internal/store/postgres"
	"github.com/flintads/flint/internal/store/sqldb"
)

// TestLifecycleAcrossProcesses races two Services, each on its own
// connection pool to one PostgreSQL database, as two Flint processes would:
// the lifecycle must hold without any memory they share. Concurrent starts
// make one episode, and neither a first code nor an extension computed
// from a read made before a revocation may undo it.
func TestLifecycleAcrossProcesses(t *testing.T) {
	t.Parallel()
	url := pgtest.URL(t)
	ctx := t.Context()
	open := func() (*sqldb.DB, *authorization.Service) {
		db, err := postgres.Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		clk := clock.Real{}
		return db, authorization.New(db, clk, nil, ratelimit.New(clk, 1000, 1000), seal.New([]byte("test-secret"), seal.AdCodes))
	}
	db, a := open()
	_, b := open()
	now := time.Now().UTC().Truncate(time.Microsecond)
	creator := model.Account{ID: "acct_creator", Kind: model.KindCreator, Handle: "maya", DisplayName: "Maya",
		CreatorType: model.CreatorCreator, TokenHash: []byte("token"), CreatedAt: now, UpdatedAt: now}
	if err := db.CreateAccount(ctx, creator); err != nil {
		t.Fatal(err)
	}
	newPost := func(i int) string {
		p := model.Post{ID: fmt.Sprintf("post_%03d", i), CreatorID: creator.ID, VideoURL: "https://v.example/v.mp4",
			DurationMS: 1000, Visibility: model.Public, Original: true, CreatedAt: now, UpdatedAt: now}
		if err := db.CreatePost(ctx, p); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	on := true
	days := 30
	turnOn := authorization.SetInput{Enabled: &on, AcceptTerms: true, Days: &days}
	both := func(x, y func()) {
		var wg sync.WaitGroup
		wg.Go(x)
		wg.Go(y)
		wg.Wait()
	}
	const rounds = 10
	for i := range rounds {
		// Two processes turn authorization on at once: one episode.
		p := newPost(3 * i)
		both(func() { _, _ = a.Set(ctx, creator.ID, p, turnOn) }, func() { _, _ = b.Set(ctx, creator.ID, p, turnOn) })
		var n int
		if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM authorizations WHERE post_id = $1`, p).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("round %d: %d episodes after two concurrent starts, want 1", i, n)
		}

		// A first code (which opens the window) races a revocation.
		p = newPost(3*i + 1)
		if _, err := a.Set(ctx, creator.ID, p, turnOn); err != nil {
			t.Fatal(err)
		}
		both(func() { _, _ = a.Generate(ctx, creator.ID, p, authorization.GenerateInput{}) },
			func() { mustRevoke(t, b, creator.ID, p) })
		requireRevoked(ctx, t, a, creator.ID, p, "a first code raced a revocation")

		// An extension races a revocation.
		p = newPost(3*i + 2)
		if _, err := a.Set(ctx, creator.ID, p, turnOn); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Generate(ctx, creator.ID, p, authorization.GenerateInput{}); err != nil {
			t.Fatal(err)
		}
		seven := 7
		both(func() { _, _ = a.Extend(ctx, creator.ID, p, authorization.ExtendInput{Days: &seven}) },
			func() { mustRevoke(t, b, creator.ID, p) })
		requireRevoked(ctx, t, a, creator.ID, p, "an extension raced a revocation")
	}
}

func mustRevoke(t *testing.T, s *authorization.Service, creatorID, postID string) {
	if _, err := s.Revoke(context.Background(), creatorID, postID); err != nil {
		t.Error(err)
	}
}

func requireRevoked(ctx context.Context, t *testing.T, s *authorization.Service, creatorID, postID, what string) {
	t.Helper()
	v, err := s.Get(ctx, creatorID, postID)
	if err != nil {
		t.Fatal(err)
	}
	if v.Status != model.AuthRevoked {
		t.Errorf("%s: status %s after the revocation returned, want REVOKED", what, v.Status)
	}
}
