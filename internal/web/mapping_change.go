package web

import (
	"maps"
	"net/http"
	"strings"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/measure"
)

// changeMapping adds or removes one mapping from a utm_campaign value or a
// discount code to a campaign. The measure service keeps the mappings as a
// whole: this reads them, changes one, and stores them back.
func (h *Handler) changeMapping(w http.ResponseWriter, r *http.Request, u *user) error {
	f := r.PostForm
	mf := mappingForm{Kind: f.Get("kind"), Key: strings.TrimSpace(f.Get("key")), CampaignID: f.Get("campaign_id")}
	st, err := h.Measure.Settings(r.Context(), u.Account.ID)
	if err != nil {
		return err
	}
	var in measure.SettingsInput
	target := map[string]string{}
	switch mf.Kind {
	case "utm":
		maps.Copy(target, st.UTMCampaigns)
		in.UTMCampaigns = target
	case "code":
		maps.Copy(target, st.DiscountCodes)
		in.DiscountCodes = target
	default:
		return apperr.Invalidf("kind", "choose a utm_campaign value or a discount code")
	}
	done := "added"
	switch {
	case f.Get("action") == "remove":
		delete(target, mf.Key)
		done = "removed"
	case mf.Key == "":
		err = apperr.Missing("key")
	case mf.CampaignID == "":
		err = apperr.Invalidf("campaign_id", "choose the campaign these orders belong to")
	default:
		target[mf.Key] = mf.CampaignID
	}
	if err == nil {
		_, err = h.Measure.UpdateSettings(r.Context(), u.Account.ID, in)
	}
	if err == nil {
		return seeOther(w, r, "/ads/reports/data?done="+done+"#attribution")
	}
	return h.dataFormError(w, r, u, err, mf, func(p *reportDataPage, e *apperr.Error) {
		p.MappingError = words(e)
		if e.Code == apperr.CodeMissingField {
			p.MappingError = "Enter the utm_campaign value or the discount code, as it appears on orders."
		}
	})
}
