package web

import "net/http"

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
