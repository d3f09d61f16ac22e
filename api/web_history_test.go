package api_test

import (
	"bytes"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/textform"
)

// seedForm stores the sample's 企业培育 form directly, with change applied,
// and returns its page path.
func seedForm(t *testing.T, site *webSite, change func(f *reports.Form)) string {
	t.Helper()
	forms, err := textform.Read(bytes.NewReader(seed(t)), "seed.txt")
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(&forms[0])
	}
	stored, err := site.store.CreateForms(t.Context(), forms[:1])
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("/forms/%d", stored[0].ID)
}

// saveTarget saves the edit page with row 4's target changed.
func saveTarget(t *testing.T, b *browserless, path, target string) {
	t.Helper()
	form := editValues(t, b.get(path+"/edit").body)
	form["i.target"][3] = target
	form.Set("op", "save")
	if a := b.post(path+"/edit", form); a.status != http.StatusSeeOther {
		t.Fatalf("save %s: %d\n%s", target, a.status, a.body)
	}
}

func TestWebVersions(t *testing.T) {
	site := newWebSite(t)
	b := site.client()
	b.login(site.clerkA)
	path := seedForm(t, site, nil)
	saveTarget(t, b, path, ">=12%")
	saveTarget(t, b, path, ">=13%")

	if v := b.get(path); !strings.Contains(v.body, `href="`+path+`/versions">历史版本</a>`) {
		t.Error("the form page does not link its history")
	}
	list := b.get(path + "/versions")
	if list.status != http.StatusOK {
		t.Fatalf("versions: %d", list.status)
	}
	rows := regexp.MustCompile(`(?s)<tr(?: class="current")? id="v(\d)">(.*?)</tr>`).FindAllStringSubmatch(list.body, -1)
	var got []string
	for _, r := range rows {
		got = append(got, r[1])
	}
	if strings.Join(got, ",") != "3,2,1" {
		t.Fatalf("versions listed %v, want newest first 3,2,1", got)
	}
	for _, tt := range []struct {
		name string
		row  string
		says []string
	}{
		{"current", rows[0][2], []string{"第 3 版", "当前", "绩效指标第 4 行", `href="` + path + `"`}},
		{"changed", rows[1][2], []string{"第 2 版", "绩效指标第 4 行", `href="` + path + `/versions/2"`}},
		{"first", rows[2][2], []string{"第 1 版", "首次保存", `href="` + path + `/versions/1"`}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, s := range tt.says {
				if !strings.Contains(tt.row, s) {
					t.Errorf("row lacks %q:\n%s", s, tt.row)
				}
			}
			if !regexp.MustCompile(`<code class="hash" title="SHA-256 [0-9a-f]{64}">[0-9a-f]{12}</code>`).MatchString(tt.row) {
				t.Errorf("row lacks the short content hash:\n%s", tt.row)
			}
		})
	}

	// An old version: read-only, laid out like the form page, with the banner.
	old := b.get(path + "/versions/1")
	text := html.UnescapeString(old.body)
	for _, want := range []string{"这是第 1 版，不是当前版本。", "当前为第 3 版", `<table class="grid">`, `data-path="indicators[3].target">=2500家</td>`, `rel="next"`} {
		if !strings.Contains(text, want) {
			t.Errorf("version 1 page lacks %s", want)
		}
	}
	for _, unwanted := range []string{">=13%", `href="` + path + `/edit"`, "cell-note"} {
		if strings.Contains(text, unwanted) {
			t.Errorf("version 1 page shows %s", unwanted)
		}
	}
	if n := strings.Count(old.body, `method="post"`); n != 1 {
		t.Errorf("version 1 page has %d forms that post, want only 退出", n)
	}
	if v2 := html.UnescapeString(b.get(path + "/versions/2").body); !strings.Contains(v2, ">=12%</td>") || !strings.Contains(v2, "与第 1 版相比改动：绩效指标第 4 行") {
		t.Error("version 2 page lacks its value or its changes")
	}

	tests := []struct {
		name, path string
		status     int
		location   string
	}{
		{"current version is the form page", path + "/versions/3", http.StatusSeeOther, path},
		{"no such version", path + "/versions/4", http.StatusNotFound, ""},
		{"version 0", path + "/versions/0", http.StatusNotFound, ""},
		{"not a number", path + "/versions/abc", http.StatusNotFound, ""},
		{"no such form", "/forms/999/versions", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := b.get(tt.path)
			if a.status != tt.status || a.header.Get("Location") != tt.location {
				t.Errorf("GET %s: %d %q, want %d %q", tt.path, a.status, a.header.Get("Location"), tt.status, tt.location)
			}
		})
	}

	// Another unit's clerk finds neither the history nor an old version.
	other := site.client()
	other.login(site.clerkB)
	for _, p := range []string{path + "/versions", path + "/versions/1"} {
		a := other.get(p)
		if a.status != http.StatusNotFound || strings.Contains(a.body, "企业培育") {
			t.Errorf("clerk B GET %s: %d", p, a.status)
		}
	}
}

func TestWebDelete(t *testing.T) {
	site := newWebSite(t)
	b := site.client()
	tok := b.login(site.clerkA)
	path := seedForm(t, site, nil)

	v := b.get(path)
	link := regexp.MustCompile(`href="(` + path + `/delete\?version=1)"`).FindStringSubmatch(v.body)
	if link == nil {
		t.Fatal("the form page has no delete link for the version it shows")
	}
	confirm := b.get(link[1])
	if confirm.status != http.StatusOK || !strings.Contains(confirm.body, "确定删除？") ||
		!strings.Contains(confirm.body, `<input type="hidden" name="version" value="1">`) || strings.Contains(confirm.body, "<script>") {
		t.Fatalf("confirmation page: %d\n%s", confirm.status, confirm.body)
	}
	if _, err := site.store.Form(t.Context(), mustID(t, strings.TrimPrefix(path, "/forms/"))); err != nil {
		t.Fatal("showing the confirmation deleted the form")
	}

	// Someone saves meanwhile: the page the clerk saw is out of date.
	saveTarget(t, site.client().loginAs(site.admin), path, ">=12%")
	other := site.client()
	otherTok := other.login(site.clerkB)
	tests := []struct {
		name   string
		client *browserless
		form   url.Values
		status int
		says   string
	}{
		{"without CSRF", b, url.Values{"version": {"1"}}, http.StatusForbidden, "页面已过期"},
		{"another unit's clerk", other, url.Values{"csrf": {otherTok}, "version": {"2"}}, http.StatusNotFound, "没有找到这张表"},
		{"without a version", b, url.Values{"csrf": {tok}}, http.StatusUnprocessableEntity, "缺少版本号"},
		{"changed since shown", b, url.Values{"csrf": {tok}, "version": {"1"}}, http.StatusConflict, "已被修改（您看到的是第 1 版，现为第 2 版），没有删除"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := tt.client.post(path+"/delete", tt.form)
			if a.status != tt.status || !strings.Contains(a.body, tt.says) {
				t.Fatalf("status %d, want %d with %q\n%s", a.status, tt.status, tt.says, a.body)
			}
			if strings.Contains(a.body, `action="`+path+`/delete"`) {
				t.Error("a refused delete offers the delete button again")
			}
			if got := b.get(path); got.status != http.StatusOK {
				t.Fatalf("the form is gone after a refused delete: %d", got.status)
			}
		})
	}
	if a := b.get(link[1]); a.status != http.StatusConflict || !strings.Contains(a.body, "这张表已经变了") {
		t.Errorf("confirmation of an out-of-date version: %d", a.status)
	}

	// Confirmed on the current version: gone, back to the list with a message.
	confirm = b.get(path + "/delete?version=2")
	a := b.post(path+"/delete", url.Values{"csrf": {csrf(t, confirm.body)}, "version": {"2"}})
	loc := a.header.Get("Location")
	if a.status != http.StatusSeeOther || !strings.HasPrefix(loc, "/forms?") {
		t.Fatalf("delete: %d %q\n%s", a.status, loc, a.body)
	}
	list := b.get(loc)
	if !strings.Contains(list.body, `<div class="flash ok" role="status">已删除「企业培育」。</div>`) || strings.Contains(list.body, `href="`+path+`"`) {
		t.Errorf("list after delete lacks the message or still lists the form:\n%s", list.body)
	}
	for _, p := range []string{path, path + "/versions", path + "/versions/1"} {
		if got := b.get(p); got.status != http.StatusNotFound {
			t.Errorf("GET %s after delete: %d", p, got.status)
		}
	}
	// The message is this site's own: not for a link made elsewhere, nor
	// for another session.
	u, _ := url.Parse(loc)
	forged := "/forms?deleted=" + url.QueryEscape("全部表格") + "&sig=" + u.Query().Get("sig")
	if got := b.get(forged); strings.Contains(got.body, "已删除") {
		t.Error("a forged delete message is shown")
	}
	second := site.client()
	second.login(site.clerkA)
	if got := second.get(loc); strings.Contains(got.body, "已删除") {
		t.Error("another session shows this session's delete message")
	}
}

// loginAs signs in and returns the client.
func (b *browserless) loginAs(token string) *browserless {
	b.login(token)
	return b
}

// TestWebEditKeepsExtraColumns: a column the form's family does not show
// (here 指标解释 on a Shanghai form) survives an edit, a row move and a
// save; the saved form differs from the stored one only where edited.
func TestWebEditKeepsExtraColumns(t *testing.T) {
	site := newWebSite(t)
	path := seedForm(t, site, func(f *reports.Form) {
		f.Indicators[3].Extra = map[string]string{"指标解释": "当年认定的专精特新企业数"}
		f.Indicators[6].Extra = map[string]string{"指标解释": `同比，"含"<税>`, "数据来源": "统计局"}
	})
	b := site.client()
	b.login(site.clerkA)
	form := editValues(t, b.get(path+"/edit").body)
	if keep := form["r.keep"]; len(keep) != 8 || keep[0] != "" || !strings.Contains(keep[3], "当年认定") {
		t.Fatalf("hidden columns on the page: %q", keep)
	}
	// Unchanged: the page round-trips the form exactly.
	form.Set("op", "save")
	if a := b.post(path+"/edit", form); !strings.HasSuffix(a.header.Get("Location"), "?unchanged=1") {
		t.Fatalf("saving the page as shown: %d %q (hidden columns lost?)", a.status, a.header.Get("Location"))
	}
	// Move row 4 (with its hidden column) up, without the script.
	form.Set("op", "up:3")
	form = editValues(t, b.post(path+"/edit", form).body)
	form["i.target"][2] = "=2600家"
	form.Set("op", "save")
	if a := b.post(path+"/edit", form); a.status != http.StatusSeeOther {
		t.Fatalf("save: %d\n%s", a.status, a.body)
	}
	sf, err := site.store.Form(t.Context(), mustID(t, strings.TrimPrefix(path, "/forms/")))
	if err != nil {
		t.Fatal(err)
	}
	in := sf.Form.Indicators
	if in[2].Target != "=2600家" || in[2].Extra["指标解释"] != "当年认定的专精特新企业数" {
		t.Errorf("moved row: %+v", in[2])
	}
	if in[3].Extra != nil {
		t.Errorf("the row moved down took a hidden column: %+v", in[3])
	}
	if in[6].Extra["指标解释"] != `同比，"含"<税>` || in[6].Extra["数据来源"] != "统计局" {
		t.Errorf("row 7 lost its hidden columns: %+v", in[6])
	}
}

// A form moved in from another unit keeps that unit's earlier versions in
// the store; the clerk of the new unit sees only its own, as in the API.
func TestWebVersionsHideOtherUnits(t *testing.T) {
	site := newWebSite(t)
	path := seedForm(t, site, func(f *reports.Form) { f.Unit = unitB })
	var id int64
	if _, err := fmt.Sscanf(path, "/forms/%d", &id); err != nil {
		t.Fatal(err)
	}
	sf, err := site.store.Form(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	moved := sf.Form
	moved.Unit = unitA
	if _, err := site.store.UpdateForm(t.Context(), id, sf.Version, moved); err != nil {
		t.Fatal(err)
	}
	b := site.client()
	b.login(site.clerkA)
	list := b.get(path + "/versions")
	if list.status != http.StatusOK || !strings.Contains(list.body, `id="v2"`) {
		t.Fatalf("versions: %d\n%s", list.status, list.body)
	}
	if strings.Contains(list.body, `id="v1"`) || strings.Contains(list.body, unitB) {
		t.Error("the history shows the version of another unit")
	}
	if v1 := b.get(path + "/versions/1"); v1.status != http.StatusNotFound {
		t.Errorf("another unit's old version: %d, want 404", v1.status)
	}
}
