package formgen

import (
	"fmt"
	"iter"
	"math/rand/v2"
	"os"
	"slices"
	"strings"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/textform"
)

// Options say how many forms to make and how they vary.
type Options struct {
	N     int    // number of forms
	Year  int    // 年度 of every form; 0 keeps the sample's year
	Units int    // number of distinct 申报单位 (default 50)
	Seed  uint64 // random seed; the same seed gives the same forms

	// InvalidEvery makes every k-th form (k, 2k, …; 1-based) fail
	// validation, so batches can be tested on failures. 0 makes none.
	InvalidEvery int
	// RareEvery puts a character outside the BMP (𠮷, CJK Ext-B, covered
	// only by the fallback font) into every k-th form's project overview.
	RareEvery int
}

// unitStems and unitKinds combine into plausible issuing units.
var (
	unitStems = []string{
		"市促进中小企业发展协调办公室", "市经济和信息化委员会", "市财政局", "市教育委员会", "市卫生健康委员会",
		"市科学技术委员会", "市民政局", "市交通委员会", "市生态环境局", "市文化和旅游局",
		"市农业农村委员会", "市商务委员会", "市体育局", "市水务局", "市绿化和市容管理局",
		"市住房和城乡建设管理委员会", "市人力资源和社会保障局", "市市场监督管理局", "市司法局", "市统计局",
	}
	unitPlaces = []string{"上海", "浦东新区", "黄浦区", "徐汇区", "长宁区", "静安区", "普陀区", "虹口区", "杨浦区", "闵行区", "宝山区", "嘉定区", "金山区", "松江区", "青浦区", "奉贤区", "崇明区"}

	projectTopics = []string{
		"企业培育", "中小企业服务体系建设", "专精特新企业认定", "信息化平台运维", "公共服务平台建设",
		"人才培训", "政策研究", "统计监测", "宣传推广", "设备购置",
		"档案数字化", "安全生产检查", "绿色发展示范", "创新创业大赛", "融资担保补贴",
		"标准化建设", "质量提升行动", "数据资源整合", "应急保障", "课题调研",
	}
	projectSuffixes = []string{"", "（一期）", "（二期）", "专项", "项目", "补助", "运维经费", "工作经费"}
	categories      = []string{"其他经常性项目", "一次性项目", "跨年度项目", "经常性项目"}
	perfTypes       = []string{"其他类", "政策类", "信息化类", "基建类", "购置类"}

	// Phrases added to long texts: Chinese and Latin punctuation, numbers,
	// a URL, quotes and brackets exercise line breaking.
	phrases = []string{
		"根据《关于进一步加强财政项目支出绩效管理的通知》（财预〔2020〕10号）要求，",
		"项目实施过程中严格执行政府采购和合同管理制度。",
		"按照“全过程、全覆盖”的原则开展绩效监控——每季度形成监控报告……",
		"相关信息见 https://www.example.gov.cn/zxqy/notice-2020.html，",
		"预计服务企业1,234家次，覆盖16个区。",
		"ISO 9001:2015质量管理体系认证已于2019年完成；",
		"（一）加强组织领导；（二）完善制度建设；（三）强化监督检查。",
		"资金使用坚持“专款专用、单独核算”，",
	}
)

// Generate returns an iterator over o.N forms derived from the sample forms:
// their texts and indicator tables, with units, projects, amounts, dates,
// indicator counts and text lengths varied. The index is 0-based.
func Generate(sample []reports.Form, o Options) iter.Seq2[int, reports.Form] {
	return func(yield func(int, reports.Form) bool) {
		if len(sample) == 0 || o.N <= 0 {
			return
		}
		units := o.Units
		if units <= 0 {
			units = 50
		}
		rng := rand.New(rand.NewPCG(o.Seed, 0x5eed))
		for i := range o.N {
			f := vary(rng, &sample[i%len(sample)], i, units, o)
			if !yield(i, f) {
				return
			}
		}
	}
}

// UnitName returns the name of the k-th generated unit, so tests can filter
// a batch by unit without guessing.
func UnitName(k int) string {
	place := unitPlaces[k%len(unitPlaces)]
	stem := unitStems[(k/len(unitPlaces))%len(unitStems)]
	if place != "上海" {
		stem = strings.Replace(stem, "市", "", 1)
		if !strings.HasSuffix(stem, "办公室") {
			stem = strings.NewReplacer("委员会", "委", "管理局", "局").Replace(stem)
		}
	}
	name := place + stem
	if n := k / (len(unitPlaces) * len(unitStems)); n > 0 {
		name += fmt.Sprintf("第%d分部", n+1)
	}
	return name
}

func vary(rng *rand.Rand, s *reports.Form, i, units int, o Options) reports.Form {
	f := *s
	f.Source, f.Lines, f.Extra = "", nil, nil
	if o.Year != 0 {
		f.Year = o.Year
		f.TargetsHeading = fmt.Sprintf("%d年绩效目标", o.Year)
	}
	f.Unit = UnitName(i % units)
	f.Project = fmt.Sprintf("%s%s%d", pick(rng, projectTopics), pick(rng, projectSuffixes), i+1)
	f.Category = pick(rng, categories)
	f.PerfType = pick(rng, perfTypes)
	f.GovPurchase = []string{"是", "否"}[rng.IntN(2)]

	startMonth := 1 + rng.IntN(6)
	endMonth := startMonth + 1 + rng.IntN(12-startMonth)
	f.Start = fmt.Sprintf("%d-%02d-01", f.Year, startMonth)
	f.End = fmt.Sprintf("%d-%02d-%02d", f.Year, endMonth, lastDay(f.Year, endMonth))

	f.Overview = longText(rng, s.Overview)
	f.Basis = longText(rng, s.Basis)
	f.Necessity = longText(rng, s.Necessity)
	f.Measures = longText(rng, s.Measures)
	f.Plan = longText(rng, s.Plan)
	f.Goals = longText(rng, s.Goals)
	if o.RareEvery > 0 && (i+1)%o.RareEvery == 0 {
		f.Overview = "吉（𠮷）字号企业：" + f.Overview
	}

	// Amounts in whole 元 or with 分; current ≤ total, spent ≤ budget.
	total := int64(10_000+rng.IntN(5_000_000)) * 100
	if rng.IntN(3) == 0 {
		total += int64(rng.IntN(100))
	}
	lastBudget := int64(rng.IntN(4_000_000)) * 100
	f.Funds = reports.Funds{
		Total:      reports.Money{Fen: total, Set: true},
		Current:    reports.Money{Fen: total - total/int64(2+rng.IntN(8))*int64(rng.IntN(2)), Set: true},
		LastBudget: reports.Money{Fen: lastBudget, Set: true},
		LastSpent:  reports.Money{Fen: lastBudget * int64(80+rng.IntN(21)) / 100, Set: true},
	}

	f.Indicators = indicators(rng, s.Indicators)
	if o.InvalidEvery > 0 && (i+1)%o.InvalidEvery == 0 {
		// A missing 项目类别 and an unparseable target: two errors a
		// clerk could make.
		f.Category = ""
		f.Indicators[len(f.Indicators)-1].Target = ">=八成"
	}
	return f
}

// longText keeps the sample text's start and adds 0–6 phrases, so lengths
// vary from a line to a page.
func longText(rng *rand.Rand, base string) string {
	r := []rune(base)
	if len(r) > 40 && rng.IntN(3) == 0 {
		r = r[:20+rng.IntN(len(r)-20)]
	}
	var b strings.Builder
	b.WriteString(string(r))
	for range rng.IntN(7) {
		b.WriteString(pick(rng, phrases))
	}
	return b.String()
}

// indicators returns between 3 and 3+2×len(base) rows built from the
// sample's rows, keeping levels grouped as forms print them.
func indicators(rng *rand.Rand, base []reports.Indicator) []reports.Indicator {
	if len(base) == 0 {
		return nil
	}
	n := 3 + rng.IntN(2*len(base))
	out := make([]reports.Indicator, 0, n)
	for k := range n {
		in := base[k%len(base)]
		in.Extra = nil
		if k >= len(base) {
			in.Level3 = fmt.Sprintf("%s（%d）", in.Level3, k/len(base)+1)
		}
		out = append(out, in)
	}
	// Keep rows of the same level 1 and level 2 together, in the sample's
	// order, so merged cells stay merged as on a real form.
	order := map[[2]string]int{}
	for _, in := range base {
		if _, ok := order[[2]string{in.Level1, in.Level2}]; !ok {
			order[[2]string{in.Level1, in.Level2}] = len(order)
		}
	}
	slices.SortStableFunc(out, func(a, b reports.Indicator) int {
		return order[[2]string{a.Level1, a.Level2}] - order[[2]string{b.Level1, b.Level2}]
	})
	return out
}

func pick(rng *rand.Rand, xs []string) string { return xs[rng.IntN(len(xs))] }

func lastDay(year, month int) int {
	return [...]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}[month-1] + leap(year, month)
}

func leap(year, month int) int {
	if month == 2 && (year%4 == 0 && year%100 != 0 || year%400 == 0) {
		return 1
	}
	return 0
}

// ReadSample reads the sample forms (the seed's text format) from path.
func ReadSample(path string) ([]reports.Form, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("read sample: %w", err)
	}
	defer f.Close()
	return textform.Read(f, path)
}
