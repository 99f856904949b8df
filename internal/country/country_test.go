package country

import "testing"

func TestValid(t *testing.T) {
	t.Parallel()
	for code, want := range map[string]bool{"US": true, "GB": true, "ZW": true, "AD": true, "us": false, "XX": false,
		"": false, "USA": false} {
		if Valid(code) != want {
			t.Errorf("Valid(%q) = %v, want %v", code, !want, want)
		}
	}
	if len(codes) != 249 {
		t.Errorf("%d codes, want the 249 of ISO 3166-1", len(codes))
	}
}
