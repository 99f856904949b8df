package campaign

import (
	"context"
	"time"

	"github.com/flintads/flint/internal/model"
)

// DayStats are an advertiser's counters on one calendar day of its time zone.
type DayStats struct {
	Day   time.Time // local midnight
	Stats model.AdStats
}

// Daily returns the advertiser's counters for each of the last days
// calendar days in loc, today last; days without events are zero.
func (s *Service) Daily(ctx context.Context, advertiserID string, loc *time.Location, days int) ([]DayStats, error) {
	now := s.clock.Now().In(loc)
	first := time.Date(now.Year(), now.Month(), now.Day()-(days-1), 0, 0, 0, 0, loc)
	hours, err := s.store.AdvertiserHourlyStats(ctx, advertiserID, first)
	if err != nil {
		return nil, err
	}
	out := make([]DayStats, days)
	index := map[string]int{}
	for i := range out {
		out[i].Day = time.Date(first.Year(), first.Month(), first.Day()+i, 0, 0, 0, 0, loc)
		index[out[i].Day.Format(time.DateOnly)] = i
	}
	for _, h := range hours {
		i, ok := index[h.Hour.In(loc).Format(time.DateOnly)]
		if !ok {
			continue // the hour that holds local midnight began the day before
		}
		out[i].Stats = addStats(out[i].Stats, h.Stats)
	}
	return out, nil
}

// addStats returns the field-wise sum of a and b.
func addStats(a, b model.AdStats) model.AdStats {
	return model.AdStats{Impressions: a.Impressions + b.Impressions, Views2s: a.Views2s + b.Views2s,
		Views6s: a.Views6s + b.Views6s, Completes: a.Completes + b.Completes, WatchMS: a.WatchMS + b.WatchMS,
		Clicks: a.Clicks + b.Clicks, Likes: a.Likes + b.Likes, Comments: a.Comments + b.Comments,
		Shares: a.Shares + b.Shares, Follows: a.Follows + b.Follows, Spend: a.Spend + b.Spend}
}
