package api_test

import (
	"strings"
	"testing"

	"github.com/flintads/flint/internal/config"
)

func TestAuthenticationAndRoles(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	w := e.world()
	cases := map[string]struct {
		token, method, path string
		status              int
		code                string
	}{
		"no token":                      {"", "GET", "/api/v1/posts", 401, "UNAUTHENTICATED"},
		"unknown token":                 {"flt_nope", "GET", "/api/v1/posts", 401, "UNAUTHENTICATED"},
		"forged token":                  {"flt_" + strings.Repeat("a", 52), "GET", "/api/v1/posts", 401, "UNAUTHENTICATED"},
		"creator creates accounts":      {w.creator.token, "POST", "/api/v1/accounts", 403, "FORBIDDEN"},
		"advertiser authorizes a post":  {w.advertiser.token, "PUT", "/api/v1/posts/" + w.post + "/ad-authorization", 403, "FORBIDDEN"},
		"creator redeems":               {w.creator.token, "POST", "/api/v1/spark-posts", 403, "FORBIDDEN"},
		"operator redeems":              {operatorToken, "POST", "/api/v1/spark-posts", 403, "FORBIDDEN"},
		"another creator's post":        {w.creator2.token, "GET", "/api/v1/posts/" + w.post, 404, "NOT_FOUND"},
		"another creator's authorizing": {w.creator2.token, "GET", "/api/v1/posts/" + w.post + "/ad-authorization", 404, "NOT_FOUND"},
		"unknown endpoint":              {operatorToken, "GET", "/api/v1/nothing-here", 404, "NOT_FOUND"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			a := e.do(c.token, c.method, c.path, "{}")
			if a.status != c.status || a.code() != c.code {
				t.Fatalf("%d %q, want %d %q: %s", a.status, a.code(), c.status, c.code, a.raw)
			}
		})
	}
	a := e.do("", "GET", "/api/v1/posts", nil)
	if a.header.Get("WWW-Authenticate") == "" {
		t.Error("401 without WWW-Authenticate")
	}
	// Each creator lists only their own posts.
	list := e.must(200, w.creator2.token, "GET", "/api/v1/posts", nil)
	posts := list.get("posts").([]any)
	if len(posts) != 1 || list.str("posts.0.id") != w.post2 {
		t.Fatalf("creator2 sees %d posts: %s", len(posts), list.raw)
	}
	if me := e.must(200, w.advertiser.token, "GET", "/api/v1/me", nil); me.str("id") != w.advertiser.id || me.get("token") != nil {
		t.Fatalf("me: %s", me.raw)
	}
}

func TestTenantIsolationOfLibraries(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		code := e.authorize(w.creator, w.post, 30)
		sp := e.must(201, w.advertiser.token, "POST", "/api/v1/spark-posts", map[string]any{"code": code}).str("id")
		for _, m := range []string{"GET", "DELETE"} {
			if a := e.do(w.advertiser2.token, m, "/api/v1/spark-posts/"+sp, nil); a.status != 404 {
				t.Fatalf("%s another advertiser's entry: %d", m, a.status)
			}
		}
		if n := len(e.must(200, w.advertiser2.token, "GET", "/api/v1/spark-posts", nil).get("spark_posts").([]any)); n != 0 {
			t.Fatalf("advertiser2 sees %d entries", n)
		}
		e.must(200, w.advertiser.token, "GET", "/api/v1/spark-posts/"+sp, nil)
	})
}

func TestBadInput(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	w := e.world()
	huge := `{"kind":"creator","handle":"big","creator_type":"creator","display_name":"` + strings.Repeat("x", 1<<20) + `"}`
	cases := map[string]struct {
		token, method, path string
		body                any
		status              int
		code, field         string
	}{
		"empty body":        {operatorToken, "POST", "/api/v1/accounts", nil, 400, "MALFORMED_JSON", ""},
		"syntax error":      {operatorToken, "POST", "/api/v1/accounts", `{"kind":`, 400, "MALFORMED_JSON", ""},
		"not JSON":          {operatorToken, "POST", "/api/v1/accounts", `kind=creator`, 400, "MALFORMED_JSON", ""},
		"array body":        {operatorToken, "POST", "/api/v1/accounts", `[1,2]`, 400, "WRONG_TYPE", ""},
		"two objects":       {operatorToken, "POST", "/api/v1/accounts", `{"kind":"creator"}{"kind":"creator"}`, 400, "MALFORMED_JSON", ""},
		"wrong type":        {operatorToken, "POST", "/api/v1/accounts", `{"kind":7}`, 400, "WRONG_TYPE", "kind"},
		"nested wrong type": {operatorToken, "POST", "/api/v1/posts", `{"creator_id":"x","music":{"title":5}}`, 400, "WRONG_TYPE", "music.title"},
		"missing kind":      {operatorToken, "POST", "/api/v1/accounts", `{"handle":"x"}`, 400, "MISSING_FIELD", "kind"},
		"unknown kind":      {operatorToken, "POST", "/api/v1/accounts", `{"kind":"robot"}`, 400, "INVALID_VALUE", "kind"},
		"unknown creator type": {operatorToken, "POST", "/api/v1/accounts",
			`{"kind":"creator","handle":"zed","creator_type":"celebrity"}`, 400, "INVALID_VALUE", "creator_type"},
		"bad handle":    {operatorToken, "POST", "/api/v1/accounts", `{"kind":"creator","handle":"a b","creator_type":"creator"}`, 400, "INVALID_VALUE", "handle"},
		"handle taken":  {operatorToken, "POST", "/api/v1/accounts", `{"kind":"creator","handle":"maya","creator_type":"creator"}`, 409, "HANDLE_TAKEN", "handle"},
		"bad currency":  {operatorToken, "POST", "/api/v1/accounts", `{"kind":"advertiser","name":"X","currency":"XYZ"}`, 400, "INVALID_VALUE", "currency"},
		"bad time zone": {operatorToken, "POST", "/api/v1/accounts", `{"kind":"advertiser","name":"X","timezone":"Mars/Base"}`, 400, "INVALID_VALUE", "timezone"},
		"huge body":     {operatorToken, "POST", "/api/v1/accounts", huge, 413, "BODY_TOO_LARGE", ""},
		"post for an advertiser": {operatorToken, "POST", "/api/v1/posts", map[string]any{"creator_id": w.advertiser.id,
			"video_url": "https://x/v.mp4", "duration_ms": 1000, "visibility": "public", "original": true}, 422, "NOT_A_CREATOR", "creator_id"},
		"unknown visibility": {operatorToken, "POST", "/api/v1/posts", map[string]any{"creator_id": w.creator.id,
			"video_url": "https://x/v.mp4", "duration_ms": 1000, "visibility": "secret", "original": true}, 400, "INVALID_VALUE", "visibility"},
		"missing original": {operatorToken, "POST", "/api/v1/posts", map[string]any{"creator_id": w.creator.id,
			"video_url": "https://x/v.mp4", "duration_ms": 1000, "visibility": "public"}, 400, "MISSING_FIELD", "original"},
		"javascript url": {operatorToken, "POST", "/api/v1/posts", map[string]any{"creator_id": w.creator.id,
			"video_url": "javascript:alert(1)", "duration_ms": 1000, "visibility": "public", "original": true}, 400, "INVALID_VALUE", "video_url"},
		"negative duration": {operatorToken, "POST", "/api/v1/posts", map[string]any{"creator_id": w.creator.id,
			"video_url": "https://x/v.mp4", "duration_ms": -1, "visibility": "public", "original": true}, 400, "INVALID_VALUE", "duration_ms"},
		"fractional duration":  {operatorToken, "POST", "/api/v1/posts", `{"creator_id":"x","duration_ms":1.5}`, 400, "WRONG_TYPE", "duration_ms"},
		"undelete":             {operatorToken, "PATCH", "/api/v1/posts/" + w.post, `{"deleted":false}`, 400, "INVALID_VALUE", "deleted"},
		"patch unknown post":   {operatorToken, "PATCH", "/api/v1/posts/post_nope", `{"deleted":true}`, 404, "NOT_FOUND", ""},
		"test clock backwards": {operatorToken, "POST", "/api/v1/test-clock/advance", `{"seconds":-5}`, 400, "INVALID_VALUE", "seconds"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			a := e.do(c.token, c.method, c.path, c.body)
			if a.status != c.status || a.code() != c.code || a.field() != c.field {
				t.Fatalf("%d %q field %q, want %d %q field %q: %.300s", a.status, a.code(), a.field(), c.status, c.code, c.field, a.raw)
			}
		})
	}
}

func TestDeletedPostIsFinal(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	w := e.world()
	path := "/api/v1/posts/" + w.post
	code := e.authorize(w.creator, w.post, 30)
	sp := e.must(201, w.advertiser.token, "POST", "/api/v1/spark-posts", map[string]any{"code": code}).str("id")
	e.must(200, operatorToken, "PATCH", path, map[string]any{"deleted": true})
	e.must(200, operatorToken, "PATCH", path, map[string]any{"deleted": true}) // again: no change
	if a := e.do(operatorToken, "PATCH", path, map[string]any{"visibility": "public"}); a.status != 409 || a.code() != "POST_DELETED" {
		t.Fatalf("changing a deleted post: %d %s", a.status, a.raw)
	}
	if s := e.must(200, w.advertiser.token, "GET", "/api/v1/spark-posts/"+sp, nil).str("status"); s != "POST_UNAVAILABLE" {
		t.Fatalf("library status of a deleted post: %s", s)
	}
	if a := e.do(w.creator.token, "POST", path+"/ad-authorization/codes", nil); a.status != 422 || a.code() != "POST_DELETED" {
		t.Fatalf("generate for a deleted post: %d %s", a.status, a.raw)
	}
}

func TestMusicCanBeRemoved(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite")
	w := e.world()
	path := "/api/v1/posts/" + w.hitPost
	if a := e.do(w.creator.token, "PUT", path+"/ad-authorization", map[string]any{"enabled": true, "accept_terms": true, "days": 7}); a.code() != "MUSIC_NOT_COMMERCIAL" {
		t.Fatalf("before: %s", a.raw)
	}
	p := e.must(200, operatorToken, "PATCH", path, `{"music":null}`)
	if p.get("music") != nil {
		t.Fatalf("music not removed: %s", p.raw)
	}
	e.must(200, w.creator.token, "PUT", path+"/ad-authorization", map[string]any{"enabled": true, "accept_terms": true, "days": 7})
}

func TestTestClockNeedsTheFlag(t *testing.T) {
	t.Parallel()
	e := startEnv(t, "sqlite", func(c *config.Config) { c.TestClock = false })
	if a := e.do(operatorToken, "POST", "/api/v1/test-clock/advance", `{"seconds":10}`); a.status != 404 {
		t.Fatalf("without --test-clock: %d", a.status)
	}
}

// TestHostileInputNeverFails5xx throws odd bodies at every route.
func TestHostileInputNeverFails5xx(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		hostileInput(t, newEnv())
	})
}

func hostileInput(t *testing.T, e *env) {
	w := e.world()
	e.authorize(w.creator, w.post, 30)
	routes := []struct{ token, method, path string }{
		{operatorToken, "POST", "/api/v1/accounts"},
		{operatorToken, "PATCH", "/api/v1/accounts/" + w.creator.id},
		{operatorToken, "POST", "/api/v1/posts"},
		{operatorToken, "PATCH", "/api/v1/posts/" + w.post2},
		{operatorToken, "POST", "/api/v1/test-clock/advance"},
		{w.creator.token, "PUT", "/api/v1/posts/" + w.post + "/ad-authorization"},
		{w.creator.token, "POST", "/api/v1/posts/" + w.post + "/ad-authorization/codes"},
		{w.creator.token, "POST", "/api/v1/posts/" + w.post + "/ad-authorization/extend"},
		{w.advertiser.token, "POST", "/api/v1/spark-posts/lookup"},
		{w.advertiser.token, "POST", "/api/v1/spark-posts"},
	}
	bodies := []string{"", "null", "true", "0", `"x"`, "[]", "{}", `{"`, "\xff\xfe", `{"code":null}`,
		`{"days":1e309}`, `{"days":99999999999999999999}`, `{"enabled":"yes"}`, `{"music":[]}`, `{"seconds":1.5}`,
		`{"kind":"creator","handle":"` + strings.Repeat("é", 300) + `","creator_type":"creator"}`,
		`{"advertiser_id":{"$ne":null}}`, `{"max_redemptions":-1}`, `{"visibility":null}`, `{"code":"` + strings.Repeat("A", 5000) + `"}`,
		`{"caption":"\u0000"}`, `{"kind":"advertiser","name":"a\u0000b"}`, `{"music":{"title":"\u0000"}}`,
		`{"display_name":"\u0000"}`, strings.Repeat("[", 10000)}
	for _, r := range routes {
		for _, b := range bodies {
			a := e.do(r.token, r.method, r.path, b)
			if a.status >= 500 || a.status < 200 {
				t.Errorf("%s %s with %.40q: %d %s", r.method, r.path, b, a.status, a.raw)
			}
			if a.status >= 400 && a.code() == "" {
				t.Errorf("%s %s with %.40q: %d without an error code", r.method, r.path, b, a.status)
			}
		}
	}
}
