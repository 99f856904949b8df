package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/measure"
)

// setClickWindow changes how long after a click an order or conversion is
// still the click's.
func (h *Handler) setClickWindow(w http.ResponseWriter, r *http.Request, u *user) error {
	typed := strings.TrimSpace(r.PostForm.Get("click_window_days"))
	days, convErr := strconv.Atoi(typed)
	var err error
	if convErr != nil {
		err = apperr.Invalidf("click_window_days", "enter a whole number of days from 1 to %d", measure.MaxClickWindowDays)
	} else {
		_, err = h.Measure.UpdateSettings(r.Context(), u.Account.ID, measure.SettingsInput{ClickWindowDays: &days})
	}
	if err == nil {
		return seeOther(w, r, "/ads/reports/data?done=window#attribution")
	}
	return h.dataFormError(w, r, u, err, mappingForm{Kind: "utm"}, func(p *reportDataPage, e *apperr.Error) {
		p.ClickWindow, p.ClickWindowError = typed, words(e)
	})
}
