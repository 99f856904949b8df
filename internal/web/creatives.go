package web

import (
	"net/http"
	"strings"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/model"
)

// creativeRow is a Spark post in the advertiser's library.
type creativeRow struct {
	ID, Caption, Tile, Creator, Handle, Added string
	Status                                    pill
	// Countdown is the time left ("Expires in 5 days"); Soon flags one
	// under three days.
	Countdown string
	Soon      bool
}

func (h *Handler) creativeRow(e authorization.Entry) creativeRow {
	row := creativeRow{ID: e.SparkPost.ID, Caption: e.Post.Caption, Tile: tile(e.Post.ID), Creator: e.Creator.DisplayName,
		Handle: e.Creator.Handle, Added: longDate(e.SparkPost.AddedAt), Status: libraryPill(e.Status), Countdown: "—"}
	if e.Status == model.LibraryAuthorized {
		now := h.Clock.Now()
		left := e.Authorization.ExpiresAt.Sub(now)
		row.Soon = left < 3*authorization.Day
		row.Countdown = "Expires in " + plural(daysLeft(now, e.Authorization.ExpiresAt), "day", "days")
	}
	return row
}

// creativesPage is Assets → Creatives, tab Spark Ads posts.
type creativesPage struct {
	Base
	Rows []creativeRow
}

func (h *Handler) showCreatives(w http.ResponseWriter, r *http.Request, u *user) error {
	entries, err := h.Authorization.Library(r.Context(), u.Account.ID)
	if err != nil {
		return err
	}
	page := creativesPage{Base: h.base(r, u, "Creatives")}
	page.Nav = "assets"
	for _, e := range entries {
		page.Rows = append(page.Rows, h.creativeRow(e))
	}
	if r.URL.Query().Get("done") == "added" {
		page.Notice = "The post is in your Spark Ads library, ready for a campaign."
	}
	h.render(w, r, http.StatusOK, "creatives", page)
	return nil
}

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
	page := creativePage{Base: h.base(r, u, "Spark Ads post"), Row: h.creativeRow(e), VideoURL: e.Post.VideoURL,
		Period: plural(e.Authorization.Days, "day", "days")}
	if !e.Authorization.ExpiresAt.IsZero() {
		page.Expires = longDate(e.Authorization.ExpiresAt)
	}
	page.Nav = "assets"
	h.render(w, r, http.StatusOK, "creative", page)
	return nil
}

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
