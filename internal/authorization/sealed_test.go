package authorization_test

import (
	"bytes"
	"path/filepath"
	"testing"
	"time"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/authorization"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/ratelimit"
	"github.com/flintads/flint/internal/seal"
	"github.com/flintads/flint/internal/store/sqlite"
)

// TestRedeemedCodeSealed: the code an advertiser redeemed is stored sealed
// for it (never in clear, and the creator's side keeps only the hash), its
// library shows it back, another advertiser's library does not, and
// Inspect finds the entry by its code after the authorization lapsed.
func TestRedeemedCodeSealed(t *testing.T) {
	ctx := t.Context()
	db, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "flint.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	clk := clock.NewManual(time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC))
	svc := authorization.New(db, clk, nil, ratelimit.New(clk, 1000, 1000), seal.New([]byte("server-secret"), seal.AdCodes))
	now := clk.Now()
	creator := model.Account{ID: "acct_creator", Kind: model.KindCreator, Handle: "maya", DisplayName: "Maya",
		CreatorType: model.CreatorCreator, TokenHash: []byte("t1"), CreatedAt: now, UpdatedAt: now}
	adv := model.Account{ID: "acct_adv", Kind: model.KindAdvertiser, Name: "Glow", Currency: "USD", Timezone: "UTC",
		TokenHash: []byte("t2"), CreatedAt: now, UpdatedAt: now}
	other := model.Account{ID: "acct_other", Kind: model.KindAdvertiser, Name: "Other", Currency: "USD", Timezone: "UTC",
		TokenHash: []byte("t3"), CreatedAt: now, UpdatedAt: now}
	for _, a := range []model.Account{creator, adv, other} {
		if err := db.CreateAccount(ctx, a); err != nil {
			t.Fatal(err)
		}
	}
	p := model.Post{ID: "post_1", CreatorID: creator.ID, VideoURL: "https://v.example/v.mp4", DurationMS: 1000,
		Visibility: model.Public, Original: true, CreatedAt: now, UpdatedAt: now}
	if err := db.CreatePost(ctx, p); err != nil {
		t.Fatal(err)
	}
	on, days := true, 7
	if _, err := svc.Set(ctx, creator.ID, p.ID, authorization.SetInput{Enabled: &on, AcceptTerms: true, Days: &days}); err != nil {
		t.Fatal(err)
	}
	g, err := svc.Generate(ctx, creator.ID, p.ID, authorization.GenerateInput{})
	if err != nil {
		t.Fatal(err)
	}
	e, _, err := svc.Redeem(ctx, adv.ID, g.Code)
	if err != nil {
		t.Fatal(err)
	}
	if e.Code != g.Code {
		t.Fatalf("Redeem entry code %q, want the redeemed code", e.Code)
	}
	sp, err := db.GetSparkPost(ctx, e.SparkPost.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sp.SealedCode) == 0 || bytes.Contains(sp.SealedCode, []byte(g.Code)) {
		t.Fatalf("stored code %q: want it sealed", sp.SealedCode)
	}
	var clear int
	if err := db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM ad_codes WHERE hash = ? OR CAST(hash AS TEXT) = ?`,
		[]byte(g.Code), g.Code).Scan(&clear); err != nil || clear != 0 {
		t.Fatalf("the creator's side holds the code in clear (%d rows, %v)", clear, err)
	}
	lib, err := svc.Library(ctx, adv.ID)
	if err != nil || len(lib) != 1 || lib[0].Code != g.Code {
		t.Fatalf("Library = %+v, %v; want the entry with its code", lib, err)
	}
	if lib, _ := svc.Library(ctx, other.ID); len(lib) != 0 {
		t.Fatalf("another advertiser's library has %d entries", len(lib))
	}
	// A sealer with another server secret cannot show it (and does not fail).
	stranger := authorization.New(db, clk, nil, ratelimit.New(clk, 1000, 1000), seal.New([]byte("other-secret"), seal.AdCodes))
	if lib, err := stranger.Library(ctx, adv.ID); err != nil || lib[0].Code != "" {
		t.Fatalf("Library under another server secret = %q, %v; want no code", lib[0].Code, err)
	}

	// After the window closes, Inspect still finds the entry, EXPIRED.
	clk.Advance(8 * 24 * time.Hour)
	got, inLibrary, err := svc.Inspect(ctx, adv.ID, g.Code)
	if err != nil || !inLibrary || got.Status != model.LibraryExpired || got.Code != g.Code {
		t.Fatalf("Inspect after expiry = %s in library %v code %q, %v; want EXPIRED with its code", got.Status, inLibrary,
			got.Code, err)
	}
	// Another advertiser inspecting it learns the code expired, nothing more.
	if _, _, err := svc.Inspect(ctx, other.ID, g.Code); !apperr.HasCode(err, authorization.CodeExpired) {
		t.Fatalf("Inspect by another advertiser = %v, want %s", err, authorization.CodeExpired)
	}
}
