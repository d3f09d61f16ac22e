package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports/store"
)

// stolen is a second browser holding a copy of b's cookies: what an
// attacker who copied the session cookie (or a forgotten tab) has.
func (b *browserless) stolen() *browserless {
	u, _ := url.Parse(b.site.url)
	jar, _ := cookiejar.New(nil)
	jar.SetCookies(u, b.c.Jar.Cookies(u))
	return &browserless{t: b.t, site: b.site, c: &http.Client{Jar: jar, CheckRedirect: b.c.CheckRedirect}}
}

// signedOut says whether a copy of a session can neither read nor save.
func signedOut(t *testing.T, copy *browserless, id, csrfToken string) bool {
	t.Helper()
	read := copy.get("/forms/" + id)
	save := copy.post("/forms/"+id+"/edit", url.Values{"csrf": {csrfToken}, "op": {"save"}, "version": {"1"}, "f.project": {"被篡改"}})
	return read.status == http.StatusSeeOther && strings.HasPrefix(read.header.Get("Location"), "/login") && save.status == http.StatusUnauthorized
}

// An attack found that after POST /logout the old cookie still read and
// even saved (with its CSRF token) for up to 12 h.
func TestSessionsEndServerSide(t *testing.T) {
	site := newWebSite(t)
	setup := site.client()
	tok := setup.login(site.admin)
	setup.upload(tok, "seed.txt", seed(t))
	id := formIDs(setup.get("/forms").body)[0]
	if v := setup.get("/forms/" + id + "/versions"); !strings.Contains(v.body, "保存人") || !strings.Contains(v.body, "测试admin") {
		t.Errorf("the version history does not say who saved:\n%s", v.body)
	}

	t.Run("logout ends the session", func(t *testing.T) {
		b := site.client()
		csrfToken := b.login(site.clerkA)
		copy := b.stolen()
		if a := copy.get("/forms/" + id); a.status != http.StatusOK {
			t.Fatalf("the copy does not work before logout: %d", a.status)
		}
		if a := b.post("/logout", url.Values{"csrf": {csrfToken}}); a.status != http.StatusSeeOther {
			t.Fatalf("logout: %d", a.status)
		}
		if !signedOut(t, copy, id, csrfToken) {
			t.Error("the old cookie still works after logout")
		}
	})
	t.Run("logout all=1 ends every session of the token", func(t *testing.T) {
		b1, b2 := site.client(), site.client()
		c1 := b1.login(site.clerkA)
		c2 := b2.login(site.clerkA)
		if a := b1.post("/logout", url.Values{"csrf": {c1}, "all": {"1"}}); a.status != http.StatusSeeOther {
			t.Fatalf("logout: %d", a.status)
		}
		if !signedOut(t, b2, id, c2) {
			t.Error("the other browser is still signed in")
		}
	})
	t.Run("revoking the token ends its sessions", func(t *testing.T) {
		secret := site.token(store.RoleClerk, unitA)
		b := site.client()
		c := b.login(secret)
		tokens, _ := site.store.Tokens(t.Context())
		if err := site.store.RevokeToken(t.Context(), tokens[len(tokens)-1].ID); err != nil {
			t.Fatal(err)
		}
		if !signedOut(t, b, id, c) {
			t.Error("a revoked token's session still works")
		}
	})
	t.Run("an admin signs everyone out", func(t *testing.T) {
		b := site.client()
		c := b.login(site.clerkA)
		r, _ := http.NewRequest(http.MethodDelete, site.url+"/api/v1/sessions", nil)
		r.Header.Set("Authorization", "Bearer "+site.admin)
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			t.Fatal(err)
		}
		var out struct{ Ended int }
		json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK || out.Ended < 2 { // this one and setup's
			t.Fatalf("DELETE /api/v1/sessions: %d, ended %d", resp.StatusCode, out.Ended)
		}
		if !signedOut(t, b, id, c) {
			t.Error("a session survived sign-out everywhere")
		}
		r, _ = http.NewRequest(http.MethodDelete, site.url+"/api/v1/sessions", nil)
		r.Header.Set("Authorization", "Bearer "+site.clerkA)
		if resp, _ := http.DefaultClient.Do(r); resp.StatusCode != http.StatusForbidden {
			t.Errorf("a clerk signed everyone out: %d", resp.StatusCode)
		}
	})
}

func TestSessionLifetimeAndIdle(t *testing.T) {
	for _, tt := range []struct {
		name   string
		cfg    func(*api.Config)
		active bool // keep using the session while waiting
	}{
		{"idle timeout", func(c *api.Config) { c.SessionIdle = 600 * time.Millisecond }, false},
		{"absolute lifetime despite activity", func(c *api.Config) { c.SessionLifetime = 2 * time.Second }, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			site := newWebSite(t, tt.cfg)
			b := site.client()
			c := b.login(site.admin)
			b.upload(c, "seed.txt", seed(t))
			id := formIDs(b.get("/forms").body)[0]
			deadline := time.Now().Add(2500 * time.Millisecond)
			for time.Now().Before(deadline) {
				time.Sleep(200 * time.Millisecond)
				if tt.active {
					b.get("/forms")
				}
			}
			if !signedOut(t, b, id, c) {
				t.Error("the session outlived its limit")
			}
		})
	}
	t.Run("activity keeps an idle-limited session", func(t *testing.T) {
		site := newWebSite(t, func(c *api.Config) { c.SessionIdle = 800 * time.Millisecond })
		b := site.client()
		b.login(site.admin)
		for range 8 {
			time.Sleep(200 * time.Millisecond)
			if a := b.get("/forms"); a.status != http.StatusOK {
				t.Fatalf("an active session ended: %d", a.status)
			}
		}
	})
}

// The audit log names who did what, from where; the version history
// shows who saved each version; only admins read the log.
func TestAuditLog(t *testing.T) {
	eachStore(t, nil, func(t *testing.T, h *harness) {
		ids := h.importSeed(h.admin)
		f := sample()
		f.Unit = unitA
		w := h.do(req{method: "PUT", path: fmt.Sprintf("/api/v1/forms/%d", ids[0]), token: h.clerkA, contentType: "application/json",
			body: formJSON(t, f), headers: []string{"If-Match: *"}})
		if w.Code != http.StatusOK {
			t.Fatalf("PUT: %d %s", w.Code, w.Body)
		}
		if w := h.do(req{method: "DELETE", path: fmt.Sprintf("/api/v1/forms/%d", ids[1]), token: h.admin, headers: []string{"If-Match: *"}}); w.Code != http.StatusNoContent {
			t.Fatalf("DELETE: %d", w.Code)
		}
		var log struct {
			Entries []struct {
				Actor, Remote, Action, Detail string
				FormID                        int64 `json:"form_id"`
				Version                       int
			}
		}
		decode(t, h.do(req{method: "GET", path: "/api/v1/audit", token: h.admin}), &log)
		var got []string
		for _, e := range log.Entries {
			if e.FormID == 0 {
				continue // the harness's token creations
			}
			if e.Remote == "" || e.Detail == "" {
				t.Errorf("entry without address or detail: %+v", e)
			}
			got = append(got, fmt.Sprintf("%s %s %d v%d", e.Actor, e.Action, e.FormID, e.Version))
		}
		want := []string{
			fmt.Sprintf("admin token #1 form.delete %d v2", ids[1]),
			fmt.Sprintf("clerk token #2 form.update %d v2", ids[0]),
			fmt.Sprintf("admin token #1 form.create %d v1", ids[1]),
			fmt.Sprintf("admin token #1 form.create %d v1", ids[0]),
		}
		if strings.Join(got, "\n") != strings.Join(want, "\n") {
			t.Errorf("audit log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		var vs struct {
			Versions []struct {
				Version int
				SavedBy string `json:"saved_by"`
			}
		}
		decode(t, h.do(req{method: "GET", path: fmt.Sprintf("/api/v1/forms/%d/versions", ids[0]), token: h.admin}), &vs)
		if len(vs.Versions) != 2 || vs.Versions[0].SavedBy != "admin token #1" || vs.Versions[1].SavedBy != "clerk token #2" {
			t.Errorf("versions saved by: %+v", vs.Versions)
		}
		if w := h.do(req{method: "GET", path: "/api/v1/audit", token: h.clerkA}); w.Code != http.StatusForbidden {
			t.Errorf("a clerk read the audit log: %d", w.Code)
		}
	})
}
