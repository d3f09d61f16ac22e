package textform

import (
	"bufio"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/reportd/reportd/reports"
)

// Write prints forms in the seed's text format. Level-1/level-2 cells equal
// to the row above are left blank, as in the published sample, so the text
// reads like the printed form; Read fills them in again.
func Write(w io.Writer, forms []reports.Form) error {
	bw := bufio.NewWriter(w)
	for i := range forms {
		if i > 0 {
			bw.WriteString("\n")
		}
		writeForm(bw, &forms[i])
	}
	return bw.Flush()
}

func writeForm(w *bufio.Writer, f *reports.Form) {
	row := func(cells ...string) {
		for i, c := range cells {
			if i > 0 {
				w.WriteByte('\t')
			}
			w.WriteString(quote(c))
		}
		for i := len(cells); i < 4; i++ {
			w.WriteByte('\t')
		}
		w.WriteByte('\n')
	}
	row(f.DisplayTitle())
	if f.Year != 0 {
		row("(" + strconv.Itoa(f.Year) + "年度)")
	}
	row("申报单位名称：" + f.Unit)
	pair := func(a, b string) { row(labelText[a]+"：", f.Get(a), labelText[b]+"：", f.Get(b)) }
	pair("project", "category")
	pair("start", "end")
	pair("gov_purchase", "perf_type")
	for _, k := range []string{"overview", "basis", "necessity", "measures", "plan", "goals"} {
		row(labelText[k]+"：", f.Get(k))
	}
	w.WriteString("\n")
	heading := f.FundsHeading
	if heading == "" {
		heading = "本项目上年度市级财政资金使用情况"
	}
	row(heading)
	pair("funds.total", "funds.current")
	pair("funds.last_budget", "funds.last_spent")
	w.WriteString("\n")
	th := f.TargetsHeading
	if th == "" {
		th = "年度绩效目标"
		if f.Year != 0 {
			th = strconv.Itoa(f.Year) + "年绩效目标"
		}
	}
	w.WriteString("### " + th + "\n\n")
	extras := extraColumns(f.Indicators)
	header := []string{"一级目标", "二级目标", "三级目标", "指标目标值"}
	w.WriteString(strings.Join(append(header, extras...), "\t") + "\n")
	for i, in := range f.Indicators {
		l1, l2 := in.Level1, in.Level2
		if i > 0 {
			prev := f.Indicators[i-1]
			if l1 == prev.Level1 {
				l1 = ""
				if l2 == prev.Level2 {
					l2 = ""
				}
			}
		}
		cells := []string{l1, l2, in.Level3, string(in.Target)}
		for _, k := range extras {
			cells = append(cells, in.Extra[k])
		}
		for j, c := range cells {
			if j > 0 {
				w.WriteByte('\t')
			}
			w.WriteString(quote(c))
		}
		w.WriteByte('\n')
	}
}

// extraColumns lists family-specific indicator columns, in a stable order.
func extraColumns(ins []reports.Indicator) []string {
	var keys []string
	for _, in := range ins {
		for k := range in.Extra {
			if !slices.Contains(keys, k) {
				keys = append(keys, k)
			}
		}
	}
	sort.Strings(keys)
	return keys
}

// quote wraps a cell holding a tab, line break or leading quote the way
// Excel does, so Read gets the same text back.
func quote(s string) string {
	if !strings.ContainsAny(s, "\t\n\r") && !strings.HasPrefix(s, `"`) {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}
