// Package demo seeds a world of creators, advertisers, posts, authorized
// Spark posts and serving ads, for trying Flint out and for load tests.
//
//	flint demo --seed-only --ads 100000 --data ./data
//
// generates the world in memory (Generate) and stores it in one
// transaction (store.Seeder), into an empty database only; BenchWorld keeps
// one for benchmarks. Without --seed-only, flint demo runs a small live
// world with simulated feed traffic (live.go).
package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store/backend"
)

// MaxAds is the largest world --ads may ask for.
const MaxAds = 1_000_000

// options are the flags of `flint demo`: the settings of `flint serve`
// (read by package config, from the same flags and environment) and the
// demo's own.
type options struct {
	cfg      config.Config
	seedOnly bool
	ads      int
	seed     int64
}

func parse(args []string, getenv func(string) string, stderr io.Writer) (options, error) {
	o := options{ads: 1000, seed: 1}
	cfg, err := config.Parse("flint demo", config.Serve, args, getenv, stderr, func(fs *flag.FlagSet) {
		fs.BoolVar(&o.seedOnly, "seed-only", false, "seed a world of --ads serving ads into an empty database and exit (for load tests)")
		fs.IntVar(&o.ads, "ads", o.ads, fmt.Sprintf("with --seed-only: how many serving ads to seed, 1 to %d", MaxAds))
		fs.Int64Var(&o.seed, "seed", o.seed, "with --seed-only: random seed; the same seed gives the same world")
	})
	o.cfg = cfg
	if errors.Is(err, flag.ErrHelp) {
		return o, err
	}
	errs := []error{err}
	if o.ads < 1 || o.ads > MaxAds {
		errs = append(errs, fmt.Errorf("ads: %d is not between 1 and %d", o.ads, MaxAds))
	}
	return o, errors.Join(errs...)
}

// Run implements `flint demo`.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parse(args, os.Getenv, stderr)
	if err != nil {
		return err
	}
	if !o.seedOnly {
		return live(ctx, o.cfg, stdout, stderr)
	}
	return seedOnly(ctx, o, stdout)
}

// where describes the database of dsn for people: a SQLite file's absolute
// path, or the URL without its password.
func where(dsn string) string {
	if !config.IsPostgres(dsn) {
		if abs, err := filepath.Abs(config.SQLitePath(dsn)); err == nil {
			return abs
		}
	}
	return config.Redact(dsn)
}

// seedOnly seeds a world of o.ads serving ads into an empty database.
func seedOnly(ctx context.Context, o options, stdout io.Writer) error {
	db := o.cfg.DB
	where := where(db)
	start := time.Now()
	st, err := backend.Open(ctx, db)
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
	fmt.Fprintf(stdout, "database: %s%s\n", where, size(db))
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
	if config.IsPostgres(dsn) {
		return ""
	}
	fi, err := os.Stat(config.SQLitePath(dsn))
	if err != nil {
		return ""
	}
	return fmt.Sprintf(" (%.1f MB)", float64(fi.Size())/1e6)
}
