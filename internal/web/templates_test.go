package web

import (
	"testing"

	"github.com/jba/templatecheck"
)

// TestTemplatesMatchPageTypes checks every page template against the type
// of data it is executed with, so that a misspelt field or a wrong type
// fails here instead of in front of a visitor.
func TestTemplatesMatchPageTypes(t *testing.T) {
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	pages, err := parsePages(a)
	if err != nil {
		t.Fatal(err)
	}
	for name, typ := range pageTypes {
		if err := templatecheck.CheckHTML(pages[name].tmpl, typ); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}
