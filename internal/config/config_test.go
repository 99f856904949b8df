package config

import (
	"io"
	"os"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load("serve", nil, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./data" || c.DB != "data/flint.db" || c.TestClock {
		t.Fatalf("unexpected defaults: %+v", c)
	}
}

func TestFlagsBeatEnvironment(t *testing.T) {
	c, err := Load("serve", []string{"--addr", "127.0.0.1:9999", "--test-clock"},
		env(map[string]string{"FLINT_ADDR": "127.0.0.1:1111", "FLINT_DATA": "/tmp/x"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:9999" || c.DataDir != "/tmp/x" || c.DB != "/tmp/x/flint.db" || !c.TestClock {
		t.Fatalf("got %+v", c)
	}
}

func TestPostgresURL(t *testing.T) {
	c, err := Load("serve", []string{"--db", "postgres://u:secret@h/db"}, env(nil), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.DB != "postgres://u:secret@h/db" || c.Redacted() != "postgres://u:***@h/db" {
		t.Fatalf("got %q, redacted %q", c.DB, c.Redacted())
	}
	c.DB = "postgres://postgres@127.0.0.1:5432/flint"
	if c.Redacted() != c.DB {
		t.Fatalf("a URL without a password is shown as %q", c.Redacted())
	}
}

func TestEveryProblemReportedAtOnce(t *testing.T) {
	_, err := Load("serve", []string{"--addr", "nope", "--log-level", "loud", "--token-ttl", "1s", "--db", "mysql://x"},
		env(map[string]string{"FLINT_OPERATOR_TOKEN": "short"}), io.Discard)
	if err == nil {
		t.Fatal("want error")
	}
	for _, want := range []string{"addr", "log level", "token-ttl", "db", "FLINT_OPERATOR_TOKEN"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

func TestSecretFromFile(t *testing.T) {
	path := t.TempDir() + "/token"
	if err := os.WriteFile(path, []byte("operator-token-from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := Load("serve", nil, env(map[string]string{"FLINT_OPERATOR_TOKEN_FILE": path}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.OperatorToken != "operator-token-from-file" {
		t.Fatalf("got %q", c.OperatorToken)
	}
	if c.ReservationTTL != time.Minute {
		t.Fatalf("reservation ttl %v", c.ReservationTTL)
	}
}

func TestMigrateTakesStoreFlagsOnly(t *testing.T) {
	var out strings.Builder
	_, err := Parse("flint migrate", Store, []string{"-h"}, env(nil), &out, nil)
	if err == nil {
		t.Fatal("-h: want flag.ErrHelp")
	}
	help := out.String()
	for _, serveOnly := range []string{"-addr", "-test-clock", "-token-ttl", "-reservation-ttl", "-code-lookup"} {
		if strings.Contains(help, serveOnly) {
			t.Errorf("flint migrate -h lists the serve-only flag %s:\n%s", serveOnly, help)
		}
	}
	if !strings.Contains(help, "-db") || !strings.Contains(help, "FLINT_DB") {
		t.Errorf("flint migrate -h does not list --db:\n%s", help)
	}
	if _, err := Parse("flint migrate", Store, []string{"--addr", "127.0.0.1:1"}, env(nil), io.Discard, nil); err == nil {
		t.Error("flint migrate accepted --addr")
	}
}

// TestFlagsNameTheirVariables: every flag's help names the environment
// variable that also sets it, and that variable works.
func TestFlagsNameTheirVariables(t *testing.T) {
	var out strings.Builder
	Parse("flint serve", Serve, []string{"-h"}, env(nil), &out, nil)
	lines := strings.Split(out.String(), "\n")
	for i, l := range lines {
		if !strings.HasPrefix(strings.TrimSpace(l), "-") {
			continue
		}
		help := l
		if i+1 < len(lines) {
			help += lines[i+1]
		}
		if !strings.Contains(help, "(FLINT_") {
			t.Errorf("flag without its environment variable: %s", strings.TrimSpace(help))
		}
	}
	c, err := Load("serve", nil, env(map[string]string{"FLINT_TOKEN_TTL": "2h", "FLINT_RESERVATION_TTL": "5s",
		"FLINT_SHUTDOWN_TIMEOUT": "3s", "FLINT_CODE_LOOKUP_RATE": "2.5", "FLINT_CODE_LOOKUP_BURST": "7"}), io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if c.TokenTTL != 2*time.Hour || c.ReservationTTL != 5*time.Second || c.ShutdownTimeout != 3*time.Second ||
		c.CodeLookupRate != 2.5 || c.CodeLookupBurst != 7 {
		t.Fatalf("environment not applied: %+v", c)
	}
	if _, err := Load("serve", nil, env(map[string]string{"FLINT_TOKEN_TTL": "soon"}), io.Discard); err == nil ||
		!strings.Contains(err.Error(), "FLINT_TOKEN_TTL") {
		t.Fatalf("a bad FLINT_TOKEN_TTL: %v", err)
	}
}
