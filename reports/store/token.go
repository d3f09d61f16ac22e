package store

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
)

// TokenPrefix starts every secret so that leaked tokens are recognisable
// (secret scanners, logs).
const TokenPrefix = "rpd_"

// NewSecret returns a fresh random token secret (32 random bytes).
func NewSecret() string {
	var b [32]byte
	rand.Read(b[:]) // never fails (crypto/rand documents it)
	return TokenPrefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// HashToken is the stored form of a secret: hex SHA-256. A fast hash is
// enough because secrets are 256-bit random values, not passwords.
func HashToken(secret string) string {
	sum := sha256.Sum256([]byte(strings.TrimSpace(secret)))
	return hex.EncodeToString(sum[:])
}
