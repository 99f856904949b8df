package postgres

import (
	"context"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// ChangeChannel is the notification channel on which each transaction that
// logs a change wakes the other nodes (see sqldb.Dialect.Notify). A
// notification only wakes: what changed is read from the change log, which
// followers also read on a timer, since notifications sent while a
// listener reconnects are lost.
const ChangeChannel = "flint_changes"

// Listen holds a connection of its own (database/sql cannot wait for
// notifications) that listens on ChangeChannel, and calls wake for each
// notification and after each (re)connection, until ctx is done. It
// reconnects by itself, with backoff, when the connection fails.
func Listen(ctx context.Context, url string, log *slog.Logger, wake func()) {
	delay := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := listenOnce(ctx, url, wake, func() { delay = 100 * time.Millisecond })
		if ctx.Err() != nil {
			return
		}
		log.Warn("change notifications: connection lost; reconnecting", "err", err, "in", delay)
		select {
		case <-ctx.Done():
			return
		case <-time.After(delay):
		}
		delay = min(2*delay, 5*time.Second)
	}
}

func listenOnce(ctx context.Context, url string, wake, connected func()) error {
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+ChangeChannel); err != nil {
		return err
	}
	connected()
	wake() // whatever was sent while no one listened
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		wake()
	}
}
