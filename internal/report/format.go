package report

import (
	"encoding/csv"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/flintads/flint/internal/money"
)

// Text writes a value as a report shows it: counts as integers, money in
// the currency's minor units ("12.50", "1250" for JPY), ratios with four
// decimals, seconds with two; "" for null.
func (v Value) Text(k Kind, currency string) string {
	if v.Null {
		return ""
	}
	switch k {
	case Count:
		return strconv.FormatInt(v.Int, 10)
	case Money:
		return money.Format(v.Money, money.Decimals(currency))
	case Seconds:
		return strconv.FormatFloat(v.Float, 'f', 2, 64)
	}
	return strconv.FormatFloat(v.Float, 'f', 4, 64)
}

// JSON returns the value for a JSON answer: nil for null, a number for
// counts and ratios, a decimal string for money.
func (v Value) JSON(k Kind, currency string) any {
	switch {
	case v.Null:
		return nil
	case k == Count:
		return v.Int
	case k == Money:
		return v.Text(k, currency)
	case k == Seconds:
		return math.Round(v.Float*100) / 100
	}
	return math.Round(v.Float*10000) / 10000
}

// Columns are the report's column names: dimensions (with an _id column
// for those that stand for objects), then metrics.
func (r *Report) Columns() []string {
	var cols []string
	for _, d := range r.Dimensions {
		cols = append(cols, string(d))
		if hasID(d) {
			cols = append(cols, string(d)+"_id")
		}
	}
	for _, m := range r.Metrics {
		cols = append(cols, string(m))
	}
	return cols
}

func hasID(d Dimension) bool {
	switch d {
	case DimCampaign, DimAdGroup, DimAd, DimPost, DimCreator:
		return true
	}
	return false
}

// Cells returns a row's cells in Columns order.
func (r *Report) Cells(row Row) []string {
	var out []string
	for i, d := range r.Dimensions {
		if row.Labels == nil {
			out = append(out, "")
			if hasID(d) {
				out = append(out, "")
			}
			continue
		}
		out = append(out, row.Labels[i].Name)
		if hasID(d) {
			out = append(out, row.Labels[i].ID)
		}
	}
	for i, m := range r.Metrics {
		out = append(out, row.Values[i].Text(m.Kind(), r.Currency))
	}
	return out
}

// WriteCSV writes the report as CSV: a header, the rows, and a totals row.
// Cells that a spreadsheet would take for a formula (starting with = + -
// @, a tab or a carriage return) are prefixed with an apostrophe.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(r.Columns()); err != nil {
		return err
	}
	for _, row := range r.Rows {
		if err := cw.Write(neutralise(r.Cells(row))); err != nil {
			return err
		}
	}
	totals := r.Cells(r.Totals)
	if len(totals) > 0 && len(r.Dimensions) > 0 {
		totals[0] = "Total"
	}
	if err := cw.Write(neutralise(totals)); err != nil {
		return err
	}
	cw.Flush()
	return cw.Error()
}

func neutralise(cells []string) []string {
	for i, c := range cells {
		if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
			cells[i] = "'" + c
		}
	}
	return cells
}
