package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/server"
)

// live runs `flint demo` without --seed-only: Flint with a small believable
// world (built on first run through the real services, reused after), the
// web UI, and simulated feed traffic until ctx is cancelled.
func live(ctx context.Context, cfg config.Config, stdout, stderr io.Writer) error {
	log := server.NewLogger(cfg, stderr)
	app, err := server.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer app.Close()
	svc := app.Services

	w, err := findWorld(ctx, svc)
	if err != nil {
		return err
	}
	fresh := w == nil
	if fresh {
		if w, err = buildWorld(ctx, svc); err != nil {
			return fmt.Errorf("build the demo world: %w", err)
		}
		if err := backfill(ctx, app.Store(), w, svc.Clock.Now()); err != nil {
			return fmt.Errorf("backfill the demo's history: %w", err)
		}
	}

	simCtx, stopSim := context.WithCancel(ctx)
	var wg sync.WaitGroup
	defer func() {
		stopSim()
		wg.Wait() // the simulation stops before the services close
	}()
	return app.Serve(ctx, cfg, log, func(url string) {
		printWelcome(stdout, url, cfg, w, fresh)
		wg.Add(1)
		go func() {
			defer wg.Done()
			simulate(simCtx, svc, w, log)
		}()
	})
}

// errOtherWorld is returned when the database holds accounts that are not
// the demo's: the demo never mixes its world into someone else's.
var errOtherWorld = errors.New("this database already holds accounts that are not the demo's: " +
	"run the demo on its own data directory, e.g. flint demo --data ./demo-data")

func printWelcome(out io.Writer, url string, cfg config.Config, w *world, fresh bool) {
	state := "Reusing the demo world in " + where(cfg.DB)
	if fresh {
		state = "Built a fresh demo world in " + where(cfg.DB)
	}
	fmt.Fprintf(out, `
Flint demo is running at %s   (Ctrl-C stops it)
%s; simulated feed traffic moves the numbers every second.

Every login uses the password %q:

  Ads Manager (brands)                      Creator app (creators)
    %-40s  %s
    %-40s  %s
                                              %s
                                              %s

Operator console: %s/console (token in %s)
API:              %s/api/v1 (see docs/API.md)
`, url, state, demoPassword,
		w.advertisers[0].email+"  "+w.advertisers[0].name, "@"+w.creators[0].handle+"  "+w.creators[0].note,
		w.advertisers[1].email+"  "+w.advertisers[1].name, "@"+w.creators[1].handle+"  "+w.creators[1].note,
		"@"+w.creators[2].handle+"  "+w.creators[2].note, "@"+w.creators[3].handle+"  "+w.creators[3].note,
		url, operatorTokenPath(cfg), url)
}

func operatorTokenPath(cfg config.Config) string {
	if cfg.OperatorToken != "" {
		return "FLINT_OPERATOR_TOKEN"
	}
	return cfg.DataDir + "/operator-token"
}
