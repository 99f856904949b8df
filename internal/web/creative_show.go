package web

import "net/http"

// creativePage is one Spark post of the library.
type creativePage struct {
	Base
	Row      creativeRow
	VideoURL string
	Period   string
	Expires  string
}

func (h *Handler) showCreative(w http.ResponseWriter, r *http.Request, u *user) error {
	e, err := h.Authorization.LibraryEntry(r.Context(), u.Account.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	ranks, err := h.candidates(r.Context(), u.Account)
	if err != nil {
		return err
	}
	page := creativePage{Base: h.base(r, u, "Spark Ads post"), Row: h.creativeRow(e), VideoURL: e.Post.VideoURL,
		Period: plural(e.Authorization.Days, "day", "days")}
	page.Row.Candidate = ranks[e.Post.ID]
	if !e.Authorization.ExpiresAt.IsZero() {
		page.Expires = longDate(e.Authorization.ExpiresAt)
	}
	page.Nav = "assets"
	h.render(w, r, http.StatusOK, "creative", page)
	return nil
}
