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
		h, err := backfill(ctx, app.Store(), w, svc.Clock.Now())
		if err != nil {
			return fmt.Errorf("backfill the demo's history: %w", err)
		}
		if err := importResults(ctx, svc, w, h, svc.Clock.Now()); err != nil {
			return fmt.Errorf("import the demo's orders and spend: %w", err)
		}
		// Budgets start from the stored spend, today's history included.
		if err := svc.Delivery.Load(ctx); err != nil {
			return err
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
	fmt.Fprintf(out, "\nFlint demo is running at %s   (Ctrl-C stops it)\n%s;\nsimulated feed traffic moves the numbers every second.\n\n", url, state)
	fmt.Fprintf(out, "Log in at %s with the password %q as\n\n  a brand, in Ads Manager:\n", url, demoPassword)
	for _, a := range w.advertisers {
		fmt.Fprintf(out, "    %-22s %s\n", a.email, a.name)
	}
	fmt.Fprintf(out, "\n  a creator, in the creator app:\n")
	for _, c := range w.creators {
		fmt.Fprintf(out, "    %-22s %s\n", c.handle, c.note)
	}
	fmt.Fprintf(out, "\nOperator console: %s/console (the token is in %s)\nAPI:              %s/api/v1 (see docs/API.md)\n\n",
		url, operatorTokenPath(cfg), url)
}

func operatorTokenPath(cfg config.Config) string {
	if cfg.OperatorToken != "" {
		return "FLINT_OPERATOR_TOKEN"
	}
	return cfg.DataDir + "/operator-token"
}
