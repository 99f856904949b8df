package sqlite

import (
	"context"
	"database/sql"
	"sync"
	"time"
)

// Checkpoints. By default SQLite copies the write-ahead log back into the
// database file (a checkpoint) in the connection that commits once the log
// holds 1,000 pages (4 MB), and the commit waits for it. Event ingestion
// with random event IDs dirties pages all over the event indexes, so that
// nearly every group commit crossed the mark and paid for a checkpoint,
// rewriting pages that the next commit dirtied again: a fifth of ingestion's
// time. Instead a checkpointer copies the log on its own connection, beside
// the writer (a PASSIVE checkpoint never blocks it), every
// checkpointInterval; the writer checkpoints by itself only past
// writerCheckpointPages, should the checkpointer fall behind.
const (
	checkpointInterval    = 250 * time.Millisecond
	writerCheckpointPages = 32768 // 128 MB of 4 KB pages
)

// checkpointer runs PASSIVE checkpoints on its own connection until stopped.
type checkpointer struct {
	db   *sql.DB
	stop context.CancelFunc
	done sync.WaitGroup
}

func startCheckpointer(path string) (*checkpointer, error) {
	db, err := sql.Open("sqlite", checkpointDSN(path))
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	db.SetConnMaxLifetime(0)
	ctx, stop := context.WithCancel(context.Background())
	c := &checkpointer{db: db, stop: stop}
	c.done.Add(1)
	go func() {
		defer c.done.Done()
		t := time.NewTicker(checkpointInterval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			// A failed checkpoint is retried on the next tick; the
			// writer's own checkpoints bound the log meanwhile.
			var busy, log, copied int64
			_ = db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(PASSIVE)").Scan(&busy, &log, &copied)
		}
	}()
	return c, nil
}

// Close stops the checkpointer and closes its connection.
func (c *checkpointer) Close() error {
	c.stop()
	c.done.Wait()
	return c.db.Close()
}
