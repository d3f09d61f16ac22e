package api

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"
)

// Web sessions live in the store (store.SessionStore), so that signing
// out, revoking the token, an admin's "sign out everywhere", the absolute
// lifetime and the idle timeout end them at once, on every replica. The
// cookie carries the session's random id (the store keeps only its hash)
// and its expiry, signed with HMAC-SHA256 so that forged or tampered
// cookies are refused without a database look-up. The CSRF token of a
// session is an HMAC of its id: forms carry it in a hidden field and every
// POST is checked against it (SameSite=Strict alone leaves older browsers
// open).

const (
	sessionCookie = "reportd_session"
	loginCookie   = "reportd_login"  // pre-session CSRF nonce of the sign-in form
	sessionTTL    = 12 * time.Hour   // default Config.SessionLifetime
	sessionIdle   = 30 * time.Minute // default Config.SessionIdle
	csrfField     = "csrf"
)

// session is the signed content of the session cookie.
type session struct {
	ID      string `json:"s"`
	Expires int64  `json:"e"` // Unix seconds
}

// sessionKeys signs cookies and derives CSRF tokens.
type sessionKeys struct {
	key []byte
	now func() time.Time
}

func newSessionKeys(key []byte, now func() time.Time) sessionKeys {
	if len(key) == 0 {
		// No configured key: a random one per process. Sessions then end
		// when the process restarts, which is safe, only inconvenient.
		key = make([]byte, 32)
		rand.Read(key)
	}
	if now == nil {
		now = time.Now
	}
	return sessionKeys{key: key, now: now}
}

func (k sessionKeys) mac(parts ...string) []byte {
	m := hmac.New(sha256.New, k.key)
	for _, p := range parts {
		m.Write([]byte(p))
		m.Write([]byte{0})
	}
	return m.Sum(nil)
}

func randomID() string {
	var b [18]byte
	rand.Read(b[:])
	return base64.RawURLEncoding.EncodeToString(b[:])
}

// issue returns the cookie value of a new session lasting ttl.
func (k sessionKeys) issue(ttl time.Duration) (string, session) {
	s := session{ID: randomID(), Expires: k.now().Add(ttl).Unix()}
	payload, _ := json.Marshal(s) // plain strings and a number: cannot fail
	p := base64.RawURLEncoding.EncodeToString(payload)
	return p + "." + base64.RawURLEncoding.EncodeToString(k.mac("session", p)), s
}

var errNoSession = errors.New("no valid session")

// open checks a cookie value and returns its session.
func (k sessionKeys) open(v string) (session, error) {
	p, sig, ok := strings.Cut(v, ".")
	if !ok {
		return session{}, errNoSession
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, k.mac("session", p)) {
		return session{}, errNoSession
	}
	payload, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil {
		return session{}, errNoSession
	}
	var s session
	if err := json.Unmarshal(payload, &s); err != nil || s.ID == "" {
		return session{}, errNoSession
	}
	if k.now().Unix() >= s.Expires {
		return session{}, errNoSession
	}
	return s, nil
}

// csrf is the anti-forgery token of a session (or of a sign-in nonce).
func (k sessionKeys) csrf(id string) string {
	return base64.RawURLEncoding.EncodeToString(k.mac("csrf", id))
}

func (k sessionKeys) csrfOK(id, got string) bool {
	want := k.csrf(id)
	return got != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// note signs a message a redirect carries in its address (the name of a
// deleted form) for one session, so that only this site's own redirect
// can make a page show it.
func (k sessionKeys) note(sessionID, kind, text string) string {
	return base64.RawURLEncoding.EncodeToString(k.mac("note", sessionID, kind, text))
}

func (k sessionKeys) noteOK(sessionID, kind, text, got string) bool {
	want := k.note(sessionID, kind, text)
	return got != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

// cookie returns a session-scoped cookie: HttpOnly, SameSite=Strict, and
// Secure whenever the request came over TLS (directly or via a proxy that
// says so).
func webCookie(r *http.Request, name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name:     name,
		Value:    value,
		Path:     "/",
		MaxAge:   maxAge,
		HttpOnly: true,
		SameSite: http.SameSiteStrictMode,
		Secure:   r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https"),
	}
}

// sameOrigin refuses cross-site posts, as a second line behind the CSRF
// token: browsers say where a request comes from in Sec-Fetch-Site, older
// ones in Origin ("null" under a no-referrer policy, so no evidence).
func sameOrigin(r *http.Request) bool {
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" {
		return site == "same-origin" || site == "none"
	}
	o := r.Header.Get("Origin")
	if o == "" || o == "null" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// safeNext keeps a post-sign-in redirect on this site: a local absolute
// path, never "//host" or a scheme.
func safeNext(next string) string {
	if next == "" || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") || strings.HasPrefix(next, "/\\") || strings.ContainsAny(next, "\r\n") {
		return "/forms"
	}
	return next
}

// SessionKeyFile returns the session signing key kept in path, creating a
// random one (mode 0600) the first time, so that clerks stay signed in
// across restarts of the service. Config.SessionKey takes it.
func SessionKeyFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err == nil {
		key, derr := base64.RawURLEncoding.DecodeString(strings.TrimSpace(string(data)))
		if derr != nil || len(key) < 32 {
			return nil, fmt.Errorf("session key %s: not 32 or more base64url bytes; delete it to make a new one", path)
		}
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("session key: %w", err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		return SessionKeyFile(path) // another process made it first
	}
	if err != nil {
		return nil, fmt.Errorf("session key: %w", err)
	}
	if _, err := f.WriteString(base64.RawURLEncoding.EncodeToString(key) + "\n"); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("session key: %w", err)
	}
	if err := f.Close(); err != nil {
		os.Remove(path)
		return nil, fmt.Errorf("session key: %w", err)
	}
	return key, nil
}
