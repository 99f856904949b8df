package sqldb

import (
	"context"
	"database/sql"

	"github.com/flintads/flint/internal/model"
)

const accountColumns = `id, kind, handle, display_name, creator_type, name, currency, timezone,
	token_hash, password_hash, created_at, updated_at`

func scanAccount(row interface{ Scan(...any) error }) (model.Account, error) {
	var a model.Account
	var handle sql.NullString
	var created, updated int64
	err := row.Scan(&a.ID, &a.Kind, &handle, &a.DisplayName, &a.CreatorType, &a.Name, &a.Currency,
		&a.Timezone, &a.TokenHash, &a.PasswordHash, &created, &updated)
	a.Handle = handle.String
	a.CreatedAt, a.UpdatedAt = timeOf(created), timeOf(updated)
	return a, err
}

var accountTable = newTable("accounts", accountColumns, func(dst []any, a *model.Account) ([]any, error) {
	return append(dst, a.ID, a.Kind, nullable(a.Handle), a.DisplayName, a.CreatorType, a.Name, a.Currency,
		a.Timezone, a.TokenHash, a.PasswordHash, micros(a.CreatedAt), micros(a.UpdatedAt)), nil
})

// CreateAccount implements store.Accounts.
func (db *DB) CreateAccount(ctx context.Context, a model.Account) error {
	return accountTable.create(ctx, db, &a)
}

// GetAccount implements store.Accounts.
func (db *DB) GetAccount(ctx context.Context, id string) (model.Account, error) {
	a, err := scanAccount(db.queryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE id = ?`, id))
	return a, db.translate(err)
}

// AccountByTokenHash implements store.Accounts.
func (db *DB) AccountByTokenHash(ctx context.Context, hash []byte) (model.Account, error) {
	a, err := scanAccount(db.queryRow(ctx, `SELECT `+accountColumns+` FROM accounts WHERE token_hash = ?`, hash))
	return a, db.translate(err)
}

// UpdateAccount implements store.Accounts.
func (db *DB) UpdateAccount(ctx context.Context, a model.Account) error {
	return db.execOne(ctx, `UPDATE accounts SET handle = ?, display_name = ?, creator_type = ?, name = ?,
		currency = ?, timezone = ?, token_hash = ?, password_hash = ?, updated_at = ? WHERE id = ?`,
		nullable(a.Handle), a.DisplayName, a.CreatorType, a.Name, a.Currency, a.Timezone, a.TokenHash,
		a.PasswordHash, micros(a.UpdatedAt), a.ID)
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
