package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/store/sqldb"
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
	}, storetest.Parallel())
}

// TestReopen checks that data survives closing and reopening the file, and
// that applying the migrations again changes nothing.
func TestReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "flint.db")
	storetest.Reopen(t, func(ctx context.Context) (*sqldb.DB, error) { return sqlite.Open(ctx, path) }, sqlite.Migrate)
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

// TestFilesArePrivate: the database, its write-ahead log and its
// shared-memory file are 0600, even in a world-writable directory under a
// umask of 0.
func TestFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "flint.db")
	db, err := sqlite.Open(t.Context(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.GetPost(t.Context(), "post_x"); !errors.Is(err, store.ErrNotFound) { // opens a reader too
		t.Fatal(err)
	}
	for _, name := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(name)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(name), fi.Mode().Perm())
		}
	}
}

// TestNumericBackfill: rows without a numeric id get one at the next start.
func TestNumericBackfill(t *testing.T) {
	db, err := sqlite.Open(t.Context(), filepath.Join(t.TempDir(), "flint.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	storetest.NumericBackfill(t, db, sqlite.Migrate)
}

// TestCheckpointsBesideTheWriter checks that what is committed reaches the
// database file without any commit paying for a checkpoint: the writer's
// own threshold is far above these few pages, so only the checkpointer can
// have copied them.
func TestCheckpointsBesideTheWriter(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "flint.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	size := func() int64 {
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		return fi.Size()
	}
	before := size()
	if _, err := db.W.ExecContext(ctx, `CREATE TABLE filler (b BLOB)`); err != nil {
		t.Fatal(err)
	}
	for range 50 { // about 50 pages
		if _, err := db.W.ExecContext(ctx, `INSERT INTO filler VALUES (randomblob(4000))`); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for size() < before+50*4000 {
		if time.Now().After(deadline) {
			t.Fatalf("database file is %d bytes 10 s after the commits, was %d: nothing was checkpointed", size(), before)
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

// TestEventsInArrivalOrder checks the events table's layout (migration
// 00070): a rowid table whose rows are appended, with event_id unique in an
// index of its own, rather than a table clustered by event_id, into which
// random event IDs inserted whole rows all over a tree larger than the
// page cache.
func TestEventsInArrivalOrder(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "flint.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	var events []model.Event
	for _, id := range []string{"c", "a", "b"} {
		events = append(events, model.Event{ID: id, Type: model.EventLike, PostID: "post-1", At: at, OnceKey: []byte(id)})
	}
	if _, err := db.InsertEvents(ctx, events); err != nil {
		t.Fatal(err)
	}
	rows, err := db.W.QueryContext(ctx, `SELECT event_id FROM events ORDER BY rowid`)
	if err != nil {
		t.Fatalf("events has no rowid: %v", err)
	}
	var order []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		order = append(order, id)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(order, ""); got != "abc" { // stored in event_id order within a batch
		t.Errorf("rows in rowid order %q, want abc", got)
	}
	var unique bool
	if err := db.W.QueryRowContext(ctx, `SELECT "unique" FROM pragma_index_list('events') WHERE name = 'events_id'`).
		Scan(&unique); err != nil || !unique {
		t.Errorf("unique index events_id: %v, unique %v", err, unique)
	}
}

// TestEventsMigrationKeepsEvents checks that migration 00070 carries the
// events stored before it, and their uniqueness, into the new table.
func TestEventsMigrationKeepsEvents(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "flint.db")
	raw, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	files, err := sqldb.Render(sqlite.Dialect.Types)
	if err != nil {
		t.Fatal(err)
	}
	p, err := goose.NewProvider(goose.DialectSQLite3, raw, files)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 60); err != nil {
		t.Fatal(err)
	}
	if _, err := raw.ExecContext(ctx, `INSERT INTO events (event_id, type, post_id, at, watch_ms, charge, once_key)
		VALUES ('e1', ?, 'post-1', 1, 0, 0, x'01'), ('e2', ?, 'post-1', 2, 0, 0, NULL)`,
		int64(model.EventLike), int64(model.EventComment)); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	out, err := db.InsertEvents(ctx, []model.Event{
		{ID: "e1", Type: model.EventLike, PostID: "post-1", At: at, OnceKey: []byte{9}},
		{ID: "e3", Type: model.EventLike, PostID: "post-1", At: at, OnceKey: []byte{1}},
		{ID: "e4", Type: model.EventComment, PostID: "post-1", At: at}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []model.EventOutcome{model.EventDuplicate, model.EventReplayed, model.EventStored}; !slices.Equal(out, want) {
		t.Errorf("outcomes %v, want %v", out, want)
	}
	var n int
	if err := db.W.QueryRowContext(ctx, `SELECT count(*) FROM events`).Scan(&n); err != nil || n != 3 {
		t.Errorf("%d events (%v), want 3", n, err)
	}
}

// TestSkippedEventFails checks that an event neither stored nor a repeat of
// a stored one fails its batch instead of counting as a replay: the
// insert skips rows that break a constraint (see sqldb.insertEventsSQL),
// here a trigger's.
func TestSkippedEventFails(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "flint.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.W.ExecContext(ctx, `CREATE TRIGGER skip BEFORE INSERT ON events WHEN NEW.event_id = 'skip'
		BEGIN SELECT RAISE(IGNORE); END`); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	out, err := db.InsertEvents(ctx, []model.Event{
		{ID: "ok", Type: model.EventLike, PostID: "post-1", At: at, OnceKey: []byte{1}},
		{ID: "skip", Type: model.EventLike, PostID: "post-1", At: at, OnceKey: []byte{2}}})
	if err == nil {
		t.Errorf("outcomes %v, want an error", out)
	}
}
