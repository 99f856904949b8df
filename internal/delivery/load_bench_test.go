package delivery

import (
	"context"
	"io"
	"log/slog"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
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
	for i := range b.N {
		e := New(st, clk, log, signer, Config{})
		gc := debug.SetGCPercent(benchGCPercent())
		err := e.Load(ctx)
		debug.SetGCPercent(gc)
		if err != nil {
			b.Fatal(err)
		}
		if i == b.N-1 { // what the index keeps, and the most the load held
			var m runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&m)
			b.ReportMetric(float64(m.HeapAlloc)/(1<<20), "MB-kept")
			b.ReportMetric(float64(m.HeapSys)/(1<<20), "MB-heap-sys")
			if path := os.Getenv("FLINT_BENCH_HEAP_PROFILE"); path != "" {
				f, err := os.Create(path)
				if err != nil {
					b.Fatal(err)
				}
				pprof.WriteHeapProfile(f)
				f.Close()
			}
			runtime.KeepAlive(e)
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
