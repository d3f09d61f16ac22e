package evaluation_test

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/evaluation"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/xlsx"
)

// blankWorkbook renders the pre-filled self-evaluation workbook of the
// sample's first form: targets filled and locked, actual cells open.
func blankWorkbook(t *testing.T, fams *family.Registry) (*reports.Form, []byte) {
	t.Helper()
	target := mustActuals(t, "2020-企业培育-self-evaluation.json").Form
	r, err := evaluation.Evaluate(fams, target, reports.NewActuals(reports.KindSelfEvaluation, target))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := xlsx.NewRenderer(fams, xlsx.Options{}).Render(context.Background(), &buf, r.Form); err != nil {
		t.Fatal(err)
	}
	return target, buf.Bytes()
}

// fill writes what a clerk types into the workbook: cells found by their
// row label (or, in the indicator table, the row's 三级指标) and column.
func fill(t *testing.T, data []byte, edits map[[2]string]string) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sheet := f.GetSheetName(0)
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	// Column of each header text, row of each row label (三级指标 names the
	// rows of the indicator table).
	colOf, rowOf := map[string]int{}, map[string]int{}
	for ri, row := range rows {
		for ci, v := range row {
			v = strings.TrimSpace(v)
			colOf[v] = ci + 1 // the last header of that name: the indicator table's
			if _, ok := rowOf[v]; !ok {
				rowOf[v] = ri + 1
			}
		}
	}
	for k, v := range edits {
		r, c := rowOf[k[0]], colOf[k[1]]
		if r == 0 || c == 0 {
			t.Fatalf("test setup: no cell at %q × %q", k[0], k[1])
		}
		name, _ := excelize.CoordinatesToCellName(c, r)
		if err := f.SetCellStr(sheet, name, v); err != nil {
			t.Fatal(err)
		}
	}
	var out bytes.Buffer
	if err := f.Write(&out); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

var clerkEdits = map[[2]string]string{
	{"年度资金总额", "年初预算数"}:        "79",
	{"年度资金总额", "全年预算数"}:        "79",
	{"年度资金总额", "全年执行数"}:        "75.13",
	{"预算执行率", "实际完成值"}:         "95.1%",
	{"资金使用规范性", "实际完成值"}:       "规范",
	{"资金使用规范性", "得分"}:          "3.33",
	{"预算资金到位率", "实际完成值"}:       "100%",
	{"专精特新数量", "实际完成值"}:        "2310家",
	{"专精特新数量", "偏差原因分析及改进措施"}:  "疫情影响，部分企业延期申报",
	{"项目质量可控性", "实际完成值"}:       "可控",
	{"项目质量可控性", "得分"}:          "12",
	{"项目质量可控性", "偏差原因分析及改进措施"}: "个别证书返工",
	{"实施时间", "实际完成值"}:          "180天",
	{"销售增长", "实际完成值"}:          "10.5%",
	{"市区共享", "实际完成值"}:          "已共享",
	{"市区共享", "得分"}:             "10",
}

// checkClerkScore reads the filled workbook back and scores it.
func checkClerkScore(t *testing.T, fams *family.Registry, target *reports.Form, data []byte) {
	t.Helper()
	forms, err := xlsx.Reader{Families: fams}.Read(bytes.NewReader(data), "自评表.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	if len(forms) != 1 || forms[0].Family != "self-evaluation-2020" {
		t.Fatalf("read %d forms of family %q", len(forms), forms[0].Family)
	}
	a, err := evaluation.FromDerived(fams, target, nil, &forms[0])
	if err != nil {
		t.Fatalf("read back: %v %v", err, problemsOf(err))
	}
	if a.Funds.Total.Spent.Fen != 75130000 || a.Indicators[3].Actual != "2310家" || a.Indicators[4].Score != "12" || a.Indicators[0].Points != "" {
		t.Fatalf("actuals read back wrong: %+v %+v", a.Funds.Total, a.Indicators)
	}
	r, err := evaluation.Evaluate(fams, target, a)
	if err != nil {
		t.Fatal(err)
	}
	if r.Problems.HasErrors() {
		t.Fatalf("problems: %v", r.Problems)
	}
	// As the JSON sample: 质量 12 of 40/3 (90%), 规范 3.33 (full points
	// of 10/3 as printed), 销售增长 full.
	if got := r.Score.Fmt(r.Score.Total); got != "97.16" {
		t.Errorf("total %s\n%s", got, r.Explain())
	}
}

func TestPrefilledWorkbookRoundTrip(t *testing.T) {
	fams := mustFamilies(t)
	target, data := blankWorkbook(t, fams)
	// Targets are locked, actuals open.
	f, err := excelize.OpenReader(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	sheet := f.GetSheetName(0)
	locked := func(text string) (bool, bool) {
		cells, _ := f.SearchSheet(sheet, "^"+text+"$", true)
		if len(cells) == 0 {
			return false, false
		}
		id, _ := f.GetCellStyle(sheet, cells[0])
		st, _ := f.GetStyle(id)
		return st.Protection == nil || st.Protection.Locked, true
	}
	if l, ok := locked("=2500家"); !ok || !l {
		t.Errorf("the target =2500家 must be locked (found %v)", ok)
	}
	f.Close()
	edited := fill(t, data, clerkEdits)
	checkClerkScore(t, fams, target, edited)

	// A workbook of another version of the form is refused, naming the row.
	changed := *target
	changed.Indicators = append([]reports.Indicator(nil), target.Indicators...)
	changed.Indicators[3].Target = "=2600家"
	forms, err := xlsx.Reader{Families: fams}.Read(bytes.NewReader(edited), "自评表.xlsx")
	if err != nil {
		t.Fatal(err)
	}
	_, err = evaluation.FromDerived(fams, &changed, nil, &forms[0])
	var re *reports.Error
	if !errorsAs(err, &re) || len(re.Problems) != 1 || re.Problems[0].Path != "indicators[3].level3" || !strings.Contains(re.Problems[0].Message, "目标表已修改") {
		t.Errorf("err = %v", err)
	}
}

// The same workbook saved by LibreOffice (as a clerk using it would) reads
// back the same.
func TestPrefilledWorkbookThroughLibreOffice(t *testing.T) {
	bin, err := exec.LookPath("soffice")
	if err != nil {
		t.Skip("soffice not installed (Debian: libreoffice-calc-nogui); .ci/run installs it")
	}
	fams := mustFamilies(t)
	target, data := blankWorkbook(t, fams)
	edited := fill(t, data, clerkEdits)
	dir := t.TempDir()
	in := filepath.Join(dir, "in", "自评表.xlsx")
	if err := os.MkdirAll(filepath.Dir(in), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(in, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out := filepath.Join(dir, "out")
	cmd := exec.CommandContext(ctx, bin, "-env:UserInstallation=file://"+filepath.Join(dir, "profile"), "--headless", "--convert-to", "xlsx", "--outdir", out, in)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, msg)
	}
	saved, err := os.ReadFile(filepath.Join(out, "自评表.xlsx"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(saved, edited) {
		t.Fatal("LibreOffice did not rewrite the workbook")
	}
	checkClerkScore(t, fams, target, saved)
}
