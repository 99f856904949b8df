// Package backend opens the storage implementation that a data source name
// selects (config.IsPostgres): a postgres:// or postgresql:// URL selects
// PostgreSQL, anything else is the path of a SQLite file (an optional
// "sqlite://" or "file:" prefix is stripped).
package backend

import (
	"context"
	"os"
	"path/filepath"

	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/store/postgres"
	"github.com/flintads/flint/internal/store/sqldb"
	"github.com/flintads/flint/internal/store/sqlite"
)

// Open opens the store that dsn names and applies pending migrations. For
// SQLite the file's directory is created if missing.
func Open(ctx context.Context, dsn string) (*sqldb.DB, error) {
	if config.IsPostgres(dsn) {
		return postgres.Open(ctx, dsn)
	}
	path := config.SQLitePath(dsn)
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, err
		}
	}
	return sqlite.Open(ctx, path)
}
