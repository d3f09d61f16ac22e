package textform

import (
	"strings"
)

// labelKeys maps a normalised label (no colon, no unit, no spaces) to a field
// key of reports.Form. Synonyms used by other issuers are accepted.
var labelKeys = map[string]string{
	"申报单位名称":       "unit",
	"申报单位":         "unit",
	"单位名称":         "unit",
	"项目名称":         "project",
	"项目类别":         "category",
	"项目类型":         "category",
	"计划开始日期":       "start",
	"计划完成日期":       "end",
	"计划结束日期":       "end",
	"是否含有政府购买服务":   "gov_purchase",
	"是否含政府购买服务":    "gov_purchase",
	"绩效类型":         "perf_type",
	"项目概况":         "overview",
	"立项依据":         "basis",
	"项目立项依据":       "basis",
	"项目设立的必要性":     "necessity",
	"项目设立必要性":      "necessity",
	"保证项目实施的制度、措施": "measures",
	"保证项目实施的制度措施":  "measures",
	"项目实施计划":       "plan",
	"总目标及阶段性目标":    "goals",
	"项目总预算":        "funds.total",
	"项目当年预算":       "funds.current",
	"同名项目上年预算额":    "funds.last_budget",
	"同名项目上年预算执行数":  "funds.last_spent",
	"年度":           "year",
}

// columnKeys maps indicator table headers to indicator column keys; an
// unknown header becomes an extra column keyed by its own text.
var columnKeys = map[string]string{
	"一级目标":   "level1",
	"一级指标":   "level1",
	"二级目标":   "level2",
	"二级指标":   "level2",
	"三级目标":   "level3",
	"三级指标":   "level3",
	"指标目标值":  "target",
	"指标值":    "target",
	"指标值及单位": "target",
	"年度指标值":  "target",
	"目标值":    "target",
}

// labelText is the canonical label written for each key.
var labelText = map[string]string{
	"unit":              "申报单位名称",
	"project":           "项目名称",
	"category":          "项目类别",
	"start":             "计划开始日期",
	"end":               "计划完成日期",
	"gov_purchase":      "是否含有政府购买服务",
	"perf_type":         "绩效类型",
	"overview":          "项目概况",
	"basis":             "立项依据",
	"necessity":         "项目设立的必要性",
	"measures":          "保证项目实施的制度、措施",
	"plan":              "项目实施计划",
	"goals":             "总目标及阶段性目标",
	"funds.total":       "项目总预算（元）",
	"funds.current":     "项目当年预算（元）",
	"funds.last_budget": "同名项目上年预算额（元）",
	"funds.last_spent":  "同名项目上年预算执行数（元）",
}

// unit is the money unit a label states: "元" (default) or "万元".
type unit int

const (
	unitYuan unit = iota
	unitWanYuan
)

// normalizeLabel strips a trailing colon, spaces and a unit in brackets, and
// reports the unit: "项目总预算（万元）：" → "项目总预算", unitWanYuan.
func normalizeLabel(s string) (string, unit) {
	t := strings.TrimSpace(s)
	t = strings.TrimRight(t, "：: \u3000")
	u := unitYuan
	for _, suffix := range []string{"（万元）", "(万元)", "（元）", "(元)"} {
		if strings.HasSuffix(t, suffix) {
			if strings.Contains(suffix, "万") {
				u = unitWanYuan
			}
			t = strings.TrimSuffix(t, suffix)
			break
		}
	}
	t = strings.Join(strings.Fields(t), "")
	return t, u
}

// splitColon splits "label：value" at the first colon, full- or half-width.
func splitColon(s string) (label, value string, ok bool) {
	i := strings.IndexAny(s, "：:")
	if i < 0 {
		return "", "", false
	}
	_, size := firstRuneAt(s, i)
	return s[:i], s[i+size:], true
}

func firstRuneAt(s string, i int) (rune, int) {
	for j, r := range s[i:] {
		_ = j
		return r, len(string(r))
	}
	return 0, 0
}

func isTitle(cell string) bool {
	t := strings.TrimSpace(cell)
	if strings.ContainsAny(t, "：:") {
		return false
	}
	return strings.HasSuffix(t, "绩效目标表") || strings.HasSuffix(t, "绩效目标申报表")
}
