package web

import (
	"net/http"

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
	// Candidate is the post's rank in the library as a Spark ad.
	Candidate candidateView
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
	ranks, err := h.candidates(r.Context(), u.Account)
	if err != nil {
		return err
	}
	page := creativesPage{Base: h.base(r, u, "Creatives")}
	page.Nav = "assets"
	for _, e := range entries {
		row := h.creativeRow(e)
		row.Candidate = ranks[e.Post.ID]
		page.Rows = append(page.Rows, row)
	}
	if r.URL.Query().Get("done") == "added" {
		page.Notice = "The post is in your Spark Ads library, ready for a campaign."
	}
	h.render(w, r, http.StatusOK, "creatives", page)
	return nil
}
