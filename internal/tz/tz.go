// Package tz loads the IANA time zones that accounts keep their days in
// (daily budgets, reports), refusing the names that would silently mean the
// server's own zone. Zones are parsed once and remembered.
package tz

import (
	"errors"
	"sync"
	"time"
)

// Load loads an IANA time zone, refusing "Local" and the empty name.
func Load(name string) (*time.Location, error) {
	if name == "" || name == "Local" {
		return nil, errors.New("not an IANA zone")
	}
	if loc, ok := locations.Load(name); ok {
		return loc.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, err
	}
	locations.Store(name, loc)
	return loc, nil
}

// locations caches parsed time zones by name; there are a few hundred.
var locations sync.Map
