package web

import (
	"net/http"

	"github.com/flintads/flint/internal/account"
)

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
