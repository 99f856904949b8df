package sqldb

import (
	"context"
	"database/sql"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/model"
)

const postColumns = `id, creator_id, caption, video_url, duration_ms, visibility, original,
	has_music, music_title, music_commercial, music_own, deleted, created_at, updated_at, version, numeric_id`

func scanPost(row interface{ Scan(...any) error }) (model.Post, error) {
	var p model.Post
	dst, finish := postFields(&p)
	err := row.Scan(dst...)
	finish()
	return p, err
}

// postFields returns where to scan the postColumns of a row into p, and
// what completes p after the scan.
func postFields(p *model.Post) ([]any, func()) {
	var hasMusic bool
	var m model.Music
	var created, updated int64
	return []any{&p.ID, &p.CreatorID, &p.Caption, &p.VideoURL, &p.DurationMS, &p.Visibility, &p.Original,
			&hasMusic, &m.Title, &m.Commercial, &m.Own, &p.Deleted, &created, &updated, &p.Version, numericDest{&p.NumericID}}, func() {
			if hasMusic {
				p.Music = &m
			}
			p.CreatedAt, p.UpdatedAt = timeOf(created), timeOf(updated)
		}
}

func musicArgs(m *model.Music) (bool, string, bool, bool) {
	if m == nil {
		return false, "", false, false
	}
	return true, m.Title, m.Commercial, m.Own
}

var postTable = newTable("posts", postColumns, func(dst []any, p *model.Post) ([]any, error) {
	has, title, commercial, own := musicArgs(p.Music)
	return append(dst, p.ID, p.CreatorID, p.Caption, p.VideoURL, p.DurationMS, p.Visibility, p.Original,
		has, title, commercial, own, p.Deleted, micros(p.CreatedAt), micros(p.UpdatedAt), int64(1), numeric(p.NumericID)), nil
})

// CreatePost implements store.Posts.
func (db *DB) CreatePost(ctx context.Context, p model.Post) error {
	return postTable.create(ctx, db, &p)
}

// GetPost implements store.Posts.
func (db *DB) GetPost(ctx context.Context, id string) (model.Post, error) {
	p, err := scanPost(db.queryRow(ctx, `SELECT `+postColumns+` FROM posts WHERE id = ?`, id))
	return p, db.translate(err)
}

// UpdatePost implements store.Posts.
func (db *DB) UpdatePost(ctx context.Context, id string, edit func(p *model.Post) error) (model.Post, error) {
	var p model.Post
	err := db.changeTx(ctx, func(tx *sql.Tx) (*change.Event, error) {
		var err error
		p, err = scanPost(tx.QueryRowContext(ctx, db.q(`SELECT `+postColumns+` FROM posts WHERE id = ?`+db.D.LockRow), id))
		if err != nil {
			return nil, err
		}
		if err := edit(&p); err != nil {
			return nil, err
		}
		p.Version++
		has, title, commercial, own := musicArgs(p.Music)
		_, err = tx.ExecContext(ctx, db.q(`UPDATE posts SET caption = ?, video_url = ?, duration_ms = ?, visibility = ?,
			original = ?, has_music = ?, music_title = ?, music_commercial = ?, music_own = ?, deleted = ?,
			updated_at = ?, version = ? WHERE id = ?`),
			p.Caption, p.VideoURL, p.DurationMS, p.Visibility, p.Original, has, title, commercial, own,
			p.Deleted, micros(p.UpdatedAt), p.Version, id)
		return &change.Event{Kind: change.Post, ID: id}, err
	})
	return p, err
}

// ListPosts implements store.Posts.
func (db *DB) ListPosts(ctx context.Context, creatorID string) ([]model.Post, error) {
	var rows *sql.Rows
	var err error
	if creatorID == "" {
		rows, err = db.query(ctx, `SELECT `+postColumns+` FROM posts ORDER BY created_at DESC, id DESC`)
	} else {
		rows, err = db.query(ctx, `SELECT `+postColumns+` FROM posts WHERE creator_id = ?
			ORDER BY created_at DESC, id DESC`, creatorID)
	}
	if err != nil {
		return nil, err
	}
	return collect(rows, scanPost)
}

// PostStats implements store.Posts.
func (db *DB) PostStats(ctx context.Context, postIDs []string) (map[string]model.PostStats, error) {
	out := make(map[string]model.PostStats, len(postIDs))
	err := chunks(postIDs, 500, func(part []string) error {
		rows, err := db.query(ctx, `SELECT post_id, paid, views, likes, comments, shares, follows
			FROM post_stats WHERE post_id IN (`+placeholders(len(part))+`)`, anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var paid bool
			var e model.Engagement
			if err := rows.Scan(&id, &paid, &e.Views, &e.Likes, &e.Comments, &e.Shares, &e.Follows); err != nil {
				return err
			}
			s := out[id]
			if paid {
				s.Paid = e
			} else {
				s.Organic = e
			}
			out[id] = s
		}
		return rows.Err()
	})
	return out, err
}

// ExistingPosts implements store.Posts.
func (db *DB) ExistingPosts(ctx context.Context, postIDs []string) (map[string]bool, error) {
	out := make(map[string]bool, len(postIDs))
	err := chunks(postIDs, 500, func(part []string) error {
		rows, err := db.query(ctx, `SELECT id FROM posts WHERE id IN (`+placeholders(len(part))+`)`, anys(part)...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out[id] = true
		}
		return rows.Err()
	})
	return out, err
}
