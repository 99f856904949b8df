// Package demo seeds a world of creators, advertisers, posts, authorized
// Spark posts and serving ads, for trying Flint out and for load tests.
package demo

import (
	"context"
	"errors"
	"io"
)

// Run implements `flint demo`.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	return errors.New("flint demo is being built")
}
