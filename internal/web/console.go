package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/post"
)

// consoleLoginPage is the operator's login: the operator token, pasted once.
type consoleLoginPage struct {
	Base
	Next  string
	Error string
}

func (h *Handler) showConsoleLogin(w http.ResponseWriter, r *http.Request, u *user) error {
	if u != nil && u.Operator {
		return seeOther(w, r, "/console")
	}
	h.render(w, r, http.StatusOK, "console_login", consoleLoginPage{Base: h.base(r, nil, "Operator console"),
		Next: r.URL.Query().Get("next")})
	return nil
}

func (h *Handler) consoleLogin(w http.ResponseWriter, r *http.Request, _ *user) error {
	if err := parseForm(r); err != nil {
		return err
	}
	page := consoleLoginPage{Base: h.base(r, nil, "Operator console"), Next: r.PostForm.Get("next")}
	started, err := h.Sessions.OperatorLogin(r.Context(), r.PostForm.Get("token"), clientAddr(r), previous(r))
	if err != nil {
		e, ok := apperr.As(err)
		if !ok {
			return err
		}
		page.Error = words(e)
		if e.Code == account.CodeLoginFailed {
			page.Error = "That is not the operator token."
		}
		h.render(w, r, statusFor(err), "console_login", page)
		return nil
	}
	setSession(w, r, started)
	return seeOther(w, r, nextOr(page.Next, "/console"))
}

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

func (h *Handler) consoleCreateAccount(w http.ResponseWriter, r *http.Request, u *user) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := r.PostForm
	af := accountForm{Kind: p.Get("kind"), Handle: p.Get("handle"), DisplayName: p.Get("display_name"),
		CreatorType: p.Get("creator_type"), Name: p.Get("name"), Email: p.Get("email"), Currency: p.Get("currency"),
		Timezone: p.Get("timezone")}
	in := account.CreateInput{Kind: af.Kind, Password: p.Get("password")}
	if af.Kind == "creator" {
		in.Handle, in.DisplayName, in.CreatorType = af.Handle, af.DisplayName, af.CreatorType
	} else {
		in.Name, in.Email, in.Currency, in.Timezone = af.Name, af.Email, af.Currency, af.Timezone
	}
	_, _, err := h.Accounts.Create(r.Context(), in)
	if err == nil {
		return seeOther(w, r, "/console?done=account")
	}
	page, perr := h.consolePage(r, u, af, postForm{Visibility: "public", Original: true, Commercial: true})
	if perr != nil {
		return perr
	}
	if !page.AccountErrors.add(err, map[string]string{"kind": "kind", "handle": "handle", "display_name": "display_name",
		"creator_type": "creator_type", "name": "name", "email": "email", "currency": "currency", "timezone": "timezone",
		"password": "password"}) {
		return err
	}
	h.render(w, r, statusFor(err), "console", page)
	return nil
}

func (h *Handler) consoleCreatePost(w http.ResponseWriter, r *http.Request, u *user) error {
	if err := parseForm(r); err != nil {
		return err
	}
	p := r.PostForm
	pf := postForm{CreatorID: p.Get("creator_id"), Caption: p.Get("caption"), VideoURL: p.Get("video_url"),
		Duration: p.Get("duration"), Visibility: p.Get("visibility"), MusicTitle: strings.TrimSpace(p.Get("music_title")),
		Original: p.Get("original") == "on", Commercial: p.Get("commercial") == "on"}
	page, perr := h.consolePage(r, u, accountForm{Kind: "creator", CreatorType: "creator", Currency: "USD", Timezone: "UTC"}, pf)
	if perr != nil {
		return perr
	}
	in := post.CreateInput{CreatorID: pf.CreatorID, Caption: pf.Caption, VideoURL: pf.VideoURL, Visibility: pf.Visibility,
		Original: &pf.Original}
	if secs, err := strconv.ParseFloat(pf.Duration, 64); err == nil && secs > 0 && secs < 1e7 {
		ms := int64(secs * 1000)
		in.DurationMS = &ms
	} else if pf.Duration != "" {
		page.PostErrors["duration"] = "Enter the length in seconds, such as 21."
		h.render(w, r, http.StatusBadRequest, "console", page)
		return nil
	}
	if pf.MusicTitle != "" {
		in.Music = &model.Music{Title: pf.MusicTitle, Commercial: pf.Commercial}
	}
	if _, err := h.Posts.Create(r.Context(), in); err != nil {
		if !page.PostErrors.add(err, map[string]string{"creator_id": "creator_id", "caption": "caption",
			"video_url": "video_url", "duration_ms": "duration", "visibility": "visibility", "music.": "music_title"}) {
			return err
		}
		h.render(w, r, statusFor(err), "console", page)
		return nil
	}
	return seeOther(w, r, "/console?done=post")
}
