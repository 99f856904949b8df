package postgres_test

import (
	"context"
	"testing"

	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/store/pgtest"
	"github.com/flintads/flint/internal/store/postgres"
	"github.com/flintads/flint/internal/store/sqldb"
	"github.com/flintads/flint/internal/store/storetest"
)

// TestConformance runs the suite on one database, emptied before each
// subtest: a database per subtest would cost about half a second each.
func TestConformance(t *testing.T) {
	url := pgtest.URL(t)
	storetest.Run(t, func(t *testing.T) store.Store {
		db, err := postgres.Open(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		pgtest.Empty(t, db.W)
		return db
	})
}

// TestReopen checks that data survives reconnecting, and that applying the
// migrations again changes nothing.
func TestReopen(t *testing.T) {
	url := pgtest.URL(t)
	storetest.Reopen(t, func(ctx context.Context) (*sqldb.DB, error) { return postgres.Open(ctx, url) }, postgres.Migrate)
}

// TestNumericBackfill: rows without a numeric id get one at the next start.
func TestNumericBackfill(t *testing.T) {
	db, err := postgres.Open(t.Context(), pgtest.URL(t))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.NumericBackfill(t, db, postgres.Migrate)
}
