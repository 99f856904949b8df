package storetest

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/store/sqldb"
)

// Reopen checks that data survives closing and reopening a database, and
// that applying the migrations again changes nothing. open opens the same
// database each time; migrate applies the backend's migrations.
func Reopen(t *testing.T, open func(context.Context) (*sqldb.DB, error), migrate func(context.Context, *sql.DB) error) {
	ctx := t.Context()
	db, err := open(ctx)
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

	db, err = open(ctx)
	if err != nil {
		t.Fatalf("reopen: %v", err)
	}
	defer db.Close()
	if err := migrate(ctx, db.W); err != nil {
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
