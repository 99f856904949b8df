package web

import (
	"net/http"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
)

// adForm is the ad step: what was typed, kept on error.
type adForm struct {
	Name, Identity, SparkPostID, CTA, URL string
}

// adFormPage is Create → ad: the creator's identity, a post from the
// library, the call to action, Publish.
type adFormPage struct {
	Base
	AdGroupID, AdGroupName string
	Form                   adForm
	Errors                 formErrors
	Library                []libraryChoice
	CTAs                   []option
}

type libraryChoice struct {
	ID, Caption, Handle, Tile, Expires string
	Selected                           bool
}

// ctaChoices are the calls to action an ad may carry.
var ctaChoices = []string{"Learn more", "Shop now", "Sign up", "Order now", "Book now", "Download", "Watch now",
	"Contact us", "Get offer", "Subscribe"}

func (h *Handler) adFormPage(r *http.Request, u *user, g model.AdGroup, f adForm) (adFormPage, error) {
	page := adFormPage{Base: h.base(r, u, "Create an ad"), AdGroupID: g.ID, AdGroupName: g.Name, Form: f, Errors: formErrors{}}
	page.Nav = "campaign"
	for _, c := range ctaChoices {
		page.CTAs = append(page.CTAs, option{Value: c, Label: c, Selected: c == f.CTA})
	}
	entries, err := h.Authorization.Library(r.Context(), u.Account.ID)
	if err != nil {
		return page, err
	}
	now := h.Clock.Now()
	for _, e := range entries {
		if e.Status != model.LibraryAuthorized {
			continue
		}
		page.Library = append(page.Library, libraryChoice{ID: e.SparkPost.ID, Caption: e.Post.Caption,
			Handle: e.Creator.Handle, Tile: tile(e.Post.ID), Expires: expiresIn(now, e.Authorization.ExpiresAt),
			Selected: e.SparkPost.ID == f.SparkPostID})
	}
	return page, nil
}

func (h *Handler) newAd(w http.ResponseWriter, r *http.Request, u *user) error {
	g, err := h.Campaigns.GetAdGroup(r.Context(), u.Account.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	page, err := h.adFormPage(r, u, g, adForm{Identity: "creator", CTA: campaign.DefaultCTALabel})
	if err != nil {
		return err
	}
	if r.URL.Query().Get("step") == "2" {
		page.Notice = "Ad group created. Last step: the ad."
	}
	h.render(w, r, http.StatusOK, "ad_new", page)
	return nil
}

func (h *Handler) createAd(w http.ResponseWriter, r *http.Request, u *user) error {
	g, err := h.Campaigns.GetAdGroup(r.Context(), u.Account.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	if err := parseForm(r); err != nil {
		return err
	}
	p := r.PostForm
	f := adForm{Name: p.Get("name"), Identity: p.Get("identity"), SparkPostID: p.Get("spark_post_id"),
		CTA: p.Get("cta"), URL: p.Get("url")}
	page, perr := h.adFormPage(r, u, g, f)
	if perr != nil {
		return perr
	}
	switch {
	case f.Identity != "creator":
		page.Errors["identity"] = "Spark Ads are delivered from the creator's account: choose it."
	case f.SparkPostID == "":
		page.Errors["spark_post_id"] = "Select a post from your library."
	}
	if len(page.Errors) > 0 {
		h.render(w, r, http.StatusBadRequest, "ad_new", page)
		return nil
	}
	in := campaign.AdInput{AdGroupID: g.ID, SparkPostID: f.SparkPostID, Name: &f.Name, CTALabel: &f.CTA, CTAURL: &f.URL}
	if f.Name == "" {
		in.Name = nil
	}
	if _, err := h.Campaigns.CreateAd(r.Context(), u.Account.ID, in); err != nil {
		if !page.Errors.add(err, map[string]string{"name": "name", "spark_post_id": "spark_post_id", "cta.label": "cta",
			"cta.url": "url"}) {
			return err
		}
		if e, ok := apperr.As(err); ok && sparkPostWords[e.Code] != "" {
			page.Errors["spark_post_id"] = sparkPostWords[e.Code]
		}
		h.render(w, r, statusFor(err), "ad_new", page)
		return nil
	}
	return seeOther(w, r, "/ads/ad-groups/"+g.ID+"?done=published")
}
