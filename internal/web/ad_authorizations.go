package web

import (
	"net/http"
	"strings"

	"github.com/flintads/flint/internal/model"
)

// adAuthorizationsPage lists the creator's authorized posts: status, days
// left, the advertisers that use each, and Extend.
type adAuthorizationsPage struct {
	Base
	Rows    []authorizationRow
	Periods []option
}

type authorizationRow struct {
	PostID, Caption, Tile string
	Status                pill
	DaysLeft              string
	Advertisers           string
	CanExtend             bool
}

func (h *Handler) showAdAuthorizations(w http.ResponseWriter, r *http.Request, u *user) error {
	posts, err := h.Posts.List(r.Context(), u.Account.ID)
	if err != nil {
		return err
	}
	page := adAuthorizationsPage{Base: h.base(r, u, "Ad authorizations"), Periods: periodOptions(30)}
	page.Nav = "authorizations"
	if r.URL.Query().Get("done") == "extended" {
		page.Notice = "Authorization extended."
	}
	now := h.Clock.Now()
	for _, p := range posts {
		v, err := h.Authorization.Get(r.Context(), u.Account.ID, p.ID)
		if err != nil {
			return err
		}
		if v.Status == model.AuthOff {
			continue
		}
		a := v.Authorization
		row := authorizationRow{PostID: p.ID, Caption: p.Caption, Tile: tile(p.ID), DaysLeft: "—"}
		switch v.Status {
		case model.AuthOn:
			row.Status = pill{"On", "good"}
			if a.GeneratedAt.IsZero() {
				row.DaysLeft = "Starts when you generate the code"
			} else {
				row.DaysLeft = plural(daysLeft(now, a.ExpiresAt), "day", "days") + " left"
			}
		case model.AuthExpired:
			row.Status = pill{"Expired", "warn"}
		case model.AuthRevoked:
			row.Status = pill{"Turned off", "bad"}
		}
		row.CanExtend = !a.GeneratedAt.IsZero() && (v.Status == model.AuthOn || v.Status == model.AuthExpired)
		var names []string
		for _, adv := range v.Advertisers {
			names = append(names, adv.Name)
		}
		row.Advertisers = strings.Join(names, ", ")
		if row.Advertisers == "" {
			row.Advertisers = "None yet"
		}
		page.Rows = append(page.Rows, row)
	}
	h.render(w, r, http.StatusOK, "ad_authorizations", page)
	return nil
}
