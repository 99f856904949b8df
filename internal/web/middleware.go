package web

import (
	"net"
	"net/http"
	"strings"

	"github.com/flintads/flint/internal/httplog"
	"github.com/flintads/flint/internal/ids"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/session"
)

// contentSecurityPolicy allows only our own scripts and styles (no inline
// script, no style attributes), images and videos from any https origin
// (creators' posts live on the platform's CDN), and no framing.
const contentSecurityPolicy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; " +
	"media-src 'self' https:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// secureHeaders sets the headers every answer of the UI carries. A handler
// may replace the policy for what it serves (the charts do).
func secureHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "same-origin")
		hd.Set("Cross-Origin-Opener-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// logRecover logs each request and turns a panic into a 500 page (see
// httplog).
func (h *Handler) logRecover(next http.Handler) http.Handler {
	return httplog.Requests{Log: h.Log, Request: "web request", Panic: "web: panic",
		OnPanic: func(w http.ResponseWriter, _ *http.Request, _ any) {
			h.plainError(w, http.StatusInternalServerError)
		}}.Wrap(next)
}

// user is the signed-in person.
type user struct {
	session.Principal
}

func (u *user) role() role {
	switch {
	case u == nil:
		return 0
	case u.Operator:
		return roleOperator
	case u.Account.Kind == model.KindCreator:
		return roleCreator
	default:
		return roleAdvertiser
	}
}

// role is who may open a page.
type role uint8

const (
	roleCreator role = 1 << iota
	roleAdvertiser
	roleOperator
)

// handlerFunc is a page or action: it returns an error for serveError
// instead of writing one.
type handlerFunc func(w http.ResponseWriter, r *http.Request, u *user) error

const (
	cookieName = "flint_session"
	maxForm    = 64 << 10
)

// signedIn returns the session's user, or nil.
func (h *Handler) signedIn(r *http.Request) (*user, error) {
	c, err := r.Cookie(cookieName)
	if err != nil || c.Value == "" {
		return nil, nil
	}
	p, err := h.Sessions.Check(r.Context(), c.Value)
	if err == session.ErrNoSession {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &user{p}, nil
}

// page wraps fn: it signs the user in from the session cookie, sends people
// without a session to the login page, answers 404 to a role the page is
// not for and to path IDs Flint could not have made, limits form bodies,
// refuses a state-changing request without its session's form token, and
// renders fn's error.
func (h *Handler) page(roles role, fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, ok := h.signIn(w, r, roles)
		if !ok {
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if !safeMethod(r.Method) && !h.formTokenOK(w, r, u, false) {
			return
		}
		if err := fn(w, r, u); err != nil {
			h.serveError(w, r, u, err)
		}
	})
}

// public wraps a page that needs no session (the login pages, Log out):
// its forms carry the session's token or, before login, the browser's.
func (h *Handler) public(fn handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := h.signedIn(r)
		if err != nil {
			h.serveError(w, r, nil, err)
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxForm)
		if !safeMethod(r.Method) && !h.formTokenOK(w, r, u, true) {
			return
		}
		if err := fn(w, r, u); err != nil {
			h.serveError(w, r, u, err)
		}
	})
}

// signIn does what page does before the page's own work: the session, the
// role, the path IDs. It answers and returns false when the page must not
// run.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, roles role) (*user, bool) {
	u, err := h.signedIn(r)
	if err != nil {
		h.serveError(w, r, nil, err)
		return nil, false
	}
	if u == nil {
		login := "/login"
		if roles == roleOperator {
			login = "/console/login"
		}
		if r.Method == http.MethodGet {
			login += "?next=" + urlQueryEscape(r.URL.RequestURI())
		}
		http.Redirect(w, r, login, http.StatusSeeOther)
		return nil, false
	}
	if u.role()&roles == 0 {
		if roles == roleOperator && r.Method == http.MethodGet {
			http.Redirect(w, r, "/console/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return nil, false
		}
		h.serveError(w, r, u, errNotFound)
		return nil, false
	}
	if !plausiblePath(r) {
		h.serveError(w, r, u, errNotFound)
		return nil, false
	}
	return u, true
}

// plausiblePath reports whether every ID in the request's path could be
// one Flint made (ids.Plausible): a NUL byte, invalid UTF-8 or a megabyte
// of text names nothing, and is not found without asking the store.
func plausiblePath(r *http.Request) bool {
	for seg := range strings.SplitSeq(r.Pattern, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			if !ids.Plausible(r.PathValue(strings.TrimSuffix(name, "}"))) {
				return false
			}
		}
	}
	return true
}

// formTokenOK reads the posted form and checks its token (csrf.go),
// answering the request itself when the form cannot be read or the token
// is wrong.
func (h *Handler) formTokenOK(w http.ResponseWriter, r *http.Request, u *user, anonymous bool) bool {
	if err := parseForm(r); err != nil {
		h.serveError(w, r, u, err)
		return false
	}
	if !tokenOK(r, u, r.PostForm.Get(csrfField), anonymous) {
		h.refuseForgery(w, r, u)
		return false
	}
	return true
}

// clientAddr is the address login attempts are limited by: the peer's IP.
// Headers such as X-Forwarded-For are not trusted.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}
