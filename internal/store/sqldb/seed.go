package sqldb

import (
	"context"
	"database/sql"
	"database/sql/driver"

	"github.com/flintads/flint/internal/model"
)

const (
	// maxParams bounds the parameters of one statement: SQLite allows
	// 32766, PostgreSQL 65535.
	maxParams = 32766
	// maxRowsPerInsert bounds the rows of one multi-row INSERT. Beyond a few
	// hundred rows, bigger statements save nothing measurable.
	maxRowsPerInsert = 500
)

// Seed implements store.Seeder.
func (db *DB) Seed(ctx context.Context, w model.World) error {
	// Each library entry exists because its advertiser redeemed its code.
	redemptions := make([]redemption, len(w.SparkPosts))
	for i, sp := range w.SparkPosts {
		redemptions[i] = redemption{codeID: sp.CodeID, advertiserID: sp.AdvertiserID, at: sp.AddedAt}
	}
	// One connection for the preparation, the transaction and the cleanup.
	conn, err := db.W.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if db.D.BulkLoad != nil {
		restore, err := db.D.BulkLoad(ctx, conn)
		if err != nil {
			return err
		}
		defer func() {
			if restore(context.WithoutCancel(ctx)) != nil {
				// Not as it was: have the pool replace the connection.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
		}()
	}
	return db.inTxOn(ctx, conn, func(tx *sql.Tx) error {
		for _, insert := range []func() error{
			func() error { return insertAll(ctx, db, tx, accountTable, w.Accounts) },
			func() error { return insertAll(ctx, db, tx, postTable, w.Posts) },
			func() error { return insertAll(ctx, db, tx, authorizationTable, w.Authorizations) },
			func() error { return markCurrent(ctx, db, tx) },
			func() error { return insertAll(ctx, db, tx, codeTable, w.AdCodes) },
			func() error { return insertAll(ctx, db, tx, sparkPostTable, w.SparkPosts) },
			func() error { return insertAll(ctx, db, tx, redemptionTable, redemptions) },
			func() error { return insertAll(ctx, db, tx, campaignTable, w.Campaigns) },
			func() error { return insertAll(ctx, db, tx, adGroupTable, w.AdGroups) },
			func() error { return insertAll(ctx, db, tx, adTable, w.Ads) },
		} {
			if err := insert(); err != nil {
				return err
			}
		}
		return nil
	})
}

// insertAll inserts rows into t within tx, with multi-row INSERTs that stay
// within the engines' parameter limits. The statement for a full batch is
// prepared once.
func insertAll[T any](ctx context.Context, db *DB, tx *sql.Tx, t table[T], rows []T) error {
	if len(rows) == 0 {
		return nil
	}
	per := max(1, min(maxRowsPerInsert, maxParams/t.n))
	args := make([]any, 0, min(per, len(rows))*t.n)
	var full *sql.Stmt
	defer func() {
		if full != nil {
			full.Close()
		}
	}()
	for len(rows) > 0 {
		k := min(per, len(rows))
		args = args[:0]
		for i := range rows[:k] {
			var err error
			if args, err = t.row(args, &rows[i]); err != nil {
				return err
			}
		}
		var err error
		if k == per {
			if full == nil {
				if full, err = tx.PrepareContext(ctx, db.bind(t.insert(per))); err != nil {
					return err
				}
			}
			_, err = full.ExecContext(ctx, args...)
		} else {
			_, err = tx.ExecContext(ctx, db.bind(t.insert(k)), args...)
		}
		if err != nil {
			return err
		}
		rows = rows[k:]
	}
	return nil
}
