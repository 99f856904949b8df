package demo

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/flintads/flint/internal/campaign"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store/backend"
	"github.com/flintads/flint/internal/store/pgtest"
)

// run runs `flint demo` with args and returns its output.
func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	// The database comes from the flags alone.
	t.Setenv("FLINT_DB", "")
	t.Setenv("FLINT_DATA", "")
	var stdout, stderr bytes.Buffer
	err := Run(t.Context(), args, &stdout, &stderr)
	return stdout.String() + stderr.String(), err
}

// checkStored reopens the database and checks that it holds a world of n
// ads made with the given seed, every ad serving.
func checkStored(t *testing.T, dsn string, n int, seed int64) {
	t.Helper()
	ctx := t.Context()
	st, err := backend.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	advertisers, err := st.ListAccounts(ctx, model.KindAdvertiser)
	if err != nil {
		t.Fatal(err)
	}
	creators, err := st.ListAccounts(ctx, model.KindCreator)
	if err != nil {
		t.Fatal(err)
	}
	posts, err := st.ListPosts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	auths, err := st.ListAuthorizations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sparkPosts, err := st.ListSparkPosts(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	campaigns, err := st.ListCampaigns(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	groups, err := st.ListAdGroups(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	ads, err := st.ListAds(ctx, "", "")
	if err != nil {
		t.Fatal(err)
	}
	// The ad groups' sizes depend on the seed alone.
	want := Generate(n, seed, time.Now())
	for what, c := range map[string][2]int{
		"advertisers":    {len(advertisers), max(1, n/20)},
		"creators":       {len(creators), max(1, n/4)},
		"posts":          {len(posts), n},
		"authorizations": {len(auths), n},
		"Spark posts":    {len(sparkPosts), n},
		"campaigns":      {len(campaigns), max(1, n/10)},
		"ad groups":      {len(groups), len(want.AdGroups)},
		"ads":            {len(ads), n},
	} {
		if c[0] != c[1] {
			t.Errorf("the database holds %d %s, want %d", c[0], what, c[1])
		}
	}

	// Every ad serves, read back as the delivery index reads it.
	stored := model.World{Accounts: append(advertisers, creators...), Posts: posts, Authorizations: auths,
		SparkPosts: sparkPosts, Campaigns: campaigns, AdGroups: groups, Ads: ads}
	ix := indexOf(t, &stored)
	now := time.Now()
	for _, a := range ads {
		sp := ix.sparkPosts[a.SparkPostID]
		f := campaign.Facts{Ad: a, AdGroup: *ix.groups[a.AdGroupID], Campaign: *ix.campaigns[a.CampaignID],
			Authorization: *ix.auths[sp.AuthorizationID], Post: *ix.posts[sp.PostID],
			CreatorType: ix.accounts[sp.CreatorID].CreatorType}
		if r := campaign.Reasons(f, now); len(r) != 0 {
			t.Fatalf("stored ad %s does not serve: %v", a.ID, r)
		}
	}
}

func TestRunSeedOnly(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	out, err := run(t, "--seed-only", "--ads", "300", "--data", dir, "--seed", "7")
	if err != nil {
		t.Fatalf("flint demo: %v\n%s", err, out)
	}
	db := filepath.Join(dir, "flint.db")
	for _, want := range []string{"seeded 300 serving ads (seed 7)", "15 advertisers, 75 creators, 300 posts",
		"30 campaigns", db} {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
	checkStored(t, db, 300, 7)
}

// TestRunTwice checks that seeding a database that holds accounts is
// refused, and changes nothing.
func TestRunTwice(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "demo.db")
	if out, err := run(t, "--seed-only", "--ads", "40", "--db", db); err != nil {
		t.Fatalf("flint demo: %v\n%s", err, out)
	}
	out, err := run(t, "--seed-only", "--ads", "40", "--db", db, "--seed", "2")
	if err == nil || !strings.Contains(err.Error(), "already has") || !strings.Contains(err.Error(), db) {
		t.Fatalf("flint demo on a seeded database: %v, want a refusal naming it\n%s", err, out)
	}
	checkStored(t, db, 40, 1)
}

func TestRunPostgres(t *testing.T) {
	url := pgtest.URL(t)
	if out, err := run(t, "--seed-only", "--ads", "120", "--db", url); err != nil {
		t.Fatalf("flint demo: %v\n%s", err, out)
	}
	checkStored(t, url, 120, 1)
	if _, err := run(t, "--seed-only", "--db", url); err == nil || !strings.Contains(err.Error(), "already has") {
		t.Fatalf("flint demo on a seeded database: %v, want a refusal", err)
	}
}

func TestRunBadFlags(t *testing.T) {
	dir := t.TempDir()
	data := "--data=" + dir
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{data, "--addr", "nowhere"}, []string{"addr"}},
		{[]string{data, "--seed-only", "--ads", "0"}, []string{"ads: 0 is not between 1 and 1000000"}},
		{[]string{data, "--seed-only", "--ads", "1000001"}, []string{"ads: 1000001 is not between 1 and 1000000"}},
		{[]string{"--seed-only", "--db", "mysql://u:secret@host/db"}, []string{"neither a SQLite path nor a postgres:// URL"}},
		{[]string{data, "--seed-only", "extra"}, []string{"unexpected arguments: extra"}},
		{[]string{"--seed-only", "--data", ""}, []string{"data directory must not be empty"}},
		// Every problem at once.
		{[]string{data, "--seed-only", "--ads", "-1", "--log-level", "loud"}, []string{"log level", "ads: -1"}},
	} {
		out, err := run(t, tc.args...)
		if err == nil {
			t.Errorf("flint demo %q succeeded:\n%s", tc.args, out)
			continue
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("flint demo %q: error %q lacks %q", tc.args, err, w)
			}
		}
		if strings.Contains(err.Error(), "secret") {
			t.Errorf("flint demo %q: error %q shows the password", tc.args, err)
		}
	}
	if entries, err := os.ReadDir(dir); err != nil || len(entries) != 0 {
		t.Errorf("bad flags left %d files in the data directory (%v)", len(entries), err)
	}
	if _, err := run(t, "-h"); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("flint demo -h = %v, want flag.ErrHelp", err)
	}
}

// TestLiveRefusesAnotherWorld: the live demo never mixes its world into a
// database that holds other accounts, and says what to do instead.
func TestLiveRefusesAnotherWorld(t *testing.T) {
	dir := t.TempDir()
	if _, err := run(t, "--seed-only", "--ads", "20", "--data", dir); err != nil {
		t.Fatal(err)
	}
	_, err := run(t, "--data", dir, "--addr", "127.0.0.1:0")
	if err == nil || !strings.Contains(err.Error(), "not the demo's") || !strings.Contains(err.Error(), "--data") {
		t.Fatalf("flint demo on a seeded load-test world: %v", err)
	}
}
