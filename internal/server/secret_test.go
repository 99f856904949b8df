package server

import (
	"bytes"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestSecretFilesArePrivate: generated secrets are 0600 in a
// world-writable directory under a umask of 0.
func TestSecretFilesArePrivate(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	dir := t.TempDir()
	if err := os.Chmod(dir, 0o777); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "operator-token")
	s, err := secretFile("", path, "flop_", slog.New(slog.NewTextHandler(io.Discard, nil)), "operator token", false)
	if err != nil || len(s) < 64 {
		t.Fatalf("secretFile = %q, %v", s, err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("secret file has mode %v, want 0600", fi.Mode().Perm())
	}
}

// TestSharedDatabaseWarnsOfNodeSecrets: on a database that several nodes
// may share, a secret kept in the node's own data directory is a
// misconfiguration, and serve says so.
func TestSharedDatabaseWarnsOfNodeSecrets(t *testing.T) {
	var logs bytes.Buffer
	log := slog.New(slog.NewTextHandler(&logs, nil))
	path := filepath.Join(t.TempDir(), "tracking-secret")
	if _, err := secretFile("", path, "", log, "tracking secret", true); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), "level=WARN") || !strings.Contains(logs.String(), "several nodes") {
		t.Fatalf("no warning for a per-node secret on a shared database:\n%s", logs.String())
	}
	logs.Reset()
	if _, err := secretFile("set-in-the-environment-0123456789", path, "", log, "tracking secret", true); err != nil {
		t.Fatal(err)
	}
	if _, err := secretFile("", path, "", log, "tracking secret", false); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(logs.String(), "WARN") {
		t.Fatalf("a warning where nothing is wrong:\n%s", logs.String())
	}
}
