package web

import (
	"net/http"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/post"
)

// consolePage lists accounts and posts, with a form to add each.
type consolePage struct {
	Base
	Accounts       []consoleAccount
	Posts          []consolePost
	Creators       []option
	Account        accountForm
	Post           postForm
	AccountErrors  formErrors
	PostErrors     formErrors
	Kinds          []option
	CreatorTypes   []option
	Visibilities   []option
	OriginalChecks bool
}

type consoleAccount struct {
	Kind, Name, Login, Detail, Created string
}

type consolePost struct {
	Caption, Creator, Visibility, Eligibility string
}

type accountForm struct {
	Kind, Handle, DisplayName, CreatorType, Name, Email, Currency, Timezone string
}

type postForm struct {
	CreatorID, Caption, VideoURL, Duration, Visibility, MusicTitle string
	Original, Commercial                                           bool
}

func (h *Handler) consolePage(r *http.Request, u *user, af accountForm, pf postForm) (consolePage, error) {
	page := consolePage{Base: h.base(r, u, "Operator console"), Account: af, Post: pf,
		AccountErrors: formErrors{}, PostErrors: formErrors{},
		Kinds:        choose([]option{{"creator", "Creator", false}, {"advertiser", "Advertiser", false}}, af.Kind),
		CreatorTypes: choose([]option{{"creator", "Creator", false}, {"business", "Business", false}, {"personal", "Personal", false}}, af.CreatorType),
		Visibilities: choose([]option{{"public", "Public", false}, {"friends", "Friends", false}, {"private", "Private", false}}, pf.Visibility)}
	page.Nav = "console"
	creators, err := h.Accounts.List(r.Context(), model.KindCreator)
	if err != nil {
		return page, err
	}
	advertisers, err := h.Accounts.List(r.Context(), model.KindAdvertiser)
	if err != nil {
		return page, err
	}
	handles := map[string]model.Account{}
	for _, c := range creators {
		handles[c.ID] = c
		page.Accounts = append(page.Accounts, consoleAccount{Kind: "Creator", Name: c.DisplayName, Login: "@" + c.Handle,
			Detail: creatorType(c.CreatorType), Created: longDate(c.CreatedAt)})
		page.Creators = append(page.Creators, option{Value: c.ID, Label: "@" + c.Handle, Selected: c.ID == pf.CreatorID})
	}
	for _, a := range advertisers {
		login := a.Email
		if login == "" {
			login = "(no email)"
		}
		page.Accounts = append(page.Accounts, consoleAccount{Kind: "Advertiser", Name: a.Name, Login: login,
			Detail: a.Currency + " · " + a.Timezone, Created: longDate(a.CreatedAt)})
	}
	posts, err := h.Posts.List(r.Context(), "")
	if err != nil {
		return page, err
	}
	for i, p := range posts {
		if i == 200 {
			break // the newest 200
		}
		c := handles[p.CreatorID]
		row := consolePost{Caption: p.Caption, Creator: "@" + c.Handle, Visibility: string(p.Visibility), Eligibility: "Eligible"}
		if code := post.Ineligibility(c.CreatorType, &p); code != "" {
			row.Eligibility = ineligibleWords[code]
		}
		page.Posts = append(page.Posts, row)
	}
	return page, nil
}

func (h *Handler) showConsole(w http.ResponseWriter, r *http.Request, u *user) error {
	page, err := h.consolePage(r, u, accountForm{Kind: "creator", CreatorType: "creator", Currency: "USD", Timezone: "UTC"},
		postForm{Visibility: "public", Original: true, Commercial: true})
	if err != nil {
		return err
	}
	switch r.URL.Query().Get("done") {
	case "account":
		page.Notice = "Account added."
	case "post":
		page.Notice = "Post added."
	}
	h.render(w, r, http.StatusOK, "console", page)
	return nil
}
