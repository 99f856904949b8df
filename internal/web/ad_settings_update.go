package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/model"
)

// updateAdSettings turns the switch: on (terms and period → Authorize) or
// off (revoke, after the confirmation the page asks for).
func (h *Handler) updateAdSettings(w http.ResponseWriter, r *http.Request, u *user) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	f := r.PostForm
	if f.Get("enabled") != "on" {
		v, err := h.Authorization.Get(r.Context(), u.Account.ID, id)
		if err != nil {
			return err
		}
		if v.Status != model.AuthOn {
			return seeOther(w, r, "/posts/"+id+"/ad-settings")
		}
		v, err = h.Authorization.Revoke(r.Context(), u.Account.ID, id)
		if err != nil {
			return err
		}
		return seeOther(w, r, fmt.Sprintf("/posts/%s/ad-settings?done=revoked&paused=%d", id, v.PausedAds))
	}
	on := true
	in := authorization.SetInput{Enabled: &on, AcceptTerms: f.Get("accept_terms") == "on"}
	if d, err := strconv.Atoi(f.Get("days")); err == nil {
		in.Days = &d
	}
	_, err := h.Authorization.Set(r.Context(), u.Account.ID, id, in)
	if err == nil {
		return seeOther(w, r, "/posts/"+id+"/ad-settings?done=authorized")
	}
	page, perr := h.adSettings(r.Context(), r, u, id)
	if perr != nil {
		return perr
	}
	if !page.Errors.add(err, map[string]string{"accept_terms": "accept_terms", "days": "days"}) {
		return err
	}
	if page.Errors["days"] != "" {
		page.Errors["days"] = "Choose how long brands may use this post: 7, 30, 60 or 365 days."
	}
	page.On, page.AcceptTerms = true, in.AcceptTerms
	if in.Days != nil {
		page.Periods = periodOptions(*in.Days)
	} else {
		page.Periods = periodOptions(0)
	}
	h.render(w, r, statusFor(err), "ad_settings", page)
	return nil
}
