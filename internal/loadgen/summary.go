package loadgen

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"time"
)

// Summary is what a run measured; --json prints it as is.
type Summary struct {
	URL         string         `json:"url"`
	Mode        string         `json:"mode"`
	Concurrency int            `json:"concurrency"`
	DurationS   float64        `json:"duration_s"` // as asked for
	Seed        uint64         `json:"seed"`
	Decisions   *DecisionStats `json:"decisions,omitempty"`
	Events      *EventStats    `json:"events,omitempty"`
}

// RequestStats describe one kind of request.
type RequestStats struct {
	Requests   int64         `json:"requests"` // that got an HTTP answer
	Answered   int64         `json:"answered"` // 2xx, and the body parsed
	ElapsedS   float64       `json:"elapsed_s"`
	ReqPerS    float64       `json:"req_per_s"`
	LatencyMS  Latency       `json:"latency_ms"`
	NonOK      map[int]int64 `json:"non_2xx"` // by status
	Errors     int64         `json:"errors"`  // no answer, or one that did not parse
	FirstError string        `json:"first_error,omitempty"`
}

// Latency holds latencies in milliseconds.
type Latency struct {
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	P99  float64 `json:"p99"`
	P999 float64 `json:"p99_9"`
	Max  float64 `json:"max"`
	Mean float64 `json:"mean"`
}

// DecisionStats describe the decisions.
type DecisionStats struct {
	RequestStats
	Ads            int64   `json:"ads"`
	AdsPerDecision float64 `json:"ads_per_decision"`
	FillRate       float64 `json:"fill_rate"` // share of answers with at least one ad
}

// EventStats describe the event batches.
type EventStats struct {
	RequestStats
	Events     int64            `json:"events"` // in batches answered 2xx
	EventsPerS float64          `json:"events_per_s"`
	Accepted   int64            `json:"accepted"`
	Duplicates int64            `json:"duplicates"`
	Rejected   int64            `json:"rejected"`
	RejectedBy map[string]int64 `json:"rejected_by_code"`
}

// summary returns the summary of the finished run.
func (lg *loadgen) summary() *Summary {
	s := &Summary{URL: lg.o.url, Mode: lg.o.mode, Concurrency: lg.o.concurrency, DurationS: lg.o.duration.Seconds(), Seed: lg.o.seed}
	if !lg.dec.start.IsZero() {
		d := lg.dec
		s.Decisions = &DecisionStats{RequestStats: requestStats(d), Ads: d.ads.Load()}
		if s.Decisions.Answered > 0 {
			s.Decisions.AdsPerDecision = float64(s.Decisions.Ads) / float64(s.Decisions.Answered)
			s.Decisions.FillRate = float64(d.filled.Load()) / float64(s.Decisions.Answered)
		}
	}
	if !lg.ev.start.IsZero() {
		e := lg.ev
		s.Events = &EventStats{RequestStats: requestStats(e), Events: e.events.Load(), Accepted: e.accepted.Load(),
			Duplicates: e.duplicates.Load(), Rejected: e.rejected.Load(), RejectedBy: maps.Clone(e.rejectedBy)}
		if el := e.elapsed().Seconds(); el > 0 {
			s.Events.EventsPerS = float64(s.Events.Events) / el
		}
	}
	return s
}

func requestStats(k *kindStats) RequestStats {
	r := RequestStats{Requests: k.requests.Load(), Answered: k.answered.Load(), ElapsedS: k.elapsed().Seconds(), NonOK: maps.Clone(k.statuses),
		Errors: k.errors.Load(), FirstError: k.firstErr}
	if r.ElapsedS > 0 {
		r.ReqPerS = float64(r.Requests) / r.ElapsedS
	}
	q := k.latency.quantiles(0.5, 0.9, 0.99, 0.999, 1)
	r.LatencyMS = Latency{P50: ms(q[0]), P90: ms(q[1]), P99: ms(q[2]), P999: ms(q[3]), Max: ms(time.Duration(k.latency.max.Load())),
		Mean: ms(k.latency.mean())}
	return r
}

// ms turns d into milliseconds with microsecond precision.
func ms(d time.Duration) float64 { return math.Round(float64(d)/1e3) / 1e3 }

func (s *Summary) writeJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(s)
}

// writeTable prints the summary for people.
func (s *Summary) writeTable(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "flint loadgen: %s mode, %d workers, %s against %s (seed %d)\n\n",
		s.Mode, s.Concurrency, time.Duration(s.DurationS*float64(time.Second)), s.URL, s.Seed)
	fmt.Fprintf(&b, "%-12s %9s %9s %9s %9s %9s %9s %9s %9s %8s %7s\n",
		"kind", "requests", "req/s", "events/s", "p50", "p90", "p99", "p99.9", "max", "non-2xx", "errors")
	row := func(name string, r *RequestStats, eventsPerS string) {
		l := r.LatencyMS
		fmt.Fprintf(&b, "%-12s %9d %9.1f %9s %9s %9s %9s %9s %9s %8d %7d\n", name, r.Requests, r.ReqPerS, eventsPerS,
			fmtMS(l.P50), fmtMS(l.P90), fmtMS(l.P99), fmtMS(l.P999), fmtMS(l.Max), sum(r.NonOK), r.Errors)
	}
	if d := s.Decisions; d != nil {
		row("decision", &d.RequestStats, "-")
	}
	if e := s.Events; e != nil {
		row("events batch", &e.RequestStats, fmt.Sprintf("%.1f", e.EventsPerS))
	}
	b.WriteByte('\n')
	if d := s.Decisions; d != nil {
		fmt.Fprintf(&b, "decisions: %d answered in %.1fs, %.2f ads per decision, fill rate %.1f%% (%d ads)\n",
			d.Answered, d.ElapsedS, d.AdsPerDecision, 100*d.FillRate, d.Ads)
	}
	if e := s.Events; e != nil {
		fmt.Fprintf(&b, "events:    %d in %d batches answered in %.1fs: %d accepted, %d duplicates, %d rejected%s\n",
			e.Events, e.Answered, e.ElapsedS, e.Accepted, e.Duplicates, e.Rejected, byCount(e.RejectedBy))
	}
	for _, k := range []struct {
		name string
		r    *RequestStats
	}{{"decision", statsOf(s.Decisions)}, {"events batch", eventStatsOf(s.Events)}} {
		if k.r == nil {
			continue
		}
		if len(k.r.NonOK) > 0 {
			var parts []string
			for _, code := range slices.Sorted(maps.Keys(k.r.NonOK)) {
				parts = append(parts, fmt.Sprintf("%d ×%d", code, k.r.NonOK[code]))
			}
			fmt.Fprintf(&b, "non-2xx:   %s: %s\n", k.name, strings.Join(parts, ", "))
		}
		if k.r.Errors > 0 {
			fmt.Fprintf(&b, "errors:    %s: %d, the first: %s\n", k.name, k.r.Errors, k.r.FirstError)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func statsOf(d *DecisionStats) *RequestStats {
	if d == nil {
		return nil
	}
	return &d.RequestStats
}

func eventStatsOf(e *EventStats) *RequestStats {
	if e == nil {
		return nil
	}
	return &e.RequestStats
}

func sum(m map[int]int64) int64 {
	var n int64
	for _, v := range m {
		n += v
	}
	return n
}

// byCount lists rejection codes, the most frequent first.
func byCount(m map[string]int64) string {
	if len(m) == 0 {
		return ""
	}
	codes := slices.Collect(maps.Keys(m))
	slices.SortFunc(codes, func(a, b string) int {
		return cmp.Or(cmp.Compare(m[b], m[a]), strings.Compare(a, b))
	})
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%s %d", c, m[c])
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// fmtMS prints a latency in milliseconds with three significant digits.
func fmtMS(v float64) string {
	switch {
	case v == 0:
		return "-"
	case v < 1:
		return fmt.Sprintf("%.3fms", v)
	case v < 10:
		return fmt.Sprintf("%.2fms", v)
	case v < 100:
		return fmt.Sprintf("%.1fms", v)
	case v < 10_000:
		return fmt.Sprintf("%.0fms", v)
	default:
		return fmt.Sprintf("%.1fs", v/1000)
	}
}
