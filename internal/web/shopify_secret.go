package web

import (
	"net/http"

	"github.com/flintads/flint/internal/apperr"
)

// setShopifySecret stores the webhook secret Shopify shows (sealed by the
// measure service, never shown again).
func (h *Handler) setShopifySecret(w http.ResponseWriter, r *http.Request, u *user) error {
	_, err := h.Measure.SetShopifySecret(r.Context(), u.Account.ID, r.PostForm.Get("webhook_secret"))
	if err == nil {
		return seeOther(w, r, "/ads/reports/data?done=shopify#shopify")
	}
	return h.dataFormError(w, r, u, err, mappingForm{Kind: "utm"}, func(p *reportDataPage, e *apperr.Error) {
		p.SecretError = words(e)
		if e.Code == apperr.CodeMissingField {
			p.SecretError = "Paste the secret Shopify shows under Settings → Notifications → Webhooks."
		}
	})
}
