package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestMigrateAndVersion runs the small commands a newcomer meets first.
func TestMigrateAndVersion(t *testing.T) {
	t.Parallel()
	out, err := exec.Command(binary, "version").CombinedOutput()
	if err != nil || !strings.HasPrefix(string(out), "flint ") {
		t.Fatalf("flint version: %v: %s", err, out)
	}
	dir := t.TempDir()
	for range 2 { // the second run finds nothing to do
		cmd := exec.Command(binary, "migrate", "--data", dir)
		cmd.Env = append(os.Environ(), "FLINT_DB=")
		out, err := cmd.CombinedOutput()
		if err != nil || !strings.Contains(string(out), "up to date") {
			t.Fatalf("flint migrate: %v: %s", err, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "flint.db")); err != nil {
		t.Fatalf("no database after migrate: %v", err)
	}
	out, err = exec.Command(binary, "serve", "--addr", "nonsense", "--log-level", "loud").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "addr") || !strings.Contains(string(out), "log level") {
		t.Fatalf("bad flags must fail with every problem named: %v: %s", err, out)
	}
	if out, err := exec.Command(binary, "frobnicate").CombinedOutput(); err == nil || !strings.Contains(string(out), "unknown command") {
		t.Fatalf("unknown command: %v: %s", err, out)
	}
}
