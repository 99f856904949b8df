// Package retention deletes raw engagement events once they are older
// than the configured retention. Rollups and counters, which reports and
// budgets read, are never touched: only the raw rows go.
package retention

import (
	"context"
	"log/slog"
	"time"

	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/ids"
)

// Store deletes old raw events, at most limit of each kind at a time.
type Store interface {
	PurgeEvents(ctx context.Context, before time.Time, keyedBefore []byte, limit int) (int64, error)
}

// batch is how many events one delete takes: short transactions, so
// ingestion is never held up for long.
const batch = 5000

// Purge deletes every raw event older than keep, batch by batch, and
// returns how many it deleted. Ad events are found by their once key,
// which starts with their time-ordered decision id: those decided more
// than keep + tokenTTL ago are older than keep (an event comes at most
// tokenTTL after its decision). Events without a once key (organic,
// comments, shares) are found by their time.
func Purge(ctx context.Context, s Store, now time.Time, keep, tokenTTL time.Duration) (int64, error) {
	before := now.Add(-keep)
	keyedBefore := []byte(ids.OrderedFloor(ids.DecisionPrefix, before.Add(-tokenTTL)))
	var total int64
	for {
		n, err := s.PurgeEvents(ctx, before, keyedBefore, batch)
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
func Run(ctx context.Context, s Store, c clock.Clock, keep, tokenTTL, interval time.Duration, log *slog.Logger) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		n, err := Purge(ctx, s, c.Now(), keep, tokenTTL)
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
