// Package bench holds benchmarks that drive a whole Flint server over HTTP.
//
// BenchmarkDecisionsUnderEdits measures decisions against a seeded world
// with and without a stream of advertiser edits running at the same time,
// in one run, so that the two can be compared on a shared, noisy machine:
//
//	go test ./bench -run '^$' -bench DecisionsUnderEdits -benchtime 1x -timeout 30m
//
// Environment: FLINT_BENCH_ADS (world size, default 100,000; the world is
// seeded once into the temporary directory and copied for each run),
// FLINT_BENCH_PHASE (length of each measured phase, default 15s),
// FLINT_BENCH_ROUNDS (quiet/edits pairs, default 2), FLINT_BENCH_CONCURRENCY
// (decisions in flight, default 16), FLINT_BENCH_EDITS (edits per second,
// default 10).
package bench

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/demo"
	"github.com/flintads/flint/internal/server"
)

const operatorToken = "operator-token-for-benchmarks"

func envInt(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil && d > 0 {
		return d
	}
	return def
}

// seeded returns the benchmark world of n ads (demo.BenchWorld).
func seeded(b *testing.B, n int) string {
	path, err := demo.BenchWorld(context.Background(), n, b.Logf)
	if err != nil {
		b.Fatal(err)
	}
	return path
}

// client sends JSON requests to the server under test.
type client struct {
	b    *testing.B
	base string
	http *http.Client
}

func (c *client) do(token, method, path string, body any) (int, []byte) {
	var rd io.Reader
	if body != nil {
		j, err := json.Marshal(body)
		if err != nil {
			c.b.Fatal(err)
		}
		rd = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, c.base+path, rd)
	if err != nil {
		c.b.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		c.b.Fatal(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		c.b.Fatal(err)
	}
	return resp.StatusCode, raw
}

func (c *client) get(token, path string, into any) {
	status, raw := c.do(token, "GET", path, nil)
	if status != 200 {
		c.b.Fatalf("GET %s: %d %s", path, status, raw)
	}
	if err := json.Unmarshal(raw, into); err != nil {
		c.b.Fatalf("GET %s: %v", path, err)
	}
}

// editor is one advertiser whose campaigns, ad groups and ads the edit
// stream changes.
type editor struct {
	token      string
	campaigns  []string
	groups     []string
	ads        []string
	sparkPosts []string
	bids       map[string]float64
}

// edit is one change an advertiser makes, as Ads Manager would send it.
type edit struct {
	kind   string
	token  string
	method string
	path   string
	body   map[string]any
}

// editStream returns the next edit each time it is called, cycling through
// campaign, ad-group and ad status switches, bid changes and new ads, and
// switching back on what it switched off.
func editStream(eds []*editor) func() edit {
	r := rand.New(rand.NewPCG(7, 8))
	off := map[string]bool{}
	n := 0
	toggle := func(id string) map[string]any {
		status := "DISABLED"
		if off[id] {
			status = "ENABLED"
		}
		off[id] = !off[id]
		return map[string]any{"status": status}
	}
	return func() edit {
		n++
		ed := eds[r.IntN(len(eds))]
		switch n % 5 {
		case 0:
			id := ed.campaigns[r.IntN(len(ed.campaigns))]
			return edit{"campaign status", ed.token, "PATCH", "/api/v1/campaigns/" + id, toggle(id)}
		case 1:
			id := ed.groups[r.IntN(len(ed.groups))]
			return edit{"ad group status", ed.token, "PATCH", "/api/v1/ad-groups/" + id, toggle(id)}
		case 2:
			id := ed.ads[r.IntN(len(ed.ads))]
			return edit{"ad status", ed.token, "PATCH", "/api/v1/ads/" + id, toggle(id)}
		case 3:
			id := ed.groups[r.IntN(len(ed.groups))]
			bid := ed.bids[id] * (0.95 + 0.1*r.Float64())
			ed.bids[id] = bid
			return edit{"bid", ed.token, "PATCH", "/api/v1/ad-groups/" + id, map[string]any{"bid": fmt.Sprintf("%.2f", bid)}}
		}
		return edit{"new ad", ed.token, "POST", "/api/v1/ads", map[string]any{
			"ad_group_id": ed.groups[r.IntN(len(ed.groups))], "name": fmt.Sprintf("Bench ad %d", n),
			"spark_post_id": ed.sparkPosts[r.IntN(len(ed.sparkPosts))],
			"cta":           map[string]any{"label": "Shop now", "url": "https://shop.example/?utm_campaign=bench"}}}
	}
}

// phase is what one measured stretch of decisions saw.
type phase struct {
	edits     bool
	elapsed   time.Duration
	latencies []time.Duration
	editLat   []time.Duration
	byKind    map[string][]time.Duration
	editFails int
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := slices.Clone(d)
	slices.Sort(s)
	return s[min(len(s)-1, int(float64(len(s))*p))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// BenchmarkDecisionsUnderEdits: see the package comment.
func BenchmarkDecisionsUnderEdits(b *testing.B) {
	n := envInt("FLINT_BENCH_ADS", 100_000)
	phaseLen := envDuration("FLINT_BENCH_PHASE", 15*time.Second)
	rounds := envInt("FLINT_BENCH_ROUNDS", 2)
	concurrency := envInt("FLINT_BENCH_CONCURRENCY", 16)
	rate := envInt("FLINT_BENCH_EDITS", 10)

	src := seeded(b, n)
	dir := b.TempDir()
	data, err := os.ReadFile(src)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "flint.db"), data, 0o600); err != nil {
		b.Fatal(err)
	}
	data = nil
	cfg := config.Defaults()
	cfg.DataDir, cfg.DB, cfg.OperatorToken = dir, filepath.Join(dir, "flint.db"), operatorToken
	app, err := server.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	defer func() {
		srv.Close()
		app.Close()
	}()
	c := &client{b: b, base: srv.URL, http: &http.Client{Transport: &http.Transport{
		MaxIdleConnsPerHost: concurrency + 4, MaxConnsPerHost: concurrency + 4}}}
	eds := loadEditors(c, cfg.DB, 40)
	next := editStream(eds)
	bodies := decisionBodies(4096)

	decide := func(stop <-chan struct{}, lat *[]time.Duration, worker int) {
		for i := worker; ; i += concurrency {
			select {
			case <-stop:
				return
			default:
			}
			req, _ := http.NewRequest("POST", srv.URL+"/api/v1/decisions", bytes.NewReader(bodies[i%len(bodies)]))
			req.Header.Set("Authorization", "Bearer "+operatorToken)
			req.Header.Set("Content-Type", "application/json")
			start := time.Now()
			resp, err := c.http.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Errorf("decision: %d", resp.StatusCode)
				return
			}
			*lat = append(*lat, time.Since(start))
		}
	}
	run := func(d time.Duration, edits bool) phase {
		p := phase{edits: edits, byKind: map[string][]time.Duration{}}
		stop := make(chan struct{})
		lats := make([][]time.Duration, concurrency)
		var wg sync.WaitGroup
		start := time.Now()
		for w := range concurrency {
			lats[w] = make([]time.Duration, 0, 1<<16)
			wg.Add(1)
			go func() { defer wg.Done(); decide(stop, &lats[w], w) }()
		}
		var editing sync.WaitGroup
		var mu sync.Mutex
		var fails atomic.Int64
		if edits {
			editing.Add(1)
			go func() {
				defer editing.Done()
				tick := time.NewTicker(time.Second / time.Duration(rate))
				defer tick.Stop()
				for {
					select {
					case <-stop:
						return
					case <-tick.C:
					}
					// Edits come from many advertisers at once: each is sent
					// on its own, so a slow one does not hold up the stream.
					e := next()
					editing.Add(1)
					go func() {
						defer editing.Done()
						t0 := time.Now()
						status, raw := c.do(e.token, e.method, e.path, e.body)
						took := time.Since(t0)
						mu.Lock()
						p.editLat = append(p.editLat, took)
						p.byKind[e.kind] = append(p.byKind[e.kind], took)
						mu.Unlock()
						if status >= 300 {
							fails.Add(1)
							b.Logf("%s %s: %d %s", e.method, e.path, status, raw)
						}
					}()
				}
			}()
		}
		time.Sleep(d)
		close(stop)
		wg.Wait()
		editing.Wait()
		p.elapsed = time.Since(start)
		for _, l := range lats {
			p.latencies = append(p.latencies, l...)
		}
		p.editFails = int(fails.Load())
		return p
	}

	b.ResetTimer()
	for range b.N {
		run(3*time.Second, false) // warm up
		var quiet, busy []phase
		for range rounds {
			quiet = append(quiet, run(phaseLen, false))
			busy = append(busy, run(phaseLen, true))
		}
		sum := func(ps []phase) (rps float64, p50, p99 time.Duration, edits int, editP99 time.Duration, fails int) {
			var all, editLat []time.Duration
			var elapsed time.Duration
			for _, p := range ps {
				all = append(all, p.latencies...)
				editLat = append(editLat, p.editLat...)
				elapsed += p.elapsed
				fails += p.editFails
			}
			return float64(len(all)) / elapsed.Seconds(), percentile(all, 0.50), percentile(all, 0.99),
				len(editLat), percentile(editLat, 0.99), fails
		}
		// Go truncates a benchmark's log after ten lines: keep it short.
		var perRound []string
		for r := range quiet {
			q, e := quiet[r], busy[r]
			perRound = append(perRound, fmt.Sprintf("%.0f/%.0f", float64(len(q.latencies))/q.elapsed.Seconds(),
				float64(len(e.latencies))/e.elapsed.Seconds()))
		}
		qRPS, qP50, qP99, _, _, _ := sum(quiet)
		eRPS, eP50, eP99, edits, editP99, fails := sum(busy)
		editSeconds := time.Duration(rounds) * phaseLen
		b.Logf("%d ads, %d decisions in flight, %d rounds of %s each", n, concurrency, rounds, phaseLen)
		b.Logf("without edits: %8.0f decisions/s, p50 %6.2f ms, p99 %6.2f ms", qRPS, ms(qP50), ms(qP99))
		b.Logf("with edits:    %8.0f decisions/s, p50 %6.2f ms, p99 %6.2f ms; %d edits (%.1f/s, %d failed), edit p99 %.1f ms",
			eRPS, ms(eP50), ms(eP99), edits, float64(edits)/editSeconds.Seconds(), fails, ms(editP99))
		b.Logf("throughput with/without edits: %.3f", eRPS/qRPS)
		kinds := map[string][]time.Duration{}
		for _, p := range busy {
			for k, l := range p.byKind {
				kinds[k] = append(kinds[k], l...)
			}
		}
		var byKind []string
		for _, k := range slices.Sorted(maps.Keys(kinds)) {
			byKind = append(byKind, fmt.Sprintf("%s %d p50 %.1f p99 %.1f ms", k, len(kinds[k]), ms(percentile(kinds[k], 0.5)),
				ms(percentile(kinds[k], 0.99))))
		}
		b.Logf("edits: %s", strings.Join(byKind, "; "))
		b.Logf("decisions/s per round, without/with edits: %s", strings.Join(perRound, " "))
		b.ReportMetric(qRPS, "quiet-dec/s")
		b.ReportMetric(eRPS, "edits-dec/s")
		b.ReportMetric(eRPS/qRPS, "ratio")
		b.ReportMetric(ms(qP99), "quiet-p99-ms")
		b.ReportMetric(ms(eP99), "edits-p99-ms")
		b.ReportMetric(float64(edits)/editSeconds.Seconds(), "edits/s")
		b.ReportMetric(ms(editP99), "edit-p99-ms")
	}
}

// loadEditors picks n advertisers of the world (from the database file),
// gives each a fresh API token (the operator's token rotation) and lists
// what each runs, through the API.
func loadEditors(c *client, dbPath string, n int) []*editor {
	db, err := sql.Open("sqlite", "file:"+dbPath+"?mode=ro")
	if err != nil {
		c.b.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query(`SELECT id FROM accounts WHERE kind = 'advertiser' ORDER BY id LIMIT ?`, n)
	if err != nil {
		c.b.Fatal(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			c.b.Fatal(err)
		}
		ids = append(ids, id)
	}
	rows.Close()
	type item struct {
		ID     string `json:"id"`
		Bid    string `json:"bid"`
		Status string `json:"status"`
	}
	var out []*editor
	for _, id := range ids {
		status, raw := c.do(operatorToken, "POST", "/api/v1/accounts/"+id+"/token", nil)
		var acct struct {
			Token string `json:"token"`
		}
		if status != 200 || json.Unmarshal(raw, &acct) != nil || acct.Token == "" {
			c.b.Fatalf("rotating the token of %s: %d %s", id, status, raw)
		}
		ed := &editor{token: acct.Token, bids: map[string]float64{}}
		var lists struct {
			Campaigns  []item `json:"campaigns"`
			AdGroups   []item `json:"ad_groups"`
			Ads        []item `json:"ads"`
			SparkPosts []item `json:"spark_posts"`
		}
		c.get(ed.token, "/api/v1/campaigns", &lists)
		c.get(ed.token, "/api/v1/ad-groups", &lists)
		c.get(ed.token, "/api/v1/ads", &lists)
		c.get(ed.token, "/api/v1/spark-posts", &lists)
		for _, x := range lists.Campaigns {
			ed.campaigns = append(ed.campaigns, x.ID)
		}
		for _, x := range lists.AdGroups {
			ed.groups = append(ed.groups, x.ID)
			ed.bids[x.ID], _ = strconv.ParseFloat(x.Bid, 64)
		}
		for _, x := range lists.Ads {
			ed.ads = append(ed.ads, x.ID)
		}
		for _, x := range lists.SparkPosts {
			if x.Status == "AUTHORIZED" {
				ed.sparkPosts = append(ed.sparkPosts, x.ID)
			}
		}
		if len(ed.campaigns) > 0 && len(ed.groups) > 0 && len(ed.ads) > 0 && len(ed.sparkPosts) > 0 {
			out = append(out, ed)
		}
	}
	if len(out) == 0 {
		c.b.Fatal("no advertiser of the world has campaigns, ad groups, ads and usable Spark posts")
	}
	return out
}

// decisionBodies returns n request bodies for varied viewers.
func decisionBodies(n int) [][]byte {
	countries := []string{"US", "US", "US", "GB", "DE", "FR", "BR", "IN", "ID", "JP", "MX", "CA", "AU", "ES", "IT",
		"KR", "TR", "PH", "VN", "TH", "PL", "NL"}
	interests := []string{"beauty", "fitness", "gaming", "food", "travel", "fashion", "tech", "music", "pets", "sports"}
	r := rand.New(rand.NewPCG(5, 6))
	out := make([][]byte, n)
	for i := range out {
		list := ""
		for k := range r.IntN(4) {
			if k > 0 {
				list += ","
			}
			list += `"` + interests[r.IntN(len(interests))] + `"`
		}
		out[i] = fmt.Appendf(nil, `{"placement":"feed","viewer":{"id":"v%d","country":%q,"age":%d,"gender":%q,"language":"en","os":%q,"interests":[%s]},"count":1}`,
			r.IntN(100_000), countries[r.IntN(len(countries))], 13+r.IntN(50),
			[]string{"female", "male"}[r.IntN(2)], []string{"ios", "android"}[r.IntN(2)], list)
	}
	return out
}
