// Package loadgen drives decisions and events against a running Flint and
// reports throughput and latency.
package loadgen

import (
	"context"
	"errors"
	"io"
)

// Run implements `flint loadgen`.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("flint loadgen is being built")
}
