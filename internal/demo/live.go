package demo

import (
	"context"
	"errors"
	"io"

	"github.com/flintads/flint/internal/config"
)

func live(ctx context.Context, cfg config.Config, stdout, stderr io.Writer) error {
	return errors.New("not yet")
}
