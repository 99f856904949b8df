package api_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/demo"
	"github.com/flintads/flint/internal/server"
)

// benchAds is the size of the world the decision benchmark serves from;
// FLINT_BENCH_ADS overrides it.
func benchAds() int {
	if n, err := strconv.Atoi(os.Getenv("FLINT_BENCH_ADS")); err == nil && n > 0 {
		return n
	}
	return 100_000
}

// seededDB returns the benchmark world of n ads (demo.BenchWorld).
func seededDB(b *testing.B, n int) string {
	path, err := demo.BenchWorld(context.Background(), n, b.Logf)
	if err != nil {
		b.Fatal(err)
	}
	return path
}

var (
	benchCountries = []string{"US", "US", "US", "GB", "DE", "FR", "BR", "IN", "ID", "JP", "MX", "CA", "AU", "ES", "IT",
		"KR", "TR", "PH", "VN", "TH", "PL", "NL"}
	benchInterests = []string{"beauty", "fitness", "gaming", "food", "travel", "fashion", "tech", "music", "pets", "sports"}
)

// decisionBodies returns n request bodies for varied viewers.
func decisionBodies(n int) [][]byte {
	r := rand.New(rand.NewPCG(5, 6))
	out := make([][]byte, n)
	for i := range out {
		interests := ""
		for k := range r.IntN(4) {
			if k > 0 {
				interests += ","
			}
			interests += `"` + benchInterests[r.IntN(len(benchInterests))] + `"`
		}
		out[i] = fmt.Appendf(nil, `{"placement":"feed","viewer":{"id":"v%d","country":%q,"age":%d,"gender":%q,"language":"en","os":%q,"interests":[%s]},"count":1}`,
			r.IntN(100_000), benchCountries[r.IntN(len(benchCountries))], 13+r.IntN(50),
			[]string{"female", "male"}[r.IntN(2)], []string{"ios", "android"}[r.IntN(2)], interests)
	}
	return out
}

// BenchmarkDecisionHandler measures the whole decision handler (routing,
// authentication, decoding, the decision with its reservation and token,
// encoding) over a demo world of FLINT_BENCH_ADS ads (default 100,000),
// with varied viewers.
func BenchmarkDecisionHandler(b *testing.B) {
	n := benchAds()
	src := seededDB(b, n)
	dir := b.TempDir()
	data, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "flint.db"), data, 0o600); err != nil {
		b.Fatal(err)
	}
	cfg := config.Defaults()
	cfg.DataDir, cfg.DB, cfg.OperatorToken = dir, filepath.Join(dir, "flint.db"), operatorToken
	app, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	defer app.Close()
	bodies := decisionBodies(4096)
	h := app.Handler
	filled := 0
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		req := httptest.NewRequest(http.MethodPost, "/api/v1/decisions", bytes.NewReader(bodies[i%len(bodies)]))
		req.Header.Set("Authorization", "Bearer "+operatorToken)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
		if bytes.Contains(w.Body.Bytes(), []byte(`"ad_id"`)) {
			filled++
		}
	}
	b.ReportMetric(float64(filled)/float64(b.N), "fill")
}
