// Package postgres is the PostgreSQL storage backend, through pgx's
// database/sql driver, with its schema migrations embedded and applied by
// Open. It shares its queries with the SQLite backend (store/sqldb).
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"github.com/pressly/goose/v3"

	"github.com/flintads/flint/internal/store/sqldb"
)

// Dialect describes PostgreSQL to the shared SQL code.
var Dialect = sqldb.Dialect{
	Name:      "postgres",
	Goose:     goose.DialectPostgres,
	Types:     sqldb.Types{Int: "BIGINT", Bool: "BOOLEAN", Bytes: "BYTEA", SQLiteOnly: "-- "},
	Numbered:  true,
	ForUpdate: " FOR UPDATE",
	LockRow:   " FOR NO KEY UPDATE",
	Now:       "CAST(EXTRACT(EPOCH FROM clock_timestamp()) * 1000000 AS BIGINT)",
	Notify:    "SELECT pg_notify('" + ChangeChannel + "', '')",
	IsUniqueViolation: func(err error) bool {
		var e *pgconn.PgError
		return errors.As(err, &e) && e.Code == "23505"
	},
}

// Open connects to the database at url (postgres://…) and brings its schema
// up to date.
func Open(ctx context.Context, url string) (*sqldb.DB, error) {
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(20)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: %w", err)
	}
	if err := Migrate(ctx, db); err != nil {
		db.Close()
		return nil, err
	}
	return sqldb.New(db, db, Dialect), nil
}

// Migrate applies the migrations that db lacks.
func Migrate(ctx context.Context, db *sql.DB) error { return sqldb.Migrate(ctx, db, Dialect) }
