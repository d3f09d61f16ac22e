package pdf_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/pdf"
	"github.com/reportd/reportd/reports/textform"
)

// The line check reads the printed lines back with pdftotext -bbox-layout
// (independently of how the PDF was written) and counts, within each text
// block (a cell), what a typesetter would not let through; the same rules
// as /work/shared/tools/pdf-line-check:
//
//	kinsoku: a line starting with closing punctuation or ending with opening punctuation
//	number:  a number cut at a line end ("2015" / "年", "2023.07-202" / "4.01")
//	widow:   a last line of a paragraph of two or more lines holding one Chinese character
type lineFaults struct{ lines, kinsoku, number, widow int }

const (
	lcClose = "，。、；：？！）」』】〉》”’〕］｝〗〙〛…‥·・%‰℃,.;:?!)]}"
	lcOpen  = "（「『【〈《“‘〔［｛〖〘〚([{"
	lcUnits = "年月日%‰℃元万亿家个人次天项份件台套座亩公里米吨户所名条"
)

type bboxLine struct {
	xMin, yMin float64
	s          string
}

var (
	reBlock = regexp.MustCompile(`(?s)<block .*?</block>`)
	reLine  = regexp.MustCompile(`(?s)<line xMin="([\d.]+)" yMin="([\d.]+)" xMax="[\d.]+" yMax="[\d.]+">(.*?)</line>`)
	reWord  = regexp.MustCompile(`<word [^>]*>(.*?)</word>`)
	rePage  = regexp.MustCompile(`(?s)<page.*?</page>`)
)

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' || r >= '０' && r <= '９' }
func isCJKRune(r rune) bool {
	return r >= 0x3400 && r <= 0x9fff || r >= 0x20000 && r <= 0x3ffff
}

func lineCheck(t *testing.T, pdfData []byte) (f lineFaults, report []string) {
	t.Helper()
	out := run(t, "pdftotext", "-bbox-layout", writeFile(t, pdfData), "-")
	for _, page := range rePage.FindAllString(out, -1) {
		for _, blk := range reBlock.FindAllString(page, -1) {
			var ls []bboxLine
			for _, m := range reLine.FindAllStringSubmatch(blk, -1) {
				x, _ := strconv.ParseFloat(m[1], 64)
				y, _ := strconv.ParseFloat(m[2], 64)
				var s strings.Builder
				for _, w := range reWord.FindAllStringSubmatch(m[3], -1) {
					s.WriteString(html.UnescapeString(w[1]))
				}
				ls = append(ls, bboxLine{x, y, s.String()})
			}
			f.lines += len(ls)
			cont := func(a, b bboxLine) bool {
				return a.s != "" && b.s != "" && abs(a.xMin-b.xMin) <= 60 && b.yMin-a.yMin > 0 && b.yMin-a.yMin < 30
			}
			for i := 0; i+1 < len(ls); i++ {
				if !cont(ls[i], ls[i+1]) {
					continue
				}
				a, n := []rune(ls[i].s), []rune(ls[i+1].s)
				if strings.ContainsRune(lcClose, n[0]) || strings.ContainsRune(lcOpen, a[len(a)-1]) {
					f.kinsoku++
					report = append(report, fmt.Sprintf("kinsoku: %s / %s", ls[i].s, ls[i+1].s))
				}
				if isDigitRune(a[len(a)-1]) && (isDigitRune(n[0]) || strings.ContainsRune(lcUnits, n[0]) || n[0] == '.' || n[0] == '．') {
					f.number++
					report = append(report, fmt.Sprintf("number: %s / %s", ls[i].s, ls[i+1].s))
				}
			}
			run := 1
			for i := 1; i <= len(ls); i++ {
				if i < len(ls) && abs(ls[i].xMin-ls[i-1].xMin) < 60 && ls[i].yMin-ls[i-1].yMin > 0 && ls[i].yMin-ls[i-1].yMin < 30 {
					run++
					continue
				}
				var core []rune
				for _, r := range ls[i-1].s {
					if !strings.ContainsRune(lcClose, r) {
						core = append(core, r)
					}
				}
				if run >= 2 && len(core) == 1 && isCJKRune(core[0]) {
					f.widow++
					report = append(report, fmt.Sprintf("widow: %s / %s", ls[i-2].s, ls[i-1].s))
				}
				run = 1
			}
		}
	}
	return f, report
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}

// hardForms are the sample's first form made hard: a 2,400-character
// overview of numbers, dates, units and punctuation runs, indicator names
// that end in a unit or a date in narrow columns, labels of the 经济效益指标
// kind, and (with fonts-hanazono) CJK Extension B characters.
func hardForms(t *testing.T, rare bool) []reports.Form {
	f := seedForms(t)[0]
	sentence := "2015年，上海市经济信息化委等7部门出台《关于促进中小企业“专精特新”发展的指导意见》（工信部企业[2013]264号），自2026年1月1日起施行；服务周期2023.07-2024.01，预算159万元，补助标准1600元/亩，覆盖率≥80%。“专精特新”——小巨人……（二）《通知》：“好”。"
	var b strings.Builder
	for b.Len() < 2400*3 {
		b.WriteString(sentence)
	}
	long := []rune(b.String())[:2400]
	f.Overview = string(long)
	f.Basis = strings.Repeat("依据《通知》（试行）执行。“是”，“否”？！", 30)
	rareText := ""
	if rare {
		rareText = "𠮷𠀀"
	}
	for i := range f.Indicators {
		ind := &f.Indicators[i]
		ind.Level3 = []string{"是否含有政府购买服务", "经济效益指标", "服务周期2023.07-2024.01", "2026年1月1日完成",
			"资金159万元", "社会效益指标" + rareText, "《通知》（试行）落实率", "专精特新企业数量（家）"}[i%8]
		ind.Target = reports.Target([]string{">=2500家", "=100%", "2023.07-2024.01", "≥80M", "1600元/亩", "250万", "≥20年", "10"}[i%8])
	}
	return []reports.Form{f}
}

func TestLineCheck(t *testing.T) {
	needTool(t, "pdftotext")
	forms := seedForms(t)
	for _, file := range []string{"hunan-2023", "hunan-infra-2022", "national-2023", "wuhan-2020"} {
		path := "../../testdata/families/" + file + ".txt"
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		more, err := textform.Reader{Families: mustRegistry(t)}.Read(fh, path)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		forms = append(forms, more...)
	}
	fonts := mustFonts(t)
	_, _, _, fallbacks := fonts.Fonts()
	forms = append(forms, hardForms(t, len(fallbacks) > 0)...)
	if len(fallbacks) == 0 {
		t.Log("fonts-hanazono not installed: the hard case has no CJK Extension B characters")
	}
	r := pdf.NewRenderer(fonts, mustRegistry(t), pdf.Options{})
	var total lineFaults
	for i := range forms {
		f := &forms[i]
		var buf bytes.Buffer
		if err := r.Render(context.Background(), &buf, f); err != nil {
			t.Fatalf("%s: %v", f.Project, err)
		}
		if dir := os.Getenv("REPORTD_LINECHECK_DIR"); dir != "" {
			// For the shared checker: pdf-line-check $REPORTD_LINECHECK_DIR/*.pdf
			if err := os.WriteFile(fmt.Sprintf("%s/%02d-%s.pdf", dir, i, f.Family), buf.Bytes(), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		got, report := lineCheck(t, buf.Bytes())
		total.lines += got.lines
		if got.kinsoku+got.number+got.widow > 0 {
			t.Errorf("%s (%s): %d lines, kinsoku %d, number %d, widow %d:\n%s", f.Project, f.Family, got.lines, got.kinsoku, got.number, got.widow, strings.Join(report, "\n"))
		}
	}
	if total.lines < 500 {
		t.Errorf("only %d lines checked", total.lines)
	}
	t.Logf("%d forms, %d lines checked", len(forms), total.lines)
}
