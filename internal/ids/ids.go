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
	"math"
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

// Numeric ids: the decimal ids the TikTok-compatible API shows (TikTok's
// clients expect ids of at most 19 digits without a leading zero, and
// some cast them to integers). They are drawn at random from
// [MinNumeric, MaxNumeric], so every one has 18 or 19 digits and fits a
// signed 64-bit integer; a unique index in the database keeps them
// unique. Random rather than counted: no shared counter (a hot row that
// would serialise every create across nodes, and that CockroachDB and
// YugabyteDB advise against), and the ids do not tell how many objects
// Flint holds.
const (
	MinNumeric int64 = 100_000_000_000_000_000
	MaxNumeric int64 = math.MaxInt64
)

// NewNumeric returns a random numeric id in [MinNumeric, MaxNumeric].
// There are 9.1e18 of them: while a kind has fewer than ten million
// objects, a new one draws a taken id with probability below 1.1e-12, and
// the database's unique index then refuses that create (it is not retried).
func NewNumeric() int64 {
	var b [8]byte
	_, _ = rand.Read(b[:])
	span := uint64(MaxNumeric-MinNumeric) + 1
	return MinNumeric + int64(binary.BigEndian.Uint64(b[:])%span)
}

// ParseNumeric reads a numeric id as a client sends it: decimal digits
// without sign, leading zero or spaces, at most 19 of them, within the
// range NewNumeric draws from. ok is false for anything else, so a value
// Flint could not have made is never looked up.
func ParseNumeric(s string) (int64, bool) {
	if len(s) < 18 || len(s) > 19 || s[0] == '0' {
		return 0, false
	}
	var n uint64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + uint64(c-'0')
	}
	if n > uint64(MaxNumeric) || int64(n) < MinNumeric {
		return 0, false
	}
	return int64(n), true
}
