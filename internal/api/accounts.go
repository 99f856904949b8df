package api

import (
	"net/http"
	"slices"
	"time"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/model"
)

type accountRequest struct {
	Kind        string `json:"kind"`
	Handle      string `json:"handle"`
	DisplayName string `json:"display_name"`
	CreatorType string `json:"creator_type"`
	Name        string `json:"name"`
	Currency    string `json:"currency"`
	Timezone    string `json:"timezone"`
	Email       string `json:"email"`
	Password    string `json:"password"`
}

type accountView struct {
	ID          string    `json:"id"`
	Kind        string    `json:"kind"`
	Handle      string    `json:"handle,omitempty"`
	DisplayName string    `json:"display_name,omitempty"`
	CreatorType string    `json:"creator_type,omitempty"`
	Name        string    `json:"name,omitempty"`
	Currency    string    `json:"currency,omitempty"`
	Timezone    string    `json:"timezone,omitempty"`
	Email       string    `json:"email,omitempty"`
	Token       string    `json:"token,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

func viewAccount(a model.Account, token string) accountView {
	return accountView{ID: a.ID, Kind: string(a.Kind), Handle: a.Handle, DisplayName: a.DisplayName,
		CreatorType: string(a.CreatorType), Name: a.Name, Currency: a.Currency, Timezone: a.Timezone,
		Email: a.Email, Token: token, CreatedAt: a.CreatedAt, UpdatedAt: a.UpdatedAt}
}

// creatorView is how a creator appears on a post or a Spark ad.
type creatorView struct {
	ID          string `json:"id"`
	Handle      string `json:"handle"`
	DisplayName string `json:"display_name"`
}

func viewCreator(a model.Account) creatorView {
	return creatorView{ID: a.ID, Handle: a.Handle, DisplayName: a.DisplayName}
}

func (a *API) createAccount(w http.ResponseWriter, r *http.Request, _ principal) error {
	var req accountRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	acct, token, err := a.Accounts.Create(r.Context(), account.CreateInput(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, viewAccount(acct, token))
	return nil
}

func (a *API) getAccount(w http.ResponseWriter, r *http.Request, _ principal) error {
	acct, err := a.Accounts.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAccount(acct, ""))
	return nil
}

type accountPatch struct {
	DisplayName *string `json:"display_name"`
	CreatorType *string `json:"creator_type"`
	Name        *string `json:"name"`
	Timezone    *string `json:"timezone"`
	Email       *string `json:"email"`
	Password    *string `json:"password"`
}

func (a *API) patchAccount(w http.ResponseWriter, r *http.Request, _ principal) error {
	var req accountPatch
	if err := decodePatch(r, &req, slices.Concat(readOnly, []string{"kind", "handle", "currency", "token"})...); err != nil {
		return err
	}
	acct, err := a.Accounts.Update(r.Context(), r.PathValue("id"), account.UpdateInput(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAccount(acct, ""))
	return nil
}

func (a *API) rotateToken(w http.ResponseWriter, r *http.Request, _ principal) error {
	acct, token, err := a.Accounts.RotateToken(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAccount(acct, token))
	return nil
}

func (a *API) me(w http.ResponseWriter, r *http.Request, p principal) error {
	writeJSON(w, http.StatusOK, viewAccount(p.account, ""))
	return nil
}
