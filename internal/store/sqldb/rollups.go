package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"maps"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

// The report rollups (report_ad_days, report_campaign_days,
// post_organic_hourly) are written here, in the transaction that stores the
// events, beside the counters of events.go.
//
// Own-ad rollups are kept per local day of the advertiser, in the time zone
// it has when the events are counted: a report's days are then whole rows,
// exact in every zone (including :30 and :45 offsets and across daylight
// saving changes), and a month of a thousand campaigns is 30,000 rows
// rather than the 700,000 an hourly table would hold. A later change of
// the advertiser's time zone applies to the days counted after it.

// adInfo is what the rollups need to know of an ad; all of it but the time
// zone is fixed when the ad is created.
type adInfo struct {
	advertiserID, campaignID, adGroupID, postID, creatorID string
	loc                                                    *time.Location
	fetched                                                time.Time
}

// adInfoTTL bounds how long a cached time zone may lag behind a change of
// the advertiser's zone.
const adInfoTTL = time.Minute

// adInfoCache remembers adInfo by ad id.
type adInfoCache struct {
	mu  sync.Mutex
	ads map[string]adInfo
}

// adInfos returns what the rollups need of the given ads, reading those it
// does not know (or whose zone may be stale) through q. Unknown ads are absent.
func (db *DB) adInfos(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, ids []string) (map[string]adInfo, error) {
	cache := &db.ads
	now := time.Now()
	out := make(map[string]adInfo, len(ids))
	var missing []string
	cache.mu.Lock()
	if cache.ads == nil {
		cache.ads = map[string]adInfo{}
	}
	for _, id := range ids {
		if a, ok := cache.ads[id]; ok && now.Sub(a.fetched) < adInfoTTL {
			out[id] = a
		} else {
			missing = append(missing, id)
		}
	}
	cache.mu.Unlock()
	err := chunks(missing, 500, func(part []string) error {
		rows, err := q.QueryContext(ctx, db.q(`SELECT ads.id, ads.advertiser_id, ads.campaign_id, ads.ad_group_id, ads.post_id,
			posts.creator_id, accounts.timezone FROM ads JOIN posts ON posts.id = ads.post_id
			JOIN accounts ON accounts.id = ads.advertiser_id WHERE ads.id IN (`+placeholders(len(part))+`)`), anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id, tz string
			var a adInfo
			if err := rows.Scan(&id, &a.advertiserID, &a.campaignID, &a.adGroupID, &a.postID, &a.creatorID, &tz); err != nil {
				return err
			}
			a.loc = zone(tz)
			a.fetched = now
			out[id] = a
		}
		return rows.Err()
	})
	if err != nil {
		return nil, err
	}
	if len(missing) > 0 {
		cache.mu.Lock()
		if len(cache.ads) > 200_000 {
			clear(cache.ads)
		}
		for _, id := range missing {
			if a, ok := out[id]; ok {
				cache.ads[id] = a
			}
		}
		cache.mu.Unlock()
	}
	return out, nil
}

var zones sync.Map // name → *time.Location

// zone returns the named time zone, UTC when the name is not one.
func zone(name string) *time.Location {
	if l, ok := zones.Load(name); ok {
		return l.(*time.Location)
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "" || name == "Local" {
		loc = time.UTC
	}
	zones.Store(name, loc)
	return loc
}

type adDayKey struct {
	advertiserID string
	day          model.Day
	adID         string
}

type campaignDayKey struct {
	advertiserID string
	day          model.Day
	campaignID   string
}

type postHourKey struct {
	postID string
	hour   int64
}

// addReportRollups adds the stored events to the report rollups: paid
// events to their ad's and campaign's local day, organic events to their
// post's hour.
func (db *DB) addReportRollups(ctx context.Context, tx *sql.Tx, events []model.Event, outcomes []model.EventOutcome) error {
	adSet := map[string]bool{}
	organic := false
	for i := range events {
		if outcomes[i] != model.EventStored {
			continue
		}
		if events[i].Paid() {
			adSet[events[i].AdID] = true
		} else {
			organic = true
		}
	}
	if len(adSet) == 0 && !organic {
		return nil
	}
	infos, err := db.adInfos(ctx, tx, slices.Collect(maps.Keys(adSet)))
	if err != nil {
		return err
	}
	adDays := map[adDayKey]model.AdStats{}
	campaignDays := map[campaignDayKey]model.AdStats{}
	campaignMonths := map[campaignDayKey]model.AdStats{} // day: the month's first
	postHours := map[postHourKey]model.PostActivity{}
	add := func(day model.Day, adID string, info adInfo, d model.AdStats) {
		for _, k := range []struct {
			m   map[campaignDayKey]model.AdStats
			key campaignDayKey
		}{{campaignDays, campaignDayKey{info.advertiserID, day, info.campaignID}},
			{campaignMonths, campaignDayKey{info.advertiserID, day.Month(), info.campaignID}}} {
			s := k.m[k.key]
			addStats(&s, &d, 1)
			k.m[k.key] = s
		}
		ak := adDayKey{info.advertiserID, day, adID}
		s := adDays[ak]
		addStats(&s, &d, 1)
		adDays[ak] = s
	}
	for i := range events {
		if outcomes[i] != model.EventStored {
			continue
		}
		e := &events[i]
		if !e.Paid() {
			k := postHourKey{e.PostID, hourOf(e.At)}
			a := postHours[k]
			addOrganic(&a, e)
			postHours[k] = a
			continue
		}
		info, ok := infos[e.AdID]
		if !ok {
			continue
		}
		// Counts belong to the local day of the event, spend to the day of
		// the decision that priced it: the clock budgets count by (as in
		// the hourly rollups, addRollups), so that reports and budgets agree.
		var delta model.AdStats
		addEvent(&delta, e)
		day := model.DayOf(e.At, info.loc)
		if !e.DecidedAt.IsZero() {
			if spendDay := model.DayOf(e.DecidedAt, info.loc); spendDay != day {
				add(spendDay, e.AdID, info, model.AdStats{Spend: delta.Spend})
				delta.Spend = 0
			}
		}
		add(day, e.AdID, info, delta)
	}
	// Keys in order, so that concurrent batches on PostgreSQL lock rows in
	// one order; many rows per statement, since a batch may touch
	// thousands of ads.
	adRows := make([][]any, 0, len(adDays))
	for _, k := range slices.SortedFunc(maps.Keys(adDays), func(a, b adDayKey) int {
		return cmp.Or(strings.Compare(a.advertiserID, b.advertiserID), cmp.Compare(a.day, b.day), strings.Compare(a.adID, b.adID))
	}) {
		info, s := infos[k.adID], adDays[k]
		adRows = append(adRows, append([]any{k.advertiserID, int64(k.day), k.adID, info.campaignID, info.adGroupID, info.postID,
			info.creatorID}, statArgs(&s)...))
	}
	if err := db.upsert(ctx, tx, "report_ad_days", "advertiser_id, day, ad_id, campaign_id, ad_group_id, post_id, creator_id, "+
		statColumns, "advertiser_id, day, ad_id", statUpdates("report_ad_days"), adRows); err != nil {
		return err
	}
	for _, t := range []struct {
		table, column string
		sums          map[campaignDayKey]model.AdStats
	}{{"report_campaign_days", "day", campaignDays}, {"report_campaign_months", "month", campaignMonths}} {
		rows := make([][]any, 0, len(t.sums))
		for _, k := range slices.SortedFunc(maps.Keys(t.sums), func(a, b campaignDayKey) int {
			return cmp.Or(strings.Compare(a.advertiserID, b.advertiserID), cmp.Compare(a.day, b.day),
				strings.Compare(a.campaignID, b.campaignID))
		}) {
			s := t.sums[k]
			rows = append(rows, append([]any{k.advertiserID, int64(k.day), k.campaignID}, statArgs(&s)...))
		}
		if err := db.upsert(ctx, tx, t.table, "advertiser_id, "+t.column+", campaign_id, "+statColumns,
			"advertiser_id, "+t.column+", campaign_id", statUpdates(t.table), rows); err != nil {
			return err
		}
	}
	postRows := make([][]any, 0, len(postHours))
	for _, k := range slices.SortedFunc(maps.Keys(postHours), func(a, b postHourKey) int {
		return cmp.Or(strings.Compare(a.postID, b.postID), cmp.Compare(a.hour, b.hour))
	}) {
		a := postHours[k]
		postRows = append(postRows, []any{k.postID, k.hour, a.Views, a.Views2s, a.Views6s, a.Completes, a.WatchMS, a.Likes,
			a.Comments, a.Shares, a.Follows})
	}
	return db.upsert(ctx, tx, "post_organic_hourly", "post_id, hour, "+strings.Join(organicNames, ", "), "post_id, hour",
		addUpdates("post_organic_hourly", organicNames), postRows)
}

// organicNames are the counter columns of post_organic_hourly.
var organicNames = []string{"views", "views_2s", "views_6s", "completes", "watch_ms", "likes", "comments", "shares", "follows"}

// upsertChunk is how many rows one upsert statement carries.
const upsertChunk = 50

// upsert inserts rows into table, adding to the counters of rows whose key
// (conflict) exists. The rows must have distinct keys.
func (db *DB) upsert(ctx context.Context, tx *sql.Tx, table, columns, conflict, updates string, rows [][]any) error {
	for part := range slices.Chunk(rows, upsertChunk) {
		var sb strings.Builder
		sb.WriteString("INSERT INTO " + table + " (" + columns + ") VALUES ")
		one := "(" + placeholders(len(part[0])) + ")"
		args := make([]any, 0, len(part)*len(part[0]))
		for i, r := range part {
			if i > 0 {
				sb.WriteByte(',')
			}
			sb.WriteString(one)
			args = append(args, r...)
		}
		sb.WriteString(" ON CONFLICT (" + conflict + ") DO UPDATE SET " + updates)
		if _, err := tx.ExecContext(ctx, db.q(sb.String()), args...); err != nil {
			return err
		}
	}
	return nil
}

// addOrganic adds one organic event to a post's activity.
func addOrganic(a *model.PostActivity, e *model.Event) {
	switch e.Type {
	case model.EventImpression:
		a.Views++
	case model.EventView2s:
		a.Views2s++
	case model.EventView6s:
		a.Views6s++
	case model.EventComplete:
		a.Completes++
	case model.EventLike:
		a.Likes++
	case model.EventComment:
		a.Comments++
	case model.EventShare:
		a.Shares++
	case model.EventFollow:
		a.Follows++
	}
	a.WatchMS += e.WatchMS
}

// statNames are the counter columns of the report rollups, in the order of
// statArgs and scanStats.
var statNames = []string{"impressions", "views_2s", "views_6s", "completes", "watch_ms", "clicks", "likes", "comments",
	"shares", "follows", "spend"}

var statColumns = strings.Join(statNames, ", ")

// statUpdates is the SET list that adds excluded's counters to table's.
func statUpdates(table string) string { return addUpdates(table, statNames) }

// addUpdates is the SET list that adds excluded's columns to table's.
func addUpdates(table string, columns []string) string {
	parts := make([]string, len(columns))
	for i, c := range columns {
		parts[i] = c + " = " + table + "." + c + " + excluded." + c
	}
	return strings.Join(parts, ", ")
}

// statSums is the SELECT list of the summed counters.
var statSums = func() string {
	parts := make([]string, len(statNames))
	for i, c := range statNames {
		parts[i] = "CAST(SUM(" + c + ") AS BIGINT)"
	}
	return strings.Join(parts, ", ")
}()

func statArgs(s *model.AdStats) []any {
	return []any{s.Impressions, s.Views2s, s.Views6s, s.Completes, s.WatchMS, s.Clicks, s.Likes, s.Comments, s.Shares,
		s.Follows, int64(s.Spend)}
}

// statsOf builds counters from sums in statNames order.
func statsOf(v *[11]sql.NullInt64) model.AdStats {
	return model.AdStats{Impressions: v[0].Int64, Views2s: v[1].Int64, Views6s: v[2].Int64, Completes: v[3].Int64,
		WatchMS: v[4].Int64, Clicks: v[5].Int64, Likes: v[6].Int64, Comments: v[7].Int64, Shares: v[8].Int64,
		Follows: v[9].Int64, Spend: money.Micros(v[10].Int64)}
}

// maxFilter bounds the values of one filter of a rollup query.
const maxFilter = 500

// AdDayStats implements store.Reports. Queries that group and filter by
// campaign and day only read the campaign rollups; those that do not group
// by day read whole months from the monthly rollup (monthPlan).
func (db *DB) AdDayStats(ctx context.Context, q model.StatsQuery) ([]model.StatsRow, error) {
	campaignOnly := q.GroupBy&^(model.ByDay|model.ByCampaign) == 0 && len(q.AdGroups)+len(q.Ads)+len(q.Posts)+len(q.Creators) == 0
	if !campaignOnly {
		return db.sumStats(ctx, "report_ad_days", "day", q, q.From, q.To)
	}
	if q.GroupBy&model.ByDay != 0 {
		return db.sumStats(ctx, "report_campaign_days", "day", q, q.From, q.To)
	}
	months, spans := monthPlan(q.From, q.To, q.Today)
	type key struct{ campaign string }
	sums := map[key]*model.StatsRow{}
	var order []key
	add := func(rows []model.StatsRow, sign int64) {
		for _, r := range rows {
			k := key{r.CampaignID}
			t := sums[k]
			if t == nil {
				t = &model.StatsRow{CampaignID: r.CampaignID}
				sums[k] = t
				order = append(order, k)
			}
			addStats(&t.Stats, &r.Stats, sign)
		}
	}
	if len(months) > 0 {
		rows, err := db.sumStats(ctx, "report_campaign_months", "month", q, months[0], months[len(months)-1])
		if err != nil {
			return nil, err
		}
		add(rows, 1)
	}
	for _, sp := range spans {
		rows, err := db.sumStats(ctx, "report_campaign_days", "day", q, sp.from, sp.to)
		if err != nil {
			return nil, err
		}
		add(rows, sp.sign)
	}
	out := make([]model.StatsRow, 0, len(order))
	for _, k := range order {
		if t := sums[k]; t.Stats != (model.AdStats{}) {
			out = append(out, *t)
		}
	}
	return out, nil
}

// addStats adds (sign 1) or subtracts (-1) b's counters to a's.
func addStats(a, b *model.AdStats, sign int64) {
	a.Impressions += sign * b.Impressions
	a.Views2s += sign * b.Views2s
	a.Views6s += sign * b.Views6s
	a.Completes += sign * b.Completes
	a.WatchMS += sign * b.WatchMS
	a.Clicks += sign * b.Clicks
	a.Likes += sign * b.Likes
	a.Comments += sign * b.Comments
	a.Shares += sign * b.Shares
	a.Follows += sign * b.Follows
	a.Spend += money.Micros(sign) * b.Spend
}

// span is a range of days whose sums are added (sign 1) or taken away (-1).
type span struct {
	from, to model.Day
	sign     int64
}

// monthPlan splits [from, to] into the whole months to read from a monthly
// rollup (contiguous, in order) and the day ranges to read from a daily
// one. Only the first and last months can be partial, so the months are
// contiguous. A month the range covers only in part is read either as its days
// inside the range, or as the month less its days outside the range,
// whichever reads fewer days; days after today (when known) hold no data
// and cost nothing, so a month to date is its month row.
func monthPlan(from, to, today model.Day) ([]model.Day, []span) {
	cost := func(a, b model.Day) int {
		if today != 0 {
			b = min(b, today)
		}
		return max(int(b-a)+1, 0)
	}
	var months []model.Day
	var spans []span
	for m := from.Month(); m <= to; m = m.MonthEnd() + 1 {
		first, last := m, m.MonthEnd()
		a, b := max(from, first), min(to, last)
		switch {
		case a == first && b == last:
			months = append(months, m)
		case cost(first, a-1)+cost(b+1, last) < cost(a, b):
			months = append(months, m)
			if a > first {
				spans = append(spans, span{first, a - 1, -1})
			}
			if b < last {
				spans = append(spans, span{b + 1, last, -1})
			}
		default:
			spans = append(spans, span{a, b, 1})
		}
	}
	return months, spans
}

// sumStats sums a rollup table's counters over [from, to] of its time
// column, grouped and filtered as q says (q's day grouping reads column).
func (db *DB) sumStats(ctx context.Context, table, column string, q model.StatsQuery, from, to model.Day) ([]model.StatsRow, error) {
	type dim struct {
		flag   model.StatsGroup
		column string
		filter []string
	}
	dims := []dim{{model.ByDay, column, nil}, {model.ByCampaign, "campaign_id", q.Campaigns},
		{model.ByAdGroup, "ad_group_id", q.AdGroups}, {model.ByAd, "ad_id", q.Ads}, {model.ByPost, "post_id", q.Posts},
		{model.ByCreator, "creator_id", q.Creators}}
	var sel, group []string
	where := []string{"advertiser_id = ?", column + " >= ?", column + " <= ?"}
	args := []any{q.AdvertiserID, int64(from), int64(to)}
	for _, d := range dims {
		if q.GroupBy&d.flag != 0 {
			sel = append(sel, d.column)
			group = append(group, d.column)
		}
		if len(d.filter) > 0 {
			if len(d.filter) > maxFilter {
				d.filter = d.filter[:maxFilter]
			}
			where = append(where, d.column+" IN ("+placeholders(len(d.filter))+")")
			args = append(args, anys(d.filter)...)
		}
	}
	query := `SELECT ` + strings.Join(append(slices.Clone(sel), statSums), ", ") + ` FROM ` + table + ` WHERE ` +
		strings.Join(where, " AND ")
	if len(group) > 0 {
		query += ` GROUP BY ` + strings.Join(group, ", ")
	}
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []model.StatsRow
	for rows.Next() {
		var r model.StatsRow
		var day sql.NullInt64
		dest := make([]any, 0, len(sel)+len(statNames))
		for _, c := range sel {
			switch c {
			case column:
				dest = append(dest, &day)
			case "campaign_id":
				dest = append(dest, &r.CampaignID)
			case "ad_group_id":
				dest = append(dest, &r.AdGroupID)
			case "ad_id":
				dest = append(dest, &r.AdID)
			case "post_id":
				dest = append(dest, &r.PostID)
			case "creator_id":
				dest = append(dest, &r.CreatorID)
			}
		}
		var sums [11]sql.NullInt64
		for i := range sums {
			dest = append(dest, &sums[i])
		}
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		if !sums[0].Valid { // no rows at all: SUM over nothing
			continue
		}
		r.Day = model.Day(day.Int64)
		r.Stats = statsOf(&sums)
		out = append(out, r)
	}
	return out, rows.Err()
}

// PostActivity implements store.Reports.
func (db *DB) PostActivity(ctx context.Context, postIDs []string, since time.Time) (map[string]model.PostActivity, error) {
	out := make(map[string]model.PostActivity, len(postIDs))
	hour := int64(-1 << 62)
	if !since.IsZero() {
		hour = hourOf(since)
		if hour*3600 < since.Unix() || since.Nanosecond() != 0 {
			hour++
		}
	}
	err := chunks(postIDs, 500, func(part []string) error {
		rows, err := db.query(ctx, `SELECT post_id, CAST(SUM(views) AS BIGINT), CAST(SUM(views_2s) AS BIGINT),
			CAST(SUM(views_6s) AS BIGINT), CAST(SUM(completes) AS BIGINT),
			CAST(SUM(watch_ms) AS BIGINT), CAST(SUM(likes) AS BIGINT), CAST(SUM(comments) AS BIGINT),
			CAST(SUM(shares) AS BIGINT), CAST(SUM(follows) AS BIGINT) FROM post_organic_hourly
			WHERE hour >= ? AND post_id IN (`+placeholders(len(part))+`) GROUP BY post_id`, append([]any{hour}, anys(part)...)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var a model.PostActivity
			if err := rows.Scan(&a.PostID, &a.Views, &a.Views2s, &a.Views6s, &a.Completes, &a.WatchMS, &a.Likes, &a.Comments, &a.Shares,
				&a.Follows); err != nil {
				return err
			}
			out[a.PostID] = a
		}
		return rows.Err()
	})
	return out, err
}

// Impressions implements store.Reports.
func (db *DB) Impressions(ctx context.Context, advertiserID string, from, to time.Time, keyFrom, keyTo []byte,
	fn func(adID, viewerID string, at time.Time) error) error {
	if keyFrom == nil {
		keyFrom = []byte{} // the smallest key (nil would be NULL)
	}
	rows, err := db.query(ctx, `SELECT e.ad_id, COALESCE(e.viewer_id, ''), e.at FROM events e JOIN ads a ON a.id = e.ad_id
		WHERE e.once_key >= ? AND e.once_key < ? AND e.at >= ? AND e.at < ? AND e.type = ? AND a.advertiser_id = ?`,
		keyFrom, keyTo, micros(from), micros(to), int64(model.EventImpression), advertiserID)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var ad, viewer string
		var at int64
		if err := rows.Scan(&ad, &viewer, &at); err != nil {
			return err
		}
		if err := fn(ad, viewer, timeOf(at)); err != nil {
			return err
		}
	}
	return rows.Err()
}

// PurgeEvents implements store.Reports. Both deletes walk an index from
// its start (once keys, or the partial index on the time of events without
// one); each call is two short transactions.
func (db *DB) PurgeEvents(ctx context.Context, before time.Time, keyedBefore []byte, limit int) (int64, error) {
	res, err := db.exec(ctx, `DELETE FROM events WHERE event_id IN (SELECT event_id FROM events
		WHERE once_key < ? ORDER BY once_key LIMIT ?)`, keyedBefore, limit)
	if err != nil {
		return 0, err
	}
	keyed, err := res.RowsAffected()
	if err != nil {
		return 0, err
	}
	// SQLite, without statistics, would rather walk the NULLs of the once-key
	// index and sort them all.
	unkeyed := "events"
	if db.D.Name == "sqlite" {
		unkeyed = "events INDEXED BY events_unkeyed_at"
	}
	res, err = db.exec(ctx, `DELETE FROM events WHERE event_id IN (SELECT event_id FROM `+unkeyed+`
		WHERE once_key IS NULL AND at < ? ORDER BY at LIMIT ?)`, micros(before), limit)
	if err != nil {
		return keyed, err
	}
	n, err := res.RowsAffected()
	return keyed + n, err
}
