package storetest

import (
	"time"

	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

func testAccountRoundTrip(f *fixture) {
	c := model.Account{
		ID: "creator-rt", Kind: model.KindCreator, Handle: "alice", DisplayName: "Alice A.",
		CreatorType: model.CreatorBusiness, TokenHash: hash("creator-rt"),
		CreatedAt: t0, UpdatedAt: t0.Add(time.Second),
	}
	a := model.Account{
		ID: "adv-rt", Kind: model.KindAdvertiser, Name: "Acme Inc.", Currency: "EUR", Timezone: "Europe/Paris",
		TokenHash: hash("adv-rt"), PasswordHash: "pbkdf2-sha256$600000$c2FsdA$aGFzaA",
		CreatedAt: t0.Add(time.Minute), UpdatedAt: t0.Add(time.Hour),
	}
	for _, want := range []model.Account{c, a} {
		f.createAccount(want)
		got, err := f.s.GetAccount(f.ctx, want.ID)
		f.check(err, "GetAccount(%s)", want.ID)
		f.same(got, want, "GetAccount(%s)", want.ID)
		got, err = f.s.AccountByTokenHash(f.ctx, want.TokenHash)
		f.check(err, "AccountByTokenHash(%s)", want.ID)
		f.same(got, want, "AccountByTokenHash(%s)", want.ID)
	}
	_, err := f.s.GetAccount(f.ctx, "no-such-account")
	f.wantErr(err, store.ErrNotFound, "GetAccount(unknown)")
	_, err = f.s.AccountByTokenHash(f.ctx, hash("no-such-account"))
	f.wantErr(err, store.ErrNotFound, "AccountByTokenHash(unknown)")
	_, err = f.s.AccountByTokenHash(f.ctx, nil)
	f.wantErr(err, store.ErrNotFound, "AccountByTokenHash(nil)")
}

func testAccountTimes(f *fixture) {
	zone := time.FixedZone("UTC+5:30", 5*3600+1800)
	cases := []struct {
		name               string
		created, updated   time.Time
		wantCreated, wantU time.Time
	}{
		{"nanoseconds truncated by caller", time.Date(2024, 2, 29, 23, 59, 59, 999_999_999, zone).Truncate(time.Microsecond),
			time.Date(2024, 3, 1, 0, 0, 0, 1000, time.UTC), time.Date(2024, 2, 29, 23, 59, 59, 999_999_000, zone),
			time.Date(2024, 3, 1, 0, 0, 0, 1000, time.UTC)},
		{"zero updated stays zero", time.Date(1999, 12, 31, 23, 0, 0, 123_456_000, time.Local), time.Time{},
			time.Date(1999, 12, 31, 23, 0, 0, 123_456_000, time.Local), time.Time{}},
		{"far future", time.Date(2199, 1, 2, 3, 4, 5, 6000, time.UTC), time.Date(2199, 1, 2, 3, 4, 5, 7000, time.UTC),
			time.Date(2199, 1, 2, 3, 4, 5, 6000, time.UTC), time.Date(2199, 1, 2, 3, 4, 5, 7000, time.UTC)},
	}
	for _, tc := range cases {
		a := f.newAdvertiser(tc.created)
		a.UpdatedAt = tc.updated
		f.createAccount(a)
		got, err := f.s.GetAccount(f.ctx, a.ID)
		f.check(err, "GetAccount %s", tc.name)
		if !got.CreatedAt.Equal(tc.wantCreated) {
			f.t.Errorf("%s: CreatedAt = %s, want %s", tc.name, fmtTime(got.CreatedAt), fmtTime(tc.wantCreated))
		}
		if !got.UpdatedAt.Equal(tc.wantU) || got.UpdatedAt.IsZero() != tc.wantU.IsZero() {
			f.t.Errorf("%s: UpdatedAt = %s, want %s", tc.name, fmtTime(got.UpdatedAt), fmtTime(tc.wantU))
		}
	}
	// Zero times of a creator never updated, read through ListAccounts.
	c := f.newCreator(time.Time{})
	f.createAccount(c)
	list, err := f.s.ListAccounts(f.ctx, model.KindCreator)
	f.check(err, "ListAccounts")
	if len(list) != 1 || !list[0].CreatedAt.IsZero() || !list[0].UpdatedAt.IsZero() {
		f.t.Errorf("ListAccounts(creator) = %+v, want one account with zero times", list)
	}
}

func testAccountConflicts(f *fixture) {
	alice := f.newCreator(t0)
	alice.Handle = "alice"
	f.createAccount(alice)

	dupHandle := f.newCreator(t0)
	dupHandle.Handle = "alice"
	f.wantErr(f.s.CreateAccount(f.ctx, dupHandle), store.ErrConflict, "CreateAccount with a taken handle")

	dupToken := f.newAdvertiser(t0)
	dupToken.TokenHash = alice.TokenHash
	f.wantErr(f.s.CreateAccount(f.ctx, dupToken), store.ErrConflict, "CreateAccount with a taken token hash")

	dupID := f.newCreator(t0)
	dupID.ID = alice.ID
	f.wantErr(f.s.CreateAccount(f.ctx, dupID), store.ErrConflict, "CreateAccount with a taken ID")

	for _, id := range []string{dupHandle.ID, dupToken.ID} {
		_, err := f.s.GetAccount(f.ctx, id)
		f.wantErr(err, store.ErrNotFound, "GetAccount(%s) after a conflicting create", id)
	}
	got, err := f.s.GetAccount(f.ctx, alice.ID)
	f.check(err, "GetAccount(alice)")
	f.same(got, alice, "alice after conflicting creates")
	for kind, n := range map[model.AccountKind]int{model.KindCreator: 1, model.KindAdvertiser: 0} {
		list, err := f.s.ListAccounts(f.ctx, kind)
		f.check(err, "ListAccounts(%s)", kind)
		if len(list) != n {
			f.t.Errorf("ListAccounts(%s) has %d accounts, want %d", kind, len(list), n)
		}
	}
}

func testAccountEmptyHandle(f *fixture) {
	// Advertisers have no handle; any number of them must fit.
	a1 := f.createAccount(f.newAdvertiser(t0))
	a2 := f.createAccount(f.newAdvertiser(t0.Add(time.Second)))
	c := f.newCreator(t0.Add(2 * time.Second))
	c.Handle = ""
	f.createAccount(c)
	for _, want := range []model.Account{a1, a2, c} {
		got, err := f.s.GetAccount(f.ctx, want.ID)
		f.check(err, "GetAccount(%s)", want.ID)
		f.same(got, want, "GetAccount(%s)", want.ID)
	}
	list, err := f.s.ListAccounts(f.ctx, model.KindAdvertiser)
	f.check(err, "ListAccounts")
	f.same(list, []model.Account{a1, a2}, "ListAccounts(advertiser)")
}

func testAccountUpdate(f *fixture) {
	c := f.creator()
	adv := f.advertiser()
	other := f.advertiser()

	name, ct, tz := "Renamed", model.CreatorBusiness, "Europe/Paris"
	pw := "pbkdf2$new"
	upd := c
	upd.DisplayName, upd.CreatorType, upd.TokenHash, upd.PasswordHash = name, ct, hash("new token"), pw
	upd.UpdatedAt = t0.Add(time.Hour)
	f.check(f.s.UpdateAccount(f.ctx, c.ID, store.AccountChanges{DisplayName: &name, CreatorType: &ct,
		TokenHash: upd.TokenHash, PasswordHash: &pw, UpdatedAt: upd.UpdatedAt}), "UpdateAccount")
	got, err := f.s.GetAccount(f.ctx, c.ID)
	f.check(err, "GetAccount")
	f.same(got, upd, "GetAccount after UpdateAccount")
	_, err = f.s.AccountByTokenHash(f.ctx, c.TokenHash)
	f.wantErr(err, store.ErrNotFound, "AccountByTokenHash(old hash)")
	got, err = f.s.AccountByTokenHash(f.ctx, upd.TokenHash)
	f.check(err, "AccountByTokenHash(new hash)")
	f.same(got, upd, "AccountByTokenHash(new hash)")

	// Only the columns named change.
	advName, email := "Renamed Inc.", "ads@renamed.example"
	wantAdv := adv
	wantAdv.Name, wantAdv.Timezone, wantAdv.Email, wantAdv.UpdatedAt = advName, tz, email, t0.Add(2*time.Hour)
	f.check(f.s.UpdateAccount(f.ctx, adv.ID, store.AccountChanges{Name: &advName, Timezone: &tz, Email: &email,
		UpdatedAt: wantAdv.UpdatedAt}), "UpdateAccount(advertiser)")
	got, err = f.s.AccountByEmail(f.ctx, email)
	f.check(err, "AccountByEmail")
	f.same(got, wantAdv, "AccountByEmail after UpdateAccount")

	f.wantErr(f.s.UpdateAccount(f.ctx, other.ID, store.AccountChanges{Email: &email, UpdatedAt: t0}), store.ErrConflict,
		"UpdateAccount to a taken email")
	f.wantErr(f.s.UpdateAccount(f.ctx, other.ID, store.AccountChanges{TokenHash: upd.TokenHash, UpdatedAt: t0}),
		store.ErrConflict, "UpdateAccount to a taken token hash")
	got, err = f.s.GetAccount(f.ctx, other.ID)
	f.check(err, "GetAccount")
	f.same(got, other, "GetAccount after conflicting updates")

	// Clearing the email stores none, which never conflicts.
	none := ""
	f.check(f.s.UpdateAccount(f.ctx, adv.ID, store.AccountChanges{Email: &none, UpdatedAt: wantAdv.UpdatedAt}),
		"UpdateAccount clearing the email")
	f.check(f.s.UpdateAccount(f.ctx, other.ID, store.AccountChanges{Email: &none, UpdatedAt: t0}),
		"UpdateAccount clearing a second email")
	_, err = f.s.AccountByEmail(f.ctx, email)
	f.wantErr(err, store.ErrNotFound, "AccountByEmail after clearing it")

	f.wantErr(f.s.UpdateAccount(f.ctx, "no-such-account", store.AccountChanges{Name: &advName, UpdatedAt: t0}),
		store.ErrNotFound, "UpdateAccount(unknown)")
}

func testAccountList(f *fixture) {
	adv2 := f.createAccount(f.newAdvertiser(t0.Add(2 * time.Hour)))
	cr1 := f.createAccount(f.newCreator(t0.Add(time.Hour)))
	adv1 := f.createAccount(f.newAdvertiser(t0))
	cr2 := f.createAccount(f.newCreator(t0.Add(3 * time.Hour)))
	adv3 := f.createAccount(f.newAdvertiser(t0.Add(time.Hour)))

	got, err := f.s.ListAccounts(f.ctx, model.KindAdvertiser)
	f.check(err, "ListAccounts(advertiser)")
	f.same(got, []model.Account{adv1, adv3, adv2}, "ListAccounts(advertiser), oldest first")
	got, err = f.s.ListAccounts(f.ctx, model.KindCreator)
	f.check(err, "ListAccounts(creator)")
	f.same(got, []model.Account{cr1, cr2}, "ListAccounts(creator), oldest first")
	got, err = f.s.ListAccounts(f.ctx, "robot")
	f.check(err, "ListAccounts(unknown kind)")
	if len(got) != 0 {
		f.t.Errorf("ListAccounts(unknown kind) = %d accounts, want none", len(got))
	}
}
