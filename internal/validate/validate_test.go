package validate

import (
	"strings"
	"testing"
)

func TestText(t *testing.T) {
	for s, ok := range map[string]bool{"Maya": true, "émoji 😀": true, "": true, "a\x00b": false, "\xff": false,
		strings.Repeat("é", 10): true, strings.Repeat("é", 11): false} {
		if err := Text("name", s, 10); (err == nil) != ok {
			t.Errorf("Text(%q) = %v", s, err)
		}
	}
}

func TestHTTPURL(t *testing.T) {
	for s, ok := range map[string]bool{"https://glow.example/serum?x=1#y": true, "http://a.b": true,
		"javascript:alert(1)": false, "https://": false, "/relative": false, "https://a.b/ c": false,
		"ftp://a.b": false, "https://a.b/" + strings.Repeat("x", MaxURL): false} {
		if err := HTTPURL("url", s); (err == nil) != ok {
			t.Errorf("HTTPURL(%q) = %v", s, err)
		}
	}
}
