package sqldb

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

// eventChunk is how many rows one INSERT statement carries: 11 parameters a
// row keeps a statement well inside both engines' limits.
const eventChunk = 100

const eventColumns = `event_id, type, post_id, ad_id, decision_id, viewer_id, click_id, at, watch_ms, charge, once_key`

// insertEventsSQL returns the INSERT for n rows that skips conflicting rows
// and returns the IDs of the rows it stored.
func (db *DB) insertEventsSQL(n int) string {
	var sb strings.Builder
	sb.WriteString(`INSERT INTO events (` + eventColumns + `) VALUES `)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`(?,?,?,?,?,?,?,?,?,?,?)`)
	}
	sb.WriteString(` ON CONFLICT DO NOTHING RETURNING event_id`)
	return db.q(sb.String())
}

type postKey struct {
	postID string
	paid   bool
}

type adHourKey struct {
	adID string
	hour int64 // Unix hour
}

// InsertEvents implements store.Events.
func (db *DB) InsertEvents(ctx context.Context, events []model.Event) ([]model.EventOutcome, error) {
	outcomes := make([]model.EventOutcome, len(events))
	if len(events) == 0 {
		return outcomes, nil
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		clear(outcomes)
		// The rows a statement stored come back as IDs; an ID may appear in
		// the batch twice, and then only its first occurrence can be stored.
		pending := make(map[string][]int, len(events))
		for i := range events {
			pending[events[i].ID] = append(pending[events[i].ID], i)
		}
		args := make([]any, 0, eventChunk*11)
		for start := 0; start < len(events); start += eventChunk {
			part := events[start:min(start+eventChunk, len(events))]
			args = args[:0]
			for i := range part {
				e := &part[i]
				var once any
				if e.OnceKey != nil {
					once = e.OnceKey
				}
				args = append(args, e.ID, int64(e.Type), e.PostID, nullable(e.AdID), nullable(e.DecisionID),
					nullable(e.ViewerID), nullable(e.ClickID), micros(e.At), e.WatchMS, int64(e.Charge), once)
			}
			rows, err := tx.QueryContext(ctx, db.insertEventsSQL(len(part)), args...)
			if err != nil {
				return err
			}
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				for _, i := range pending[id] {
					if outcomes[i] == 0 && i >= start && i < start+len(part) {
						outcomes[i] = model.EventStored
						break
					}
				}
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
		}
		if err := db.classifyRejected(ctx, tx, events, outcomes); err != nil {
			return err
		}
		return db.addRollups(ctx, tx, events, outcomes)
	})
	if err != nil {
		return nil, err
	}
	return outcomes, nil
}

// classifyRejected marks each event that was not stored as a duplicate (its
// ID is taken) or a replay (its OnceKey is taken).
func (db *DB) classifyRejected(ctx context.Context, tx *sql.Tx, events []model.Event, outcomes []model.EventOutcome) error {
	var ids []string
	for i, o := range outcomes {
		if o == 0 {
			ids = append(ids, events[i].ID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	taken := map[string]bool{}
	err := chunks(ids, 500, func(part []string) error {
		rows, err := tx.QueryContext(ctx, db.q(`SELECT event_id FROM events WHERE event_id IN (`+placeholders(len(part))+`)`), anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			taken[id] = true
		}
		return rows.Err()
	})
	if err != nil {
		return err
	}
	for i, o := range outcomes {
		if o != 0 {
			continue
		}
		// An ID is a duplicate if it was stored earlier, in another batch or
		// under an earlier index of this one.
		if taken[events[i].ID] {
			outcomes[i] = model.EventDuplicate
		} else {
			outcomes[i] = model.EventReplayed
		}
	}
	return nil
}

// addRollups adds the stored events to the post and hourly ad counters.
func (db *DB) addRollups(ctx context.Context, tx *sql.Tx, events []model.Event, outcomes []model.EventOutcome) error {
	posts := map[postKey]model.Engagement{}
	ads := map[adHourKey]model.AdStats{}
	for i := range events {
		if outcomes[i] != model.EventStored {
			continue
		}
		e := &events[i]
		k := postKey{e.PostID, e.Paid()}
		posts[k] = posts[k].Add(e.Type.Engagement())
		if !e.Paid() {
			continue
		}
		hk := adHourKey{e.AdID, e.At.Unix() / 3600}
		s := ads[hk]
		addEvent(&s, e)
		ads[hk] = s
	}
	for k, e := range posts {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO post_stats (post_id, paid, views, likes, comments, shares, follows)
			VALUES (?,?,?,?,?,?,?) ON CONFLICT (post_id, paid) DO UPDATE SET
			views = post_stats.views + excluded.views, likes = post_stats.likes + excluded.likes,
			comments = post_stats.comments + excluded.comments, shares = post_stats.shares + excluded.shares,
			follows = post_stats.follows + excluded.follows`),
			k.postID, k.paid, e.Views, e.Likes, e.Comments, e.Shares, e.Follows); err != nil {
			return err
		}
	}
	for k, s := range ads {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO ad_stats_hourly (ad_id, hour, impressions, views_2s, views_6s,
			completes, watch_ms, clicks, likes, comments, shares, follows, spend) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)
			ON CONFLICT (ad_id, hour) DO UPDATE SET
			impressions = ad_stats_hourly.impressions + excluded.impressions,
			views_2s = ad_stats_hourly.views_2s + excluded.views_2s,
			views_6s = ad_stats_hourly.views_6s + excluded.views_6s,
			completes = ad_stats_hourly.completes + excluded.completes,
			watch_ms = ad_stats_hourly.watch_ms + excluded.watch_ms,
			clicks = ad_stats_hourly.clicks + excluded.clicks,
			likes = ad_stats_hourly.likes + excluded.likes,
			comments = ad_stats_hourly.comments + excluded.comments,
			shares = ad_stats_hourly.shares + excluded.shares,
			follows = ad_stats_hourly.follows + excluded.follows,
			spend = ad_stats_hourly.spend + excluded.spend`),
			k.adID, k.hour, s.Impressions, s.Views2s, s.Views6s, s.Completes, s.WatchMS, s.Clicks, s.Likes,
			s.Comments, s.Shares, s.Follows, int64(s.Spend)); err != nil {
			return err
		}
	}
	return nil
}

// addEvent adds one ad event to a counter set.
func addEvent(s *model.AdStats, e *model.Event) {
	switch e.Type {
	case model.EventImpression:
		s.Impressions++
	case model.EventView2s:
		s.Views2s++
	case model.EventView6s:
		s.Views6s++
	case model.EventComplete:
		s.Completes++
	case model.EventClick:
		s.Clicks++
	case model.EventLike:
		s.Likes++
	case model.EventComment:
		s.Comments++
	case model.EventShare:
		s.Shares++
	case model.EventFollow:
		s.Follows++
	}
	s.WatchMS += e.WatchMS
	s.Spend += e.Charge
}

// AdSpend implements store.Events.
func (db *DB) AdSpend(ctx context.Context, since time.Time) ([]model.AdSpend, error) {
	hour := int64(0)
	if !since.IsZero() {
		hour = since.Unix() / 3600
	}
	rows, err := db.query(ctx, `SELECT ad_id, CAST(SUM(spend) AS BIGINT) FROM ad_stats_hourly WHERE hour >= ?
		GROUP BY ad_id HAVING SUM(spend) > 0`, hour)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (model.AdSpend, error) {
		var s model.AdSpend
		var spend int64
		err := row.Scan(&s.AdID, &spend)
		s.Spend = money.Micros(spend)
		return s, err
	})
}

// AdStats implements store.Events.
func (db *DB) AdStats(ctx context.Context, adIDs []string) (map[string]model.AdStats, error) {
	out := make(map[string]model.AdStats, len(adIDs))
	err := chunks(adIDs, 500, func(part []string) error {
		rows, err := db.query(ctx, `SELECT ad_id, CAST(SUM(impressions) AS BIGINT), CAST(SUM(views_2s) AS BIGINT),
			CAST(SUM(views_6s) AS BIGINT), CAST(SUM(completes) AS BIGINT), CAST(SUM(watch_ms) AS BIGINT),
			CAST(SUM(clicks) AS BIGINT), CAST(SUM(likes) AS BIGINT), CAST(SUM(comments) AS BIGINT),
			CAST(SUM(shares) AS BIGINT), CAST(SUM(follows) AS BIGINT), CAST(SUM(spend) AS BIGINT)
			FROM ad_stats_hourly WHERE ad_id IN (`+placeholders(len(part))+`) GROUP BY ad_id`, anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var s model.AdStats
			var spend int64
			if err := rows.Scan(&id, &s.Impressions, &s.Views2s, &s.Views6s, &s.Completes, &s.WatchMS, &s.Clicks,
				&s.Likes, &s.Comments, &s.Shares, &s.Follows, &spend); err != nil {
				return err
			}
			s.Spend = money.Micros(spend)
			out[id] = s
		}
		return rows.Err()
	})
	return out, err
}
