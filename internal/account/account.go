// Package account manages creator and advertiser accounts and the API tokens
// that authenticate them. Tokens are random, shown once, and stored only as
// SHA-256 hashes; passwords (for web login) as PBKDF2 hashes.
package account

import (
	"context"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/change"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/ids"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/store"
	"github.com/flintads/flint/internal/tz"
	"github.com/flintads/flint/internal/validate"
)

// Error codes specific to accounts.
const (
	CodeHandleTaken = "HANDLE_TAKEN"
	CodeEmailTaken  = "EMAIL_TAKEN"
	CodeLoginFailed = "LOGIN_FAILED"
)

// Service creates accounts and authenticates their tokens.
type Service struct {
	store  store.Accounts
	clock  clock.Clock
	notify change.Notifier

	mu        sync.RWMutex
	cache     map[string]cachedPrincipal // by token hash
	byAccount map[string]string          // account ID → its cached token hash
	gen       uint64                     // counts forget calls: a read older than one is not cached
}

type cachedPrincipal struct {
	account model.Account
	until   time.Time
}

// principalTTL bounds how long a token stays valid in memory after the
// account changes on another node.
const principalTTL = time.Minute

// New returns a Service.
func New(s store.Accounts, c clock.Clock, n change.Notifier) *Service {
	if n == nil {
		n = change.Nop{}
	}
	return &Service{store: s, clock: c, notify: n, cache: map[string]cachedPrincipal{}, byAccount: map[string]string{}}
}

// CreateInput describes a new account. Kind selects which fields apply.
type CreateInput struct {
	Kind        string
	Handle      string
	DisplayName string
	CreatorType string
	Name        string
	Currency    string
	Timezone    string
	Email       string
	Password    string
}

var handleRE = regexp.MustCompile(`^[a-z0-9._]{2,24}$`)

// Create validates in and stores a new account. It returns the account and
// its API token, which is not stored and cannot be shown again.
func (s *Service) Create(ctx context.Context, in CreateInput) (model.Account, string, error) {
	now := s.clock.Now()
	a := model.Account{ID: ids.New("acct"), NumericID: ids.NewNumeric(), Kind: model.AccountKind(in.Kind), CreatedAt: now, UpdatedAt: now}
	switch a.Kind {
	case model.KindCreator:
		a.Handle = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(in.Handle), "@"))
		a.DisplayName = strings.TrimSpace(in.DisplayName)
		a.CreatorType = model.CreatorType(in.CreatorType)
		if in.Handle == "" {
			return a, "", apperr.Missing("handle")
		}
		if !handleRE.MatchString(a.Handle) {
			return a, "", apperr.Invalidf("handle", "handle must be 2 to 24 letters, digits, dots or underscores")
		}
		if a.DisplayName == "" {
			a.DisplayName = a.Handle
		}
		if err := validate.Text("display_name", a.DisplayName, 64); err != nil {
			return a, "", err
		}
		if in.CreatorType == "" {
			return a, "", apperr.Missing("creator_type")
		}
		if err := CheckCreatorType(in.CreatorType); err != nil {
			return a, "", err
		}
	case model.KindAdvertiser:
		a.Name = strings.TrimSpace(in.Name)
		a.Currency = strings.ToUpper(strings.TrimSpace(in.Currency))
		a.Timezone = strings.TrimSpace(in.Timezone)
		if a.Name == "" {
			return a, "", apperr.Missing("name")
		}
		if err := validate.Text("name", a.Name, 128); err != nil {
			return a, "", err
		}
		if a.Currency == "" {
			a.Currency = "USD"
		}
		if !ValidCurrency(a.Currency) {
			return a, "", apperr.Invalidf("currency", "currency must be an ISO 4217 code such as USD or EUR")
		}
		if a.Timezone == "" {
			a.Timezone = "UTC"
		}
		if _, err := LoadLocation(a.Timezone); err != nil {
			return a, "", apperr.Invalidf("timezone", "timezone must be an IANA time zone such as America/New_York")
		}
		if in.Email != "" {
			email, err := checkEmail(in.Email)
			if err != nil {
				return a, "", err
			}
			a.Email = email
		}
	case "":
		return a, "", apperr.Missing("kind")
	default:
		return a, "", apperr.Invalidf("kind", "kind must be creator or advertiser")
	}
	if a.Kind == model.KindCreator && in.Email != "" {
		return a, "", apperr.Invalidf("email", "email applies to advertisers only; creators log in with their handle")
	}
	if in.Password != "" {
		if err := checkPassword(in.Password); err != nil {
			return a, "", err
		}
		a.PasswordHash = HashPassword(in.Password)
	}
	token := NewToken()
	a.TokenHash = HashToken(token)
	if err := s.store.CreateAccount(ctx, a); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return a, "", s.conflict(ctx, a)
		}
		return a, "", err
	}
	return a, token, nil
}

// conflict explains why storing a failed on a uniqueness rule.
func (s *Service) conflict(ctx context.Context, a model.Account) error {
	if a.Email != "" {
		if other, err := s.store.AccountByEmail(ctx, a.Email); err == nil && other.ID != a.ID {
			return &apperr.Error{Kind: apperr.Conflict, Code: CodeEmailTaken, Field: "email",
				Message: fmt.Sprintf("the email %q is taken", a.Email)}
		}
	}
	return &apperr.Error{Kind: apperr.Conflict, Code: CodeHandleTaken, Field: "handle",
		Message: fmt.Sprintf("the handle %q is taken", a.Handle)}
}

// checkEmail validates and normalises (lower case) an email address.
func checkEmail(email string) (string, error) {
	e := strings.ToLower(strings.TrimSpace(email))
	local, domain, ok := strings.Cut(e, "@")
	if !ok || local == "" || domain == "" || strings.Contains(domain, "@") || len(e) > 254 ||
		strings.ContainsAny(e, " \t\r\n\x00<>\"(),;:[]\\") || !strings.Contains(domain, ".") || !utf8.ValidString(e) {
		return "", apperr.Invalidf("email", "email must be an address such as ads@brand.example")
	}
	return e, nil
}

func checkPassword(pw string) error {
	if utf8.RuneCountInString(pw) < 8 || len(pw) > 256 {
		return apperr.Invalidf("password", "password must be 8 to 256 characters")
	}
	if !utf8.ValidString(pw) || strings.ContainsRune(pw, 0) {
		return apperr.Invalidf("password", "password must be valid text without NUL bytes")
	}
	return nil
}

// CheckCreatorType reports whether t names a creator account type.
func CheckCreatorType(t string) error {
	switch model.CreatorType(t) {
	case model.CreatorPersonal, model.CreatorBusiness, model.CreatorCreator:
		return nil
	}
	return apperr.Invalidf("creator_type", "creator_type must be personal, business or creator")
}

// Get returns an account by ID.
func (s *Service) Get(ctx context.Context, id string) (model.Account, error) {
	a, err := s.store.GetAccount(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return a, apperr.NotFoundf("no account %s", id)
	}
	return a, err
}

// UpdateInput holds the account fields the operator may change; nil leaves
// a field alone. An empty Email removes the advertiser's email.
type UpdateInput struct {
	DisplayName *string
	CreatorType *string
	Name        *string
	Timezone    *string
	Email       *string
	Password    *string
}

// Update changes an account. Only the fields given are written, so that an
// edit never undoes a concurrent one (a token rotated meanwhile stays
// rotated). Changing a creator's type matters to the eligibility of every
// post of theirs, so the change is announced.
func (s *Service) Update(ctx context.Context, id string, in UpdateInput) (model.Account, error) {
	a, err := s.Get(ctx, id)
	if err != nil {
		return a, err
	}
	var ch store.AccountChanges
	switch a.Kind {
	case model.KindCreator:
		if in.Name != nil || in.Timezone != nil || in.Email != nil {
			field := "name"
			if in.Email != nil {
				field = "email"
			}
			return a, apperr.Invalidf(field, "name, email and timezone apply to advertisers only")
		}
		if in.DisplayName != nil {
			v := strings.TrimSpace(*in.DisplayName)
			if v == "" {
				return a, apperr.Missing("display_name")
			}
			if err := validate.Text("display_name", v, 64); err != nil {
				return a, err
			}
			a.DisplayName, ch.DisplayName = v, &v
		}
		if in.CreatorType != nil {
			if err := CheckCreatorType(*in.CreatorType); err != nil {
				return a, err
			}
			ct := model.CreatorType(*in.CreatorType)
			a.CreatorType, ch.CreatorType = ct, &ct
		}
	case model.KindAdvertiser:
		if in.DisplayName != nil || in.CreatorType != nil {
			return a, apperr.Invalidf("creator_type", "display_name and creator_type apply to creators only")
		}
		if in.Name != nil {
			v := strings.TrimSpace(*in.Name)
			if v == "" {
				return a, apperr.Missing("name")
			}
			if err := validate.Text("name", v, 128); err != nil {
				return a, err
			}
			a.Name, ch.Name = v, &v
		}
		if in.Timezone != nil {
			if _, err := LoadLocation(*in.Timezone); err != nil {
				return a, apperr.Invalidf("timezone", "timezone must be an IANA time zone such as America/New_York")
			}
			tz := *in.Timezone
			a.Timezone, ch.Timezone = tz, &tz
		}
		if in.Email != nil {
			email := ""
			if strings.TrimSpace(*in.Email) != "" {
				if email, err = checkEmail(*in.Email); err != nil {
					return a, err
				}
			}
			a.Email, ch.Email = email, &email
		}
	}
	if in.Password != nil {
		if err := checkPassword(*in.Password); err != nil {
			return a, err
		}
		h := HashPassword(*in.Password)
		a.PasswordHash, ch.PasswordHash = h, &h
	}
	a.UpdatedAt = s.clock.Now()
	ch.UpdatedAt = a.UpdatedAt
	if err := s.store.UpdateAccount(ctx, id, ch); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return a, s.conflict(ctx, a)
		}
		if errors.Is(err, store.ErrNotFound) {
			return a, apperr.NotFoundf("no account %s", id)
		}
		return a, err
	}
	s.forget(id)
	s.notify.Changed(ctx, change.Event{Kind: change.Account, ID: a.ID})
	return s.Get(ctx, id)
}

// RotateToken gives the account a new token; the old one stops working.
func (s *Service) RotateToken(ctx context.Context, id string) (model.Account, string, error) {
	token := NewToken()
	err := s.store.UpdateAccount(ctx, id, store.AccountChanges{TokenHash: HashToken(token), UpdatedAt: s.clock.Now()})
	if errors.Is(err, store.ErrNotFound) {
		return model.Account{}, "", apperr.NotFoundf("no account %s", id)
	}
	if err != nil {
		return model.Account{}, "", err
	}
	s.forget(id)
	a, err := s.Get(ctx, id)
	return a, token, err
}

// Forget drops the cached principal of an account, so that the next
// request reads the account as it is now: for changes of it logged by
// another node (its token rotated, its password changed).
func (s *Service) Forget(accountID string) { s.forget(accountID) }

// ForgetAll drops every cached principal.
func (s *Service) ForgetAll() {
	s.mu.Lock()
	clear(s.cache)
	clear(s.byAccount)
	s.gen++
	s.mu.Unlock()
}

// forget drops the cached principal of an account, so that the next request
// reads the account as it is now.
func (s *Service) forget(accountID string) {
	s.mu.Lock()
	if h, ok := s.byAccount[accountID]; ok {
		delete(s.cache, h)
		delete(s.byAccount, accountID)
	}
	s.gen++
	s.mu.Unlock()
}

// Authenticate returns the account whose token this is.
func (s *Service) Authenticate(ctx context.Context, token string) (model.Account, error) {
	if !strings.HasPrefix(token, tokenPrefix) || len(token) > 128 {
		return model.Account{}, errBadToken
	}
	hash := HashToken(token)
	now := s.clock.Now()
	s.mu.RLock()
	c, ok := s.cache[string(hash)]
	gen := s.gen
	s.mu.RUnlock()
	if ok && now.Before(c.until) {
		return c.account, nil
	}
	a, err := s.store.AccountByTokenHash(ctx, hash)
	if errors.Is(err, store.ErrNotFound) {
		return a, errBadToken
	}
	if err != nil {
		return a, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != gen {
		return a, nil // an account changed while we read: do not cache what may be stale
	}
	if len(s.cache) > 100_000 {
		clear(s.cache)
		clear(s.byAccount)
	}
	s.cache[string(hash)] = cachedPrincipal{account: a, until: now.Add(principalTTL)}
	s.byAccount[a.ID] = string(hash)
	return a, nil
}

var errBadToken = apperr.New(apperr.Unauthenticated, apperr.CodeUnauthenticated, "the bearer token is not valid")

const tokenPrefix = "flt_"

var tokenEncoding = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// NewToken returns a fresh API token: "flt_" and 256 random bits.
func NewToken() string {
	var b [32]byte
	_, _ = rand.Read(b[:])
	return tokenPrefix + tokenEncoding.EncodeToString(b[:])
}

// HashToken returns the stored form of a token.
func HashToken(token string) []byte {
	h := sha256.Sum256([]byte(token))
	return h[:]
}

const pbkdf2Iterations = 210_000

// HashPassword returns a PBKDF2-SHA256 hash of password in the form
// "pbkdf2-sha256$iterations$salt$hash".
func HashPassword(password string) string {
	var salt [16]byte
	_, _ = rand.Read(salt[:])
	key, _ := pbkdf2.Key(sha256.New, password, salt[:], pbkdf2Iterations, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", pbkdf2Iterations, enc.EncodeToString(salt[:]), enc.EncodeToString(key))
}

// LoadLocation loads an IANA time zone, refusing "Local" and the empty name,
// which would mean the server's zone (see package tz).
func LoadLocation(name string) (*time.Location, error) { return tz.Load(name) }

// List returns the accounts of one kind, oldest first.
func (s *Service) List(ctx context.Context, kind model.AccountKind) ([]model.Account, error) {
	return s.store.ListAccounts(ctx, kind)
}
