package delivery_test

import (
	"context"
	"testing"

	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/delivery"
)

// TestFailsClosed checks that when a change cannot be read from the store,
// the ads it may concern stop serving rather than serve on stale state.
func TestFailsClosed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tw := newTestWorld(t, 40, clock.Real{}, delivery.Config{})
	probe := tw.servingAds(1)[0]
	tw.st.breakReads("CurrentAuthorization", "ListAdGroups")
	tw.e.Changed(ctx, change.Event{Kind: change.Authorization, ID: probe.ad.PostID})
	if tw.serves(probe.ad.ID, probe.viewer) {
		t.Fatal("served after a change the engine could not read")
	}
}
