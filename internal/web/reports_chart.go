package web

import (
	"cmp"
	"errors"
	"image/color"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/report"
)

// A report's chart, drawn like the dashboard's with gonum.org/v1/plot into
// SVG and shown as <img>: the type the answer suggests (report.SuggestChart
// via the interpretation) — a line over time, bars for one measure per
// row, grouped bars for several measures or two periods. Only measures of
// the first one's kind share the axis (spend and revenue, not ROAS).

// Chart limits: beyond them a chart stops being readable (the table and
// the CSV hold everything).
const (
	maxBars      = 12
	maxSeries    = 4
	reportWidth  = 640
	reportHeight = 280
)

// seriesColors are the series' colours; app.css's .swatch-N match them.
var seriesColors = []color.RGBA{chartBar, chartLast, {R: 0x0d, G: 0x94, B: 0x88, A: 0xff}, {R: 0xd9, G: 0x77, B: 0x06, A: 0xff}}

// series is one line or one set of bars.
type series struct {
	name   string
	values []float64
}

// chartData is what a chart shows: categories along x, series of values.
type chartData struct {
	kind       string // line, bar, grouped_bar
	categories []string
	series     []series
	metric     report.Metric // the axis's measure
}

func (h *Handler) showReportChart(w http.ResponseWriter, r *http.Request, u *user) error {
	ans, err := h.ask(r, u)
	if errors.Is(err, errNothingAsked) || errors.As(err, new(*report.QuestionError)) {
		return errNotFound // no report, no chart
	}
	if err != nil {
		return err
	}
	d := chartOf(ans.rep, ans.chart)
	if len(d.categories) == 0 {
		return errNotFound
	}
	p := newPlot()
	p.Y.Tick.Marker = axisTicks{account: u.Account, metric: d.metric}
	labels := make([]string, len(d.categories))
	for i, c := range d.categories {
		labels[i] = shorten(c, 18)
		if d.kind == "line" && len(c) == 10 && len(d.categories) > 10 && (len(d.categories)-1-i)%((len(d.categories)+6)/7) != 0 {
			labels[i] = "" // days: every few
		}
	}
	switch d.kind {
	case "line":
		for i, s := range d.series {
			pts := make(plotter.XYs, len(s.values))
			for x, v := range s.values {
				pts[x] = plotter.XY{X: float64(x), Y: v}
			}
			line, err := plotter.NewLine(pts)
			if err != nil {
				return err
			}
			line.Color, line.Width = seriesColors[i%len(seriesColors)], vg.Points(2)
			p.Add(line)
		}
	default:
		width := vg.Points(float64(min(28, 220/len(d.categories)/len(d.series))))
		for i, s := range d.series {
			bars, err := plotter.NewBarChart(plotter.Values(s.values), width)
			if err != nil {
				return err
			}
			bars.Color, bars.LineStyle.Width = seriesColors[i%len(seriesColors)], 0
			bars.Offset = vg.Length(float64(i)-float64(len(d.series)-1)/2) * width
			p.Add(bars)
		}
	}
	p.NominalX(labels...)
	top := 0.0
	for _, s := range d.series {
		for _, v := range s.values {
			top = max(top, v)
		}
	}
	if top == 0 {
		p.Y.Max = 1
	}
	return writeChart(w, p, reportWidth, reportHeight)
}

// chartOf lays a report out for its chart kind.
func chartOf(rep *report.Report, kind string) chartData {
	if len(rep.Rows) == 0 || len(rep.Metrics) == 0 {
		return chartData{}
	}
	first := rep.Metrics[0]
	d := chartData{kind: kind, metric: first}
	var metrics []int // the metrics that share the first one's axis
	for i, m := range rep.Metrics {
		if sameAxis(m, first) && len(metrics) < maxSeries {
			metrics = append(metrics, i)
		}
	}
	timeDim := slices.IndexFunc(rep.Dimensions, report.Dimension.Time)
	switch {
	case kind == "line" && timeDim >= 0:
		other := slices.IndexFunc(rep.Dimensions, func(x report.Dimension) bool { return !x.Time() })
		var days []string
		for _, r := range rep.Rows {
			if !slices.Contains(days, r.Labels[timeDim].Name) {
				days = append(days, r.Labels[timeDim].Name)
			}
		}
		slices.Sort(days)
		d.categories = days
		at := func(day string) int { return slices.Index(days, day) }
		if other < 0 {
			for _, mi := range metrics {
				s := series{name: metricLabels[rep.Metrics[mi]], values: make([]float64, len(days))}
				for _, r := range rep.Rows {
					s.values[at(r.Labels[timeDim].Name)] += number(rep.Metrics[mi], r.Values[mi])
				}
				d.series = append(d.series, s)
			}
			return d
		}
		// One line per value of the other dimension, the largest first.
		byName := map[string]*series{}
		var order []*series
		for _, r := range rep.Rows {
			name := labelText(r.Labels[other].Name)
			s := byName[name]
			if s == nil {
				s = &series{name: name, values: make([]float64, len(days))}
				byName[name] = s
				order = append(order, s)
			}
			s.values[at(r.Labels[timeDim].Name)] += number(first, r.Values[0])
		}
		slices.SortStableFunc(order, func(a, b *series) int { return cmp.Compare(sum(b.values), sum(a.values)) })
		for _, s := range order[:min(len(order), maxSeries)] {
			d.series = append(d.series, *s)
		}
		return d
	case rep.Comparison != nil:
		// Two periods side by side, for the first measure.
		d.kind = "grouped_bar"
		now := series{name: rep.Query.Period.String()}
		then := series{name: rep.Comparison.Query.Period.String()}
		if len(rep.Dimensions) == 0 {
			d.categories = []string{metricLabels[first]}
			now.values = []float64{number(first, rep.Totals.Values[0])}
			then.values = []float64{number(first, rep.Comparison.Totals.Values[0])}
		} else {
			prev := map[string]float64{}
			for _, r := range rep.Comparison.Rows {
				prev[rowLabel(r)] = number(first, r.Values[0])
			}
			for _, r := range rep.Rows[:min(len(rep.Rows), maxBars)] {
				d.categories = append(d.categories, rowLabel(r))
				now.values = append(now.values, number(first, r.Values[0]))
				then.values = append(then.values, prev[rowLabel(r)])
			}
		}
		d.series = []series{now, then}
		return d
	}
	if len(rep.Dimensions) == 0 {
		return chartData{}
	}
	if kind != "grouped_bar" {
		d.kind, metrics = "bar", metrics[:1]
	}
	rows := rep.Rows[:min(len(rep.Rows), maxBars)]
	for _, r := range rows {
		d.categories = append(d.categories, rowLabel(r))
	}
	for _, mi := range metrics {
		s := series{name: metricLabels[rep.Metrics[mi]]}
		for _, r := range rows {
			s.values = append(s.values, number(rep.Metrics[mi], r.Values[mi]))
		}
		d.series = append(d.series, s)
	}
	return d
}

// sameAxis reports whether two measures can share a y axis.
func sameAxis(a, b report.Metric) bool {
	roas := func(m report.Metric) bool { return m == report.ROAS || m == report.StoreROAS }
	return a.Kind() == b.Kind() && roas(a) == roas(b)
}

// rowLabel names a row by its dimension values.
func rowLabel(r report.Row) string {
	var parts []string
	for _, l := range r.Labels {
		parts = append(parts, labelText(l.Name))
	}
	if r.Other > 0 {
		return "Other"
	}
	return strings.Join(parts, " · ")
}

// number is a value of metric m on a chart's axis: money in currency units;
// not measured is 0 (the table says "—").
func number(m report.Metric, v report.Value) float64 {
	switch {
	case v.Null:
		return 0
	case m.Kind() == report.Count:
		return float64(v.Int)
	case m.Kind() == report.Money:
		return float64(v.Money) / float64(money.PerUnit)
	}
	return v.Float
}

func sum(vs []float64) float64 {
	t := 0.0
	for _, v := range vs {
		t += v
	}
	return t
}

// shorten cuts s to n characters with an ellipsis.
func shorten(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	return s
}

// axisTicks marks the y axis in the unit of the chart's measure.
type axisTicks struct {
	account model.Account
	metric  report.Metric
}

func (t axisTicks) Ticks(lo, hi float64) []plot.Tick {
	switch t.metric.Kind() {
	case report.Money:
		return moneyTicks{currency: t.account}.Ticks(lo, hi)
	case report.Count:
		return countTicks{}.Ticks(lo, hi)
	}
	ticks := (plot.DefaultTicks{}).Ticks(lo, hi)
	for i := range ticks {
		if ticks[i].Label == "" {
			continue
		}
		switch {
		case t.metric == report.ROAS || t.metric == report.StoreROAS:
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', -1, 64) + "×"
		case t.metric.Kind() == report.Seconds:
			ticks[i].Label = strconv.FormatFloat(ticks[i].Value, 'f', -1, 64) + " s"
		default:
			ticks[i].Label = strconv.FormatFloat(100*ticks[i].Value, 'f', -1, 64) + "%"
		}
	}
	return ticks
}

// chartLegend names the chart's series, in the order of their colours
// (the page draws the key, .swatch-0 …, so that it is text).
func chartLegend(rep *report.Report, kind string) []string {
	d := chartOf(rep, kind)
	if len(d.series) < 2 {
		return nil
	}
	var out []string
	for _, s := range d.series {
		out = append(out, s.name)
	}
	return out
}

// chartDescription says in words what a report's chart shows, for its alt
// text (the table beside it holds the numbers).
func chartDescription(rep *report.Report, kind string) string {
	d := chartOf(rep, kind)
	var names []string
	for _, s := range d.series {
		names = append(names, s.name)
	}
	what := strings.Join(names, " and ")
	switch d.kind {
	case "line":
		return "Line chart of " + what + " per " + strings.ToLower(dimensionLabels[rep.Dimensions[slices.IndexFunc(rep.Dimensions, report.Dimension.Time)]])
	case "grouped_bar":
		return "Grouped bar chart: " + what + " for each of " + plural(len(d.categories), "row", "rows")
	}
	return "Bar chart of " + what + " for each of " + plural(len(d.categories), "row", "rows")
}
