package loadgen

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"testing"
)

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", `q"uote`, `back\slash`, "tab\tnew\nline\r", "\x00\x1f", "héllo ✓", "bad \xff utf8",
		"AbC-_09xyz"} {
		got := appendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("appendString(%q) = %s: %v", s, got, err)
		}
		want, _ := json.Marshal(s)
		var wantBack string
		_ = json.Unmarshal(want, &wantBack)
		if back != wantBack {
			t.Errorf("appendString(%q) reads back as %q, want %q", s, back, wantBack)
		}
	}
}

var eventIDRE = regexp.MustCompile(`^[0-9a-f]{32}$`)

func TestEventsBodyFollowsTheContract(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var evs []event
	for i := range 300 {
		evs = engage(evs, "tok"+string(rune('a'+i%26)), r)
	}
	body := appendEvents(nil, evs, newIDSource(false))
	var got struct {
		Events []struct {
			EventID string `json:"event_id"`
			Type    string `json:"type"`
			Token   string `json:"token"`
			WatchMS *int   `json:"watch_ms"`
		} `json:"events"`
	}
	if err := json.Unmarshal(body, &got); err != nil {
		t.Fatalf("%.200s: %v", body, err)
	}
	if len(got.Events) != len(evs) {
		t.Fatalf("%d events, want %d", len(got.Events), len(evs))
	}
	ids := map[string]bool{}
	for i, e := range got.Events {
		if !eventIDRE.MatchString(e.EventID) || ids[e.EventID] {
			t.Fatalf("event %d: id %q is not fresh 16-byte hex", i, e.EventID)
		}
		ids[e.EventID] = true
		if e.Type != evs[i].typ.String() || e.Token != evs[i].token {
			t.Fatalf("event %d: %+v, want %+v", i, e, evs[i])
		}
		if (e.Type == "complete") != (e.WatchMS != nil) {
			t.Fatalf("event %d: type %s with watch_ms %v", i, e.Type, e.WatchMS)
		}
		if e.WatchMS != nil && (*e.WatchMS < 6000 || *e.WatchMS > 60000) {
			t.Fatalf("event %d: watch_ms %d", i, *e.WatchMS)
		}
	}
}

func TestEngageMix(t *testing.T) {
	const ads = 200_000
	r := rand.New(rand.NewPCG(7, 7))
	var counts [numEventTypes]int
	var evs []event
	for i := range ads {
		evs = engage(evs[:0], "t", r)
		var has [numEventTypes]bool
		for _, e := range evs {
			if has[e.typ] {
				t.Fatalf("ad %d: two %s events", i, e.typ)
			}
			has[e.typ] = true
			counts[e.typ]++
		}
		if !has[impression] || has[view6s] && !has[view2s] || has[complete] && !has[view6s] {
			t.Fatalf("ad %d: inconsistent events %v", i, has)
		}
	}
	want := [numEventTypes]float64{impression: 1, view2s: .60, view6s: .35, complete: .20, click: .02, like: .05, comment: .01,
		share: .01, follow: .005}
	for typ, w := range want {
		got := float64(counts[typ]) / ads
		if got < w*0.9 || got > w*1.1 {
			t.Errorf("%s: %.4f per ad, want about %.3f", eventType(typ), got, w)
		}
	}
}

func TestRandomEventMix(t *testing.T) {
	const n = 200_000
	r := rand.New(rand.NewPCG(3, 4))
	tokens := make([]string, 20*n) // plenty: the mix is barely bent by repeats
	for i := range tokens {
		tokens[i] = fmt.Sprint(i)
	}
	used := make([]uint16, len(tokens))
	var counts [numEventTypes]int
	for range n {
		e := randomEvent(tokens, used, r)
		counts[e.typ]++
		if (e.typ == complete) != (e.watchMS != 0) {
			t.Fatalf("%+v", e)
		}
	}
	for typ, w := range batchWeights {
		got := 100 * float64(counts[typ]) / n
		if got < float64(w)*0.85-1 || got > float64(w)*1.15+1 {
			t.Errorf("%s: %.2f%%, want about %d%%", eventType(typ), got, w)
		}
	}
	if views := counts[impression] + counts[view2s] + counts[view6s]; views < n*3/4 {
		t.Errorf("only %d of %d events are impressions and views", views, n)
	}
}

func TestRandomEventNeverReplays(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	tokens := []string{"a", "b", "c", "d"}
	used := make([]uint16, len(tokens))
	seen := map[string]bool{}
	for range 10_000 {
		e := randomEvent(tokens, used, r)
		if e.typ == comment || e.typ == share {
			continue
		}
		k := e.token + "/" + e.typ.String()
		if seen[k] {
			t.Fatalf("%s sent twice", k)
		}
		seen[k] = true
	}
}
