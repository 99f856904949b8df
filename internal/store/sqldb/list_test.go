package sqldb

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// TestListQueriesUseTheirIndexes asks SQLite for the plan of every filtered
// listing: each must search the index of its filter, never scan the table
// (the delivery index lists an ad group's ads on every ad-group change).
func TestListQueriesUseTheirIndexes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "plan.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	d := Dialect{Name: "sqlite", Goose: goose.DialectSQLite3,
		Types: Types{Int: "INTEGER", Bool: "INTEGER", Bytes: "BLOB", WithoutRowID: " WITHOUT ROWID"}}
	if err := Migrate(ctx, db, d); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, table string
		query       string
		args        []any
		index       string // "" when the listing is unfiltered
	}{
		{name: "campaigns of an advertiser", table: "campaigns", index: "campaigns_advertiser"},
		{name: "all campaigns", table: "campaigns"},
		{name: "ad groups of an advertiser", table: "ad_groups", index: "ad_groups_advertiser"},
		{name: "ad groups of a campaign", table: "ad_groups", index: "ad_groups_campaign"},
		{name: "ad groups of an advertiser's campaign", table: "ad_groups", index: "ad_groups_"},
		{name: "all ad groups", table: "ad_groups"},
		{name: "ads of an advertiser", table: "ads", index: "ads_advertiser"},
		{name: "ads of an ad group", table: "ads", index: "ads_ad_group"},
		{name: "ads of an advertiser's ad group", table: "ads", index: "ads_"},
		{name: "all ads", table: "ads"},
	} {
		adv, parent := "", ""
		if strings.Contains(c.name, "advertiser") {
			adv = "acct_1"
		}
		if strings.Contains(c.name, "campaign") && c.table != "campaigns" {
			parent = "cmp_1"
		}
		if strings.Contains(c.name, "ad group") && c.table == "ads" {
			parent = "adg_1"
		}
		switch c.table {
		case "campaigns":
			c.query, c.args = listSQL(`SELECT `+campaignColumns+` FROM campaigns`, filter{"advertiser_id", adv})
		case "ad_groups":
			c.query, c.args = listSQL(`SELECT `+adGroupColumns+` FROM ad_groups`, filter{"advertiser_id", adv},
				filter{"campaign_id", parent})
		case "ads":
			c.query, c.args = listSQL(`SELECT `+adColumns+` FROM ads`, filter{"advertiser_id", adv},
				filter{"ad_group_id", parent})
		}
		plan := explain(t, db, c.query, c.args)
		if c.index == "" {
			if len(c.args) != 0 {
				t.Errorf("%s: %d arguments for an unfiltered listing", c.name, len(c.args))
			}
			continue
		}
		if strings.Contains(plan, "SCAN "+c.table) || !strings.Contains(plan, "SEARCH "+c.table+" USING INDEX "+c.index) {
			t.Errorf("%s: plan %q does not search the index %s*\nquery: %s", c.name, plan, c.index, c.query)
		}
	}
}

func explain(t *testing.T, db *sql.DB, query string, args []any) string {
	t.Helper()
	rows, err := db.Query("EXPLAIN QUERY PLAN "+query, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var lines []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, detail)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return strings.Join(lines, "; ")
}
