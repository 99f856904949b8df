package sqldb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/flintads/flint/internal/ids"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

// numberedTables are the tables whose rows carry a numeric id, by kind.
var numberedTables = map[model.NumberedKind]string{
	model.NumberedAccount:  "accounts",
	model.NumberedPost:     "posts",
	model.NumberedCampaign: "campaigns",
	model.NumberedAdGroup:  "ad_groups",
	model.NumberedAd:       "ads",
}

// numeric returns n, or a fresh numeric id when n is zero: a row is never
// stored without one (callers such as Seed may leave it unset).
func numeric(n int64) int64 {
	if n == 0 {
		return ids.NewNumeric()
	}
	return n
}

// fillNumericIDs gives a numeric id to every numbered row that has none:
// the rows made before migration 00060 (and any that a binary older than it
// still writes to a shared database, at the next start). Each row is set
// by a conditional UPDATE, so processes that start together never
// overwrite each other's ids.
func fillNumericIDs(ctx context.Context, db *sql.DB, d Dialect) error {
	for _, table := range numberedTables {
		for {
			rows, err := db.QueryContext(ctx, `SELECT id FROM `+table+` WHERE numeric_id IS NULL LIMIT 1000`)
			if err != nil {
				return fmt.Errorf("numeric ids of %s: %w", table, err)
			}
			var missing []string
			for rows.Next() {
				var id string
				if err := rows.Scan(&id); err != nil {
					rows.Close()
					return err
				}
				missing = append(missing, id)
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			if len(missing) == 0 {
				break
			}
			update := `UPDATE ` + table + ` SET numeric_id = ? WHERE id = ? AND numeric_id IS NULL`
			if d.Numbered {
				update = rebind(update)
			}
			for _, id := range missing {
				if _, err := db.ExecContext(ctx, update, ids.NewNumeric(), id); err != nil {
					return fmt.Errorf("numeric id of %s %s: %w", table, id, err)
				}
			}
		}
	}
	return nil
}

// IDByNumber implements store.Numbered.
func (db *DB) IDByNumber(ctx context.Context, kind model.NumberedKind, n int64) (string, error) {
	table, ok := numberedTables[kind]
	if !ok {
		return "", fmt.Errorf("no numbered objects of kind %q", kind)
	}
	var id string
	err := db.queryRow(ctx, `SELECT id FROM `+table+` WHERE numeric_id = ?`, n).Scan(&id)
	return id, db.translate(err)
}

var _ store.Numbered = (*DB)(nil)

// numericDest scans a numeric id column: NULL (a row that a binary older
// than the column wrote, until fillNumericIDs next runs) reads as 0.
type numericDest struct{ p *int64 }

func (d numericDest) Scan(v any) error {
	switch x := v.(type) {
	case nil:
		*d.p = 0
	case int64:
		*d.p = x
	default:
		return fmt.Errorf("numeric id of type %T", v)
	}
	return nil
}
