package campaign

import (
	"context"
	"testing"
	"time"

	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/model"
)

type hourlyStore struct {
	Store
	hours []model.HourStats
}

func (h hourlyStore) AdvertiserHourlyStats(_ context.Context, _ string, since time.Time) ([]model.HourStats, error) {
	var out []model.HourStats
	for _, x := range h.hours {
		if !x.Hour.Before(since.Truncate(time.Hour)) {
			out = append(out, x)
		}
	}
	return out, nil
}

// TestDaily buckets hours by calendar day in the advertiser's zone.
func TestDaily(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	now := time.Date(2026, 11, 10, 15, 0, 0, 0, time.UTC) // 10:00 in New York
	at := func(day, hour int) time.Time { return time.Date(2026, 11, day, hour, 0, 0, 0, ny).UTC() }
	st := hourlyStore{hours: []model.HourStats{
		{Hour: at(7, 23), Stats: model.AdStats{Impressions: 100}}, // before the window
		{Hour: at(8, 0), Stats: model.AdStats{Impressions: 1}},
		{Hour: at(8, 23), Stats: model.AdStats{Impressions: 2, Spend: 7}},
		{Hour: at(10, 9), Stats: model.AdStats{Clicks: 3}},
	}}
	s := New(st, clock.NewManual(now), nil, nil)
	days, err := s.Daily(t.Context(), "adv", ny, 3)
	if err != nil {
		t.Fatal(err)
	}
	if len(days) != 3 || days[0].Day.Day() != 8 || days[2].Day.Day() != 10 {
		t.Fatalf("days = %+v", days)
	}
	if days[0].Stats.Impressions != 3 || days[0].Stats.Spend != 7 || days[1].Stats != (model.AdStats{}) ||
		days[2].Stats.Clicks != 3 {
		t.Fatalf("days = %+v", days)
	}
}
