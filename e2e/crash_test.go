package e2e

import (
	"fmt"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestAcknowledgedEventsSurviveSIGKILL sends events from several clients,
// kills the server with SIGKILL in the middle, restarts it, and checks that
// every event it had acknowledged is stored: sent again, each is a
// duplicate.
func TestAcknowledgedEventsSurviveSIGKILL(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, args []string) {
		dir := t.TempDir()
		f := start(t, dir, args...)
		op := f.operator
		tokens := f.servingWorld(20)

		type event = map[string]any
		var mu sync.Mutex
		var acked []event
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for c := range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for b := 0; ; b++ {
					select {
					case <-stop:
						return
					default:
					}
					batch := make([]event, 0, 200)
					for k := range 200 {
						// Likes and comments may repeat per delivery; use them so
						// that every event is new.
						batch = append(batch, event{"event_id": fmt.Sprintf("c%d-b%d-e%d", c, b, k), "type": "comment",
							"token": tokens[(b+k)%len(tokens)]})
					}
					status, out, err := f.try(op, "POST", "/api/v1/events", map[string]any{"events": batch})
					if err != nil {
						return // the server is gone
					}
					if status == 200 && out["accepted"] == float64(len(batch)) {
						mu.Lock()
						acked = append(acked, batch...)
						mu.Unlock()
					}
				}
			}()
		}
		// Let ingestion run, then kill the server without warning.
		deadline := time.Now().Add(10 * time.Second)
		for {
			mu.Lock()
			n := len(acked)
			mu.Unlock()
			if n >= 4000 || time.Now().After(deadline) {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := f.cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		<-f.exited
		close(stop)
		wg.Wait()
		if len(acked) == 0 {
			t.Fatal("nothing was acknowledged before the kill; the test proves nothing")
		}

		g := start(t, dir, args...)
		for i := 0; i < len(acked); i += 500 {
			batch := acked[i:min(i+500, len(acked))]
			out := g.must(200, op, "POST", "/api/v1/events", map[string]any{"events": batch})
			if out["duplicates"] != float64(len(batch)) || out["accepted"] != float64(0) {
				t.Fatalf("after the restart, acknowledged events %d..%d: %v duplicates, %v accepted (want all duplicates)",
					i, i+len(batch), out["duplicates"], out["accepted"])
			}
		}
		t.Logf("%d acknowledged events, all found after SIGKILL", len(acked))
		g.stop()
	})
}
