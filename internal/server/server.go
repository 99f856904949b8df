// Package server wires Flint together for `flint serve`: it loads secrets,
// opens the store, builds the services and the HTTP API, serves until its
// context is cancelled, and then shuts down gracefully, draining requests
// before closing the store.
package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/api"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/cluster"
	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/delivery"
	"github.com/flintads/flint/internal/event"
	"github.com/flintads/flint/internal/ids"
	"github.com/flintads/flint/internal/measure"
	"github.com/flintads/flint/internal/metrics"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/post"
	"github.com/flintads/flint/internal/ratelimit"
	"github.com/flintads/flint/internal/report"
	"github.com/flintads/flint/internal/retention"
	"github.com/flintads/flint/internal/seal"
	"github.com/flintads/flint/internal/session"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/store/backend"
	"github.com/flintads/flint/internal/store/postgres"
	"github.com/flintads/flint/internal/store/sqldb"
	"github.com/flintads/flint/internal/tiktokapi"
	"github.com/flintads/flint/internal/tracking"
	"github.com/flintads/flint/internal/web"
)

// NewLogger returns the logger that cfg asks for, writing to w.
func NewLogger(cfg config.Config, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: cfg.LogLevel}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// App is a wired Flint: its HTTP handler and what it must close.
type App struct {
	Handler       http.Handler
	OperatorToken string
	// TestClock is set when cfg.TestClock is.
	TestClock clock.Advancer
	// Services are the domain services, for in-process callers (flint demo).
	Services Services
	store    *sqldb.DB
	engine   *delivery.Engine
	events   *event.Ingestor
	accounts *account.Service
	member   *cluster.Member
	follower *change.Follower
	log      *slog.Logger
	cfg      config.Config
	loaded   atomic.Bool
	runCtx   context.Context
	stop     context.CancelFunc
	done     sync.WaitGroup // the background work started by load
}

// Services are a wired Flint's domain services.
type Services struct {
	Clock         clock.Clock
	Accounts      *account.Service
	Posts         *post.Service
	Authorization *authorization.Service
	Campaigns     *campaign.Service
	Delivery      *delivery.Engine
	Events        *event.Ingestor
	Reports       *report.Service
	Measure       *measure.Service
}

// New builds Flint from cfg (secrets, store, services, API), loads the
// delivery index with a first lease of every budget, and starts it: for
// in-process callers (flint demo, tests). flint serve (Run) listens first
// and loads meanwhile.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	app, err := build(ctx, cfg, log)
	if err != nil {
		return nil, err
	}
	if err := app.load(ctx); err != nil {
		app.Close()
		return nil, err
	}
	if err := app.engine.LeaseAll(ctx); err != nil {
		app.Close()
		return nil, fmt.Errorf("lease budgets: %w", err)
	}
	return app, nil
}

// build wires Flint from cfg, without loading the delivery index.
func build(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	shared := config.IsPostgres(cfg.DB)
	operatorToken, err := secretFile(cfg.OperatorToken, filepath.Join(cfg.DataDir, "operator-token"), "flop_", log,
		"operator token", shared)
	if err != nil {
		return nil, err
	}
	app := &App{OperatorToken: operatorToken, log: log, cfg: cfg}

	var clk clock.Clock = clock.Real{}
	if cfg.TestClock {
		c := clock.NewOffset()
		clk, app.TestClock = c, c
		log.Warn("test clock enabled: POST /api/v1/test-clock/advance moves time forward; never use this in production")
	}

	app.store, err = backend.Open(ctx, cfg.DB)
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", cfg.Redacted(), err)
	}
	log.Info("store open", "db", cfg.Redacted())

	secret, err := secretFile(cfg.Secret, filepath.Join(cfg.DataDir, "tracking-secret"), "", log, "tracking secret", shared)
	if err != nil {
		app.store.Close()
		return nil, err
	}
	signer := tracking.NewSigner([]byte(secret), cfg.TokenTTL)
	node := ids.New("node")
	log.Info("node", "id", node)
	log = log.With("node", node)
	app.log = log
	engine := delivery.New(app.store, clk, log, signer, delivery.Config{ReservationTTL: cfg.ReservationTTL,
		Lease: delivery.LeaseConfig{IdleAfter: cfg.LeaseIdle}, Shared: shared, Node: node})
	app.engine = engine
	app.runCtx, app.stop = context.WithCancel(context.Background())
	app.events = event.New(app.store, clk, log, signer, engine)

	accounts := account.New(app.store, clk, engine)
	app.accounts = accounts
	posts := post.New(app.store, clk, engine)
	auths := authorization.New(app.store, clk, engine,
		ratelimit.Shared(app.store, "code:", clk, cfg.CodeLookupRate, cfg.CodeLookupBurst),
		seal.New([]byte(secret), seal.AdCodes))
	campaigns := campaign.New(app.store, clk, engine, engine)
	reports := report.New(app.store, clk, report.Options{
		Channel:   report.Channel{Name: cfg.ChannelName, Aliases: report.DefaultChannel.Aliases},
		Retention: cfg.EventRetention, TokenTTL: cfg.TokenTTL})
	measurement := measure.New(app.store, clk, seal.New([]byte(secret), seal.WebhookSecrets))
	app.Services = Services{Clock: clk, Accounts: accounts, Posts: posts, Authorization: auths, Campaigns: campaigns,
		Delivery: engine, Events: app.events, Reports: reports, Measure: measurement}
	app.member = cluster.New(cluster.Config{Node: engine.Node(), Timeout: cfg.LeaseTimeout, Single: !shared},
		app.store, engine, func() uint64 {
			if f := app.follower; f != nil && app.loaded.Load() {
				return f.Applied()
			}
			return 0
		}, log)
	m := app.metrics()
	apiHandler := api.New(api.Deps{Metrics: m,
		Log: log, Clock: clk, OperatorToken: operatorToken, TestClock: app.TestClock, Advanced: engine.LeaseAll,
		Accounts: accounts, Posts: posts, Authorization: auths, Campaigns: campaigns, Delivery: engine,
		Events: app.events, Reports: reports, Measure: measurement, Ready: func(ctx context.Context) error {
			// Ready to take traffic: the database answers, the delivery index
			// has applied every change, and events can be stored.
			if !app.loaded.Load() {
				return errors.New("starting: the delivery index is loading")
			}
			return errors.Join(app.store.Ping(ctx), engine.Ready(), app.events.Ready(ctx))
		},
	}).Handler()
	tiktok := tiktokapi.New(tiktokapi.Deps{Log: log, Clock: clk, Accounts: accounts, Authorization: auths,
		Campaigns: campaigns, Reports: reports}).Handler()
	ui, err := web.New(web.Deps{Log: log, Clock: clk, Sessions: session.New(app.store, accounts, clk, operatorToken, app.store),
		Accounts: accounts, Posts: posts, Authorization: auths, Campaigns: campaigns, Reports: reports, Measure: measurement})
	if err != nil {
		app.Close()
		return nil, fmt.Errorf("web UI: %w", err)
	}
	metricsHandler := m.Handler(cfg.MetricsToken)
	// /metrics answers from the start (with the metrics token, when one
	// is set). The JSON API answers under /api/ and the health checks, the
	// TikTok-compatible surface under /open_api/; the web UI answers
	// everything else. The split is by prefix, not by a ServeMux,
	// so that the API's own mux and middleware see every odd path of theirs
	// (leading slashes are collapsed first: //api/v1/posts is an odd API
	// path, answered in JSON, not a web page). Until the delivery index has
	// loaded, only the health checks answer; everything else is 503.
	app.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := "/" + strings.TrimLeft(r.URL.Path, "/")
		if p == "/metrics" && r.Method == http.MethodGet {
			metricsHandler.ServeHTTP(w, r)
			return
		}
		health := p == "/healthz" || p == "/readyz"
		if !health && !app.loaded.Load() {
			w.Header().Set("Retry-After", "1")
			if strings.HasPrefix(p, "/api/") {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(http.StatusServiceUnavailable)
				fmt.Fprint(w, `{"error":{"code":"NOT_READY","message":"the server is starting: the delivery index is loading"}}`)
				return
			}
			http.Error(w, "Flint is starting; try again in a moment.", http.StatusServiceUnavailable)
			return
		}
		switch {
		case strings.HasPrefix(p, "/api/") || p == "/api" || health:
			apiHandler.ServeHTTP(w, r)
		case strings.HasPrefix(p, "/open_api/"):
			tiktok.ServeHTTP(w, r) // the TikTok-compatible surface
		default:
			ui.ServeHTTP(w, r)
		}
	})
	return app, nil
}

// metrics returns the node's metrics, with the gauges that read the
// engine, the follower and the membership when scraped.
func (a *App) metrics() *metrics.Metrics {
	m := metrics.New()
	m.DB("write", a.store.W)
	if a.store.R != a.store.W {
		m.DB("read", a.store.R)
	}
	e := a.engine
	m.Gauge("flint_index_ads", "Ads in the delivery index.", func() float64 { n, _ := e.Size(); return float64(n) })
	m.Gauge("flint_index_ads_enabled", "Ads in the delivery index switched on at every level.",
		func() float64 { _, n := e.Size(); return float64(n) })
	m.Gauge("flint_index_loaded", "1 once the delivery index has loaded.", func() float64 { return b2f(a.loaded.Load()) })
	m.Gauge("flint_ready", "1 when /readyz would answer 200.", func() float64 {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		defer cancel()
		return b2f(a.loaded.Load() && a.store.Ping(ctx) == nil && e.Ready() == nil && a.events.Ready(ctx) == nil)
	})
	follower := func() *change.Follower {
		if a.loaded.Load() {
			return a.follower
		}
		return nil
	}
	m.Gauge("flint_change_log_applied", "Sequence number of the last change-log entry this node applied.", func() float64 {
		if f := follower(); f != nil {
			return float64(f.Applied())
		}
		return 0
	})
	m.Gauge("flint_change_log_lag", "Change-log entries this node knows of but has not applied.", func() float64 {
		if f := follower(); f != nil {
			return float64(f.Lag())
		}
		return 0
	})
	m.Counter("flint_change_log_resyncs_total", "Full rebuilds of the index after falling too far behind the change log.",
		func() float64 {
			if f := follower(); f != nil {
				return float64(f.Resyncs())
			}
			return 0
		})
	lease := func(pick func(budgets int, granted, spent, reserved money.Micros) float64) func() float64 {
		return func() float64 { return pick(e.LeaseStats()) }
	}
	m.Gauge("flint_lease_budgets", "Budgets this node holds a lease of (current period).",
		lease(func(n int, _, _, _ money.Micros) float64 { return float64(n) }))
	m.Gauge("flint_lease_granted", "What this node's leases were granted, in currency units (all currencies summed).",
		lease(func(_ int, g, _, _ money.Micros) float64 { return units(g) }))
	m.Gauge("flint_lease_spent", "What was charged to this node's leases, in currency units.",
		lease(func(_ int, _, s, _ money.Micros) float64 { return units(s) }))
	m.Gauge("flint_lease_reserved", "What this node holds reserved for decisions awaiting their billing events.",
		lease(func(_ int, _, _, r money.Micros) float64 { return units(r) }))
	m.Counter("flint_spend_total", "What the events this node stored were charged, in currency units (all currencies summed).",
		func() float64 { return units(a.events.Spent()) })
	m.Gauge("flint_nodes_live", "Nodes whose heartbeat is within the lease timeout, as this node last counted.",
		func() float64 { return float64(a.member.LiveNodes()) })
	m.Counter("flint_nodes_reclaimed_total", "Silent nodes whose budget leases this node took back.",
		func() float64 { return float64(a.member.Reclaimed()) })
	return m
}

// units converts micros to currency units for a metric.
func units(m money.Micros) float64 { return float64(m) / float64(money.PerUnit) }

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

// loadMemoryLimit is the heap size past which the collector works eagerly
// while the delivery index loads: a million ads load within it.
const loadMemoryLimit = 1536 << 20

// load joins the cluster, loads the delivery index, and starts the
// background work: the engine, the change-log follower, the heartbeat.
func (a *App) load(ctx context.Context) error {
	if err := a.member.Join(ctx); err != nil {
		return fmt.Errorf("join the cluster: %w", err)
	}
	// The log's head before the load: changes logged during the load are
	// applied again afterwards, which is harmless.
	head, err := a.store.ChangeHead(ctx)
	if err != nil {
		return fmt.Errorf("read the change log: %w", err)
	}
	// Loading reads every ad, post and account once, keeping little of it
	// but the index. The collector runs at its usual pace unless the heap
	// nears loadMemoryLimit (or a lower GOMEMLIMIT), where it collects
	// eagerly to keep the peak of large worlds down; what is left over is
	// given back to the system at the end.
	memLimit := debug.SetMemoryLimit(-1)
	debug.SetMemoryLimit(min(memLimit, loadMemoryLimit))
	err = a.engine.Load(ctx)
	debug.SetMemoryLimit(memLimit)
	debug.FreeOSMemory()
	if err != nil {
		return fmt.Errorf("load the delivery index: %w", err)
	}
	f := change.NewFollower(a.store, a.engine.Changes(), head, a.log)
	f.Interval = a.cfg.ChangePoll
	f.Also = func(ev change.Event) {
		if ev.Kind == change.Account || ev.Kind == change.Credentials {
			a.accounts.Forget(ev.ID)
		}
	}
	f.Resync = func(ctx context.Context) error {
		a.accounts.ForgetAll()
		return a.engine.Load(ctx)
	}
	a.follower = f
	a.background(func(ctx context.Context) { a.engine.Run(ctx) })
	a.background(f.Run)
	a.background(a.member.Run)
	a.background(func(ctx context.Context) { // purge raw events past their retention
		retention.Run(ctx, a.store, a.Services.Clock, a.cfg.EventRetention, a.cfg.TokenTTL, time.Hour, a.log)
	})
	a.background(func(ctx context.Context) { // wake the follower on this node's own changes
		for {
			select {
			case <-ctx.Done():
				return
			case <-a.store.ChangeSignal():
				f.Wake()
			}
		}
	})
	if config.IsPostgres(a.cfg.DB) {
		a.background(func(ctx context.Context) { postgres.Listen(ctx, a.cfg.DB, a.log, f.Wake) })
	}
	a.loaded.Store(true)
	return nil
}

func (a *App) background(fn func(ctx context.Context)) {
	a.done.Add(1)
	go func() {
		defer a.done.Done()
		fn(a.runCtx)
	}()
}

// Close releases what New acquired: it waits until every accepted event is
// stored, returns this node's budget leases, then closes the store. Call it
// after the HTTP server stopped.
func (a *App) Close() error {
	a.stop()
	a.done.Wait()
	a.events.Close()
	if a.loaded.Load() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := a.member.Leave(ctx); err != nil {
			a.log.Warn("returning the budget leases failed; the other nodes take them back after the lease timeout",
				"err", err)
		} else {
			a.log.Info("budget leases returned")
		}
		cancel()
	}
	return a.store.Close()
}

// Run serves Flint with cfg until ctx is cancelled, then shuts down: it stops
// accepting connections, lets requests in flight finish, stores every
// accepted event, returns the budget leases and closes the store. It listens
// at once: /healthz answers while the delivery index loads, /readyz and
// everything else answer 503 until it has loaded.
func Run(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	app, err := build(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer app.Close()
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	go func() {
		if err := app.load(ctx); err != nil {
			cancel(err)
		}
	}()
	err = app.Serve(ctx, cfg, log, nil)
	if cause := context.Cause(ctx); err == nil && cause != nil && !errors.Is(cause, context.Canceled) {
		return cause
	}
	return err
}

// Store is the app's store, for in-process callers that seed data (flint
// demo). Services are the way to change anything else.
func (a *App) Store() store.Store { return a.store }

// Serve listens on cfg.Addr and serves a until ctx is cancelled, then shuts
// the HTTP server down gracefully (the caller closes a). listening, when not
// nil, is called with the base URL once the server listens.
func (a *App) Serve(ctx context.Context, cfg config.Config, log *slog.Logger, listening func(url string)) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return err
	}
	ln = api.JSONErrors(ln) // the server's own 400s in the API's error shape
	srv := &http.Server{
		Handler:           a.Handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	log.Info("listening", "addr", url)
	if listening != nil {
		listening(url)
	}

	select {
	case err := <-serveErr:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Error("shutdown", "err", err)
	}
	if err := <-serveErr; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	log.Info("stopped")
	return nil
}

// secretFile returns value if set; otherwise the secret stored at path,
// generating it (prefix + 256 random bits, mode 0600) on first start. It
// logs where the secret lives, never the secret.
//
// With shared set (several nodes may share the database), a secret read or
// generated here is this node's own, which other nodes do not know: tokens
// one node signs fail on the others, and the operator's token differs from
// node to node. That is logged as a warning.
func secretFile(value, path, prefix string, log *slog.Logger, what string, shared bool) (string, error) {
	if value != "" {
		return value, nil
	}
	if shared {
		log.Warn("several nodes on one PostgreSQL must share the "+what+", but this node reads or generates its own "+
			"in its data directory: set it in the environment (see docs/OPERATIONS.md)", "file", path)
	}
	b, err := os.ReadFile(path)
	if err == nil {
		if s := strings.TrimSpace(string(b)); s != "" {
			log.Info(what+" loaded", "file", path)
			return s, nil
		}
	} else if !errors.Is(err, os.ErrNotExist) {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	s := prefix + hex.EncodeToString(raw[:])
	if err := os.WriteFile(path, []byte(s+"\n"), 0o600); err != nil {
		return "", fmt.Errorf("%s: %w", what, err)
	}
	log.Info(what+" generated", "file", path)
	return s, nil
}
