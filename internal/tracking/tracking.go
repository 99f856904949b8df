// Package tracking signs and verifies the tokens that travel with each ad a
// decision returns. A token says which ad was shown to which viewer, in
// which decision, at what price and when; events must present it, so a
// forged, altered or expired token is rejected before anything is counted
// or charged.
//
// A token is base64url(payload || mac), where mac is the first 16 bytes of
// HMAC-SHA256(secret, payload) and payload is a compact binary encoding of
// the Claims.
package tracking

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"hash"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

// Claims are what a token asserts.
type Claims struct {
	DecisionID string
	Index      int // the ad's position in the decision
	AdID       string
	PostID     string
	ViewerID   string
	Billing    model.BillingEvent
	Price      money.Micros // per billing event
	IssuedAt   time.Time
	// Node is the node that decided: the billing event is charged to its
	// budget leases, whichever node receives it. Empty in tokens of
	// version 1.
	Node string
}

// ClickID is the click id of the delivery these claims describe; it is
// added to the landing URL as flint_clid.
func (c *Claims) ClickID() string { return ClickID(c.DecisionID, c.Index) }

// ClickID returns the click id of ad index of a decision.
func ClickID(decisionID string, index int) string {
	return decisionID + "x" + string(rune('0'+index))
}

// Errors returned by Verify.
var (
	ErrInvalid = errors.New("tracking token is not valid")
	ErrExpired = errors.New("tracking token has expired")
)

// MaxField is the longest string a token carries, in bytes: a viewer ID
// (the one the operator chooses) must fit, and decisions refuse longer ones
// rather than cut them.
const MaxField = 255

const (
	version  = 2 // 1: without the node
	macLen   = 16
	maxToken = 1024
	// base64Max fits the encoding of the longest payload Sign builds: the
	// fixed fields, five strings of at most MaxField bytes, and the MAC.
	base64Max = (19 + 5*(1+MaxField) + macLen + 2) / 3 * 4
	// skew tolerates clocks of several nodes that disagree a little.
	skew = 5 * time.Minute
)

var strictBase64 = base64.RawURLEncoding.Strict()

var billingCodes = map[model.BillingEvent]byte{model.BillCPM: 1, model.BillCPC: 2, model.BillCPV: 3}
var billingByCode = [...]model.BillingEvent{1: model.BillCPM, 2: model.BillCPC, 3: model.BillCPV}

// Signer signs and verifies tokens with one secret.
type Signer struct {
	ttl  time.Duration
	macs sync.Pool
	bufs sync.Pool // *[]byte payload buffers
}

// NewSigner returns a Signer whose tokens are accepted for ttl.
func NewSigner(secret []byte, ttl time.Duration) *Signer {
	key := append([]byte(nil), secret...)
	return &Signer{ttl: ttl, macs: sync.Pool{New: func() any { return hmac.New(sha256.New, key) }},
		bufs: sync.Pool{New: func() any { b := make([]byte, 0, 19+5*(1+MaxField)+sha256.Size); return &b }}}
}

func (s *Signer) mac(payload []byte, out []byte) []byte {
	h := s.macs.Get().(hash.Hash)
	h.Reset()
	h.Write(payload)
	out = h.Sum(out)
	s.macs.Put(h)
	return out
}

// Sign returns the token for c.
func (s *Signer) Sign(c *Claims) string {
	bp := s.bufs.Get().(*[]byte)
	defer s.bufs.Put(bp)
	p := (*bp)[:0]
	p = append(p, version)
	p = binary.BigEndian.AppendUint64(p, uint64(c.IssuedAt.UnixMicro()))
	p = binary.BigEndian.AppendUint64(p, uint64(c.Price))
	p = append(p, billingCodes[c.Billing], byte(c.Index))
	for _, s := range [...]string{c.DecisionID, c.AdID, c.PostID, c.ViewerID, c.Node} {
		s = clip(s)
		p = append(p, byte(len(s)))
		p = append(p, s...)
	}
	n := len(p)
	p = s.mac(p[:n], p)[:n+macLen]
	var out [base64Max]byte
	base64.RawURLEncoding.Encode(out[:], p)
	return string(out[:base64.RawURLEncoding.EncodedLen(len(p))])
}

// clip returns s if it fits a token field, else its longest prefix that
// fits and ends on a whole UTF-8 character. Callers check their strings
// first (MaxField); this only keeps a token well-formed if one did not.
func clip(s string) string {
	if len(s) <= MaxField {
		return s
	}
	n := MaxField
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// Verify checks a token's signature and age at time now and returns its
// claims.
func (s *Signer) Verify(token string, now time.Time) (Claims, error) {
	var c Claims
	// Only the canonical text of a token is accepted: the decoder would
	// otherwise skip line breaks and ignore stray trailing bits.
	if len(token) == 0 || len(token) > maxToken || strings.ContainsAny(token, "\r\n") {
		return c, ErrInvalid
	}
	var buf [maxToken]byte
	n, err := strictBase64.Decode(buf[:], []byte(token))
	if err != nil || n < 1+8+8+2+4+macLen {
		return c, ErrInvalid
	}
	payload, mac := buf[:n-macLen], buf[n-macLen:n]
	var sum [sha256.Size]byte
	if !hmac.Equal(s.mac(payload, sum[:0])[:macLen], mac) {
		return c, ErrInvalid
	}
	if payload[0] != version && payload[0] != 1 {
		return c, ErrInvalid
	}
	c.IssuedAt = time.UnixMicro(int64(binary.BigEndian.Uint64(payload[1:]))).UTC()
	c.Price = money.Micros(binary.BigEndian.Uint64(payload[9:]))
	code := payload[17]
	if code == 0 || int(code) >= len(billingByCode) || c.Price < 0 {
		return c, ErrInvalid
	}
	c.Billing, c.Index = billingByCode[code], int(payload[18])
	rest := payload[19:]
	var fields [5]string
	n = 5
	if payload[0] == 1 {
		n = 4
	}
	for i := range fields[:n] {
		if len(rest) < 1 || len(rest) < 1+int(rest[0]) {
			return c, ErrInvalid
		}
		fields[i], rest = string(rest[1:1+int(rest[0])]), rest[1+int(rest[0]):]
	}
	if len(rest) != 0 {
		return c, ErrInvalid
	}
	c.DecisionID, c.AdID, c.PostID, c.ViewerID, c.Node = fields[0], fields[1], fields[2], fields[3], fields[4]
	if c.IssuedAt.After(now.Add(skew)) {
		return c, ErrInvalid
	}
	if !now.Before(c.IssuedAt.Add(s.ttl)) {
		return c, ErrExpired
	}
	return c, nil
}
