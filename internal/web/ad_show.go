package web

import "net/http"

// adPage is one ad: serving status with reasons, its post, its counters.
type adPage struct {
	Base
	Ad      adRow
	CTA     string
	URL     string
	Numbers []metricCard
}

func (h *Handler) showAd(w http.ResponseWriter, r *http.Request, u *user) error {
	a := u.Account
	ad, err := h.Campaigns.GetAd(r.Context(), a.ID, r.PathValue("id"))
	if err != nil {
		return err
	}
	back := "/ads/ads/" + ad.ID
	t, err := h.readTree(r.Context(), u, back)
	if err != nil {
		return err
	}
	page := adPage{Base: h.base(r, u, ad.Name), CTA: ad.CTALabel, URL: ad.CTAURL}
	for _, row := range t.ads {
		if row.ID == ad.ID {
			page.Ad = row
		}
	}
	page.Numbers = []metricCard{{"Impressions", formatInt(page.Ad.Impressions)}, {"6-second views", formatInt(page.Ad.Views)},
		{"Clicks", formatInt(page.Ad.Clicks)}, {"Paid engagement", formatInt(page.Ad.Engagement)}, {"Spend", page.Ad.Spend}}
	page.Nav = "campaign"
	h.render(w, r, http.StatusOK, "ad", page)
	return nil
}
