// Package session signs people in to the web UI: creators by handle,
// advertisers by email (both with the password the operator set), and the
// operator with the operator token. A session is a random 256-bit secret
// held in the browser's cookie; only its SHA-256 is stored, so a stolen
// database opens no session. Each login makes a new secret (the old cookie's
// session, if any, is ended), sessions expire, a password change ends every
// older session of the account, and login attempts are rate-limited per
// login name and per client address.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/flintads/flint/internal/account"
	"github.com/flintads/flint/internal/apperr"
	"github.com/flintads/flint/internal/clock"
	"github.com/flintads/flint/internal/model"
	"github.com/flintads/flint/internal/ratelimit"
	"github.com/flintads/flint/internal/store"
)

// TTL is how long a session lasts after login.
const TTL = 7 * 24 * time.Hour

// Login attempts allowed: per login name and per client address, a burst
// and then one every few seconds.
const (
	loginBurst        = 10
	loginRate         = 1.0 / 6 // per second
	addressBurst      = 30
	addressRate       = 1.0 / 2
	CodeLoginThrottle = "LOGIN_THROTTLED"
)

// Accounts is what sessions need from the account service.
type Accounts interface {
	Login(ctx context.Context, login, password string) (model.Account, error)
	Get(ctx context.Context, id string) (model.Account, error)
}

// Service creates, checks and ends sessions.
type Service struct {
	store         store.Sessions
	accounts      Accounts
	clock         clock.Clock
	operatorHash  [32]byte
	byLogin       *ratelimit.Limiter
	byAddress     *ratelimit.Limiter
	sweepInterval time.Duration

	mu        sync.Mutex
	lastSweep time.Time
}

// New returns a Service. operatorToken signs the operator in to the
// console. buckets, when not nil, keeps the login limits' buckets (the
// store's, shared by every node); else they are kept in memory.
func New(st store.Sessions, accounts Accounts, c clock.Clock, operatorToken string, buckets ratelimit.Buckets) *Service {
	byLogin, byAddress := ratelimit.New(c, loginRate, loginBurst), ratelimit.New(c, addressRate, addressBurst)
	if buckets != nil {
		byLogin = ratelimit.Shared(buckets, "login:", c, loginRate, loginBurst)
		byAddress = ratelimit.Shared(buckets, "login-address:", c, addressRate, addressBurst)
	}
	return &Service{store: st, accounts: accounts, clock: c, operatorHash: sha256.Sum256([]byte(operatorToken)),
		byLogin: byLogin, byAddress: byAddress, sweepInterval: time.Hour}
}

// Principal is who a session belongs to.
type Principal struct {
	Operator bool
	Account  model.Account // empty for the operator
	// Secret identifies the session (the cookie value), for Logout.
	Secret string
}

// Started is a new session: its secret goes into the cookie.
type Started struct {
	Secret    string
	ExpiresAt time.Time
	Principal Principal
}

var errThrottled = func(wait time.Duration) error {
	return &apperr.Error{Kind: apperr.RateLimited, Code: CodeLoginThrottle, RetryAfter: wait,
		Message: "too many login attempts; wait a minute and try again"}
}

// Login checks login and password, limited per login name and per client
// address, and starts a session for the account. previous, the secret of a
// session the browser already had, is ended (a new secret at every login).
func (s *Service) Login(ctx context.Context, login, password, clientAddr, previous string) (Started, error) {
	if err := allow(ctx, s.byAddress, clientAddr); err != nil {
		return Started{}, err
	}
	key := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(login), "@"))
	if err := allow(ctx, s.byLogin, key); err != nil {
		return Started{}, err
	}
	a, err := s.accounts.Login(ctx, login, password)
	if err != nil {
		return Started{}, err
	}
	return s.start(ctx, Principal{Account: a}, account.PasswordTag(a), previous)
}

// OperatorLogin starts an operator session for the operator token, limited
// per client address.
func (s *Service) OperatorLogin(ctx context.Context, token, clientAddr, previous string) (Started, error) {
	if err := allow(ctx, s.byAddress, clientAddr); err != nil {
		return Started{}, err
	}
	sum := sha256.Sum256([]byte(strings.TrimSpace(token)))
	if subtle.ConstantTimeCompare(sum[:], s.operatorHash[:]) != 1 {
		return Started{}, &apperr.Error{Kind: apperr.Unauthenticated, Code: account.CodeLoginFailed,
			Field: "token", Message: "that is not the operator token"}
	}
	return s.start(ctx, Principal{Operator: true}, operatorTag(s.operatorHash), previous)
}

// allow takes a login attempt of key from l.
func allow(ctx context.Context, l *ratelimit.Limiter, key string) error {
	ok, wait, err := l.Allow(ctx, key)
	if err != nil {
		return err
	}
	if !ok {
		return errThrottled(wait)
	}
	return nil
}

func operatorTag(h [32]byte) []byte {
	t := sha256.Sum256(append([]byte("flint operator tag\x00"), h[:]...))
	return t[:8]
}

func (s *Service) start(ctx context.Context, p Principal, tag []byte, previous string) (Started, error) {
	now := s.clock.Now()
	if previous != "" {
		if err := s.store.DeleteSession(ctx, hashSecret(previous)); err != nil {
			return Started{}, err
		}
	}
	s.mu.Lock()
	sweep := now.Sub(s.lastSweep) > s.sweepInterval
	if sweep {
		s.lastSweep = now
	}
	s.mu.Unlock()
	if sweep {
		if _, err := s.store.DeleteExpiredSessions(ctx, now); err != nil {
			return Started{}, err
		}
	}
	var raw [32]byte
	_, _ = rand.Read(raw[:])
	secret := base64.RawURLEncoding.EncodeToString(raw[:])
	sess := model.Session{Hash: hashSecret(secret), AccountID: p.Account.ID, Operator: p.Operator, PasswordTag: tag,
		CreatedAt: now, ExpiresAt: now.Add(TTL)}
	if err := s.store.CreateSession(ctx, sess); err != nil {
		return Started{}, err
	}
	p.Secret = secret
	return Started{Secret: secret, ExpiresAt: sess.ExpiresAt, Principal: p}, nil
}

// ErrNoSession means the cookie names no live session: absent, unknown,
// expired, or ended by a password change.
var ErrNoSession = errors.New("session: no live session")

// Check returns who the session with this secret belongs to, reading the
// account as it is now.
func (s *Service) Check(ctx context.Context, secret string) (Principal, error) {
	if secret == "" || len(secret) > 64 {
		return Principal{}, ErrNoSession
	}
	sess, err := s.store.SessionByHash(ctx, hashSecret(secret))
	if errors.Is(err, store.ErrNotFound) {
		return Principal{}, ErrNoSession
	}
	if err != nil {
		return Principal{}, err
	}
	if !s.clock.Now().Before(sess.ExpiresAt) {
		return Principal{}, ErrNoSession
	}
	if sess.Operator {
		if subtle.ConstantTimeCompare(sess.PasswordTag, operatorTag(s.operatorHash)) != 1 {
			return Principal{}, ErrNoSession // the operator token changed
		}
		return Principal{Operator: true, Secret: secret}, nil
	}
	a, err := s.accounts.Get(ctx, sess.AccountID)
	if apperr.HasCode(err, apperr.CodeNotFound) {
		return Principal{}, ErrNoSession
	}
	if err != nil {
		return Principal{}, err
	}
	if subtle.ConstantTimeCompare(sess.PasswordTag, account.PasswordTag(a)) != 1 {
		return Principal{}, ErrNoSession
	}
	return Principal{Account: a, Secret: secret}, nil
}

// Logout ends the session with this secret.
func (s *Service) Logout(ctx context.Context, secret string) error {
	if secret == "" {
		return nil
	}
	return s.store.DeleteSession(ctx, hashSecret(secret))
}

func hashSecret(secret string) []byte {
	h := sha256.Sum256([]byte(secret))
	return h[:]
}
