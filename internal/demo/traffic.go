package demo

import (
	"context"
	"crypto/rand"
	"fmt"
	"log/slog"
	mrand "math/rand/v2"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/flintads/flint/internal/delivery"
	"github.com/flintads/flint/internal/event"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/server"
	"github.com/flintads/flint/internal/store"
)

// simulate plays a feed until ctx is cancelled: a few viewers a second ask
// the decision engine for an ad and engage with what they see (impression,
// views, likes, clicks, …), and organic viewers watch and like the public
// posts, all through the real services.
func simulate(ctx context.Context, svc server.Services, w *world, log *slog.Logger) {
	tick := time.NewTicker(400 * time.Millisecond)
	defer tick.Stop()
	rng := mrand.New(mrand.NewPCG(uint64(time.Now().UnixNano()), 7))
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		var batch []event.Input
		for range 1 + rng.IntN(3) {
			v := viewer(rng)
			d, err := svc.Delivery.Decide(ctx, delivery.Request{Placement: "feed", Viewer: v, Count: 1})
			if err != nil {
				if ctx.Err() == nil {
					log.Warn("demo traffic: decision", "err", err)
				}
				continue
			}
			for _, ad := range d.Ads {
				batch = append(batch, engage(rng, ad.Token, v.ID)...)
			}
		}
		for range rng.IntN(4) {
			p := w.posts[rng.IntN(len(w.posts))]
			batch = append(batch, event.Input{EventID: eventID(), Type: "impression", PostID: p})
			if rng.Float64() < 0.12 {
				batch = append(batch, event.Input{EventID: eventID(), Type: "like", PostID: p})
			}
		}
		if len(batch) == 0 {
			continue
		}
		if _, err := svc.Events.Ingest(ctx, batch); err != nil && ctx.Err() == nil {
			log.Warn("demo traffic: events", "err", err)
		}
	}
}

var (
	countries = []string{"US", "US", "US", "GB", "GB", "PT", "CA", "DE"}
	langs     = []string{"en", "en", "en", "pt", "de"}
	oses      = []string{"ios", "android"}
	sexes     = []string{"female", "female", "male", "other"}
	interest  = []string{"beauty", "skincare", "food", "travel", "coffee", "fitness"}
)

func viewer(rng *mrand.Rand) delivery.Viewer {
	return delivery.Viewer{ID: "viewer-" + strconv.Itoa(rng.IntN(5000)), Country: countries[rng.IntN(len(countries))],
		Age: 16 + rng.IntN(40), Gender: sexes[rng.IntN(len(sexes))], Language: langs[rng.IntN(len(langs))],
		OS: oses[rng.IntN(len(oses))], Interests: []string{interest[rng.IntN(len(interest))]}}
}

// engage returns what one viewer does with an ad: always an impression,
// usually some watching, sometimes more.
func engage(rng *mrand.Rand, token, viewerID string) []event.Input {
	evs := []event.Input{{EventID: eventID(), Type: "impression", Token: token}}
	p := rng.Float64()
	for _, step := range []struct {
		typ string
		p   float64
	}{{"view_2s", 0.8}, {"view_6s", 0.5}, {"complete", 0.25}, {"like", 0.09}, {"click", 0.035}, {"comment", 0.012},
		{"share", 0.01}, {"follow", 0.006}} {
		if p < step.p || (step.typ != "view_2s" && step.typ != "view_6s" && step.typ != "complete" && rng.Float64() < step.p) {
			evs = append(evs, event.Input{EventID: eventID(), Type: step.typ, Token: token})
		}
	}
	return evs
}

var eventSeq atomic.Uint64

// eventID returns a time-ordered event ID.
func eventID() string {
	var r [4]byte
	_, _ = rand.Read(r[:])
	return fmt.Sprintf("demo-%013x-%06x-%x", time.Now().UnixMilli(), eventSeq.Add(1)&0xffffff, r)
}

// history is what backfill made that the demo's store orders build on:
// the clicks (each a possible order) and what each ad was charged.
type history struct {
	clicks []demoClick
	spend  map[string]money.Micros // by ad
}

type demoClick struct {
	adID, id string
	at       time.Time
}

// backfill stores thirteen days of history and today's until now for the
// demo's ads and posts, so that the dashboard's charts have a past: hourly
// counters that grow from day to day, and organic engagement on the posts.
// It writes events through the store, as a platform's import would; the
// caller reloads the delivery index so that budgets count today's part.
func backfill(ctx context.Context, st store.Store, w *world, now time.Time) (history, error) {
	rng := mrand.New(mrand.NewPCG(42, 42))
	h := history{spend: map[string]money.Micros{}}
	var evs []model.Event
	add := func(e model.Event) {
		evs = append(evs, e)
		h.spend[e.AdID] += e.Charge
		if e.ClickID != "" {
			h.clicks = append(h.clicks, demoClick{adID: e.AdID, id: e.ClickID, at: e.At})
		}
	}
	n := 0
	id := func() string { n++; return fmt.Sprintf("demo-history-%08d", n) }
	once := func() []byte {
		var b [16]byte
		_, _ = rand.Read(b[:])
		return b[:]
	}
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	// How often each post is watched to the end, organically: some hold
	// viewers better than others.
	watched := map[string]float64{}
	for _, p := range w.posts {
		watched[p] = 0.15 + 0.35*rng.Float64()
	}
	// within spreads a day's events over 04:00–22:00 UTC, which is the same
	// calendar day in the demo brands' zones (New York, London) nearly always.
	within := func(day int) time.Time {
		return today.AddDate(0, 0, -day).Add(4*time.Hour + time.Duration(rng.IntN(18*3600))*time.Second)
	}
	// Thirteen days, and today up to now (so that "this month" has ads even
	// on the first of a month).
	for day := 13; day >= 0; day-- {
		growth := 1 + float64(13-day)/6 // audiences grow over the fortnight
		for _, ad := range w.ads {
			imps := int(float64(110+rng.IntN(70)) * growth)
			for i := range imps {
				at := within(day)
				if at.After(now.Add(-time.Minute)) {
					continue // today's, not yet
				}
				decision := fmt.Sprintf("history-%d-%s-%d", day, ad.id, i)
				charge := money.Micros(0)
				if ad.billing == model.BillCPM {
					charge = money.Micros(ad.bid * 0.7 / 1000 * 1e6)
				}
				add(model.Event{ID: id(), Type: model.EventImpression, PostID: ad.postID, AdID: ad.id, DecisionID: decision,
					ViewerID: "history", At: at, Charge: charge, OnceKey: once()})
				r := rng.Float64()
				if r < 0.5 {
					add(model.Event{ID: id(), Type: model.EventView6s, PostID: ad.postID, AdID: ad.id, DecisionID: decision,
						ViewerID: "history", At: at.Add(6 * time.Second), OnceKey: once()})
				}
				if r < 0.09 {
					add(model.Event{ID: id(), Type: model.EventLike, PostID: ad.postID, AdID: ad.id, DecisionID: decision,
						ViewerID: "history", At: at.Add(8 * time.Second), OnceKey: once()})
				}
				if r < 0.035 {
					click := model.Event{ID: id(), Type: model.EventClick, PostID: ad.postID, AdID: ad.id, DecisionID: decision,
						ViewerID: "history", At: at.Add(9 * time.Second), OnceKey: once(), ClickID: "history-click-" + strconv.Itoa(n)}
					if ad.billing == model.BillCPC {
						click.Charge = money.Micros(ad.bid * 0.8 * 1e6)
					}
					add(click)
				}
			}
		}
		for _, p := range w.posts {
			views := 20 + rng.IntN(60)
			for range views {
				at := within(day)
				if at.After(now.Add(-time.Minute)) {
					continue
				}
				add(model.Event{ID: id(), Type: model.EventImpression, PostID: p, At: at})
				if rng.Float64() < 0.1 {
					add(model.Event{ID: id(), Type: model.EventLike, PostID: p, At: at.Add(5 * time.Second)})
				}
				if rng.Float64() < watched[p] {
					add(model.Event{ID: id(), Type: model.EventComplete, PostID: p, At: at.Add(15 * time.Second)})
				}
			}
		}
	}
	for len(evs) > 0 {
		k := min(len(evs), 4000)
		if _, err := st.InsertEvents(ctx, evs[:k]); err != nil {
			return h, err
		}
		evs = evs[k:]
	}
	return h, nil
}
