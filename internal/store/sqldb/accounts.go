package sqldb

import (
	"cmp"
	"context"
	"database/sql"
	"strings"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

const accountColumns = `id, kind, handle, display_name, creator_type, name, currency, timezone,
	token_hash, password_hash, created_at, updated_at, email, numeric_id`

func scanAccount(row interface{ Scan(...any) error }) (model.Account, error) {
	var a model.Account
	var handle, email sql.NullString
	var created, updated int64
	err := row.Scan(&a.ID, &a.Kind, &handle, &a.DisplayName, &a.CreatorType, &a.Name, &a.Currency,
		&a.Timezone, &a.TokenHash, &a.PasswordHash, &created, &updated, &email, numericDest{&a.NumericID})
	a.Handle, a.Email = handle.String, email.String
	a.CreatedAt, a.UpdatedAt = timeOf(created), timeOf(updated)
	return a, err
}

var accountTable = newTable("accounts", accountColumns, func(dst []any, a *model.Account) ([]any, error) {
	return append(dst, a.ID, a.Kind, nullable(a.Handle), a.DisplayName, a.CreatorType, a.Name, a.Currency,
		a.Timezone, a.TokenHash, a.PasswordHash, micros(a.CreatedAt), micros(a.UpdatedAt), nullable(a.Email), numeric(a.NumericID)), nil
})

// CreateAccount implements store.Accounts.
func (db *DB) CreateAccount(ctx context.Context, a model.Account) error {
	return accountTable.create(ctx, db, &a)
}

// GetAccount implements store.Accounts.
func (db *DB) GetAccount(ctx context.Context, id string) (model.Account, error) {
	return db.accountWhere(ctx, "id", id)
}

// AccountByTokenHash implements store.Accounts.
func (db *DB) AccountByTokenHash(ctx context.Context, hash []byte) (model.Account, error) {
	return db.accountWhere(ctx, "token_hash", hash)
}

// AccountByEmail implements store.Accounts.
func (db *DB) AccountByEmail(ctx context.Context, email string) (model.Account, error) {
	return db.accountWhere(ctx, "email", email)
}

// AccountByHandle implements store.Accounts.
func (db *DB) AccountByHandle(ctx context.Context, handle string) (model.Account, error) {
	return db.accountWhere(ctx, "handle", handle)
}

// accountWhere reads the account whose unique column equals v.
func (db *DB) accountWhere(ctx context.Context, column string, v any) (model.Account, error) {
	a, err := scanAccount(db.queryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE `+column+` = ?`, v))
	return a, db.translate(err)
}

// UpdateAccount implements store.Accounts: one UPDATE of the columns ch
// sets, never a rewrite of what it does not.
func (db *DB) UpdateAccount(ctx context.Context, id string, ch store.AccountChanges) error {
	var set []string
	var args []any
	add := func(column string, v any) {
		set = append(set, column+" = ?")
		args = append(args, v)
	}
	if ch.DisplayName != nil {
		add("display_name", *ch.DisplayName)
	}
	if ch.CreatorType != nil {
		add("creator_type", *ch.CreatorType)
	}
	if ch.Name != nil {
		add("name", *ch.Name)
	}
	if ch.Timezone != nil {
		add("timezone", *ch.Timezone)
	}
	if ch.Email != nil {
		add("email", nullable(*ch.Email))
	}
	if ch.PasswordHash != nil {
		add("password_hash", *ch.PasswordHash)
	}
	if len(ch.TokenHash) > 0 {
		add("token_hash", ch.TokenHash)
	}
	kind := change.Credentials
	if len(set) > 1 || len(ch.TokenHash) == 0 {
		kind = change.Account
	}
	add("updated_at", micros(ch.UpdatedAt))
	return db.changeTx(ctx, func(tx *sql.Tx) (*change.Event, error) {
		res, err := tx.ExecContext(ctx, db.q(`UPDATE accounts SET `+strings.Join(set, ", ")+` WHERE id = ?`), append(args, id)...)
		if err != nil {
			return nil, err
		}
		if n, err := res.RowsAffected(); err != nil || n == 0 {
			return nil, cmp.Or(err, store.ErrNotFound)
		}
		return &change.Event{Kind: kind, ID: id}, nil
	})
}

// ListAccounts implements store.Accounts.
func (db *DB) ListAccounts(ctx context.Context, kind model.AccountKind) ([]model.Account, error) {
	rows, err := db.query(ctx, `SELECT `+accountColumns+` FROM accounts WHERE kind = ? ORDER BY created_at, id`, kind)
	if err != nil {
		return nil, err
	}
	return collect(rows, scanAccount)
}

// collect scans every row with scan and closes rows.
func collect[T any](rows *sql.Rows, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}
