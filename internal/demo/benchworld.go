package demo

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/flintads/flint/internal/store/sqlite"
)

// BenchWorld returns a SQLite file in the temporary directory holding a
// world of n serving ads (seed 1), for benchmarks: it is seeded on first
// use (logf says so, since it takes a while) and reused by later runs,
// which copy it before they write to it.
func BenchWorld(ctx context.Context, n int, logf func(format string, args ...any)) (string, error) {
	path := filepath.Join(os.TempDir(), fmt.Sprintf("flint-bench-%d.db", n))
	if _, err := os.Stat(path); err == nil {
		return path, nil
	}
	logf("seeding %d ads into %s (once)", n, path)
	tmp := path + ".tmp"
	os.Remove(tmp)
	st, err := sqlite.Open(ctx, tmp)
	if err != nil {
		return "", err
	}
	if err := st.Seed(ctx, Generate(n, 1, time.Now())); err != nil {
		st.Close()
		return "", err
	}
	// Closing checkpoints the write-ahead log into the file.
	if err := st.Close(); err != nil {
		return "", err
	}
	if err := os.Rename(tmp, path); err != nil {
		return "", err
	}
	os.Remove(tmp + "-wal")
	os.Remove(tmp + "-shm")
	return path, nil
}
