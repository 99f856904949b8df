// Package apperr defines the errors that Flint's domain returns to its callers:
// each carries a stable machine-readable code, a kind with its HTTP status
// (Kind.HTTPStatus), a human message and, for input errors, the offending
// field.
//
// Domain packages return *Error values; the adapters (api, web) turn them
// into responses. Any other error is an internal failure whose text is
// logged and never shown to a client.
package apperr

import (
	"errors"
	"fmt"
	"net/http"
	"time"
)

// Kind classifies an error by what the caller did wrong.
type Kind int

// The kinds of error, from the caller's point of view.
const (
	Invalid          Kind = iota + 1 // malformed or invalid input (400)
	Unauthenticated                  // no or bad credentials (401)
	Forbidden                        // authenticated, but not allowed (403)
	NotFound                         // no such object, or not the caller's (404)
	Conflict                         // the object's state forbids the request (409)
	TooLarge                         // request body too large (413)
	Unprocessable                    // well-formed but breaks a business rule (422)
	RateLimited                      // too many requests (429)
	Unavailable                      // storage or a dependency is down; retry later (503)
	MethodNotAllowed                 // the path exists, but not with this method (405)
)

// httpStatus is each kind's HTTP status, the one both adapters (the API
// and the web pages) answer with.
var httpStatus = map[Kind]int{
	Invalid:          http.StatusBadRequest,
	Unauthenticated:  http.StatusUnauthorized,
	Forbidden:        http.StatusForbidden,
	NotFound:         http.StatusNotFound,
	Conflict:         http.StatusConflict,
	TooLarge:         http.StatusRequestEntityTooLarge,
	Unprocessable:    http.StatusUnprocessableEntity,
	RateLimited:      http.StatusTooManyRequests,
	Unavailable:      http.StatusServiceUnavailable,
	MethodNotAllowed: http.StatusMethodNotAllowed,
}

// HTTPStatus returns the kind's HTTP status (listed above); 400 for a kind
// without one.
func (k Kind) HTTPStatus() int {
	if s, ok := httpStatus[k]; ok {
		return s
	}
	return http.StatusBadRequest
}

// Error is a domain error with a stable code.
type Error struct {
	Kind    Kind
	Code    string // UPPER_SNAKE_CASE, stable across releases
	Message string // for humans; never contains secrets
	Field   string // dotted path of the offending input field, if any
	// RetryAfter is set for RateLimited and Unavailable errors.
	RetryAfter time.Duration
	// Also holds the errors about other fields of the same input, when the
	// input was checked whole (see List): the receiver is the first of them.
	Also []*Error
}

// All returns e and the errors in e.Also: every field error of the input.
func (e *Error) All() []*Error {
	return append([]*Error{e}, e.Also...)
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s: %s (field %s)", e.Code, e.Message, e.Field)
	}
	return e.Code + ": " + e.Message
}

// New returns an error of the given kind and code.
func New(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// Field returns an Invalid error about one input field.
func Field(field, code, format string, args ...any) *Error {
	return &Error{Kind: Invalid, Code: code, Message: fmt.Sprintf(format, args...), Field: field}
}

// Codes shared by several packages. Codes specific to one rule live beside it.
const (
	CodeMalformedJSON   = "MALFORMED_JSON"
	CodeWrongType       = "WRONG_TYPE"
	CodeMissingField    = "MISSING_FIELD"
	CodeInvalidValue    = "INVALID_VALUE"
	CodeNotFound        = "NOT_FOUND"
	CodeUnauthenticated = "UNAUTHENTICATED"
	CodeForbidden       = "FORBIDDEN"
	CodeBodyTooLarge    = "BODY_TOO_LARGE"
	CodeRateLimited     = "RATE_LIMITED"
	CodeConflict        = "CONFLICT"
	CodeStorageDown     = "STORAGE_UNAVAILABLE"
	// CodeNoEditableField: a PATCH that names no field it could change.
	CodeMethodNotAllowed = "METHOD_NOT_ALLOWED"
	CodeNoEditableField  = "NO_EDITABLE_FIELD"
	// CodeNotEditable: a PATCH that names a field that cannot change.
	CodeNotEditable = "FIELD_NOT_EDITABLE"
	// CodeDuplicateKey: a JSON object names the same key twice.
	CodeDuplicateKey = "DUPLICATE_KEY"
	// CodeKeyCase: a JSON key differs from a known field only in case.
	CodeKeyCase = "KEY_CASE_MISMATCH"
	// CodeInvalidText: a string that is not valid UTF-8, holds a lone
	// surrogate or a NUL character.
	CodeInvalidText = "INVALID_TEXT"
)

// Missing reports a required field that was absent or empty.
func Missing(field string) *Error {
	return Field(field, CodeMissingField, "%s is required", field)
}

// Invalidf reports a field whose value is not acceptable.
func Invalidf(field, format string, args ...any) *Error {
	return Field(field, CodeInvalidValue, format, args...)
}

// NotFoundf reports an object that does not exist or is not the caller's.
func NotFoundf(format string, args ...any) *Error {
	return New(NotFound, CodeNotFound, format, args...)
}

// As returns the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// HasCode reports whether err carries the given code.
func HasCode(err error, code string) bool {
	e, ok := As(err)
	return ok && e.Code == code
}
