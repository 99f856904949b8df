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
