// Package seal encrypts the few secrets Flint must be able to read again
// (a Shopify webhook secret verifies every delivery; the Spark code an
// advertiser redeemed is shown back to it), so they cannot be stored as
// hashes: AES-256-GCM under a key derived (HMAC-SHA256) from the server's
// secret and a purpose label, bound to the account the secret belongs to.
// The server secret lives outside the database, so a copy of the database
// alone reveals none of them, and a secret sealed for one owner or purpose
// does not open for another.
package seal

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// Purpose labels. Each purpose has its own key; changing a label makes
// everything sealed under it unreadable.
const (
	// WebhookSecrets seals measurement webhook secrets (the label is the
	// one the measure package used before this package existed).
	WebhookSecrets = "flint/measure/sealed-secrets/v1"
	// AdCodes seals the Spark codes advertisers redeemed.
	AdCodes = "flint/authorization/ad-codes/v1"
)

// Sealer seals and opens secrets for one purpose.
type Sealer struct {
	aead cipher.AEAD
}

// New derives the key for purpose from the server secret.
func New(serverSecret []byte, purpose string) *Sealer {
	mac := hmac.New(sha256.New, serverSecret)
	mac.Write([]byte(purpose))
	block, err := aes.NewCipher(mac.Sum(nil))
	if err != nil {
		panic(err) // a 32-byte key is always valid
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		panic(err)
	}
	return &Sealer{aead: aead}
}

// Seal encrypts secret for the owner: a random nonce, then the ciphertext.
func (s *Sealer) Seal(secret []byte, owner string) ([]byte, error) {
	nonce := make([]byte, s.aead.NonceSize(), s.aead.NonceSize()+len(secret)+s.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	return s.aead.Seal(nonce, nonce, secret, []byte(owner)), nil
}

// Open decrypts what Seal returned for the same owner.
func (s *Sealer) Open(sealed []byte, owner string) ([]byte, error) {
	n := s.aead.NonceSize()
	if len(sealed) < n {
		return nil, errors.New("sealed secret too short")
	}
	return s.aead.Open(nil, sealed[:n], sealed[n:], []byte(owner))
}
