package web

import "net/http"

// postPage is one of the creator's posts, with the ⋯ menu that holds Ad
// settings.
type postPage struct {
	Base
	Post   postCard
	Handle string
	Name   string
}

func (h *Handler) showPost(w http.ResponseWriter, r *http.Request, u *user) error {
	p, err := h.Posts.Get(r.Context(), u.Account.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	stats, err := h.Posts.Stats(r.Context(), []string{p.ID})
	if err != nil {
		return err
	}
	ranks, err := h.candidates(r.Context(), u.Account)
	if err != nil {
		return err
	}
	page := postPage{Base: h.base(r, u, "Post"), Post: newPostCard(p, stats[p.ID], u.Account.CreatorType),
		Handle: u.Account.Handle, Name: u.Account.DisplayName}
	page.Post.Candidate = ranks[p.ID]
	page.Nav = "profile"
	h.render(w, r, http.StatusOK, "post", page)
	return nil
}
