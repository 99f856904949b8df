package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

const campaignColumns = `id, advertiser_id, name, objective, budget_mode, budget, status, created_at, updated_at, version, numeric_id`

func scanCampaign(row interface{ Scan(...any) error }) (model.Campaign, error) {
	var c model.Campaign
	var budget, created, updated int64
	err := row.Scan(&c.ID, &c.AdvertiserID, &c.Name, &c.Objective, &c.BudgetMode, &budget, &c.Status, &created, &updated,
		&c.Version, numericDest{&c.NumericID})
	c.Budget = money.Micros(budget)
	c.CreatedAt, c.UpdatedAt = timeOf(created), timeOf(updated)
	return c, err
}

var campaignTable = newTable("campaigns", campaignColumns, func(dst []any, c *model.Campaign) ([]any, error) {
	return append(dst, c.ID, c.AdvertiserID, c.Name, c.Objective, c.BudgetMode, int64(c.Budget), c.Status,
		micros(c.CreatedAt), micros(c.UpdatedAt), int64(1), numeric(c.NumericID)), nil
})

// CreateCampaign implements store.Campaigns.
func (db *DB) CreateCampaign(ctx context.Context, c model.Campaign) error {
	return db.changeTx(ctx, func(tx *sql.Tx) (*change.Event, error) {
		return &change.Event{Kind: change.Campaign, ID: c.ID}, campaignTable.createTx(ctx, db, tx, &c)
	})
}

// GetCampaign implements store.Campaigns.
func (db *DB) GetCampaign(ctx context.Context, id string) (model.Campaign, error) {
	c, err := scanCampaign(db.queryRow(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = ?`, id))
	return c, db.translate(err)
}

// UpdateCampaign implements store.Campaigns.
func (db *DB) UpdateCampaign(ctx context.Context, id string,
	edit func(c *model.Campaign, groups []model.AdGroup) error) (model.Campaign, error) {
	var c model.Campaign
	err := db.changeTx(ctx, func(tx *sql.Tx) (*change.Event, error) {
		var err error
		if c, err = lockCampaign(ctx, db, tx, id); err != nil {
			return nil, err
		}
		mode, budget := c.BudgetMode, c.Budget
		rows, err := tx.QueryContext(ctx, db.q(`SELECT `+adGroupColumns+` FROM ad_groups WHERE campaign_id = ?
			ORDER BY created_at, id`), id)
		if err != nil {
			return nil, err
		}
		groups, err := collect(rows, scanAdGroup)
		if err != nil {
			return nil, err
		}
		if err := edit(&c, groups); err != nil {
			return nil, err
		}
		c.Version++
		if _, err = tx.ExecContext(ctx, db.q(`UPDATE campaigns SET name = ?, objective = ?, budget_mode = ?, budget = ?,
			status = ?, updated_at = ?, version = ? WHERE id = ?`), c.Name, c.Objective, c.BudgetMode, int64(c.Budget),
			c.Status, micros(c.UpdatedAt), c.Version, id); err != nil {
			return nil, err
		}
		if err := db.budgetChanged(ctx, tx, id, mode, budget, c.BudgetMode, c.Budget); err != nil {
			return nil, err
		}
		return &change.Event{Kind: change.Campaign, ID: id}, nil
	})
	return c, err
}

// budgetChanged brings the leases and pools of a campaign's or ad group's
// budget in line with an edit: a budget of another mode starts afresh
// (forgetPools); a lowered one takes back leased room past its new limit
// (clipLeases).
func (db *DB) budgetChanged(ctx context.Context, tx *sql.Tx, id string, oldMode model.BudgetMode, oldBudget money.Micros,
	mode model.BudgetMode, budget money.Micros) error {
	switch {
	case mode != oldMode:
		return db.forgetPools(ctx, tx, id)
	case mode != model.BudgetNone && budget < oldBudget:
		return db.clipLeases(ctx, tx, id, int64(budget))
	}
	return nil
}

// lockCampaign reads a campaign in tx and locks it: every change of the
// campaign or of its ad groups takes this lock first.
func lockCampaign(ctx context.Context, db *DB, tx *sql.Tx, id string) (model.Campaign, error) {
	return scanCampaign(tx.QueryRowContext(ctx, db.q(`SELECT `+campaignColumns+` FROM campaigns WHERE id = ?`+db.D.LockRow), id))
}

// filter is one optional condition of a listing: column = value, unless
// value is empty.
type filter struct{ column, value string }

// listSQL completes a listing query (oldest first) with the conditions of
// the filters that are set. Each combination of filters is a query of its
// own, so that the database can use the index of the filtered column. One
// text for every combination, with conditions that test whether the
// parameter is empty, makes the planners scan the whole table.
func listSQL(selectFrom string, filters ...filter) (string, []any) {
	var sb strings.Builder
	sb.WriteString(selectFrom)
	var args []any
	for _, f := range filters {
		if f.value == "" {
			continue
		}
		if args == nil {
			sb.WriteString(" WHERE ")
		} else {
			sb.WriteString(" AND ")
		}
		sb.WriteString(f.column + " = ?")
		args = append(args, f.value)
	}
	sb.WriteString(" ORDER BY created_at, id")
	return sb.String(), args
}

// ListCampaigns implements store.Campaigns.
func (db *DB) ListCampaigns(ctx context.Context, advertiserID string) ([]model.Campaign, error) {
	query, args := listSQL(`SELECT `+campaignColumns+` FROM campaigns`, filter{"advertiser_id", advertiserID})
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanCampaign)
}

const adGroupColumns = `id, advertiser_id, campaign_id, name, targeting, start_time, end_time, budget_mode, budget,
	billing_event, bid, frequency_impressions, frequency_days, pacing, status, created_at, updated_at, version, numeric_id`

func scanAdGroup(row interface{ Scan(...any) error }) (model.AdGroup, error) {
	var g model.AdGroup
	var targeting string
	var start, end, budget, bid, created, updated int64
	err := row.Scan(&g.ID, &g.AdvertiserID, &g.CampaignID, &g.Name, &targeting, &start, &end, &g.BudgetMode,
		&budget, &g.BillingEvent, &bid, &g.FrequencyCap.Impressions, &g.FrequencyCap.Days, &g.Pacing, &g.Status,
		&created, &updated, &g.Version, numericDest{&g.NumericID})
	if err != nil {
		return g, err
	}
	if err := json.Unmarshal([]byte(targeting), &g.Targeting); err != nil {
		return g, err
	}
	g.StartTime, g.EndTime, g.CreatedAt, g.UpdatedAt = timeOf(start), timeOf(end), timeOf(created), timeOf(updated)
	g.Budget, g.Bid = money.Micros(budget), money.Micros(bid)
	return g, nil
}

var adGroupTable = newTable("ad_groups", adGroupColumns, func(dst []any, g *model.AdGroup) ([]any, error) {
	targeting, err := json.Marshal(g.Targeting)
	if err != nil {
		return dst, err
	}
	return append(dst, g.ID, g.AdvertiserID, g.CampaignID, g.Name, string(targeting), micros(g.StartTime),
		micros(g.EndTime), g.BudgetMode, int64(g.Budget), g.BillingEvent, int64(g.Bid), g.FrequencyCap.Impressions,
		g.FrequencyCap.Days, g.Pacing, g.Status, micros(g.CreatedAt), micros(g.UpdatedAt), int64(1),
		numeric(g.NumericID)), nil
})

// CreateAdGroup implements store.Campaigns.
func (db *DB) CreateAdGroup(ctx context.Context, g model.AdGroup, check func(c model.Campaign) error) error {
	return db.changeTx(ctx, func(tx *sql.Tx) (*change.Event, error) {
		c, err := lockCampaign(ctx, db, tx, g.CampaignID)
		if err != nil {
			return nil, err
		}
		if check != nil {
			if err := check(c); err != nil {
				return nil, err
			}
		}
		return &change.Event{Kind: change.AdGroup, ID: g.ID}, adGroupTable.createTx(ctx, db, tx, &g)
	})
}

// GetAdGroup implements store.Campaigns.
func (db *DB) GetAdGroup(ctx context.Context, id string) (model.AdGroup, error) {
	g, err := scanAdGroup(db.queryRow(ctx, `SELECT `+adGroupColumns+` FROM ad_groups WHERE id = ?`, id))
	return g, db.translate(err)
}

// UpdateAdGroup implements store.Campaigns.
func (db *DB) UpdateAdGroup(ctx context.Context, id string,
	edit func(g *model.AdGroup, c model.Campaign) error) (model.AdGroup, error) {
	var g model.AdGroup
	err := db.changeTx(ctx, func(tx *sql.Tx) (*change.Event, error) {
		// The campaign's lock first, as every change under a campaign takes it.
		var campaignID string
		err := tx.QueryRowContext(ctx, db.q(`SELECT campaign_id FROM ad_groups WHERE id = ?`), id).Scan(&campaignID)
		if err != nil {
			return nil, err
		}
		c, err := lockCampaign(ctx, db, tx, campaignID)
		if err != nil {
			return nil, err
		}
		if g, err = scanAdGroup(tx.QueryRowContext(ctx, db.q(`SELECT `+adGroupColumns+` FROM ad_groups WHERE id = ?`+
			db.D.LockRow), id)); err != nil {
			return nil, err
		}
		mode, budget := g.BudgetMode, g.Budget
		if err := edit(&g, c); err != nil {
			return nil, err
		}
		targeting, err := json.Marshal(g.Targeting)
		if err != nil {
			return nil, err
		}
		g.Version++
		if err := db.budgetChanged(ctx, tx, id, mode, budget, g.BudgetMode, g.Budget); err != nil {
			return nil, err
		}
		_, err = tx.ExecContext(ctx, db.q(`UPDATE ad_groups SET name = ?, targeting = ?, start_time = ?, end_time = ?,
			budget_mode = ?, budget = ?, billing_event = ?, bid = ?, frequency_impressions = ?, frequency_days = ?,
			pacing = ?, status = ?, updated_at = ?, version = ? WHERE id = ?`),
			g.Name, string(targeting), micros(g.StartTime), micros(g.EndTime), g.BudgetMode, int64(g.Budget),
			g.BillingEvent, int64(g.Bid), g.FrequencyCap.Impressions, g.FrequencyCap.Days, g.Pacing, g.Status,
			micros(g.UpdatedAt), g.Version, id)
		return &change.Event{Kind: change.AdGroup, ID: id}, err
	})
	return g, err
}

// ListAdGroups implements store.Campaigns.
func (db *DB) ListAdGroups(ctx context.Context, advertiserID, campaignID string) ([]model.AdGroup, error) {
	query, args := listSQL(`SELECT `+adGroupColumns+` FROM ad_groups`, filter{"advertiser_id", advertiserID},
		filter{"campaign_id", campaignID})
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAdGroup)
}

const adColumns = `id, advertiser_id, campaign_id, ad_group_id, name, spark_post_id, post_id, cta_label, cta_url,
	status, created_at, updated_at, version, numeric_id`

func scanAd(row interface{ Scan(...any) error }) (model.Ad, error) {
	var a model.Ad
	var created, updated int64
	err := row.Scan(&a.ID, &a.AdvertiserID, &a.CampaignID, &a.AdGroupID, &a.Name, &a.SparkPostID, &a.PostID,
		&a.CTALabel, &a.CTAURL, &a.Status, &created, &updated, &a.Version, numericDest{&a.NumericID})
	a.CreatedAt, a.UpdatedAt = timeOf(created), timeOf(updated)
	return a, err
}

var adTable = newTable("ads", adColumns, func(dst []any, a *model.Ad) ([]any, error) {
	return append(dst, a.ID, a.AdvertiserID, a.CampaignID, a.AdGroupID, a.Name, a.SparkPostID, a.PostID,
		a.CTALabel, a.CTAURL, a.Status, micros(a.CreatedAt), micros(a.UpdatedAt), int64(1), numeric(a.NumericID)), nil
})

// CreateAd implements store.Campaigns.
func (db *DB) CreateAd(ctx context.Context, a model.Ad) error {
	return db.changeTx(ctx, func(tx *sql.Tx) (*change.Event, error) {
		return &change.Event{Kind: change.Ad, ID: a.ID}, adTable.createTx(ctx, db, tx, &a)
	})
}

// CreateAds implements store.Campaigns. One entry in the change log, of the
// ad group: a node applying it rebuilds the group's ads, the new ones too.
func (db *DB) CreateAds(ctx context.Context, ads []model.Ad) error {
	if len(ads) == 0 {
		return nil
	}
	group := ads[0].AdGroupID
	return db.changeTx(ctx, func(tx *sql.Tx) (*change.Event, error) {
		if err := db.adGroupExists(ctx, tx, group); err != nil {
			return nil, err
		}
		for i := range ads {
			if ads[i].AdGroupID != group {
				return nil, fmt.Errorf("CreateAds: ads of ad groups %s and %s", group, ads[i].AdGroupID)
			}
			if err := adTable.createTx(ctx, db, tx, &ads[i]); err != nil {
				return nil, err
			}
		}
		return &change.Event{Kind: change.AdGroup, ID: group}, nil
	})
}

// GetAd implements store.Campaigns.
func (db *DB) GetAd(ctx context.Context, id string) (model.Ad, error) {
	a, err := scanAd(db.queryRow(ctx, `SELECT `+adColumns+` FROM ads WHERE id = ?`, id))
	return a, db.translate(err)
}

// UpdateAd implements store.Campaigns.
func (db *DB) UpdateAd(ctx context.Context, id string, edit func(a *model.Ad) error) (model.Ad, error) {
	var a model.Ad
	err := db.changeTx(ctx, func(tx *sql.Tx) (*change.Event, error) {
		var err error
		if a, err = scanAd(tx.QueryRowContext(ctx, db.q(`SELECT `+adColumns+` FROM ads WHERE id = ?`+db.D.LockRow), id)); err != nil {
			return nil, err
		}
		if err := edit(&a); err != nil {
			return nil, err
		}
		a.Version++
		_, err = tx.ExecContext(ctx, db.q(`UPDATE ads SET name = ?, cta_label = ?, cta_url = ?, status = ?, updated_at = ?,
			version = ? WHERE id = ?`), a.Name, a.CTALabel, a.CTAURL, a.Status, micros(a.UpdatedAt), a.Version, id)
		return &change.Event{Kind: change.Ad, ID: id}, err
	})
	return a, err
}

// ListAds implements store.Campaigns.
func (db *DB) ListAds(ctx context.Context, advertiserID, adGroupID string) ([]model.Ad, error) {
	query, args := listSQL(`SELECT `+adColumns+` FROM ads`, filter{"advertiser_id", advertiserID},
		filter{"ad_group_id", adGroupID})
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAd)
}

// AdsForPost implements store.Campaigns.
func (db *DB) AdsForPost(ctx context.Context, postID string) ([]model.Ad, error) {
	var rows *sql.Rows
	rows, err := db.query(ctx, `SELECT `+adColumns+` FROM ads WHERE post_id = ? ORDER BY created_at, id`, postID)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAd)
}

// CountLiveAds implements store.Campaigns.
func (db *DB) CountLiveAds(ctx context.Context, postID, authorizationID string) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM ads a
		JOIN spark_posts s ON s.id = a.spark_post_id
		JOIN ad_groups g ON g.id = a.ad_group_id
		JOIN campaigns c ON c.id = a.campaign_id
		WHERE a.post_id = ? AND s.authorization_id = ? AND a.status = ? AND g.status = ? AND c.status = ?`,
		postID, authorizationID, model.Enabled, model.Enabled, model.Enabled).Scan(&n)
	return n, err
}
