package web

import (
	"net/http"
	"strings"
)

// confirmCode puts the code's post into the library.
func (h *Handler) confirmCode(w http.ResponseWriter, r *http.Request, u *user) error {
	if err := parseForm(r); err != nil {
		return err
	}
	page := applyPage{Base: h.base(r, u, "Apply for authorization"), Code: strings.TrimSpace(r.PostForm.Get("code"))}
	page.Nav = "assets"
	if _, _, err := h.Authorization.Redeem(r.Context(), u.Account.ID, page.Code); err != nil {
		return h.codeError(w, r, page, err)
	}
	return seeOther(w, r, "/ads/creatives?done=added")
}
