package loadgen

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// startProgress prints a progress line to w about once a second, when w is
// a terminal (redrawing one line) or when forced (one line per second). It
// returns a function that stops it and clears the line (or, when w is not
// a terminal, prints the last one).
func startProgress(w io.Writer, force bool, lg *loadgen) (stop func()) {
	tty := isTerminal(w)
	if !tty && !force {
		return func() {}
	}
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		tick := time.NewTicker(time.Second)
		defer tick.Stop()
		for {
			select {
			case <-tick.C:
				line := lg.progressLine(time.Now())
				if tty {
					fmt.Fprintf(w, "\r%s\x1b[K", line)
				} else {
					fmt.Fprintln(w, line)
				}
			case <-done:
				if tty {
					fmt.Fprint(w, "\r\x1b[K")
				} else {
					fmt.Fprintln(w, lg.progressLine(time.Now()))
				}
				return
			}
		}
	}()
	return func() {
		close(done)
		<-stopped
	}
}

// progressLine reports the running phase: elapsed of total, the rates so
// far and the errors (failed requests and non-2xx answers).
func (lg *loadgen) progressLine(now time.Time) string {
	var b strings.Builder
	since := func(began int64) time.Duration { return time.Duration(now.UnixNano() - began) }
	rate := func(n int64, d time.Duration) float64 {
		if d <= 0 {
			return 0
		}
		return float64(n) / d.Seconds()
	}
	phase := since(lg.dec.began.Load())
	if evBegan := lg.ev.began.Load(); lg.o.mode == modeEvents && evBegan != 0 {
		phase = since(evBegan)
	}
	fmt.Fprintf(&b, "%5.0fs/%s", phase.Seconds(), lg.o.duration)
	if d := lg.dec.began.Load(); d != 0 && (lg.o.mode != modeEvents || lg.ev.began.Load() == 0) {
		n := lg.dec.requests.Load()
		fmt.Fprintf(&b, "  decisions %d (%.0f/s)", n, rate(n, since(d)))
		if lg.o.mode == modeEvents {
			fmt.Fprintf(&b, "  collecting tokens %d/%d", lg.collected.Load(), lg.o.collectTokens)
		}
	}
	if e := lg.ev.began.Load(); e != 0 {
		n := lg.ev.events.Load()
		fmt.Fprintf(&b, "  events %d (%.0f/s) in %d batches", n, rate(n, since(e)), lg.ev.requests.Load())
	}
	errs := lg.dec.errors.Load() + lg.dec.non2xx.Load() + lg.ev.errors.Load() + lg.ev.non2xx.Load()
	fmt.Fprintf(&b, "  errors %d", errs)
	return b.String()
}

// isTerminal reports whether w is a character device, such as a terminal.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
