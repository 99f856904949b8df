package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store"
)

// ScanIndex implements store.IndexSource: one streaming query per table,
// reading only the columns the delivery index is built from.
func (db *DB) ScanIndex(ctx context.Context, v store.IndexVisitor) error {
	if fn := v.Account; fn != nil {
		var a model.Account
		var handle sql.NullString
		if err := db.each(ctx, `SELECT id, kind, handle, display_name, creator_type, timezone FROM accounts`,
			[]any{&a.ID, &a.Kind, &handle, &a.DisplayName, &a.CreatorType, &a.Timezone}, func() error {
				a.Handle = handle.String
				return fn(&a)
			}); err != nil {
			return err
		}
	}
	if fn := v.Campaign; fn != nil {
		var c model.Campaign
		var budget int64
		if err := db.each(ctx, `SELECT id, advertiser_id, budget_mode, budget, status FROM campaigns`,
			[]any{&c.ID, &c.AdvertiserID, &c.BudgetMode, &budget, &c.Status}, func() error {
				c.Budget = money.Micros(budget)
				return fn(&c)
			}); err != nil {
			return err
		}
	}
	if fn := v.AdGroup; fn != nil {
		var g model.AdGroup
		var targeting, prev string
		var parsed model.Targeting
		var start, end, budget, bid int64
		if err := db.each(ctx, `SELECT id, advertiser_id, campaign_id, targeting, start_time, end_time, budget_mode,
			budget, billing_event, bid, frequency_impressions, frequency_days, pacing, status FROM ad_groups`,
			[]any{&g.ID, &g.AdvertiserID, &g.CampaignID, &targeting, &start, &end, &g.BudgetMode, &budget,
				&g.BillingEvent, &bid, &g.FrequencyCap.Impressions, &g.FrequencyCap.Days, &g.Pacing, &g.Status},
			func() error {
				if targeting != prev || prev == "" {
					parsed = model.Targeting{}
					if err := json.Unmarshal([]byte(targeting), &parsed); err != nil {
						return err
					}
					prev = targeting
				}
				g.Targeting = parsed
				g.StartTime, g.EndTime = timeOf(start), timeOf(end)
				g.Budget, g.Bid = money.Micros(budget), money.Micros(bid)
				return fn(&g)
			}); err != nil {
			return err
		}
	}
	if fn := v.Authorization; fn != nil {
		var a model.Authorization
		var generated, expires, revoked int64
		if err := db.each(ctx, `SELECT id, post_id, creator_id, generated_at, expires_at, revoked_at FROM authorizations`,
			[]any{&a.ID, &a.PostID, &a.CreatorID, &generated, &expires, &revoked}, func() error {
				a.GeneratedAt, a.ExpiresAt, a.RevokedAt = timeOf(generated), timeOf(expires), timeOf(revoked)
				return fn(&a)
			}); err != nil {
			return err
		}
	}
	if fn := v.SparkPost; fn != nil {
		var s model.SparkPost
		if err := db.each(ctx, `SELECT id, advertiser_id, post_id, creator_id, authorization_id FROM spark_posts`,
			[]any{&s.ID, &s.AdvertiserID, &s.PostID, &s.CreatorID, &s.AuthorizationID}, func() error {
				return fn(&s)
			}); err != nil {
			return err
		}
	}
	if fn := v.Post; fn != nil {
		var p model.Post
		var hasMusic bool
		var m model.Music
		if err := db.each(ctx, `SELECT id, creator_id, caption, video_url, visibility, original, has_music,
			music_title, music_commercial, music_own, deleted FROM posts`,
			[]any{&p.ID, &p.CreatorID, &p.Caption, &p.VideoURL, &p.Visibility, &p.Original, &hasMusic, &m.Title,
				&m.Commercial, &m.Own, &p.Deleted}, func() error {
				p.Music = nil
				if hasMusic {
					mm := m
					p.Music = &mm
				}
				return fn(&p)
			}); err != nil {
			return err
		}
	}
	if fn := v.Ad; fn != nil {
		var a model.Ad
		if err := db.each(ctx, `SELECT id, advertiser_id, campaign_id, ad_group_id, spark_post_id, post_id, cta_label,
			cta_url, status FROM ads ORDER BY created_at, id`,
			[]any{&a.ID, &a.AdvertiserID, &a.CampaignID, &a.AdGroupID, &a.SparkPostID, &a.PostID, &a.CTALabel,
				&a.CTAURL, &a.Status}, func() error {
				return fn(&a)
			}); err != nil {
			return err
		}
	}
	return nil
}

// each runs query and, for each row, scans it into dst and calls fn.
func (db *DB) each(ctx context.Context, query string, dst []any, fn func() error) error {
	rows, err := db.query(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := rows.Scan(dst...); err != nil {
			return err
		}
		if err := fn(); err != nil {
			return err
		}
	}
	return rows.Err()
}
