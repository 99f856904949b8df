package sqldb

import (
	"context"
	"time"

	"github.com/flintads/flint/internal/model"
)

// CreateSession implements store.Sessions.
func (db *DB) CreateSession(ctx context.Context, s model.Session) error {
	_, err := db.exec(ctx, `INSERT INTO web_sessions (hash, account_id, operator, password_tag, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?)`, s.Hash, s.AccountID, s.Operator, s.PasswordTag, micros(s.CreatedAt), micros(s.ExpiresAt))
	return err
}

// SessionByHash implements store.Sessions.
func (db *DB) SessionByHash(ctx context.Context, hash []byte) (model.Session, error) {
	var s model.Session
	var created, expires int64
	err := db.queryRow(ctx, `SELECT hash, account_id, operator, password_tag, created_at, expires_at
		FROM web_sessions WHERE hash = ?`, hash).Scan(&s.Hash, &s.AccountID, &s.Operator, &s.PasswordTag, &created, &expires)
	s.CreatedAt, s.ExpiresAt = timeOf(created), timeOf(expires)
	return s, db.translate(err)
}

// DeleteSession implements store.Sessions.
func (db *DB) DeleteSession(ctx context.Context, hash []byte) error {
	_, err := db.exec(ctx, `DELETE FROM web_sessions WHERE hash = ?`, hash)
	return err
}

// DeleteExpiredSessions implements store.Sessions.
func (db *DB) DeleteExpiredSessions(ctx context.Context, now time.Time) (int, error) {
	res, err := db.exec(ctx, `DELETE FROM web_sessions WHERE expires_at <= ?`, micros(now))
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
