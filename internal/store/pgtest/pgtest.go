// Package pgtest gives tests a PostgreSQL database of their own.
//
// Creating, migrating and dropping a database takes about half a second, so
// tests that need many empty databases share one per top-level test: they
// call URL once and Empty before each subtest (a few milliseconds).
//
// The server is the one named by the environment variable
// FLINT_TEST_POSTGRES_URL, by default
// postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable; the URL's
// user must be allowed to create databases. When the server cannot be
// reached the calling test is skipped, unless FLINT_REQUIRE_POSTGRES=1, in
// which case it fails.
package pgtest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
)

// DefaultURL is the server used when FLINT_TEST_POSTGRES_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// Prefix starts the name of every database that URL creates.
const Prefix = "flint_test_"

// ServerURL returns the URL of the test server's maintenance database.
func ServerURL() string {
	if u := os.Getenv("FLINT_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// Required reports whether FLINT_REQUIRE_POSTGRES=1 forbids skipping.
func Required() bool { return os.Getenv("FLINT_REQUIRE_POSTGRES") == "1" }

var (
	adminOnce sync.Once
	admin     *sql.DB
	adminErr  error
)

// server returns a pool on the maintenance database, opened once per test
// binary and left open until it exits.
func server() (*sql.DB, error) {
	adminOnce.Do(func() {
		db, err := sql.Open("pgx", ServerURL())
		if err != nil {
			adminErr = err
			return
		}
		db.SetMaxOpenConns(4)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			adminErr = err
			return
		}
		admin = db
	})
	return admin, adminErr
}

// URL creates an empty database on the test server and returns its URL. The
// database is dropped when the test and its subtests finish, after the
// cleanups that the test registered later (so a store opened on it and
// closed in t.Cleanup is closed first); connections still open then are
// terminated.
func URL(t testing.TB) string {
	t.Helper()
	db, err := server()
	if err != nil {
		msg := fmt.Sprintf("PostgreSQL test server %s unreachable: %v", redact(ServerURL()), err)
		if Required() {
			t.Fatal(msg + " (FLINT_REQUIRE_POSTGRES=1)")
		}
		t.Skip(msg + " (set FLINT_REQUIRE_POSTGRES=1 to fail instead)")
	}
	u, err := url.Parse(ServerURL())
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("FLINT_TEST_POSTGRES_URL must be a postgres:// URL, got %q", redact(ServerURL()))
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatal(err)
	}
	name := Prefix + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if _, err := db.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if _, err := db.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("pgtest: drop database %s: %v", name, err)
		}
	})
	u.Path = "/" + name
	return u.String()
}

// Empty deletes every row of every table in db's current schema, except
// goose's migration history, so that a database from URL can serve several
// tests in turn. It deletes referencing tables first, in one transaction;
// for the few rows tests leave behind this is much faster than TRUNCATE.
func Empty(t testing.TB, db *sql.DB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := empty(ctx, db); err != nil {
		t.Fatalf("pgtest: empty database: %v", err)
	}
}

func empty(ctx context.Context, db *sql.DB) error {
	tables, err := column(ctx, db, `SELECT tablename FROM pg_tables
		WHERE schemaname = current_schema() AND tablename <> 'goose_db_version' ORDER BY tablename`)
	if err != nil {
		return err
	}
	// refs[t] lists the tables that t references.
	refs := map[string][]string{}
	pairs, err := column(ctx, db, `SELECT c.relname || ' ' || r.relname FROM pg_constraint k
		JOIN pg_class c ON c.oid = k.conrelid JOIN pg_class r ON r.oid = k.confrelid
		WHERE k.contype = 'f' AND k.connamespace = current_schema()::regnamespace AND c.oid <> r.oid`)
	if err != nil {
		return err
	}
	for _, p := range pairs {
		from, to, _ := strings.Cut(p, " ")
		refs[from] = append(refs[from], to)
	}
	// Order tables so that each comes before those it references.
	var order []string
	state := map[string]int{} // 1 visiting, 2 done
	var visit func(string) error
	visit = func(t string) error {
		switch state[t] {
		case 1:
			return fmt.Errorf("foreign keys form a cycle through %s", t)
		case 2:
			return nil
		}
		state[t] = 1
		for _, r := range refs[t] {
			if err := visit(r); err != nil {
				return err
			}
		}
		state[t] = 2
		order = append(order, t)
		return nil
	}
	for _, t := range tables {
		if err := visit(t); err != nil {
			return err
		}
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i := len(order) - 1; i >= 0; i-- {
		if _, err := tx.ExecContext(ctx, `DELETE FROM "`+order[i]+`"`); err != nil {
			return err
		}
	}
	return tx.Commit()
}

// column returns the first column of a query's rows.
func column(ctx context.Context, db *sql.DB, query string) ([]string, error) {
	rows, err := db.QueryContext(ctx, query)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// redact hides a password in a URL for messages.
func redact(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
