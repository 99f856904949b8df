package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/flintads/flint/internal/apperr"
)

var errNotFound = apperr.NotFoundf("not found")

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// isRelativePath reports whether s is a path on this site ("/ads", not
// "//evil.example" or "https://…"), safe to redirect to after login.
func isRelativePath(s string) bool {
	if s == "" || !strings.HasPrefix(s, "/") || strings.HasPrefix(s, "//") || strings.HasPrefix(s, "/\\") {
		return false
	}
	u, err := url.Parse(s)
	return err == nil && u.Scheme == "" && u.Host == "" && !strings.ContainsAny(s, "\r\n\x00")
}

// seeOther redirects after a successful form post.
func seeOther(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

// parseForm reads a posted form; a body too large is a 413.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return apperr.New(apperr.TooLarge, apperr.CodeBodyTooLarge, "the form is too large")
		}
		return apperr.New(apperr.Invalid, apperr.CodeInvalidValue, "the form could not be read")
	}
	return nil
}

// formErrors are messages shown under the fields they name, by field name.
type formErrors map[string]string

// add files every field error of a domain error (apperr.Error.All) under
// the form field it names (through fields, which maps the domain's field
// names to the form's; a key ending in "." stands for every field under
// it), or under "" for the message above the form. It returns false for
// errors that are not about the input (they become error pages).
func (fe formErrors) add(err error, fields map[string]string) bool {
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.NotFound && e.Field == "" || e.Kind == apperr.Unavailable {
		return false
	}
	for _, x := range e.All() {
		name := fields[x.Field]
		if name == "" {
			for prefix, n := range fields {
				if strings.HasSuffix(prefix, ".") && strings.HasPrefix(x.Field, prefix) {
					name = n
				}
			}
		}
		if _, taken := fe[name]; !taken {
			fe[name] = fieldWords(name, x)
		}
	}
	return true
}

// daysLeft is how many whole or part days remain until t (0 once passed).
func daysLeft(now, t time.Time) int {
	if !now.Before(t) {
		return 0
	}
	return int((t.Sub(now) + 24*time.Hour - 1) / (24 * time.Hour))
}

// plural writes "1 day", "3 days".
func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

// splitList reads "US, gb  FR" as [US gb FR].
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' || r == '\n' || r == '\t' })
}

// tile picks one of the gradient backgrounds posts are drawn on, from the
// post's ID, so that a post keeps its colour.
func tile(id string) string {
	var h uint32 = 2166136261
	for i := 0; i < len(id); i++ {
		h = (h ^ uint32(id[i])) * 16777619
	}
	return "tile-" + strconv.Itoa(int(h%8))
}
