package sqldb

import (
	"bytes"
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"strings"
	"testing/fstest"

	"github.com/pressly/goose/v3"
)

// migrations holds the schema changes of both engines, one file per change.
// Where the engines spell a type differently, a file uses a macro that
// Render fills in: {{int}} (a 64-bit integer), {{bool}}, {{bytes}} and
// {{without_rowid}} (SQLite's clustered-table clause, nothing elsewhere),
// and {{sqlite}}, which starts a line that only SQLite runs (a comment
// elsewhere), for changes of SQLite's physical layout.
//
//go:embed migrations/*.sql
var migrations embed.FS

// Types is how one engine spells the migrations' macros. SQLiteOnly is
// empty on SQLite and "-- " elsewhere.
type Types struct {
	Int, Bool, Bytes, WithoutRowID, SQLiteOnly string
}

// Render returns the migration files with the macros spelt as t spells
// them. A file that still holds "{{" afterwards uses an unknown macro: an
// error, so a typo cannot reach a database.
func Render(t Types) (fs.FS, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, err
	}
	return render(sub, t)
}

func render(src fs.FS, t Types) (fs.FS, error) {
	r := strings.NewReplacer("{{int}}", t.Int, "{{bool}}", t.Bool, "{{bytes}}", t.Bytes,
		"{{without_rowid}}", t.WithoutRowID, "{{sqlite}}", t.SQLiteOnly)
	out := fstest.MapFS{}
	entries, err := fs.ReadDir(src, ".")
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		b, err := fs.ReadFile(src, e.Name())
		if err != nil {
			return nil, err
		}
		s := r.Replace(string(b))
		if i := strings.Index(s, "{{"); i >= 0 {
			line := 1 + bytes.Count([]byte(s[:i]), []byte("\n"))
			return nil, fmt.Errorf("migration %s line %d: unknown macro", e.Name(), line)
		}
		out[e.Name()] = &fstest.MapFile{Data: []byte(s), Mode: 0o444}
	}
	return out, nil
}

// Migrate applies the migrations that db lacks, rendered for the dialect.
func Migrate(ctx context.Context, db *sql.DB, d Dialect) error {
	files, err := Render(d.Types)
	if err != nil {
		return err
	}
	p, err := goose.NewProvider(d.Goose, db, files)
	if err != nil {
		return fmt.Errorf("%s migrations: %w", d.Name, err)
	}
	if _, err := p.Up(ctx); err != nil {
		return fmt.Errorf("%s migrations: %w", d.Name, err)
	}
	return fillNumericIDs(ctx, db, d)
}
