package api

import (
	"net/http"
	"time"

	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/model"
)

type authorizationView struct {
	Status          string                  `json:"status"`
	Days            *int                    `json:"days"`
	GeneratedAt     *time.Time              `json:"generated_at"`
	ExpiresAt       *time.Time              `json:"expires_at"`
	TermsVersion    string                  `json:"terms_version,omitempty"`
	TermsAcceptedAt *time.Time              `json:"terms_accepted_at,omitempty"`
	RevokedAt       *time.Time              `json:"revoked_at,omitempty"`
	Eligible        bool                    `json:"eligible"`
	Ineligibility   string                  `json:"ineligible_reason,omitempty"`
	Advertisers     []authorizationUserView `json:"advertisers"`
	PausedAds       *int                    `json:"paused_ads,omitempty"`
}

type authorizationUserView struct {
	ID      string    `json:"id"`
	Name    string    `json:"name"`
	AddedAt time.Time `json:"added_at"`
	Status  string    `json:"status"`
}

// timePtr returns nil for the zero time, so that JSON shows null.
func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func viewAuthorization(v authorization.View) authorizationView {
	out := authorizationView{Status: string(v.Status), Eligible: v.Ineligibility == "", Ineligibility: v.Ineligibility,
		Advertisers: make([]authorizationUserView, 0, len(v.Advertisers))}
	if a := v.Authorization; a != nil {
		days := a.Days
		out.Days, out.GeneratedAt, out.ExpiresAt = &days, timePtr(a.GeneratedAt), timePtr(a.ExpiresAt)
		out.TermsVersion, out.TermsAcceptedAt, out.RevokedAt = a.TermsVersion, timePtr(a.TermsAcceptedAt), timePtr(a.RevokedAt)
	}
	for _, u := range v.Advertisers {
		out.Advertisers = append(out.Advertisers, authorizationUserView{ID: u.ID, Name: u.Name, AddedAt: u.AddedAt,
			Status: string(u.Status)})
	}
	return out
}

func (a *API) getAuthorization(w http.ResponseWriter, r *http.Request, p principal) error {
	v, err := a.Authorization.Get(r.Context(), p.id(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAuthorization(v))
	return nil
}

type setAuthorizationRequest struct {
	Enabled     *bool `json:"enabled"`
	AcceptTerms bool  `json:"accept_terms"`
	Days        *int  `json:"days"`
}

func (a *API) setAuthorization(w http.ResponseWriter, r *http.Request, p principal) error {
	var req setAuthorizationRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := a.Authorization.Set(r.Context(), p.id(), r.PathValue("id"), authorization.SetInput(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAuthorization(v))
	return nil
}

func (a *API) revokeAuthorization(w http.ResponseWriter, r *http.Request, p principal) error {
	v, err := a.Authorization.Revoke(r.Context(), p.id(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := viewAuthorization(v)
	out.PausedAds = &v.PausedAds
	writeJSON(w, http.StatusOK, out)
	return nil
}

type extendRequest struct {
	Days *int `json:"days"`
}

func (a *API) extendAuthorization(w http.ResponseWriter, r *http.Request, p principal) error {
	var req extendRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	v, err := a.Authorization.Extend(r.Context(), p.id(), r.PathValue("id"), authorization.ExtendInput(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewAuthorization(v))
	return nil
}

type generateRequest struct {
	AdvertiserID   string `json:"advertiser_id"`
	MaxRedemptions *int   `json:"max_redemptions"`
}

type codeView struct {
	Code           string    `json:"code"`
	GeneratedAt    time.Time `json:"generated_at"`
	ExpiresAt      time.Time `json:"expires_at"`
	Days           int       `json:"days"`
	AdvertiserID   string    `json:"advertiser_id,omitempty"`
	MaxRedemptions int       `json:"max_redemptions,omitempty"`
	CreatedAt      time.Time `json:"created_at"`
}

func (a *API) generateCode(w http.ResponseWriter, r *http.Request, p principal) error {
	var req generateRequest
	if err := decodeOptional(r, &req); err != nil {
		return err
	}
	g, err := a.Authorization.Generate(r.Context(), p.id(), r.PathValue("id"), authorization.GenerateInput(req))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, codeView{Code: g.Code, GeneratedAt: g.Authorization.GeneratedAt,
		ExpiresAt: g.Authorization.ExpiresAt, Days: g.Authorization.Days, AdvertiserID: g.AdCode.AdvertiserID,
		MaxRedemptions: g.AdCode.MaxRedemptions, CreatedAt: g.AdCode.CreatedAt})
	return nil
}

// sparkPostView is a library entry as the advertiser sees it.
type sparkPostView struct {
	ID            string            `json:"id"`
	Post          postView          `json:"post"`
	Creator       creatorView       `json:"creator"`
	Status        string            `json:"status"`
	ExpiresAt     *time.Time        `json:"expires_at"`
	Authorization authorizationTerm `json:"authorization"`
	AddedAt       time.Time         `json:"added_at"`
}

type authorizationTerm struct {
	Days      int        `json:"days"`
	ExpiresAt *time.Time `json:"expires_at"`
}

func viewEntry(e authorization.Entry) sparkPostView {
	return sparkPostView{ID: e.SparkPost.ID, Post: viewPost(e.Post, nil), Creator: viewCreator(e.Creator),
		Status: string(e.Status), ExpiresAt: timePtr(e.Authorization.ExpiresAt),
		Authorization: authorizationTerm{Days: e.Authorization.Days, ExpiresAt: timePtr(e.Authorization.ExpiresAt)},
		AddedAt:       e.SparkPost.AddedAt}
}

type codeRequest struct {
	Code string `json:"code"`
}

type previewView struct {
	Post          postView          `json:"post"`
	Creator       creatorView       `json:"creator"`
	Authorization authorizationTerm `json:"authorization"`
	Status        string            `json:"status"`
}

func (a *API) lookupCode(w http.ResponseWriter, r *http.Request, p principal) error {
	var req codeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	pv, err := a.Authorization.Lookup(r.Context(), p.id(), req.Code)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, previewView{Post: viewPost(pv.Post, nil), Creator: viewCreator(pv.Creator),
		Authorization: authorizationTerm{Days: pv.Authorization.Days, ExpiresAt: timePtr(pv.Authorization.ExpiresAt)},
		Status:        string(model.LibraryAuthorized)})
	return nil
}

func (a *API) redeemCode(w http.ResponseWriter, r *http.Request, p principal) error {
	var req codeRequest
	if err := decode(r, &req); err != nil {
		return err
	}
	e, created, err := a.Authorization.Redeem(r.Context(), p.id(), req.Code)
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	writeJSON(w, status, viewEntry(e))
	return nil
}

func (a *API) listLibrary(w http.ResponseWriter, r *http.Request, p principal) error {
	entries, err := a.Authorization.Library(r.Context(), p.id())
	if err != nil {
		return err
	}
	out := make([]sparkPostView, len(entries))
	for i, e := range entries {
		out[i] = viewEntry(e)
	}
	writeJSON(w, http.StatusOK, map[string]any{"spark_posts": out})
	return nil
}

func (a *API) getLibraryEntry(w http.ResponseWriter, r *http.Request, p principal) error {
	e, err := a.Authorization.LibraryEntry(r.Context(), p.id(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, viewEntry(e))
	return nil
}

func (a *API) removeFromLibrary(w http.ResponseWriter, r *http.Request, p principal) error {
	if err := a.Authorization.RemoveFromLibrary(r.Context(), p.id(), r.PathValue("id")); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"id": r.PathValue("id"), "deleted": true})
	return nil
}
