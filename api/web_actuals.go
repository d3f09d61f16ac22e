package api

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/labstack/echo/v5"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/evaluation"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/store"
)

// The actuals page: GET /forms/{id}/actuals/{kind} shows the 自评表 (or
// 监控表) laid out like the print with the clerk's cells open; POST saves
// them (op=save) or, for the page's script, answers the score and problems
// of what is typed as JSON (op=score) so the score updates while typing.

// derivedProblems moves problems to the derived form's paths, where the
// page shows them beside their cells.
func derivedProblems(ps reports.Problems) reports.Problems {
	out := make(reports.Problems, len(ps))
	for i, p := range ps {
		p.Path = reports.DerivedPath(p.Path)
		out[i] = p
	}
	return out
}

// actualsView is the page's data.
type actualsView struct {
	Form      store.StoredForm
	Kind      string
	KindTitle string
	Version   int
	Grid      htmlGrid
	Label     string
	Total     string
	Grade     string
	Errors    int
	Problems  []reports.Problem
}

func (w *web) actualsPage(c *echo.Context) error {
	kind, suffix, err := actualsKind(c)
	if err != nil {
		return err
	}
	if suffix != "" {
		return w.s.getActuals(c) // the document (…/self-evaluation.pdf)
	}
	sf, sa, err := w.s.formAndActuals(c, kind)
	if err != nil {
		return err
	}
	target, err := w.s.pinnedForm(c, sf, sa.FormVersion)
	if err != nil {
		return err
	}
	r, err := evaluation.Evaluate(w.fams, &target, &sa.Actuals)
	if err != nil {
		return err
	}
	var fl *flash
	if c.QueryParam("saved") != "" {
		fl = &flash{Kind: "ok", Text: "已保存第 " + strconv.Itoa(sa.Version) + " 版。"}
	}
	ps := r.Problems
	if sa.Version == 0 {
		ps = nil // a blank report: nothing entered yet, nothing to reproach
	}
	return w.showActuals(c, http.StatusOK, sf, kind, sa.Version, r, ps, fl)
}

func (w *web) showActuals(c *echo.Context, status int, sf store.StoredForm, kind string, version int, r *evaluation.Result, ps reports.Problems, fl *flash) error {
	dps := derivedProblems(ps)
	v := actualsView{Form: sf, Kind: kind, KindTitle: reports.KindTitle(kind), Version: version,
		Grid: gridHTML(layout.Build(r.Form, r.Family), dps), Label: reports.KindTitle(kind) + "（按打印格式填写）",
		Errors: len(ps.Errors()), Problems: dps}
	if r.Score != nil {
		v.Total, v.Grade = r.Score.Fmt(r.Score.Total), r.Score.Grade
	}
	// 得分 is the clerk's only on qualitative rows; the others are computed.
	for ri := range v.Grid.Rows {
		for ci := range v.Grid.Rows[ri].Cells {
			cell := &v.Grid.Rows[ri].Cells[ci]
			rest, ok := strings.CutPrefix(cell.Path, "indicators[")
			if !ok || !strings.HasSuffix(rest, "].score") {
				continue
			}
			i, err := strconv.Atoi(strings.TrimSuffix(rest, "].score"))
			if err != nil || i >= len(r.Form.Indicators) {
				continue
			}
			if _, quant, _ := r.Form.Indicators[i].Target.Parse(); quant {
				cell.Open = false
			}
		}
	}
	return w.render(c, status, "actuals", page{Title: v.KindTitle + "：" + sf.Form.Project, Nav: "forms", Flash: fl, Data: v})
}

// postedDerived is the derived form with the page's open cells replaced by
// what was posted (cells are named by their path).
func postedDerived(c *echo.Context, r *evaluation.Result) *reports.Form {
	form, _ := c.FormValues() // parsed by auth
	d := *r.Form
	d.Extra = map[string]string{}
	for k, v := range r.Form.Extra {
		d.Extra[k] = v
	}
	d.Indicators = make([]reports.Indicator, len(r.Form.Indicators))
	for i, in := range r.Form.Indicators {
		in.Extra = map[string]string{}
		for k, v := range r.Form.Indicators[i].Extra {
			in.Extra[k] = v
		}
		d.Indicators[i] = in
	}
	for path, vs := range form {
		if len(vs) == 0 {
			continue
		}
		v := normalizeNewlines(strings.TrimSpace(vs[0]))
		if rest, ok := strings.CutPrefix(path, "indicators["); ok {
			idx, key, _ := strings.Cut(rest, "].")
			i, err := strconv.Atoi(idx)
			if err != nil || i < 0 || i >= len(d.Indicators) || isLevel(key) || key == "target" {
				continue
			}
			d.Indicators[i].Extra[key] = v
			continue
		}
		if k, ok := strings.CutPrefix(path, "extra."); ok {
			d.Extra[k] = v
		}
	}
	return &d
}

// saveActuals is POST /forms/{id}/actuals/{kind}.
func (w *web) saveActuals(c *echo.Context) error {
	kind, suffix, err := actualsKind(c)
	if err != nil || suffix != "" {
		return reports.Errorf(reports.ENOTFOUND, "no report kind %q", c.Param("kind"))
	}
	sf, sa, err := w.s.formAndActuals(c, kind)
	if err != nil {
		return err
	}
	if !caller(c).Sees(sf.Form.Unit) {
		return store.NotFound("form", sf.ID)
	}
	form, _ := c.FormValues()
	version, err := strconv.Atoi(form.Get("version"))
	if err != nil || version < 0 {
		return reports.Errorf(reports.EINVALID, "缺少版本号：请重新打开页面")
	}
	shown, err := evaluation.Evaluate(w.fams, &sf.Form, &sa.Actuals)
	if err != nil {
		return err
	}
	a, err := evaluation.FromDerived(w.fams, &sf.Form, &sa.Actuals, postedDerived(c, shown))
	if err != nil {
		return err
	}
	a.FormVersion = sf.Version
	r, err := evaluation.Evaluate(w.fams, &sf.Form, a)
	if err != nil {
		return err
	}
	if form.Get("op") == "score" {
		return c.JSON(http.StatusOK, liveScore(r))
	}
	if r.Problems.HasErrors() {
		return w.showActuals(c, http.StatusUnprocessableEntity, sf, kind, version, r, r.Problems,
			&flash{Kind: "error", Text: fmt.Sprintf("有 %d 处需要修改，尚未保存。", len(r.Problems.Errors()))})
	}
	saved, err := w.s.cfg.Store.PutActuals(c.Request().Context(), sf.ID, version, *a)
	if reports.ErrorCode(err) == reports.ECONFLICT {
		return w.showActuals(c, http.StatusConflict, sf, kind, version, r, r.Problems,
			&flash{Kind: "error", Text: "其他人已修改了这份" + reports.KindTitle(kind) + "，没有保存：请重新打开页面再填写。"})
	}
	if err != nil {
		return err
	}
	return c.Redirect(http.StatusSeeOther, fmt.Sprintf("/forms/%d/actuals/%s?saved=%d", sf.ID, kind, saved.Version))
}

// liveScore is what the page's script updates while the clerk types: the
// printed value of every computed cell and the problems, by derived path.
func liveScore(r *evaluation.Result) map[string]any {
	cells := map[string]string{}
	for k, v := range r.Form.Extra {
		cells["extra."+k] = v
	}
	for i, in := range r.Form.Indicators {
		for _, k := range []string{"points", "score"} {
			cells[reports.IndicatorPath(i, k)] = in.Extra[k]
		}
	}
	out := map[string]any{"cells": cells, "problems": problemsOf(0, derivedProblems(r.Problems)), "errors": len(r.Problems.Errors())}
	if s := r.Score; s != nil {
		out["total"], out["grade"] = s.Fmt(s.Total), s.Grade
	}
	return out
}
