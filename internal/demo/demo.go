// Package demo seeds a world of creators, advertisers, posts, authorized
// Spark posts and serving ads, for trying Flint out and for load tests.
//
//	flint demo --seed-only --ads 100000 --data ./data
//
// generates the world in memory (Generate) and stores it in one
// transaction (store.Seeder), into an empty database only. Driving live
// simulated traffic against it is not available yet.
package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store/backend"
)

// MaxAds is the largest world --ads may ask for.
const MaxAds = 1_000_000

// options are the flags of `flint demo`.
type options struct {
	seedOnly bool
	ads      int
	dataDir  string
	db       string
	seed     int64
}

func parse(args []string, stderr io.Writer) (options, error) {
	o := options{ads: 1000, dataDir: "./data", seed: 1}
	// Like `flint serve`, so that both find the same database.
	if v := strings.TrimSpace(os.Getenv("FLINT_DATA")); v != "" {
		o.dataDir = v
	}
	o.db = strings.TrimSpace(os.Getenv("FLINT_DB"))

	fs := flag.NewFlagSet("flint demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.seedOnly, "seed-only", false, "seed the world and exit (required: live traffic simulation is not available yet)")
	fs.IntVar(&o.ads, "ads", o.ads, fmt.Sprintf("how many serving ads to seed, 1 to %d", MaxAds))
	fs.StringVar(&o.dataDir, "data", o.dataDir, "data directory (FLINT_DATA)")
	fs.StringVar(&o.db, "db", o.db, "database: a SQLite file path, or a postgres:// URL (FLINT_DB; default: flint.db inside --data)")
	fs.Int64Var(&o.seed, "seed", o.seed, "random seed: the same seed gives the same world")
	if err := fs.Parse(args); err != nil {
		return o, err
	}
	var errs []error
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")))
	}
	if !o.seedOnly {
		errs = append(errs, errors.New("live traffic simulation is not available yet: "+
			"run with --seed-only to seed a world and exit (then drive it with flint serve and flint loadgen)"))
	}
	if o.ads < 1 || o.ads > MaxAds {
		errs = append(errs, fmt.Errorf("ads: %d is not between 1 and %d", o.ads, MaxAds))
	}
	if o.db == "" {
		if o.dataDir == "" {
			errs = append(errs, errors.New("data: the data directory must not be empty"))
		}
		o.db = filepath.Join(o.dataDir, "flint.db")
	}
	if strings.Contains(o.db, "://") && !backend.IsPostgres(o.db) && !strings.HasPrefix(o.db, "sqlite://") {
		errs = append(errs, fmt.Errorf("db: %q is neither a SQLite path nor a postgres:// URL", config.Config{DB: o.db}.Redacted()))
	}
	return o, errors.Join(errs...)
}

// Run implements `flint demo`.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, stderr)
	if err != nil {
		return err
	}
	where := config.Config{DB: o.db}.Redacted()
	if !backend.IsPostgres(o.db) {
		if abs, err := filepath.Abs(backend.SQLitePath(o.db)); err == nil {
			where = abs
		}
	}

	start := time.Now()
	st, err := backend.Open(ctx, o.db)
	if err != nil {
		return fmt.Errorf("open store %s: %w", where, err)
	}
	defer st.Close()
	// Seeding twice would give two worlds in one: refuse anything but an
	// empty database.
	for _, kind := range []model.AccountKind{model.KindAdvertiser, model.KindCreator} {
		accounts, err := st.ListAccounts(ctx, kind)
		if err != nil {
			return err
		}
		if len(accounts) > 0 {
			return fmt.Errorf("%s already has %s accounts: flint demo seeds only an empty database "+
				"(use another --data directory or --db, or delete this one)", where, kind)
		}
	}

	opened := time.Now()
	w := Generate(o.ads, o.seed, time.Now())
	generated := time.Now()
	if err := st.Seed(ctx, w); err != nil {
		return fmt.Errorf("seed %s: %w", where, err)
	}
	// Closing checkpoints SQLite's write-ahead log into the database file.
	if err := st.Close(); err != nil {
		return err
	}
	done := time.Now()

	creators := 0
	for i := range w.Accounts {
		if w.Accounts[i].Kind == model.KindCreator {
			creators++
		}
	}
	fmt.Fprintf(stdout, "seeded %d serving ads (seed %d) in %s: open %s, generate %s, store %s\n",
		len(w.Ads), o.seed, round(done.Sub(start)), round(opened.Sub(start)), round(generated.Sub(opened)),
		round(done.Sub(generated)))
	fmt.Fprintf(stdout, "  %d advertisers, %d creators, %d posts with authorized Spark posts\n",
		len(w.Accounts)-creators, creators, len(w.Posts))
	fmt.Fprintf(stdout, "  %d campaigns, %d ad groups, %d ads (%d objects)\n",
		len(w.Campaigns), len(w.AdGroups), len(w.Ads), w.Objects())
	fmt.Fprintf(stdout, "database: %s%s\n", where, size(o.db))
	return nil
}

func round(d time.Duration) time.Duration {
	if d >= time.Second {
		return d.Round(10 * time.Millisecond)
	}
	return d.Round(time.Millisecond)
}

// size describes the size of a SQLite database file, or returns "".
func size(dsn string) string {
	if backend.IsPostgres(dsn) {
		return ""
	}
	fi, err := os.Stat(backend.SQLitePath(dsn))
	if err != nil {
		return ""
	}
	return fmt.Sprintf(" (%.1f MB)", float64(fi.Size())/1e6)
}
