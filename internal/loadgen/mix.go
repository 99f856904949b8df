package loadgen

import (
	crand "crypto/rand"
	"math/rand/v2"
	"time"
)

// eventType is an engagement event type of POST /api/v1/events.
type eventType uint8

const (
	impression eventType = iota
	view2s
	view6s
	complete
	click
	like
	comment
	share
	follow
	numEventTypes
)

var eventTypeNames = [numEventTypes]string{"impression", "view_2s", "view_6s", "complete", "click", "like", "comment", "share", "follow"}

func (t eventType) String() string { return eventTypeNames[t] }

// Per-mille chances of each event for one delivered ad in mixed mode. The
// view events are nested (a 6-second view is also a 2-second view, a
// completion is also a 6-second view); the rest are independent.
const (
	pmView2s   = 600
	pmView6s   = 350
	pmComplete = 200
	pmClick    = 20
	pmLike     = 50
	pmShare    = 10
	pmComment  = 10
	pmFollow   = 5
)

// engage appends the events a viewer produces for one delivered ad with the
// given token: always an impression, then views, completion and
// interactions with realistic odds.
func engage(evs []event, token string, r *rand.Rand) []event {
	evs = append(evs, event{typ: impression, token: token})
	u := r.IntN(1000) // one draw for the nested views keeps them consistent
	if u < pmView2s {
		evs = append(evs, event{typ: view2s, token: token})
	}
	if u < pmView6s {
		evs = append(evs, event{typ: view6s, token: token})
	}
	if u < pmComplete {
		evs = append(evs, event{typ: complete, token: token, watchMS: watchMS(r)})
	}
	for _, x := range [...]struct {
		typ eventType
		pm  int
	}{{click, pmClick}, {like, pmLike}, {share, pmShare}, {comment, pmComment}, {follow, pmFollow}} {
		if r.IntN(1000) < x.pm {
			evs = append(evs, event{typ: x.typ, token: token})
		}
	}
	return evs
}

// watchMS is the watch time of a completed view: the length of a short
// video, 6 to 60 seconds.
func watchMS(r *rand.Rand) int32 { return int32(6000 + r.IntN(54001)) }

// batchWeights are the odds of each type in events mode, where events are
// made from a fixed pool of tokens: mostly impressions and views.
var batchWeights = [numEventTypes]int{
	impression: 40, view2s: 25, view6s: 15, complete: 8, click: 3, like: 5, comment: 1, share: 2, follow: 1,
}

// randomEvent returns an event of events mode for one of tokens. used
// records, per token, the types that may happen once per delivery and were
// sent already: a second one would be a replay the server rejects, so a
// comment (which may repeat) is sent instead, and every event counts.
func randomEvent(tokens []string, used []uint16, r *rand.Rand) event {
	k := r.IntN(len(tokens))
	e := event{token: tokens[k]}
	u := r.IntN(100)
	for t, w := range batchWeights {
		if u -= w; u < 0 {
			e.typ = eventType(t)
			break
		}
	}
	if e.typ != comment && e.typ != share {
		if used[k]&(1<<e.typ) != 0 {
			e.typ = comment
		} else {
			used[k] |= 1 << e.typ
		}
	}
	if e.typ == complete {
		e.watchMS = watchMS(r)
	}
	return e
}

// idSource makes event ids: 8 bytes of Unix nanoseconds and 8 random bytes,
// in hex, so that ids sort by time as Flint advises clients to make them
// (like UUIDv7 or ULID; see docs/BENCHMARKS.md), or 16 random bytes with
// --random-ids. It is seeded from crypto/rand and never from --seed, so two
// runs with the same seed do not send the same ids and get them counted as
// duplicates.
type idSource struct {
	c      *rand.ChaCha8
	random bool
	last   uint64
}

func newIDSource(random bool) *idSource {
	var seed [32]byte
	_, _ = crand.Read(seed[:]) // crypto/rand.Read never fails on supported platforms
	return &idSource{c: rand.NewChaCha8(seed), random: random}
}

func (s *idSource) append(b []byte) []byte {
	first := s.c.Uint64()
	if !s.random {
		first = max(uint64(time.Now().UnixNano()), s.last+1)
		s.last = first
	}
	for _, x := range [2]uint64{first, s.c.Uint64()} {
		for shift := 60; shift >= 0; shift -= 4 {
			b = append(b, hexDigits[(x>>shift)&0xf])
		}
	}
	return b
}
