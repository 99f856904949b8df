package measure

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
)

// Sealer encrypts the secrets Flint must be able to use again (Shopify
// webhook secrets verify every delivery, so they cannot be stored as
// hashes): AES-256-GCM under a key derived from the server's secret, which
// lives outside the database, bound to the advertiser it belongs to. A copy
// of the database alone reveals no webhook secret.
type Sealer struct {
	aead cipher.AEAD
}

// NewSealer derives the sealing key from the server secret.
func NewSealer(serverSecret []byte) *Sealer {
	mac := hmac.New(sha256.New, serverSecret)
	mac.Write([]byte("flint/measure/sealed-secrets/v1"))
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

// Seal encrypts secret for the owner.
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
