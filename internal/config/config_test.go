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
