package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"sync"

	"github.com/flintads/flint/internal/apperr"
)

// MaxBody is the largest request body the API reads.
const MaxBody = 1 << 20

// errorBody is the JSON shape of every error answer.
type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Code    string `json:"code"`
	Message string `json:"message"`
	Field   string `json:"field,omitempty"`
	// Errors lists every field error of an input checked whole, the
	// first (the one above) included, when there is more than one.
	Errors []errorDetail `json:"errors,omitempty"`
}

// writeError is the error translator: the one place where errors become
// HTTP answers. A domain error keeps its code and message; anything else is
// logged with its detail and answered with a bare 500.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		err = apperr.New(apperr.TooLarge, apperr.CodeBodyTooLarge, "the request body is larger than %d bytes", tooBig.Limit)
	}
	e, ok := apperr.As(err)
	if !ok {
		if errors.Is(err, r.Context().Err()) && r.Context().Err() != nil {
			// The client went away; nobody reads this answer.
			log.DebugContext(r.Context(), "request cancelled", "path", r.URL.Path)
			w.WriteHeader(499)
			return
		}
		log.ErrorContext(r.Context(), "internal error", "method", r.Method, "path", r.URL.Path, "err", err)
		writeJSON(w, http.StatusInternalServerError, errorBody{errorDetail{Code: "INTERNAL",
			Message: "something went wrong on our side; it has been logged"}})
		return
	}
	status := e.Kind.HTTPStatus()
	if e.Kind == apperr.RateLimited || e.Kind == apperr.Unavailable {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(max(e.RetryAfter.Seconds(), 1)))))
	}
	if e.Kind == apperr.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="flint"`)
	}
	detail := errorDetail{Code: e.Code, Message: e.Message, Field: e.Field}
	if len(e.Also) > 0 {
		for _, x := range e.All() {
			detail.Errors = append(detail.Errors, errorDetail{Code: x.Code, Message: x.Message, Field: x.Field})
		}
	}
	writeJSON(w, status, errorBody{detail})
}

// buffers recycles the buffers that request and answer bodies pass through.
var buffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

func putBuffer(b *bytes.Buffer) {
	if b.Cap() <= 64<<10 { // keep the pool from holding on to huge bodies
		b.Reset()
		buffers.Put(b)
	}
}

var (
	headerJSON    = []string{"application/json; charset=utf-8"}
	headerNoStore = []string{"no-store"}
)

// writeJSON writes v as the JSON answer with the given status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := buffers.Get().(*bytes.Buffer)
	defer putBuffer(buf)
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		buf.Reset()
		buf.WriteString(`{"error":{"code":"INTERNAL","message":"the answer could not be encoded"}}` + "\n")
		status = http.StatusInternalServerError
	}
	h := w.Header()
	h["Content-Type"] = headerJSON
	h["Cache-Control"] = headerNoStore
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes()) // the client may have gone; nothing to do about it
}
