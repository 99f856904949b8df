// Package retention deletes raw engagement events once they are older
// than the configured retention. Rollups and counters, which reports and
// budgets read, are never touched: only the raw rows go.
package retention

import (
	"context"
	"log/slog"
	"time"

	"github.com/flintads/flint/internal/clock"
)

// Store deletes old raw events, at most limit at a time.
type Store interface {
	PurgeEvents(ctx context.Context, before time.Time, limit int) (int64, error)
}

// batch is how many events one delete takes: short transactions, so
// ingestion is never held up for long.
const batch = 5000

// Purge deletes every raw event older than keep, batch by batch, and
// returns how many it deleted.
func Purge(ctx context.Context, s Store, now time.Time, keep time.Duration) (int64, error) {
	before := now.Add(-keep)
	var total int64
	for {
		n, err := s.PurgeEvents(ctx, before, batch)
		total += n
		if err != nil || n < batch {
			return total, err
		}
		if err := ctx.Err(); err != nil {
			return total, err
		}
	}
}

// Run purges now and then every interval until ctx is cancelled.
func Run(ctx context.Context, s Store, c clock.Clock, keep, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := Purge(ctx, s, c.Now(), keep)
		switch {
		case err != nil && ctx.Err() == nil:
			log.Error("purging old events failed", "err", err)
		case n > 0:
			log.Info("old events purged", "events", n, "retention", keep)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
