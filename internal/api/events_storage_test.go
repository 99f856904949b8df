package api_test

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/flintads/flint/internal/config"
)

// sideDB opens the server's database on a connection of its own.
func (e *env) sideDB() (db *sql.DB, postgres bool) {
	e.t.Helper()
	var err error
	if strings.HasPrefix(e.cfg.DB, "postgres") {
		db, err = sql.Open("pgx", e.cfg.DB)
		postgres = true
	} else {
		db, err = sql.Open("sqlite", "file:"+filepath.Join(e.dir, "flint.db"))
	}
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { db.Close() })
	return db, postgres
}

// breakWrites makes every write to events and to the write probe fail as
// a full disk would, until the returned function repairs it.
func (e *env) breakWrites() (repair func()) {
	e.t.Helper()
	db, postgres := e.sideDB()
	var stmts, undo []string
	if postgres {
		stmts = []string{`CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS
			$$ BEGIN RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = '53100'; END $$`}
		for _, table := range []string{"events", "write_probe"} {
			stmts = append(stmts, fmt.Sprintf(`CREATE TRIGGER disk_full BEFORE INSERT OR UPDATE ON %s
				FOR EACH STATEMENT EXECUTE FUNCTION disk_full()`, table))
			undo = append(undo, fmt.Sprintf(`DROP TRIGGER disk_full ON %s`, table))
		}
		undo = append(undo, `DROP FUNCTION disk_full()`)
	} else {
		for _, table := range []string{"events", "write_probe"} {
			for _, op := range []string{"INSERT", "UPDATE"} {
				name := "disk_full_" + table + "_" + strings.ToLower(op)
				stmts = append(stmts, fmt.Sprintf(`CREATE TRIGGER %s BEFORE %s ON %s BEGIN
					SELECT RAISE(ABORT, 'database or disk is full'); END`, name, op, table))
				undo = append(undo, `DROP TRIGGER `+name)
			}
		}
	}
	for _, s := range stmts {
		if _, err := db.Exec(s); err != nil {
			e.t.Fatal(err)
		}
	}
	return func() {
		for _, s := range undo {
			if _, err := db.Exec(s); err != nil {
				e.t.Fatal(err)
			}
		}
	}
}

// TestEventsWhileStorageFails: while events cannot be written, event posts
// answer 503 STORAGE_UNAVAILABLE with Retry-After and acknowledge nothing,
// and /readyz answers 503 although the database still answers a ping; once
// writes work again, both recover by themselves.
func TestEventsWhileStorageFails(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		e.sparkAd(w.creator, w.advertiser, w.post, nil)
		token := e.decide(viewer("v", nil)).str("ads.0.token")
		batch := map[string]any{"events": []any{
			map[string]any{"event_id": "s-1", "type": "impression", "token": token},
			map[string]any{"event_id": "s-2", "type": "like", "post_id": w.post},
		}}
		repair := e.breakWrites()
		got := e.do(operatorToken, "POST", "/api/v1/events", batch)
		if got.status != 503 || got.str("error.code") != "STORAGE_UNAVAILABLE" || got.header.Get("Retry-After") == "" {
			t.Fatalf("events while storage fails: %d %v %s", got.status, got.header, got.raw)
		}
		if r := e.do("", "GET", "/readyz", nil); r.status != 503 {
			t.Fatalf("/readyz while event writes fail: %d %s", r.status, r.raw)
		}
		repair()
		if r := e.do("", "GET", "/readyz", nil); r.status != 200 {
			t.Fatalf("/readyz after writes work again: %d %s", r.status, r.raw)
		}
		if got := e.must(200, operatorToken, "POST", "/api/v1/events", batch); got.num("accepted") != 2 {
			t.Fatalf("the same batch after recovery: %s (a failed batch must not be half stored)", got.raw)
		}
	})
}

// TestViewerIDsHaveOneLimit: a viewer ID is at most 255 bytes everywhere;
// one of 255 bytes of multi-byte characters travels whole through the
// token into the stored event (on PostgreSQL, a token that cut a character
// made the event, and its whole group commit, fail).
func TestViewerIDsHaveOneLimit(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		e.sparkAd(w.creator, w.advertiser, w.post, nil)
		long := strings.Repeat("€", 85) // 255 bytes
		for _, id := range []string{long + "a", "a" + long} {
			if got := e.do(operatorToken, "POST", "/api/v1/decisions", viewer(id, nil)); got.status != 400 ||
				got.field() != "viewer.id" {
				t.Errorf("a viewer ID of %d bytes: %d %s", len(id), got.status, got.raw)
			}
			if got := e.do(operatorToken, "POST", "/api/v1/events", map[string]any{"events": []any{map[string]any{
				"event_id": "o-" + id[:3], "type": "like", "post_id": w.post, "viewer_id": id}}}); got.status != 200 ||
				len(got.get("rejected").([]any)) != 1 || got.str("rejected.0.error.field") != "viewer_id" {
				t.Errorf("an organic event with a viewer ID of %d bytes: %d %s", len(id), got.status, got.raw)
			}
		}
		d := e.decide(viewer(long, nil))
		got := e.must(200, operatorToken, "POST", "/api/v1/events", map[string]any{"events": []any{
			map[string]any{"event_id": "l-1", "type": "impression", "token": d.str("ads.0.token")},
			map[string]any{"event_id": "l-2", "type": "like", "post_id": w.post, "viewer_id": long},
		}})
		if got.num("accepted") != 2 {
			t.Fatalf("events of a 255-byte viewer: %s", got.raw)
		}
		db, _ := e.sideDB()
		var stored string
		if err := db.QueryRow(`SELECT viewer_id FROM events WHERE event_id = 'l-1'`).Scan(&stored); err != nil || stored != long {
			t.Fatalf("stored viewer %q (%v), want the whole ID", stored, err)
		}
	})
}

// TestReadyzWhileIndexBehind: a change the delivery index cannot read
// (here the library table is away for a moment) makes /readyz answer 503,
// stops the ads it concerns, and heals by itself once the table is back.
func TestReadyzWhileIndexBehind(t *testing.T) {
	t.Parallel()
	backends(t, func(t *testing.T, newEnv func(...func(*config.Config)) *env) {
		e := newEnv()
		w := e.world()
		adID, _ := e.sparkAd(w.creator, w.advertiser, w.post, nil)
		cmp := e.adStatus(w.advertiser, adID).str("campaign_id")
		if r := e.do("", "GET", "/readyz", nil); r.status != 200 {
			t.Fatalf("/readyz before: %d %s", r.status, r.raw)
		}
		db, _ := e.sideDB()
		if _, err := db.Exec(`ALTER TABLE spark_posts RENAME TO spark_posts_away`); err != nil {
			t.Fatal(err)
		}
		e.must(200, w.advertiser.token, "PATCH", "/api/v1/campaigns/"+cmp, map[string]any{"name": "Renamed"})
		if r := e.do("", "GET", "/readyz", nil); r.status != 503 {
			t.Fatalf("/readyz while a change could not be applied: %d %s", r.status, r.raw)
		}
		if d := e.decide(viewer("behind", nil)); len(d.ads()) != 0 {
			t.Fatalf("an ad whose change could not be read still serves: %s", d.raw)
		}
		if _, err := db.Exec(`ALTER TABLE spark_posts_away RENAME TO spark_posts`); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(10 * time.Second)
		for e.do("", "GET", "/readyz", nil).status != 200 {
			if time.Now().After(deadline) {
				t.Fatal("/readyz does not recover once the change can be read")
			}
			time.Sleep(50 * time.Millisecond)
		}
		if d := e.decide(viewer("healed", nil)); d.str("ads.0.ad_id") != adID {
			t.Fatalf("the ad does not serve again: %s", d.raw)
		}
	})
}
