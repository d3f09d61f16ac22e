package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"os"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/store"
)

// Harness prepares one fresh, empty database for a test and returns how to
// open it. Calling open again must open the same database (a restart); the
// harness closes what open returned when the test ends.
type Harness func(t *testing.T) (open func(t *testing.T) store.Store)

// Run runs the contract suite.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, open func(t *testing.T) store.Store)
	}{
		{"CreateAndGet", testCreateAndGet},
		{"CreateIsAtomic", testCreateIsAtomic},
		{"List", testList},
		{"Update", testUpdate},
		{"Delete", testDelete},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"Tokens", testTokens},
		{"TokenExpiryAndUse", testTokenExpiryAndUse},
		{"Sessions", testSessions},
		{"Audit", testAudit},
		{"RestartKeepsData", testRestart},
		{"Actuals", testActuals},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				if r := recover(); r != nil {
					if f, ok := r.(mustFail); ok {
						t.Fatalf("unexpected error: %v", f.err)
					}
					panic(r)
				}
			}()
			tt.fn(t, h(t))
		})
	}
}

// Form returns a complete form with text that stresses storage: Chinese,
// a character outside the BMP (𠮷), quotes, line breaks, exact money.
func Form(year int, unit, project string) reports.Form {
	m := func(s string) reports.Money {
		v, err := reports.ParseMoney(s)
		if err != nil {
			panic(err)
		}
		return v
	}
	return reports.Form{
		Title: reports.DefaultTitle, Year: year, Unit: unit, Project: project,
		Category: "经常性项目", Start: "2020-01-01", End: "2020-12-31", GovPurchase: "否", PerfType: "一般",
		Overview: "项目概况：“专精特新”𠮷\n第二段，含 'quotes' 与 \"双引号\"。",
		Basis:    "《通知》", Necessity: "必要", Measures: "制度", Plan: "计划", Goals: "目标",
		Funds: reports.Funds{Total: m("790000.00"), Current: m("790000.00"), LastBudget: m("1234567.89"), LastSpent: m("0.01")},
		Indicators: []reports.Indicator{
			{Level1: "产出目标", Level2: "数量", Level3: "举办活动", Target: "=3次"},
			{Level1: "产出目标", Level2: "数量", Level3: "覆盖企业", Target: ">=450家", Extra: map[string]string{"绩效标准": "历史标准"}},
		},
		Extra: map[string]string{"主管部门及代码": "上海市经济和信息化委员会 123"},
	}
}

func ctx(t *testing.T) context.Context { return t.Context() }

// mustFail carries an unexpected error out of must to the subtest.
type mustFail struct{ err error }

// must returns v or stops the subtest (see Run) when err is not nil; it
// keeps the many store calls of the suite on one line each.
func must[T any](v T, err error) T {
	if err != nil {
		panic(mustFail{err})
	}
	return v
}

func wantCode(t *testing.T, err error, code string) {
	t.Helper()
	if got := reports.ErrorCode(err); got != code {
		t.Fatalf("error code = %q (%v), want %q", got, err, code)
	}
}

func sameForm(t *testing.T, got, want reports.Form) {
	t.Helper()
	want.Source, want.Lines = "", nil
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("stored form differs:\n got  %+v\n want %+v", got, want)
	}
}

func testCreateAndGet(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	a, b := Form(2020, "上海市促进中小企业发展协调办公室", "中小企业服务"), Form(2021, "上海市经济和信息化委员会", "专精特新")
	a.Source, a.Lines = "seed.txt", map[string]int{"unit": 3}
	created := must(s.CreateForms(ctx(t), []reports.Form{a, b}))
	if len(created) != 2 || created[0].ID == created[1].ID {
		t.Fatalf("created = %+v, want two forms with distinct ids", created)
	}
	for i, want := range []reports.Form{a, b} {
		c := created[i]
		if c.Version != 1 || c.Hash != store.FormHash(&want) || c.Created.IsZero() || !c.Created.Equal(c.Updated) {
			t.Errorf("created[%d]: version %d, hash %s (want %s), created %v updated %v", i, c.Version, c.Hash, store.FormHash(&want), c.Created, c.Updated)
		}
		sameForm(t, c.Form, want)
		got := must(s.Form(ctx(t), c.ID))
		sameForm(t, got.Form, want)
		if got.ID != c.ID || got.Version != 1 || got.Hash != c.Hash || !got.Created.Equal(c.Created) || !got.Updated.Equal(c.Updated) {
			t.Errorf("Form(%d) = %+v, want %+v", c.ID, got, c)
		}
	}
	_, err := s.Form(ctx(t), created[1].ID+1000)
	wantCode(t, err, reports.ENOTFOUND)
	if err := s.Ping(ctx(t)); err != nil {
		t.Errorf("Ping: %v", err)
	}
	if got := must(s.CreateForms(ctx(t), nil)); len(got) != 0 {
		t.Errorf("CreateForms(nil) = %v", got)
	}
}

func testCreateIsAtomic(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	good := Form(2020, "单位甲", "项目一")
	bad := Form(2020, "单位甲", "项目\x00二") // refused by both stores
	_, err := s.CreateForms(ctx(t), []reports.Form{good, good, bad})
	wantCode(t, err, reports.EINVALID)
	page := must(s.ListForms(ctx(t), store.ListFilter{}))
	if page.Total != 0 || len(page.Forms) != 0 {
		t.Fatalf("after a failed import the store holds %d forms, want 0", page.Total)
	}
}

func projects(p store.FormPage) []string {
	out := []string{}
	for _, f := range p.Forms {
		out = append(out, f.Form.Project)
	}
	return out
}

func testList(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	var forms []reports.Form
	for _, f := range []struct {
		year          int
		unit, project string
	}{
		{2020, "甲单位", "Alpha 项目"},
		{2020, "乙单位", "beta 项目"},
		{2021, "甲单位", "中小企业服务"},
		{2021, "丙单位", "专精特新"},
		{2020, "甲单位", "第五个"},
	} {
		forms = append(forms, Form(f.year, f.unit, f.project))
	}
	// One at a time so that "most recently changed first" is well defined.
	for _, f := range forms {
		must(s.CreateForms(ctx(t), []reports.Form{f}))
	}
	tests := []struct {
		name   string
		filter store.ListFilter
		want   []string
		total  int
	}{
		{"all, newest first", store.ListFilter{}, []string{"第五个", "专精特新", "中小企业服务", "beta 项目", "Alpha 项目"}, 5},
		{"year", store.ListFilter{Year: 2021}, []string{"专精特新", "中小企业服务"}, 2},
		{"unit", store.ListFilter{Unit: "甲单位"}, []string{"第五个", "中小企业服务", "Alpha 项目"}, 3},
		{"year and unit", store.ListFilter{Year: 2020, Unit: "甲单位"}, []string{"第五个", "Alpha 项目"}, 2},
		{"query in project", store.ListFilter{Query: "企业"}, []string{"中小企业服务"}, 1},
		{"query ignores ASCII case", store.ListFilter{Query: "ALPHA"}, []string{"Alpha 项目"}, 1},
		{"query is not matched against the unit", store.ListFilter{Query: "丙"}, []string{}, 0},
		{"query with LIKE wildcards is literal", store.ListFilter{Query: "%"}, []string{}, 0},
		{"clerk scope", store.ListFilter{Units: []string{"乙单位", "丙单位"}}, []string{"专精特新", "beta 项目"}, 2},
		{"clerk scope and unit outside it", store.ListFilter{Units: []string{"乙单位"}, Unit: "甲单位"}, []string{}, 0},
		{"empty scope sees nothing", store.ListFilter{Units: []string{}}, []string{}, 0},
		{"page 1 of 2", store.ListFilter{PageSize: 2}, []string{"第五个", "专精特新"}, 5},
		{"page 3 of 2", store.ListFilter{PageSize: 2, Page: 3}, []string{"Alpha 项目"}, 5},
		{"past the end", store.ListFilter{PageSize: 2, Page: 9}, []string{}, 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := s.ListForms(ctx(t), tt.filter)
			if err != nil {
				t.Fatal(err)
			}
			if got := projects(p); !reflect.DeepEqual(got, tt.want) || p.Total != tt.total {
				t.Errorf("ListForms(%+v) = %q total %d, want %q total %d", tt.filter, got, p.Total, tt.want, tt.total)
			}
			if p.Page < 1 || p.PageSize < 1 {
				t.Errorf("page %d size %d not normalised", p.Page, p.PageSize)
			}
		})
	}
}

func testUpdate(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	c := must(s.CreateForms(ctx(t), []reports.Form{Form(2020, "甲单位", "原名")}))[0]
	changed := c.Form
	changed.Project, changed.Unit = "新名", "乙单位"
	u := must(s.UpdateForm(ctx(t), c.ID, 1, changed))
	if u.Version != 2 || u.ID != c.ID || u.Hash == c.Hash || u.Hash != store.FormHash(&changed) || !u.Created.Equal(c.Created) || u.Updated.Before(c.Updated) {
		t.Fatalf("UpdateForm = %+v (created %+v)", u, c)
	}
	sameForm(t, u.Form, changed)
	sameForm(t, must(s.Form(ctx(t), c.ID)).Form, changed)
	// The listing indexes the new values.
	if p := must(s.ListForms(ctx(t), store.ListFilter{Unit: "乙单位"})); p.Total != 1 {
		t.Errorf("after update, unit 乙单位 lists %d forms, want 1", p.Total)
	}
	_, err := s.UpdateForm(ctx(t), c.ID, 1, changed)
	wantCode(t, err, reports.ECONFLICT)
	_, err = s.UpdateForm(ctx(t), c.ID+1000, 1, changed)
	wantCode(t, err, reports.ENOTFOUND)
	bad := changed
	bad.Unit = "\x00"
	_, err = s.UpdateForm(ctx(t), c.ID, 2, bad)
	wantCode(t, err, reports.EINVALID)

	vs := must(s.FormVersions(ctx(t), c.ID))
	if len(vs) != 2 || vs[0].Version != 1 || vs[1].Version != 2 || vs[0].Hash != c.Hash || vs[1].Hash != u.Hash {
		t.Fatalf("FormVersions = %+v", vs)
	}
	sameForm(t, vs[0].Form, c.Form)
	sameForm(t, vs[1].Form, changed)
	if !vs[1].Updated.Equal(u.Updated) || !vs[0].Created.Equal(c.Created) {
		t.Errorf("version times: %v %v, want %v %v", vs[0].Created, vs[1].Updated, c.Created, u.Updated)
	}
	_, err = s.FormVersions(ctx(t), c.ID+1000)
	wantCode(t, err, reports.ENOTFOUND)
}

func testDelete(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	cs := must(s.CreateForms(ctx(t), []reports.Form{Form(2020, "甲单位", "删"), Form(2020, "甲单位", "留")}))
	id := cs[0].ID
	wantCode(t, s.DeleteForm(ctx(t), id, 7), reports.ECONFLICT)
	if err := s.DeleteForm(ctx(t), id, 1); err != nil {
		t.Fatal(err)
	}
	_, err := s.Form(ctx(t), id)
	wantCode(t, err, reports.ENOTFOUND)
	_, err = s.FormVersions(ctx(t), id)
	wantCode(t, err, reports.ENOTFOUND)
	_, err = s.UpdateForm(ctx(t), id, 2, cs[0].Form)
	wantCode(t, err, reports.ENOTFOUND)
	wantCode(t, s.DeleteForm(ctx(t), id, 2), reports.ENOTFOUND)
	if p := must(s.ListForms(ctx(t), store.ListFilter{})); !reflect.DeepEqual(projects(p), []string{"留"}) || p.Total != 1 {
		t.Errorf("after delete: %q total %d", projects(p), p.Total)
	}
}

func testConcurrentUpdates(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	c := must(s.CreateForms(ctx(t), []reports.Form{Form(2020, "甲单位", "争")}))[0]
	const n = 8
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			f := c.Form
			f.Plan = "计划 " + string(rune('A'+i))
			_, errs[i] = s.UpdateForm(ctx(t), c.ID, 1, f)
		})
	}
	wg.Wait()
	ok := 0
	for _, err := range errs {
		switch reports.ErrorCode(err) {
		case "":
			ok++
		case reports.ECONFLICT:
		default:
			t.Errorf("concurrent update: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d of %d concurrent updates of version 1 succeeded, want exactly 1", ok, n)
	}
	if vs := must(s.FormVersions(ctx(t), c.ID)); len(vs) != 2 {
		t.Errorf("%d versions after one successful update, want 2", len(vs))
	}
}

func testTokens(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	if n := must(s.CountTokens(ctx(t), store.RoleAdmin)); n != 0 {
		t.Fatalf("fresh store has %d admin tokens", n)
	}
	secret := store.NewSecret()
	clerk := must(s.CreateToken(ctx(t), store.Token{Name: "张三", Role: store.RoleClerk, Units: []string{"甲单位", "乙单位"}, Hash: store.HashToken(secret)}))
	admin := must(s.CreateToken(ctx(t), store.Token{Role: store.RoleAdmin, Hash: store.HashToken(store.NewSecret())}))
	if clerk.ID == 0 || clerk.ID == admin.ID || clerk.Created.IsZero() {
		t.Fatalf("created tokens %+v %+v", clerk, admin)
	}
	got := must(s.TokenByHash(ctx(t), store.HashToken(" "+secret+"\n")))
	if !reflect.DeepEqual(got, clerk) {
		t.Errorf("TokenByHash = %+v, want %+v", got, clerk)
	}
	if !got.Sees("乙单位") || got.Sees("丙单位") {
		t.Errorf("clerk scope wrong: %+v", got)
	}
	_, err := s.TokenByHash(ctx(t), store.HashToken("rpd_wrong"))
	wantCode(t, err, reports.ENOTFOUND)
	if n := must(s.CountTokens(ctx(t), store.RoleAdmin)); n != 1 {
		t.Errorf("admin tokens = %d, want 1", n)
	}
	all := must(s.Tokens(ctx(t)))
	if len(all) != 2 || all[0].ID != clerk.ID || !reflect.DeepEqual(all[1].Units, []string{}) {
		t.Errorf("Tokens = %+v", all)
	}
	_, err = s.CreateToken(ctx(t), store.Token{Role: store.RoleService, Hash: clerk.Hash})
	if err == nil {
		t.Error("a second token with the same hash was stored")
	}
	_, err = s.CreateToken(ctx(t), store.Token{Role: "root", Hash: "x"})
	wantCode(t, err, reports.EINVALID)
	if err := s.RevokeToken(ctx(t), clerk.ID); err != nil {
		t.Fatal(err)
	}
	_, err = s.TokenByHash(ctx(t), clerk.Hash)
	wantCode(t, err, reports.ENOTFOUND)
	wantCode(t, s.RevokeToken(ctx(t), clerk.ID), reports.ENOTFOUND)
}

func testRestart(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	c := must(s.CreateForms(ctx(t), []reports.Form{Form(2020, "甲单位", "持久")}))[0]
	u := must(s.UpdateForm(ctx(t), c.ID, 1, Form(2020, "甲单位", "持久二")))
	tok := must(s.CreateToken(ctx(t), store.Token{Role: store.RoleService, Hash: store.HashToken("rpd_x")}))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := open(t) // migrations run again and must be a no-op
	got := must(s2.Form(ctx(t), c.ID))
	if got.Version != 2 || got.Hash != u.Hash {
		t.Errorf("after restart: %+v, want version 2 hash %s", got, u.Hash)
	}
	if len(must(s2.FormVersions(ctx(t), c.ID))) != 2 {
		t.Error("history lost on restart")
	}
	if _, err := s2.TokenByHash(ctx(t), tok.Hash); err != nil {
		t.Errorf("token lost on restart: %v", err)
	}
	// New ids do not reuse old ones.
	if c2 := must(s2.CreateForms(ctx(t), []reports.Form{Form(2020, "甲单位", "新")}))[0]; c2.ID <= c.ID {
		t.Errorf("new id %d after restart, want > %d", c2.ID, c.ID)
	}
}

func testTokenExpiryAndUse(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	soon := time.Now().Add(90 * 24 * time.Hour)
	live := must(s.CreateToken(ctx(t), store.Token{Name: "有期限", Role: store.RoleService, Hash: store.HashToken("rpd_live"), Expires: soon}))
	if !live.Expires.Equal(store.Timestamp(soon)) {
		t.Errorf("Expires = %v, want %v", live.Expires, soon)
	}
	got := must(s.TokenByHash(ctx(t), live.Hash))
	if !got.Expires.Equal(live.Expires) || !got.LastUsed.IsZero() {
		t.Errorf("stored %+v", got)
	}
	old := must(s.CreateToken(ctx(t), store.Token{Name: "过期", Role: store.RoleService, Hash: store.HashToken("rpd_old"), Expires: time.Now().Add(-time.Second)}))
	_, err := s.TokenByHash(ctx(t), old.Hash)
	wantCode(t, err, reports.ENOTFOUND) // an expired token is unknown
	if err := s.TokenUsed(ctx(t), live.ID); err != nil {
		t.Fatal(err)
	}
	first := must(s.TokenByHash(ctx(t), live.Hash)).LastUsed
	if first.IsZero() || time.Since(first) > time.Minute {
		t.Fatalf("LastUsed = %v after use", first)
	}
	if err := s.TokenUsed(ctx(t), live.ID); err != nil { // within the minute: no write
		t.Fatal(err)
	}
	if again := must(s.TokenByHash(ctx(t), live.Hash)).LastUsed; !again.Equal(first) {
		t.Errorf("LastUsed moved within a minute: %v → %v", first, again)
	}
}

func testSessions(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	clerk := must(s.CreateToken(ctx(t), store.Token{Name: "经办人", Role: store.RoleClerk, Units: []string{"甲单位"}, Hash: store.HashToken("rpd_c")}))
	admin := must(s.CreateToken(ctx(t), store.Token{Name: "管理员", Role: store.RoleAdmin, Hash: store.HashToken("rpd_a")}))
	open1 := func(tok store.Token, id string, life time.Duration) store.Session {
		t.Helper()
		return must(s.CreateSession(ctx(t), store.Session{ID: store.SessionHash(id), TokenID: tok.ID, Expires: time.Now().Add(life), Remote: "192.0.2.1"}))
	}
	a := open1(clerk, "a", time.Hour)
	open1(clerk, "b", time.Hour)
	open1(admin, "c", time.Hour)
	sess, tok, err := s.UseSession(ctx(t), a.ID, time.Hour)
	if err != nil || sess.TokenID != clerk.ID || tok.ID != clerk.ID || tok.Role != store.RoleClerk || sess.Remote != "192.0.2.1" {
		t.Fatalf("UseSession = %+v %+v %v", sess, tok, err)
	}
	_, _, err = s.UseSession(ctx(t), store.SessionHash("nope"), 0)
	wantCode(t, err, reports.ENOTFOUND)

	// Sign-out ends one session, twice is fine.
	if err := s.DeleteSession(ctx(t), a.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(ctx(t), a.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.UseSession(ctx(t), a.ID, 0)
	wantCode(t, err, reports.ENOTFOUND)

	// Expired, and idle for too long.
	gone := open1(clerk, "d", -time.Second)
	_, _, err = s.UseSession(ctx(t), gone.ID, 0)
	wantCode(t, err, reports.ENOTFOUND)
	idle := open1(clerk, "e", time.Hour)
	time.Sleep(20 * time.Millisecond)
	_, _, err = s.UseSession(ctx(t), idle.ID, 5*time.Millisecond)
	wantCode(t, err, reports.ENOTFOUND)

	// Revoking a token ends its sessions; others stay.
	if err := s.RevokeToken(ctx(t), clerk.ID); err != nil {
		t.Fatal(err)
	}
	_, _, err = s.UseSession(ctx(t), store.SessionHash("b"), 0)
	wantCode(t, err, reports.ENOTFOUND)
	if _, _, err := s.UseSession(ctx(t), store.SessionHash("c"), 0); err != nil {
		t.Fatalf("another token's session ended: %v", err)
	}
	// An expired token's sessions end with it.
	short := must(s.CreateToken(ctx(t), store.Token{Name: "短期", Role: store.RoleClerk, Hash: store.HashToken("rpd_s"), Expires: time.Now().Add(300 * time.Millisecond)}))
	open1(short, "f", time.Hour)
	time.Sleep(400 * time.Millisecond)
	_, _, err = s.UseSession(ctx(t), store.SessionHash("f"), 0)
	wantCode(t, err, reports.ENOTFOUND)

	// Sign out everywhere.
	open1(admin, "g", time.Hour)
	if n := must(s.DeleteSessions(ctx(t), admin.ID)); n != 2 {
		t.Errorf("DeleteSessions(admin) = %d, want 2", n)
	}
	open1(admin, "h", time.Hour)
	must(s.DeleteSessions(ctx(t), 0))
	_, _, err = s.UseSession(ctx(t), store.SessionHash("h"), 0)
	wantCode(t, err, reports.ENOTFOUND)
}

func testAudit(t *testing.T, open func(t *testing.T) store.Store) {
	s := open(t)
	alice := store.WithActor(ctx(t), store.Actor{TokenID: 7, Name: "张三", Remote: "192.0.2.7"})
	bob := store.WithActor(ctx(t), store.Actor{TokenID: 8, Name: "李四", Remote: "192.0.2.8"})
	c := must(s.CreateForms(alice, []reports.Form{Form(2020, "甲单位", "审计")}))[0]
	must(s.UpdateForm(bob, c.ID, 1, Form(2020, "甲单位", "审计二")))
	vs := must(s.FormVersions(ctx(t), c.ID))
	if len(vs) != 2 || vs[0].SavedBy != "张三" || vs[1].SavedBy != "李四" {
		t.Errorf("versions saved by %q", []string{vs[0].SavedBy, vs[1].SavedBy})
	}
	if err := s.DeleteForm(alice, c.ID, 2); err != nil {
		t.Fatal(err)
	}
	tok := must(s.CreateToken(bob, store.Token{Name: "服务", Role: store.RoleService, Hash: store.HashToken("rpd_audit")}))
	if err := s.RevokeToken(alice, tok.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.Record(bob, store.AuditEntry{Action: store.AuditSignIn, TokenID: 8}); err != nil {
		t.Fatal(err)
	}
	// A change that fails leaves no entry.
	if _, err := s.UpdateForm(bob, c.ID, 1, Form(2020, "甲单位", "过时")); err == nil {
		t.Fatal("a stale update succeeded")
	}
	all := must(s.Audit(ctx(t), store.AuditFilter{}))
	type line struct {
		who, action string
		form        int64
		version     int
		token       int64
	}
	var got []line
	for _, e := range all {
		got = append(got, line{e.Actor.Name, e.Action, e.FormID, e.Version, e.TokenID})
		if e.At.IsZero() || e.Actor.Remote == "" || (e.Action != store.AuditSignIn && e.Detail == "") {
			t.Errorf("entry %+v lacks time, address or detail", e)
		}
	}
	want := []line{
		{"李四", store.AuditSignIn, 0, 0, 8},
		{"张三", store.AuditTokenRevoke, 0, 0, tok.ID},
		{"李四", store.AuditTokenCreate, 0, 0, tok.ID},
		{"张三", store.AuditFormDelete, c.ID, 3, 0},
		{"李四", store.AuditFormUpdate, c.ID, 2, 0},
		{"张三", store.AuditFormCreate, c.ID, 1, 0},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("audit log\n got %v\nwant %v", got, want)
	}
	forForm := must(s.Audit(ctx(t), store.AuditFilter{FormID: c.ID, Limit: 2}))
	if len(forForm) != 2 || forForm[0].Action != store.AuditFormDelete {
		t.Errorf("filtered %+v", forForm)
	}
	older := must(s.Audit(ctx(t), store.AuditFilter{FormID: c.ID, Before: forForm[1].ID}))
	if len(older) != 1 || older[0].Action != store.AuditFormCreate {
		t.Errorf("page before %d: %+v", forForm[1].ID, older)
	}
	// Without an actor (the command line did not say) the entry still names one.
	must(s.CreateForms(ctx(t), []reports.Form{Form(2020, "甲单位", "无名")}))
	if e := must(s.Audit(ctx(t), store.AuditFilter{Limit: 1}))[0]; e.Actor.Name == "" {
		t.Errorf("entry without an actor name: %+v", e)
	}
}

// DefaultPostgresURL is the test database of this machine and CI.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test"

// PostgresURL returns the test database (REPORTD_TEST_POSTGRES or
// DefaultPostgresURL) and a new schema name for this test; the schema is
// dropped when the test ends. With REPORTD_TEST_POSTGRES=skip the test is
// skipped; an unreachable server fails it, so PostgreSQL is never silently
// untested.
func PostgresURL(t testing.TB) (url, schema string) {
	t.Helper()
	url = os.Getenv("REPORTD_TEST_POSTGRES")
	if url == "skip" {
		t.Skip("REPORTD_TEST_POSTGRES=skip")
	}
	if url == "" {
		url = DefaultPostgresURL
	}
	var b [6]byte
	rand.Read(b[:])
	schema = "reportd_test_" + hex.EncodeToString(b[:])
	conn, err := pgx.Connect(context.Background(), url)
	if err != nil {
		t.Fatalf("PostgreSQL for tests (%s; set REPORTD_TEST_POSTGRES=skip to skip): %v", url, err)
	}
	conn.Close(context.Background())
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), url)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE"); err != nil && !errors.Is(err, context.Canceled) {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	return url, schema
}
