package delivery

import (
	"context"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"strconv"
	"testing"
	"time"

	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/store/backend"
	"github.com/flintads/flint/internal/tracking"
)

// BenchmarkLoadStore loads the index from the store that
// FLINT_BENCH_LOAD_DB names (a world seeded with flint demo --seed-only),
// as flint serve does at start (with the same GC setting). Skipped without
// it.
//
//	FLINT_BENCH_LOAD_DB=/tmp/w/flint.db go test ./internal/delivery -run '^$' -bench LoadStore -benchtime 3x
func BenchmarkLoadStore(b *testing.B) {
	dsn := os.Getenv("FLINT_BENCH_LOAD_DB")
	if dsn == "" {
		b.Skip("FLINT_BENCH_LOAD_DB is not set")
	}
	ctx := context.Background()
	st, err := backend.Open(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	clk := clock.NewManual(time.Now())
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	signer := tracking.NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour)
	b.ResetTimer()
	for range b.N {
		e := New(st, clk, log, signer, Config{})
		gc := debug.SetGCPercent(benchGCPercent())
		err := e.Load(ctx)
		debug.SetGCPercent(gc)
		if err != nil {
			b.Fatal(err)
		}
	}
}

// benchGCPercent is FLINT_BENCH_GC_PERCENT, 10 (what flint serve has used)
// when unset.
func benchGCPercent() int {
	if n, err := strconv.Atoi(os.Getenv("FLINT_BENCH_GC_PERCENT")); err == nil {
		return n
	}
	return 10
}
