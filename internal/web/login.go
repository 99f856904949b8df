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

// home sends each person to their app, and everyone else to the login page.
func (h *Handler) home(w http.ResponseWriter, r *http.Request, u *user) error {
	switch u.role() {
	case roleCreator:
		return seeOther(w, r, "/profile")
	case roleAdvertiser:
		return seeOther(w, r, "/ads")
	case roleOperator:
		return seeOther(w, r, "/console")
	}
	return seeOther(w, r, "/login")
}

func (h *Handler) showLogin(w http.ResponseWriter, r *http.Request, u *user) error {
	next := r.URL.Query().Get("next")
	if u != nil && !u.Operator {
		return seeOther(w, r, nextOr(next, "/"))
	}
	h.render(w, r, http.StatusOK, "login", loginPage{Base: h.base(r, nil, "Log in"), Next: next})
	return nil
}

func (h *Handler) login(w http.ResponseWriter, r *http.Request, _ *user) error {
	if err := parseForm(r); err != nil {
		return err
	}
	page := loginPage{Base: h.base(r, nil, "Log in"), Login: r.PostForm.Get("login"), Next: r.PostForm.Get("next")}
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

func (h *Handler) logout(w http.ResponseWriter, r *http.Request, u *user) error {
	if u != nil {
		if err := h.Sessions.Logout(r.Context(), u.Secret); err != nil {
			return err
		}
	}
	http.SetCookie(w, &http.Cookie{Name: cookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	to := "/login"
	if u != nil && u.Operator {
		to = "/console/login"
	}
	return seeOther(w, r, to)
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

// termsPage shows the Advertising Terms of Service.
type termsPage struct {
	Base
	Version string
}

func (h *Handler) showTerms(w http.ResponseWriter, r *http.Request, u *user) error {
	h.render(w, r, http.StatusOK, "terms", termsPage{Base: h.base(r, u, "Advertising Terms of Service"),
		Version: termsVersion})
	return nil
}
