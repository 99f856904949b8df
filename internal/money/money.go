// Package money converts between the decimal strings that cross Flint's edges
// ("12.50") and the integer micros (millionths of a currency unit) used
// everywhere inside. No floating point touches an amount.
package money

import (
	"errors"
	"strconv"
	"strings"
)

// Micros is an amount in millionths of a currency unit.
type Micros int64

// PerUnit is the number of micros in one currency unit.
const PerUnit Micros = 1_000_000

// Max is the largest amount Parse accepts: one billion units. It keeps every
// sum Flint computes far from int64 overflow.
const Max = 1_000_000_000_000 * PerUnit / 1000

// Errors returned by Parse.
var (
	ErrSyntax    = errors.New("not a decimal amount such as \"12.50\"")
	ErrPrecision = errors.New("too many decimal places")
	ErrRange     = errors.New("amount out of range")
)

// Parse reads a non-negative decimal amount with at most maxDecimals digits
// after the point (at most 6). It accepts "12", "12.5" and "12.50"; it rejects
// signs, exponents, spaces, thousands separators and empty parts (".5", "5.").
func Parse(s string, maxDecimals int) (Micros, error) {
	if maxDecimals > 6 {
		maxDecimals = 6
	}
	intPart, frac, hasPoint := strings.Cut(s, ".")
	if intPart == "" || (hasPoint && frac == "") || len(intPart) > 13 {
		if len(intPart) > 13 && allDigits(intPart) {
			return 0, ErrRange
		}
		return 0, ErrSyntax
	}
	if !allDigits(intPart) || !allDigits(frac) {
		return 0, ErrSyntax
	}
	if len(frac) > maxDecimals {
		return 0, ErrPrecision
	}
	units, err := strconv.ParseInt(intPart, 10, 64)
	if err != nil {
		return 0, ErrRange
	}
	var fracMicros int64
	if frac != "" {
		f, _ := strconv.ParseInt(frac, 10, 64)
		for i := len(frac); i < 6; i++ {
			f *= 10
		}
		fracMicros = f
	}
	m := Micros(units)*PerUnit + Micros(fracMicros)
	if m > Max {
		return 0, ErrRange
	}
	return m, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// String formats m with at least two decimals and as many more as needed to
// be exact: 12500000 → "12.50", 9010 → "0.00901", -1500000 → "-1.50".
func (m Micros) String() string {
	neg := m < 0
	u := uint64(m)
	if neg {
		u = uint64(-m)
	}
	units := u / uint64(PerUnit)
	frac := u % uint64(PerUnit)
	fs := strconv.FormatUint(frac+uint64(PerUnit), 10)[1:] // six digits, zero padded
	fs = strings.TrimRight(fs, "0")
	for len(fs) < 2 {
		fs += "0"
	}
	s := strconv.FormatUint(units, 10) + "." + fs
	if neg {
		return "-" + s
	}
	return s
}

// MarshalText writes the decimal string, so Micros fields encode as JSON strings.
func (m Micros) MarshalText() ([]byte, error) { return []byte(m.String()), nil }

// Decimals returns how many digits after the point the currency with the
// given ISO 4217 code uses (its minor units): 0 for JPY, 2 for USD, 3 for
// KWD. Unknown codes get 2.
func Decimals(currency string) int {
	switch currency {
	case "BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX", "VND", "VUV", "XAF", "XOF",
		"XPF":
		return 0
	case "BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND":
		return 3
	}
	return 2
}

// Round returns m rounded to the given number of decimals (0 to 6), halves
// away from zero: the amount a currency with that many minor digits can
// show or charge.
func (m Micros) Round(decimals int) Micros {
	if decimals >= 6 {
		return m
	}
	step := Micros(1)
	for range 6 - max(decimals, 0) {
		step *= 10
	}
	neg := m < 0
	if neg {
		m = -m
	}
	r := (m + step/2) / step * step
	if neg {
		return -r
	}
	return r
}

// Format writes m rounded to exactly decimals digits after the point (no
// point at all for 0): Format(12_345_678, 2) = "12.35", Format(1_500_000, 0)
// = "2", Format(1_234_500, 3) = "1.235".
func Format(m Micros, decimals int) string {
	decimals = min(max(decimals, 0), 6)
	r := m.Round(decimals)
	neg := r < 0
	u := uint64(r)
	if neg {
		u = uint64(-r)
	}
	s := strconv.FormatUint(u/uint64(PerUnit), 10)
	if decimals > 0 {
		fs := strconv.FormatUint(u%uint64(PerUnit)+uint64(PerUnit), 10)[1 : 1+decimals]
		s += "." + fs
	}
	if neg && u != 0 {
		return "-" + s
	}
	return s
}
