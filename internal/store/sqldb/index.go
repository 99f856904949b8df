package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"sync"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

// Reading for ScanIndex: each kind is read by one streaming query (AdParts
// by one a shard where the dialect has Shards), on its own read
// connection, while the caller is handed the kinds before it; indexReaders
// kinds are read at once, and each reads at most indexPrefetch batches of
// indexBatch rows ahead of the caller.
const (
	indexReaders  = 2
	indexBatch    = 512
	indexPrefetch = 64
)

// ScanIndex implements store.IndexSource.
func (db *DB) ScanIndex(ctx context.Context, v store.IndexVisitor) error {
	var stages []indexStage
	if v.Account != nil {
		var handle sql.NullString
		stages = append(stages, newIndexStage(db, `SELECT id, handle, display_name, creator_type, timezone FROM accounts`, func(rows *sql.Rows, a *model.Account) error {
			err := rows.Scan(&a.ID, &handle, &a.DisplayName, &a.CreatorType, &a.Timezone)
			a.Handle = handle.String
			return err
		}, v.Account))
	}
	if v.Campaign != nil {
		var budget int64
		stages = append(stages, newIndexStage(db, `SELECT id, budget_mode, budget, status FROM campaigns`,
			func(rows *sql.Rows, c *model.Campaign) error {
				err := rows.Scan(&c.ID, &c.BudgetMode, &budget, &c.Status)
				c.Budget = money.Micros(budget)
				return err
			}, v.Campaign))
	}
	if v.AdGroup != nil {
		var targeting, prev string
		var parsed model.Targeting
		var start, end, budget, bid int64
		stages = append(stages, newIndexStage(db, `SELECT id, targeting, start_time,
			end_time, budget_mode, budget, billing_event, bid, frequency_impressions, frequency_days, pacing, status
			FROM ad_groups`, func(rows *sql.Rows, g *model.AdGroup) error {
			if err := rows.Scan(&g.ID, &targeting, &start, &end, &g.BudgetMode,
				&budget, &g.BillingEvent, &bid, &g.FrequencyCap.Impressions, &g.FrequencyCap.Days, &g.Pacing,
				&g.Status); err != nil {
				return err
			}
			if targeting != prev || prev == "" { // groups in a row often target alike
				parsed = model.Targeting{}
				if err := json.Unmarshal([]byte(targeting), &parsed); err != nil {
					return err
				}
				prev = targeting
			}
			g.Targeting = parsed
			g.StartTime, g.EndTime = timeOf(start), timeOf(end)
			g.Budget, g.Bid = money.Micros(budget), money.Micros(bid)
			return nil
		}, v.AdGroup))
	}
	if v.Authorization != nil {
		var generated, expires, revoked int64
		stages = append(stages, newIndexStage(db, `SELECT id, post_id, generated_at, expires_at, revoked_at FROM authorizations`, func(rows *sql.Rows, a *model.Authorization) error {
			err := rows.Scan(&a.ID, &a.PostID, &generated, &expires, &revoked)
			a.GeneratedAt, a.ExpiresAt, a.RevokedAt = timeOf(generated), timeOf(expires), timeOf(revoked)
			return err
		}, v.Authorization))
	}
	if v.SparkPost != nil {
		stages = append(stages, newIndexStage(db, `SELECT id, post_id, authorization_id FROM spark_posts`, func(rows *sql.Rows, s *model.SparkPost) error {
			return rows.Scan(&s.ID, &s.PostID, &s.AuthorizationID)
		}, v.SparkPost))
	}
	if v.Post != nil {
		var hasMusic bool
		var m model.Music
		stages = append(stages, newIndexStage(db, `SELECT id, creator_id, caption, video_url, visibility, original,
			has_music, music_title, music_commercial, music_own, deleted FROM posts`,
			func(rows *sql.Rows, p *model.Post) error {
				err := rows.Scan(&p.ID, &p.CreatorID, &p.Caption, &p.VideoURL, &p.Visibility, &p.Original, &hasMusic,
					&m.Title, &m.Commercial, &m.Own, &p.Deleted)
				if hasMusic {
					music := m
					p.Music = &music
				}
				return err
			}, v.Post))
	}
	if v.Ad != nil {
		stages = append(stages, newIndexStage(db, `SELECT id, advertiser_id, campaign_id, ad_group_id, spark_post_id,
			cta_label, cta_url, status FROM ads ORDER BY created_at, id`,
			func(rows *sql.Rows, a *model.Ad) error {
				return rows.Scan(&a.ID, &a.AdvertiserID, &a.CampaignID, &a.AdGroupID, &a.SparkPostID,
					&a.CTALabel, &a.CTAURL, &a.Status)
			}, v.Ad))
	}
	if v.AdParts != nil {
		stages = append(stages, newSplitIndexStage(db, db.adPartsQueries(),
			func(rows *sql.Rows, x *store.IndexAd) error {
				var hasMusic bool
				var m model.Music
				var generated, expires, revoked int64
				a, sp, p, au := &x.Ad, &x.SparkPost, &x.Post, &x.Authorization
				err := rows.Scan(&a.ID, &a.AdvertiserID, &a.CampaignID, &a.AdGroupID, &a.SparkPostID, &a.CTALabel,
					&a.CTAURL, &a.Status, &sp.ID, &sp.PostID, &sp.AuthorizationID,
					&p.ID, &p.CreatorID, &p.Caption, &p.VideoURL, &p.Visibility, &p.Original, &hasMusic,
					&m.Title, &m.Commercial, &m.Own, &p.Deleted,
					&au.ID, &au.PostID, &generated, &expires, &revoked)
				if hasMusic {
					p.Music = &m
				}
				au.GeneratedAt, au.ExpiresAt, au.RevokedAt = timeOf(generated), timeOf(expires), timeOf(revoked)
				return err
			}, v.AdParts))
	}
	if v.AdTotals != nil {
		stages = append(stages, newIndexStage(db, adTotalsSQL+` GROUP BY ad_id`, scanAdTotals, v.AdTotals))
	}
	return runIndexStages(ctx, stages)
}

// adPartsSQL reads every ad with its Spark post, post and authorization
// episode (IndexVisitor.AdParts); %s is where a condition may go.
const adPartsSQL = `SELECT a.id, a.advertiser_id, a.campaign_id, a.ad_group_id,
	a.spark_post_id, a.cta_label, a.cta_url, a.status,
	COALESCE(sp.id, ''), COALESCE(sp.post_id, ''), COALESCE(sp.authorization_id, ''),
	COALESCE(p.id, ''), COALESCE(p.creator_id, ''), COALESCE(p.caption, ''), COALESCE(p.video_url, ''),
	COALESCE(p.visibility, ''), COALESCE(p.original, FALSE), COALESCE(p.has_music, FALSE),
	COALESCE(p.music_title, ''), COALESCE(p.music_commercial, FALSE), COALESCE(p.music_own, FALSE),
	COALESCE(p.deleted, FALSE),
	COALESCE(au.id, ''), COALESCE(au.post_id, ''), COALESCE(au.generated_at, 0), COALESCE(au.expires_at, 0),
	COALESCE(au.revoked_at, 0)
	FROM ads a
	LEFT JOIN spark_posts sp ON sp.id = a.spark_post_id
	LEFT JOIN posts p ON p.id = sp.post_id
	LEFT JOIN authorizations au ON au.id = sp.authorization_id%s`

// adPartsQueries returns the queries that read IndexVisitor.AdParts: one,
// or one for each of the dialect's shards of the ads, run at once.
func (db *DB) adPartsQueries() []string {
	if db.D.Shards == nil {
		return []string{fmt.Sprintf(adPartsSQL, "")}
	}
	var qs []string
	for _, cond := range db.D.Shards("a") {
		qs = append(qs, fmt.Sprintf(adPartsSQL, "\n\tWHERE "+cond))
	}
	return qs
}

// indexStage reads one kind (read, on its own goroutine) and hands it to
// the visitor (hand, on the caller's).
type indexStage struct {
	read func(ctx context.Context) error
	hand func(ctx context.Context) error
	done chan struct{} // closed when read has returned
}

func newIndexStage[T any](db *DB, query string, scan func(*sql.Rows, *T) error, fn func(*T) error) indexStage {
	return newSplitIndexStage(db, []string{query}, scan, fn)
}

// newSplitIndexStage is newIndexStage for a kind read by several queries
// at once, each on its own connection, whose rows are handed over as they
// come (so in no particular order). scan must be safe to call from several
// goroutines.
func newSplitIndexStage[T any](db *DB, queries []string, scan func(*sql.Rows, *T) error, fn func(*T) error) indexStage {
	batches := make(chan []T, indexPrefetch)
	readOne := func(ctx context.Context, query string) error {
		rows, err := db.query(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		batch := make([]T, 0, indexBatch)
		send := func() bool {
			select {
			case batches <- batch:
				batch = make([]T, 0, indexBatch)
				return true
			case <-ctx.Done():
				return false
			}
		}
		for rows.Next() {
			batch = batch[:len(batch)+1]
			if err := scan(rows, &batch[len(batch)-1]); err != nil {
				return err
			}
			if len(batch) == indexBatch && !send() {
				return ctx.Err()
			}
		}
		if err := rows.Err(); err != nil {
			return err
		}
		if len(batch) > 0 && !send() {
			return ctx.Err()
		}
		return nil
	}
	return indexStage{
		read: func(ctx context.Context) error {
			defer close(batches)
			if len(queries) == 1 {
				return readOne(ctx, queries[0])
			}
			ctx, cancel := context.WithCancel(ctx)
			defer cancel()
			errs := make([]error, len(queries))
			var wg sync.WaitGroup
			for i, q := range queries {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if errs[i] = readOne(ctx, q); errs[i] != nil {
						cancel() // the others stop too
					}
				}()
			}
			wg.Wait()
			for _, err := range errs {
				if err != nil && !errors.Is(err, context.Canceled) {
					return err
				}
			}
			return errors.Join(errs...)
		},
		hand: func(ctx context.Context) error {
			for {
				select {
				case batch, ok := <-batches:
					if !ok {
						return nil
					}
					for i := range batch {
						if err := fn(&batch[i]); err != nil {
							return err
						}
					}
				case <-ctx.Done():
					return ctx.Err()
				}
			}
		},
	}
}

// runIndexStages reads the stages, indexReaders at a time in order, and
// hands them over in order. On the first error it stops the reads, waits
// for them, and returns the error.
func runIndexStages(ctx context.Context, stages []indexStage) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	errs := make([]error, len(stages))
	for i := range stages {
		stages[i].done = make(chan struct{})
	}
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { // start the reads in order, indexReaders at a time
		defer wg.Done()
		slots := make(chan struct{}, indexReaders)
		for i := range stages {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return // the caller sees ctx's error
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = stages[i].read(ctx)
				<-slots
				close(stages[i].done)
			}()
		}
	}()
	fail := func(err error) error {
		cancel()
		wg.Wait()
		return err
	}
	for i := range stages {
		if err := stages[i].hand(ctx); err != nil {
			return fail(err)
		}
		<-stages[i].done // its batches are closed: the read has ended
		if errs[i] != nil {
			return fail(errs[i])
		}
	}
	wg.Wait()
	return nil
}
