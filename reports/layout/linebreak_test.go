package layout

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// With MonoMeasurer at size 10, a CJK character is 10 pt and a Latin one 5.
const testSize = 10

func TestBreakRules(t *testing.T) {
	tests := []struct {
		name  string
		text  string
		width float64 // in em (CJK characters)
		want  []string
	}{
		{"comma never starts a line", "中文，标点", 2, []string{"中", "文，", "标点"}},
		{"closing quote and full stop stay with the word", "说“好”。再见", 3.5, []string{"说", "“好”。", "再见"}},
		{"adjacent marks are squeezed half an em, a line-end mark overhangs its blank half", "说“好”。再见", 4, []string{"说“好”。", "再见"}},
		{"a unit wider than the line is split where it least hurts", "说“好”。再见", 2.5, []string{"说", "“好”", "。再", "见"}},
		{"opening bracket never ends a line", "甲乙（丙）", 3, []string{"甲乙", "（丙）"}},
		{"title mark stays with the next character", "依据《通知》执行", 3, []string{"依据", "《通", "知》", "执行"}},
		{"two-em dash stays whole and with the text before", "他说——好", 3, []string{"他", "说——", "好"}},
		{"ellipsis stays whole", "等等……好", 3, []string{"等", "等……", "好"}},
		{"number moves whole", "预算1,234,567.89元", 6, []string{"预算", "1,234,567.89", "元"}},
		{"year range moves whole", "计划（2015-2017）", 7, []string{"计划", "（2015-2017）"}},
		{"URL moves whole when it fits a line", "见https://a.cn/x/y。", 9, []string{"见", "https://a.cn/x/y。"}},
		{"long URL breaks after a slash", "https://www.example.com/abcdef/ghi", 12, []string{"https://www.example.com/", "abcdef/ghi"}},
		{"a URL too long for any line starts where it is", "见网址https://www.example.com/abcdef/ghi", 12, []string{"见网址https://", "www.example.com/abcdef/", "ghi"}},
		{"Latin words move whole", "ISO 9001 quality", 5, []string{"ISO 9001 ", "quality"}},
		{"overlong word is split by character", "abcdefghij", 2, []string{"abcd", "efgh", "ij"}},
		{"spaces hang at a line end", "ab cd", 1, []string{"ab ", "cd"}},
		{"newlines end lines and are consumed", "甲\n乙\r\n丙\r丁", 10, []string{"甲", "乙", "丙", "丁"}},
		{"blank lines are kept", "甲\n\n乙", 10, []string{"甲", "", "乙"}},
		{"empty text is one empty line", "", 10, []string{""}},
		{"a character wider than the line still prints", "中文", 0.5, []string{"中", "文"}},
		{"a suffix plus never starts a line", "互联网+、中国", 3, []string{"互联", "网+、", "中国"}},
		{"a plus before digits is a prefix", "电话+8612", 3, []string{"电话", "+8612"}},
		{"combining mark stays with its letter", "aae\u0301e", 1.5, []string{"aa", "e\u0301e"}},
		// Numbers and units.
		{"a year stays with 年", "发展之路。2015年，上海", 6, []string{"发展之路。", "2015年，上海"}},
		{"an amount stays with 万元", "预算金额共计159万元", 8, []string{"预算金额共计", "159万元"}},
		{"a date stays whole", "自2026年1月1日起施行", 6.5, []string{"自", "2026年1月1日", "起施行"}},
		{"a period stays whole", "服务周期2023.07-2024.01，全市", 9, []string{"服务周期", "2023.07-2024.01，", "全市"}},
		{"a period wider than the line breaks after its dash", "2023.07-2024.01", 4, []string{"2023.07-", "2024.01"}},
		{"a number wider than the line loses its unit before its digits", "预算1,234,567.89元", 6, []string{"预算", "1,234,567.89", "元"}},
		{"a sign stays with its number", "覆盖率达到≥80%以上", 6, []string{"覆盖率达到", "≥80%以上"}},
		{"a unit per unit stays whole", "补助标准1600元/亩，共", 7, []string{"补助标准", "1600元/亩，共"}},
		{"a counter stays with its number", "培训企业家共计12个月", 8, []string{"培训企业家共计", "12个月"}},
		// One-character last lines.
		{"no single character on the last line", "是否含有政府购买服务", 9, []string{"是否含有政府购买", "服务"}},
		{"narrow label: no single character on the last line", "经济效益指标", 5, []string{"经济效益", "指标"}},
		{"a single character with its stop is still alone", "完成培训任务。", 6, []string{"完成培训", "任务。"}},
		{"a lone character is fine when it is the whole paragraph", "好", 5, []string{"好"}},
		// Punctuation compression.
		{"closing title mark and opening bracket share an em", "依据《通知》（试行）执行", 9, []string{"依据《通知》（试行）", "执行"}},
		{"stop and opening quote share an em", "完成了。“专精特新”", 7.5, []string{"完成了。“专精", "特新”"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Break(tt.text, tt.width*testSize, testSize, RoleBody, visibleMarks{})
			if !slices.Equal(got, tt.want) {
				t.Errorf("Break(%q, %g em) = %q, want %q", tt.text, tt.width, got, tt.want)
			}
		})
	}
}

// visibleMarks is MonoMeasurer with combining marks as wide as letters, so
// a forced break could fall before one.
type visibleMarks struct{}

func (visibleMarks) Advance(role Role, r rune) (float64, bool) {
	if isExtend(r) {
		return 0.5, true
	}
	return MonoMeasurer{}.Advance(role, r)
}

// stripNewlines is what Break consumes.
func stripNewlines(s string) string {
	return strings.NewReplacer("\r\n", "", "\r", "", "\n", "").Replace(s)
}

// lineWidth is the width of a line as set: adjacent marks squeezed and a
// closing mark at the end overhanging by its blank half.
func lineWidth(s string) float64 {
	s = strings.TrimRight(s, " \t\u3000\u00a0")
	w, prev, prevEm := 0.0, rune(0), 0.0
	for _, r := range s {
		em, _ := MonoMeasurer{}.Advance(RoleBody, r)
		w += em * testSize
		if prev != 0 {
			w -= squeezeEm(prev, r, prevEm, em) * testSize
		}
		prev, prevEm = r, em
	}
	return w - endSqueezeEm(prev, prevEm)*testSize
}

// checkLines asserts the invariants every Break result has.
func checkLines(t *testing.T, text string, width float64, lines []string) {
	t.Helper()
	if got, want := strings.Join(lines, ""), stripNewlines(text); got != want {
		t.Fatalf("Break(%q, %g) lost or reordered text:\n got %q\nwant %q", text, width, got, want)
	}
	for _, l := range lines {
		if lineWidth(l) > width+1e-9 {
			// Only a single character (with its marks) may be wider.
			n := 0
			for _, r := range strings.TrimRight(l, " \t\u3000\u00a0") {
				if !isExtend(r) {
					n++
				}
			}
			if n > 1 {
				t.Fatalf("Break(%q, %g): line %q is %g wide", text, width, l, lineWidth(l))
			}
		}
	}
}

var alphabet = []string{
	"中", "文", "字", "𠮷", "，", "。", "、", "；", "：", "？", "！", "（", "）", "《", "》", "「", "」",
	"“", "”", "‘", "’", "——", "……", "…", "—", " ", "\u3000", "\n", "\r\n", "a", "b", "word", "ISO",
	"9001:2015", "1,234.56", "https://a.example.cn/x/y.html", "www.b.cn", "e\u0301", "%", "-", "/", "\u00a0",
	"\xff", "(", ")", "[", "]", "{沪经信企（2011）166号}",
}

func randomText(r *rand.Rand) string {
	var b strings.Builder
	n := r.IntN(60)
	for range n {
		b.WriteString(alphabet[r.IntN(len(alphabet))])
	}
	return b.String()
}

func TestBreakNeverLosesText(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	var br Breaker
	for range 20000 {
		text := randomText(r)
		width := float64(1+r.IntN(30)) * testSize / 2
		checkLines(t, text, width, br.Break(text, width, testSize, RoleBody, MonoMeasurer{}))
	}
}

func FuzzBreak(f *testing.F) {
	for _, s := range []string{"", "中文，标点", "他说——好……\n", "https://a.cn/x", "ab  cd\r\nef", "\xff\xfe"} {
		f.Add(s, 30.0)
	}
	f.Fuzz(func(t *testing.T, text string, width float64) {
		if !(width > 0 && width < 1e6) {
			return
		}
		checkLines(t, text, width, Break(text, width, testSize, RoleBody, MonoMeasurer{}))
	})
}

// On real text, at any sensible width, the 禁则 hold at every break.
func TestBreakSeedKinsoku(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("..", "..", "testdata", "seed", "2020-performance-targets.txt"))
	if err != nil {
		t.Fatal(err)
	}
	var br Breaker
	for _, line := range strings.Split(string(data), "\n") {
		for _, cell := range strings.Split(line, "\t") {
			for em := 6; em <= 40; em++ {
				width := float64(em) * testSize
				lines := br.Break(cell, width, testSize, RoleBody, MonoMeasurer{})
				checkLines(t, cell, width, lines)
				for i := 1; i < len(lines); i++ {
					prev, cur := lines[i-1], lines[i]
					first, _ := utf8.DecodeRuneInString(cur)
					last, _ := utf8.DecodeLastRuneInString(prev)
					if noLineStart(first) {
						t.Errorf("%d em: line %q starts with %q", em, cur, first)
					}
					if noLineEnd(last) {
						t.Errorf("%d em: line %q ends with %q", em, prev, last)
					}
					if inseparable(last, first) {
						t.Errorf("%d em: %q|%q splits a mark", em, prev, cur)
					}
				}
			}
		}
	}
}

func BenchmarkBreak(b *testing.B) {
	text := strings.Repeat("2011年，上海市经济信息化委等12个部门正式实施“专精特新”中小企业培育工程，出台《关于加快促进“专精特新”中小企业创新驱动、转型发展的意见》。", 4)
	var br Breaker
	var dst []string
	b.ReportAllocs()
	for b.Loop() {
		dst = br.AppendBreak(dst[:0], text, 350, 10.5, RoleBody, MonoMeasurer{})
	}
}
