package sqldb

import (
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
)

func TestRenderFillsMacros(t *testing.T) {
	src := fstest.MapFS{"00001_x.sql": {Data: []byte("CREATE TABLE t (a {{int}}, b {{bool}}, c {{bytes}}){{without_rowid}};\n")}}
	files, err := render(src, Types{Int: "BIGINT", Bool: "BOOLEAN", Bytes: "BYTEA"})
	if err != nil {
		t.Fatal(err)
	}
	b, err := fs.ReadFile(files, "00001_x.sql")
	if err != nil {
		t.Fatal(err)
	}
	if want := "CREATE TABLE t (a BIGINT, b BOOLEAN, c BYTEA);\n"; string(b) != want {
		t.Errorf("rendered %q, want %q", b, want)
	}
}

// TestRenderSQLiteOnly: a line that starts with {{sqlite}} is SQLite's
// alone, a comment for other engines.
func TestRenderSQLiteOnly(t *testing.T) {
	src := fstest.MapFS{"00003_z.sql": {Data: []byte("{{sqlite}}DROP INDEX i;\nDROP INDEX j;\n")}}
	for _, c := range []struct {
		ty   Types
		want string
	}{
		{Types{WithoutRowID: " WITHOUT ROWID"}, "DROP INDEX i;\nDROP INDEX j;\n"},
		{Types{SQLiteOnly: "-- "}, "-- DROP INDEX i;\nDROP INDEX j;\n"},
	} {
		files, err := render(src, c.ty)
		if err != nil {
			t.Fatal(err)
		}
		if b, _ := fs.ReadFile(files, "00003_z.sql"); string(b) != c.want {
			t.Errorf("rendered %q, want %q", b, c.want)
		}
	}
}

func TestRenderRefusesUnknownMacro(t *testing.T) {
	src := fstest.MapFS{"00002_y.sql": {Data: []byte("-- +goose Up\nCREATE TABLE t (a {{integer}});\n")}}
	_, err := render(src, Types{Int: "INTEGER"})
	if err == nil || !strings.Contains(err.Error(), "00002_y.sql line 2") {
		t.Errorf("render with a typo = %v, want an error naming the file and line", err)
	}
}

// TestEmbeddedMigrationsRender checks every shipped migration for both
// engines' spellings.
func TestEmbeddedMigrationsRender(t *testing.T) {
	for _, ty := range []Types{{Int: "INTEGER", Bool: "INTEGER", Bytes: "BLOB", WithoutRowID: " WITHOUT ROWID"},
		{Int: "BIGINT", Bool: "BOOLEAN", Bytes: "BYTEA", SQLiteOnly: "-- "}} {
		if _, err := Render(ty); err != nil {
			t.Error(err)
		}
	}
}
