// Package e2e starts the real flint binary and drives it over HTTP, the way
// an outside client that knows only API.md would.
package e2e

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/flintads/flint/internal/store/pgtest"
)

var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "flint-e2e-")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "flint")
	build := exec.Command("go", "build", "-o", binary, "../cmd/flint")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building flint:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// flint is a running flint serve process.
type flint struct {
	t        *testing.T
	cmd      *exec.Cmd
	base     string
	dataDir  string
	operator string
	logs     *syncBuffer
	exited   chan struct{}
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

var listening = regexp.MustCompile(`msg=listening addr=(http://[0-9.:]+)`)

// start runs `flint serve` on a free port with the given data directory and
// extra arguments, and waits until it listens.
func start(t *testing.T, dataDir string, args ...string) *flint {
	t.Helper()
	return startWith(t, dataDir, nil, args...)
}

// startWith is start with more environment variables (NAME=value); an
// operator token among them is the one the test uses.
func startWith(t *testing.T, dataDir string, env []string, args ...string) *flint {
	t.Helper()
	f := &flint{t: t, dataDir: dataDir, logs: &syncBuffer{}, exited: make(chan struct{})}
	f.cmd = exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0", "--data", dataDir}, args...)...)
	f.cmd.Env = append(append(os.Environ(), "FLINT_OPERATOR_TOKEN=", "FLINT_DB=", "FLINT_SECRET="), env...)
	stderr, err := f.cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			line := sc.Text()
			f.logs.Write([]byte(line + "\n"))
			if m := listening.FindStringSubmatch(line); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
		f.cmd.Wait()
		close(f.exited)
	}()
	select {
	case f.base = <-found:
	case <-f.exited:
		t.Fatalf("flint exited before listening:\n%s", f.logs.String())
	case <-time.After(30 * time.Second):
		f.cmd.Process.Kill()
		t.Fatalf("flint did not start:\n%s", f.logs.String())
	}
	t.Cleanup(func() {
		f.cmd.Process.Kill()
		<-f.exited
	})
	f.waitReady()
	for _, kv := range env {
		if v, ok := strings.CutPrefix(kv, "FLINT_OPERATOR_TOKEN="); ok {
			f.operator = v
			return f
		}
	}
	tok, err := os.ReadFile(filepath.Join(dataDir, "operator-token"))
	if err != nil {
		t.Fatalf("the operator token was not written to the data directory: %v", err)
	}
	f.operator = strings.TrimSpace(string(tok))
	return f
}

// waitReady waits until /readyz answers 200: the server listens at once,
// and answers 503 until its delivery index has loaded.
func (f *flint) waitReady() {
	f.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(f.base + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		if time.Now().After(deadline) {
			f.t.Fatalf("flint did not become ready:\n%s", f.logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// stop sends SIGTERM and waits for a clean exit.
func (f *flint) stop() {
	f.t.Helper()
	if err := f.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		f.t.Fatal(err)
	}
	select {
	case <-f.exited:
	case <-time.After(30 * time.Second):
		f.t.Fatalf("flint did not stop on SIGTERM:\n%s", f.logs.String())
	}
	if code := f.cmd.ProcessState.ExitCode(); code != 0 {
		f.t.Fatalf("flint exited with %d after SIGTERM:\n%s", code, f.logs.String())
	}
}

// call sends a JSON request and decodes the JSON answer.
func (f *flint) call(token, method, path string, body any) (int, map[string]any) {
	f.t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, f.base+path, rd)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		f.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// must is call that fails the test unless the status is want.
func (f *flint) must(want int, token, method, path string, body any) map[string]any {
	f.t.Helper()
	status, out := f.call(token, method, path, body)
	if status != want {
		f.t.Fatalf("%s %s: %d, want %d: %v", method, path, status, want, out)
	}
	return out
}

func errCode(out map[string]any) string {
	e, _ := out["error"].(map[string]any)
	s, _ := e["code"].(string)
	return s
}

// backends runs fn with the serve arguments of each backend.
func backends(t *testing.T, fn func(t *testing.T, args []string)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, nil) })
	t.Run("postgres", func(t *testing.T) { fn(t, []string{"--db", pgtest.URL(t)}) })
}

// TestLifecycle walks the whole authorization lifecycle against the real
// binary, then restarts it and checks that everything is still there.
func TestLifecycle(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, args []string) {
		dir := t.TempDir()
		f := start(t, dir, append(args, "--test-clock")...)
		f.must(200, "", "GET", "/healthz", nil)
		f.must(200, "", "GET", "/readyz", nil)
		op := f.operator

		creator := f.must(201, op, "POST", "/api/v1/accounts", map[string]any{"kind": "creator", "handle": "maya",
			"display_name": "Maya", "creator_type": "creator"})
		adv := f.must(201, op, "POST", "/api/v1/accounts", map[string]any{"kind": "advertiser", "name": "Glow Co",
			"currency": "USD", "timezone": "America/New_York"})
		adv2 := f.must(201, op, "POST", "/api/v1/accounts", map[string]any{"kind": "advertiser", "name": "Shine"})
		ct, at, at2 := creator["token"].(string), adv["token"].(string), adv2["token"].(string)
		post := f.must(201, op, "POST", "/api/v1/posts", map[string]any{"creator_id": creator["id"], "caption": "Glow up",
			"video_url": "https://cdn.example/glow.mp4", "duration_ms": 15000, "visibility": "public", "original": true,
			"music": map[string]any{"title": "Sunny", "commercial": true}})
		pid := post["id"].(string)
		base := "/api/v1/posts/" + pid + "/ad-authorization"

		f.must(200, ct, "PUT", base, map[string]any{"enabled": true, "accept_terms": true, "days": 30})
		code := f.must(201, ct, "POST", base+"/codes", nil)["code"].(string)
		preview := f.must(200, at, "POST", "/api/v1/spark-posts/lookup", map[string]any{"code": code})
		if preview["post"].(map[string]any)["id"] != pid {
			t.Fatalf("preview shows another post: %v", preview)
		}
		sp := f.must(201, at, "POST", "/api/v1/spark-posts", map[string]any{"code": code})
		again := f.must(200, at, "POST", "/api/v1/spark-posts", map[string]any{"code": code})
		if again["id"] != sp["id"] {
			t.Fatal("confirming twice made two entries")
		}
		if status, out := f.call(at2, "POST", "/api/v1/spark-posts/lookup", nil); status != 400 || errCode(out) != "MALFORMED_JSON" {
			t.Fatalf("lookup without a body: %d %v", status, out)
		}

		// Day 29: still valid. Day 30: expired, everywhere.
		f.must(200, op, "POST", "/api/v1/test-clock/advance", map[string]any{"seconds": 29 * 24 * 3600})
		f.must(200, at2, "POST", "/api/v1/spark-posts/lookup", map[string]any{"code": code})
		f.must(200, op, "POST", "/api/v1/test-clock/advance", map[string]any{"seconds": 24 * 3600})
		if status, out := f.call(at2, "POST", "/api/v1/spark-posts", map[string]any{"code": code}); status != 422 || errCode(out) != "AD_CODE_EXPIRED" {
			t.Fatalf("day 30: %d %v", status, out)
		}
		if s := f.must(200, at, "GET", "/api/v1/spark-posts/"+sp["id"].(string), nil)["status"]; s != "EXPIRED" {
			t.Fatalf("library entry on day 30: %v", s)
		}
		// Extended, it works again; revoked, it stops.
		f.must(200, ct, "POST", base+"/extend", map[string]any{"days": 7})
		f.must(201, at2, "POST", "/api/v1/spark-posts", map[string]any{"code": code})
		users := f.must(200, ct, "GET", base, nil)["advertisers"].([]any)
		if len(users) != 2 {
			t.Fatalf("the creator sees %d advertisers, want 2", len(users))
		}
		if rv := f.must(200, ct, "DELETE", base, nil); rv["status"] != "REVOKED" {
			t.Fatalf("revoke: %v", rv)
		}
		if status, out := f.call(at, "POST", "/api/v1/spark-posts/lookup", map[string]any{"code": code}); status != 422 || errCode(out) != "AD_CODE_REVOKED" {
			t.Fatalf("after revoke: %d %v", status, out)
		}
		// Tenant isolation: another advertiser cannot see the entry.
		if status, _ := f.call(at2, "GET", "/api/v1/spark-posts/"+sp["id"].(string), nil); status != 404 {
			t.Fatalf("another advertiser's entry: %d", status)
		}

		// A graceful stop and a restart keep everything.
		f.stop()
		if !strings.Contains(f.logs.String(), "msg=stopped") {
			t.Fatalf("no clean shutdown in the logs:\n%s", f.logs.String())
		}
		g := start(t, dir, args...)
		if g.operator != op {
			t.Fatal("the operator token changed across a restart")
		}
		lib := g.must(200, at, "GET", "/api/v1/spark-posts", nil)["spark_posts"].([]any)
		if len(lib) != 1 || lib[0].(map[string]any)["status"] != "REVOKED" {
			t.Fatalf("library after restart: %v", lib)
		}
		if status, _ := g.call(op, "POST", "/api/v1/test-clock/advance", map[string]any{"seconds": 1}); status != 404 {
			t.Fatalf("test clock without the flag: %d", status)
		}

		// The code never appears in clear in the data directory or the logs.
		secret := code[len("FLINT-"):]
		for _, logs := range []string{f.logs.String(), g.logs.String()} {
			if strings.Contains(logs, secret) {
				t.Fatal("a code appears in the logs")
			}
		}
		filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(secret)) {
					t.Errorf("%s holds the code in clear", path)
				}
			}
			return nil
		})
		g.stop()
	})
}

// try is call that reports transport errors instead of failing.
func (f *flint) try(token, method, path string, body any) (int, map[string]any, error) {
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, f.base+path, rd)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0, nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, err
	}
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out, nil
}

// servingWorld sets up a creator, an advertiser and a serving Spark ad over
// the API, and returns the tracking tokens of n decisions.
func (f *flint) servingWorld(n int) []string {
	f.t.Helper()
	op := f.operator
	creator := f.must(201, op, "POST", "/api/v1/accounts", map[string]any{"kind": "creator", "handle": "maya",
		"creator_type": "creator"})
	adv := f.must(201, op, "POST", "/api/v1/accounts", map[string]any{"kind": "advertiser", "name": "Glow Co"})
	ct, at := creator["token"].(string), adv["token"].(string)
	post := f.must(201, op, "POST", "/api/v1/posts", map[string]any{"creator_id": creator["id"], "caption": "Glow",
		"video_url": "https://cdn.example/glow.mp4", "duration_ms": 15000, "visibility": "public", "original": true})
	base := "/api/v1/posts/" + post["id"].(string) + "/ad-authorization"
	f.must(200, ct, "PUT", base, map[string]any{"enabled": true, "accept_terms": true, "days": 30})
	code := f.must(201, ct, "POST", base+"/codes", nil)["code"].(string)
	sp := f.must(201, at, "POST", "/api/v1/spark-posts", map[string]any{"code": code})
	cmp := f.must(201, at, "POST", "/api/v1/campaigns", map[string]any{"name": "C", "objective": "REACH",
		"budget_mode": "LIFETIME", "budget": "100000.00"})
	g := f.must(201, at, "POST", "/api/v1/ad-groups", map[string]any{"campaign_id": cmp["id"], "name": "G",
		"billing_event": "CPM", "bid": "5.00", "pacing": "ACCELERATED"})
	f.must(201, at, "POST", "/api/v1/ads", map[string]any{"ad_group_id": g["id"], "spark_post_id": sp["id"],
		"cta": map[string]any{"label": "Shop", "url": "https://glow.example"}})
	tokens := make([]string, 0, n)
	for i := range n {
		d := f.must(200, op, "POST", "/api/v1/decisions", map[string]any{"viewer": map[string]any{"id": fmt.Sprintf("v%d", i)}})
		ads := d["ads"].([]any)
		if len(ads) != 1 {
			f.t.Fatalf("decision %d: %v", i, d)
		}
		tokens = append(tokens, ads[0].(map[string]any)["token"].(string))
	}
	return tokens
}
