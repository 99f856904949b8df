// Package sqlite is the embedded storage backend: one SQLite file, opened
// through the pure-Go modernc.org/sqlite driver, with its schema migrations
// embedded and applied by Open.
//
// The file runs in WAL mode with foreign keys on. Writes go through a pool of
// a single connection (SQLite allows one writer at a time; queuing in Go is
// cheaper than SQLITE_BUSY retries), reads through a pool of read-only
// connections. synchronous=FULL makes every commit durable before it
// returns, which event ingestion relies on; group commit amortises the cost.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"runtime"
	"strconv"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/flintads/flint/internal/store/sqldb"
)

// Dialect describes SQLite to the shared SQL code.
var Dialect = sqldb.Dialect{
	Name:  "sqlite",
	Goose: goose.DialectSQLite3,
	Types: sqldb.Types{Int: "INTEGER", Bool: "INTEGER", Bytes: "BLOB", WithoutRowID: " WITHOUT ROWID"},
	IsUniqueViolation: func(err error) bool {
		var e *sqlite.Error
		if !errors.As(err, &e) {
			return false
		}
		return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	},
	BulkLoad: bulkLoad,
	Shards:   rowidShards,
	Now:      "CAST((julianday('now') - 2440587.5) * 86400000000.0 AS INTEGER)",
}

// scanShards is how many queries read a sharded scan at once (the delivery
// index's ads joined with what they run: IndexVisitor.AdParts). The join is
// the driver's work, in this process, and its lookups (two B-tree descents
// per joined table) were the load's critical path at a million ads: each
// query takes the rows whose rowid has one remainder, walking the whole
// table (cheap, in rowid order) but joining only its share.
const scanShards = 2

// rowidShards partitions a table's rows by rowid remainder.
func rowidShards(alias string) []string {
	out := make([]string, scanShards)
	for k := range out {
		out[k] = fmt.Sprintf("%s.rowid %% %d = %d", alias, scanShards, k)
	}
	return out
}

// BulkCacheKiB is the page cache of the connection during a bulk load
// (Seed), in KiB. Seeded identifiers are random, so the inserts into the
// primary-key and unique indexes land all over them; with the default cache
// of 2 MiB most of them miss it, and dirty pages spill to the write-ahead
// log again and again: seeding 100,000 ads took about 30 s instead of 20 s.
// The memory is taken only as pages are read or written, and given back
// when the load ends.
const BulkCacheKiB = 512 << 10

// bulkLoad enlarges the page cache of conn until restore.
func bulkLoad(ctx context.Context, conn *sql.Conn) (func(context.Context) error, error) {
	var old int64
	if err := conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&old); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = "+strconv.Itoa(-BulkCacheKiB)); err != nil {
		return nil, err
	}
	return func(ctx context.Context) error {
		_, err := conn.ExecContext(ctx, "PRAGMA cache_size = "+strconv.FormatInt(old, 10))
		return err
	}, nil
}

// Page caches: the writer's holds the hot parts of the event indexes, so
// that ingestion rewrites pages instead of reading them back from disk.
const (
	writerCacheKiB = 64 << 10
	readerCacheKiB = 8 << 10
)

func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(FULL)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -readerCacheKiB))
	} else {
		q.Set("_txlock", "immediate")
		q.Add("_pragma", "temp_store(MEMORY)")
		q.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerCheckpointPages))
		q.Add("_pragma", fmt.Sprintf("cache_size(%d)", -writerCacheKiB))
	}
	return "file:" + path + "?" + q.Encode()
}

// checkpointDSN is the checkpointer's connection: it writes only the
// database file, never a transaction.
func checkpointDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	return "file:" + path + "?" + q.Encode()
}

// Open opens (creating if needed) the database file at path and brings its
// schema up to date. A new file is created with mode 0600, whatever the
// umask and the directory's mode; SQLite gives its write-ahead log and
// shared-memory files the mode of the database file.
func Open(ctx context.Context, path string) (*sqldb.DB, error) {
	if err := createPrivate(path); err != nil {
		return nil, err
	}
	w, err := sql.Open("sqlite", dsn(path, false))
	if err != nil {
		return nil, err
	}
	w.SetMaxOpenConns(1)
	w.SetMaxIdleConns(1)
	w.SetConnMaxLifetime(0)
	if err := Migrate(ctx, w); err != nil {
		w.Close()
		return nil, err
	}
	r, err := sql.Open("sqlite", dsn(path, true))
	if err != nil {
		w.Close()
		return nil, err
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	r.SetMaxOpenConns(n)
	r.SetMaxIdleConns(n)
	c, err := startCheckpointer(path)
	if err != nil {
		w.Close()
		r.Close()
		return nil, err
	}
	db := sqldb.New(w, r, Dialect)
	db.OnClose(c.Close)
	return db, nil
}

// createPrivate creates an empty file at path with mode 0600 unless a file
// is there already.
func createPrivate(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := f.Chmod(0o600); err != nil { // the umask may have taken bits away
		f.Close()
		return err
	}
	return f.Close()
}

// Migrate applies the migrations that db lacks.
func Migrate(ctx context.Context, db *sql.DB) error { return sqldb.Migrate(ctx, db, Dialect) }
