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
	e, ok := apperr.As(err)
	if !ok || e.Kind == apperr.Unavailable {
		return err
	}
	page, perr := h.dataPage(r, u, mappingForm{Kind: "utm"})
	if perr != nil {
		return perr
	}
	page.SecretError = words(e)
	if e.Code == apperr.CodeMissingField {
		page.SecretError = "Paste the secret Shopify shows under Settings → Notifications → Webhooks."
	}
	h.render(w, r, statusFor(err), "report_data", page)
	return nil
}
