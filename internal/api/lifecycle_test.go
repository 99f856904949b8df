package api_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/config"
)

// TestCreatorAndAdvertiserFlow walks the seed's steps for both sides.
func TestCreatorAndAdvertiserFlow(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		base := "/api/v1/posts/" + w.post + "/ad-authorization"

		// Before anything: OFF.
		off := e.must(200, w.creator.token, "GET", base, nil)
		if off.str("status") != "OFF" || off.get("expires_at") != nil || off.get("eligible") != true {
			t.Fatalf("fresh post: %s", off.raw)
		}
		// Turning on without a code leaves the window closed.
		on := e.must(200, w.creator.token, "PUT", base, map[string]any{"enabled": true, "accept_terms": true, "days": 30})
		if on.str("status") != "ON" || on.num("days") != 30 || on.get("generated_at") != nil || on.str("terms_version") == "" {
			t.Fatalf("turned on: %s", on.raw)
		}
		// Generate: the clock starts now.
		gen := e.must(201, w.creator.token, "POST", base+"/codes", nil)
		code := gen.str("code")
		if !strings.HasPrefix(code, authorization.CodePrefix) {
			t.Fatalf("code %q lacks the prefix", code)
		}
		generated, _ := time.Parse(time.RFC3339Nano, gen.str("generated_at"))
		expires, _ := time.Parse(time.RFC3339Nano, gen.str("expires_at"))
		if got := expires.Sub(generated); got != 30*24*time.Hour {
			t.Fatalf("window is %v, want 30 days", got)
		}

		// Advertiser: search (preview), then confirm.
		pv := e.must(200, w.advertiser.token, "POST", "/api/v1/spark-posts/lookup", map[string]any{"code": code})
		if pv.str("post.id") != w.post || pv.str("creator.handle") != "maya" || pv.num("authorization.days") != 30 ||
			pv.str("authorization.expires_at") == "" {
			t.Fatalf("preview: %s", pv.raw)
		}
		first := e.must(201, w.advertiser.token, "POST", "/api/v1/spark-posts", map[string]any{"code": code})
		if first.str("status") != "AUTHORIZED" || first.str("post.id") != w.post || first.str("creator.id") != w.creator.id ||
			first.str("expires_at") == "" {
			t.Fatalf("confirm: %s", first.raw)
		}
		// Confirming again is idempotent: same entry, nothing new.
		again := e.must(200, w.advertiser.token, "POST", "/api/v1/spark-posts", map[string]any{"code": code})
		if again.str("id") != first.str("id") {
			t.Fatalf("second confirm made a new entry: %s vs %s", again.str("id"), first.str("id"))
		}
		// A second advertiser may redeem the same code.
		other := e.must(201, w.advertiser2.token, "POST", "/api/v1/spark-posts", map[string]any{"code": code})
		if other.str("id") == first.str("id") {
			t.Fatal("two advertisers share one library entry")
		}
		lib := e.must(200, w.advertiser.token, "GET", "/api/v1/spark-posts", nil)
		if n := len(lib.get("spark_posts").([]any)); n != 1 || lib.str("spark_posts.0.status") != "AUTHORIZED" {
			t.Fatalf("library: %s", lib.raw)
		}
		// The creator sees who uses the post.
		view := e.must(200, w.creator.token, "GET", base, nil)
		names := []string{view.str("advertisers.0.name"), view.str("advertisers.1.name")}
		if len(view.get("advertisers").([]any)) != 2 || names[0] != "Glow Co" || names[1] != "Shine Inc" {
			t.Fatalf("advertisers: %s", view.raw)
		}
		// The library entry can be read and removed (no ad uses it).
		e.must(200, w.advertiser.token, "GET", "/api/v1/spark-posts/"+first.str("id"), nil)
		e.must(200, w.advertiser.token, "DELETE", "/api/v1/spark-posts/"+first.str("id"), nil)
		e.must(404, w.advertiser.token, "GET", "/api/v1/spark-posts/"+first.str("id"), nil)
	})
}

// TestEligibility checks every eligibility rule over the API.
func TestEligibility(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		deleted := e.newPost(w.creator.id, nil)
		e.must(200, operatorToken, "PATCH", "/api/v1/posts/"+deleted, map[string]any{"deleted": true})
		on := map[string]any{"enabled": true, "accept_terms": true, "days": 7}
		cases := map[string]struct {
			creator account
			post    string
			body    map[string]any
			status  int
			code    string
		}{
			"eligible":           {w.creator2, w.post2, on, 200, ""},
			"personal account":   {w.personal, w.personalPost, on, 422, "NOT_BUSINESS_ACCOUNT"},
			"private":            {w.creator, w.privatePost, on, 422, "POST_NOT_PUBLIC"},
			"friends only":       {w.creator, w.friendsPost, on, 422, "POST_NOT_PUBLIC"},
			"not original":       {w.creator, w.copiedPost, on, 422, "POST_NOT_ORIGINAL"},
			"copyrighted music":  {w.creator, w.hitPost, on, 422, "MUSIC_NOT_COMMERCIAL"},
			"deleted":            {w.creator, deleted, on, 422, "POST_DELETED"},
			"terms not accepted": {w.creator, w.post, map[string]any{"enabled": true, "days": 7}, 422, "TERMS_NOT_ACCEPTED"},
			"bad period":         {w.creator, w.post, map[string]any{"enabled": true, "accept_terms": true, "days": 31}, 400, "INVALID_VALUE"},
			"period as string":   {w.creator, w.post, map[string]any{"enabled": true, "accept_terms": true, "days": "30"}, 400, "WRONG_TYPE"},
			"no period":          {w.creator, w.post, map[string]any{"enabled": true, "accept_terms": true}, 400, "MISSING_FIELD"},
			"no enabled":         {w.creator, w.post, map[string]any{"days": 7}, 400, "MISSING_FIELD"},
			"another's post":     {w.creator, w.post2, on, 404, "NOT_FOUND"},
		}
		for name, c := range cases {
			t.Run(name, func(t *testing.T) {
				a := e.do(c.creator.token, "PUT", "/api/v1/posts/"+c.post+"/ad-authorization", c.body)
				if a.status != c.status || a.code() != c.code {
					t.Fatalf("status %d code %q, want %d %q: %s", a.status, a.code(), c.status, c.code, a.raw)
				}
			})
		}
		// The view tells the creator why a post is not eligible.
		v := e.must(200, w.creator.token, "GET", "/api/v1/posts/"+w.hitPost+"/ad-authorization", nil)
		if v.get("eligible") != false || v.str("ineligible_reason") != "MUSIC_NOT_COMMERCIAL" {
			t.Fatalf("view: %s", v.raw)
		}
	})
}

// TestExpiry checks the window: valid on day 29, expired at day 30, and
// extension.
func TestExpiry(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		code := e.authorize(w.creator, w.post, 30)
		sp := e.must(201, w.advertiser.token, "POST", "/api/v1/spark-posts", map[string]any{"code": code}).str("id")

		e.advance(29 * day)
		e.must(200, w.advertiser2.token, "POST", "/api/v1/spark-posts/lookup", map[string]any{"code": code})
		if s := e.must(200, w.advertiser.token, "GET", "/api/v1/spark-posts/"+sp, nil).str("status"); s != "AUTHORIZED" {
			t.Fatalf("day 29: library status %s", s)
		}
		e.advance(1 * day)
		for _, path := range []string{"/api/v1/spark-posts/lookup", "/api/v1/spark-posts"} {
			a := e.do(w.advertiser2.token, "POST", path, map[string]any{"code": code})
			if a.status != 422 || a.code() != "AD_CODE_EXPIRED" {
				t.Fatalf("day 30 %s: %d %s", path, a.status, a.raw)
			}
		}
		if s := e.must(200, w.advertiser.token, "GET", "/api/v1/spark-posts/"+sp, nil).str("status"); s != "EXPIRED" {
			t.Fatalf("day 30: library status %s", s)
		}
		base := "/api/v1/posts/" + w.post + "/ad-authorization"
		if s := e.must(200, w.creator.token, "GET", base, nil).str("status"); s != "EXPIRED" {
			t.Fatalf("day 30: authorization status %s", s)
		}
		// A new code cannot be made from an expired authorization...
		if a := e.do(w.creator.token, "POST", base+"/codes", nil); a.status != 409 || a.code() != "AUTHORIZATION_EXPIRED" {
			t.Fatalf("generate after expiry: %d %s", a.status, a.raw)
		}
		// ...but it can be extended, counting from now.
		before := time.Now().UTC().Add(30 * 24 * time.Hour)
		ext := e.must(200, w.creator.token, "POST", base+"/extend", map[string]any{"days": 7})
		exp, _ := time.Parse(time.RFC3339Nano, ext.str("expires_at"))
		if ext.str("status") != "ON" || exp.Before(before.Add(7*24*time.Hour-time.Minute)) {
			t.Fatalf("extend: %s", ext.raw)
		}
		e.must(200, w.advertiser2.token, "POST", "/api/v1/spark-posts/lookup", map[string]any{"code": code})
		if s := e.must(200, w.advertiser.token, "GET", "/api/v1/spark-posts/"+sp, nil).str("status"); s != "AUTHORIZED" {
			t.Fatalf("after extension: library status %s", s)
		}
		// Extending an active authorization adds to the old expiry.
		ext2 := e.must(200, w.creator.token, "POST", base+"/extend", map[string]any{"days": 30})
		exp2, _ := time.Parse(time.RFC3339Nano, ext2.str("expires_at"))
		if got := exp2.Sub(exp); got != 30*24*time.Hour {
			t.Fatalf("extending an active authorization moved expiry by %v", got)
		}
		if a := e.do(w.creator.token, "POST", base+"/extend", map[string]any{"days": 5}); a.status != 400 {
			t.Fatalf("extend by 5 days: %d", a.status)
		}
	})
}

// TestRevoke checks revocation, and a new episode after it.
func TestRevoke(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		base := "/api/v1/posts/" + w.post + "/ad-authorization"
		code := e.authorize(w.creator, w.post, 60)
		sp := e.must(201, w.advertiser.token, "POST", "/api/v1/spark-posts", map[string]any{"code": code}).str("id")

		rv := e.must(200, w.creator.token, "DELETE", base, nil)
		if rv.str("status") != "REVOKED" || rv.get("paused_ads") != float64(0) {
			t.Fatalf("revoke: %s", rv.raw)
		}
		// Revoking again changes nothing.
		e.must(200, w.creator.token, "DELETE", base, nil)
		for _, path := range []string{"/api/v1/spark-posts/lookup", "/api/v1/spark-posts"} {
			if a := e.do(w.advertiser2.token, "POST", path, map[string]any{"code": code}); a.status != 422 || a.code() != "AD_CODE_REVOKED" {
				t.Fatalf("%s after revoke: %d %s", path, a.status, a.raw)
			}
		}
		if s := e.must(200, w.advertiser.token, "GET", "/api/v1/spark-posts/"+sp, nil).str("status"); s != "REVOKED" {
			t.Fatalf("library status %s", s)
		}
		// A new episode: the old code stays dead, a new one re-points the entry.
		code2 := e.authorize(w.creator, w.post, 7)
		if a := e.do(w.advertiser.token, "POST", "/api/v1/spark-posts/lookup", map[string]any{"code": code}); a.code() != "AD_CODE_REVOKED" {
			t.Fatalf("old code in a new episode: %s", a.raw)
		}
		re := e.must(200, w.advertiser.token, "POST", "/api/v1/spark-posts", map[string]any{"code": code2})
		if re.str("id") != sp || re.str("status") != "AUTHORIZED" || re.num("authorization.days") != 7 {
			t.Fatalf("re-redeem: %s", re.raw)
		}
		// Toggling off with PUT is a revocation too.
		off := e.must(200, w.creator.token, "PUT", base, map[string]any{"enabled": false})
		if off.str("status") != "REVOKED" {
			t.Fatalf("PUT enabled=false: %s", off.raw)
		}
		// Nothing to revoke on a post never authorized.
		if a := e.do(w.creator.token, "DELETE", "/api/v1/posts/"+w.privatePost+"/ad-authorization", nil); a.status != 409 {
			t.Fatalf("revoke without authorization: %d", a.status)
		}
	})
}

// TestCodeErrors covers every error the code calls can give.
func TestCodeErrors(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		code := e.authorize(w.creator, w.post, 30)
		typo := code[:10] + string("0123456789ABCDEFGHJKMNPQRSTVWXYZ"[(strings.IndexByte("0123456789ABCDEFGHJKMNPQRSTVWXYZ", code[10])+1)%32]) + code[11:]
		unknown := authorization.NewSecret().Code()

		base := "/api/v1/posts/" + w.post + "/ad-authorization/codes"
		bound := e.must(201, w.creator.token, "POST", base, map[string]any{"advertiser_id": w.advertiser.id}).str("code")
		single := e.must(201, w.creator.token, "POST", base, map[string]any{"max_redemptions": 1}).str("code")
		e.must(201, w.advertiser.token, "POST", "/api/v1/spark-posts", map[string]any{"code": single})

		cases := map[string]struct {
			who    account
			body   any
			status int
			code   string
		}{
			"typo":                   {w.advertiser, map[string]any{"code": typo}, 400, "AD_CODE_MALFORMED"},
			"garbage":                {w.advertiser, map[string]any{"code": "hello"}, 400, "AD_CODE_MALFORMED"},
			"never issued":           {w.advertiser, map[string]any{"code": unknown}, 404, "AD_CODE_NOT_FOUND"},
			"empty":                  {w.advertiser, map[string]any{"code": ""}, 400, "MISSING_FIELD"},
			"number":                 {w.advertiser, map[string]any{"code": 12}, 400, "WRONG_TYPE"},
			"bound to another":       {w.advertiser2, map[string]any{"code": bound}, 422, "AD_CODE_NOT_FOR_YOU"},
			"bound to me":            {w.advertiser, map[string]any{"code": bound}, 200, ""},
			"redemptions used up":    {w.advertiser2, map[string]any{"code": single}, 422, "AD_CODE_NOT_FOR_YOU"},
			"I used the single code": {w.advertiser, map[string]any{"code": single}, 200, ""},
			"pasted with spaces":     {w.advertiser, map[string]any{"code": "  " + strings.ToLower(code) + "\n"}, 200, ""},
		}
		for name, c := range cases {
			t.Run(name, func(t *testing.T) {
				a := e.do(c.who.token, "POST", "/api/v1/spark-posts/lookup", c.body)
				if a.status != c.status || a.code() != c.code {
					t.Fatalf("lookup: %d %q, want %d %q: %s", a.status, a.code(), c.status, c.code, a.raw)
				}
			})
		}
		// Redeeming a used-up code fails the same way, and the limit holds.
		if a := e.do(w.advertiser2.token, "POST", "/api/v1/spark-posts", map[string]any{"code": single}); a.code() != "AD_CODE_NOT_FOR_YOU" {
			t.Fatalf("redeem used-up code: %s", a.raw)
		}
		e.must(200, w.advertiser.token, "POST", "/api/v1/spark-posts", map[string]any{"code": single})
		if a := e.do(w.creator.token, "POST", base, map[string]any{"advertiser_id": w.creator2.id}); a.status != 422 || a.code() != "ADVERTISER_NOT_FOUND" {
			t.Fatalf("bind to a creator: %d %s", a.status, a.raw)
		}
		if a := e.do(w.creator.token, "POST", base, map[string]any{"max_redemptions": 0}); a.status != 400 || a.field() != "max_redemptions" {
			t.Fatalf("max_redemptions 0: %d %s", a.status, a.raw)
		}
		// A post that turns private makes its codes unusable and the entry unavailable.
		e.must(200, operatorToken, "PATCH", "/api/v1/posts/"+w.post, map[string]any{"visibility": "private"})
		if a := e.do(w.advertiser2.token, "POST", "/api/v1/spark-posts/lookup", map[string]any{"code": code}); a.status != 422 || a.code() != "AD_CODE_POST_UNAVAILABLE" {
			t.Fatalf("private post: %d %s", a.status, a.raw)
		}
		lib := e.must(200, w.advertiser.token, "GET", "/api/v1/spark-posts", nil)
		if lib.str("spark_posts.0.status") != "POST_UNAVAILABLE" {
			t.Fatalf("library after private: %s", lib.raw)
		}
	})
}

// TestCodeLookupRateLimit checks that one advertiser cannot guess codes fast.
func TestCodeLookupRateLimit(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite", func(c *config.Config) { c.CodeLookupBurst = 5; c.CodeLookupRate = 0.5 })
	w := e.world()
	unknown := authorization.NewSecret().Code()
	for i := range 5 {
		if a := e.do(w.advertiser.token, "POST", "/api/v1/spark-posts/lookup", map[string]any{"code": unknown}); a.status != 404 {
			t.Fatalf("attempt %d: %d", i, a.status)
		}
	}
	a := e.do(w.advertiser.token, "POST", "/api/v1/spark-posts/lookup", map[string]any{"code": unknown})
	if a.status != 429 || a.code() != "RATE_LIMITED" || a.header.Get("Retry-After") == "" {
		t.Fatalf("6th attempt: %d %s, Retry-After %q", a.status, a.raw, a.header.Get("Retry-After"))
	}
	if a := e.do(w.advertiser.token, "POST", "/api/v1/spark-posts", map[string]any{"code": unknown}); a.status != 429 {
		t.Fatalf("redeem shares the limit: %d", a.status)
	}
	// Another advertiser has its own budget of attempts.
	if a := e.do(w.advertiser2.token, "POST", "/api/v1/spark-posts/lookup", map[string]any{"code": unknown}); a.status != 404 {
		t.Fatalf("other advertiser: %d", a.status)
	}
	e.advance(10)
	if a := e.do(w.advertiser.token, "POST", "/api/v1/spark-posts/lookup", map[string]any{"code": unknown}); a.status != 404 {
		t.Fatalf("after waiting: %d", a.status)
	}
}

// TestCodeNeverStoredInClear generates codes and searches every file of the
// data directory and the logs for them.
func TestCodeNeverStoredInClear(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	w := e.world()
	var codes []string
	codes = append(codes, e.authorize(w.creator, w.post, 30))
	for range 3 {
		codes = append(codes, e.must(201, w.creator.token, "POST", "/api/v1/posts/"+w.post+"/ad-authorization/codes", nil).str("code"))
	}
	for _, c := range codes {
		if a := e.do(w.advertiser.token, "POST", "/api/v1/spark-posts", map[string]any{"code": c}); a.status != 200 && a.status != 201 {
			t.Fatalf("redeem: %d %s", a.status, a.raw)
		}
		e.do(w.advertiser2.token, "POST", "/api/v1/spark-posts/lookup", map[string]any{"code": c + "X"})
	}
	files := 0
	err := filepath.WalkDir(e.dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		for _, c := range codes {
			for _, form := range []string{c, c[len(authorization.CodePrefix):], strings.ToLower(c)} {
				if strings.Contains(string(b), form) {
					t.Errorf("%s holds a code in clear", path)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if files < 2 {
		t.Fatalf("searched only %d files", files)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "spark-posts") {
		t.Fatal("the logs hold no requests: the check would prove nothing")
	}
	for _, c := range codes {
		if strings.Contains(logs, c[len(authorization.CodePrefix):]) {
			t.Error("the logs hold a code")
		}
	}
}
