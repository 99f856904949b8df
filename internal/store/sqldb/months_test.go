package sqldb

import (
	"slices"
	"testing"
	"time"

	"github.com/flintads/flint/internal/model"
)

func TestMonthPlan(t *testing.T) {
	d := func(m, day int) model.Day { return model.DateDay(2026, time.Month(m), day) }
	for _, tc := range []struct {
		name            string
		from, to, today model.Day
		months          []model.Day
		spans           []span
	}{
		{"whole month", d(11, 1), d(11, 30), 0, []model.Day{d(11, 1)}, nil},
		{"month to date", d(11, 1), d(11, 12), d(11, 12), []model.Day{d(11, 1)}, []span{{d(11, 13), d(11, 30), -1}}},
		{"early days, no today", d(11, 1), d(11, 5), 0, nil, []span{{d(11, 1), d(11, 5), 1}}},
		{"most of a past month", d(10, 3), d(10, 31), 0, []model.Day{d(10, 1)}, []span{{d(10, 1), d(10, 2), -1}}},
		{"across months", d(9, 20), d(11, 12), d(11, 12), []model.Day{d(10, 1), d(11, 1)},
			[]span{{d(9, 20), d(9, 30), 1}, {d(11, 13), d(11, 30), -1}}},
		{"one day", d(11, 12), d(11, 12), d(11, 20), nil, []span{{d(11, 12), d(11, 12), 1}}},
	} {
		months, spans := monthPlan(tc.from, tc.to, tc.today)
		if !slices.Equal(months, tc.months) || !slices.Equal(spans, tc.spans) {
			t.Errorf("%s: %v %v, want %v %v", tc.name, months, spans, tc.months, tc.spans)
		}
	}
}
