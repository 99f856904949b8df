package web

import (
	"net/http"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/apperr"
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
	page := consoleLoginPage{Base: h.base(r, nil, "Operator console"), Next: r.URL.Query().Get("next")}
	page.CSRF = anonymousToken(w, r)
	h.render(w, r, http.StatusOK, "console_login", page)
	return nil
}

func (h *Handler) consoleLogin(w http.ResponseWriter, r *http.Request, _ *user) error {
	if err := parseForm(r); err != nil {
		return err
	}
	page := consoleLoginPage{Base: h.base(r, nil, "Operator console"), Next: r.PostForm.Get("next")}
	page.CSRF = anonymousToken(w, r)
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
