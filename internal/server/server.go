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
	"time"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/api"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/delivery"
	"github.com/flintads/flint/internal/event"
	"github.com/flintads/flint/internal/measure"
	"github.com/flintads/flint/internal/post"
	"github.com/flintads/flint/internal/ratelimit"
	"github.com/flintads/flint/internal/report"
	"github.com/flintads/flint/internal/retention"
	"github.com/flintads/flint/internal/session"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/store/backend"
	"github.com/flintads/flint/internal/store/sqldb"
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
	events   *event.Ingestor
	stop     context.CancelFunc
	purging  chan struct{} // closed when the retention loop has stopped
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

// New builds Flint from cfg: secrets, store (migrated), services, API.
func New(ctx context.Context, cfg config.Config, log *slog.Logger) (*App, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("data directory: %w", err)
	}
	operatorToken, err := secretFile(cfg.OperatorToken, filepath.Join(cfg.DataDir, "operator-token"), "flop_", log,
		"operator token")
	if err != nil {
		return nil, err
	}
	app := &App{OperatorToken: operatorToken}

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

	secret, err := secretFile(cfg.Secret, filepath.Join(cfg.DataDir, "tracking-secret"), "", log, "tracking secret")
	if err != nil {
		app.store.Close()
		return nil, err
	}
	signer := tracking.NewSigner([]byte(secret), cfg.TokenTTL)
	engine := delivery.New(app.store, clk, log, signer, delivery.Config{ReservationTTL: cfg.ReservationTTL})
	// Loading reads every ad, post and account once. Collect more eagerly
	// while it does, so the peak stays near what the index keeps, and give
	// the rest back to the system at the end.
	gcPercent := debug.SetGCPercent(10)
	err = engine.Load(ctx)
	debug.SetGCPercent(gcPercent)
	debug.FreeOSMemory()
	if err != nil {
		app.store.Close()
		return nil, fmt.Errorf("load the delivery index: %w", err)
	}
	var runCtx context.Context
	runCtx, app.stop = context.WithCancel(context.Background())
	go engine.Run(runCtx)
	app.events = event.New(app.store, clk, log, signer, engine)

	accounts := account.New(app.store, clk, engine)
	posts := post.New(app.store, clk, engine)
	auths := authorization.New(app.store, clk, engine, ratelimit.New(clk, cfg.CodeLookupRate, cfg.CodeLookupBurst))
	campaigns := campaign.New(app.store, clk, engine, engine)
	reports := report.New(app.store, clk, report.Options{
		Channel:   report.Channel{Name: cfg.ChannelName, Aliases: report.DefaultChannel.Aliases},
		Retention: cfg.EventRetention, TokenTTL: cfg.TokenTTL})
	measurement := measure.New(app.store, clk, measure.NewSealer([]byte(secret)))
	app.purging = make(chan struct{})
	go func() {
		defer close(app.purging)
		retention.Run(runCtx, app.store, clk, cfg.EventRetention, cfg.TokenTTL, time.Hour, log)
	}()
	app.Services = Services{Clock: clk, Accounts: accounts, Posts: posts, Authorization: auths, Campaigns: campaigns,
		Delivery: engine, Events: app.events, Reports: reports, Measure: measurement}
	apiHandler := api.New(api.Deps{
		Log: log, Clock: clk, OperatorToken: operatorToken, TestClock: app.TestClock,
		Accounts: accounts, Posts: posts, Authorization: auths, Campaigns: campaigns, Delivery: engine,
		Events: app.events, Reports: reports, Measure: measurement, Ready: func(ctx context.Context) error {
			// Ready to take traffic: the database answers, the delivery index
			// has applied every change, and events can be stored.
			return errors.Join(app.store.Ping(ctx), engine.Ready(), app.events.Ready(ctx))
		},
	}).Handler()
	ui, err := web.New(web.Deps{Log: log, Clock: clk, Sessions: session.New(app.store, accounts, clk, operatorToken),
		Accounts: accounts, Posts: posts, Authorization: auths, Campaigns: campaigns, Reports: reports, Measure: measurement})
	if err != nil {
		app.Close()
		return nil, fmt.Errorf("web UI: %w", err)
	}
	// The JSON API answers under /api/ and the health checks; the web UI
	// answers everything else. The split is by prefix, not by a ServeMux,
	// so that the API's own mux and middleware see every odd path of theirs
	// (leading slashes are collapsed first: //api/v1/posts is an odd API
	// path, answered in JSON, not a web page).
	app.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if p := "/" + strings.TrimLeft(r.URL.Path, "/"); strings.HasPrefix(p, "/api/") || p == "/api" ||
			p == "/healthz" || p == "/readyz" {
			apiHandler.ServeHTTP(w, r)
			return
		}
		ui.ServeHTTP(w, r)
	})
	return app, nil
}

// Close releases what New acquired: it waits until every accepted event is
// stored, then closes the store. Call it after the HTTP server stopped.
func (a *App) Close() error {
	a.stop()
	<-a.purging
	a.events.Close()
	return a.store.Close()
}

// Run serves Flint with cfg until ctx is cancelled, then shuts down: it stops
// accepting connections, lets requests in flight finish, and closes the store.
func Run(ctx context.Context, cfg config.Config, log *slog.Logger) error {
	app, err := New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer app.Close()
	return app.Serve(ctx, cfg, log, nil)
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
func secretFile(value, path, prefix string, log *slog.Logger, what string) (string, error) {
	if value != "" {
		return value, nil
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
