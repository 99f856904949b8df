package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
)

// Cross-site request forgery, second layer. net/http.CrossOriginProtection
// (routes.go) refuses state-changing requests that Sec-Fetch-Site or Origin
// mark as cross-origin, but lets through a request that carries neither
// header (old browsers, some proxies strip them). For that gap every
// state-changing form carries a token (the hidden input "csrf") that only
// pages of this site can know, compared in constant time (miniflux's
// internal/ui/csrf_middleware.go).
//
// A signed-in person's token is derived from their session secret, which
// only the HttpOnly session cookie holds: it is per session, needs no
// storage, changes at login and dies with the session. The forms of people
// not signed in yet (the two login forms) use a token derived the same way
// from a random browser cookie set when those forms are shown.

const (
	csrfField     = "csrf"
	browserCookie = "flint_browser"
)

// csrfToken derives the form token of a secret: it reveals nothing about
// the secret, and differs from the session hash the store keeps.
func csrfToken(secret string) string {
	if secret == "" {
		return ""
	}
	sum := sha256.Sum256([]byte("flint form token\x00" + secret))
	return hex.EncodeToString(sum[:16])
}

// sameToken compares a sent token with the expected one in constant time.
func sameToken(sent, want string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(sent), []byte(want)) == 1
}

// tokenOK reports whether sent is the token of this request's session or,
// where anonymous forms are allowed, of its browser cookie.
func tokenOK(r *http.Request, u *user, sent string, anonymous bool) bool {
	if u != nil && sameToken(sent, csrfToken(u.Secret)) {
		return true
	}
	if anonymous {
		if c, err := r.Cookie(browserCookie); err == nil && sameToken(sent, csrfToken(c.Value)) {
			return true
		}
	}
	return false
}

// anonymousToken returns the token for the forms of someone not signed in,
// setting the browser cookie it is derived from when there is none.
func anonymousToken(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(browserCookie); err == nil && len(c.Value) >= 26 && len(c.Value) <= 64 {
		return csrfToken(c.Value)
	}
	secret := rand.Text() // at least 128 random bits
	http.SetCookie(w, &http.Cookie{Name: browserCookie, Value: secret, Path: "/", MaxAge: 30 * 24 * 3600,
		HttpOnly: true, SameSite: http.SameSiteLaxMode, Secure: r.TLS != nil})
	return csrfToken(secret)
}

// refuseForgery answers to a state-changing request without the token.
func (h *Handler) refuseForgery(w http.ResponseWriter, r *http.Request, u *user) {
	h.render(w, r, http.StatusForbidden, "error", errorPage{Base: h.base(r, u, "Request refused"),
		Status: http.StatusForbidden,
		Message: "This form has expired or did not come from a Flint page, so nothing was changed. " +
			"Go back, reload the page and try again."})
}

// safeMethod reports whether a request may not change anything.
func safeMethod(m string) bool {
	return m == http.MethodGet || m == http.MethodHead || m == http.MethodOptions
}
