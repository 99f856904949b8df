// Package sqldb implements store.Store over database/sql. The SQLite and
// PostgreSQL backends share this code and differ only in how they open the
// database, in their migrations and in the small Dialect below.
//
// All times are stored as integer Unix microseconds (0 for "not set"), money
// as integer micros, and flags as booleans (integers in SQLite), so that one
// set of queries serves both engines.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/flintads/flint/internal/store"
)

// Dialect is what differs between the SQL engines.
type Dialect struct {
	// Name is "sqlite" or "postgres".
	Name string
	// Goose is the migration tool's name for the engine, and Types how the
	// engine spells the migrations' type macros (see Migrate).
	Goose goose.Dialect
	Types Types
	// Numbered is true when placeholders are $1, $2… rather than ?.
	Numbered bool
	// ForUpdate is appended to a SELECT that must lock the rows it reads
	// inside a transaction ("" where the engine serialises writers anyway).
	ForUpdate string
	// LockRow is appended to a SELECT that reads a row in order to change
	// it inside a transaction: it locks the row against other writers but,
	// unlike ForUpdate, not against rows that merely reference it (foreign
	// key checks), so it cannot deadlock with an insert that refers to it.
	LockRow string
	// IsUniqueViolation reports whether err is a unique-constraint violation.
	IsUniqueViolation func(err error) bool
	// Now is an SQL expression for the database's clock in Unix
	// microseconds: heartbeats are compared by one clock, whatever the
	// nodes' clocks say.
	Now string
	// Notify, when set, is run by each transaction that logs a change, to
	// wake the other nodes (PostgreSQL's pg_notify: sent at commit).
	Notify string
	// Shards, when set, returns conditions on the rows of the table aliased
	// alias that partition them, for a scan to be read by as many queries
	// at once, each on its own connection: worth it where the engine does a
	// query's work in this process (SQLite), not where a server does.
	Shards func(alias string) []string
	// BulkLoad, when set, prepares the connection for one large write
	// transaction (Seed) and returns what puts it back as it was.
	BulkLoad func(ctx context.Context, conn *sql.Conn) (restore func(context.Context) error, err error)
}

// DB is a store.Store on a SQL database. W takes every write (for SQLite a
// pool of one connection: a single writer); R serves reads and may be W.
type DB struct {
	W, R *sql.DB
	D    Dialect

	mu      sync.Mutex
	rebound map[string]string
	stmts   map[string]*sql.Stmt // prepared on W, by query text

	ads     adInfoCache    // what the report rollups need of each ad (rollups.go)
	changed chan struct{}  // see ChangeSignal
	closers []func() error // see OnClose
}

// New returns a store over the given pools.
func New(w, r *sql.DB, d Dialect) *DB {
	return &DB{W: w, R: r, D: d, rebound: map[string]string{}, changed: make(chan struct{}, 1)}
}

var _ store.Store = (*DB)(nil)

// Ping checks both pools.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.W.PingContext(ctx); err != nil {
		return err
	}
	return db.R.PingContext(ctx)
}

// OnClose has Close call fn first: a backend's background work on the
// database stops before its pools close.
func (db *DB) OnClose(fn func() error) { db.closers = append(db.closers, fn) }

// Close stops what OnClose registered and closes both pools.
func (db *DB) Close() error {
	var errs []error
	for _, fn := range db.closers {
		errs = append(errs, fn())
	}
	db.closers = nil
	db.mu.Lock()
	for _, st := range db.stmts {
		st.Close()
	}
	db.stmts = nil
	db.mu.Unlock()
	errs = append(errs, db.W.Close())
	if db.R != db.W {
		errs = append(errs, db.R.Close())
	}
	return errors.Join(errs...)
}

// q rewrites a query written with ? placeholders for the dialect, caching the
// result.
func (db *DB) q(query string) string {
	if !db.D.Numbered {
		return query
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if s, ok := db.rebound[query]; ok {
		return s
	}
	s := rebind(query)
	db.rebound[query] = s
	return s
}

// writeStmt returns query prepared on the write pool, preparing it on first
// use. Hot multi-row statements are worth it: parsing one costs as much as
// running it. Call it outside a transaction (for SQLite the write pool's
// only connection is busy inside one) and bind the result to the
// transaction with Tx.StmtContext.
func (db *DB) writeStmt(ctx context.Context, query string) (*sql.Stmt, error) {
	db.mu.Lock()
	st, ok := db.stmts[query]
	db.mu.Unlock()
	if ok {
		return st, nil
	}
	st, err := db.W.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if prev, ok := db.stmts[query]; ok {
		st.Close()
		return prev, nil
	}
	if db.stmts == nil {
		db.stmts = map[string]*sql.Stmt{}
	}
	db.stmts[query] = st
	return st, nil
}

// bind rewrites a query for the dialect without caching it: for generated
// queries that are used once, such as bulk INSERTs.
func (db *DB) bind(query string) string {
	if !db.D.Numbered {
		return query
	}
	return rebind(query)
}

// rebind replaces each ? outside string literals with $1, $2, ….
func rebind(query string) string {
	var sb strings.Builder
	sb.Grow(len(query) + 16)
	n := 0
	inString := false
	for i := 0; i < len(query); i++ {
		c := query[i]
		switch {
		case c == '\'':
			inString = !inString
			sb.WriteByte(c)
		case c == '?' && !inString:
			n++
			sb.WriteByte('$')
			sb.WriteString(strconv.Itoa(n))
		default:
			sb.WriteByte(c)
		}
	}
	return sb.String()
}

func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	res, err := db.W.ExecContext(ctx, db.q(query), args...)
	return res, db.translate(err)
}

func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.R.QueryRowContext(ctx, db.q(query), args...)
}

func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.R.QueryContext(ctx, db.q(query), args...)
}

// translate maps driver errors to store errors.
func (db *DB) translate(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return store.ErrNotFound
	case db.D.IsUniqueViolation != nil && db.D.IsUniqueViolation(err):
		return fmt.Errorf("%w: %v", store.ErrConflict, err)
	}
	return err
}

// inTx runs fn in a write transaction, committing when it returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	return db.inTxOn(ctx, db.W, fn)
}

// inTxOn is inTx on a given pool or connection of the writer.
func (db *DB) inTxOn(ctx context.Context, on interface {
	BeginTx(context.Context, *sql.TxOptions) (*sql.Tx, error)
}, fn func(tx *sql.Tx) error) error {
	tx, err := on.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return db.translate(err)
	}
	return db.translate(tx.Commit())
}

// placeholders returns "?,?,…" with n marks.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?,", n-1) + "?"
}

// table says how one model type is stored in its table: the column list
// (shared by the INSERTs and SELECTs) and row, which appends the values of
// one object in that order, encoded as stored. The single-row Create calls
// and the bulk Seed both insert through it.
type table[T any] struct {
	name    string
	columns string
	n       int    // number of columns
	one     string // INSERT of one row, with ? placeholders
	row     func(dst []any, v *T) ([]any, error)
}

func newTable[T any](name, columns string, row func(dst []any, v *T) ([]any, error)) table[T] {
	t := table[T]{name: name, columns: columns, n: strings.Count(columns, ",") + 1, row: row}
	t.one = t.insert(1)
	return t
}

// insert returns an INSERT of rows rows, with ? placeholders.
func (t table[T]) insert(rows int) string {
	var sb strings.Builder
	values := "(" + placeholders(t.n) + ")"
	sb.Grow(len(t.name) + len(t.columns) + 32 + rows*(len(values)+1))
	sb.WriteString("INSERT INTO ")
	sb.WriteString(t.name)
	sb.WriteString(" (")
	sb.WriteString(t.columns)
	sb.WriteString(") VALUES ")
	for i := range rows {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(values)
	}
	return sb.String()
}

// create inserts v as one row, outside any transaction.
func (t table[T]) create(ctx context.Context, db *DB, v *T) error {
	args, err := t.row(nil, v)
	if err != nil {
		return err
	}
	_, err = db.exec(ctx, t.one, args...)
	return err
}

// createTx inserts v as one row in tx.
func (t table[T]) createTx(ctx context.Context, db *DB, tx *sql.Tx, v *T) error {
	args, err := t.row(nil, v)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, db.q(t.one), args...)
	return err
}

// anys converts strings to query arguments.
func anys(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

// Stored times lie between minTime and maxTime, the range RFC 3339 (and so
// JSON) can write: a time outside it is stored as the nearer bound, so that
// no stored time can make an answer fail to encode.
var (
	minTime = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()
	maxTime = time.Date(9999, 12, 31, 23, 59, 59, 999999000, time.UTC).UnixMicro()
)

// micros converts a time to stored Unix microseconds; zero time is 0.
func micros(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	if t.Year() > 9999 {
		return maxTime
	}
	return max(t.UnixMicro(), minTime)
}

// timeOf converts stored Unix microseconds back; 0 is the zero time.
func timeOf(us int64) time.Time {
	if us == 0 {
		return time.Time{}
	}
	return time.UnixMicro(min(max(us, minTime), maxTime)).UTC()
}

// nullable turns "" into NULL so that unique indexes ignore absent values.
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// chunks calls fn with successive slices of at most size IDs; used to keep
// IN lists within the engines' parameter limits.
func chunks(ids []string, size int, fn func(part []string) error) error {
	for len(ids) > 0 {
		n := min(size, len(ids))
		if err := fn(ids[:n]); err != nil {
			return err
		}
		ids = ids[n:]
	}
	return nil
}
