package web

import "net/http"

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
