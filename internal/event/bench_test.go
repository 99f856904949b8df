package event_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/delivery"
	"github.com/flintads/flint/internal/event"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/money"
	"github.com/flintads/flint/internal/store/pgtest"
	"github.com/flintads/flint/internal/store/postgres"
	"github.com/flintads/flint/internal/store/sqldb"
	"github.com/flintads/flint/internal/store/sqlite"
	"github.com/flintads/flint/internal/tracking"
)

const batchSize = 500

// world is one serving CPM ad, stored, with an engine that knows it.
type world struct {
	st     *sqldb.DB
	engine *delivery.Engine
	signer *tracking.Signer
	clock  clock.Clock
	ad     model.Ad
}

func newWorld(tb testing.TB) *world { return newWorldOn(tb, "sqlite") }

// newWorldOn is newWorld on a backend: "sqlite" (a file in a temporary
// directory) or "postgres" (a database of its own on the test server).
func newWorldOn(tb testing.TB, backend string) *world {
	tb.Helper()
	ctx := context.Background()
	var st *sqldb.DB
	var err error
	if backend == "postgres" {
		st, err = postgres.Open(ctx, pgtest.URL(tb))
	} else {
		st, err = sqlite.Open(ctx, filepath.Join(tb.TempDir(), "flint.db"))
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	clk := clock.Real{}
	now := clk.Now()
	w := model.World{
		Accounts: []model.Account{
			{ID: "acct_creator", Kind: model.KindCreator, Handle: "maya", DisplayName: "Maya", CreatorType: model.CreatorCreator,
				TokenHash: []byte("c"), CreatedAt: now, UpdatedAt: now},
			{ID: "acct_brand", Kind: model.KindAdvertiser, Name: "Glow", Currency: "USD", Timezone: "UTC",
				TokenHash: []byte("a"), CreatedAt: now, UpdatedAt: now}},
		Posts: []model.Post{{ID: "post_1", CreatorID: "acct_creator", Caption: "c", VideoURL: "https://v/1.mp4", DurationMS: 1000,
			Visibility: model.Public, Original: true, CreatedAt: now, UpdatedAt: now}},
		Authorizations: []model.Authorization{{ID: "auth_1", PostID: "post_1", CreatorID: "acct_creator", Days: 365,
			TermsVersion: "t", TermsAcceptedAt: now, CreatedAt: now, GeneratedAt: now, ExpiresAt: now.Add(365 * 24 * time.Hour),
			UpdatedAt: now}},
		AdCodes: []model.AdCode{{ID: "code_1", AuthorizationID: "auth_1", PostID: "post_1", Hash: []byte("h"), CreatedAt: now}},
		SparkPosts: []model.SparkPost{{ID: "sp_1", AdvertiserID: "acct_brand", PostID: "post_1", CreatorID: "acct_creator",
			AuthorizationID: "auth_1", CodeID: "code_1", AddedAt: now, UpdatedAt: now}},
		Campaigns: []model.Campaign{{ID: "cmp_1", AdvertiserID: "acct_brand", Name: "c", Objective: model.ObjectiveReach,
			BudgetMode: model.BudgetNone, Status: model.Enabled, CreatedAt: now, UpdatedAt: now}},
		AdGroups: []model.AdGroup{{ID: "adg_1", AdvertiserID: "acct_brand", CampaignID: "cmp_1", Name: "g", StartTime: now.Add(-time.Hour),
			BudgetMode: model.BudgetLifetime, Budget: 1_000_000_000 * money.PerUnit, BillingEvent: model.BillCPM, Bid: 5 * money.PerUnit,
			Pacing: model.PacingAccelerated, Status: model.Enabled, CreatedAt: now, UpdatedAt: now}},
		Ads: []model.Ad{{ID: "ad_1", AdvertiserID: "acct_brand", CampaignID: "cmp_1", AdGroupID: "adg_1", Name: "a",
			SparkPostID: "sp_1", PostID: "post_1", CTALabel: "Shop", CTAURL: "https://shop.example", Status: model.Enabled,
			CreatedAt: now, UpdatedAt: now}},
	}
	if err := st.Seed(ctx, w); err != nil {
		tb.Fatal(err)
	}
	signer := tracking.NewSigner([]byte("0123456789abcdef0123456789abcdef"), time.Hour)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	engine := delivery.New(st, clk, log, signer, delivery.Config{})
	if err := engine.Load(ctx); err != nil {
		tb.Fatal(err)
	}
	if err := engine.LeaseAll(ctx); err != nil {
		tb.Fatal(err)
	}
	return &world{st: st, engine: engine, signer: signer, clock: clk, ad: w.Ads[0]}
}

// eventTypes is the mix of one delivery's events: what a feed reports for
// an ad that was watched and liked.
var eventTypes = []string{"impression", "view_2s", "view_6s", "complete", "like"}

// batches makes n batches of distinct, valid events. Decision IDs and
// event IDs are time-ordered (as Flint's decision IDs are, and as clients
// are advised to make event IDs), or, with random, drawn at random (the
// worst case for the indexes that find duplicates).
func (w *world) batches(n int, random bool) [][]event.Input {
	now := w.clock.Now()
	r := rand.New(rand.NewPCG(1, 2))
	out := make([][]event.Input, n)
	k := 0
	for b := range out {
		batch := make([]event.Input, 0, batchSize)
		for len(batch) < batchSize {
			dec := fmt.Sprintf("dec_%020d", k)
			if random {
				dec = fmt.Sprintf("dec_%016x%04x", r.Uint64(), k%65536)
			}
			claims := tracking.Claims{DecisionID: dec, AdID: w.ad.ID, PostID: w.ad.PostID,
				ViewerID: fmt.Sprintf("v%d", k%100_000), Billing: model.BillCPM, Price: 5_000, IssuedAt: now}
			tok := w.signer.Sign(&claims)
			for _, t := range eventTypes {
				watch := int64(8_000)
				id := fmt.Sprintf("%016x-%s", k, t)
				if random {
					id = fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64())
				}
				batch = append(batch, event.Input{EventID: id, Type: t, Token: tok, WatchMS: &watch})
			}
			k++
		}
		out[b] = batch[:batchSize]
	}
	return out
}

// BenchmarkEvents measures durable event ingestion in batches of 500 from
// 8 concurrent callers (flint), on SQLite and on PostgreSQL, against a raw
// load of the same rows into the same table in the same run (raw): on
// SQLite plain multi-row INSERTs, one transaction per batch; on PostgreSQL
// COPY (pgx CopyFrom), one per batch, from 8 concurrent callers too. One op
// is one batch; events/s is the figure to compare.
func BenchmarkEvents(b *testing.B) {
	for _, backend := range []string{"sqlite", "postgres"} {
		b.Run(backend, func(b *testing.B) {
			for _, ids := range []string{"ordered-ids", "random-ids"} {
				b.Run(ids, func(b *testing.B) { benchmarkEvents(b, backend, ids == "random-ids") })
			}
		})
	}
}

// clients is how many callers send batches at once.
const clients = 8

func benchmarkEvents(b *testing.B, backend string, random bool) {
	b.Run("flint", func(b *testing.B) {
		w := newWorldOn(b, backend)
		in := event.New(w.st, w.clock, slog.New(slog.NewTextHandler(io.Discard, nil)), w.signer, w.engine)
		defer in.Close()
		batches := w.batches(b.N, random)
		var next atomic.Int64
		b.SetParallelism(max(1, clients/runtime.GOMAXPROCS(0)))
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				batch := batches[next.Add(1)-1]
				res, err := in.Ingest(context.Background(), batch)
				if err != nil || res.Accepted != len(batch) {
					b.Errorf("ingest: %v, %d accepted, rejected %v", err, res.Accepted, res.Rejected)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N*batchSize)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("raw", func(b *testing.B) {
		w := newWorldOn(b, backend)
		rows := w.rows(b.N, random)
		if backend == "postgres" {
			var next atomic.Int64
			b.SetParallelism(max(1, clients/runtime.GOMAXPROCS(0)))
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := rawCopy(w.st.W, rows[next.Add(1)-1]); err != nil {
						b.Error(err)
						return
					}
				}
			})
		} else {
			b.ResetTimer()
			for _, batch := range rows {
				if err := rawInsert(w.st.W, batch); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.N*batchSize)/b.Elapsed().Seconds(), "events/s")
	})
}

// rows makes n batches of the rows ingestion would store for the same events.
func (w *world) rows(n int, random bool) [][]model.Event {
	out := make([][]model.Event, n)
	now := w.clock.Now()
	for b, batch := range w.batches(n, random) {
		out[b] = make([]model.Event, len(batch))
		for i, x := range batch {
			t, _ := model.ParseEventType(x.Type)
			claims, err := w.signer.Verify(x.Token, now)
			if err != nil {
				panic(err)
			}
			out[b][i] = model.Event{ID: x.EventID, Type: t, PostID: w.ad.PostID, AdID: w.ad.ID, DecisionID: claims.DecisionID,
				ViewerID: claims.ViewerID, At: now, WatchMS: *x.WatchMS, OnceKey: event.OnceKey(claims.DecisionID, 0, t)}
		}
	}
	return out
}

// rawInsert writes a batch with plain multi-row INSERTs in one transaction,
// 100 rows a statement, like the store does, without its checks or counters.
func rawInsert(db *sql.DB, batch []model.Event) error {
	tx, err := db.Begin()
	if err != nil {
		return err
	}
	for start := 0; start < len(batch); start += 100 {
		part := batch[start:min(start+100, len(batch))]
		q := "INSERT INTO events (event_id, type, post_id, ad_id, decision_id, viewer_id, click_id, at, watch_ms, charge, once_key) VALUES " +
			strings.TrimSuffix(strings.Repeat("(?,?,?,?,?,?,?,?,?,?,?),", len(part)), ",")
		args := make([]any, 0, len(part)*11)
		for _, e := range part {
			args = append(args, e.ID, int64(e.Type), e.PostID, e.AdID, e.DecisionID, e.ViewerID, nil, e.At.UnixMicro(),
				e.WatchMS, int64(e.Charge), e.OnceKey)
		}
		if _, err := tx.Exec(q, args...); err != nil {
			tx.Rollback()
			return err
		}
	}
	return tx.Commit()
}

// rawCopy writes a batch into PostgreSQL's events table with one COPY, its
// own transaction, without checks, conflict handling or counters.
func rawCopy(db *sql.DB, batch []model.Event) error {
	conn, err := db.Conn(context.Background())
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		rows := make([][]any, len(batch))
		for i, e := range batch {
			rows[i] = []any{e.ID, int64(e.Type), e.PostID, e.AdID, e.DecisionID, e.ViewerID, nil, e.At.UnixMicro(),
				e.WatchMS, int64(e.Charge), e.OnceKey}
		}
		_, err := dc.(*stdlib.Conn).Conn().CopyFrom(context.Background(), pgx.Identifier{"events"},
			strings.Split(strings.ReplaceAll(eventColumns, " ", ""), ","), pgx.CopyFromRows(rows))
		return err
	})
}

const eventColumns = `event_id, type, post_id, ad_id, decision_id, viewer_id, click_id, at, watch_ms, charge, once_key`
