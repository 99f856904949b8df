// Package ids makes the opaque identifiers that Flint gives its objects:
// a short type prefix, an underscore and 16 characters of lowercase base32
// (80 random bits), e.g. "post_k3j9x0a1b2c3d4e5". Identifiers of
// high-volume objects (decisions) are time-ordered instead, so that the
// index entries derived from them are appended rather than scattered.
package ids

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/binary"
	"time"
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

// DecisionPrefix is the prefix of ad decisions' (time-ordered) identifiers.
const DecisionPrefix = "dec"

// OrderedFloor returns the smallest identifier NewOrdered(prefix, t) can
// return: identifiers made at t or later sort at or above it, those made
// earlier below it.
func OrderedFloor(prefix string, t time.Time) string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(t.UnixMilli())<<16)
	var out [72]byte
	n := copy(out[:48], prefix)
	out[n] = '_'
	encoding.Encode(out[n+1:], b[:])
	return string(out[:n+21])
}

// NewOrdered returns a fresh identifier with the given prefix whose text
// sorts by creation time: 48 bits of Unix milliseconds and 48 random bits,
// as 20 characters of base32 (whose alphabet is in ASCII order).
func NewOrdered(prefix string, now time.Time) string {
	var b [12]byte
	binary.BigEndian.PutUint64(b[:8], uint64(now.UnixMilli())<<16)
	_, _ = rand.Read(b[6:])
	var out [72]byte
	n := copy(out[:48], prefix)
	out[n] = '_'
	encoding.Encode(out[n+1:], b[:])
	return string(out[:n+21])
}

// MaxLen is the longest identifier Flint makes or accepts.
const MaxLen = 64

// Plausible reports whether s could be an identifier Flint made: 1 to
// MaxLen bytes of lower-case letters, digits, '_' and '-'. Anything else
// (empty, too long, other characters, NUL bytes, invalid UTF-8) names
// nothing, so a caller can answer "not found" without asking the store.
func Plausible(s string) bool {
	if len(s) == 0 || len(s) > MaxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}
