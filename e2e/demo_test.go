package e2e

import (
	"bufio"

	"github.com/chromedp/chromedp"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

var demoURL = regexp.MustCompile(`Flint demo is running at (http://[0-9.:]+)`)

// runDemo starts `flint demo` on dataDir and returns its URL, its output so
// far, and a function that interrupts it (Ctrl-C) and waits for it to stop.
func runDemo(t *testing.T, dataDir string) (string, *syncBuffer, func() error) {
	t.Helper()
	cmd := exec.Command(binary, "demo", "--addr", "127.0.0.1:0", "--data", dataDir)
	cmd.Env = append(cmd.Environ(), "FLINT_OPERATOR_TOKEN=", "FLINT_DB=", "FLINT_LOG_LEVEL=warn")
	out := &syncBuffer{}
	cmd.Stderr = out
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	found := make(chan string, 1)
	go func() {
		// The welcome ends with the API line: wait for all of it.
		sc := bufio.NewScanner(stdout)
		url := ""
		for sc.Scan() {
			out.Write([]byte(sc.Text() + "\n"))
			if m := demoURL.FindStringSubmatch(sc.Text()); m != nil {
				url = m[1]
			}
			if url != "" && strings.HasPrefix(sc.Text(), "API:") {
				found <- url
			}
		}
	}()
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	var url string
	select {
	case url = <-found:
	case err := <-done:
		t.Fatalf("flint demo exited: %v\n%s", err, out.String())
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("flint demo did not start:\n%s", out.String())
	}
	stopped := false
	stop := func() error {
		if stopped {
			return nil
		}
		stopped = true
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case err := <-done:
			return err
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			return <-done
		}
	}
	t.Cleanup(func() { stop() })
	return url, out, stop
}

// TestDemo runs `flint demo` as a newcomer would: it prints logins, a brand
// sees a populated Ads Manager whose numbers move, a creator sees their
// profile, Ctrl-C stops it cleanly, and a second run reuses the world.
func TestDemo(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	url, out, stop := runDemo(t, dir)
	for _, want := range []string{"ads@glow.example", "maya", `"flint-demo"`, "/console"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the demo's welcome lacks %q:\n%s", want, out.String())
		}
	}
	window := newBrowser(t, url)
	ad := window("brand")
	ad.open("/")
	ad.fill("Email or handle", "ads@glow.example")
	ad.fill("Password", "flint-demo")
	ad.click("Log in")
	ad.see("Vitamin C serum launch")
	ad.see("Paid engagement")
	ad.snap("dashboard")
	ad.click("Campaign")
	ad.click("Ads")
	ad.see("Delivering")
	ad.snap("ads")
	ad.click("Assets")
	ad.click("Creatives")
	ad.see("@ava.travels")
	ad.snap("creatives")
	// Imported orders and Meta spend give Reports something to show.
	ad.click("Reports")
	ad.click("Show me a report comparing TikTok spend vs. Shopify revenue by campaign this month")
	ad.see("How Flint read it")
	if row := ad.cells("Vitamin C serum launch"); len(row) != 4 || row[2] == "—" || row[2] == "$0.00" {
		t.Errorf("the seed question's Vitamin C row in the demo reads %q", row)
	}
	ad.see("Unattributed (no campaign)")
	ad.snap("reports")
	ad.fill("Ask a question", "Meta spend vs TikTok spend by campaign last 14 days")
	ad.click("Ask")
	ad.see("Serum retargeting")
	ad.snap("reports by channel")

	cr := window("creator")
	cr.open("/login")
	cr.fill("Email or handle", "maya")
	cr.fill("Password", "flint-demo")
	cr.click("Log in")
	cr.see("Maya Chen")
	cr.see("Behind the scenes")
	cr.snap("profile")
	cr.click("Ad authorizations")
	cr.see("Glow Co Skincare")
	cr.snap("authorizations")

	// A phone-width window.
	phone := window("phone")
	phone.do("phone width", chromedp.EmulateViewport(390, 844))
	phone.open("/login")
	phone.fill("Email or handle", "ads@harbor.example")
	phone.fill("Password", "flint-demo")
	phone.click("Log in")
	phone.see("Autumn blend")
	phone.snap("dashboard")
	phone.open("/ads/ads")
	phone.snap("ads")
	phone.open("/logout")
	phoneCreator := window("phone-creator")
	phoneCreator.do("phone width", chromedp.EmulateViewport(390, 844))
	phoneCreator.loginWith("leo.cooks", "flint-demo")
	phoneCreator.see("Leo Park")
	phoneCreator.snap("profile")
	phoneCreator.clickAt(`//a[contains(normalize-space(), "Latte art")]`, "a post")
	phoneCreator.clickName("More options")
	phoneCreator.click("Ad settings")
	phoneCreator.see("Harbor Coffee Roasters")
	phoneCreator.snap("ad settings")

	// The numbers move: paid impressions are counted while we watch.
	deadline := time.Now().Add(20 * time.Second)
	for {
		cr.open("/ad-authorizations")
		cr.open("/profile")
		if !strings.Contains(cr.text(), "PAID VIEWS\n0") && !strings.Contains(cr.text(), "Paid views\n0") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no paid views after 20 s of simulated traffic:\n%s", cr.text())
		}
		time.Sleep(time.Second)
	}
	if err := stop(); err != nil {
		t.Fatalf("flint demo did not stop cleanly on Ctrl-C: %v\n%s", err, out.String())
	}

	_, out2, stop2 := runDemo(t, dir)
	if !strings.Contains(out2.String(), "Reusing the demo world") {
		t.Errorf("a second run did not say it reuses the world:\n%s", out2.String())
	}
	if err := stop2(); err != nil {
		t.Fatalf("second run: %v", err)
	}
}
