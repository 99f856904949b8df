package web

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/flintads/flint/internal/authorization"
)

// generateCode makes a code (optionally for one advertiser or a number of
// advertisers) and shows it once, with Copy code.
func (h *Handler) generateCode(w http.ResponseWriter, r *http.Request, u *user) error {
	if err := parseForm(r); err != nil {
		return err
	}
	id := r.PathValue("id")
	in := authorization.GenerateInput{AdvertiserID: r.PostForm.Get("advertiser_id")}
	maxText := r.PostForm.Get("max_redemptions")
	var inputErr error
	if maxText != "" {
		n, err := strconv.Atoi(maxText)
		if err != nil || n < 1 {
			inputErr = fmt.Errorf("bad number")
		}
		in.MaxRedemptions = &n
	}
	var g authorization.Generated
	var err error
	if inputErr == nil {
		g, err = h.Authorization.Generate(r.Context(), u.Account.ID, id, in)
	}
	page, perr := h.adSettings(r.Context(), r, u, id)
	if perr != nil {
		return perr
	}
	page.MaxRedemptions = maxText
	for i := range page.AdvertiserPicks {
		page.AdvertiserPicks[i].Selected = page.AdvertiserPicks[i].Value == in.AdvertiserID
	}
	switch {
	case inputErr != nil:
		page.Errors["max_redemptions"] = "Enter a whole number of advertisers, 1 or more, or leave it empty."
		h.render(w, r, http.StatusBadRequest, "ad_settings", page)
		return nil
	case err != nil:
		if !page.Errors.add(err, map[string]string{"advertiser_id": "advertiser_id", "max_redemptions": "max_redemptions"}) {
			return err
		}
		h.render(w, r, statusFor(err), "ad_settings", page)
		return nil
	}
	page.Code = g.Code
	page.CodeExpires = expiresIn(h.Clock.Now(), g.Authorization.ExpiresAt)
	page.Notice = "Your ad code is ready. Copy it and send it to the brand."
	h.render(w, r, http.StatusOK, "ad_settings", page)
	return nil
}
