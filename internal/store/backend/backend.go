// Package backend opens the storage implementation that a data source name
// selects: a postgres:// or postgresql:// URL selects PostgreSQL, anything
// else is the path of a SQLite file (an optional "sqlite://" or "file:"
// prefix is stripped).
package backend

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/flintads/flint/internal/store/postgres"
	"github.com/flintads/flint/internal/store/sqldb"
	"github.com/flintads/flint/internal/store/sqlite"
)

// IsPostgres reports whether dsn selects PostgreSQL.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLitePath returns the file path that a SQLite data source name names.
func SQLitePath(dsn string) string {
	for _, p := range []string{"sqlite://", "sqlite:", "file:"} {
		if strings.HasPrefix(dsn, p) {
			return strings.TrimPrefix(dsn, p)
		}
	}
	return dsn
}

// Open opens the store that dsn names and applies pending migrations. For
// SQLite the file's directory is created if missing.
func Open(ctx context.Context, dsn string) (*sqldb.DB, error) {
	if IsPostgres(dsn) {
		return postgres.Open(ctx, dsn)
	}
	path := SQLitePath(dsn)
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	}
	return sqlite.Open(ctx, path)
}
