package web

import (
	"bytes"
	"errors"
	"net/http"

	"github.com/flintads/flint/internal/report"
)

// exportReport answers the report the page shows as a CSV file (the same
// question or builder choices, run again): a header, the rows, a totals
// row; money in the currency's minor units; cells a spreadsheet would take
// for a formula neutralised (report.Report.WriteCSV).
func (h *Handler) exportReport(w http.ResponseWriter, r *http.Request, u *user) error {
	ans, err := h.ask(r, u)
	if errors.Is(err, errNothingAsked) || errors.As(err, new(*report.QuestionError)) {
		return errNotFound
	}
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := ans.rep.WriteCSV(&buf); err != nil {
		return err
	}
	p := ans.rep.Query.Period
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="flint-report-`+p.From.String()+`-to-`+p.To.String()+`.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(buf.Bytes())
	return nil
}
