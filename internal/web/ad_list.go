package web

import "net/http"

// adsPage is the Ads tab.
type adsPage struct {
	Base
	Ads []adRow
}

func (h *Handler) showAds(w http.ResponseWriter, r *http.Request, u *user) error {
	t, err := h.readTree(r.Context(), u, "/ads/ads")
	if err != nil {
		return err
	}
	page := adsPage{Base: h.base(r, u, "Ads"), Ads: t.ads}
	page.Nav = "campaign"
	h.render(w, r, http.StatusOK, "ads", page)
	return nil
}
