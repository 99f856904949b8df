package report_test

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/report"
	"github.com/flintads/flint/internal/store/sqldb"
	"github.com/flintads/flint/internal/store/sqlite"
)

// The big world of the report benchmark: one advertiser in New York with
// 1,000 campaigns of 10 ads, 2 million deliveries over the 30 days of
// November 2026, 5 events each (impression, 2 s and 6 s views, completion,
// and a click or a like): 10 million raw events, their rollups, and 30,000
// store orders. It is built once into the temp directory (FLINT_BENCH_DIR
// to choose another) and reused: building it takes a few minutes.
const (
	benchCampaigns  = 1000
	benchAdsPerCamp = 10
	benchDeliveries = 2_000_000
	benchOrders     = 30_000
	benchVersion    = "v4"
)

var benchNY, _ = time.LoadLocation("America/New_York")

// benchNow is the end of November in New York: "this month" is all of it.
var benchNow = time.Date(2026, 11, 30, 23, 0, 0, 0, benchNY)

const seedQuestion = "Show me a report comparing TikTok spend vs. Shopify revenue by campaign this month"

var (
	benchOnce  sync.Once
	benchStore *sqldb.DB
	benchErr   error
)

func bigWorld(b *testing.B) *sqldb.DB {
	benchOnce.Do(func() {
		dir := os.Getenv("FLINT_BENCH_DIR")
		if dir == "" {
			dir = filepath.Join(os.TempDir(), "flint-report-bench-"+benchVersion)
		}
		path := filepath.Join(dir, "flint.db")
		done := filepath.Join(dir, "complete")
		if _, err := os.Stat(done); err != nil {
			os.RemoveAll(dir)
			if benchErr = os.MkdirAll(dir, 0o700); benchErr != nil {
				return
			}
			start := time.Now()
			if benchErr = buildWorld(path); benchErr != nil {
				return
			}
			b.Logf("built the 10-million-event world in %v", time.Since(start).Round(time.Second))
			benchErr = os.WriteFile(done, nil, 0o600)
		}
		benchStore, benchErr = sqlite.Open(context.Background(), path)
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchStore
}

func buildWorld(path string) error {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		return err
	}
	defer st.Close()
	at := time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC)
	w := model.World{Accounts: []model.Account{
		{ID: "adv", Kind: model.KindAdvertiser, Name: "Glow", Currency: "USD", Timezone: "America/New_York",
			TokenHash: []byte("adv"), CreatedAt: at, UpdatedAt: at},
		{ID: "cr", Kind: model.KindCreator, Handle: "maya", CreatorType: model.CreatorCreator, TokenHash: []byte("cr"),
			CreatedAt: at, UpdatedAt: at}}}
	for c := range benchCampaigns {
		id := fmt.Sprintf("%04d", c)
		w.Posts = append(w.Posts, model.Post{ID: "post_" + id, CreatorID: "cr", Caption: "post " + id, VideoURL: "https://v/" + id,
			DurationMS: 15000, Visibility: model.Public, Original: true, CreatedAt: at, UpdatedAt: at})
		w.Authorizations = append(w.Authorizations, model.Authorization{ID: "auth_" + id, PostID: "post_" + id, CreatorID: "cr",
			Days: 365, TermsVersion: "t", TermsAcceptedAt: at, CreatedAt: at, GeneratedAt: at, ExpiresAt: at.AddDate(1, 0, 0), UpdatedAt: at})
		w.AdCodes = append(w.AdCodes, model.AdCode{ID: "code_" + id, AuthorizationID: "auth_" + id, PostID: "post_" + id,
			Hash: []byte("code_" + id), CreatedAt: at})
		w.SparkPosts = append(w.SparkPosts, model.SparkPost{ID: "sp_" + id, AdvertiserID: "adv", PostID: "post_" + id, CreatorID: "cr",
			AuthorizationID: "auth_" + id, CodeID: "code_" + id, AddedAt: at, UpdatedAt: at})
		w.Campaigns = append(w.Campaigns, model.Campaign{ID: "cmp_" + id, AdvertiserID: "adv", Name: "Campaign " + id,
			Objective: model.ObjectiveConversions, BudgetMode: model.BudgetNone, Status: model.Enabled, CreatedAt: at, UpdatedAt: at})
		w.AdGroups = append(w.AdGroups, model.AdGroup{ID: "adg_" + id, AdvertiserID: "adv", CampaignID: "cmp_" + id, Name: "g",
			StartTime: at, BudgetMode: model.BudgetNone, BillingEvent: model.BillCPM, Bid: 5 * money.PerUnit,
			Pacing: model.PacingAccelerated, Status: model.Enabled, CreatedAt: at, UpdatedAt: at})
		for a := range benchAdsPerCamp {
			w.Ads = append(w.Ads, model.Ad{ID: fmt.Sprintf("ad_%s_%d", id, a), AdvertiserID: "adv", CampaignID: "cmp_" + id,
				AdGroupID: "adg_" + id, Name: "ad", SparkPostID: "sp_" + id, PostID: "post_" + id, CTALabel: "Shop",
				CTAURL: "https://shop.example", Status: model.Enabled, CreatedAt: at, UpdatedAt: at})
		}
	}
	if err := st.Seed(ctx, w); err != nil {
		return err
	}
	// Raw events, written with plain multi-row INSERTs, and their rollups,
	// summed here by the same local-day rule the store applies.
	type adDay struct {
		ad  int
		day model.Day
	}
	rollups := map[adDay]*model.AdStats{}
	r := rand.New(rand.NewPCG(7, 8))
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, benchNY)
	span := time.Date(2026, 12, 1, 0, 0, 0, 0, benchNY).Sub(from)
	const perTx = 10_000
	insert := func(tx *sql.Tx, rows []any, n int) error {
		_, err := tx.Exec(`INSERT INTO events (event_id, type, post_id, ad_id, decision_id, viewer_id, click_id, at, watch_ms,
			charge, once_key) VALUES `+strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?,?,?,?,?),", n), ","), rows...)
		return err
	}
	var tx *sql.Tx
	var rows []any
	n := 0
	for d := range benchDeliveries {
		if d%perTx == 0 {
			if tx != nil {
				if err := tx.Commit(); err != nil {
					return err
				}
			}
			if tx, err = st.W.Begin(); err != nil {
				return err
			}
		}
		ad := r.IntN(benchCampaigns * benchAdsPerCamp)
		adID := fmt.Sprintf("ad_%04d_%d", ad/benchAdsPerCamp, ad%benchAdsPerCamp)
		postID := fmt.Sprintf("post_%04d", ad/benchAdsPerCamp)
		t := from.Add(time.Duration(r.Int64N(int64(span))))
		dec := fmt.Sprintf("dec_%012d", d)
		viewer := fmt.Sprintf("v%d", r.IntN(1_000_000))
		price := money.Micros(2000 + r.IntN(6000))
		k := adDay{ad, model.DayOf(t, benchNY)}
		s := rollups[k]
		if s == nil {
			s = &model.AdStats{}
			rollups[k] = s
		}
		for i, typ := range []model.EventType{model.EventImpression, model.EventView2s, model.EventView6s, model.EventComplete, 0} {
			var charge money.Micros
			var watch int64
			var click any
			switch typ {
			case model.EventImpression:
				charge, s.Impressions, s.Spend = price, s.Impressions+1, s.Spend+price
			case model.EventView2s:
				s.Views2s++
			case model.EventView6s:
				s.Views6s++
			case model.EventComplete:
				watch = 15_000
				s.Completes, s.WatchMS = s.Completes+1, s.WatchMS+watch
			default:
				if d%5 == 0 {
					typ, click = model.EventClick, dec+"x0"
					s.Clicks++
				} else {
					typ = model.EventLike
					s.Likes++
				}
			}
			rows = append(rows, fmt.Sprintf("%s-%d", dec, i), int64(typ), postID, adID, dec, viewer, click, t.UnixMicro(), watch,
				int64(charge), []byte(dec+string(rune('0'+i))))
			n++
			if n == 100 {
				if err := insert(tx, rows, n); err != nil {
					return err
				}
				rows, n = rows[:0], 0
			}
		}
	}
	if n > 0 {
		if err := insert(tx, rows, n); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	// The rollups.
	if tx, err = st.W.Begin(); err != nil {
		return err
	}
	campaigns := map[[2]int64]*model.AdStats{}
	for k, s := range rollups {
		c := k.ad / benchAdsPerCamp
		if _, err := tx.Exec(`INSERT INTO report_ad_days VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, "adv", int64(k.day),
			fmt.Sprintf("ad_%04d_%d", c, k.ad%benchAdsPerCamp), fmt.Sprintf("cmp_%04d", c), fmt.Sprintf("adg_%04d", c),
			fmt.Sprintf("post_%04d", c), "cr", s.Impressions, s.Views2s, s.Views6s, s.Completes, s.WatchMS, s.Clicks, s.Likes,
			s.Comments, s.Shares, s.Follows, int64(s.Spend)); err != nil {
			return err
		}
		ck := [2]int64{int64(c), int64(k.day)}
		cs := campaigns[ck]
		if cs == nil {
			cs = &model.AdStats{}
			campaigns[ck] = cs
		}
		cs.Impressions += s.Impressions
		cs.Views2s += s.Views2s
		cs.Views6s += s.Views6s
		cs.Completes += s.Completes
		cs.WatchMS += s.WatchMS
		cs.Clicks += s.Clicks
		cs.Likes += s.Likes
		cs.Spend += s.Spend
	}
	months := map[int64]*model.AdStats{}
	for k, s := range campaigns {
		if _, err := tx.Exec(`INSERT INTO report_campaign_days VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, "adv", k[1],
			fmt.Sprintf("cmp_%04d", k[0]), s.Impressions, s.Views2s, s.Views6s, s.Completes, s.WatchMS, s.Clicks, s.Likes,
			s.Comments, s.Shares, s.Follows, int64(s.Spend)); err != nil {
			return err
		}
		m := months[k[0]]
		if m == nil {
			m = &model.AdStats{}
			months[k[0]] = m
		}
		m.Impressions += s.Impressions
		m.Views2s += s.Views2s
		m.Views6s += s.Views6s
		m.Completes += s.Completes
		m.WatchMS += s.WatchMS
		m.Clicks += s.Clicks
		m.Likes += s.Likes
		m.Spend += s.Spend
	}
	november := int64(model.DateDay(2026, 11, 1))
	for c, s := range months {
		if _, err := tx.Exec(`INSERT INTO report_campaign_months VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, "adv", november,
			fmt.Sprintf("cmp_%04d", c), s.Impressions, s.Views2s, s.Views6s, s.Completes, s.WatchMS, s.Clicks, s.Likes,
			s.Comments, s.Shares, s.Follows, int64(s.Spend)); err != nil {
			return err
		}
	}
	orderMonths := map[string][2]int64{}
	for o := range benchOrders {
		t := from.Add(time.Duration(r.Int64N(int64(span))))
		campaign := ""
		if o%5 != 0 {
			campaign = fmt.Sprintf("cmp_%04d", r.IntN(benchCampaigns))
		}
		total := int64(10_000_000 + r.IntN(90_000_000))
		if _, err := tx.Exec(`INSERT INTO orders VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, "adv", fmt.Sprint(5_000_000+o),
			fmt.Sprintf("#%d", 1000+o), "csv", t.UnixMicro(), int64(model.DayOf(t, benchNY)), "USD", total, 0, total, true, "paid",
			false, false, "", "", "", "", campaign, "utm_campaign", t.UnixMicro()); err != nil {
			return err
		}
		m := orderMonths[campaign]
		orderMonths[campaign] = [2]int64{m[0] + 1, m[1] + total}
	}
	for c, m := range orderMonths {
		if _, err := tx.Exec(`INSERT INTO order_months VALUES (?,?,?,?,?,?,?)`, "adv", november, c, "", "USD", m[0], m[1]); err != nil {
			return err
		}
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	_, err = st.W.Exec(`ANALYZE`)
	return err
}

// The world's rollups (days and months, ads and campaigns, orders) are
// summed here by the rules the store applies on ingestion; the benchmark
// checks them against the raw events before it measures.

// rawReport is the baseline: the seed question's numbers straight from the
// raw events (spend, by campaign, over the month's local days) plus the
// orders, with the best index the events have (on their time).
func rawReport(ctx context.Context, db *sql.DB) (map[string]int64, error) {
	from := time.Date(2026, 11, 1, 0, 0, 0, 0, benchNY).UnixMicro()
	to := time.Date(2026, 12, 1, 0, 0, 0, 0, benchNY).UnixMicro()
	rows, err := db.QueryContext(ctx, `SELECT a.campaign_id, SUM(e.charge), SUM(CASE WHEN e.type = 1 THEN 1 ELSE 0 END)
		FROM events e JOIN ads a ON a.id = e.ad_id WHERE a.advertiser_id = ? AND e.at >= ? AND e.at < ?
		GROUP BY a.campaign_id`, "adv", from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var c string
		var spend, imps int64
		if err := rows.Scan(&c, &spend, &imps); err != nil {
			return nil, err
		}
		out[c] = spend
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	orders, err := db.QueryContext(ctx, `SELECT campaign_id, SUM(revenue) FROM orders WHERE advertiser_id = ? AND created_at >= ?
		AND created_at < ? AND counted GROUP BY campaign_id`, "adv", from, to)
	if err != nil {
		return nil, err
	}
	defer orders.Close()
	for orders.Next() {
		var c string
		var rev int64
		if err := orders.Scan(&c, &rev); err != nil {
			return nil, err
		}
		out["revenue:"+c] = rev
	}
	return out, orders.Err()
}

// BenchmarkReportTenMillionEvents answers the seed's question ("TikTok
// spend vs. Shopify revenue by campaign this month") over the big world:
// from the rollups (flint, the whole Service.Ask path), and from the raw
// events (raw, the baseline). Other report shapes are measured beside it.
func BenchmarkReportTenMillionEvents(b *testing.B) {
	st := bigWorld(b)
	ctx := context.Background()
	svc := report.New(st, clock.NewManual(benchNow), report.Options{Retention: 30 * 24 * time.Hour})
	adv, err := st.GetAccount(ctx, "adv")
	if err != nil {
		b.Fatal(err)
	}
	// The rollups agree with the raw events.
	raw, err := rawReport(ctx, st.R)
	if err != nil {
		b.Fatal(err)
	}
	ans, err := svc.Ask(ctx, adv, seedQuestion)
	if err != nil {
		b.Fatal(err)
	}
	if len(ans.Report.Rows) != benchCampaigns+1 {
		b.Fatalf("%d rows", len(ans.Report.Rows))
	}
	spendRaw := int64(0)
	for k, v := range raw {
		if !strings.HasPrefix(k, "revenue:") {
			spendRaw += v
		}
	}
	if got := ans.Report.Totals.Values[0].Money; got != money.Micros(spendRaw).Round(2) {
		b.Fatalf("rollup spend %v, raw events %v", got, money.Micros(spendRaw))
	}
	var revenueRaw int64
	for k, v := range raw {
		if strings.HasPrefix(k, "revenue:") {
			revenueRaw += v
		}
	}
	if got := ans.Report.Totals.Values[1].Money; got != money.Micros(revenueRaw).Round(2) {
		b.Fatalf("monthly order revenue %v, orders %v", got, money.Micros(revenueRaw))
	}
	b.Run("flint", func(b *testing.B) {
		for b.Loop() {
			if _, err := svc.Ask(ctx, adv, seedQuestion); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("raw", func(b *testing.B) {
		for b.Loop() {
			if _, err := rawReport(ctx, st.R); err != nil {
				b.Fatal(err)
			}
		}
	})
	for name, q := range map[string]string{
		"campaign-day": "spend vs Shopify revenue by campaign per day this month",
		"daily":        "TikTok spend vs Shopify revenue daily this month",
		"ad":           "spend and clicks by ad this month",
	} {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if _, err := svc.Ask(ctx, adv, q); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
