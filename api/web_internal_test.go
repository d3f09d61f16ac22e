package api

import (
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/layout"
)

func TestFieldID(t *testing.T) {
	tests := []struct{ name, path, want string }{
		{"plain", "project", "f-project"},
		{"dotted", "funds.total", "f-funds-total"},
		{"indicator", "indicators[3].target", "f-indicators-3-target"},
		{"extra", "extra.department", "f-extra-department"},
		{"chinese column", "indicators[0].绩效标准", "f-indicators-0-u7ee9u6548u6807u51c6"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := fieldID(tt.path); got != tt.want {
				t.Errorf("fieldID(%q) = %q, want %q", tt.path, got, tt.want)
			}
		})
	}
}

func rowsOf(st editState) string {
	var out []string
	for _, r := range st.Rows {
		out = append(out, r["target"])
	}
	return strings.Join(out, ",")
}

func TestEditApply(t *testing.T) {
	tests := []struct {
		name, op, want string
		focus          int
		ok             bool
	}{
		{"up", "up:1", "b,a,c", 0, true},
		{"up at top stays", "up:0", "a,b,c", 0, true},
		{"down", "down:1", "a,c,b", 2, true},
		{"down at bottom stays", "down:2", "a,b,c", 2, true},
		{"delete", "del:1", "a,c", 1, true},
		{"delete last", "del:2", "a,b", 1, true},
		{"add", "add", "a,b,c,", 3, true},
		{"out of range", "del:3", "a,b,c", -1, false},
		{"negative", "up:-1", "a,b,c", -1, false},
		{"unknown", "swap:1", "a,b,c", -1, false},
		{"no index", "del", "a,b,c", -1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := editState{Rows: []map[string]string{{"target": "a"}, {"target": "b"}, {"target": "c"}}}
			focus, ok := st.apply(tt.op)
			if got := rowsOf(st); got != tt.want || focus != tt.focus || ok != tt.ok {
				t.Errorf("apply(%q) = %q focus %d ok %v, want %q %d %v", tt.op, got, focus, ok, tt.want, tt.focus, tt.ok)
			}
		})
	}
}

func TestEditToForm(t *testing.T) {
	reg, err := family.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := reg.Get("shanghai-2020")
	nat, _ := reg.Get("national-2021")
	base := reports.Form{Family: "shanghai-2020", Title: "自定义标题", Extra: map[string]string{"keep": "x"}}
	row := func(l1, l2, l3, target string) map[string]string {
		return map[string]string{"level1": l1, "level2": l2, "level3": l3, "target": target}
	}
	tests := []struct {
		name     string
		fam      *family.Family
		values   map[string]string
		rows     []map[string]string
		check    func(t *testing.T, f reports.Form)
		problems []string // paths
	}{
		{
			name:   "money exact, blank rows dropped, levels filled down",
			fam:    sh,
			values: map[string]string{"year": "2020", "funds.total": "790,000.00", "funds.current": ""},
			rows: []map[string]string{
				row("产出目标", "数量", "企业数", "=10家"), row("", "", "服务数", "=5次"), row("", "", "", ""),
				row("", "质量", "合格率", "=100%"), row("效果目标", "", "增长", ">=10%"),
			},
			check: func(t *testing.T, f reports.Form) {
				if f.Funds.Total.Fen != 79_000_000 || f.Funds.Current.Set || f.Year != 2020 {
					t.Errorf("funds %+v year %d", f.Funds, f.Year)
				}
				var got []string
				for _, in := range f.Indicators {
					got = append(got, in.Level1+"/"+in.Level2+"/"+in.Level3)
				}
				want := "产出目标/数量/企业数 产出目标/数量/服务数 产出目标/质量/合格率 效果目标//增长"
				if strings.Join(got, " ") != want {
					t.Errorf("indicators %q, want %q", strings.Join(got, " "), want)
				}
				if f.Title != "自定义标题" || f.Family != "shanghai-2020" || f.Extra["keep"] != "x" {
					t.Errorf("fields outside the edit page lost: %+v", f)
				}
			},
		},
		{
			name:     "bad amount and year",
			fam:      sh,
			values:   map[string]string{"year": "二〇二〇", "funds.total": "12万", "funds.current": "1.234"},
			problems: []string{"year", "funds.total", "funds.current"},
		},
		{
			name:   "万元 family reads 万元 exactly",
			fam:    nat,
			values: map[string]string{"year": "2023", "funds.total": "1,250.5", "funds.current": "860.123456"},
			rows:   []map[string]string{{"level1": "产出指标", "level2": "数量指标", "level3": "面积", "target": "≥1亩", "standard": "按验收"}},
			check: func(t *testing.T, f reports.Form) {
				if f.Funds.Total.Fen != 1_250_500_000 || f.Funds.Current.Fen != 8_601_234_56 {
					t.Errorf("funds %+v", f.Funds)
				}
				if f.Indicators[0].Extra["standard"] != "按验收" {
					t.Errorf("extra column lost: %+v", f.Indicators[0])
				}
			},
		},
		{
			name:     "seven decimals of 万元 is not exact",
			fam:      nat,
			values:   map[string]string{"funds.total": "1.0000001"},
			problems: []string{"funds.total"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ps := editState{Values: tt.values, Rows: tt.rows}.toForm(base, tt.fam)
			var paths []string
			for _, p := range ps {
				paths = append(paths, p.Path)
			}
			if strings.Join(paths, ",") != strings.Join(tt.problems, ",") {
				t.Fatalf("problems at %v, want %v (%v)", paths, tt.problems, ps)
			}
			if tt.check != nil {
				tt.check(t, f)
			}
		})
	}
}

func TestStateRoundTrip(t *testing.T) {
	reg, err := family.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	nat, _ := reg.Get("national-2021")
	f := reports.Form{Family: "national-2021", Year: 2023, Funds: reports.Funds{Total: reports.Money{Fen: 1_250_500_000, Set: true}}}
	st := stateOf(&f, nat)
	if st.Values["funds.total"] != "1,250.50" {
		t.Fatalf("万元 shown as %q", st.Values["funds.total"])
	}
	back, ps := st.toForm(f, nat)
	if len(ps) > 0 || back.Funds.Total != f.Funds.Total {
		t.Fatalf("round trip: %+v %v", back.Funds.Total, ps)
	}
}

func TestGridHTML(t *testing.T) {
	// Two columns; a cell spanning three rows in column 0; a row that
	// leaves column 1 uncovered gets an empty cell.
	g := &layout.Grid{Columns: []float64{1, 3}, Rows: []layout.Row{
		{Cells: []layout.Cell{{Col: 0, Span: 1, RowSpan: 3, Kind: layout.KindIndicatorL1, Text: "一级"}, {Col: 1, Span: 1, Text: "a", Path: "indicators[0].level3"}}},
		{Cells: []layout.Cell{{Col: 1, Span: 1, Text: "b", Path: "indicators[1].level3"}}},
		{Cells: nil},
		{Cells: []layout.Cell{{Col: 0, Span: 2, Kind: layout.KindSection, Text: "标题"}}},
	}}
	h := gridHTML(g, reports.Problems{{Severity: reports.SeverityError, Path: "indicators[1].level3", Message: "错"}})
	if strings.Join(h.Cols, " ") != "25.0% 75.0%" {
		t.Errorf("cols %v", h.Cols)
	}
	count := []int{2, 1, 1, 1}
	for i, r := range h.Rows {
		if len(r.Cells) != count[i] {
			t.Errorf("row %d has %d cells, want %d", i, len(r.Cells), count[i])
		}
	}
	if c := h.Rows[1].Cells[0]; c.Severity() != "error" || c.Anchor != "f-indicators-1-level3" {
		t.Errorf("problem cell %+v", c)
	}
	if c := h.Rows[3].Cells[0]; !c.Head || c.Span != 2 || c.Class != "section" {
		t.Errorf("section cell %+v", c)
	}
}

func TestSessions(t *testing.T) {
	now := time.Date(2026, 1, 1, 9, 0, 0, 0, time.UTC)
	k := newSessionKeys([]byte("0123456789abcdef0123456789abcdef"), func() time.Time { return now })
	v, s := k.issue(sessionTTL)
	tests := []struct {
		name  string
		value string
		at    time.Time
		ok    bool
	}{
		{"fresh", v, now, true},
		{"just before expiry", v, now.Add(sessionTTL - time.Second), true},
		{"expired", v, now.Add(sessionTTL), false},
		{"tampered payload", "x" + v, now, false},
		{"no signature", strings.Split(v, ".")[0], now, false},
		{"other key", func() string { v, _ := newSessionKeys([]byte("other"), nil).issue(sessionTTL); return v }(), now, false},
		{"empty", "", now, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k.now = func() time.Time { return tt.at }
			got, err := k.open(tt.value)
			if (err == nil) != tt.ok || tt.ok && got != s {
				t.Errorf("open = %+v, %v; want ok=%v", got, err, tt.ok)
			}
		})
	}
	if k.csrfOK(s.ID, k.csrf("other")) || !k.csrfOK(s.ID, k.csrf(s.ID)) || k.csrfOK(s.ID, "") {
		t.Error("csrf tokens do not bind to their session")
	}
}

func TestSameOriginAndNext(t *testing.T) {
	tests := []struct {
		name    string
		headers map[string]string
		ok      bool
	}{
		{"fetch metadata same-origin", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": "null"}, true},
		{"fetch metadata cross-site", map[string]string{"Sec-Fetch-Site": "cross-site", "Origin": "http://example.com"}, false},
		{"same-site is not same-origin", map[string]string{"Sec-Fetch-Site": "same-site"}, false},
		{"origin matches", map[string]string{"Origin": "http://example.com"}, true},
		{"origin differs", map[string]string{"Origin": "https://evil.example"}, false},
		{"no evidence", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("POST", "http://example.com/forms/1/edit", nil)
			for k, v := range tt.headers {
				r.Header.Set(k, v)
			}
			if got := sameOrigin(r); got != tt.ok {
				t.Errorf("sameOrigin = %v, want %v", got, tt.ok)
			}
		})
	}
	for next, want := range map[string]string{
		"/forms/3": "/forms/3", "": "/forms", "//evil": "/forms", "https://evil": "/forms", "/\\evil": "/forms", "forms": "/forms", "/a\r\nb": "/forms",
	} {
		if got := safeNext(next); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", next, got, want)
		}
	}
}

// FuzzEditForm: whatever a browser posts, reading it never panics, and an
// amount that reads back is kept exactly.
func FuzzEditForm(f *testing.F) {
	reg, err := family.Builtin()
	if err != nil {
		f.Fatal(err)
	}
	f.Add("2020", "790,000.00", "产出目标", ">=10%", "up:0", false)
	f.Add("", "", "", "", "add", true)
	f.Add("二〇二〇", "1.0000001", "\r\n", "=", "del:9", true)
	f.Fuzz(func(t *testing.T, year, amount, level1, target, op string, national bool) {
		fam, _ := reg.Get("shanghai-2020")
		if national {
			fam, _ = reg.Get("national-2021")
		}
		form := map[string][]string{
			"f.year": {year}, "f.funds.total": {amount},
			"i.level1": {level1, ""}, "i.target": {target},
		}
		st := stateFrom(form, fam)
		st.apply(op)
		out, ps := st.toForm(reports.Form{}, fam)
		for _, p := range ps {
			if p.Path == "funds.total" {
				return
			}
		}
		back := stateOf(&out, fam)
		again, ps := back.toForm(reports.Form{}, fam)
		for _, p := range ps {
			if p.Path == "funds.total" {
				t.Fatalf("amount %q read once, not twice: %v", amount, p)
			}
		}
		if again.Funds.Total != out.Funds.Total {
			t.Fatalf("amount %q: %+v then %+v", amount, out.Funds.Total, again.Funds.Total)
		}
		_ = buildEditView(st, fam, reports.Check(&out, fam.Rules()), 0, []string{"甲"})
	})
}

func TestSessionKeyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "session-key")
	a, err := SessionKeyFile(path)
	if err != nil || len(a) != 32 {
		t.Fatalf("first: %d bytes, %v", len(a), err)
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("key file %v %v", st.Mode(), err)
	}
	b, err := SessionKeyFile(path)
	if err != nil || string(a) != string(b) {
		t.Fatalf("second read differs: %v", err)
	}
	os.WriteFile(path, []byte("short\n"), 0o600)
	if _, err := SessionKeyFile(path); err == nil || !strings.Contains(err.Error(), "delete it") {
		t.Errorf("bad key file: %v", err)
	}
}

// TestEditKeepsUndeclaredColumns: indicator columns the family does not
// show (a 指标解释 imported from another issuer's form) ride through the
// edit page with their row (moves, deletes) and are saved unchanged.
func TestEditKeepsUndeclaredColumns(t *testing.T) {
	reg, err := family.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := reg.Get("shanghai-2020")
	base := reports.Form{Family: "shanghai-2020", Year: 2020, Indicators: []reports.Indicator{
		{Level1: "产出目标", Level2: "数量", Level3: "企业数", Target: "=10家", Extra: map[string]string{"指标解释": "年末在册数", "level1": "冒充"}},
		{Level1: "产出目标", Level2: "质量", Level3: "合格率", Target: "=100%"},
		{Level1: "效果目标", Level2: "经济效益", Level3: "增长", Target: ">=10%", Extra: map[string]string{"note": "a\"<b>"}},
	}}
	extras := func(f reports.Form) string {
		var out []string
		for _, in := range f.Indicators {
			out = append(out, in.Level3+"="+in.Extra["指标解释"]+in.Extra["note"])
		}
		return strings.Join(out, " ")
	}
	tests := []struct {
		name string
		ops  []string
		edit func(st *editState)
		want string
		bad  bool
	}{
		{name: "unchanged", want: "企业数=年末在册数 合格率= 增长=a\"<b>"},
		{name: "moved up", ops: []string{"up:2"}, want: "企业数=年末在册数 增长=a\"<b> 合格率="},
		{name: "row above deleted", ops: []string{"del:0"}, want: "合格率= 增长=a\"<b>"},
		{name: "row added and moved", ops: []string{"add", "up:3", "up:2"}, edit: func(st *editState) {
			st.Rows[1] = map[string]string{"level1": "产出目标", "level2": "时效", "level3": "天数", "target": "=180天"}
		}, want: "企业数=年末在册数 天数= 合格率= 增长=a\"<b>"},
		{name: "visible cells emptied drops the row", edit: func(st *editState) { st.Rows[0] = map[string]string{} },
			want: "合格率= 增长=a\"<b>"},
		{name: "fewer keep entries than rows", edit: func(st *editState) { st.Keep = st.Keep[:1] },
			want: "企业数=年末在册数 合格率= 增长="},
		{name: "tampered", edit: func(st *editState) { st.Keep[2] = "{" }, bad: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := stateOf(&base, sh)
			for _, op := range tt.ops {
				if _, ok := st.apply(op); !ok {
					t.Fatalf("apply %q", op)
				}
			}
			if tt.edit != nil {
				tt.edit(&st)
			}
			f, ps := st.toForm(base, sh)
			if tt.bad {
				if len(ps) != 1 || ps[0].Path != "indicators" {
					t.Fatalf("tampered keep: problems %v", ps)
				}
				return
			}
			if len(ps) > 0 {
				t.Fatalf("problems %v", ps)
			}
			if got := extras(f); got != tt.want {
				t.Errorf("extras %q, want %q", got, tt.want)
			}
			if f.Indicators[0].Level1 == "冒充" {
				t.Error("a kept column overrode a level")
			}
		})
	}
	// Saving the page as shown gives back the very same form.
	f, _ := stateOf(&base, sh).toForm(base, sh)
	delete(base.Indicators[0].Extra, "level1") // not a column: never kept
	if !reflect.DeepEqual(f.Indicators, base.Indicators) {
		t.Errorf("round trip:\n%+v\nwant\n%+v", f.Indicators, base.Indicators)
	}
}

func TestChangedFields(t *testing.T) {
	reg, err := family.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	sh, _ := reg.Get("shanghai-2020")
	base := func() reports.Form {
		return reports.Form{Year: 2020, Project: "企业培育", Funds: reports.Funds{Total: reports.Money{Fen: 100, Set: true}},
			Indicators: []reports.Indicator{{Level1: "产出目标", Level2: "数量", Level3: "a", Target: "=1家"}, {Level1: "产出目标", Level2: "数量", Level3: "b", Target: "=2家"}}}
	}
	tests := []struct {
		name   string
		change func(f *reports.Form)
		want   string
	}{
		{"nothing", func(f *reports.Form) {}, ""},
		{"fields in the family's order, money with its unit", func(f *reports.Form) {
			f.Funds.Total.Fen = 200
			f.Project = "企业培育（二期）"
		}, "项目名称|项目总预算（元）"},
		{"indicator rows by number", func(f *reports.Form) { f.Indicators[1].Target = "=3家" }, "绩效指标第 2 行"},
		{"a hidden column of a row", func(f *reports.Form) { f.Indicators[0].Extra = map[string]string{"指标解释": "x"} }, "绩效指标第 1 行"},
		{"rows added", func(f *reports.Form) { f.Indicators = append(f.Indicators, reports.Indicator{}) }, "绩效指标（2 行 → 3 行）"},
		{"what the family does not show", func(f *reports.Form) { f.Extra = map[string]string{"x": "y"} }, "其他内容"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev, cur := base(), base()
			tt.change(&cur)
			if got := strings.Join(changedFields(&prev, &cur, sh), "|"); got != tt.want {
				t.Errorf("changes %q, want %q", got, tt.want)
			}
		})
	}
}
