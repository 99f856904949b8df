package e2e

import (
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/flintads/flint/internal/store/pgtest"
)

// Several nodes of the real binary on one PostgreSQL database, as
// docs/OPERATIONS.md runs them: shared secrets, short timeouts.

const (
	clusterOperator = "flop_cluster-test-operator-token-0123456789"
	clusterSecret   = "cluster-test-tracking-secret-0123456789abcdef"
)

// clusterArgs are the flags every node of a test cluster runs with.
var clusterArgs = []string{"--lease-timeout", "2s", "--lease-idle", "2s", "--reservation-ttl", "5s"}

// startCluster starts n nodes on the database at dbURL.
func startCluster(t *testing.T, n int, dbURL string, args ...string) []*flint {
	t.Helper()
	nodes := make([]*flint, n)
	for i := range nodes {
		nodes[i] = startNode(t, t.TempDir(), dbURL, args...)
	}
	return nodes
}

func startNode(t *testing.T, dir, dbURL string, args ...string) *flint {
	t.Helper()
	env := []string{"FLINT_OPERATOR_TOKEN=" + clusterOperator, "FLINT_SECRET=" + clusterSecret}
	return startWith(t, dir, env, append(append([]string{"--db", dbURL}, clusterArgs...), args...)...)
}

var nodeID = regexp.MustCompile(`msg=node id=(node_[0-9a-z]+)`)

// id returns the node ID the process logged.
func (f *flint) id() string {
	f.t.Helper()
	m := nodeID.FindStringSubmatch(f.logs.String())
	if m == nil {
		f.t.Fatalf("no node ID in the logs:\n%s", f.logs.String())
	}
	return m[1]
}

// spark is an advertiser's Spark ad setup: its tokens and IDs.
type spark struct {
	creatorToken, advToken string
	advID, postID, spID    string
}

// sparkSetup makes a creator with an authorized post redeemed by a new
// advertiser, through f.
func sparkSetup(f *flint, handle string) spark {
	op := f.operator
	creator := f.must(201, op, "POST", "/api/v1/accounts", map[string]any{"kind": "creator", "handle": handle,
		"creator_type": "creator"})
	adv := f.must(201, op, "POST", "/api/v1/accounts", map[string]any{"kind": "advertiser", "name": "Brand " + handle})
	s := spark{creatorToken: creator["token"].(string), advToken: adv["token"].(string), advID: adv["id"].(string)}
	post := f.must(201, op, "POST", "/api/v1/posts", map[string]any{"creator_id": creator["id"], "caption": "Post " + handle,
		"video_url": "https://cdn.example/" + handle + ".mp4", "duration_ms": 15000, "visibility": "public", "original": true})
	s.postID = post["id"].(string)
	base := "/api/v1/posts/" + s.postID + "/ad-authorization"
	f.must(200, s.creatorToken, "PUT", base, map[string]any{"enabled": true, "accept_terms": true, "days": 30})
	code := f.must(201, s.creatorToken, "POST", base+"/codes", nil)["code"].(string)
	s.spID = f.must(201, s.advToken, "POST", "/api/v1/spark-posts", map[string]any{"code": code})["id"].(string)
	return s
}

// adOn creates a campaign, an ad group and an ad on the Spark post s,
// through f, and returns the ad's ID.
func adOn(f *flint, s spark, campaign, group map[string]any) string {
	cmp := f.must(201, s.advToken, "POST", "/api/v1/campaigns", campaign)
	group["campaign_id"] = cmp["id"]
	g := f.must(201, s.advToken, "POST", "/api/v1/ad-groups", group)
	ad := f.must(201, s.advToken, "POST", "/api/v1/ads", map[string]any{"ad_group_id": g["id"], "spark_post_id": s.spID,
		"cta": map[string]any{"label": "Shop", "url": "https://shop.example"}})
	return ad["id"].(string)
}

var noBudget = map[string]any{"name": "C", "objective": "REACH", "budget_mode": "LIFETIME", "budget": "100000.00"}

func cpmGroup(bid string) map[string]any {
	return map[string]any{"name": "G", "billing_event": "CPM", "bid": bid, "pacing": "ACCELERATED",
		"budget_mode": "DAILY", "budget": "100000.00"}
}

// decide asks f for up to count ads for a fresh viewer and returns them
// by ad ID; nil when the request failed.
func (f *flint) decide(count int) map[string]map[string]any {
	status, out, err := f.try(f.operator, "POST", "/api/v1/decisions", map[string]any{"count": count,
		"viewer": map[string]any{"id": fmt.Sprintf("v%d", rand.Int64())}})
	if err != nil || status != 200 {
		return nil
	}
	ads := map[string]map[string]any{}
	for _, a := range out["ads"].([]any) {
		ad := a.(map[string]any)
		ads[ad["ad_id"].(string)] = ad
	}
	return ads
}

// serves reports whether a decision of f returns adID.
func (f *flint) serves(adID string) bool {
	_, ok := f.decide(10)[adID]
	return ok
}

// within polls cond every 10 ms and returns how long it took to hold, or
// fails once limit has passed.
func within(t *testing.T, limit time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > limit {
			t.Fatalf("%s: not within %s", what, limit)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// TestClusterChangesReachEveryNode: a revocation through node A stops the
// ad on B and C within a second, and they never serve it again; an ad
// created on A serves on B and C within a second; a token rotated on A
// stops working on B within a second.
func TestClusterChangesReachEveryNode(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.URL(t)
	nodes := startCluster(t, 3, dbURL)
	a := nodes[0]
	s := sparkSetup(a, "maya")
	adID := adOn(a, s, noBudget, cpmGroup("5.00"))
	for _, n := range nodes[1:] {
		t.Cleanup(func() {
			if t.Failed() {
				_, st := n.call(s.advToken, "GET", "/api/v1/ads/"+adID, nil)
				t.Logf("ad on %s (%s): %v; decision %v", n.base, n.id(), st, n.decide(10))
				rows, _ := pgQuery(t, dbURL).Query(`SELECT node_id, budget_id, period, granted, used FROM budget_leases`)
				for rows != nil && rows.Next() {
					var node, b string
					var p, g, u int64
					rows.Scan(&node, &b, &p, &g, &u)
					t.Logf("lease %s %s %d granted %d used %d", node, b, p, g, u)
				}
				t.Logf("logs:\n%s", n.logs.String())
			}
		})
		d := within(t, time.Second, "a new ad on A served by another node", func() bool { return n.serves(adID) })
		t.Logf("new ad served by another node after %s", d.Round(time.Millisecond))
	}

	a.must(200, s.creatorToken, "DELETE", "/api/v1/posts/"+s.postID+"/ad-authorization", nil)
	revoked := time.Now()
	var wg sync.WaitGroup
	for _, n := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n.serves(adID) {
				if time.Since(revoked) > time.Second {
					t.Errorf("node %s still serves the revoked ad after %s", n.base, time.Since(revoked))
					return
				}
			}
			t.Logf("node %s stopped after %s", n.base, time.Since(revoked).Round(time.Millisecond))
			// Never again, once applied.
			for range 30 {
				if n.serves(adID) {
					t.Errorf("node %s served the revoked ad again", n.base)
					return
				}
			}
		}()
	}
	wg.Wait()
	for _, n := range nodes[1:] {
		if st := n.must(200, s.advToken, "GET", "/api/v1/ads/"+adID, nil)["serving_status"]; st != "NOT_SERVING" {
			t.Fatalf("node %s: the revoked ad's status is %v", n.base, st)
		}
	}

	// A rotated token stops working on the other nodes (which cached it).
	b := nodes[1]
	b.must(200, s.advToken, "GET", "/api/v1/me", nil)
	a.must(200, a.operator, "POST", "/api/v1/accounts/"+s.advID+"/token", nil)
	within(t, time.Second, "a rotated token refused by another node", func() bool {
		status, _, err := b.try(s.advToken, "GET", "/api/v1/me", nil)
		return err == nil && status == 401
	})
}

// loadBudgets sends decisions to every node from several clients and the
// billing event of each ad they return to a random node (the load balancer
// does not know which node decided), until no node has served any of ads
// for quiet, or for at most limit. It returns the acknowledged events.
func loadBudgets(t *testing.T, nodes []*flint, ads []string, quiet, limit time.Duration, stop <-chan struct{}) []map[string]any {
	t.Helper()
	want := map[string]bool{}
	for _, id := range ads {
		want[id] = true
	}
	var mu sync.Mutex
	var acked []map[string]any
	var lastServe atomic.Int64
	lastServe.Store(time.Now().UnixNano())
	deadline := time.Now().Add(limit)
	var seq atomic.Int64
	var wg sync.WaitGroup
	for c := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && time.Since(time.Unix(0, lastServe.Load())) < quiet {
				select {
				case <-stop:
					return
				default:
				}
				n := nodes[(c+int(seq.Add(1)))%len(nodes)]
				var batch []map[string]any
				for id, ad := range n.decide(3) {
					if want[id] {
						lastServe.Store(time.Now().UnixNano())
					}
					batch = append(batch, map[string]any{"event_id": fmt.Sprintf("e%d", seq.Add(1)), "type": "impression",
						"token": ad["token"]})
				}
				if len(batch) == 0 {
					continue
				}
				to := nodes[rand.IntN(len(nodes))]
				status, out, err := to.try(to.operator, "POST", "/api/v1/events", map[string]any{"events": batch})
				if err == nil && status == 200 && out["accepted"] == float64(len(batch)) {
					mu.Lock()
					acked = append(acked, batch...)
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return acked
}

// spendOf returns an ad's spend in micros, as node f reports it.
func spendOf(f *flint, token, adID string) int64 {
	f.t.Helper()
	s := f.must(200, token, "GET", "/api/v1/ads/"+adID, nil)["spend"].(string)
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		f.t.Fatalf("spend %q: %v", s, err)
	}
	return int64(v*1e6 + 0.5)
}

// TestClusterBudgets: a lifetime (campaign) and a daily (ad group) budget
// served through three nodes at once, with billing events reaching any
// node, are never exceeded and at least 90 % used.
func TestClusterBudgets(t *testing.T) {
	t.Parallel()
	nodes := startCluster(t, 3, pgtest.URL(t))
	a := nodes[0]
	// Two budgeted ads bid 5.00 CPM; a third, unbudgeted, bids 4.00 and
	// sets the price of the second: each impression costs 0.004–0.005.
	life, daily, setter := sparkSetup(a, "life"), sparkSetup(a, "daily"), sparkSetup(a, "setter")
	lifeAd := adOn(a, life, map[string]any{"name": "L", "objective": "REACH", "budget_mode": "LIFETIME", "budget": "0.50"},
		map[string]any{"name": "G", "billing_event": "CPM", "bid": "5.00", "pacing": "ACCELERATED"})
	dailyAd := adOn(a, daily, map[string]any{"name": "D", "objective": "REACH", "budget_mode": "NONE"},
		map[string]any{"name": "G", "billing_event": "CPM", "bid": "5.00", "pacing": "ACCELERATED",
			"budget_mode": "DAILY", "budget": "0.50"})
	adOn(a, setter, noBudget, cpmGroup("4.00"))
	for _, n := range nodes {
		within(t, 2*time.Second, "the ads serve on every node", func() bool {
			d := n.decide(3)
			return d[lifeAd] != nil && d[dailyAd] != nil
		})
	}
	acked := loadBudgets(t, nodes, []string{lifeAd, dailyAd}, 2*time.Second, 60*time.Second, nil)
	if len(acked) == 0 {
		t.Fatal("no event was acknowledged")
	}
	for _, n := range nodes {
		checkMetrics(t, n)
	}
	const budget = 500_000
	for _, c := range []struct {
		name, token, ad string
	}{{"lifetime", life.advToken, lifeAd}, {"daily", daily.advToken, dailyAd}} {
		spent := spendOf(nodes[1], c.token, c.ad)
		t.Logf("%s budget 0.50: spent %.4f (%.1f %%) through 3 nodes", c.name, float64(spent)/1e6, float64(spent)/budget*100)
		if spent > budget {
			t.Errorf("%s budget exceeded: %d > %d", c.name, spent, budget)
		}
		if spent < budget*9/10 {
			t.Errorf("%s budget under-used: %d < 90 %% of %d", c.name, spent, budget)
		}
	}
}

// TestClusterBudgetLowered: a lifetime budget of 10.00 is leased by three
// nodes serving it; lowered to 2.00 through one node while they do, the
// spend of every node together ends at most at 2.00 (the nodes' leases
// held about twice that when it was lowered), and still uses it.
func TestClusterBudgetLowered(t *testing.T) {
	t.Parallel()
	nodes := startCluster(t, 3, pgtest.URL(t))
	a := nodes[0]
	s, setter := sparkSetup(a, "lowered"), sparkSetup(a, "setter")
	ad := adOn(a, s, map[string]any{"name": "L", "objective": "REACH", "budget_mode": "LIFETIME", "budget": "10.00"},
		map[string]any{"name": "G", "billing_event": "CPM", "bid": "5.00", "pacing": "ACCELERATED"})
	adOn(a, setter, noBudget, cpmGroup("4.00"))
	campaignID := a.must(200, s.advToken, "GET", "/api/v1/ads/"+ad, nil)["campaign_id"].(string)
	for _, n := range nodes {
		within(t, 2*time.Second, "the ad serves on every node", func() bool { return n.decide(3)[ad] != nil })
	}
	// Every node serves the ad (and leases its budget) before the edit.
	stop := make(chan struct{})
	done := make(chan []map[string]any)
	go func() { done <- loadBudgets(t, nodes, []string{ad}, 2*time.Second, 60*time.Second, stop) }()
	within(t, 10*time.Second, "some of the budget is spent", func() bool { return spendOf(nodes[1], s.advToken, ad) >= 200_000 })
	spentBefore := spendOf(nodes[1], s.advToken, ad)
	nodes[1].must(200, s.advToken, "PATCH", "/api/v1/campaigns/"+campaignID, map[string]any{"budget": "2.00"})
	acked := <-done
	close(stop)
	if len(acked) == 0 {
		t.Fatal("no event was acknowledged")
	}
	const budget = 2_000_000
	spent := spendOf(nodes[2], s.advToken, ad)
	t.Logf("budget 10.00 lowered to 2.00 after %.4f spent: spent %.4f in all", float64(spentBefore)/1e6, float64(spent)/1e6)
	if spentBefore >= budget {
		t.Fatalf("the load spent %.4f before the budget was lowered: too fast for this test", float64(spentBefore)/1e6)
	}
	if spent > budget {
		t.Errorf("lowered budget exceeded: %d > %d", spent, budget)
	}
	if spent < budget*9/10 {
		t.Errorf("lowered budget under-used: %d < 90 %% of %d", spent, budget)
	}
}

// pgQuery opens the test database at dbURL for checks made beside the nodes.
func pgQuery(t *testing.T, dbURL string) *sql.DB {
	t.Helper()
	db, err := sql.Open("pgx", dbURL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// resendAll sends acknowledged events again through f and fails unless
// every one is a duplicate: each was stored, once.
func resendAll(t *testing.T, f *flint, acked []map[string]any) {
	t.Helper()
	for i := 0; i < len(acked); i += 500 {
		batch := acked[i:min(i+500, len(acked))]
		out := f.must(200, f.operator, "POST", "/api/v1/events", map[string]any{"events": batch})
		if out["duplicates"] != float64(len(batch)) || out["accepted"] != float64(0) {
			t.Fatalf("acknowledged events %d..%d sent again: %v duplicates, %v accepted (want all duplicates)",
				i, i+len(batch), out["duplicates"], out["accepted"])
		}
	}
}

// countedOnce checks that the stored events and the hourly counters agree:
// no event counted twice.
func countedOnce(t *testing.T, db *sql.DB) {
	t.Helper()
	var events, impressions int64
	if err := db.QueryRow(`SELECT COUNT(*) FROM events WHERE type = 1`).Scan(&events); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT COALESCE(SUM(impressions), 0) FROM ad_stats_hourly`).Scan(&impressions); err != nil {
		t.Fatal(err)
	}
	if events != impressions {
		t.Fatalf("%d impressions stored but %d counted", events, impressions)
	}
}

// TestClusterNodeKilled: a node killed with SIGKILL mid-load loses no
// event that any node acknowledged, and its budget leases come back to
// the pools (taken back by the others after the lease timeout).
func TestClusterNodeKilled(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.URL(t)
	nodes := startCluster(t, 3, dbURL)
	a := nodes[0]
	s, setter := sparkSetup(a, "kill"), sparkSetup(a, "setter")
	adID := adOn(a, s, map[string]any{"name": "L", "objective": "REACH", "budget_mode": "LIFETIME", "budget": "1000.00"},
		map[string]any{"name": "G", "billing_event": "CPM", "bid": "5.00", "pacing": "ACCELERATED"})
	adOn(a, setter, noBudget, cpmGroup("4.00"))
	for _, n := range nodes {
		within(t, 2*time.Second, "the ad serves on every node", func() bool { return n.serves(adID) })
	}
	victim := nodes[2]
	victimID := victim.id()
	stop := make(chan struct{})
	done := make(chan []map[string]any)
	go func() { done <- loadBudgets(t, nodes, []string{adID}, time.Hour, 4*time.Second, stop) }()
	time.Sleep(1500 * time.Millisecond)
	if err := victim.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-victim.exited
	db := pgQuery(t, dbURL)
	var held int
	if err := db.QueryRow(`SELECT COUNT(*) FROM budget_leases WHERE node_id = $1`, victimID).Scan(&held); err != nil {
		t.Fatal(err)
	}
	if held == 0 {
		t.Fatal("the killed node held no lease; the test proves nothing about their return")
	}
	acked := <-done
	close(stop)
	if len(acked) == 0 {
		t.Fatal("nothing was acknowledged; the test proves nothing")
	}
	restarted := startNode(t, victim.dataDir, dbURL)
	within(t, 10*time.Second, "the killed node's leases taken back", func() bool {
		var n int
		err := db.QueryRow(`SELECT COUNT(*) FROM budget_leases WHERE node_id = $1`, victimID).Scan(&n)
		return err == nil && n == 0
	})
	// What each pool granted is what the live nodes hold of it plus what
	// its ads spent: nothing strands with the dead node.
	rows, err := db.Query(`SELECT p.budget_id, p.granted,
		COALESCE((SELECT SUM(l.granted - l.used) FROM budget_leases l WHERE l.budget_id = p.budget_id AND l.period = p.period), 0),
		COALESCE((SELECT SUM(h.spend) FROM ad_stats_hourly h JOIN ads a ON a.id = h.ad_id
			WHERE a.ad_group_id = p.budget_id OR a.campaign_id = p.budget_id), 0) FROM budget_pools p`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id string
		var granted, held, spent int64
		if err := rows.Scan(&id, &granted, &held, &spent); err != nil {
			t.Fatal(err)
		}
		if granted != held+spent {
			t.Errorf("pool %s granted %d, but the live leases hold %d and its ads spent %d", id, granted, held, spent)
		}
	}
	rows.Close()
	resendAll(t, restarted, acked)
	countedOnce(t, db)
	t.Logf("%d acknowledged events, all stored once; the killed node's leases came back", len(acked))
}

// proxy forwards TCP connections to target until cut, which closes every
// connection and refuses new ones until resume.
type proxy struct {
	ln     net.Listener
	target string
	mu     sync.Mutex
	conns  map[net.Conn]bool
	down   bool
}

func newProxy(t *testing.T, target string) *proxy {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]bool{}}
	t.Cleanup(func() { ln.Close(); p.cut() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			p.mu.Lock()
			down := p.down
			p.mu.Unlock()
			if down {
				c.Close()
				continue
			}
			go p.forward(c)
		}
	}()
	return p
}

func (p *proxy) forward(c net.Conn) {
	up, err := net.Dial("tcp", p.target)
	if err != nil {
		c.Close()
		return
	}
	p.mu.Lock()
	p.conns[c], p.conns[up] = true, true
	p.mu.Unlock()
	go func() { io.Copy(up, c); up.Close(); c.Close() }()
	io.Copy(c, up)
	c.Close()
	up.Close()
}

func (p *proxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.down = true
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *proxy) resume() {
	p.mu.Lock()
	p.down = false
	p.mu.Unlock()
}

// TestClusterDatabaseCut: the nodes' connections to PostgreSQL are cut
// (every one closed, new ones refused) mid-load and restored: decisions go
// on from memory throughout, no acknowledged event is lost, and the nodes
// recover by themselves.
func TestClusterDatabaseCut(t *testing.T) {
	t.Parallel()
	dbURL := pgtest.URL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	p := newProxy(t, u.Host)
	u.Host = p.ln.Addr().String()
	nodes := startCluster(t, 3, u.String())
	a := nodes[0]
	s, setter := sparkSetup(a, "cut"), sparkSetup(a, "setter")
	adID := adOn(a, s, map[string]any{"name": "L", "objective": "REACH", "budget_mode": "LIFETIME", "budget": "1000.00"},
		map[string]any{"name": "G", "billing_event": "CPM", "bid": "5.00", "pacing": "ACCELERATED"})
	adOn(a, setter, noBudget, cpmGroup("4.00"))
	for _, n := range nodes {
		within(t, 2*time.Second, "the ad serves on every node", func() bool { return n.serves(adID) })
	}
	done := make(chan []map[string]any)
	go func() { done <- loadBudgets(t, nodes, []string{adID}, time.Hour, 5*time.Second, nil) }()
	time.Sleep(1500 * time.Millisecond)
	p.cut()
	// While the database is away: decisions go on, events are refused
	// with 503 and Retry-After, never acknowledged.
	time.Sleep(300 * time.Millisecond)
	for _, n := range nodes {
		if !n.serves(adID) {
			t.Errorf("node %s stopped serving while the database was away", n.base)
		}
		d := n.decide(1)
		var tok any
		for _, ad := range d {
			tok = ad["token"]
		}
		status, out, err := n.try(n.operator, "POST", "/api/v1/events", map[string]any{"events": []map[string]any{
			{"event_id": fmt.Sprintf("cut-%s", n.base), "type": "impression", "token": tok}}})
		if err != nil || status != 503 || errCode(out) != "STORAGE_UNAVAILABLE" {
			t.Errorf("node %s: an event while the database is away: %d %v %v", n.base, status, out, err)
		}
	}
	time.Sleep(1200 * time.Millisecond)
	p.resume()
	acked := <-done
	for _, n := range nodes {
		within(t, 10*time.Second, "node ready again without a restart", func() bool {
			status, _, err := n.try("", "GET", "/readyz", nil)
			return err == nil && status == 200
		})
	}
	if len(acked) == 0 {
		t.Fatal("nothing was acknowledged; the test proves nothing")
	}
	resendAll(t, nodes[1], acked)
	countedOnce(t, pgQuery(t, dbURL))
	// Changes travel again.
	s2 := sparkSetup(nodes[2], "after")
	ad2 := adOn(nodes[2], s2, noBudget, cpmGroup("9.00"))
	within(t, 2*time.Second, "a new ad after the outage served by another node", func() bool { return a.serves(ad2) })
	t.Logf("%d acknowledged events across the outage, all stored once", len(acked))
}

// TestClusterCodeLookupLimit: one advertiser's ad-code attempts spread
// over three nodes stay within its one limit.
func TestClusterCodeLookupLimit(t *testing.T) {
	t.Parallel()
	nodes := startCluster(t, 3, pgtest.URL(t), "--code-lookup-burst", "5", "--code-lookup-rate", "0.01")
	a := nodes[0]
	adv := a.must(201, a.operator, "POST", "/api/v1/accounts", map[string]any{"kind": "advertiser", "name": "Prober"})
	token := adv["token"].(string)
	code := "FLINT-" + "0000000000000000000000000000000000000" // well formed enough to reach the limiter
	allowed := 0
	for i := range 30 {
		n := nodes[i%3]
		status, out, err := n.try(token, "POST", "/api/v1/spark-posts/lookup", map[string]any{"code": code[:42]})
		if err != nil {
			t.Fatal(err)
		}
		if status != 429 {
			allowed++
		} else if errCode(out) != "RATE_LIMITED" {
			t.Fatalf("429 with code %s", errCode(out))
		}
	}
	if allowed != 5 {
		t.Fatalf("%d of 30 attempts through 3 nodes were allowed; the advertiser's limit is 5", allowed)
	}
}

// scrape reads f's /metrics with the Prometheus text parser.
func scrape(t *testing.T, f *flint, token string) map[string]*dto.MetricFamily {
	t.Helper()
	req, _ := http.NewRequest("GET", f.base+"/metrics", nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/metrics: %d", resp.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	return families
}

// value returns the value of the series of family name whose labels
// include want (a counter's, a gauge's or a histogram's sample count).
func value(t *testing.T, families map[string]*dto.MetricFamily, name string, want ...string) float64 {
	t.Helper()
	f, ok := families[name]
	if !ok {
		t.Fatalf("/metrics has no %s", name)
	}
	total := 0.0
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		match := true
		for i := 0; i+1 < len(want); i += 2 {
			match = match && labels[want[i]] == want[i+1]
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			total += m.GetCounter().GetValue()
		case m.Gauge != nil:
			total += m.GetGauge().GetValue()
		case m.Histogram != nil:
			total += float64(m.GetHistogram().GetSampleCount())
		}
	}
	return total
}

// checkMetrics scrapes a node that served and stored events under load.
func checkMetrics(t *testing.T, f *flint) {
	t.Helper()
	m := scrape(t, f, "")
	for _, c := range []struct {
		name   string
		labels []string
	}{
		{"flint_decisions_total", []string{"result", "served"}},
		{"flint_decision_duration_seconds", nil},
		{"flint_events_total", []string{"outcome", "accepted"}},
		{"flint_spend_total", nil},
		{"flint_index_ads", nil},
		{"flint_nodes_live", nil},
		{"go_sql_open_connections", []string{"db_name", "write"}},
		{"go_goroutines", nil},
	} {
		if v := value(t, m, c.name, c.labels...); v <= 0 {
			t.Errorf("node %s: %s%v = %v, want > 0", f.base, c.name, c.labels, v)
		}
	}
	if v := value(t, m, "flint_nodes_live"); v != 3 {
		t.Errorf("node %s counts %v live nodes, want 3", f.base, v)
	}
	if v := value(t, m, "flint_change_log_applied"); v == 0 {
		t.Errorf("node %s applied no change-log entry", f.base)
	}
	within(t, time.Second, "change-log lag back to 0", func() bool {
		return value(t, scrape(t, f, ""), "flint_change_log_lag") == 0
	})
	for _, name := range []string{"flint_lease_budgets", "flint_lease_granted", "flint_lease_spent",
		"flint_lease_reserved", "flint_change_log_resyncs_total", "flint_ready"} {
		value(t, m, name) // present
	}
}

// TestMetricsToken: with FLINT_METRICS_TOKEN set, /metrics answers only
// to that bearer token.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	const token = "metrics-token-0123456789"
	f := startWith(t, t.TempDir(), []string{"FLINT_METRICS_TOKEN=" + token})
	for _, h := range []string{"", "Bearer wrong-token-0123456789", "Basic " + token} {
		req, _ := http.NewRequest("GET", f.base+"/metrics", nil)
		if h != "" {
			req.Header.Set("Authorization", h)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 401 {
			t.Fatalf("/metrics with %q: %d, want 401", h, resp.StatusCode)
		}
	}
	if v := value(t, scrape(t, f, token), "flint_index_loaded"); v != 1 {
		t.Fatalf("flint_index_loaded = %v", v)
	}
	if strings.Contains(f.logs.String(), token) {
		t.Fatal("the metrics token appears in the logs")
	}
}
