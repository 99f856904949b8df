package sqldb

import (
	"context"
	"database/sql"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/model"
)

// adGroupExists returns sql.ErrNoRows (not found) unless ad group id is
// stored.
func (db *DB) adGroupExists(ctx context.Context, tx *sql.Tx, id string) error {
	var one int
	return tx.QueryRowContext(ctx, db.q(`SELECT 1 FROM ad_groups WHERE id = ?`), id).Scan(&one)
}

// CreateAdTree implements store.Campaigns.
func (db *DB) CreateAdTree(ctx context.Context, c *model.Campaign, g *model.AdGroup, a model.Ad,
	check func(c model.Campaign) error) error {
	// One entry in the change log: the new ad is what the other nodes'
	// indexes must learn of (they read its ad group and campaign with it).
	return db.changeTx(ctx, func(tx *sql.Tx) (*change.Event, error) {
		if c != nil {
			if err := campaignTable.createTx(ctx, db, tx, c); err != nil {
				return nil, err
			}
		}
		if g != nil {
			stored, err := lockCampaign(ctx, db, tx, g.CampaignID)
			if err != nil {
				return nil, err
			}
			if check != nil {
				if err := check(stored); err != nil {
					return nil, err
				}
			}
			if err := adGroupTable.createTx(ctx, db, tx, g); err != nil {
				return nil, err
			}
		} else if err := db.adGroupExists(ctx, tx, a.AdGroupID); err != nil {
			return nil, err
		}
		return &change.Event{Kind: change.Ad, ID: a.ID}, adTable.createTx(ctx, db, tx, &a)
	})
}
