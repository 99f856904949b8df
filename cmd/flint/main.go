// Command flint runs Flint, the engine for creator-authorized (Spark) ads.
//
//	flint serve     run the server (embedded SQLite under ./data by default)
//	flint demo      run a live demo world (or seed one with --seed-only)
//	flint loadgen   drive decisions and events against a running server
//	flint migrate   bring the database schema up to date and exit
//	flint version   print the version
//
// Run a subcommand with -h for its flags.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"syscall"
	_ "time/tzdata" // advertisers' time zones must resolve on machines without zoneinfo

	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/demo"
	"github.com/flintads/flint/internal/loadgen"
	"github.com/flintads/flint/internal/server"
	"github.com/flintads/flint/internal/store/backend"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{
	"serve":   {"run the server", serve},
	"demo":    {"run a live demo world: Ads Manager, the creator app and simulated traffic", demo.Run},
	"loadgen": {"drive decisions and events against a running server", loadgen.Run},
	"migrate": {"bring the database schema up to date and exit", migrate},
	"version": {"print the version", printVersion},
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "flint: unknown command %q\n\n", args[0])
		usage(stderr)
		return 2
	}
	if err := cmd.run(ctx, args[1:], stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		fmt.Fprintf(stderr, "flint %s: %v\n", args[0], err)
		return 1
	}
	return 0
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: flint <command> [flags]\n\ncommands:")
	for _, name := range []string{"demo", "serve", "loadgen", "migrate", "version"} {
		fmt.Fprintf(w, "  %-8s %s\n", name, commands[name].summary)
	}
	fmt.Fprintln(w, "\nRun 'flint <command> -h' for a command's flags; each names the environment variable that also sets it.")
	fmt.Fprintln(w, "Start with 'flint demo': a live demo world at http://127.0.0.1:8080 with printed logins.")
}

func serve(ctx context.Context, args []string, _, stderr io.Writer) error {
	cfg, err := config.Load("flint serve", args, os.Getenv, stderr)
	if err != nil {
		return err
	}
	return server.Run(ctx, cfg, server.NewLogger(cfg, stderr))
}

func migrate(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := config.Parse("flint migrate", config.Store, args, os.Getenv, stderr, nil)
	if err != nil {
		return err
	}
	st, err := backend.Open(ctx, cfg.DB)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "schema of %s is up to date\n", cfg.Redacted())
	return st.Close()
}

func printVersion(_ context.Context, _ []string, stdout, _ io.Writer) error {
	fmt.Fprintf(stdout, "flint %s (%s, %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}
