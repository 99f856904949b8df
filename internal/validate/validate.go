// Package validate holds the checks of free-form input that several domain
// packages share: text fields and web addresses. Each returns nil or an
// apperr INVALID_VALUE error naming the field.
package validate

import (
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/flintads/flint/internal/apperr"
)

// MaxURL is the longest URL accepted.
const MaxURL = 2048

// Text checks that s is valid UTF-8 without NUL bytes (which PostgreSQL
// cannot store) and at most maxRunes characters long.
func Text(field, s string, maxRunes int) error {
	if !utf8.ValidString(s) || strings.ContainsRune(s, 0) || utf8.RuneCountInString(s) > maxRunes {
		return apperr.Invalidf(field, "%s must be valid text of at most %d characters", field, maxRunes)
	}
	return nil
}

// HTTPURL checks that s is an absolute http or https URL with a host.
func HTTPURL(field, s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(s) > MaxURL ||
		strings.ContainsAny(s, " \t\r\n") {
		return apperr.Invalidf(field, "%s must be an absolute http(s) URL", field)
	}
	return nil
}
