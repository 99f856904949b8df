package web

import (
	"net/http"
	"net/url"

	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
)

// adForm is the ad step: what was typed, kept on error and carried
// through the other steps.
type adForm struct {
	Name, Identity, SparkPostID, CTA, URL string
}

func readAdForm(f url.Values) adForm {
	return adForm{Name: f.Get("ad.name"), Identity: f.Get("ad.identity"), SparkPostID: f.Get("ad.spark_post_id"),
		CTA: f.Get("ad.cta"), URL: f.Get("ad.url")}
}

// fields are the answers as hidden inputs of the other steps.
func (f adForm) fields() []hiddenField {
	return []hiddenField{{"ad.name", f.Name}, {"ad.identity", f.Identity}, {"ad.spark_post_id", f.SparkPostID},
		{"ad.cta", f.CTA}, {"ad.url", f.URL}}
}

// input is the form as the campaign service takes it.
func (f adForm) input() campaign.AdInput {
	in := campaign.AdInput{SparkPostID: f.SparkPostID, Name: &f.Name, CTALabel: &f.CTA, CTAURL: &f.URL}
	if f.Name == "" {
		in.Name = nil
	}
	return in
}

// ownErrors are the errors of the choice only the form knows about: a
// Spark ad is delivered from the creator's account.
func (f adForm) ownErrors() formErrors {
	errs := formErrors{}
	if f.Identity != "creator" {
		errs["ad.identity"] = "Spark Ads are delivered from the creator's account: choose it."
	}
	return errs
}

// adFields maps the domain's field names to the form's.
var adFields = map[string]string{"name": "ad.name", "spark_post_id": "ad.spark_post_id", "cta.label": "ad.cta",
	"cta.url": "ad.url"}

// adFormPage is Create → ad: the creator's identity, a post from the
// library, the call to action, Publish.
type adFormPage struct {
	Base
	Flow                      flowView
	CampaignName, AdGroupName string
	Form                      adForm
	Errors                    formErrors
	Library                   []libraryChoice
	CTAs                      []option
}

type libraryChoice struct {
	ID, Caption, Handle, Tile, Expires string
	Selected                           bool
}

// ctaChoices are the calls to action an ad may carry.
var ctaChoices = []string{"Learn more", "Shop now", "Sign up", "Order now", "Book now", "Download", "Watch now",
	"Contact us", "Get offer", "Subscribe"}

func (h *Handler) adFormPage(r *http.Request, u *user, campaignName, groupName string, f adForm) (adFormPage, error) {
	page := adFormPage{Base: h.base(r, u, "Create an ad"), CampaignName: campaignName, AdGroupName: groupName, Form: f,
		Errors: formErrors{}}
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

// newAd starts the flow that adds an ad to one of the advertiser's ad
// groups.
func (h *Handler) newAd(w http.ResponseWriter, r *http.Request, u *user) error {
	wz, err := h.adGroupWizard(r, u)
	if err != nil {
		return err
	}
	return h.renderStep(w, r, u, wz, campaign.StepAd, http.StatusOK, nil)
}
