package server

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/flintads/flint/internal/config"
)

// TestAnswersWhileLoading: the server answers before the delivery index
// has loaded: /healthz 200, /readyz and everything else 503 with
// Retry-After, until the load is done.
func TestAnswersWhileLoading(t *testing.T) {
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.DB = filepath.Join(cfg.DataDir, "flint.db")
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	app, err := build(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	defer app.Close()
	get := func(path string) *http.Response {
		w := httptest.NewRecorder()
		app.Handler.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		return w.Result()
	}
	if r := get("/healthz"); r.StatusCode != 200 {
		t.Fatalf("/healthz while loading: %d", r.StatusCode)
	}
	if r := get("/readyz"); r.StatusCode != 503 {
		t.Fatalf("/readyz while loading: %d", r.StatusCode)
	}
	for _, path := range []string{"/api/v1/me", "/login"} {
		if r := get(path); r.StatusCode != 503 || r.Header.Get("Retry-After") == "" {
			t.Fatalf("%s while loading: %d, Retry-After %q", path, r.StatusCode, r.Header.Get("Retry-After"))
		}
	}
	if err := app.load(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := get("/readyz"); r.StatusCode != 200 {
		t.Fatalf("/readyz once loaded: %d", r.StatusCode)
	}
	if r := get("/api/v1/me"); r.StatusCode != 401 {
		t.Fatalf("/api/v1/me once loaded, without credentials: %d", r.StatusCode)
	}
}
