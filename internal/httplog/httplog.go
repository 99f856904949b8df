// Package httplog logs the requests of Flint's HTTP adapters (the API and
// the web pages) and turns a handler's panic into an answer: method, route
// pattern, status and duration, never query strings, bodies, headers or
// cookies, which hold tokens, codes and passwords.
package httplog

import (
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// Requests is the logging and panic recovery of one adapter.
type Requests struct {
	Log *slog.Logger
	// Request and Panic are the messages a request and a panic are logged
	// under.
	Request, Panic string
	// OnPanic answers a request whose handler panicked before writing
	// anything.
	OnPanic func(w http.ResponseWriter, r *http.Request, v any)
}

// Wrap returns next with each request logged (at info, or error for a 5xx
// answer) and panics recovered: logged with their stack and answered by
// OnPanic. http.ErrAbortHandler is passed on, as net/http expects.
func (q Requests) Wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				q.Log.ErrorContext(r.Context(), q.Panic, "method", r.Method, "path", r.URL.Path,
					"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
				if rec.status == 0 {
					q.OnPanic(rec, r, v)
				}
			}
			level := slog.LevelInfo // successful requests too
			if rec.status >= 500 {
				level = slog.LevelError
			}
			if q.Log.Enabled(r.Context(), level) {
				pattern := r.Pattern
				if pattern == "" {
					pattern = "unmatched"
				}
				q.Log.Log(r.Context(), level, q.Request, "method", r.Method, "route", pattern,
					"status", rec.status, "duration", time.Since(start))
			}
		}()
		next.ServeHTTP(rec, r)
	})
}

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
