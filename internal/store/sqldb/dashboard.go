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

// AdHourStats implements store.Reports.
func (db *DB) AdHourStats(ctx context.Context, advertiserID string, from, to time.Time) ([]model.AdHourRow, error) {
	first, last := hourOf(from), hourOf(to)
	if first*3600 < from.Unix() || from.Nanosecond() != 0 {
		first++ // the first hour that starts at or after from
	}
	if last*3600 < to.Unix() || to.Nanosecond() != 0 {
		last++ // hours that start before to
	}
	rows, err := db.query(ctx, `SELECT h.ad_id, h.hour, h.impressions, h.views_2s, h.views_6s, h.completes, h.watch_ms,
		h.clicks, h.likes, h.comments, h.shares, h.follows, h.spend
		FROM ads a JOIN ad_stats_hourly h ON h.ad_id = a.id
		WHERE a.advertiser_id = ? AND h.hour >= ? AND h.hour < ?`, advertiserID, first, last)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.AdHourRow
	for rows.Next() {
		var r model.AdHourRow
		var hour, spend int64
		s := &r.Stats
		if err := rows.Scan(&r.AdID, &hour, &s.Impressions, &s.Views2s, &s.Views6s, &s.Completes, &s.WatchMS, &s.Clicks,
			&s.Likes, &s.Comments, &s.Shares, &s.Follows, &spend); err != nil {
			return nil, err
		}
		s.Spend = money.Micros(spend)
		r.Hour = time.Unix(hour*3600, 0).UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}
