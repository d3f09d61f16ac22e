package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/reportd/reportd/api"
	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/batch"
	"github.com/reportd/reportd/reports/jsonform"
	"github.com/reportd/reportd/reports/store"
	"github.com/reportd/reportd/reports/textform"
)

// formIDs returns the ids of the forms linked from a list page, in order.
func formIDs(page string) []string {
	var ids []string
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`href="/forms/(\d+)"`).FindAllStringSubmatch(page, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			ids = append(ids, m[1])
		}
	}
	return ids
}

func TestWebSignInAndSession(t *testing.T) {
	site := newWebSite(t)
	tests := []struct {
		name   string
		token  string
		status int
		says   string
	}{
		{"admin", site.admin, http.StatusSeeOther, ""},
		{"clerk", site.clerkA, http.StatusSeeOther, ""},
		{"unknown token", store.NewSecret(), http.StatusUnauthorized, "令牌无效或已被撤销"},
		{"blank", "", http.StatusUnauthorized, "令牌无效或已被撤销"},
		{"service token", site.token(store.RoleService), http.StatusForbidden, "服务令牌只能调用接口"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := site.client()
			page := b.get("/login")
			a := b.post("/login", url.Values{"csrf": {csrf(t, page.body)}, "token": {tt.token}})
			if a.status != tt.status || !strings.Contains(a.body, tt.says) {
				t.Fatalf("status %d, want %d with %q:\n%s", a.status, tt.status, tt.says, a.body)
			}
			if tt.status != http.StatusSeeOther {
				return
			}
			var session *http.Cookie
			for _, c := range a.headerCookies() {
				if c.Name == "reportd_session" {
					session = c
				}
			}
			if session == nil || !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Value == "" {
				t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict", session)
			}
			if strings.Contains(session.Value, tt.token) {
				t.Error("the session cookie carries the token secret")
			}
		})
	}

	t.Run("no session redirects to sign-in", func(t *testing.T) {
		a := site.client().get("/forms?year=2020")
		if a.status != http.StatusSeeOther || a.header.Get("Location") != "/login?next=%2Fforms%3Fyear%3D2020" {
			t.Fatalf("%d %q", a.status, a.header.Get("Location"))
		}
	})
	t.Run("login form without its nonce", func(t *testing.T) {
		b := site.client()
		a := b.post("/login", url.Values{"csrf": {"forged"}, "token": {site.admin}})
		if a.status != http.StatusForbidden {
			t.Fatalf("status %d", a.status)
		}
	})
	t.Run("next stays on the site", func(t *testing.T) {
		for _, next := range []string{"//evil.example/x", "https://evil.example/", "/\\evil"} {
			b := site.client()
			page := b.get("/login")
			a := b.post("/login", url.Values{"csrf": {csrf(t, page.body)}, "token": {site.admin}, "next": {next}})
			if loc := a.header.Get("Location"); loc != "/forms" {
				t.Errorf("next %q: redirected to %q", next, loc)
			}
		}
	})
	t.Run("tampered cookie", func(t *testing.T) {
		b := site.client()
		b.login(site.clerkA)
		u, _ := url.Parse(site.url)
		for _, c := range b.c.Jar.Cookies(u) {
			if c.Name == "reportd_session" {
				c.Value = strings.Replace(c.Value, "e", "f", 1)
				b.c.Jar.SetCookies(u, []*http.Cookie{c})
			}
		}
		if a := b.get("/forms"); a.status != http.StatusSeeOther {
			t.Fatalf("tampered session: %d", a.status)
		}
	})
	t.Run("revoked token ends the session", func(t *testing.T) {
		secret := site.token(store.RoleClerk, unitA)
		b := site.client()
		b.login(secret)
		tok, err := site.store.TokenByHash(t.Context(), store.HashToken(secret))
		if err != nil {
			t.Fatal(err)
		}
		if err := site.store.RevokeToken(t.Context(), tok.ID); err != nil {
			t.Fatal(err)
		}
		if a := b.get("/forms"); a.status != http.StatusSeeOther {
			t.Fatalf("revoked: %d", a.status)
		}
	})
	t.Run("logout", func(t *testing.T) {
		b := site.client()
		token := b.login(site.admin)
		if a := b.post("/logout", url.Values{"csrf": {token}}); a.status != http.StatusSeeOther {
			t.Fatalf("logout: %d", a.status)
		}
		if a := b.get("/forms"); a.status != http.StatusSeeOther {
			t.Fatalf("after logout: %d", a.status)
		}
	})
}

func (a answer) headerCookies() []*http.Cookie {
	return (&http.Response{Header: a.header}).Cookies()
}

func TestWebCSRF(t *testing.T) {
	site := newWebSite(t)
	b := site.client()
	token := b.login(site.clerkA)
	if a := b.upload(token, "seed.txt", seed(t)); a.status != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", a.status, a.body)
	}
	id := formIDs(b.get("/forms").body)[0]
	edit := b.get("/forms/" + id + "/edit")
	tests := []struct {
		name   string
		csrf   string
		origin string
	}{
		{"no token", "", ""},
		{"token of another session", site.client().login(site.clerkA), ""},
		{"forged origin", token, "https://evil.example"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			form := url.Values{"csrf": {tt.csrf}, "op": {"save"}, "version": {"1"}, "f.project": {"被篡改"}}
			r, _ := http.NewRequest(http.MethodPost, site.url+"/forms/"+id+"/edit", strings.NewReader(form.Encode()))
			r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			resp, err := b.c.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusForbidden {
				t.Fatalf("status %d, want 403", resp.StatusCode)
			}
		})
	}
	if !strings.Contains(edit.body, "企业培育") && !strings.Contains(edit.body, "信息化") {
		t.Fatal("edit page does not show the form")
	}
	if got := b.get("/forms/" + id); strings.Contains(got.body, "被篡改") {
		t.Fatal("a forged post changed the form")
	}
}

func TestWebClerkScope(t *testing.T) {
	site := newWebSite(t)
	a := site.client()
	tokA := a.login(site.clerkA)
	if r := a.upload(tokA, "seed.txt", seed(t)); r.status != http.StatusSeeOther {
		t.Fatalf("upload: %d", r.status)
	}
	ids := formIDs(a.get("/forms").body)
	if len(ids) != 2 {
		t.Fatalf("clerk A sees %d forms, want 2", len(ids))
	}
	b := site.client()
	tokB := b.login(site.clerkB)
	if got := formIDs(b.get("/forms").body); len(got) != 0 {
		t.Errorf("clerk B lists A's forms: %v", got)
	}
	for _, p := range []string{"", "/edit", "/preview", "/pdf", "/ofd", "/xlsx", "/pdf?download=1", "/versions", "/versions/1", "/delete?version=1"} {
		r := b.get("/forms/" + ids[0] + p)
		if r.status != http.StatusNotFound || !strings.Contains(r.body, "没有找到这张表") {
			t.Errorf("clerk B GET /forms/%s%s: %d", ids[0], p, r.status)
		}
		if strings.Contains(r.body, "企业培育") {
			t.Errorf("clerk B sees A's form content at %s", p)
		}
	}
	if r := b.post("/forms/"+ids[0]+"/edit", url.Values{"csrf": {tokB}, "op": {"save"}}); r.status != http.StatusNotFound {
		t.Errorf("clerk B POST edit: %d", r.status)
	}
	if r := b.post("/forms/"+ids[0]+"/delete", url.Values{"csrf": {tokB}, "version": {"1"}}); r.status != http.StatusNotFound {
		t.Errorf("clerk B POST delete: %d", r.status)
	}
	// B may not upload A's forms either: nothing is stored.
	r := b.upload(tokB, "seed.txt", seed(t))
	if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "不是您的单位") {
		t.Errorf("clerk B upload of A's forms: %d", r.status)
	}
	if got := formIDs(site.client().loginAndList(site.admin)); len(got) != 2 {
		t.Errorf("admin sees %d forms, want 2 (B's refused upload stored something?)", len(got))
	}
}

func (b *browserless) loginAndList(token string) string {
	b.login(token)
	return b.get("/forms").body
}

func TestWebUploadProblems(t *testing.T) {
	site := newWebSite(t)
	b := site.client()
	tok := b.login(site.admin)
	bad := strings.Replace(string(seed(t)), "=2500家", ">=abc", 1)
	tests := []struct {
		name, file string
		data       []byte
		says       []string
	}{
		{"bad target", "bad.txt", []byte(bad), []string{"第 1 张表（企业培育）", "指标目标值格式错误", "行"}},
		{"unknown kind", "x.pdf", []byte("%PDF"), []string{"不支持这种文件"}},
		{"not a form", "x.json", []byte("{"), []string{"x.json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := b.upload(tok, tt.file, tt.data)
			if a.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d", a.status)
			}
			text := html.UnescapeString(a.body)
			for _, s := range tt.says {
				if !strings.Contains(text, s) {
					t.Errorf("page does not say %q", s)
				}
			}
		})
	}
	if ids := formIDs(b.get("/forms").body); len(ids) != 0 {
		t.Fatalf("failed uploads stored %d forms", len(ids))
	}
}

func TestWebEdit(t *testing.T) {
	site := newWebSite(t)
	b := site.client()
	tok := b.login(site.clerkA)
	b.upload(tok, "seed.txt", seed(t))
	var id string
	for _, i := range formIDs(b.get("/forms?q=" + url.QueryEscape("企业培育")).body) {
		id = i
	}
	if id == "" {
		t.Fatal("企业培育 not listed")
	}
	page := b.get("/forms/" + id + "/edit")
	if !strings.Contains(page.body, `<select id="f-unit" name="f.unit"`) {
		t.Error("a clerk's 申报单位 is not a choice of their units")
	}
	form := editValues(t, page.body)
	// Saving what the page shows changes nothing: no new version.
	form.Set("op", "save")
	if a := b.post("/forms/"+id+"/edit", form); a.status != http.StatusSeeOther || a.header.Get("Location") != "/forms/"+id+"?unchanged=1" {
		t.Fatalf("unchanged save: %d %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	targets := form["i.target"]
	if len(targets) < 4 || targets[3] != "=2500家" {
		t.Fatalf("targets %q", targets)
	}

	// A bad target: 422, message beside the field, nothing stored.
	form.Set("op", "save")
	targets[3] = ">=abc"
	a := b.post("/forms/"+id+"/edit", form)
	if a.status != http.StatusUnprocessableEntity {
		t.Fatalf("bad save: %d", a.status)
	}
	cell := regexp.MustCompile(`(?s)id="f-indicators-3-target"[^>]*>([^<]*)</textarea>\s*<p class="msg error" id="f-indicators-3-target-msg0">([^<]*)</p>`).FindStringSubmatch(a.body)
	if cell == nil || html.UnescapeString(cell[1]) != ">=abc" || !strings.Contains(cell[2], "指标目标值格式错误") {
		t.Fatalf("no message beside the target field:\n%s", a.body)
	}
	if !strings.Contains(a.body, `aria-invalid="true" aria-describedby="f-indicators-3-target-msg0 "`) {
		t.Error("the bad field is not marked aria-invalid and described by its message")
	}
	if v := b.get("/forms/" + id); strings.Contains(v.body, "&gt;=abc") {
		t.Fatal("a form with errors was stored")
	}

	// Row operations keep what was typed and do not save.
	form = editValues(t, a.body)
	form.Set("op", "up:3")
	a = b.post("/forms/"+id+"/edit", form)
	moved := editValues(t, a.body)["i.target"]
	if a.status != http.StatusOK || moved[2] != ">=abc" || moved[3] != "=100%" {
		t.Fatalf("up:2 → %d %q", a.status, moved)
	}
	form = editValues(t, a.body)
	form.Set("op", "down:2")
	form = editValues(t, b.post("/forms/"+id+"/edit", form).body)
	form.Set("op", "add")
	a = b.post("/forms/"+id+"/edit", form)
	form = editValues(t, a.body)
	if n := len(form["i.target"]); n != len(targets)+1 {
		t.Fatalf("add: %d rows, want %d", n, len(targets)+1)
	}
	form.Set("op", fmt.Sprintf("del:%d", len(targets)))
	form = editValues(t, b.post("/forms/"+id+"/edit", form).body)

	// Fixed: saved as version 2, visible on the form page.
	if got := form["i.target"][3]; got != ">=abc" {
		t.Fatalf("after up and down, row 4 target is %q", got)
	}
	form["i.target"][3] = ">=12%"
	form.Set("op", "save")
	a = b.post("/forms/"+id+"/edit", form)
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/forms/"+id+"?saved=2" {
		t.Fatalf("good save: %d %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	v := b.get(a.header.Get("Location"))
	if !strings.Contains(v.body, "&gt;=12%") || !strings.Contains(v.body, "已保存（第 2 版）") {
		t.Fatal("the saved value is not shown")
	}

	// A second save from the old page is refused (the form moved on).
	form["i.target"][3] = ">=13%"
	a = b.post("/forms/"+id+"/edit", form)
	if a.status != http.StatusConflict || !strings.Contains(a.body, "已被他人修改") {
		t.Fatalf("stale save: %d", a.status)
	}

	// Bad amount and year: messages beside their fields, typed text kept.
	form = editValues(t, b.get("/forms/"+id+"/edit").body)
	form.Set("f.funds.total", "12万")
	form.Set("f.year", "二〇二〇")
	form.Set("op", "save")
	a = b.post("/forms/"+id+"/edit", form)
	for _, want := range []string{`id="f-funds-total-msg0">错误：金额格式错误`, `value="12万"`, `id="f-year-msg0">错误：年度格式错误`} {
		if !strings.Contains(a.body, want) {
			t.Errorf("page lacks %s", want)
		}
	}
}

// editValues reads the inputs of an edit page as a browser would post them.
func editValues(t *testing.T, page string) url.Values {
	t.Helper()
	v := url.Values{}
	v.Set("csrf", csrf(t, page))
	if m := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(page); m != nil {
		v.Set("version", m[1])
	}
	// Skip the new-row template.
	if i := strings.Index(page, `<template id="row-template">`); i >= 0 {
		j := strings.Index(page[i:], "</template>")
		page = page[:i] + page[i+j:]
	}
	for _, m := range regexp.MustCompile(`(?s)<input id="[^"]*" name="([fi]\.[^"]+)" type="text" value="([^"]*)"`).FindAllStringSubmatch(page, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<textarea id="[^"]*" name="([fi]\.[^"]+)"[^>]*>([^<]*)</textarea>`).FindAllStringSubmatch(page, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	// A row's hidden input: the indicator columns its family does not show.
	for _, m := range regexp.MustCompile(`<input type="hidden" name="(r\.keep)" value="([^"]*)">`).FindAllStringSubmatch(page, -1) {
		v.Add(m[1], html.UnescapeString(m[2]))
	}
	for _, m := range regexp.MustCompile(`(?s)<select id="[^"]*" name="([fi]\.[^"]+)".*?</select>`).FindAllStringSubmatch(page, -1) {
		sel := regexp.MustCompile(`<option selected>([^<]*)</option>`).FindStringSubmatch(m[0])
		if sel != nil {
			v.Add(m[1], html.UnescapeString(sel[1]))
		} else {
			v.Add(m[1], "")
		}
	}
	return v
}

func TestWebFamiliesAPI(t *testing.T) {
	site := newWebSite(t)
	r, _ := http.NewRequest(http.MethodGet, site.url+"/api/v1/families", nil)
	r.Header.Set("Authorization", "Bearer "+site.token(store.RoleService))
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Families []struct {
			Name, Title, Description string
			Default                  bool
		}
	}
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("%d %v", resp.StatusCode, err)
	}
	names := map[string]bool{}
	for _, f := range out.Families {
		names[f.Name] = f.Title != "" && f.Description != ""
	}
	if !names["shanghai-2020"] || !names["national-2021"] {
		t.Errorf("families %+v", out.Families)
	}
	resp2, err := http.Get(site.url + "/api/v1/families")
	if err != nil {
		t.Fatal(err)
	}
	resp2.Body.Close()
	if resp2.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp2.Header.Get("Content-Type"), "application/json") {
		t.Errorf("without a token: %d %s", resp2.StatusCode, resp2.Header.Get("Content-Type"))
	}
	resp3, err := http.Get(site.url + "/api/v1/nothing-here")
	if err != nil {
		t.Fatal(err)
	}
	resp3.Body.Close()
	if resp3.StatusCode != http.StatusNotFound || !strings.HasPrefix(resp3.Header.Get("Content-Type"), "application/json") {
		t.Errorf("unknown API path: %d %s, want a JSON 404", resp3.StatusCode, resp3.Header.Get("Content-Type"))
	}
}

// TestWebNationalFamily: the form page lays out any family from its grid;
// the national form's 万元 amounts are edited in 万元, exactly.
func TestWebNationalFamily(t *testing.T) {
	site := newWebSite(t)
	b := site.client()
	tok := b.login(site.admin)
	if a := b.upload(tok, "national.txt", readFile(t, "../testdata/families/national-2023.txt")); a.status != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", a.status, a.body)
	}
	id := formIDs(b.get("/forms").body)[0]
	v := b.get("/forms/" + id)
	for _, want := range []string{"项目支出绩效目标申报表", "主管部门及代码", "某某市农业农村局（126）", "绩效标准", "按验收面积计", `rowspan="4"`, "860.123456"} {
		if !strings.Contains(v.body, want) {
			t.Errorf("form page lacks %q", want)
		}
	}
	form := editValues(t, b.get("/forms/"+id+"/edit").body)
	if got := form.Get("f.funds.current"); got != "860.123456" {
		t.Fatalf("funds.current shown as %q, want 万元 860.123456", got)
	}
	if got := form["i.standard"]; len(got) == 0 || got[0] != "按验收面积计" {
		t.Fatalf("绩效标准 column: %q", got)
	}
	form.Set("op", "save")
	a := b.post("/forms/"+id+"/edit", form)
	if a.status != http.StatusSeeOther || !strings.HasSuffix(a.header.Get("Location"), "?unchanged=1") {
		t.Fatalf("save unchanged national form: %d %q\n%s", a.status, a.header.Get("Location"), a.body)
	}
	sf, err := site.store.Form(t.Context(), mustID(t, id))
	if err != nil {
		t.Fatal(err)
	}
	if sf.Form.Funds.Current.Fen != 8_601_234_56 {
		t.Errorf("funds.current = %d 分, want 860123456 (860.123456 万元)", sf.Form.Funds.Current.Fen)
	}
}

// A form of a published layout with a paired indicator group (wuhan-2020:
// 长期 and 年度 columns, one 一级) and side-labelled small tables: shown like
// the print, every column editable, saved unchanged when nothing changed.
func TestWebPairedGroupFamily(t *testing.T) {
	site := newWebSite(t)
	b := site.client()
	tok := b.login(site.admin)
	if a := b.upload(tok, "wuhan.txt", readFile(t, "../testdata/families/wuhan-2020.txt")); a.status != http.StatusSeeOther {
		t.Fatalf("upload: %d %s", a.status, a.body)
	}
	id := formIDs(b.get("/forms").body)[0]
	v := b.get("/forms/" + id)
	for _, want := range []string{"项目支出绩效目标表", "项目资金（万元）", `rowspan="3"`, "中期目标", "年度目标", "二级指标（长期）", "指标值（年度）", "参照政府采购成本控制"} {
		if !strings.Contains(v.body, want) {
			t.Errorf("form page lacks %q", want)
		}
	}
	form := editValues(t, b.get("/forms/"+id+"/edit").body)
	if got := form["i.long_target"]; len(got) != 7 || got[0] != "2" {
		t.Fatalf("指标值（长期） column: %q", got)
	}
	form.Set("op", "save")
	if a := b.post("/forms/"+id+"/edit", form); a.status != http.StatusSeeOther || !strings.HasSuffix(a.header.Get("Location"), "?unchanged=1") {
		vs, _ := site.store.FormVersions(t.Context(), mustID(t, id))
		t.Fatalf("save unchanged: %d %q\n%+v\n%+v", a.status, a.header.Get("Location"), vs[0].Form, vs[len(vs)-1].Form)
	}
	form["i.long_target"][0] = "3"
	if a := b.post("/forms/"+id+"/edit", form); a.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", a.status, a.body)
	}
	sf, err := site.store.Form(t.Context(), mustID(t, id))
	if err != nil {
		t.Fatal(err)
	}
	if got := sf.Form.Indicators[0].Extra["long_target"]; got != "3" || sf.Form.Indicators[0].Target != "2" {
		t.Errorf("after editing the long-term value: 长期 %q, 年度 %q", got, sf.Form.Indicators[0].Target)
	}
}

func mustID(t *testing.T, s string) int64 {
	var id int64
	if _, err := fmt.Sscan(s, &id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestWebHeaders(t *testing.T) {
	site := newWebSite(t)
	b := site.client()
	tok := b.login(site.admin)
	b.upload(tok, "seed.txt", seed(t))
	id := formIDs(b.get("/forms").body)[0]
	page := b.get("/forms/" + id)
	if csp := page.header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("page CSP %q", csp)
	}
	if page.header.Get("Cache-Control") != "no-store" {
		t.Errorf("page Cache-Control %q", page.header.Get("Cache-Control"))
	}
	pdf := b.get("/forms/" + id + "/pdf")
	if pdf.status != http.StatusOK || !strings.HasPrefix(pdf.body, "%PDF") || pdf.header.Get("X-Frame-Options") != "SAMEORIGIN" ||
		!strings.HasPrefix(pdf.header.Get("Content-Disposition"), "inline;") {
		t.Errorf("inline pdf: %d %v", pdf.status, pdf.header)
	}
	dl := b.get("/forms/" + id + "/pdf?download=1")
	if !strings.HasPrefix(dl.header.Get("Content-Disposition"), "attachment;") || !strings.Contains(dl.header.Get("Content-Disposition"), "filename*=UTF-8''2020-") {
		t.Errorf("download: %v", dl.header.Get("Content-Disposition"))
	}
	xl := b.get("/forms/" + id + "/xlsx")
	if xl.status != http.StatusOK || !strings.HasPrefix(xl.body, "PK") {
		t.Errorf("xlsx: %d", xl.status)
	}
	if !strings.Contains(page.body, `href="/forms/`+id+`/ofd"`) {
		t.Error("the form page has no OFD download link")
	}
	od := b.get("/forms/" + id + "/ofd")
	if od.status != http.StatusOK || !strings.HasPrefix(od.body, "PK") || od.header.Get("Content-Type") != "application/ofd" ||
		!strings.HasPrefix(od.header.Get("Content-Disposition"), "attachment;") || !strings.Contains(od.header.Get("Content-Disposition"), ".ofd") {
		t.Errorf("ofd: %d %v", od.status, od.header)
	}
	css := b.get("/static/app.css")
	if css.status != http.StatusOK || !strings.HasPrefix(css.header.Get("Content-Type"), "text/css") {
		t.Errorf("css: %d %s", css.status, css.header.Get("Content-Type"))
	}
	if a := b.get("/static/../pages/layout.html"); a.status == http.StatusOK {
		t.Error("static serves outside static/")
	}
	if a := b.get("/forms/" + id + "/no-such-page"); a.status != http.StatusNotFound || !strings.Contains(a.body, "没有这个页面") {
		t.Errorf("unknown page: %d", a.status)
	}
}

// TestWebUploadKinds: a workbook downloaded from the pages and a JSON form
// upload back as new forms.
func TestWebUploadKinds(t *testing.T) {
	site := newWebSite(t)
	b := site.client()
	tok := b.login(site.clerkA)
	if a := b.upload(tok, "seed.txt", seed(t)); a.status != http.StatusSeeOther {
		t.Fatalf("text upload: %d", a.status)
	}
	id := formIDs(b.get("/forms").body)[0]
	book := b.get("/forms/" + id + "/xlsx")
	if book.status != http.StatusOK {
		t.Fatalf("xlsx: %d", book.status)
	}
	a := b.upload(tok, "edited.xlsx", []byte(book.body))
	// The workbook holds the form just uploaded: the same natural key and
	// content, so nothing new is stored (issue #18).
	if a.status != http.StatusSeeOther || a.header.Get("Location") != "/forms/"+id+"?imported=unchanged" {
		t.Fatalf("xlsx upload: %d %s\n%s", a.status, a.header.Get("Location"), a.body)
	}
	sf, err := site.store.Form(t.Context(), mustID(t, id))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := jsonform.Write(&buf, []reports.Form{sf.Form}); err != nil {
		t.Fatal(err)
	}
	if a := b.upload(tok, "form.json", buf.Bytes()); a.status != http.StatusSeeOther {
		t.Fatalf("json upload: %d\n%s", a.status, a.body)
	}
	if n := len(formIDs(b.get("/forms").body)); n != 2 {
		t.Fatalf("%d forms after uploading text (2) and the same forms as xlsx and json", n)
	}
}

func TestWebUploadTooLarge(t *testing.T) {
	site := newWebSite(t, func(c *api.Config) { c.BodyLimit = 64 << 10 })
	b := site.client()
	tok := b.login(site.admin)
	a := b.upload(tok, "big.txt", bytes.Repeat(seed(t), 20))
	if a.status != http.StatusRequestEntityTooLarge || !strings.Contains(a.body, "文件太大") {
		t.Fatalf("status %d", a.status)
	}
	if n := len(formIDs(b.get("/forms").body)); n != 0 {
		t.Fatalf("%d forms stored", n)
	}
}

func TestWebBatches(t *testing.T) {
	site := newWebSite(t)
	admin := site.client()
	tok := admin.login(site.admin)
	admin.upload(tok, "seed.txt", seed(t))
	runner := &batch.Runner{Store: site.store.(batch.Store), Renderers: site.renderers, Spool: t.TempDir()}
	b, _, err := runner.Create(t.Context(), batch.Spec{Year: 2020, Unit: unitA, Formats: []string{"pdf"}}, "", "", "")
	if err != nil {
		t.Fatal(err)
	}
	path := fmt.Sprintf("/batches/%d", b.ID)
	if a := admin.get(path + "/archive"); a.status != http.StatusNotFound {
		t.Errorf("archive before the run: %d", a.status)
	}
	var p struct {
		State                string
		Total, Done, Percent int
	}
	if err := json.Unmarshal([]byte(admin.get(path+"/progress").body), &p); err != nil || p.State != "running" || p.Total != 2 || p.Done != 0 {
		t.Fatalf("progress before the run: %+v %v", p, err)
	}
	if _, err := runner.Run(t.Context(), b.ID); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(admin.get(path+"/progress").body), &p); err != nil || p.State != "done" || p.Done != 2 || p.Percent != 100 {
		t.Fatalf("progress after the run: %+v %v", p, err)
	}
	page := admin.get(path)
	if !strings.Contains(page.body, `href="`+path+`/archive"`) || !strings.Contains(page.body, "已完成") {
		t.Error("batch page lacks the archive link")
	}
	zip := admin.get(path + "/archive")
	if zip.status != http.StatusOK || !strings.HasPrefix(zip.body, "PK") || zip.header.Get("Content-Disposition") != `attachment; filename="reportd-2020-batch-1.zip"; filename*=UTF-8''reportd-2020-batch-1.zip` {
		t.Errorf("archive: %d %q", zip.status, zip.header.Get("Content-Disposition"))
	}
	clerk := site.client()
	clerk.login(site.clerkA)
	for _, p := range []string{"/batches", path, path + "/progress", path + "/archive"} {
		if a := clerk.get(p); a.status != http.StatusForbidden {
			t.Errorf("clerk GET %s: %d", p, a.status)
		}
	}
	if strings.Contains(clerk.get("/forms").body, `href="/batches"`) {
		t.Error("clerks see the batch menu")
	}
}

func TestWebListFilters(t *testing.T) {
	site := newWebSite(t)
	b := site.client()
	tok := b.login(site.admin)
	for i := 0; i < 11; i++ { // 22 forms: two pages of 20
		// Other projects each time: the same file again would update, not add.
		text := strings.NewReplacer("企业培育", fmt.Sprintf("企业培育%d", i), "服务体系", fmt.Sprintf("服务体系%d", i)).Replace(string(seed(t)))
		if a := b.upload(tok, "seed.txt", []byte(text)); a.status != http.StatusSeeOther {
			t.Fatalf("upload %d: %d", i, a.status)
		}
	}
	b.upload(tok, "national.txt", readFile(t, "../testdata/families/national-2023.txt"))
	tests := []struct {
		name  string
		query string
		rows  int
		says  string
	}{
		{"first page", "", 20, "共 23 张表，第 1/2 页"},
		{"second page", "?page=2", 3, "第 2/2 页"},
		{"year", "?year=2023", 1, "高标准农田建设"},
		{"year written 2023年", "?year=" + url.QueryEscape("2023年"), 1, "高标准农田建设"},
		{"unit", "?unit=" + url.QueryEscape(unitA) + "&q=" + url.QueryEscape("培育"), 11, "企业培育"},
		{"bad year", "?year=abc", 20, "不是有效年份"},
		{"nothing", "?q=" + url.QueryEscape("没有这个项目"), 0, "没有符合条件的表格"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := b.get("/forms" + tt.query)
			if n := strings.Count(a.body, `<td><a href="/forms/`); a.status != http.StatusOK || n != tt.rows {
				t.Errorf("%d rows (status %d), want %d", n, a.status, tt.rows)
			}
			if !strings.Contains(a.body, tt.says) {
				t.Errorf("page does not say %q", tt.says)
			}
		})
	}
	if a := b.get("/forms"); !strings.Contains(a.body, `rel="next"`) || strings.Contains(a.body, `rel="prev"`) {
		t.Error("first page links")
	}
}

func TestWebStartBatch(t *testing.T) {
	site := newWebSiteWith(t, time.Millisecond)
	b := site.client()
	tok := b.login(site.admin)
	b.upload(tok, "seed.txt", seed(t))
	if page := b.get("/batches"); !strings.Contains(page.body, `action="/batches"`) {
		t.Fatal("no start form although the service runs batches")
	}
	tests := []struct {
		name    string
		form    url.Values
		status  int
		message string
	}{
		{"bad year", url.Values{"year": {"去年"}, "format": {"pdf"}}, http.StatusUnprocessableEntity, "年度应为四位数年份"},
		{"no format", url.Values{"year": {"2020"}}, http.StatusUnprocessableEntity, "请至少选择一种格式"},
		{"unknown format", url.Values{"year": {"2020"}, "format": {"doc"}}, http.StatusUnprocessableEntity, "未能启动批量"},
		{"started", url.Values{"year": {"2020"}, "unit": {unitA}, "format": {"pdf", "xlsx"}}, http.StatusSeeOther, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.form.Set("csrf", tok)
			a := b.post("/batches", tt.form)
			if a.status != tt.status || !strings.Contains(html.UnescapeString(a.body), tt.message) {
				t.Fatalf("status %d, want %d with %q\n%s", a.status, tt.status, tt.message, a.body)
			}
			if tt.status == http.StatusSeeOther && !regexp.MustCompile(`^/batches/\d+$`).MatchString(a.header.Get("Location")) {
				t.Errorf("Location %q", a.header.Get("Location"))
			}
		})
	}
	clerk := site.client()
	ctok := clerk.login(site.clerkA)
	if a := clerk.post("/batches", url.Values{"csrf": {ctok}, "year": {"2020"}, "format": {"pdf"}}); a.status != http.StatusForbidden {
		t.Errorf("clerk starts a batch: %d", a.status)
	}
}

// TestWebFormWithErrors: a stored form that no longer passes (rules
// changed, or stored by another tool) shows its problems on the printed
// layout, linked to the edit page, and the draft mark.
func TestWebFormWithErrors(t *testing.T) {
	site := newWebSite(t)
	forms, err := textform.Read(bytes.NewReader(seed(t)), "seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	forms[0].Indicators[3].Target = ">=abc"
	forms[0].Start = ""
	stored, err := site.store.CreateForms(t.Context(), forms[:1])
	if err != nil {
		t.Fatal(err)
	}
	b := site.client()
	b.login(site.clerkA)
	v := b.get(fmt.Sprintf("/forms/%d", stored[0].ID))
	for _, want := range []string{
		"有 2 处错误需要修改，修改前打印件会带“草稿”字样",
		`<p class="draft-mark" aria-hidden="true">草稿</p>`,
		`class="value has-error" data-path="indicators[3].target">&gt;=abc<span class="cell-note error">`,
		fmt.Sprintf(`<a href="/forms/%d/edit#f-indicators-3-target">`, stored[0].ID),
		fmt.Sprintf(`<a href="/forms/%d/edit#f-start">计划开始日期</a>：必填项未填写`, stored[0].ID),
	} {
		if !strings.Contains(v.body, want) {
			t.Errorf("form page lacks %s", want)
		}
	}
	if l := b.get("/forms"); !strings.Contains(l.body, "2 处错误") {
		t.Error("the list does not flag the form")
	}
}

// The page upload has the API's limit on forms per request.
func TestWebUploadTooManyForms(t *testing.T) {
	site := newWebSite(t, func(c *api.Config) { c.MaxForms = 1 })
	b := site.client()
	tok := b.login(site.admin)
	a := b.upload(tok, "seed.txt", seed(t))
	if a.status != http.StatusRequestEntityTooLarge || !strings.Contains(html.UnescapeString(a.body), "一次最多上传 1 张") {
		t.Fatalf("status %d\n%s", a.status, a.body)
	}
	if ids := formIDs(b.get("/forms").body); len(ids) != 0 {
		t.Fatalf("stored %d forms", len(ids))
	}
}
