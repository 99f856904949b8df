package server

import (
	"io"
	"log/slog"
	"os"
	"path/filepath"
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
	s, err := secretFile("", path, "flop_", slog.New(slog.NewTextHandler(io.Discard, nil)), "operator token")
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
