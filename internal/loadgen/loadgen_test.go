package loadgen

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flintads/flint/internal/campaign"
)

const testToken = "flop_test-operator-token"

// fakeFlint imitates POST /api/v1/decisions and POST /api/v1/events by the
// contract in API.md, checks that every request is well formed, and counts
// what it answered so the test can compare with the summary.
type fakeFlint struct {
	t         *testing.T
	wantCount int
	fill      func(n int) int // ads in the n-th decision (from 0)
	failEvery int             // answer 503 to every failEvery-th decision

	mu        sync.Mutex
	problems  []string
	decisions int // the first is loadgen's precheck, which it does not count
	failed    int
	ads       int // not counting the precheck's
	issued    map[string]bool
	eventIDs  map[string]bool
	seen      map[string]bool // token and type
	batches   int
	events    int
	byType    map[string]int
	accepted  int
	rejected  int
	viewerIDs map[string]bool
}

func newFakeFlint(t *testing.T, wantCount int, fill func(int) int) *fakeFlint {
	return &fakeFlint{t: t, wantCount: wantCount, fill: fill, issued: map[string]bool{}, eventIDs: map[string]bool{},
		seen: map[string]bool{}, byType: map[string]int{}, viewerIDs: map[string]bool{}}
}

func (f *fakeFlint) problem(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

func (f *fakeFlint) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer "+testToken ||
		r.Header.Get("Content-Type") != "application/json" {
		f.problem("%s %s with Authorization %q, Content-Type %q", r.Method, r.URL.Path, r.Header.Get("Authorization"),
			r.Header.Get("Content-Type"))
		http.Error(w, `{"error":{"code":"UNAUTHORIZED","message":"no"}}`, http.StatusUnauthorized)
		return
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	w.Header().Set("Content-Type", "application/json")
	switch r.URL.Path {
	case "/api/v1/decisions":
		var req struct {
			Placement string `json:"placement"`
			Viewer    struct {
				ID        string   `json:"id"`
				Country   string   `json:"country"`
				Age       int      `json:"age"`
				Gender    string   `json:"gender"`
				Language  string   `json:"language"`
				OS        string   `json:"os"`
				Interests []string `json:"interests"`
			} `json:"viewer"`
			Count int `json:"count"`
		}
		if err := dec.Decode(&req); err != nil {
			f.problem("decision body: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		v := req.Viewer
		if req.Placement != "feed" || req.Count != f.wantCount || !strings.HasPrefix(v.ID, "v") ||
			!campaign.ValidCountry(v.Country) || v.Age < 13 || v.Age > 65 || !slices.Contains(campaign.Genders, v.Gender) ||
			!slices.Contains(campaign.OSes, v.OS) || len(v.Language) != 2 || len(v.Interests) > 3 {
			f.problem("decision request %+v", req)
		}
		f.viewerIDs[v.ID] = true
		n := f.decisions
		f.decisions++
		if f.failEvery > 0 && n%f.failEvery == f.failEvery-1 {
			f.failed++
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = io.WriteString(w, `{"error":{"code":"UNAVAILABLE","message":"busy"}}`)
			return
		}
		type ad struct {
			AdID    string `json:"ad_id"`
			PostID  string `json:"post_id"`
			Caption string `json:"caption"`
			Token   string `json:"token"`
		}
		ans := struct {
			DecisionID string `json:"decision_id"`
			Ads        []ad   `json:"ads"`
		}{DecisionID: fmt.Sprintf("dec_%016d", n), Ads: []ad{}}
		for i := range min(f.fill(n), req.Count) {
			tok := fmt.Sprintf("tok-%d-%d-%s", n, i, strings.Repeat("x", 120))
			f.issued[tok] = true
			ans.Ads = append(ans.Ads, ad{AdID: fmt.Sprintf("ad_%d", i), PostID: "post_1", Caption: "hi \"there\"", Token: tok})
		}
		if n > 0 {
			f.ads += len(ans.Ads)
		}
		_ = json.NewEncoder(w).Encode(ans)
	case "/api/v1/events":
		var req struct {
			Events []struct {
				EventID string `json:"event_id"`
				Type    string `json:"type"`
				Token   string `json:"token"`
				WatchMS *int   `json:"watch_ms"`
			} `json:"events"`
		}
		if err := dec.Decode(&req); err != nil {
			f.problem("events body: %v", err)
			w.WriteHeader(http.StatusBadRequest)
			return
		}
		f.batches++
		type rejection struct {
			Index int `json:"index"`
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		ans := struct {
			Accepted   int         `json:"accepted"`
			Duplicates int         `json:"duplicates"`
			Rejected   []rejection `json:"rejected"`
		}{Rejected: []rejection{}}
		for i, e := range req.Events {
			f.events++
			f.byType[e.Type]++
			if !eventIDRE.MatchString(e.EventID) || f.eventIDs[e.EventID] {
				f.problem("event id %q is not fresh", e.EventID)
			}
			f.eventIDs[e.EventID] = true
			if !f.issued[e.Token] {
				f.problem("event token %.20q was never issued", e.Token)
			}
			if !slices.Contains(eventTypeNames[:], e.Type) || (e.Type == "complete") != (e.WatchMS != nil) {
				f.problem("event %+v", e)
			}
			// Like Flint: comments and shares may repeat per delivery, the
			// other types may not.
			if key := e.Token + " " + e.Type; f.seen[key] && e.Type != "comment" && e.Type != "share" {
				r := rejection{Index: i}
				r.Error.Code = "TOKEN_REPLAYED"
				ans.Rejected = append(ans.Rejected, r)
				f.rejected++
			} else {
				f.seen[key] = true
				ans.Accepted++
				f.accepted++
			}
		}
		_ = json.NewEncoder(w).Encode(ans)
	default:
		f.problem("unexpected path %s", r.URL.Path)
		http.NotFound(w, r)
	}
}

func (f *fakeFlint) check() {
	f.t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, p := range f.problems {
		if i == 10 {
			f.t.Errorf("… and %d more problems", len(f.problems)-10)
			break
		}
		f.t.Error(p)
	}
}

// runJSON runs the load generator with args and returns its JSON summary.
func runJSON(t *testing.T, args []string, tune func(*options)) (*Summary, string, error) {
	t.Helper()
	env := map[string]string{"FLINT_OPERATOR_TOKEN": testToken}
	o, err := parseOptions(append(args, "--json"), func(k string) string { return env[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if tune != nil {
		tune(&o)
	}
	var stdout, stderr bytes.Buffer
	runErr := run(context.Background(), o, &stdout, &stderr)
	var s Summary
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Fatalf("summary %q: %v", stdout.String(), err)
	}
	return &s, stderr.String(), runErr
}

func TestMixedRunAgainstAFakeServer(t *testing.T) {
	f := newFakeFlint(t, 2, func(n int) int { return []int{0, 1, 2, 2}[n%4] })
	f.failEvery = 10
	srv := httptest.NewServer(f)
	defer srv.Close()

	s, stderr, err := runJSON(t, []string{"--url", srv.URL + "/", "--duration", "400ms", "--concurrency", "4", "--count", "2",
		"--batch", "50", "--viewers", "1000", "--seed", "42", "--progress"}, func(o *options) { o.linger = 20 * time.Millisecond })
	if err != nil {
		t.Fatal(err)
	}
	f.check()
	f.mu.Lock()
	defer f.mu.Unlock()

	d, e := s.Decisions, s.Events
	if d == nil || e == nil {
		t.Fatalf("summary without decisions or events: %+v", s)
	}
	if d.Requests != int64(f.decisions-1) || d.Answered != int64(f.decisions-1-f.failed) || d.NonOK[503] != int64(f.failed) ||
		d.Ads != int64(f.ads) || d.Errors != 0 {
		t.Errorf("decisions %+v; the server answered %d, failed %d, gave %d ads", d, f.decisions, f.failed, f.ads)
	}
	if f.decisions < 20 || f.failed == 0 || len(f.viewerIDs) < 10 {
		t.Errorf("only %d decisions (%d failed) for %d viewers", f.decisions, f.failed, len(f.viewerIDs))
	}
	if want := float64(f.ads) / float64(f.decisions-1-f.failed); d.AdsPerDecision < want-0.01 || d.AdsPerDecision > want+0.01 {
		t.Errorf("ads per decision %.3f, want %.3f", d.AdsPerDecision, want)
	}
	if d.FillRate < 0.6 || d.FillRate > 0.9 { // three of four decisions carry ads
		t.Errorf("fill rate %.3f", d.FillRate)
	}
	// Every ad is followed by exactly one impression, sent before the run ends.
	if f.byType["impression"] != f.ads {
		t.Errorf("%d impressions for %d ads", f.byType["impression"], f.ads)
	}
	if e.Requests != int64(f.batches) || e.Events != int64(f.events) || e.Accepted != int64(f.accepted) || e.Rejected != 0 ||
		e.Errors != 0 || len(e.NonOK) != 0 {
		t.Errorf("events %+v; the server took %d batches, %d events, accepted %d", e, f.batches, f.events, f.accepted)
	}
	if e.EventsPerS <= 0 || d.ReqPerS <= 0 || d.LatencyMS.P50 <= 0 || d.LatencyMS.Max < d.LatencyMS.P99 {
		t.Errorf("rates and latencies: %+v %+v", d, e)
	}
	if s.Seed != 42 || s.Mode != "mixed" || s.URL != srv.URL {
		t.Errorf("summary header %+v", s)
	}
	if !strings.Contains(stderr, "decisions ") || !strings.Contains(stderr, "errors ") {
		t.Errorf("no progress line on stderr: %q", stderr)
	}
}

func TestEventsRunAgainstAFakeServer(t *testing.T) {
	f := newFakeFlint(t, 1, func(int) int { return 1 })
	srv := httptest.NewServer(f)
	defer srv.Close()

	s, _, err := runJSON(t, []string{"--url", srv.URL, "--mode", "events", "--duration", "300ms", "--concurrency", "3",
		"--batch", "40"}, func(o *options) { o.collectTokens = 30 })
	if err != nil {
		t.Fatal(err)
	}
	f.check()
	f.mu.Lock()
	defer f.mu.Unlock()

	d, e := s.Decisions, s.Events
	if d == nil || e == nil {
		t.Fatalf("summary without decisions or events: %+v", s)
	}
	if d.Ads < 30 || d.Ads > 30+3 || d.Requests != int64(f.decisions-1) {
		t.Errorf("collected %d tokens in %d decisions (server: %d), want 30", d.Ads, d.Requests, f.decisions)
	}
	if e.Requests != int64(f.batches) || e.Events != int64(f.events) || e.Events != 40*e.Requests ||
		e.Accepted != int64(f.accepted) || e.Rejected != int64(f.rejected) || e.Accepted+e.Rejected != e.Events ||
		e.RejectedBy["TOKEN_REPLAYED"] != e.Rejected {
		t.Errorf("events %+v; the server took %d batches, %d events, accepted %d, rejected %d",
			e, f.batches, f.events, f.accepted, f.rejected)
	}
	// 30 tokens and thousands of events: each once-per-delivery type is sent
	// once per token, the rest are comments, and nothing is a replay.
	if e.Rejected != 0 || e.Accepted != e.Events {
		t.Errorf("events mode sent replays: %d rejected of %d", e.Rejected, e.Events)
	}
	if f.byType["impression"] == 0 || int64(f.byType["impression"]) > d.Ads || f.byType["comment"] < f.events/2 {
		t.Errorf("events by type %v", f.byType)
	}
}

func TestEventsRunWithoutAdsFails(t *testing.T) {
	f := newFakeFlint(t, 1, func(int) int { return 0 })
	srv := httptest.NewServer(f)
	defer srv.Close()
	s, _, err := runJSON(t, []string{"--url", srv.URL, "--mode", "events", "--duration", "200ms", "--concurrency", "2"}, nil)
	if err == nil || !strings.Contains(err.Error(), "no tokens") {
		t.Fatalf("err = %v", err)
	}
	if s.Decisions == nil || s.Decisions.FillRate != 0 || s.Events != nil {
		t.Errorf("summary %+v", s)
	}
	f.check()
}

func TestUnreachableServerOrBadTokenEndsTheRunAtOnce(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close() // nothing listens any more
	o, err := parseOptions([]string{"--url", url, "--token", "flop_x"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := run(context.Background(), o, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "cannot reach") ||
		time.Since(start) > 5*time.Second {
		t.Errorf("unreachable: %v after %v", err, time.Since(start))
	}

	f := newFakeFlint(t, 1, func(int) int { return 1 })
	srv = httptest.NewServer(f)
	defer srv.Close()
	o, err = parseOptions([]string{"--url", srv.URL, "--token", "flop_wrong"}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if err := run(context.Background(), o, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "check --token") {
		t.Errorf("wrong token: %v", err)
	}
}

func TestServerGoingAwayIsCountedAsErrors(t *testing.T) {
	f := newFakeFlint(t, 1, func(int) int { return 1 })
	srv := httptest.NewServer(f)
	o, err := parseOptions([]string{"--url", srv.URL, "--mode", "decisions", "--duration", "600ms", "--concurrency", "2",
		"--token", testToken}, func(string) string { return "" }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	time.AfterFunc(200*time.Millisecond, func() { srv.CloseClientConnections(); srv.Close() })
	var stdout bytes.Buffer
	o.json = true
	if err := run(context.Background(), o, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	var s Summary
	if err := json.Unmarshal(stdout.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	d := s.Decisions
	// With the back-off, two workers make a few dozen failed attempts in
	// 400ms, not thousands.
	if d.Requests == 0 || d.Errors == 0 || d.Errors > 100 || d.FirstError == "" || s.Events != nil {
		t.Errorf("decisions %+v", d)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	// The precheck is not counted; requests cut off with their connections
	// were seen by the server but count as errors.
	if served := int64(f.decisions - 1); d.Requests > served || d.Requests+2 < served {
		t.Errorf("%d decisions counted, the server saw %d and the precheck", d.Requests, served)
	}
}

func TestTableSummary(t *testing.T) {
	f := newFakeFlint(t, 1, func(int) int { return 1 })
	srv := httptest.NewServer(f)
	defer srv.Close()
	o, err := parseOptions([]string{"--url", srv.URL, "--duration", "200ms", "--concurrency", "2"},
		func(k string) string { return map[string]string{"FLINT_OPERATOR_TOKEN": testToken}[k] }, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	var stdout bytes.Buffer
	if err := run(context.Background(), o, &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"decision ", "events batch", "p99.9", "fill rate 100.0%", "accepted"} {
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("table lacks %q:\n%s", want, stdout.String())
		}
	}
	f.check()
}

func TestOptions(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "operator-token"), []byte("flop_from-file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	noEnv := func(string) string { return "" }

	o, err := parseOptions([]string{"--data", dir}, noEnv, io.Discard)
	if err != nil || o.token != "flop_from-file" {
		t.Fatalf("token from the data directory: %q, %v", o.token, err)
	}
	if o.url != "http://127.0.0.1:8080" || o.duration != 30*time.Second || o.concurrency != 32 || o.mode != modeMixed ||
		o.viewers != 100_000 || o.count != 1 || o.batch != 500 || o.flushers != 4 || o.seed == 0 {
		t.Errorf("defaults %+v", o)
	}
	o, err = parseOptions([]string{"--data", dir, "--token", "flop_flag"},
		func(k string) string { return map[string]string{"FLINT_OPERATOR_TOKEN": "flop_env"}[k] }, io.Discard)
	if err != nil || o.token != "flop_flag" {
		t.Errorf("--token wins: %q, %v", o.token, err)
	}
	o, err = parseOptions([]string{"--data", dir},
		func(k string) string { return map[string]string{"FLINT_OPERATOR_TOKEN": "flop_env"}[k] }, io.Discard)
	if err != nil || o.token != "flop_env" {
		t.Errorf("the environment wins over the file: %q, %v", o.token, err)
	}

	_, err = parseOptions([]string{"--data", t.TempDir(), "--mode", "both", "--concurrency", "0", "--url", "ftp://x", "extra"},
		noEnv, io.Discard)
	for _, want := range []string{"mode", "concurrency", "url", "token", "unexpected arguments"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not mention %s", err, want)
		}
	}
	if _, err := parseOptions([]string{"-h"}, noEnv, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v", err)
	}
}
