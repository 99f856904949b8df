package api

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/flintads/flint/internal/apperr"
)

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// middleware recovers from panics (answering 500 and logging the stack) and
// logs each request: method, route pattern, status and duration. It never
// logs bodies, query strings or headers, which may hold tokens and codes.
func (a *API) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				a.Log.ErrorContext(r.Context(), "panic", "method", r.Method, "path", r.URL.Path,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if rec.status == 0 {
					writeError(rec, r, a.Log, fmt.Errorf("panic: %v", v))
				}
			}
			if a.Log.Enabled(r.Context(), levelFor(rec.status)) {
				pattern := r.Pattern
				if pattern == "" {
					pattern = "unmatched"
				}
				a.Log.Log(r.Context(), levelFor(rec.status), "request", "method", r.Method, "route", pattern,
					"status", rec.status, "duration", time.Since(start))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

// healthz answers 200 while the process runs.
func (a *API) healthz(w http.ResponseWriter, r *http.Request, _ principal) error {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	return nil
}

// readyz answers 200 when the server can serve traffic (its store answers).
func (a *API) readyz(w http.ResponseWriter, r *http.Request, _ principal) error {
	if a.Ready != nil {
		if err := a.Ready(r.Context()); err != nil {
			a.Log.WarnContext(r.Context(), "not ready", "err", err)
			writeJSON(w, http.StatusServiceUnavailable, errorBody{errorDetail{Code: "NOT_READY",
				Message: "the server is not ready"}})
			return nil
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready"})
	return nil
}

type advanceRequest struct {
	Seconds *int64 `json:"seconds"`
}

// maxAdvance bounds one test-clock jump to ten years.
const maxAdvance = 10 * 366 * 24 * 3600

func (a *API) advanceClock(w http.ResponseWriter, r *http.Request, _ principal) error {
	var req advanceRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	if req.Seconds == nil {
		return apperr.Missing("seconds")
	}
	if *req.Seconds <= 0 || *req.Seconds > maxAdvance {
		return apperr.Invalidf("seconds", "seconds must be between 1 and %d", maxAdvance)
	}
	now := a.TestClock.Advance(time.Duration(*req.Seconds) * time.Second)
	if a.Advanced != nil {
		if err := a.Advanced(r.Context()); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": now})
	return nil
}

func (a *API) getClock(w http.ResponseWriter, r *http.Request, _ principal) error {
	writeJSON(w, http.StatusOK, map[string]any{"now": a.Clock.Now()})
	return nil
}

func levelFor(status int) slog.Level {
	switch {
	case status >= 500:
		return slog.LevelError
	}
	return slog.LevelInfo // successful requests too: method, route, status, duration, never secrets
}
