package integration

import (
	"net/url"
	"strconv"
	"strings"
	"unicode"

	"github.com/flintads/flint/internal/money"
)

// parseAmount reads a non-negative amount as exports write it: "39",
// "39.00", "1,234.50" (quoted), or with decimalComma "1.234,50" and "12,5".
// A leading currency symbol or code and spaces are not accepted: the
// caller names the column the amount came from.
func parseAmount(s string, decimalComma bool) (money.Micros, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, false
	}
	thousands, point := ",", "."
	if decimalComma {
		thousands, point = ".", ","
	}
	// Thousands separators only between digit groups of three.
	if strings.Contains(s, thousands) {
		intPart, _, _ := strings.Cut(s, point)
		groups := strings.Split(intPart, thousands)
		for i, g := range groups {
			if (i == 0 && (len(g) == 0 || len(g) > 3)) || (i > 0 && len(g) != 3) {
				return 0, false
			}
		}
		s = strings.ReplaceAll(s, thousands, "")
	}
	if decimalComma {
		s = strings.Replace(s, ",", ".", 1)
	}
	m, err := money.Parse(s, 6)
	return m, err == nil
}

// parseCount reads a non-negative integer count ("1234", "1,234").
// masked reports TikTok's "<5" (a count from 0 to 4 it will not tell).
func parseCount(s string, decimalComma bool) (n int64, masked, ok bool) {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "<") {
		return 0, true, true
	}
	sep := ","
	if decimalComma {
		sep = "."
	}
	s = strings.ReplaceAll(s, sep, "")
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v < 0 {
		return 0, false, false
	}
	return v, false, true
}

// foldKey folds an attribute key so that "utm_campaign", "UTM campaign"
// and "utm-campaign" are one key.
func foldKey(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Attribution keys, folded.
const (
	keyClickID     = "flintclid"
	keyUTMCampaign = "utmcampaign"
)

// hints collects what an order says about where it came from.
type hints struct {
	clickID, utmCampaign string
}

// add reads one key/value pair: a click id or utm_campaign directly, or
// inside a URL's query string (a landing page written as an attribute).
func (h *hints) add(key, value string) {
	value = strings.TrimSpace(value)
	switch foldKey(key) {
	case keyClickID:
		if h.clickID == "" {
			h.clickID = value
		}
		return
	case keyUTMCampaign:
		if h.utmCampaign == "" {
			h.utmCampaign = value
		}
		return
	}
	if strings.Contains(value, "?") {
		h.url(value)
	}
}

// url reads flint_clid and utm_campaign from a URL's query string.
func (h *hints) url(raw string) {
	_, query, ok := strings.Cut(raw, "?")
	if !ok {
		return
	}
	query, _, _ = strings.Cut(query, "#")
	values, err := url.ParseQuery(query)
	if err != nil {
		// Keep the pairs that parse.
		values = url.Values{}
		for _, pair := range strings.Split(query, "&") {
			k, v, _ := strings.Cut(pair, "=")
			k, err1 := url.QueryUnescape(k)
			v, err2 := url.QueryUnescape(v)
			if err1 == nil && err2 == nil {
				values.Add(k, v)
			}
		}
	}
	for k, vs := range values {
		if len(vs) > 0 && (foldKey(k) == keyClickID || foldKey(k) == keyUTMCampaign) {
			h.add(k, vs[0])
		}
	}
}

// noteAttributes reads Shopify's "Note Attributes" cell: one "key: value"
// pair per line.
func (h *hints) noteAttributes(cell string) {
	for _, line := range strings.Split(cell, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		h.add(k, v)
	}
}

// cleanText trims s and bounds its length, for names stored as given.
func cleanText(s string, max int) string {
	s = strings.TrimSpace(s)
	if len(s) > max {
		s = s[:max]
		for len(s) > 0 && !validEnd(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

func validEnd(s string) bool {
	r := s[len(s)-1]
	return r < 0x80 || strings.ToValidUTF8(s, "") == s
}
