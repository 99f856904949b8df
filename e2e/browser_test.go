package e2e

// Browser tests: a real headless Chromium (Debian's chromium package) clicks
// through the creator app and Ads Manager using only the labels a person
// reads. Each test saves screenshots in its artifact directory: run
//
//	go test ./e2e -run Browser -artifacts -outputdir /tmp/flint-shots
//
// to keep them (under /tmp/flint-shots/…/TestBrowser…/); without -artifacts
// they go to a temporary directory that is removed afterwards.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/flintads/flint/internal/config"
	"github.com/flintads/flint/internal/server"
)

// chromium returns the browser's path, or skips the test when there is
// none (FLINT_REQUIRE_BROWSER=1, set by CI, makes that a failure).
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("FLINT_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if os.Getenv("FLINT_REQUIRE_BROWSER") != "" {
		t.Fatal("FLINT_REQUIRE_BROWSER is set but Chromium is not installed (apt-get install chromium)")
	}
	t.Skip("Chromium is not installed (apt-get install chromium); skipping the browser test")
	return ""
}

// site is an in-process Flint with a few accounts made through the API.
type site struct {
	t   *testing.T
	url string
	app *server.App
}

const (
	opToken  = "operator-token-for-browser-tests"
	password = "correct horse battery"
)

func newSite(t *testing.T) *site {
	t.Helper()
	cfg := config.Defaults()
	cfg.DataDir = t.TempDir()
	cfg.DB = filepath.Join(cfg.DataDir, "flint.db")
	cfg.OperatorToken = opToken
	cfg.TestClock = true
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	app, err := server.New(context.Background(), cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(app.Handler)
	t.Cleanup(func() {
		srv.Close()
		app.Close()
	})
	return &site{t: t, url: srv.URL, app: app}
}

// api calls the JSON API as the operator and decodes the answer.
func (s *site) api(method, path string, body any) map[string]any {
	s.t.Helper()
	return s.apiAs(opToken, method, path, body)
}

// apiAs calls the JSON API with an account's token.
func (s *site) apiAs(token, method, path string, body any) map[string]any {
	s.t.Helper()
	var b []byte
	if body != nil { // no body at all, rather than "null", which the API refuses
		b, _ = json.Marshal(body)
	}
	req, _ := http.NewRequest(method, s.url+"/api/v1"+path, strings.NewReader(string(b)))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	json.NewDecoder(resp.Body).Decode(&out)
	if resp.StatusCode >= 300 {
		s.t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, out)
	}
	return out
}

func (s *site) creator(handle, ctype string) string {
	return s.api("POST", "/accounts", map[string]any{"kind": "creator", "handle": handle,
		"display_name": strings.ToUpper(handle[:1]) + handle[1:], "creator_type": ctype, "password": password})["id"].(string)
}

func (s *site) advertiser(name, email string) string {
	return s.api("POST", "/accounts", map[string]any{"kind": "advertiser", "name": name, "email": email,
		"currency": "USD", "timezone": "America/New_York", "password": password})["id"].(string)
}

func (s *site) post(creatorID, caption string, change func(map[string]any)) string {
	p := map[string]any{"creator_id": creatorID, "caption": caption, "video_url": "https://cdn.example/v.mp4",
		"duration_ms": 21000, "visibility": "public", "original": true,
		"music": map[string]any{"title": "Sunny", "commercial": true}}
	if change != nil {
		change(p)
	}
	return s.api("POST", "/posts", p)["id"].(string)
}

// browser is one person's browser window: its own cookies, its own tab.
type browser struct {
	t    *testing.T
	ctx  context.Context
	base string
	dir  string
	name string
	shot *atomic.Int32
}

// newBrowser starts a headless Chromium for the test (with a fresh profile)
// and returns a function that opens a window for one person in it.
func newBrowser(t *testing.T, base string) func(name string) *browser {
	exe := chromium(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(exe), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("hide-scrollbars", true), chromedp.Flag("mute-audio", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 900),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	rootCtx, cancelRoot := chromedp.NewContext(allocCtx)
	if err := chromedp.Do(rootCtx, chromedp.Navigate("about:blank")); err != nil {
		cancelRoot()
		cancelAlloc()
		t.Fatalf("start Chromium: %v", err)
	}
	t.Cleanup(func() {
		cancelRoot()
		cancelAlloc()
	})
	dir := t.ArtifactDir()
	t.Logf("screenshots: %s", dir)
	var n atomic.Int32
	return func(name string) *browser {
		ctx, cancel := chromedp.NewContext(rootCtx, chromedp.WithNewBrowserContext())
		t.Cleanup(cancel)
		// The first action opens the tab, which lives as long as the context
		// of that action: run it without a timeout.
		if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
			t.Fatalf("open a window: %v", err)
		}
		return &browser{t: t, ctx: ctx, base: base, dir: dir, name: name, shot: &n}
	}
}

func (b *browser) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 20*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		b.snap("failed")
		b.t.Fatalf("%s: %s: %v\npage text:\n%s", b.name, what, err, b.text())
	}
}

// text is the visible text of the page.
func (b *browser) text() string {
	ctx, cancel := context.WithTimeout(b.ctx, 5*time.Second)
	defer cancel()
	s, _ := chromedp.Run(ctx, chromedp.Evaluate[string](`document.body ? document.body.innerText : ""`))
	return s
}

func (b *browser) open(path string) {
	b.t.Helper()
	b.do("open "+path, chromedp.Navigate(b.base+path))
}

// see waits until the page shows text.
func (b *browser) see(text string) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		page := b.text()
		if strings.Contains(page, text) {
			return
		}
		if time.Now().After(deadline) {
			b.snap("missing")
			b.t.Fatalf("%s: the page does not show %q; it shows:\n%s", b.name, text, page)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// xq quotes s for XPath.
func xq(s string) string {
	if !strings.Contains(s, `"`) {
		return `"` + s + `"`
	}
	return `'` + s + `'`
}

// control is the form control whose <label> reads exactly label.
func control(label string) string {
	return `//*[@id=//label[normalize-space()=` + xq(label) + `]/@for]`
}

// clickable is the button, link or menu that reads exactly text.
func clickable(text string) string {
	q := xq(text)
	return `//button[normalize-space()=` + q + `] | //a[normalize-space()=` + q + `] | //summary[normalize-space()=` + q + `]`
}

// click clicks the button or link that reads text and, when that leaves
// the page (a link, a submit button), waits until the next page has loaded.
func (b *browser) click(text string) {
	b.t.Helper()
	b.clickAt(clickable(text), text)
}

// clickAt clicks the element xpath names, as click does.
func (b *browser) clickAt(xpath, what string) {
	b.t.Helper()
	b.waitFor(xpath, what)
	leaves, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(function(){
		const e = document.evaluate(`+jsString(xpath)+`, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue;
		window.__flintPage = true;
		return !!e && ((e.tagName === "A" && e.hasAttribute("href")) || (e.tagName === "BUTTON" && e.type === "submit" && !!e.form));
	})()`))
	if err != nil {
		b.t.Fatalf("%s: %v", b.name, err)
	}
	b.do("click "+what, chromedp.Click(xpath, chromedp.NodeVisible))
	if !leaves {
		return
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		loaded, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`window.__flintPage !== true && document.readyState === "complete"`))
		cancel()
		if err == nil && loaded {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.snap("stuck")
	b.t.Fatalf("%s: clicking %s did not load a page", b.name, what)
}

// waitFor waits until the element xpath names is on the page.
func (b *browser) waitFor(xpath, what string) {
	b.t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		found, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.evaluate(`+jsString(xpath)+
			`, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null).singleNodeValue !== null`))
		cancel()
		if err == nil && found {
			return
		}
		if time.Now().After(deadline) {
			b.snap("not found")
			b.t.Fatalf("%s: nothing on the page is %s; the page shows:\n%s", b.name, what, b.text())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// clickName clicks the control whose accessible name (aria-label) is name.
func (b *browser) clickName(name string) {
	b.t.Helper()
	b.clickAt(`//*[@aria-label=`+xq(name)+`]`, name)
}

// toggle clicks the checkbox, switch or radio button labelled label.
func (b *browser) toggle(label string) {
	b.t.Helper()
	b.waitFor(control(label), "labelled "+label)
	b.do("toggle "+label, chromedp.Click(control(label), chromedp.NodeVisible))
}

// fill types value into the text field labelled label.
func (b *browser) fill(label, value string) {
	b.t.Helper()
	b.waitFor(control(label), "labelled "+label)
	b.do("fill "+label, chromedp.Evaluate[chromedp.Void](`(function(){
			const r = document.evaluate(`+jsString(control(label))+`, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null);
			if (!r.singleNodeValue) throw new Error("no field labelled "+`+jsString(label)+`);
			r.singleNodeValue.value = "";
		})()`), chromedp.SendKeys(control(label), value, chromedp.NodeVisible))
}

// choose picks the option that reads option in the select labelled label.
func (b *browser) choose(label, option string) {
	b.t.Helper()
	b.waitFor(control(label), "labelled "+label)
	b.do("choose "+option, chromedp.Evaluate[chromedp.Void](`(function(){
		const r = document.evaluate(`+jsString(control(label)+`/option[normalize-space()=`+xq(option)+`]`)+`, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null);
		const o = r.singleNodeValue;
		if (!o) throw new Error("no option "+`+jsString(option)+`);
		o.parentElement.value = o.value;
		o.parentElement.dispatchEvent(new Event("change", {bubbles: true}));
	})()`))
}

// value reads the value of the field labelled label.
func (b *browser) value(label string) string {
	b.t.Helper()
	v, err := chromedp.Run(b.ctx, chromedp.Value(control(label)))
	if err != nil {
		b.t.Fatalf("%s: read %s: %v", b.name, label, err)
	}
	return v
}

// snap saves a screenshot of the whole page.
func (b *browser) snap(what string) {
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		b.t.Logf("screenshot %s: %v", what, err)
		return
	}
	name := fmt.Sprintf("%02d-%s-%s.png", b.shot.Add(1), b.name, strings.ReplaceAll(what, " ", "-"))
	if err := os.WriteFile(filepath.Join(b.dir, name), png, 0o644); err != nil {
		b.t.Error(err)
	}
}

func (b *browser) login(login string) {
	b.t.Helper()
	b.loginWith(login, password)
}

// loginWith logs in with a password.
func (b *browser) loginWith(login, pw string) {
	b.t.Helper()
	b.open("/")
	b.see("Log in to Flint")
	b.fill("Email or handle", login)
	b.fill("Password", pw)
	b.click("Log in")
}

// decide asks the decision API for one ad for a US viewer and returns the
// IDs of the ads it serves.
func (s *site) decide() []string {
	s.t.Helper()
	d := s.api("POST", "/decisions", map[string]any{"placement": "feed", "count": 1, "viewer": map[string]any{
		"id": fmt.Sprint("v", time.Now().UnixNano()), "country": "US", "age": 27, "gender": "female", "language": "en", "os": "ios"}})
	var ids []string
	for _, a := range d["ads"].([]any) {
		ids = append(ids, a.(map[string]any)["ad_id"].(string))
	}
	return ids
}

// TestBrowserSparkAdFlow walks the seed from end to end: the creator
// authorizes a post and generates its code; the brand pastes it, confirms
// the post, creates a campaign, an ad group and an ad, and publishes; the
// decision API serves the ad; the creator turns authorization off; Ads
// Manager shows the ad paused with the reason, and the ad no longer serves.
func TestBrowserSparkAdFlow(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	maya := s.creator("maya", "creator")
	s.post(maya, "My morning glow routine", nil)
	s.advertiser("Glow Co", "ads@glow.example")
	window := newBrowser(t, s.url)

	// The creator: profile → post → ⋯ → Ad settings → switch, terms, period → Authorize → Generate.
	cr := window("creator")
	cr.login("maya")
	cr.see("@maya")
	cr.snap("profile")
	cr.clickAt(`//a[contains(normalize-space(), "My morning glow routine")]`, "the post")
	cr.clickName("More options")
	cr.snap("post menu")
	cr.click("Ad settings")
	cr.see("Ad authorization is off")
	cr.toggle("Ad authorization")
	cr.toggle("I accept the Advertising Terms of Service")
	cr.toggle("30 days")
	cr.snap("ad settings terms and period")
	cr.click("Authorize")
	cr.see("Ad authorization is on")
	cr.see("The period starts when you generate the code")
	cr.click("Generate")
	cr.see("Your ad code")
	cr.see("expires in 30 days, on")
	code := cr.value("Ad code")
	if !strings.HasPrefix(code, "FLINT-") {
		t.Fatalf("the page shows the code %q", code)
	}
	cr.click("Copy code")
	cr.snap("code")

	// The brand: Assets → Creatives → Spark Ads posts → + Apply for authorization → paste → Search → Confirm.
	ad := window("advertiser")
	ad.login("ads@glow.example")
	ad.see("Dashboard")
	ad.click("Assets")
	ad.click("Creatives")
	ad.see("Spark Ads posts")
	ad.click("+ Apply for authorization")
	ad.fill("Search for post", code)
	ad.click("Search")
	ad.see("My morning glow routine")
	ad.see("@maya")
	ad.snap("preview")
	ad.click("Confirm")
	ad.see("Authorized")
	ad.see("Expires in 30 days")
	ad.snap("library")

	// Create → campaign → ad group → ad → Publish.
	ad.click("Campaign")
	ad.click("Create")
	ad.fill("Campaign name", "Serum launch")
	ad.choose("Objective", "Video views")
	ad.choose("Budget type", "Lifetime budget")
	ad.fill("Budget", "500.00")
	ad.snap("campaign form")
	ad.click("Continue")
	ad.see("Ad group name")
	ad.fill("Ad group name", "US 18-34")
	ad.fill("Countries", "US")
	ad.choose("Age", "18–34")
	ad.choose("Frequency cap", "3 impressions per day")
	ad.snap("ad group form")
	ad.click("Continue")
	ad.see("Landing page URL")
	ad.fill("Ad name", "Maya routine")
	ad.toggle("Use the creator's account to deliver Spark Ads")
	ad.clickAt(`//label[contains(normalize-space(), "My morning glow routine")]`, "the post in the library")
	ad.choose("Call to action", "Shop now")
	ad.fill("Landing page URL", "https://glow.example/serum")
	ad.snap("ad form")
	ad.click("Publish")
	ad.see("Your ad is published")
	ad.see("Delivering")
	ad.snap("published")

	served := s.decide()
	if len(served) != 1 {
		t.Fatalf("the decision API serves %v, want the published ad", served)
	}

	// The creator turns authorization off; running ads are paused.
	cr.open("/profile")
	cr.clickAt(`//a[contains(normalize-space(), "My morning glow routine")]`, "the post")
	cr.clickName("More options")
	cr.click("Ad settings")
	cr.see("Glow Co")
	cr.toggle("Ad authorization")
	cr.see("every running ad that uses this post will be paused")
	cr.snap("revoke confirmation")
	cr.click("Turn off and pause ads")
	cr.see("1 running ad was paused")
	cr.snap("revoked")

	ad.click("Campaign")
	ad.click("Ads")
	ad.see("Paused: the creator revoked the authorization")
	ad.snap("ad paused")
	if served := s.decide(); len(served) != 0 {
		t.Fatalf("after revocation the decision API still serves %v", served)
	}
	ad.click("Dashboard")
	ad.see("Last 14 days")
	ad.snap("dashboard")
}

// TestBrowserIneligiblePosts: the seed's Common Issues, in the app's words.
// A personal account, a post that is not public, one that is not original
// and one with music outside the commercial library each say why on the Ad
// settings page, and offer no Ad authorization switch.
func TestBrowserIneligiblePosts(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	leo := s.creator("leo", "business")
	s.post(leo, "Private rehearsal", func(p map[string]any) { p["visibility"] = "private" })
	s.post(leo, "Reposted clip", func(p map[string]any) { p["original"] = false })
	s.post(leo, "Pasta with a chart hit", func(p map[string]any) {
		p["music"] = map[string]any{"title": "Hit", "commercial": false}
	})
	sam := s.creator("sam", "personal")
	s.post(sam, "My cat judging my cooking", nil)
	window := newBrowser(t, s.url)

	for _, tc := range []struct {
		login, caption, want string
	}{
		{"sam", "My cat judging my cooking", "Switch to a Business or Creator account to authorize ads"},
		{"leo", "Private rehearsal", "public"},
		{"leo", "Reposted clip", "original"},
		{"leo", "Pasta with a chart hit", "commercial music"},
	} {
		b := window(tc.login + "-" + strings.Fields(tc.caption)[0])
		b.login(tc.login)
		b.see("@" + tc.login)
		b.clickAt(`//a[contains(normalize-space(), `+xq(tc.caption)+`)]`, "the post")
		b.clickName("More options")
		b.click("Ad settings")
		b.see("This post can't be authorized for ads")
		b.see(tc.want)
		b.snap("ineligible")
		if n, err := chromedp.Run(b.ctx, chromedp.Evaluate[int](`document.querySelectorAll('[role=switch]').length`)); err != nil || n != 0 {
			t.Errorf("%s: the Ad settings of %q offer %d switches (%v), want none", tc.login, tc.caption, n, err)
		}
	}
}

// TestBrowserCodeErrors: a mistyped code is explained next to the field,
// and what was pasted stays in it; a campaign with two wrong fields shows
// both at once.
func TestBrowserCodeErrors(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	s.advertiser("Glow Co", "ads@glow.example")
	window := newBrowser(t, s.url)
	b := window("advertiser")
	b.login("ads@glow.example")
	b.see("Dashboard")
	b.open("/ads/creatives/apply")
	b.fill("Search for post", "FLINT-1234")
	b.click("Search")
	b.see("doesn't look like a complete ad code")
	if v := b.value("Search for post"); v != "FLINT-1234" {
		t.Errorf("the field holds %q after the error, want what was pasted", v)
	}
	b.snap("mistyped code")

	// Every wrong field of a form at once, each next to its field.
	b.open("/ads/campaigns/new")
	b.fill("Campaign name", " ")
	b.choose("Budget type", "Daily budget")
	b.fill("Budget", "12.345")
	b.click("Continue")
	b.see("Give the campaign a name.")
	b.see("Budget may have at most 2 decimals in this currency.")
	if v := b.value("Budget"); v != "12.345" {
		t.Errorf("the budget field holds %q after the error", v)
	}
	b.snap("campaign errors")
}

// TestBrowserKeyboard: the creator's flow up to a shown code by keyboard
// alone: Tab to each control, Space or Enter to use it.
func TestBrowserKeyboard(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	maya := s.creator("maya", "creator")
	s.post(maya, "Keyboard only", nil)
	s.advertiser("Glow Co", "ads@glow.example")
	window := newBrowser(t, s.url)
	b := window("keyboard")
	b.open("/login")
	b.see("Log in to Flint")
	b.tabTo(control("Email or handle"))
	b.keys("maya")
	b.tabTo(control("Password"))
	b.keys(password + "\r")
	b.see("@maya")
	b.tabTo(`//a[contains(normalize-space(), "Keyboard only")]`)
	b.keys("\r")
	b.tabTo(`//*[@aria-label="More options"]`)
	b.keys("\r")
	b.tabTo(clickable("Ad settings"))
	b.keys("\r")
	b.see("Ad authorization")
	b.tabTo(control("Ad authorization"))
	b.keys(" ")
	b.tabTo(control("I accept the Advertising Terms of Service"))
	b.keys(" ")
	b.tabTo(control("30 days"))
	b.keys(" ")
	b.snap("focus on a period")
	b.tabTo(clickable("Authorize"))
	b.keys("\r")
	b.see("Ad authorization is on")
	b.tabTo(clickable("Generate"))
	b.keys("\r")
	b.see("Your ad code")
	b.snap("code by keyboard")
	code := b.value("Ad code")

	// The brand, by keyboard: Assets → Creatives → + Apply for authorization
	// → Search for post → Search → Confirm.
	ad := window("keyboard-brand")
	ad.open("/login")
	ad.tabTo(control("Email or handle"))
	ad.keys("ads@glow.example")
	ad.tabTo(control("Password"))
	ad.keys(password + "\r")
	ad.see("Dashboard")
	ad.tabTo(clickable("Assets"))
	ad.keys("\r")
	ad.tabTo(clickable("Creatives"))
	ad.keys("\r")
	ad.see("Spark Ads posts")
	ad.tabTo(clickable("+ Apply for authorization"))
	ad.keys("\r")
	ad.tabTo(control("Search for post"))
	ad.keys(code + "\r")
	ad.see("Keyboard only")
	ad.tabTo(clickable("Confirm"))
	ad.snap("confirm by keyboard")
	ad.keys("\r")
	ad.see("Authorized")
}

// tabTo presses Tab until the element that xpath names has the focus.
func (b *browser) tabTo(xpath string) {
	b.t.Helper()
	for range 80 {
		focused, err := chromedp.Run(b.ctx, chromedp.Evaluate[bool](`(function(){
			const r = document.evaluate(`+jsString(xpath)+`, document, null, XPathResult.FIRST_ORDERED_NODE_TYPE, null);
			return r.singleNodeValue !== null && r.singleNodeValue === document.activeElement;
		})()`))
		if err != nil {
			b.t.Fatalf("%s: %v", b.name, err)
		}
		if focused {
			return
		}
		b.keys("\t")
	}
	b.snap("focus lost")
	b.t.Fatalf("%s: Tab never reaches %s", b.name, xpath)
}

func (b *browser) keys(k string) {
	b.t.Helper()
	b.do("keys", chromedp.KeyEvent(k))
}

func jsString(s string) string {
	j, _ := json.Marshal(s)
	return string(j)
}

// noScript turns JavaScript off in the window's pages.
func (b *browser) noScript() {
	b.t.Helper()
	b.do("disable JavaScript", func(ctx context.Context, t *chromedp.Target) (chromedp.Void, error) {
		_, err := cdp.Call(ctx, t, emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
		return chromedp.Void{}, err
	})
}

// TestBrowserWithoutJavaScript: both flows work with JavaScript turned off
// (the switch reveals its steps with CSS, menus are <details>, the code is
// selectable text; only Copy code needs script and is then hidden).
func TestBrowserWithoutJavaScript(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	maya := s.creator("maya", "creator")
	s.post(maya, "Works without script", nil)
	s.advertiser("Glow Co", "ads@glow.example")
	window := newBrowser(t, s.url)

	cr := window("creator-nojs")
	cr.noScript()
	cr.login("maya")
	cr.clickAt(`//a[contains(normalize-space(), "Works without script")]`, "the post")
	cr.clickName("More options")
	cr.click("Ad settings")
	cr.toggle("Ad authorization")
	cr.toggle("I accept the Advertising Terms of Service")
	cr.toggle("7 days")
	cr.click("Authorize")
	cr.see("Ad authorization is on")
	cr.click("Generate")
	cr.see("expires in 7 days, on")
	code := cr.value("Ad code")
	if visible, err := chromedp.Run(cr.ctx, chromedp.Evaluate[bool](`!!document.querySelector("[data-copy]") && !document.querySelector("[data-copy]").hidden`)); err != nil || visible {
		t.Errorf("without JavaScript the Copy code button shows (%v), though it cannot work", err)
	}
	cr.snap("code without script")

	ad := window("advertiser-nojs")
	ad.noScript()
	ad.login("ads@glow.example")
	ad.click("Assets")
	ad.click("Creatives")
	ad.click("+ Apply for authorization")
	ad.fill("Search for post", code)
	ad.click("Search")
	ad.click("Confirm")
	ad.see("Authorized")
	ad.snap("library without script")
}
