package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"strings"
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
}

var statusOf = map[apperr.Kind]int{
	apperr.Invalid:         http.StatusBadRequest,
	apperr.Unauthenticated: http.StatusUnauthorized,
	apperr.Forbidden:       http.StatusForbidden,
	apperr.NotFound:        http.StatusNotFound,
	apperr.Conflict:        http.StatusConflict,
	apperr.TooLarge:        http.StatusRequestEntityTooLarge,
	apperr.Unprocessable:   http.StatusUnprocessableEntity,
	apperr.RateLimited:     http.StatusTooManyRequests,
	apperr.Unavailable:     http.StatusServiceUnavailable,
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
	status := statusOf[e.Kind]
	if status == 0 {
		status = http.StatusBadRequest
	}
	if e.Kind == apperr.RateLimited || e.Kind == apperr.Unavailable {
		w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(max(e.RetryAfter.Seconds(), 1)))))
	}
	if e.Kind == apperr.Unauthenticated {
		w.Header().Set("WWW-Authenticate", `Bearer realm="flint"`)
	}
	writeJSON(w, status, errorBody{errorDetail{Code: e.Code, Message: e.Message, Field: e.Field}})
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

// decode reads the request body, which must be one JSON object, into v.
// Unknown fields are ignored; syntax errors, wrong types, trailing data and
// oversized bodies become clear 400/413 errors naming the field.
func decode(r *http.Request, v any) error { return decodeBody(r, v, false) }

// decodeOptional is decode for calls whose body may be left out.
func decodeOptional(r *http.Request, v any) error { return decodeBody(r, v, true) }

func decodeBody(r *http.Request, v any, optional bool) error {
	buf := buffers.Get().(*bytes.Buffer)
	defer putBuffer(buf)
	if _, err := buf.ReadFrom(r.Body); err != nil {
		return decodeError(err)
	}
	body := bytes.TrimSpace(buf.Bytes())
	if len(body) == 0 {
		if optional {
			return nil
		}
		return decodeError(io.EOF)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return decodeError(err)
	}
	return nil
}

func decodeError(err error) error {
	var syntax *json.SyntaxError
	var typ *json.UnmarshalTypeError
	var tooBig *http.MaxBytesError
	switch {
	case errors.As(err, &tooBig):
		return err
	case errors.Is(err, io.EOF):
		return apperr.New(apperr.Invalid, apperr.CodeMalformedJSON, "the request body is empty; send a JSON object")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return apperr.New(apperr.Invalid, apperr.CodeMalformedJSON, "the request body ends in the middle of the JSON")
	case errors.As(err, &syntax):
		return apperr.New(apperr.Invalid, apperr.CodeMalformedJSON, "the request body is not valid JSON (at byte %d)", syntax.Offset)
	case errors.As(err, &typ):
		if typ.Field == "" {
			return apperr.New(apperr.Invalid, apperr.CodeWrongType, "the request body must be a JSON object")
		}
		return apperr.Field(typ.Field, apperr.CodeWrongType, "%s must be %s, not %s", typ.Field, describe(typ), typ.Value)
	}
	return apperr.New(apperr.Invalid, apperr.CodeMalformedJSON, "the request body could not be read as JSON")
}

// describe names the JSON type a Go type expects.
func describe(e *json.UnmarshalTypeError) string {
	t := e.Type
	switch {
	case t == nil:
		return "a valid value"
	case strings.HasPrefix(t.String(), "[]"):
		return "an array"
	}
	switch t.Kind().String() {
	case "string":
		return "a string"
	case "bool":
		return "true or false"
	case "int", "int32", "int64", "uint8", "uint32", "uint64":
		return "an integer"
	case "float64", "float32":
		return "a number"
	case "struct", "map":
		return "an object"
	case "ptr":
		return describe(&json.UnmarshalTypeError{Type: t.Elem()})
	}
	return fmt.Sprintf("a %s", t.Kind())
}
