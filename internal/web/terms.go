package web

import "net/http"

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
