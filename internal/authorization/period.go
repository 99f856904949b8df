package authorization

import "time"

// Periods are the authorization periods a creator may choose, in days.
var Periods = []int{7, 30, 60, 365}

// ValidPeriod reports whether days is one of Periods.
func ValidPeriod(days int) bool {
	for _, p := range Periods {
		if p == days {
			return true
		}
	}
	return false
}

// Day is the length of one day of an authorization period. Periods are
// counted in exact 24-hour days from the moment of generation, whatever the
// time zone, so a 30-day code generated at 10:00 UTC works until 10:00 UTC
// thirty days later.
const Day = 24 * time.Hour

// WindowEnd returns when a period of days that opens at start closes.
func WindowEnd(start time.Time, days int) time.Time {
	return start.Add(time.Duration(days) * Day)
}

// ExtendedEnd returns the expiry after extending by days at time now: the
// later of now and the old expiry, plus days.
func ExtendedEnd(now, oldEnd time.Time, days int) time.Time {
	base := oldEnd
	if now.After(base) {
		base = now
	}
	return WindowEnd(base, days)
}
