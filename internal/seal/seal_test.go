package seal

import (
	"bytes"
	"testing"
)

func TestSealer(t *testing.T) {
	s := New([]byte("server-secret-0123456789abcdef0123"), WebhookSecrets)
	sealed, err := s.Seal([]byte("shpss_secret"), "acct_1")
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, []byte("shpss_secret")) {
		t.Fatal("the sealed secret contains the secret")
	}
	if got, err := s.Open(sealed, "acct_1"); err != nil || string(got) != "shpss_secret" {
		t.Fatalf("Open: %q %v", got, err)
	}
	if _, err := s.Open(sealed, "acct_2"); err == nil {
		t.Fatal("a secret opened for another advertiser")
	}
	if _, err := New([]byte("another-server-secret-0123456789"), WebhookSecrets).Open(sealed, "acct_1"); err == nil {
		t.Fatal("a secret opened with another server secret")
	}
	if _, err := New([]byte("server-secret-0123456789abcdef0123"), AdCodes).Open(sealed, "acct_1"); err == nil {
		t.Fatal("a secret opened with the key of another purpose")
	}
	if _, err := s.Open(sealed[:5], "acct_1"); err == nil {
		t.Fatal("a truncated secret opened")
	}
}
