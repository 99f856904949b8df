package web

import (
	"net/http"
	"time"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/session"
)

// loginPage is the login form of creators and advertisers.
type loginPage struct {
	Base
	Login string
	Next  string
	Error string
}

func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request, u *user) error {
	next := r.URL.Query().Get("next")
	if u != nil && !u.Operator {
		return seeOther(w, r, nextOr(next, "/"))
	}
	page := loginPage{Base: h.base(r, nil, "Log in"), Next: next}
	page.CSRF = anonymousToken(w, r)
	h.render(w, r, http.StatusOK, "login", page)
	return nil
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request, _ *user) error {
	if err := parseForm(r); err != nil {
		return err
	}
	page := loginPage{Base: h.base(r, nil, "Log in"), Login: r.PostForm.Get("login"), Next: r.PostForm.Get("next")}
	page.CSRF = anonymousToken(w, r)
	started, err := h.Sessions.Login(r.Context(), page.Login, r.PostForm.Get("password"), clientAddr(r), previous(r))
	if err != nil {
		e, ok := apperr.As(err)
		if !ok {
			return err
		}
		page.Error = words(e)
		if e.Kind == apperr.RateLimited {
			w.Header().Set("Retry-After", "60")
		}
		h.render(w, r, statusFor(err), "login", page)
		return nil
	}
	setSession(w, r, started)
	return seeOther(w, r, nextOr(page.Next, "/"))
}

// previous is the secret of the session the browser has, ended at login.
func previous(r *http.Request) string {
	if c, err := r.Cookie(cookieName); err == nil {
		return c.Value
	}
	return ""
}

// setSession gives the browser the new session's cookie: HttpOnly, Lax,
// Secure when served over TLS.
func setSession(w http.ResponseWriter, r *http.Request, s session.Started) {
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: s.Secret, Path: "/", Expires: s.ExpiresAt,
		MaxAge: int(time.Until(s.ExpiresAt).Seconds()), HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil})
}

// nextOr returns next if it is a path on this site, else fallback.
func nextOr(next, fallback string) string {
	if isRelativePath(next) {
		return next
	}
	return fallback
}
