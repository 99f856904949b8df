package account

import (
	"context"
	"crypto/pbkdf2"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
)

// errLoginFailed answers every failed login alike, so that a caller cannot
// tell an unknown login from a wrong password.
var errLoginFailed = apperr.New(apperr.Unauthenticated, CodeLoginFailed,
	"that email or handle and password do not match an account")

// Login returns the account that login and password sign in to the web UI:
// an advertiser by email (login contains "@"), a creator by handle (with or
// without a leading "@"). Unknown logins cost as much time as wrong
// passwords.
func (s *Service) Login(ctx context.Context, login, password string) (model.Account, error) {
	login = strings.ToLower(strings.TrimSpace(login))
	var a model.Account
	var err error
	switch {
	case login == "" || len(login) > 254 || len(password) > 256 || !utf8.ValidString(login) || strings.ContainsRune(login, 0):
		err = store.ErrNotFound // no account has it (and PostgreSQL could not even compare it)
	case strings.HasPrefix(login, "@"):
		a, err = s.store.AccountByHandle(ctx, login[1:])
	case strings.Contains(login, "@"):
		a, err = s.store.AccountByEmail(ctx, login)
	default:
		a, err = s.store.AccountByHandle(ctx, login)
	}
	if errors.Is(err, store.ErrNotFound) {
		CheckPassword(dummyHash, password)
		return model.Account{}, errLoginFailed
	}
	if err != nil {
		return model.Account{}, err
	}
	if !CheckPassword(a.PasswordHash, password) {
		return model.Account{}, errLoginFailed
	}
	return a, nil
}

// dummyHash is checked against when no account matches, to spend the time a
// real check takes.
var dummyHash = HashPassword("no account has this password")

// CheckPassword reports whether password matches a hash made by
// HashPassword. An empty or unreadable hash matches nothing.
func CheckPassword(hash, password string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 4 || parts[0] != "pbkdf2-sha256" {
		return false
	}
	iter, err := strconv.Atoi(parts[1])
	if err != nil || iter < 1 || iter > 10_000_000 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[2])
	want, err2 := enc.DecodeString(parts[3])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, password, salt, iter, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// PasswordTag is a short digest of an account's password hash. A web
// session remembers the tag of the password it began with; once the
// password changes the tags differ and the session has ended.
func PasswordTag(a model.Account) []byte {
	h := sha256.Sum256([]byte("flint session tag\x00" + a.PasswordHash))
	return h[:8]
}
