package api

import (
	"fmt"
	"net/http"
	"time"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/httplog"
)

// middleware recovers from panics (answering 500 in the API's error shape)
// and logs each request (see httplog).
func (a *API) middleware(next http.Handler) http.Handler {
	return httplog.Requests{Log: a.Log, Request: "request", Panic: "panic",
		OnPanic: func(w http.ResponseWriter, r *http.Request, v any) {
			writeError(w, r, a.Log, fmt.Errorf("panic: %v", v))
		}}.Wrap(next)
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
