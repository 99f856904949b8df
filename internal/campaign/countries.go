package campaign

import "github.com/flintads/flint/internal/country"

// ValidCountry reports whether code is an ISO 3166-1 alpha-2 code.
func ValidCountry(code string) bool { return country.Valid(code) }
