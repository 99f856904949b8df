package web

import (
	"net/http"
	"strconv"

	"github.com/flintads/flint/internal/authorization"
)

// extendAuthorization adds a period to the current authorization.
func (h *Handler) extendAuthorization(w http.ResponseWriter, r *http.Request, u *user) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	var in authorization.ExtendInput
	if d, err := strconv.Atoi(r.PostForm.Get("days")); err == nil {
		in.Days = &d
	}
	_, err := h.Authorization.Extend(r.Context(), u.Account.ID, id, in)
	if err == nil {
		if back := r.PostForm.Get("back"); back == "list" {
			return seeOther(w, r, "/ad-authorizations?done=extended")
		}
		return seeOther(w, r, "/posts/"+id+"/ad-settings?done=extended")
	}
	page, perr := h.adSettings(r.Context(), r, u, id)
	if perr != nil {
		return perr
	}
	if !page.Errors.add(err, map[string]string{"days": "extend"}) {
		return err
	}
	if page.Errors[""] != "" && page.Errors["extend"] == "" {
		page.Errors["extend"], page.Errors[""] = page.Errors[""], ""
	}
	h.render(w, r, statusFor(err), "ad_settings", page)
	return nil
}
