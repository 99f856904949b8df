package sqlite_test

import (
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/store/sqlite"
	"github.com/flintads/flint/internal/store/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "flint.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}

// TestReopen checks that data survives closing and reopening the file, and
// that applying the migrations again changes nothing.
func TestReopen(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "flint.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 1, 2, 3, 4, 5, 6000, time.UTC)
	want := model.Account{ID: "adv-1", Kind: model.KindAdvertiser, Name: "Acme", Currency: "USD",
		Timezone: "UTC", TokenHash: []byte("token-hash"), CreatedAt: at, UpdatedAt: at}
	if err := db.CreateAccount(ctx, want); err != nil {
		t.Fatal(err)
	}
	count := func(s string) (n int) {
		t.Helper()
		if err := db.W.QueryRowContext(ctx, s).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	const migrations = `SELECT COUNT(*) FROM goose_db_version`
	before := count(migrations)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if err := sqlite.Migrate(ctx, db.W); err != nil {
		t.Fatalf("Migrate again: %v", err)
	}
	if after := count(migrations); after != before {
		t.Errorf("goose_db_version has %d rows after reopening and migrating again, had %d", after, before)
	}
	got, err := db.GetAccount(ctx, want.ID)
	if err != nil {
		t.Fatalf("GetAccount after reopen: %v", err)
	}
	if got.Name != want.Name || !got.CreatedAt.Equal(want.CreatedAt) || string(got.TokenHash) != string(want.TokenHash) {
		t.Errorf("after reopen got %+v, want %+v", got, want)
	}
	if n := count(`SELECT COUNT(*) FROM accounts`); n != 1 {
		t.Errorf("%d accounts after reopen, want 1", n)
	}
	if _, err := db.GetPost(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("GetPost(unknown) after reopen = %v, want ErrNotFound", err)
	}
}

// TestSeedRestoresCache checks that Seed puts the writer's page cache back
// as it was, whether it succeeds or fails.
func TestSeedRestoresCache(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "flint.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	cache := func() (n int64) {
		t.Helper()
		if err := db.W.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := cache()
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	w := model.World{Accounts: []model.Account{{ID: "adv-1", Kind: model.KindAdvertiser, Name: "Acme", Currency: "USD",
		Timezone: "UTC", TokenHash: []byte("token-hash"), CreatedAt: at, UpdatedAt: at}}}
	if err := db.Seed(ctx, w); err != nil {
		t.Fatal(err)
	}
	if got := cache(); got != before {
		t.Errorf("cache_size after Seed = %d, want %d", got, before)
	}
	if err := db.Seed(ctx, w); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("Seed of the same world again = %v, want ErrConflict", err)
	}
	if got := cache(); got != before {
		t.Errorf("cache_size after a failed Seed = %d, want %d", got, before)
	}
}
