package authorization

import (
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"strings"
)

// An ad code is a bearer secret that a creator hands to an advertiser. Its
// form is the prefix "FLINT-", then 32 characters of Crockford base32 that
// carry 160 random bits, then 4 characters of checksum (20 bits of SHA-256
// over the random part): 42 characters in all, e.g.
//
//	FLINT-7Q2M0K4T9V1X8C3R5B6N2D7F9G1H3J4K6M8PZA4T
//
// The checksum lets Parse tell a mistyped code (AD_CODE_MALFORMED) from one
// that was never issued (AD_CODE_NOT_FOUND) without touching storage: a
// random typo slips through with probability 2^-20. Parsing forgives what
// people do when they copy codes: surrounding white space, a leading '#',
// lower case, hyphens or spaces inside, and the letters I, L and O typed for
// 1, 1 and 0.

// CodePrefix starts every ad code.
const CodePrefix = "FLINT-"

const (
	secretBytes   = 20 // 160 random bits
	secretChars   = 32 // secretBytes in base32
	checksumChars = 4
	codeLen       = len(CodePrefix) + secretChars + checksumChars
	// maxCodeInput bounds the input Parse looks at, so that hostile input
	// costs nothing.
	maxCodeInput = 256
)

const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// ErrMalformed is returned by Parse for anything that is not a well-formed
// code with a correct checksum.
var ErrMalformed = errors.New("not a well-formed ad code")

// Secret is the random part of an ad code.
type Secret [secretBytes]byte

// NewSecret returns a fresh random secret.
func NewSecret() Secret {
	var s Secret
	_, _ = rand.Read(s[:])
	return s
}

// Code returns the canonical text of the code for s.
func (s Secret) Code() string {
	var b strings.Builder
	b.Grow(codeLen)
	b.WriteString(CodePrefix)
	writeBase32(&b, s[:])
	sum := checksum(s)
	for i := checksumChars - 1; i >= 0; i-- {
		b.WriteByte(crockford[(sum>>(5*i))&31])
	}
	return b.String()
}

// Hash returns the form of the code that is stored: SHA-256 over a domain
// tag and the secret. 160 random bits make a salt unnecessary.
func (s Secret) Hash() []byte {
	h := sha256.New()
	h.Write([]byte("flint ad code v1\x00"))
	h.Write(s[:])
	return h.Sum(nil)
}

// checksum is 20 bits of SHA-256 over the secret.
func checksum(s Secret) uint32 {
	h := sha256.Sum256(s[:])
	return (uint32(h[0])<<16 | uint32(h[1])<<8 | uint32(h[2])) >> 4
}

// writeBase32 writes 20 bytes as 32 Crockford characters (no padding needed:
// 160 bits are exactly 32 groups of 5).
func writeBase32(b *strings.Builder, data []byte) {
	var acc uint64
	bits := 0
	for _, c := range data {
		acc = acc<<8 | uint64(c)
		bits += 8
		for bits >= 5 {
			bits -= 5
			b.WriteByte(crockford[(acc>>bits)&31])
		}
	}
}

// decodeChar maps a Crockford character (either case, with I/L read as 1 and
// O as 0) to its value, or -1.
func decodeChar(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'z':
		c -= 'a' - 'A'
	}
	switch c {
	case 'I', 'L':
		return 1
	case 'O':
		return 0
	}
	if i := strings.IndexByte(crockford, c); i >= 10 {
		return i
	}
	return -1
}

// ParseCode reads a code as a person might paste it and returns its secret.
func ParseCode(input string) (Secret, error) {
	var s Secret
	if len(input) > maxCodeInput {
		return s, ErrMalformed
	}
	in := strings.TrimSpace(input)
	in = strings.TrimPrefix(in, "#")
	if len(in) < len(CodePrefix) || !strings.EqualFold(in[:len(CodePrefix)-1], CodePrefix[:len(CodePrefix)-1]) {
		return s, ErrMalformed
	}
	in = in[len(CodePrefix)-1:]
	var vals [secretChars + checksumChars]byte
	n := 0
	for i := 0; i < len(in); i++ {
		c := in[i]
		if c == '-' || c == ' ' {
			continue
		}
		v := decodeChar(c)
		if v < 0 || n == len(vals) {
			return s, ErrMalformed
		}
		vals[n] = byte(v)
		n++
	}
	if n != len(vals) {
		return s, ErrMalformed
	}
	var acc uint64
	bits, j := 0, 0
	for _, v := range vals[:secretChars] {
		acc = acc<<5 | uint64(v)
		bits += 5
		if bits >= 8 {
			bits -= 8
			s[j] = byte(acc >> bits)
			j++
		}
	}
	var sum uint32
	for _, v := range vals[secretChars:] {
		sum = sum<<5 | uint32(v)
	}
	if sum != checksum(s) {
		return Secret{}, ErrMalformed
	}
	return s, nil
}
