// Package loadgen drives decisions and events against a running Flint and
// reports throughput and latency.
//
// Workers run closed loops: each sends a request, waits for the answer and
// sends the next, so --concurrency is the number of requests in flight.
// No request starts after the run's deadline and the ones in flight are
// allowed to finish, so the counts in the summary are exactly what the
// server answered. The generator shares its machine with the server in
// most benchmarks, so it is built to be cheap: bodies are appended by hand
// into pooled buffers, viewers are computed rather than stored, and the
// statistics are a few atomic adds per request.
package loadgen

import (
	"context"
	crand "crypto/rand"
	"encoding/binary"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Modes of a run.
const (
	modeDecisions = "decisions"
	modeEvents    = "events"
	modeMixed     = "mixed"
)

// options are the settings of one run.
type options struct {
	url         string
	token       string
	dataDir     string
	duration    time.Duration
	concurrency int
	mode        string
	viewers     int
	count       int
	batch       int
	flushers    int
	randomIDs   bool
	timeout     time.Duration
	seed        uint64
	progress    bool
	json        bool

	// Events mode collects tokens until it has collectTokens or
	// collectFor has passed. linger is how long a mixed-mode flusher waits
	// to fill a batch. The tests shorten them.
	collectTokens int
	collectFor    time.Duration
	linger        time.Duration
}

// Run implements `flint loadgen`.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, os.Getenv, stderr)
	if err != nil {
		return err
	}
	return run(ctx, o, stdout, stderr)
}

// parseOptions reads the flags and the environment given by getenv and
// reports every problem at once. A request for help returns flag.ErrHelp.
func parseOptions(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	o := options{
		url: "http://127.0.0.1:8080", dataDir: "./data", duration: 30 * time.Second, concurrency: 32,
		mode: modeMixed, viewers: 100_000, count: 1, batch: 500, timeout: 10 * time.Second,
		collectTokens: 2000, collectFor: 5 * time.Second, linger: 100 * time.Millisecond,
	}
	if v := strings.TrimSpace(getenv("FLINT_DATA")); v != "" {
		o.dataDir = v
	}
	fs := flag.NewFlagSet("flint loadgen", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `usage: flint loadgen [flags]

Drives POST /api/v1/decisions and POST /api/v1/events against a running Flint
and prints throughput and latency. Modes:
  decisions  only decisions
  mixed      decisions, and realistic events for every ad returned, sent in
             batches by --flushers goroutines
  events     decisions for a few seconds to collect ad tokens, then only
             event batches built from them for --duration

flags:
`)
		fs.PrintDefaults()
	}
	fs.StringVar(&o.url, "url", o.url, "base URL of the Flint server")
	fs.StringVar(&o.token, "token", "", "operator token (default: $FLINT_OPERATOR_TOKEN, else the operator-token file in --data)")
	fs.StringVar(&o.dataDir, "data", o.dataDir, "the server's data directory, where the operator token is read from (FLINT_DATA)")
	fs.DurationVar(&o.duration, "duration", o.duration, "how long to send requests (in events mode: after collecting tokens)")
	fs.IntVar(&o.concurrency, "concurrency", o.concurrency, "requests in flight (decision workers; event workers in events mode)")
	fs.StringVar(&o.mode, "mode", o.mode, "decisions, events or mixed")
	fs.IntVar(&o.viewers, "viewers", o.viewers, "size of the pseudonymous viewer pool")
	fs.IntVar(&o.count, "count", o.count, "ads asked for per decision")
	fs.IntVar(&o.batch, "batch", o.batch, "most events per POST /api/v1/events")
	fs.IntVar(&o.flushers, "flushers", 0, "goroutines sending event batches in mixed mode (default: concurrency/8, at least 2)")
	fs.DurationVar(&o.timeout, "timeout", o.timeout, "timeout of one request")
	fs.BoolVar(&o.randomIDs, "random-ids", false, "send fully random event ids instead of time-ordered ones (the slow case for the server's indexes)")
	fs.Uint64Var(&o.seed, "seed", 0, "seed for viewer choice and event mix (default: random, printed in the summary)")
	fs.BoolVar(&o.progress, "progress", false, "print a progress line every second even when stderr is not a terminal")
	fs.BoolVar(&o.json, "json", false, "print the summary as JSON")
	if err := fs.Parse(args); err != nil {
		return o, err
	}

	var errs []error
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")))
	}
	o.url = strings.TrimRight(o.url, "/")
	if !strings.HasPrefix(o.url, "http://") && !strings.HasPrefix(o.url, "https://") {
		errs = append(errs, fmt.Errorf("url: %q is not an http:// or https:// URL", o.url))
	}
	if o.mode != modeDecisions && o.mode != modeEvents && o.mode != modeMixed {
		errs = append(errs, fmt.Errorf("mode: %q is not decisions, events or mixed", o.mode))
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"concurrency", o.concurrency}, {"viewers", o.viewers}, {"count", o.count}, {"batch", o.batch}} {
		if c.v < 1 {
			errs = append(errs, fmt.Errorf("%s: must be at least 1", c.name))
		}
	}
	if o.flushers < 0 {
		errs = append(errs, errors.New("flushers: must not be negative"))
	} else if o.flushers == 0 {
		o.flushers = max(2, o.concurrency/8)
	}
	if o.duration <= 0 {
		errs = append(errs, errors.New("duration: must be positive"))
	}
	if o.timeout <= 0 {
		errs = append(errs, errors.New("timeout: must be positive"))
	}
	if o.token == "" {
		tok, err := operatorToken(getenv, o.dataDir)
		if err != nil {
			errs = append(errs, err)
		}
		o.token = tok
	}
	if o.seed == 0 {
		var b [8]byte
		_, _ = crand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
		o.seed = binary.LittleEndian.Uint64(b[:]) | 1
	}
	return o, errors.Join(errs...)
}

// operatorToken finds the operator token the way the server does:
// FLINT_OPERATOR_TOKEN, the file named by FLINT_OPERATOR_TOKEN_FILE, or the
// operator-token file the server generated in its data directory.
func operatorToken(getenv func(string) string, dataDir string) (string, error) {
	if v := strings.TrimSpace(getenv("FLINT_OPERATOR_TOKEN")); v != "" {
		return v, nil
	}
	path := strings.TrimSpace(getenv("FLINT_OPERATOR_TOKEN_FILE"))
	if path == "" {
		path = filepath.Join(dataDir, "operator-token")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return "", fmt.Errorf("token: none given with --token or FLINT_OPERATOR_TOKEN, and %w", err)
	}
	tok := strings.TrimSpace(string(b))
	if tok == "" {
		return "", fmt.Errorf("token: %s is empty", path)
	}
	return tok, nil
}

// run carries out one run and prints its summary, also when ctx is
// cancelled part way (the summary then covers what was done).
func run(ctx context.Context, o options, stdout, stderr io.Writer) error {
	lg := newLoadgen(o)
	if err := lg.precheck(ctx); err != nil {
		return err
	}
	stop := startProgress(stderr, o.progress, lg)
	var err error
	switch o.mode {
	case modeDecisions:
		lg.runDecisions(ctx)
	case modeMixed:
		lg.runMixed(ctx)
	case modeEvents:
		err = lg.runEvents(ctx)
	}
	stop()
	s := lg.summary()
	if o.json {
		if werr := s.writeJSON(stdout); werr != nil {
			return werr
		}
	} else if werr := s.writeTable(stdout); werr != nil {
		return werr
	}
	return err
}
