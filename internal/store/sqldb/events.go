package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

// eventChunk is how many rows one INSERT statement carries: 11 parameters a
// row keeps a statement well inside both engines' limits.
const eventChunk = 100

const eventColumns = `event_id, type, post_id, ad_id, decision_id, viewer_id, click_id, at, watch_ms, charge, once_key`

// insertEventsSQL returns SQLite's INSERT for n rows that skips conflicting
// rows and returns the IDs of the rows it stored.
//
// It is INSERT OR IGNORE rather than ON CONFLICT DO NOTHING: with the
// latter, the columns' NOT NULL constraints still abort the statement, so a
// multi-row INSERT inside a transaction must keep a statement journal (a
// copy of every page it changes, to undo itself), about a tenth of the cost
// of ingestion with random event IDs. OR IGNORE would skip a row that broke
// any constraint, but the only constraints of events that the bound values
// can break are its two unique ones; classifyRejected checks that each row
// not stored was skipped for one of them.
func (db *DB) insertEventsSQL(n int) string {
	var sb strings.Builder
	sb.WriteString(`INSERT OR IGNORE INTO events (` + eventColumns + `) VALUES `)
	for i := range n {
		if i > 0 {
			sb.WriteByte(',')
		}
		sb.WriteString(`(?,?,?,?,?,?,?,?,?,?,?)`)
	}
	sb.WriteString(` RETURNING event_id`)
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
//
// The outcomes are those of storing the events one at a time, in order. The
// events are inserted in event_id order, though, and the counters updated in
// key order, so that concurrent batches on PostgreSQL take their row locks in
// one order and cannot deadlock; repeats inside the batch are therefore
// settled before inserting (see settleRepeats).
func (db *DB) InsertEvents(ctx context.Context, events []model.Event) ([]model.EventOutcome, error) {
	outcomes := make([]model.EventOutcome, len(events))
	if len(events) == 0 {
		return outcomes, nil
	}
	// SQLite's full-size INSERT is prepared once, outside the transaction
	// (whose connection is the write pool's only one).
	var full *sql.Stmt
	if !db.D.Numbered {
		var err error
		if full, err = db.writeStmt(ctx, db.insertEventsSQL(eventChunk)); err != nil {
			return nil, err
		}
	}
	err := db.inTx(ctx, func(tx *sql.Tx) error {
		clear(outcomes)
		candidates, err := db.settleRepeats(ctx, tx, events, outcomes)
		if err != nil {
			return err
		}
		slices.SortFunc(candidates, func(a, b int) int { return strings.Compare(events[a].ID, events[b].ID) })
		byID := make(map[string]int, len(candidates))
		for _, i := range candidates {
			byID[events[i].ID] = i
		}
		stored := func(rows *sql.Rows) error {
			defer rows.Close()
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					return err
				}
				if i, ok := byID[id]; ok {
					outcomes[i] = model.EventStored
				}
			}
			return rows.Err()
		}
		if db.D.Numbered {
			err = db.insertEventArrays(ctx, tx, events, candidates, outcomes, stored)
		} else {
			err = db.insertEventRows(ctx, tx, tx.StmtContext(ctx, full), events, candidates, stored)
		}
		if err != nil {
			return err
		}
		if err := db.classifyRejected(ctx, tx, events, candidates, outcomes); err != nil {
			return err
		}
		if err := db.chargeLeases(ctx, tx, events, outcomes); err != nil { // cluster.go
			return err
		}
		if err := db.addRollups(ctx, tx, events, outcomes); err != nil {
			return err
		}
		return db.addReportRollups(ctx, tx, events, outcomes)
	})
	if err != nil {
		if isDataError(err) {
			err = fmt.Errorf("%w: %v", store.ErrUnstorable, err)
		}
		return nil, err
	}
	return outcomes, nil
}

// insertEventRows inserts the candidates with multi-row INSERTs of
// eventChunk rows (full is the full-size one, prepared; a last, shorter
// chunk is parsed each time), passing each one's stored IDs to stored.
func (db *DB) insertEventRows(ctx context.Context, tx *sql.Tx, full *sql.Stmt, events []model.Event, candidates []int,
	stored func(*sql.Rows) error) error {
	args := make([]any, 0, eventChunk*11)
	for part := range slices.Chunk(candidates, eventChunk) {
		args = args[:0]
		for _, i := range part {
			e := &events[i]
			var once any
			if e.OnceKey != nil {
				once = e.OnceKey
			}
			args = append(args, e.ID, int64(e.Type), e.PostID, nullable(e.AdID), nullable(e.DecisionID),
				nullable(e.ViewerID), nullable(e.ClickID), micros(e.At), e.WatchMS, int64(e.Charge), once)
		}
		var rows *sql.Rows
		var err error
		if len(part) == eventChunk {
			rows, err = full.QueryContext(ctx, args...)
		} else {
			rows, err = tx.QueryContext(ctx, db.insertEventsSQL(len(part)), args...)
		}
		if err != nil {
			return err
		}
		if err := stored(rows); err != nil {
			return err
		}
	}
	return nil
}

// insertEventArraysSQL inserts rows given as one array a column (PostgreSQL),
// in array order, skipping conflicting rows.
const insertEventArraysSQL = `INSERT INTO events (` + eventColumns + `)
	SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
		$8::bigint[], $9::bigint[], $10::bigint[], $11::bytea[])
	ON CONFLICT DO NOTHING RETURNING event_id`

// insertEventArraysPlainSQL is insertEventArraysSQL failing on a conflict.
const insertEventArraysPlainSQL = `INSERT INTO events (` + eventColumns + `)
	SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[],
		$8::bigint[], $9::bigint[], $10::bigint[], $11::bytea[])`

// insertEventArrays inserts the candidates, in their order, with one
// statement whose parameters are one array a column (PostgreSQL): one
// round trip and one plan for the whole transaction, instead of one a
// hundred rows with eleven parameters a row.
func (db *DB) insertEventArrays(ctx context.Context, tx *sql.Tx, events []model.Event, candidates []int,
	outcomes []model.EventOutcome, stored func(*sql.Rows) error) error {
	n := len(candidates)
	ids, postIDs := make([]string, n), make([]string, n)
	types, at, watch, charge := make([]int64, n), make([]int64, n), make([]int64, n), make([]int64, n)
	adIDs, decIDs, viewerIDs, clickIDs := make([]*string, n), make([]*string, n), make([]*string, n), make([]*string, n)
	once := make([][]byte, n)
	opt := func(s *string) *string {
		if *s == "" {
			return nil
		}
		return s
	}
	for k, i := range candidates {
		e := &events[i]
		ids[k], types[k], postIDs[k] = e.ID, int64(e.Type), e.PostID
		adIDs[k], decIDs[k], viewerIDs[k], clickIDs[k] = opt(&e.AdID), opt(&e.DecisionID), opt(&e.ViewerID), opt(&e.ClickID)
		at[k], watch[k], charge[k], once[k] = micros(e.At), e.WatchMS, int64(e.Charge), e.OnceKey
	}
	args := []any{ids, types, postIDs, adIDs, decIDs, viewerIDs, clickIDs, at, watch, charge, once}
	// Usually no event is stored already: a plain INSERT (in a savepoint)
	// checks each unique index once, where ON CONFLICT looks before it
	// inserts. Should one be taken, the savepoint is rolled back and the
	// batch inserted again, skipping conflicts.
	if _, err := tx.ExecContext(ctx, "SAVEPOINT events"); err != nil {
		return err
	}
	_, err := tx.ExecContext(ctx, insertEventArraysPlainSQL, args...)
	if err == nil {
		for _, i := range candidates {
			outcomes[i] = model.EventStored
		}
		return nil
	}
	if !db.D.IsUniqueViolation(err) {
		return err
	}
	if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT events"); err != nil {
		return err
	}
	rows, err := tx.QueryContext(ctx, insertEventArraysSQL, args...)
	if err != nil {
		return err
	}
	return stored(rows)
}

// isDataError reports whether err is PostgreSQL's class 22, data exception:
// a value the database cannot hold, such as text that is not UTF-8.
func isDataError(err error) bool {
	var e interface{ SQLState() string }
	return errors.As(err, &e) && strings.HasPrefix(e.SQLState(), "22")
}

// ProbeWrite implements store.Events.
func (db *DB) ProbeWrite(ctx context.Context) error {
	_, err := db.exec(ctx, `INSERT INTO write_probe (id, at) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET at = excluded.at`,
		time.Now().UnixMicro())
	return err
}

// settleRepeats decides the events that repeat an ID or a OnceKey of an
// earlier event in the batch, as if the batch were stored one event at a
// time in order: such an event is a duplicate if its ID is stored already
// (by an earlier batch or an earlier event of this one), else a replay if its
// OnceKey is. It returns the indexes of the other events (the candidates),
// which have distinct IDs and OnceKeys. A batch without repeats, the usual
// case, costs no query.
func (db *DB) settleRepeats(ctx context.Context, tx *sql.Tx, events []model.Event, outcomes []model.EventOutcome) ([]int, error) {
	ids := make(map[string]bool, len(events))
	keys := map[string]bool{}
	repeats := false
	for i := range events {
		e := &events[i]
		if ids[e.ID] || (e.OnceKey != nil && keys[string(e.OnceKey)]) {
			repeats = true
		}
		ids[e.ID] = true
		if e.OnceKey != nil {
			keys[string(e.OnceKey)] = true
		}
	}
	candidates := make([]int, 0, len(events))
	if !repeats {
		for i := range events {
			candidates = append(candidates, i)
		}
		return candidates, nil
	}
	storedIDs, err := db.existing(ctx, tx, "event_id", slices.Collect(maps.Keys(ids)))
	if err != nil {
		return nil, err
	}
	storedKeys, err := db.existing(ctx, tx, "once_key", slices.Collect(maps.Keys(keys)))
	if err != nil {
		return nil, err
	}
	for i := range events {
		e := &events[i]
		switch {
		case storedIDs[e.ID]:
			outcomes[i] = model.EventDuplicate
		case e.OnceKey != nil && storedKeys[string(e.OnceKey)]:
			outcomes[i] = model.EventReplayed
		default:
			storedIDs[e.ID] = true
			if e.OnceKey != nil {
				storedKeys[string(e.OnceKey)] = true
			}
			candidates = append(candidates, i)
		}
	}
	return candidates, nil
}

// existing returns which of the values are present in the given column of
// events (event_id, or once_key with the keys passed as strings).
func (db *DB) existing(ctx context.Context, tx *sql.Tx, column string, values []string) (map[string]bool, error) {
	out := make(map[string]bool, len(values))
	err := chunks(values, 500, func(part []string) error {
		args := make([]any, len(part))
		for i, v := range part {
			if column == "once_key" {
				args[i] = []byte(v)
			} else {
				args[i] = v
			}
		}
		rows, err := tx.QueryContext(ctx, db.q(`SELECT `+column+` FROM events WHERE `+column+` IN (`+
			placeholders(len(part))+`)`), args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var v []byte
			if err := rows.Scan(&v); err != nil {
				return err
			}
			out[string(v)] = true
		}
		return rows.Err()
	})
	return out, err
}

// classifyRejected marks each candidate event that was not stored as a
// duplicate (its ID was stored before) or a replay (its OnceKey was).
func (db *DB) classifyRejected(ctx context.Context, tx *sql.Tx, events []model.Event, candidates []int, outcomes []model.EventOutcome) error {
	var ids []string
	for _, i := range candidates {
		if outcomes[i] == 0 {
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
	var keys []string // of the replays
	for _, i := range candidates {
		if outcomes[i] != 0 {
			continue
		}
		if taken[events[i].ID] {
			outcomes[i] = model.EventDuplicate
		} else {
			outcomes[i] = model.EventReplayed
			keys = append(keys, string(events[i].OnceKey))
		}
	}
	if len(keys) == 0 {
		return nil
	}
	// A replay's once key is stored: if not, the row was skipped for
	// another reason (see insertEventsSQL), and the batch must fail rather
	// than lose the event.
	stored, err := db.existing(ctx, tx, "once_key", keys)
	if err != nil {
		return err
	}
	for _, i := range candidates {
		if outcomes[i] == model.EventReplayed && (events[i].OnceKey == nil || !stored[string(events[i].OnceKey)]) {
			return fmt.Errorf("event %q was not stored, and neither its ID nor its once key was stored before", events[i].ID)
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
		// Events that earn no engagement (views, clicks) leave the post's
		// counters alone: a post without engagement has no post_stats row.
		if eng := e.Type.Engagement(); eng != (model.Engagement{}) {
			k := postKey{e.PostID, e.Paid()}
			posts[k] = posts[k].Add(eng)
		}
		if !e.Paid() {
			continue
		}
		hk := adHourKey{e.AdID, hourOf(e.At)}
		s := ads[hk]
		addEvent(&s, e)
		ads[hk] = s
		if e.Charge != 0 && !e.DecidedAt.IsZero() && hourOf(e.DecidedAt) != hk.hour {
			// Spend belongs to the hour of the decision that priced it, the
			// clock budgets count by (see delivery's ledger).
			s.Spend -= e.Charge
			ads[hk] = s
			dk := adHourKey{e.AdID, hourOf(e.DecidedAt)}
			d := ads[dk]
			d.Spend += e.Charge
			ads[dk] = d
		}
	}
	postKeys := slices.SortedFunc(maps.Keys(posts), func(a, b postKey) int {
		if c := strings.Compare(a.postID, b.postID); c != 0 {
			return c
		}
		return cmpBool(a.paid, b.paid)
	})
	for _, k := range postKeys {
		e := posts[k]
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO post_stats (post_id, paid, views, likes, comments, shares, follows)
			VALUES (?,?,?,?,?,?,?) ON CONFLICT (post_id, paid) DO UPDATE SET
			views = post_stats.views + excluded.views, likes = post_stats.likes + excluded.likes,
			comments = post_stats.comments + excluded.comments, shares = post_stats.shares + excluded.shares,
			follows = post_stats.follows + excluded.follows`),
			k.postID, k.paid, e.Views, e.Likes, e.Comments, e.Shares, e.Follows); err != nil {
			return err
		}
	}
	adKeys := slices.SortedFunc(maps.Keys(ads), func(a, b adHourKey) int {
		if c := strings.Compare(a.adID, b.adID); c != 0 {
			return c
		}
		return cmp.Compare(a.hour, b.hour)
	})
	for _, k := range adKeys {
		s := ads[k]
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

func cmpBool(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

// hourOf returns the Unix hour that contains t (hours before 1970 too).
func hourOf(t time.Time) int64 {
	s := t.Unix()
	h := s / 3600
	if s%3600 < 0 {
		h--
	}
	return h
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
func (db *DB) AdSpend(ctx context.Context, since time.Time, adIDs []string) ([]model.AdSpend, error) {
	hour := int64(math.MinInt64)
	if !since.IsZero() {
		// The first hour that starts at or after since.
		hour = hourOf(since)
		if hour*3600 < since.Unix() || since.Nanosecond() != 0 {
			hour++
		}
	}
	scan := func(rows *sql.Rows) ([]model.AdSpend, error) {
		return collect(rows, func(row interface{ Scan(...any) error }) (model.AdSpend, error) {
			var s model.AdSpend
			var spend int64
			err := row.Scan(&s.AdID, &spend)
			s.Spend = money.Micros(spend)
			return s, err
		})
	}
	if adIDs == nil {
		rows, err := db.query(ctx, `SELECT ad_id, CAST(SUM(spend) AS BIGINT) FROM ad_stats_hourly WHERE hour >= ?
			GROUP BY ad_id HAVING SUM(spend) > 0`, hour)
		if err != nil {
			return nil, err
		}
		return scan(rows)
	}
	var out []model.AdSpend
	err := chunks(adIDs, 500, func(part []string) error {
		rows, err := db.query(ctx, `SELECT ad_id, CAST(SUM(spend) AS BIGINT) FROM ad_stats_hourly
			WHERE ad_id IN (`+placeholders(len(part))+`) AND hour >= ? GROUP BY ad_id HAVING SUM(spend) > 0`,
			append(anys(part), hour)...)
		if err != nil {
			return err
		}
		more, err := scan(rows)
		out = append(out, more...)
		return err
	})
	return out, err
}

// AdStats implements store.Events.
func (db *DB) AdStats(ctx context.Context, adIDs []string) (map[string]model.AdStats, error) {
	out := make(map[string]model.AdStats, len(adIDs))
	err := chunks(adIDs, 500, func(part []string) error {
		rows, err := db.query(ctx, adTotalsSQL+` WHERE ad_id IN (`+placeholders(len(part))+`) GROUP BY ad_id`, anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var t store.AdTotals
			if err := scanAdTotals(rows, &t); err != nil {
				return err
			}
			out[t.AdID] = t.AdStats
		}
		return rows.Err()
	})
	return out, err
}

// adTotalsSQL sums each ad's hourly counters (to be completed with a
// condition, if any, and GROUP BY ad_id); scanAdTotals reads a row of it.
const adTotalsSQL = `SELECT ad_id, CAST(SUM(impressions) AS BIGINT), CAST(SUM(views_2s) AS BIGINT),
	CAST(SUM(views_6s) AS BIGINT), CAST(SUM(completes) AS BIGINT), CAST(SUM(watch_ms) AS BIGINT),
	CAST(SUM(clicks) AS BIGINT), CAST(SUM(likes) AS BIGINT), CAST(SUM(comments) AS BIGINT),
	CAST(SUM(shares) AS BIGINT), CAST(SUM(follows) AS BIGINT), CAST(SUM(spend) AS BIGINT)
	FROM ad_stats_hourly`

func scanAdTotals(rows *sql.Rows, t *store.AdTotals) error {
	var spend int64
	s := &t.AdStats
	err := rows.Scan(&t.AdID, &s.Impressions, &s.Views2s, &s.Views6s, &s.Completes, &s.WatchMS, &s.Clicks,
		&s.Likes, &s.Comments, &s.Shares, &s.Follows, &spend)
	s.Spend = money.Micros(spend)
	return err
}

// pgEventWriters is how many event transactions event ingestion runs at once
// on PostgreSQL: one backend inserts at the speed of one core, and the
// commits' flushes overlap. Their row locks are taken in one order
// (InsertEvents), as between several nodes.
const pgEventWriters = 4

// EventWriters says how many InsertEvents calls are worth running at once:
// one on SQLite (a single writer connection), pgEventWriters on PostgreSQL.
func (db *DB) EventWriters() int {
	if db.D.Numbered {
		return pgEventWriters
	}
	return 1
}
