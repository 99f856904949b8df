package sqldb

import (
	"context"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

// AdvertiserHourlyStats implements store.Events.
func (db *DB) AdvertiserHourlyStats(ctx context.Context, advertiserID string, since time.Time) ([]model.HourStats, error) {
	rows, err := db.query(ctx, `SELECT h.hour, CAST(SUM(h.impressions) AS BIGINT), CAST(SUM(h.views_2s) AS BIGINT),
		CAST(SUM(h.views_6s) AS BIGINT), CAST(SUM(h.completes) AS BIGINT), CAST(SUM(h.watch_ms) AS BIGINT),
		CAST(SUM(h.clicks) AS BIGINT), CAST(SUM(h.likes) AS BIGINT), CAST(SUM(h.comments) AS BIGINT),
		CAST(SUM(h.shares) AS BIGINT), CAST(SUM(h.follows) AS BIGINT), CAST(SUM(h.spend) AS BIGINT)
		FROM ads a JOIN ad_stats_hourly h ON h.ad_id = a.id
		WHERE a.advertiser_id = ? AND h.hour >= ? GROUP BY h.hour ORDER BY h.hour`, advertiserID, hourOf(since))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.HourStats
	for rows.Next() {
		var hs model.HourStats
		var hour, spend int64
		s := &hs.Stats
		if err := rows.Scan(&hour, &s.Impressions, &s.Views2s, &s.Views6s, &s.Completes, &s.WatchMS, &s.Clicks,
			&s.Likes, &s.Comments, &s.Shares, &s.Follows, &spend); err != nil {
			return nil, err
		}
		s.Spend = money.Micros(spend)
		hs.Hour = time.Unix(hour*3600, 0).UTC()
		out = append(out, hs)
	}
	return out, rows.Err()
}
