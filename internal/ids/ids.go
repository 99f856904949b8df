// Package ids makes the opaque identifiers that Flint gives its objects:
// a short type prefix, an underscore and 16 characters of lowercase base32
// (80 random bits), e.g. "post_k3j9x0a1b2c3d4e5".
package ids

import (
	"crypto/rand"
	"encoding/base32"
	"strings"
)

var encoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// New returns a fresh identifier with the given prefix.
func New(prefix string) string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	var sb strings.Builder
	sb.Grow(len(prefix) + 17)
	sb.WriteString(prefix)
	sb.WriteByte('_')
	sb.WriteString(encoding.EncodeToString(b[:]))
	return sb.String()
}

// Valid reports whether s looks like an identifier with the given prefix.
// It is a cheap shape check used to reject garbage before touching storage.
func Valid(prefix, s string) bool {
	if len(s) != len(prefix)+17 || !strings.HasPrefix(s, prefix) || s[len(prefix)] != '_' {
		return false
	}
	for _, c := range s[len(prefix)+1:] {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}
