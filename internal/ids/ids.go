// Package ids makes the opaque identifiers that Flint gives its objects:
// a short type prefix, an underscore and 16 characters of lowercase base32
// (80 random bits), e.g. "post_k3j9x0a1b2c3d4e5".
package ids

import (
	"crypto/rand"
	"encoding/base32"
)

var encoding = base32.NewEncoding("0123456789abcdefghjkmnpqrstvwxyz").WithPadding(base32.NoPadding)

// New returns a fresh identifier with the given prefix.
func New(prefix string) string {
	var b [10]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails on supported platforms
	var out [64]byte
	n := copy(out[:48], prefix)
	out[n] = '_'
	encoding.Encode(out[n+1:], b[:])
	return string(out[:n+17])
}
