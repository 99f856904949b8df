package e2e

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestReadmeWalkthrough runs the README's curl walk-through as a newcomer
// pastes it (only the address differs: the test server listens on a free
// port), twice on the same data, and checks that every step answered.
func TestReadmeWalkthrough(t *testing.T) {
	t.Parallel()
	for _, tool := range []string{"bash", "curl", "grep", "cut"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s is not installed", tool)
		}
	}
	readme, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(readme)
	from, end := strings.Index(text, "## A walk through the API"), strings.Index(text, "## Where things are")
	if from < 0 || end < from {
		t.Fatal("the README has no walk-through section")
	}
	blocks := regexp.MustCompile("(?s)```sh\n(.*?)```").FindAllStringSubmatch(text[from:end], -1)
	if len(blocks) < 3 || !strings.Contains(blocks[0][1], "serve --test-clock --data ./walkthrough") {
		t.Fatalf("the walk-through does not start Flint as expected: %q", blocks)
	}
	work := t.TempDir()
	f := start(t, filepath.Join(work, "walkthrough"), "--test-clock")
	// The walk-through runs from the repository's root, where ./walkthrough
	// is the data directory and the measurement steps upload the sample
	// exports under internal/: the work directory gets both.
	for _, name := range []string{"shopify_orders_78.csv", "google_daily.csv"} {
		b, err := os.ReadFile(filepath.Join("../internal/integration/testdata", name))
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(work, "internal/integration/testdata")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	var script strings.Builder
	script.WriteString("set -u\ncd " + work + "\n")
	for _, b := range blocks[1:] {
		script.WriteString(strings.ReplaceAll(b[1], "http://127.0.0.1:8080", f.base))
	}
	for run := 1; run <= 2; run++ {
		out, err := exec.Command("bash", "-c", script.String()).CombinedOutput()
		if err != nil {
			t.Fatalf("run %d: %v\n%s", run, err, out)
		}
		got := string(out)
		for _, want := range []string{"FLINT-", `"accepted":3`, `"reasons":["AUTHORIZATION_EXPIRED"]`, `"paused_ads":1`,
			`"status":"AUTHORIZED"`, `"interpretation"`, `"webhook_url"`} {
			if !strings.Contains(got, want) {
				t.Errorf("run %d: the walk-through's output lacks %s:\n%s", run, want, got)
			}
		}
		if strings.Contains(got, `"error"`) || strings.Contains(got, "Traceback") {
			t.Errorf("run %d: a step failed:\n%s", run, got)
		}
	}
}
