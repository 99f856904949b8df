package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

const authorizationColumns = `id, post_id, creator_id, days, terms_version, terms_accepted_at, created_at,
	generated_at, expires_at, revoked_at, updated_at, version`

func scanAuthorization(row interface{ Scan(...any) error }) (model.Authorization, error) {
	var a model.Authorization
	dst, finish := authorizationFields(&a)
	err := row.Scan(dst...)
	finish()
	return a, err
}

// authorizationFields returns where to scan the authorizationColumns of a
// row into a, and what completes a after the scan.
func authorizationFields(a *model.Authorization) ([]any, func()) {
	var terms, created, generated, expires, revoked, updated int64
	return []any{&a.ID, &a.PostID, &a.CreatorID, &a.Days, &a.TermsVersion, &terms, &created,
			&generated, &expires, &revoked, &updated, &a.Version}, func() {
			a.TermsAcceptedAt, a.CreatedAt, a.GeneratedAt = timeOf(terms), timeOf(created), timeOf(generated)
			a.ExpiresAt, a.RevokedAt, a.UpdatedAt = timeOf(expires), timeOf(revoked), timeOf(updated)
		}
}

// prefixed qualifies each column of a column list with a table alias.
func prefixed(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + "." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

var authorizationTable = newTable("authorizations", authorizationColumns,
	func(dst []any, a *model.Authorization) ([]any, error) {
		return append(dst, a.ID, a.PostID, a.CreatorID, a.Days, a.TermsVersion, micros(a.TermsAcceptedAt),
			micros(a.CreatedAt), micros(a.GeneratedAt), micros(a.ExpiresAt), micros(a.RevokedAt),
			micros(a.UpdatedAt), int64(1)), nil
	})

// GetAuthorization implements store.Authorizations.
func (db *DB) GetAuthorization(ctx context.Context, id string) (model.Authorization, error) {
	a, err := scanAuthorization(db.queryRow(ctx, `SELECT `+authorizationColumns+` FROM authorizations WHERE id = ?`, id))
	return a, db.translate(err)
}

// CurrentAuthorization implements store.Authorizations.
func (db *DB) CurrentAuthorization(ctx context.Context, postID string) (model.Authorization, error) {
	a, err := scanAuthorization(db.queryRow(ctx, `SELECT `+authorizationColumns+` FROM authorizations
		WHERE post_id = ? AND is_current`, postID))
	return a, db.translate(err)
}

// ChangeAuthorization implements store.Authorizations.
func (db *DB) ChangeAuthorization(ctx context.Context, postID string,
	step func(p model.Post, cur model.Authorization, ok bool) (store.EpisodeChange, error)) error {
	return db.changeTx(ctx, func(tx *sql.Tx) (*change.Event, error) {
		p, err := scanPost(tx.QueryRowContext(ctx, db.q(`SELECT `+postColumns+` FROM posts WHERE id = ?`+db.D.LockRow), postID))
		if err != nil {
			return nil, err
		}
		cur, err := scanAuthorization(tx.QueryRowContext(ctx, db.q(`SELECT `+authorizationColumns+` FROM authorizations
			WHERE post_id = ? AND is_current`), postID))
		ok := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, err
		}
		ch, err := step(p, cur, ok)
		if err != nil || ch == (store.EpisodeChange{}) {
			return nil, err
		}
		return &change.Event{Kind: change.Authorization, ID: postID}, db.storeEpisodeChange(ctx, tx, postID, cur, ok, ch)
	})
}

// storeEpisodeChange stores what one step of a post's authorization
// lifecycle decided (see ChangeAuthorization).
func (db *DB) storeEpisodeChange(ctx context.Context, tx *sql.Tx, postID string, cur model.Authorization, ok bool,
	ch store.EpisodeChange) error {
	{
		if a := ch.Updated; a != nil {
			if !ok || a.ID != cur.ID {
				return fmt.Errorf("store: ChangeAuthorization may update only the current episode of post %s", postID)
			}
			a.Version = cur.Version + 1
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE authorizations SET days = ?, terms_version = ?,
				terms_accepted_at = ?, generated_at = ?, expires_at = ?, revoked_at = ?, updated_at = ?, version = ?
				WHERE id = ?`), a.Days, a.TermsVersion, micros(a.TermsAcceptedAt), micros(a.GeneratedAt),
				micros(a.ExpiresAt), micros(a.RevokedAt), micros(a.UpdatedAt), a.Version, a.ID); err != nil {
				return err
			}
		}
		if a := ch.New; a != nil {
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE authorizations SET is_current = FALSE
				WHERE post_id = ? AND is_current`), postID); err != nil {
				return err
			}
			a.PostID, a.Version = postID, 1
			if err := authorizationTable.createTx(ctx, db, tx, a); err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE authorizations SET is_current = TRUE WHERE id = ?`), a.ID); err != nil {
				return err
			}
		}
		if c := ch.Code; c != nil {
			return codeTable.createTx(ctx, db, tx, c)
		}
		return nil
	}
}

// markCurrent makes the latest episode of each post that has none current:
// for episodes stored by Seed.
func markCurrent(ctx context.Context, db *DB, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, db.q(`UPDATE authorizations SET is_current = TRUE WHERE NOT EXISTS (
		SELECT 1 FROM authorizations b WHERE b.post_id = authorizations.post_id
		AND (b.is_current OR b.created_at > authorizations.created_at
			OR (b.created_at = authorizations.created_at AND b.id > authorizations.id)))`))
	return err
}

// ListAuthorizations implements store.Authorizations.
func (db *DB) ListAuthorizations(ctx context.Context) ([]model.Authorization, error) {
	rows, err := db.query(ctx, `SELECT `+authorizationColumns+` FROM authorizations ORDER BY created_at, id`)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAuthorization)
}

const codeColumns = `id, authorization_id, post_id, hash, advertiser_id, max_redemptions, redemptions, created_at`

func scanCode(row interface{ Scan(...any) error }) (model.AdCode, error) {
	var c model.AdCode
	var created int64
	err := row.Scan(&c.ID, &c.AuthorizationID, &c.PostID, &c.Hash, &c.AdvertiserID, &c.MaxRedemptions,
		&c.Redemptions, &created)
	c.CreatedAt = timeOf(created)
	return c, err
}

var codeTable = newTable("ad_codes", codeColumns, func(dst []any, c *model.AdCode) ([]any, error) {
	return append(dst, c.ID, c.AuthorizationID, c.PostID, c.Hash, c.AdvertiserID, c.MaxRedemptions,
		c.Redemptions, micros(c.CreatedAt)), nil
})

// CreateCode implements store.Authorizations.
func (db *DB) CreateCode(ctx context.Context, c model.AdCode) error {
	return codeTable.create(ctx, db, &c)
}

// CodeByHash implements store.Authorizations.
func (db *DB) CodeByHash(ctx context.Context, hash []byte) (model.AdCode, error) {
	c, err := scanCode(db.queryRow(ctx, `SELECT `+codeColumns+` FROM ad_codes WHERE hash = ?`, hash))
	return c, db.translate(err)
}

const sparkPostColumns = `id, advertiser_id, post_id, creator_id, authorization_id, code_id, added_at, updated_at,
	sealed_code`

var sparkPostTable = newTable("spark_posts", sparkPostColumns, func(dst []any, s *model.SparkPost) ([]any, error) {
	return append(dst, s.ID, s.AdvertiserID, s.PostID, s.CreatorID, s.AuthorizationID, s.CodeID,
		micros(s.AddedAt), micros(s.UpdatedAt), s.SealedCode), nil
})

// redemption is one advertiser's redemption of one code.
type redemption struct {
	codeID, advertiserID string
	at                   time.Time
}

var redemptionTable = newTable("code_redemptions", "code_id, advertiser_id, redeemed_at",
	func(dst []any, r *redemption) ([]any, error) {
		return append(dst, r.codeID, r.advertiserID, micros(r.at)), nil
	})

func scanSparkPost(row interface{ Scan(...any) error }) (model.SparkPost, error) {
	var sp model.SparkPost
	dst, finish := sparkPostFields(&sp)
	err := row.Scan(dst...)
	finish()
	return sp, err
}

// sparkPostFields returns where to scan the sparkPostColumns of a row into
// s, and what completes s after the scan.
func sparkPostFields(s *model.SparkPost) ([]any, func()) {
	var added, updated int64
	return []any{&s.ID, &s.AdvertiserID, &s.PostID, &s.CreatorID, &s.AuthorizationID, &s.CodeID, &added, &updated,
			&s.SealedCode},
		func() { s.AddedAt, s.UpdatedAt = timeOf(added), timeOf(updated) }
}

// RedeemCode implements store.Authorizations.
func (db *DB) RedeemCode(ctx context.Context, code model.AdCode, sp model.SparkPost) (model.SparkPost, bool, error) {
	var entry model.SparkPost
	created := false
	err := db.changeTx(ctx, func(tx *sql.Tx) (*change.Event, error) {
		changed, err := db.redeem(ctx, tx, code, &sp, &entry, &created)
		if err != nil || !changed {
			return nil, err
		}
		return &change.Event{Kind: change.SparkPost, ID: entry.ID}, nil
	})
	return entry, created, err
}

// redeem is RedeemCode's transaction: it sets entry (and created) to the
// library entry as stored.
func (db *DB) redeem(ctx context.Context, tx *sql.Tx, code model.AdCode, sp *model.SparkPost, entry *model.SparkPost,
	created *bool) (changed bool, err error) {
	{
		// Lock the advertiser, then the code (always in that order): the
		// first serialises the advertiser's redemptions of any codes of one
		// post, which read and then write its single entry for the post; the
		// second serialises the advertisers counted against the code's limit.
		var advertiser string
		err = tx.QueryRowContext(ctx, db.q(`SELECT id FROM accounts WHERE id = ?`+db.D.ForUpdate),
			sp.AdvertiserID).Scan(&advertiser)
		if err != nil {
			return false, err
		}
		var redemptions, max int
		err = tx.QueryRowContext(ctx, db.q(`SELECT redemptions, max_redemptions FROM ad_codes WHERE id = ?`+db.D.ForUpdate),
			code.ID).Scan(&redemptions, &max)
		if err != nil {
			return false, err
		}
		existing, err := scanSparkPost(tx.QueryRowContext(ctx, db.q(`SELECT `+sparkPostColumns+`
			FROM spark_posts WHERE advertiser_id = ? AND post_id = ?`), sp.AdvertiserID, code.PostID))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			existing.ID = ""
		case err != nil:
			return false, err
		}
		var one int
		err = tx.QueryRowContext(ctx, db.q(`SELECT 1 FROM code_redemptions WHERE code_id = ? AND advertiser_id = ?`),
			code.ID, sp.AdvertiserID).Scan(&one)
		alreadyRedeemed := err == nil
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return false, err
		}
		// A code is redeemed once per advertiser: again, it changes nothing,
		// even if the entry has moved to another code or episode since.
		if alreadyRedeemed && existing.ID != "" {
			if existing.CodeID == code.ID && existing.SealedCode == nil && sp.SealedCode != nil {
				// Redeemed before Flint kept codes: keep it now (nothing
				// that serving depends on changes: no change is logged).
				existing.SealedCode = sp.SealedCode
				if _, err := tx.ExecContext(ctx, db.q(`UPDATE spark_posts SET sealed_code = ? WHERE id = ?`),
					existing.SealedCode, existing.ID); err != nil {
					return false, err
				}
			}
			*entry = existing
			return false, nil
		}
		if !alreadyRedeemed {
			if max > 0 && redemptions >= max {
				return false, store.ErrLimitReached
			}
			r := redemption{codeID: code.ID, advertiserID: sp.AdvertiserID, at: sp.AddedAt}
			if err := redemptionTable.createTx(ctx, db, tx, &r); err != nil {
				return false, err
			}
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE ad_codes SET redemptions = redemptions + 1 WHERE id = ?`),
				code.ID); err != nil {
				return false, err
			}
		}
		if existing.ID != "" {
			existing.AuthorizationID, existing.CodeID, existing.UpdatedAt = code.AuthorizationID, code.ID, sp.AddedAt
			existing.SealedCode = sp.SealedCode
			if _, err := tx.ExecContext(ctx, db.q(`UPDATE spark_posts SET authorization_id = ?, code_id = ?,
				updated_at = ?, sealed_code = ? WHERE id = ?`), existing.AuthorizationID, existing.CodeID,
				micros(existing.UpdatedAt), existing.SealedCode, existing.ID); err != nil {
				return false, err
			}
			*entry = existing
			return true, nil
		}
		sp.PostID, sp.AuthorizationID, sp.CodeID = code.PostID, code.AuthorizationID, code.ID
		if err := sparkPostTable.createTx(ctx, db, tx, sp); err != nil {
			return false, err
		}
		*entry, *created = *sp, true
		return true, nil
	}
}

// GetSparkPost implements store.Authorizations.
func (db *DB) GetSparkPost(ctx context.Context, id string) (model.SparkPost, error) {
	s, err := scanSparkPost(db.queryRow(ctx, `SELECT `+sparkPostColumns+` FROM spark_posts WHERE id = ?`, id))
	return s, db.translate(err)
}

// ListSparkPosts implements store.Authorizations.
func (db *DB) ListSparkPosts(ctx context.Context, advertiserID string) ([]model.SparkPost, error) {
	var rows *sql.Rows
	var err error
	if advertiserID == "" {
		rows, err = db.query(ctx, `SELECT `+sparkPostColumns+` FROM spark_posts ORDER BY added_at DESC, id DESC`)
	} else {
		rows, err = db.query(ctx, `SELECT `+sparkPostColumns+` FROM spark_posts WHERE advertiser_id = ?
			ORDER BY added_at DESC, id DESC`, advertiserID)
	}
	if err != nil {
		return nil, err
	}
	return collect(rows, scanSparkPost)
}

// DeleteSparkPost implements store.Authorizations.
func (db *DB) DeleteSparkPost(ctx context.Context, id string) error {
	return db.changeTx(ctx, func(tx *sql.Tx) (*change.Event, error) {
		// Locking the entry first makes an ad being created on it (whose
		// foreign key check share-locks the entry) either commit before the
		// count below, which then sees it, or wait and fail after the delete.
		var found string
		if err := tx.QueryRowContext(ctx, db.q(`SELECT id FROM spark_posts WHERE id = ?`+db.D.ForUpdate), id).Scan(&found); err != nil {
			return nil, err
		}
		var n int
		if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM ads WHERE spark_post_id = ?`), id).Scan(&n); err != nil {
			return nil, err
		}
		if n > 0 {
			return nil, store.ErrConflict
		}
		res, err := tx.ExecContext(ctx, db.q(`DELETE FROM spark_posts WHERE id = ?`), id)
		if err != nil {
			return nil, err
		}
		if k, err := res.RowsAffected(); err != nil {
			return nil, err
		} else if k == 0 {
			return nil, store.ErrNotFound
		}
		return &change.Event{Kind: change.SparkPost, ID: id}, nil
	})
}

// PostAdvertisers implements store.Authorizations.
func (db *DB) PostAdvertisers(ctx context.Context, postID string) ([]model.PostAdvertiser, error) {
	rows, err := db.query(ctx, `SELECT s.advertiser_id, a.name, s.added_at, `+prefixed("e", authorizationColumns)+`
		FROM spark_posts s JOIN accounts a ON a.id = s.advertiser_id JOIN authorizations e ON e.id = s.authorization_id
		WHERE s.post_id = ? ORDER BY s.added_at, s.id`, postID)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (model.PostAdvertiser, error) {
		var p model.PostAdvertiser
		var added int64
		episode, finish := authorizationFields(&p.Authorization)
		err := row.Scan(append([]any{&p.AdvertiserID, &p.Name, &added}, episode...)...)
		finish()
		p.AddedAt = timeOf(added)
		return p, err
	})
}

// LibraryEntries implements store.Authorizations.
func (db *DB) LibraryEntries(ctx context.Context, advertiserID, id string) ([]model.LibraryEntry, error) {
	query := `SELECT ` + prefixed("s", sparkPostColumns) + `, ` + prefixed("p", postColumns) + `,
		c.handle, c.display_name, c.creator_type, c.numeric_id, ` + prefixed("e", authorizationColumns) + `
		FROM spark_posts s JOIN posts p ON p.id = s.post_id JOIN accounts c ON c.id = s.creator_id
		JOIN authorizations e ON e.id = s.authorization_id
		WHERE s.advertiser_id = ?`
	args := []any{advertiserID}
	if id != "" {
		query += ` AND s.id = ?`
		args = append(args, id)
	}
	rows, err := db.query(ctx, query+` ORDER BY s.added_at DESC, s.id DESC`, args...)
	if err != nil {
		return nil, err
	}
	return collect(rows, func(row interface{ Scan(...any) error }) (model.LibraryEntry, error) {
		var e model.LibraryEntry
		sp, finishSP := sparkPostFields(&e.SparkPost)
		p, finishP := postFields(&e.Post)
		a, finishA := authorizationFields(&e.Authorization)
		dst := append(append(sp, p...), &e.Creator.Handle, &e.Creator.DisplayName, &e.Creator.CreatorType,
			numericDest{&e.Creator.NumericID})
		err := row.Scan(append(dst, a...)...)
		finishSP()
		finishP()
		finishA()
		e.Creator.ID, e.Creator.Kind = e.SparkPost.CreatorID, model.KindCreator
		return e, err
	})
}
