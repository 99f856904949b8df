package sqldb

import (
	"context"
	"database/sql"
	"encoding/json"
	"strings"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
)

const campaignColumns = `id, advertiser_id, name, objective, budget_mode, budget, status, created_at, updated_at`

func scanCampaign(row interface{ Scan(...any) error }) (model.Campaign, error) {
	var c model.Campaign
	var budget, created, updated int64
	err := row.Scan(&c.ID, &c.AdvertiserID, &c.Name, &c.Objective, &c.BudgetMode, &budget, &c.Status, &created, &updated)
	c.Budget = money.Micros(budget)
	c.CreatedAt, c.UpdatedAt = timeOf(created), timeOf(updated)
	return c, err
}

var campaignTable = newTable("campaigns", campaignColumns, func(dst []any, c *model.Campaign) ([]any, error) {
	return append(dst, c.ID, c.AdvertiserID, c.Name, c.Objective, c.BudgetMode, int64(c.Budget), c.Status,
		micros(c.CreatedAt), micros(c.UpdatedAt)), nil
})

// CreateCampaign implements store.Campaigns.
func (db *DB) CreateCampaign(ctx context.Context, c model.Campaign) error {
	return campaignTable.create(ctx, db, &c)
}

// GetCampaign implements store.Campaigns.
func (db *DB) GetCampaign(ctx context.Context, id string) (model.Campaign, error) {
	c, err := scanCampaign(db.queryRow(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = ?`, id))
	return c, db.translate(err)
}

// UpdateCampaign implements store.Campaigns.
func (db *DB) UpdateCampaign(ctx context.Context, c model.Campaign) error {
	return db.execOne(ctx, `UPDATE campaigns SET name = ?, objective = ?, budget_mode = ?, budget = ?, status = ?,
		updated_at = ? WHERE id = ?`, c.Name, c.Objective, c.BudgetMode, int64(c.Budget), c.Status,
		micros(c.UpdatedAt), c.ID)
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
	billing_event, bid, frequency_impressions, frequency_days, pacing, status, created_at, updated_at`

func scanAdGroup(row interface{ Scan(...any) error }) (model.AdGroup, error) {
	var g model.AdGroup
	var targeting string
	var start, end, budget, bid, created, updated int64
	err := row.Scan(&g.ID, &g.AdvertiserID, &g.CampaignID, &g.Name, &targeting, &start, &end, &g.BudgetMode,
		&budget, &g.BillingEvent, &bid, &g.FrequencyCap.Impressions, &g.FrequencyCap.Days, &g.Pacing, &g.Status,
		&created, &updated)
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
		g.FrequencyCap.Days, g.Pacing, g.Status, micros(g.CreatedAt), micros(g.UpdatedAt)), nil
})

// CreateAdGroup implements store.Campaigns.
func (db *DB) CreateAdGroup(ctx context.Context, g model.AdGroup) error {
	return adGroupTable.create(ctx, db, &g)
}

// GetAdGroup implements store.Campaigns.
func (db *DB) GetAdGroup(ctx context.Context, id string) (model.AdGroup, error) {
	g, err := scanAdGroup(db.queryRow(ctx, `SELECT `+adGroupColumns+` FROM ad_groups WHERE id = ?`, id))
	return g, db.translate(err)
}

// UpdateAdGroup implements store.Campaigns.
func (db *DB) UpdateAdGroup(ctx context.Context, g model.AdGroup) error {
	targeting, err := json.Marshal(g.Targeting)
	if err != nil {
		return err
	}
	return db.execOne(ctx, `UPDATE ad_groups SET name = ?, targeting = ?, start_time = ?, end_time = ?,
		budget_mode = ?, budget = ?, billing_event = ?, bid = ?, frequency_impressions = ?, frequency_days = ?,
		pacing = ?, status = ?, updated_at = ? WHERE id = ?`,
		g.Name, string(targeting), micros(g.StartTime), micros(g.EndTime), g.BudgetMode, int64(g.Budget),
		g.BillingEvent, int64(g.Bid), g.FrequencyCap.Impressions, g.FrequencyCap.Days, g.Pacing, g.Status,
		micros(g.UpdatedAt), g.ID)
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
	status, created_at, updated_at`

func scanAd(row interface{ Scan(...any) error }) (model.Ad, error) {
	var a model.Ad
	var created, updated int64
	err := row.Scan(&a.ID, &a.AdvertiserID, &a.CampaignID, &a.AdGroupID, &a.Name, &a.SparkPostID, &a.PostID,
		&a.CTALabel, &a.CTAURL, &a.Status, &created, &updated)
	a.CreatedAt, a.UpdatedAt = timeOf(created), timeOf(updated)
	return a, err
}

var adTable = newTable("ads", adColumns, func(dst []any, a *model.Ad) ([]any, error) {
	return append(dst, a.ID, a.AdvertiserID, a.CampaignID, a.AdGroupID, a.Name, a.SparkPostID, a.PostID,
		a.CTALabel, a.CTAURL, a.Status, micros(a.CreatedAt), micros(a.UpdatedAt)), nil
})

// CreateAd implements store.Campaigns.
func (db *DB) CreateAd(ctx context.Context, a model.Ad) error {
	return adTable.create(ctx, db, &a)
}

// GetAd implements store.Campaigns.
func (db *DB) GetAd(ctx context.Context, id string) (model.Ad, error) {
	a, err := scanAd(db.queryRow(ctx, `SELECT `+adColumns+` FROM ads WHERE id = ?`, id))
	return a, db.translate(err)
}

// UpdateAd implements store.Campaigns.
func (db *DB) UpdateAd(ctx context.Context, a model.Ad) error {
	return db.execOne(ctx, `UPDATE ads SET name = ?, cta_label = ?, cta_url = ?, status = ?, updated_at = ?
		WHERE id = ?`, a.Name, a.CTALabel, a.CTAURL, a.Status, micros(a.UpdatedAt), a.ID)
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
