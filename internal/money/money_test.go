package money

import (
	"errors"
	"testing"
)

func TestParse(t *testing.T) {
	cases := map[string]struct {
		in   string
		max  int
		want Micros
		err  error
	}{
		"whole":          {"12", 2, 12_000_000, nil},
		"one decimal":    {"12.5", 2, 12_500_000, nil},
		"two decimals":   {"12.50", 2, 12_500_000, nil},
		"zero":           {"0.00", 2, 0, nil},
		"cent":           {"0.01", 2, 10_000, nil},
		"six decimals":   {"0.000001", 6, 1, nil},
		"too precise":    {"1.001", 2, 0, ErrPrecision},
		"negative":       {"-1.00", 2, 0, ErrSyntax},
		"plus":           {"+1.00", 2, 0, ErrSyntax},
		"exponent":       {"1e3", 2, 0, ErrSyntax},
		"empty":          {"", 2, 0, ErrSyntax},
		"dot only":       {".", 2, 0, ErrSyntax},
		"leading dot":    {".5", 2, 0, ErrSyntax},
		"trailing dot":   {"5.", 2, 0, ErrSyntax},
		"space":          {" 1.00", 2, 0, ErrSyntax},
		"comma":          {"1,000.00", 2, 0, ErrSyntax},
		"two points":     {"1.0.0", 2, 0, ErrSyntax},
		"huge":           {"99999999999999999999", 2, 0, ErrRange},
		"above max":      {"1000000001", 2, 0, ErrRange},
		"max":            {"1000000000", 2, Max, nil},
		"unicode digits": {"١٢", 2, 0, ErrSyntax},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			got, err := Parse(c.in, c.max)
			if !errors.Is(err, c.err) {
				t.Fatalf("Parse(%q) error = %v, want %v", c.in, err, c.err)
			}
			if err == nil && got != c.want {
				t.Fatalf("Parse(%q) = %d, want %d", c.in, got, c.want)
			}
		})
	}
}

func TestString(t *testing.T) {
	cases := map[Micros]string{
		0:           "0.00",
		10_000:      "0.01",
		12_500_000:  "12.50",
		9_010:       "0.00901",
		1:           "0.000001",
		-1_500_000:  "-1.50",
		991_100:     "0.9911",
		100_000_000: "100.00",
	}
	for m, want := range cases {
		if got := m.String(); got != want {
			t.Errorf("Micros(%d).String() = %q, want %q", int64(m), got, want)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	for _, m := range []Micros{0, 1, 999_999, 1_000_000, 123_456_789, Max} {
		got, err := Parse(m.String(), 6)
		if err != nil || got != m {
			t.Errorf("Parse(String(%d)) = %d, %v", int64(m), got, err)
		}
	}
}

func TestDecimals(t *testing.T) {
	for code, want := range map[string]int{"USD": 2, "EUR": 2, "JPY": 0, "KRW": 0, "KWD": 3, "BHD": 3, "XYZ": 2} {
		if got := Decimals(code); got != want {
			t.Errorf("Decimals(%s) = %d, want %d", code, got, want)
		}
	}
}

func TestFormat(t *testing.T) {
	for _, c := range []struct {
		m    Micros
		dec  int
		want string
	}{
		{12_345_678, 2, "12.35"},
		{12_344_999, 2, "12.34"},
		{12_345_000, 2, "12.35"}, // half away from zero
		{1_500_000, 0, "2"},
		{1_499_999, 0, "1"},
		{1_234_500, 3, "1.235"},
		{0, 2, "0.00"},
		{9_010, 2, "0.01"},
		{4_999, 2, "0.00"},
		{-1_505_000, 2, "-1.51"},
		{-4_000, 2, "0.00"},
		{7, 6, "0.000007"},
		{Max, 2, "1000000000.00"},
	} {
		if got := Format(c.m, c.dec); got != c.want {
			t.Errorf("Format(%d, %d) = %q, want %q", c.m, c.dec, got, c.want)
		}
	}
}

func TestRoundIsIdempotent(t *testing.T) {
	// Rounding a rounded amount changes nothing.
	for _, m := range []Micros{0, 1, 4_999, 5_000, 123_456_789, -987_654} {
		for dec := 0; dec <= 6; dec++ {
			r := m.Round(dec)
			if r.Round(dec) != r {
				t.Errorf("Round(%d) of %d not idempotent", dec, m)
			}
		}
	}
}
