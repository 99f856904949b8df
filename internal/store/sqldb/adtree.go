package sqldb

import (
	"context"
	"database/sql"

	"github.com/flintads/flint/internal/model"
)

// CreateAdTree implements store.Campaigns.
func (db *DB) CreateAdTree(ctx context.Context, c *model.Campaign, g *model.AdGroup, a model.Ad,
	check func(c model.Campaign) error) error {
	return db.inTx(ctx, func(tx *sql.Tx) error {
		if c != nil {
			if err := campaignTable.createTx(ctx, db, tx, c); err != nil {
				return err
			}
		}
		if g != nil {
			stored, err := lockCampaign(ctx, db, tx, g.CampaignID)
			if err != nil {
				return err
			}
			if check != nil {
				if err := check(stored); err != nil {
					return err
				}
			}
			if err := adGroupTable.createTx(ctx, db, tx, g); err != nil {
				return err
			}
		} else {
			var one int
			if err := tx.QueryRowContext(ctx, db.q(`SELECT 1 FROM ad_groups WHERE id = ?`), a.AdGroupID).Scan(&one); err != nil {
				return err // sql.ErrNoRows: not found
			}
		}
		return adTable.createTx(ctx, db, tx, &a)
	})
}
