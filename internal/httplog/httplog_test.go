package httplog

import (
	"bytes"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestPanicIsAnsweredAndLogged(t *testing.T) {
	var logs bytes.Buffer
	q := Requests{Log: slog.New(slog.NewTextHandler(&logs, nil)), Request: "request", Panic: "panic",
		OnPanic: func(w http.ResponseWriter, _ *http.Request, v any) {
			http.Error(w, "sorry", http.StatusInternalServerError)
		}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /boom/{id}", func(http.ResponseWriter, *http.Request) { panic("boom") })
	mux.HandleFunc("GET /ok", func(w http.ResponseWriter, _ *http.Request) { w.Write([]byte("fine")) })
	h := q.Wrap(mux)

	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/boom/7?code=FLINT-SECRET", nil))
	if rec.Code != http.StatusInternalServerError || !strings.Contains(rec.Body.String(), "sorry") {
		t.Fatalf("a panic answered %d %q", rec.Code, rec.Body.String())
	}
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/ok", nil))
	out := logs.String()
	for _, want := range []string{"msg=panic", "panic=boom", `route="GET /boom/{id}" status=500`, "level=ERROR",
		`route="GET /ok" status=200`} {
		if !strings.Contains(out, want) {
			t.Errorf("log lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out, "FLINT-SECRET") {
		t.Errorf("the query string was logged:\n%s", out)
	}
}

func TestAbortHandlerPassesThrough(t *testing.T) {
	q := Requests{Log: slog.New(slog.DiscardHandler), OnPanic: func(http.ResponseWriter, *http.Request, any) {
		t.Error("OnPanic called for http.ErrAbortHandler")
	}}
	defer func() {
		if v := recover(); v != http.ErrAbortHandler {
			t.Fatalf("recovered %v, want http.ErrAbortHandler passed on", v)
		}
	}()
	q.Wrap(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) })).
		ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
}
