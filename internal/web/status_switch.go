package web

import (
	"net/http"

	"github.com/flintads/flint/internal/campaign"
)

// The status switches of the lists: one button each, then back to the page
// the switch was on.

func (h *Handler) switchCampaign(w http.ResponseWriter, r *http.Request, u *user) error {
	status, err := switchStatus(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := h.Campaigns.UpdateCampaign(r.Context(), u.Account.ID, id, campaign.CampaignInput{Status: &status}); err != nil {
		return err
	}
	return seeOther(w, r, backOr(r, "/ads/campaigns"))
}

func (h *Handler) switchAdGroup(w http.ResponseWriter, r *http.Request, u *user) error {
	status, err := switchStatus(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := h.Campaigns.UpdateAdGroup(r.Context(), u.Account.ID, id, campaign.AdGroupInput{Status: &status}); err != nil {
		return err
	}
	return seeOther(w, r, backOr(r, "/ads/ad-groups"))
}

func (h *Handler) switchAd(w http.ResponseWriter, r *http.Request, u *user) error {
	status, err := switchStatus(r)
	if err != nil {
		return err
	}
	id := r.PathValue("id")
	if _, err := h.Campaigns.UpdateAd(r.Context(), u.Account.ID, id, campaign.AdInput{Status: &status}); err != nil {
		return err
	}
	return seeOther(w, r, backOr(r, "/ads/ads"))
}

func switchStatus(r *http.Request) (string, error) {
	if err := parseForm(r); err != nil {
		return "", err
	}
	return r.PostForm.Get("status"), nil
}
