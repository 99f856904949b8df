package tracking

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/flintads/flint/internal/model"
)

func claims(now time.Time) Claims {
	return Claims{DecisionID: "dec_0123456789abcdef", Index: 2, AdID: "ad_0123456789abcdef", PostID: "post_0123456789abcdef",
		ViewerID: "viewer-42", Billing: model.BillCPC, Price: 123_456, IssuedAt: now.Truncate(time.Microsecond)}
}

func TestSignVerify(t *testing.T) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	c := claims(now)
	tok := s.Sign(&c)
	got, err := s.Verify(tok, now.Add(59*time.Minute))
	if err != nil || got != c {
		t.Fatalf("Verify = %+v, %v; want %+v", got, err, c)
	}
	if _, err := s.Verify(tok, now.Add(time.Hour)); !errors.Is(err, ErrExpired) {
		t.Fatalf("after the TTL: %v", err)
	}
	if _, err := s.Verify(tok, now.Add(-time.Hour)); !errors.Is(err, ErrInvalid) {
		t.Fatalf("issued in the future: %v", err)
	}
	other := NewSigner([]byte("another secret, another secret!!"), time.Hour)
	if _, err := other.Verify(tok, now); !errors.Is(err, ErrInvalid) {
		t.Fatalf("another secret: %v", err)
	}
	if c.ClickID() != "dec_0123456789abcdefx2" {
		t.Fatalf("click id %q", c.ClickID())
	}
}

func TestEveryAlterationIsRejected(t *testing.T) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour)
	now := time.Now()
	c := claims(now)
	tok := s.Sign(&c)
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	for i := range len(tok) {
		for _, r := range []byte{alphabet[(strings.IndexByte(alphabet, tok[i])+1)%64], alphabet[(strings.IndexByte(alphabet, tok[i])+17)%64]} {
			altered := tok[:i] + string(r) + tok[i+1:]
			if got, err := s.Verify(altered, now); err == nil && got != c {
				t.Fatalf("altered token at %d accepted with other claims %+v", i, got)
			} else if err == nil && i < len(tok)-1 {
				t.Fatalf("altered token at %d accepted", i)
			}
		}
	}
	for _, bad := range []string{"", "x", strings.Repeat("A", 2000), tok + "A", tok[:len(tok)-2], "!!!!"} {
		if _, err := s.Verify(bad, now); err == nil {
			t.Errorf("Verify(%.20q) accepted", bad)
		}
	}
}

func FuzzVerify(f *testing.F) {
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour)
	now := time.Now()
	c := claims(now)
	f.Add(s.Sign(&c))
	f.Add("")
	f.Fuzz(func(t *testing.T, tok string) {
		got, err := s.Verify(tok, now)
		if err == nil {
			// Only a genuine token verifies: re-signing its claims gives it back.
			if s.Sign(&got) != tok {
				t.Fatalf("accepted a token that is not the signature of its claims: %q", tok)
			}
		}
	})
}

// TestLongFieldsStayWholeCharacters: a field longer than MaxField (which
// callers refuse) is cut on a character boundary, never inside one.
func TestLongFieldsStayWholeCharacters(t *testing.T) {
	t.Parallel()
	s := NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	for _, viewer := range []string{strings.Repeat("€", 85), strings.Repeat("€", 85) + "a", strings.Repeat("€", 100),
		"a" + strings.Repeat("€", 100)} {
		c := claims(now)
		c.ViewerID = viewer
		got, err := s.Verify(s.Sign(&c), now)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.ViewerID) > MaxField || !utf8.ValidString(got.ViewerID) || !strings.HasPrefix(viewer, got.ViewerID) {
			t.Errorf("a viewer of %d bytes came back as %d bytes (valid UTF-8: %v)", len(viewer), len(got.ViewerID),
				utf8.ValidString(got.ViewerID))
		}
		if len(viewer) <= MaxField && got.ViewerID != viewer {
			t.Errorf("a viewer of %d bytes did not come back whole", len(viewer))
		}
	}
}
