// Package metrics is a node's Prometheus metrics: what the API counts as it
// answers (decisions and their latency, events by outcome), what the
// engine, the change-log follower and the cluster membership report when
// scraped (index size, change-log lag, leases, live nodes), the database
// pools and the Go runtime; and the /metrics handler, open or behind a
// bearer token. docs/OPERATIONS.md says what each metric means.
package metrics

import (
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Metrics are one node's metrics, in a registry of their own.
type Metrics struct {
	reg *prometheus.Registry

	decisions        *prometheus.CounterVec
	decisionDuration prometheus.Histogram
	events           *prometheus.CounterVec
	eventBatches     *prometheus.CounterVec
}

// New returns the metrics of a node, with the Go runtime's and the
// process's.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry()}
	m.decisions = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flint_decisions_total",
		Help: "Ad decisions answered, by result: served (at least one ad), empty (none), error (refused)."},
		[]string{"result"})
	m.decisionDuration = prometheus.NewHistogram(prometheus.HistogramOpts{Name: "flint_decision_duration_seconds",
		Help:    "Time to pick the ads of one decision (the engine's work, without HTTP).",
		Buckets: []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1}})
	m.events = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flint_events_total",
		Help: "Events received in batches that were answered, by outcome: accepted, duplicate, or the rejection's code."},
		[]string{"outcome"})
	m.eventBatches = prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flint_event_batches_failed_total",
		Help: "Event batches refused whole, by error code (STORAGE_UNAVAILABLE: the database did not take them)."},
		[]string{"code"})
	m.reg.MustRegister(m.decisions, m.decisionDuration, m.events, m.eventBatches,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return m
}

// Decision records one decision that took d and returned ads ads (err:
// refused).
func (m *Metrics) Decision(d time.Duration, ads int, err error) {
	if m == nil {
		return
	}
	switch {
	case err != nil:
		m.decisions.WithLabelValues("error").Inc()
		return
	case ads > 0:
		m.decisions.WithLabelValues("served").Inc()
	default:
		m.decisions.WithLabelValues("empty").Inc()
	}
	m.decisionDuration.Observe(d.Seconds())
}

// Events records the outcome of one answered batch: accepted and
// duplicate counts, and the codes of its rejections.
func (m *Metrics) Events(accepted, duplicates int, rejected []string) {
	if m == nil {
		return
	}
	m.events.WithLabelValues("accepted").Add(float64(accepted))
	m.events.WithLabelValues("duplicate").Add(float64(duplicates))
	for _, code := range rejected {
		m.events.WithLabelValues(strings.ToLower(code)).Inc()
	}
}

// EventBatchFailed records a batch refused whole with code.
func (m *Metrics) EventBatchFailed(code string) {
	if m != nil {
		m.eventBatches.WithLabelValues(code).Inc()
	}
}

// Gauge registers a gauge read when scraped.
func (m *Metrics) Gauge(name, help string, read func() float64) {
	m.reg.MustRegister(prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, read))
}

// Counter registers a counter read when scraped.
func (m *Metrics) Counter(name, help string, read func() float64) {
	m.reg.MustRegister(prometheus.NewCounterFunc(prometheus.CounterOpts{Name: name, Help: help}, read))
}

// DB registers the statistics of a database pool, labelled with its name.
func (m *Metrics) DB(name string, db *sql.DB) {
	m.reg.MustRegister(collectors.NewDBStatsCollector(db, name))
}

// Handler serves the metrics in Prometheus's text format; when token is
// not empty, only to requests with "Authorization: Bearer <token>".
func (m *Metrics) Handler(token string) http.Handler {
	h := promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{})
	if token == "" {
		return h
	}
	want := sha256.Sum256([]byte(token))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, got, _ := strings.Cut(r.Header.Get("Authorization"), " ")
		sum := sha256.Sum256([]byte(strings.TrimSpace(got)))
		if !strings.EqualFold(scheme, "Bearer") || subtle.ConstantTimeCompare(sum[:], want[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			http.Error(w, "metrics need the metrics token", http.StatusUnauthorized)
			return
		}
		h.ServeHTTP(w, r)
	})
}
