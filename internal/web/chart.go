package web

import (
	"bytes"
	"image/color"
	"net/http"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

// The dashboard's charts are drawn on the server with gonum.org/v1/plot
// into SVG and shown as <img>: gonum's SVG carries style attributes, which
// the pages' policy forbids, so each chart is its own document with its own
// policy (no script at all, inline styles allowed).

type chartMetric struct {
	name, title string
	value       func(s model.AdStats) float64
	isMoney     bool
}

var chartMetrics = []chartMetric{
	{"spend", "Spend", func(s model.AdStats) float64 { return float64(s.Spend) / float64(money.PerUnit) }, true},
	{"impressions", "Impressions", func(s model.AdStats) float64 { return float64(s.Impressions) }, false},
	{"clicks", "Clicks", func(s model.AdStats) float64 { return float64(s.Clicks) }, false},
	{"engagement", "Paid engagement", func(s model.AdStats) float64 { return float64(paidEngagement(s)) }, false},
}

// paidEngagement is what paid delivery earned the posts: likes, comments,
// shares and follows.
func paidEngagement(s model.AdStats) int64 { return s.Likes + s.Comments + s.Shares + s.Follows }

func moneyOf(micros int64) money.Micros { return money.Micros(micros) }

// The size of a chart, in points: small enough that its labels stay
// readable in a dashboard card.
const chartWidth, chartHeight = 340, 170

// chartPolicy is the policy of a chart: nothing may load or run.
const chartPolicy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"

var (
	chartInk  = color.RGBA{R: 0x47, G: 0x55, B: 0x69, A: 0xff}
	chartGrid = color.RGBA{R: 0xe2, G: 0xe8, B: 0xf0, A: 0xff}
	chartBar  = color.RGBA{R: 0x43, G: 0x38, B: 0xca, A: 0xff}
	chartLast = color.RGBA{R: 0xec, G: 0x48, B: 0x99, A: 0xff}
)

func (h *Handler) showChart(w http.ResponseWriter, r *http.Request, u *user) error {
	var m *chartMetric
	for i := range chartMetrics {
		if chartMetrics[i].name == r.PathValue("metric") {
			m = &chartMetrics[i]
		}
	}
	if m == nil {
		return errNotFound
	}
	a := u.Account
	days, err := h.Campaigns.Daily(r.Context(), a.ID, location(a), overviewDays)
	if err != nil {
		return err
	}
	values := make(plotter.Values, len(days))
	labels := make([]string, len(days))
	for i, d := range days {
		values[i] = m.value(d.Stats)
		labels[i] = ""
		if (len(days)-1-i)%3 == 0 {
			labels[i] = d.Day.Format("2 Jan")
		}
	}
	p := newPlot()
	if m.isMoney {
		p.Y.Tick.Marker = moneyTicks{currency: a}
	} else {
		p.Y.Tick.Marker = countTicks{}
	}
	bars, err := plotter.NewBarChart(values, vg.Points(12))
	if err != nil {
		return err
	}
	bars.Color, bars.LineStyle.Width = chartBar, 0
	p.Add(bars)
	if n := len(values); n > 0 {
		// Today, still growing, in its own colour.
		last := make(plotter.Values, n)
		last[n-1] = values[n-1]
		today, err := plotter.NewBarChart(last, vg.Points(12))
		if err != nil {
			return err
		}
		today.Color, today.LineStyle.Width = chartLast, 0
		p.Add(today)
	}
	p.NominalX(labels...)
	if max := maxOf(values); max == 0 {
		p.Y.Max = 1
	}
	return writeChart(w, p, chartWidth, chartHeight)
}

// chartFont is the charts' typeface: a sans serif, like the pages' (gonum's
// default is a serif).
var chartFont = font.Font{Typeface: "Liberation", Variant: "Sans"}

// newPlot returns an empty plot in the charts' style: no background, soft
// ink, sans serif text, horizontal grid lines, the y axis from zero.
func newPlot() *plot.Plot {
	p := plot.New()
	p.BackgroundColor = color.Transparent
	p.X.Tick.Label.Color, p.Y.Tick.Label.Color = chartInk, chartInk
	for _, f := range []*font.Font{&p.X.Tick.Label.Font, &p.Y.Tick.Label.Font, &p.Legend.TextStyle.Font,
		&p.Title.TextStyle.Font, &p.X.Label.TextStyle.Font, &p.Y.Label.TextStyle.Font} {
		f.Typeface, f.Variant = chartFont.Typeface, chartFont.Variant
	}
	p.X.Tick.Label.Font.Size, p.Y.Tick.Label.Font.Size = vg.Points(10), vg.Points(10)
	p.X.LineStyle.Color, p.Y.LineStyle.Width = chartGrid, 0
	p.X.Tick.LineStyle.Width, p.Y.Tick.LineStyle.Width = 0, 0
	p.Y.Min = 0
	grid := plotter.NewGrid()
	grid.Vertical.Width = 0
	grid.Horizontal.Color = chartGrid
	p.Add(grid)
	return p
}

// writeChart answers with p drawn as SVG, width by height points, under the
// charts' own policy.
func writeChart(w http.ResponseWriter, p *plot.Plot, width, height float64) error {
	wt, err := p.WriterTo(vg.Points(width), vg.Points(height), "svg")
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if _, err := wt.WriteTo(&buf); err != nil {
		return err
	}
	w.Header().Set("Content-Security-Policy", chartPolicy)
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Cache-Control", "private, no-cache")
	w.Write(buf.Bytes())
	return nil
}

func maxOf(v plotter.Values) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, x)
	}
	return m
}

// countTicks marks the y axis with whole numbers.
type countTicks struct{}

func (countTicks) Ticks(min, max float64) []plot.Tick {
	var out []plot.Tick
	for _, t := range (plot.DefaultTicks{}).Ticks(min, max) {
		if t.Label != "" {
			t.Label = formatInt(int64(t.Value))
			if t.Value != float64(int64(t.Value)) {
				continue
			}
		}
		out = append(out, t)
	}
	return out
}

// moneyTicks marks the y axis with amounts in the advertiser's currency.
type moneyTicks struct{ currency model.Account }

func (m moneyTicks) Ticks(min, max float64) []plot.Tick {
	ticks := (plot.DefaultTicks{}).Ticks(min, max)
	for i := range ticks {
		if ticks[i].Label != "" {
			ticks[i].Label = amount(m.currency, money.Micros(ticks[i].Value*float64(money.PerUnit)))
		}
	}
	return ticks
}
