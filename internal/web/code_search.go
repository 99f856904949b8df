package web

import (
	"net/http"
	"strings"

	"github.com/flintads/flint/internal/apperr"
)

// applyPage is + Apply for authorization: paste the code, Search, see the
// post, Confirm.
type applyPage struct {
	Base
	Code    string
	Error   string
	Preview *preview
}

// preview is the post a code authorizes, before it is confirmed.
type preview struct {
	Caption, VideoURL, Tile, Handle, Name, Period, Expires string
}

func (h *Handler) showApply(w http.ResponseWriter, r *http.Request, u *user) error {
	page := applyPage{Base: h.base(r, u, "Apply for authorization")}
	page.Nav = "assets"
	h.render(w, r, http.StatusOK, "apply", page)
	return nil
}

// searchCode looks a pasted code up and shows its post for confirmation.
func (h *Handler) searchCode(w http.ResponseWriter, r *http.Request, u *user) error {
	if err := parseForm(r); err != nil {
		return err
	}
	page := applyPage{Base: h.base(r, u, "Apply for authorization"), Code: strings.TrimSpace(r.PostForm.Get("code"))}
	page.Nav = "assets"
	p, err := h.Authorization.Lookup(r.Context(), u.Account.ID, page.Code)
	if err != nil {
		return h.codeError(w, r, page, err)
	}
	page.Preview = &preview{Caption: p.Post.Caption, VideoURL: p.Post.VideoURL, Tile: tile(p.Post.ID),
		Handle: p.Creator.Handle, Name: p.Creator.DisplayName, Period: plural(p.Authorization.Days, "day", "days"),
		Expires: expiresIn(h.Clock.Now(), p.Authorization.ExpiresAt)}
	h.render(w, r, http.StatusOK, "apply", page)
	return nil
}

// codeError shows what is wrong with a code next to the field, code kept.
func (h *Handler) codeError(w http.ResponseWriter, r *http.Request, page applyPage, err error) error {
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.Unavailable {
		return err
	}
	page.Error = words(e)
	if e.Code == apperr.CodeMissingField {
		page.Error = "Paste the ad code the creator sent you."
	}
	if e.Kind == apperr.RateLimited {
		w.Header().Set("Retry-After", "60")
	}
	h.render(w, r, statusFor(err), "apply", page)
	return nil
}
