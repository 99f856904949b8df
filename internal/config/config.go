// Package config reads Flint's settings from command-line flags and the
// environment into one typed struct, applies defaults and validates it once,
// reporting every problem together. It also owns the syntax of a data
// source name (IsPostgres, SQLitePath), so that reading settings never
// needs the storage drivers.
//
// A flag wins over its environment variable, which wins over the default;
// every flag's help names its variable. Secrets may also come from a file
// named by the variable with a _FILE suffix (FLINT_OPERATOR_TOKEN_FILE,
// FLINT_SECRET_FILE).
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// IsPostgres reports whether dsn selects PostgreSQL: a postgres:// or
// postgresql:// URL. Anything else names a SQLite file.
func IsPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// SQLitePath returns the file path that a SQLite data source name names
// (an optional "sqlite://", "sqlite:" or "file:" prefix is dropped).
func SQLitePath(dsn string) string {
	for _, p := range []string{"sqlite://", "sqlite:", "file:"} {
		if strings.HasPrefix(dsn, p) {
			return strings.TrimPrefix(dsn, p)
		}
	}
	return dsn
}

// Scope says which settings a command takes.
type Scope int

// The scopes of the commands.
const (
	// Serve: every setting (flint serve, flint demo).
	Serve Scope = iota
	// Store: where the database is, and logging (flint migrate).
	Store
)

// Config is the configuration of `flint serve` (and of the other commands
// that open the store).
type Config struct {
	Addr    string // listen address, host:port
	DataDir string // where the SQLite file, the generated secrets and the operator token live
	DB      string // data source: a SQLite path or a postgres:// URL
	// TestClock enables POST /api/v1/test-clock/advance.
	TestClock bool
	// OperatorToken authenticates the operator; generated into DataDir when empty.
	OperatorToken string
	// Secret signs tracking tokens; generated into DataDir when empty.
	Secret string

	LogLevel  slog.Level
	LogFormat string // "text" or "json"

	// CodeLookupRate and CodeLookupBurst bound how fast one advertiser may
	// try ad codes (lookups and redemptions): a token bucket refilled at
	// CodeLookupRate per second holding CodeLookupBurst tokens.
	CodeLookupRate  float64
	CodeLookupBurst int

	// TokenTTL is how long a tracking token is accepted after its decision.
	TokenTTL time.Duration
	// ReservationTTL is how long a decision's budget reservation waits for
	// its billing event before it is released.
	ReservationTTL time.Duration
	// ShutdownTimeout bounds graceful shutdown.
	ShutdownTimeout time.Duration

	// EventRetention is how long raw events are kept; rollups are kept
	// for good. ChannelName is what reports call our own ads.
	EventRetention time.Duration
	ChannelName    string
	// LeaseTimeout is how long a node may stay silent before the other
	// nodes take back its budget leases; LeaseIdle how long an unused
	// lease is kept before it is returned.
	LeaseTimeout time.Duration
	LeaseIdle    time.Duration
	// ChangePoll is how often a node reads the shared change log when no
	// notification wakes it.
	ChangePoll time.Duration
	// MetricsToken, when set, is required (as a bearer token) by /metrics.
	MetricsToken string
}

// Defaults returns the configuration used when nothing is set.
func Defaults() Config {
	return Config{
		Addr:            "127.0.0.1:8080",
		DataDir:         "./data",
		LogLevel:        slog.LevelInfo,
		LogFormat:       "text",
		CodeLookupRate:  1,
		CodeLookupBurst: 30,
		TokenTTL:        24 * time.Hour,
		ReservationTTL:  time.Minute,
		ShutdownTimeout: 15 * time.Second,
		EventRetention:  30 * 24 * time.Hour,
		ChannelName:     "flint",
		LeaseTimeout:    30 * time.Second,
		LeaseIdle:       time.Minute,
		ChangePoll:      250 * time.Millisecond,
	}
}

// Load parses the flags of `flint serve` from args (without the program and
// subcommand names) and the environment given by getenv. It returns every
// problem it finds, joined. A request for help returns flag.ErrHelp after
// printing usage to output.
func Load(name string, args []string, getenv func(string) string, output io.Writer) (Config, error) {
	return Parse(name, Serve, args, getenv, output, nil)
}

// Parse is Load for a command of the given scope; extra, when not nil,
// defines the command's own flags on the same flag set before parsing.
func Parse(name string, scope Scope, args []string, getenv func(string) string, output io.Writer,
	extra func(fs *flag.FlagSet)) (Config, error) {
	c := Defaults()
	var errs []error
	env := func(key string) string { return strings.TrimSpace(getenv(key)) }
	secret := func(key string) string {
		if v := getenv(key); v != "" {
			return strings.TrimSpace(v)
		}
		if path := env(key + "_FILE"); path != "" {
			b, err := os.ReadFile(path)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s_FILE: %w", key, err))
				return ""
			}
			return strings.TrimSpace(string(b))
		}
		return ""
	}
	if v := env("FLINT_ADDR"); v != "" {
		c.Addr = v
	}
	if v := env("FLINT_DATA"); v != "" {
		c.DataDir = v
	}
	c.DB = env("FLINT_DB")
	c.OperatorToken = secret("FLINT_OPERATOR_TOKEN")
	c.Secret = secret("FLINT_SECRET")
	c.MetricsToken = secret("FLINT_METRICS_TOKEN")
	if v := env("FLINT_TEST_CLOCK"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("FLINT_TEST_CLOCK: %q is not a boolean", v))
		}
		c.TestClock = b
	}
	if v := env("FLINT_EVENT_RETENTION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("FLINT_EVENT_RETENTION: %q is not a duration such as 720h", v))
		}
		c.EventRetention = d
	}
	if v := env("FLINT_CHANNEL_NAME"); v != "" {
		c.ChannelName = v
	}
	logLevel := env("FLINT_LOG_LEVEL")
	if logLevel == "" {
		logLevel = "info"
	}
	if v := env("FLINT_LOG_FORMAT"); v != "" {
		c.LogFormat = v
	}

	durationEnv := func(key string, d *time.Duration) {
		if v := env(key); v != "" {
			x, err := time.ParseDuration(v)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: %q is not a duration such as 30s", key, v))
			}
			*d = x
		}
	}
	if v := env("FLINT_CODE_LOOKUP_RATE"); v != "" {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil {
			errs = append(errs, fmt.Errorf("FLINT_CODE_LOOKUP_RATE: %q is not a number", v))
		}
		c.CodeLookupRate = x
	}
	if v := env("FLINT_CODE_LOOKUP_BURST"); v != "" {
		x, err := strconv.Atoi(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("FLINT_CODE_LOOKUP_BURST: %q is not a whole number", v))
		}
		c.CodeLookupBurst = x
	}
	durationEnv("FLINT_TOKEN_TTL", &c.TokenTTL)
	durationEnv("FLINT_RESERVATION_TTL", &c.ReservationTTL)
	durationEnv("FLINT_SHUTDOWN_TIMEOUT", &c.ShutdownTimeout)
	durationEnv("FLINT_LEASE_TIMEOUT", &c.LeaseTimeout)
	durationEnv("FLINT_LEASE_IDLE", &c.LeaseIdle)
	durationEnv("FLINT_CHANGE_POLL", &c.ChangePoll)

	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(output)
	fs.StringVar(&c.DataDir, "data", c.DataDir, "data directory (FLINT_DATA)")
	fs.StringVar(&c.DB, "db", c.DB, "database: a SQLite file path, or a postgres:// URL (FLINT_DB; default: flint.db inside --data)")
	fs.StringVar(&logLevel, "log-level", logLevel, "debug, info, warn or error (FLINT_LOG_LEVEL)")
	fs.StringVar(&c.LogFormat, "log-format", c.LogFormat, "text or json (FLINT_LOG_FORMAT)")
	if scope == Serve {
		fs.StringVar(&c.Addr, "addr", c.Addr, "listen address (FLINT_ADDR)")
		fs.BoolVar(&c.TestClock, "test-clock", c.TestClock, "enable POST /api/v1/test-clock/advance, for tests (FLINT_TEST_CLOCK)")
		fs.Float64Var(&c.CodeLookupRate, "code-lookup-rate", c.CodeLookupRate, "ad-code attempts per second allowed to one advertiser (FLINT_CODE_LOOKUP_RATE)")
		fs.IntVar(&c.CodeLookupBurst, "code-lookup-burst", c.CodeLookupBurst, "ad-code attempts one advertiser may make in a burst (FLINT_CODE_LOOKUP_BURST)")
		fs.DurationVar(&c.TokenTTL, "token-ttl", c.TokenTTL, "how long a tracking token is accepted (FLINT_TOKEN_TTL)")
		fs.DurationVar(&c.ReservationTTL, "reservation-ttl", c.ReservationTTL, "how long an unused budget reservation is held (FLINT_RESERVATION_TTL)")
		fs.DurationVar(&c.ShutdownTimeout, "shutdown-timeout", c.ShutdownTimeout, "how long graceful shutdown may take (FLINT_SHUTDOWN_TIMEOUT)")
		fs.DurationVar(&c.EventRetention, "event-retention", c.EventRetention, "how long raw events are kept (FLINT_EVENT_RETENTION)")
		fs.StringVar(&c.ChannelName, "channel-name", c.ChannelName, "what reports call our own ads (FLINT_CHANNEL_NAME)")
		fs.DurationVar(&c.LeaseTimeout, "lease-timeout", c.LeaseTimeout, "how long a silent node keeps its budget leases before other nodes take them back (FLINT_LEASE_TIMEOUT)")
		fs.DurationVar(&c.LeaseIdle, "lease-idle", c.LeaseIdle, "how long an unused budget lease is kept before it is returned (FLINT_LEASE_IDLE)")
		fs.DurationVar(&c.ChangePoll, "change-poll", c.ChangePoll, "how often the shared change log is read without a notification (FLINT_CHANGE_POLL)")
	}
	if extra != nil {
		extra(fs)
	}
	fs.Usage = func() {
		fmt.Fprintf(output, "usage: %s [flags]\n\nflags (where a flag names an environment variable in brackets, that variable sets it too):\n", name)
		fs.PrintDefaults()
		if scope == Serve {
			fmt.Fprintln(output, "\nsecrets: FLINT_OPERATOR_TOKEN and FLINT_SECRET (or their _FILE variants); generated into --data when unset")
			fmt.Fprintln(output, "FLINT_METRICS_TOKEN (or _FILE), when set, is required as a bearer token by /metrics")
		}
	}
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		errs = append(errs, fmt.Errorf("unexpected arguments: %s", strings.Join(fs.Args(), " ")))
	}

	if err := c.LogLevel.UnmarshalText([]byte(logLevel)); err != nil {
		errs = append(errs, fmt.Errorf("log level: %q is not debug, info, warn or error", logLevel))
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		errs = append(errs, fmt.Errorf("log format: %q is not text or json", c.LogFormat))
	}
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr: %q is not host:port", c.Addr))
	}
	if c.DataDir == "" {
		errs = append(errs, errors.New("data: the data directory must not be empty"))
	}
	if c.DB == "" {
		c.DB = filepath.Join(c.DataDir, "flint.db")
	}
	if strings.Contains(c.DB, "://") && !IsPostgres(c.DB) && !strings.HasPrefix(c.DB, "sqlite://") {
		errs = append(errs, fmt.Errorf("db: %q is neither a SQLite path nor a postgres:// URL", Redact(c.DB)))
	}
	if c.OperatorToken != "" && len(c.OperatorToken) < 16 {
		errs = append(errs, errors.New("FLINT_OPERATOR_TOKEN: must be at least 16 characters"))
	}
	if c.Secret != "" && len(c.Secret) < 32 {
		errs = append(errs, errors.New("FLINT_SECRET: must be at least 32 characters"))
	}
	if c.CodeLookupRate <= 0 || c.CodeLookupBurst < 1 {
		errs = append(errs, errors.New("code lookup limit: rate must be positive and burst at least 1"))
	}
	if c.TokenTTL < time.Minute {
		errs = append(errs, errors.New("token-ttl: must be at least 1m"))
	}
	if c.ReservationTTL < time.Second {
		errs = append(errs, errors.New("reservation-ttl: must be at least 1s"))
	}
	if c.EventRetention < 8*24*time.Hour {
		errs = append(errs, errors.New("event-retention: must be at least 192h (8 days): events may arrive 7 days late"))
	}
	if !channelName(c.ChannelName) {
		errs = append(errs, fmt.Errorf("channel-name: %q must be 1 to 32 lower-case letters, digits, - or _", c.ChannelName))
	}
	if c.ShutdownTimeout <= 0 {
		errs = append(errs, errors.New("shutdown-timeout: must be positive"))
	}
	if c.LeaseTimeout < time.Second {
		errs = append(errs, errors.New("lease-timeout: must be at least 1s"))
	}
	if c.LeaseIdle < time.Second {
		errs = append(errs, errors.New("lease-idle: must be at least 1s"))
	}
	if c.ChangePoll < 10*time.Millisecond || c.ChangePoll > time.Minute {
		errs = append(errs, errors.New("change-poll: must be between 10ms and 1m"))
	}
	if c.MetricsToken != "" && len(c.MetricsToken) < 16 {
		errs = append(errs, errors.New("FLINT_METRICS_TOKEN: must be at least 16 characters"))
	}
	return c, errors.Join(errs...)
}

func channelName(s string) bool {
	if s == "" || len(s) > 32 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}

// Redact hides a password in a data source name so it can be printed.
func Redact(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok {
		return s
	}
	userinfo, host, ok := strings.Cut(rest, "@")
	if !ok {
		return s
	}
	user, _, hasPassword := strings.Cut(userinfo, ":")
	if !hasPassword {
		return s
	}
	return scheme + "://" + user + ":***@" + host
}

// Redacted returns the data source name safe to log.
func (c Config) Redacted() string { return Redact(c.DB) }
