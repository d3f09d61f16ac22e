package api_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/textform"
)

// TestBrowserActuals: a clerk opens the 绩效自评 page of a stored form,
// types the year's figures into the printed layout, watches the score and
// the messages beside the cells change while typing, saves, and finds the
// saved version with its grade. Screenshots go to -artifacts.
func TestBrowserActuals(t *testing.T) {
	tab := browserTab(t)
	site := newWebSite(t)
	fh, err := os.Open(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	forms, err := textform.Read(fh, "seed")
	fh.Close()
	if err != nil {
		t.Fatal(err)
	}
	created, err := site.store.CreateForms(t.Context(), forms[:1])
	if err != nil {
		t.Fatal(err)
	}
	id := created[0].ID
	shots := *artifacts
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithTimeout(tab, 90*time.Second)
	defer cancel()
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	load := func(step string, trigger chromedp.Action[chromedp.Void]) {
		t.Helper()
		if _, err := chromedp.Run(ctx, chromedp.WaitEvent(page.LoadEventFired, nil, trigger)); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	eval := func(expr string) string {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[string](expr))
		if err != nil {
			t.Fatalf("evaluate %s: %v", expr, err)
		}
		return v
	}
	// waitFor polls a condition the page's script brings about.
	waitFor := func(what, expr string) {
		t.Helper()
		for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if eval(`String(`+expr+`)`) == "true" {
				return
			}
		}
		t.Fatalf("%s: %s never held; page: %s", what, expr, eval(`document.querySelector("main").innerText`))
	}
	shot := func(name string) {
		t.Helper()
		if bare := eval(`Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea")).filter(e => e.labels.length === 0 && !e.getAttribute("aria-label")).map(e => e.name).join(" ")`); bare != "" {
			t.Errorf("%s: fields without a label: %s", name, bare)
		}
		if shots == "" {
			return
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	field := func(path string) chromedp.CSS { return chromedp.CSS(fmt.Sprintf(`[name=%q]`, path)) }
	typeIn := func(path, v string) {
		t.Helper()
		eval(fmt.Sprintf(`(document.querySelector('[name=%q]').value = "", "")`, path))
		do("type "+path, chromedp.SendKeys(field(path), v))
	}

	do("open sign-in", chromedp.Navigate(site.url+"/login"))
	do("type token", chromedp.WaitVisible(chromedp.ID("token")), chromedp.SendKeys(chromedp.ID("token"), site.clerkA))
	load("sign in", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	load("open form", chromedp.Navigate(fmt.Sprintf("%s/forms/%d", site.url, id)))
	load("open self-evaluation", chromedp.Click(chromedp.CSS(`.page-head a[href$="/actuals/self-evaluation"]`)))
	if got := eval(`document.querySelector(".form-title").textContent`); got != "项目支出绩效自评表" {
		t.Fatalf("title %q", got)
	}
	// Targets are shown, not editable.
	if n := eval(`String(document.querySelectorAll('[name="indicators[3].target"]').length)`); n != "0" {
		t.Errorf("the target of row 4 is editable")
	}
	shot("actuals-01-blank")

	typeIn("extra.funds.total.initial", "79")
	typeIn("extra.funds.total.budget", "79")
	typeIn("extra.funds.total.spent", "75.13")
	typeIn("indicators[3].actual", "2310个") // wrong unit: the message appears beside the cell
	waitFor("unit message", `document.querySelector('td[data-path="indicators[3].actual"] .cell-note.error')?.textContent.includes("单位「个」")`)
	waitFor("budget score", `document.querySelector('td[data-path="extra.funds.total.score"] .shown').textContent === "9.51"`)
	shot("actuals-02-typing")

	for path, v := range map[string]string{
		"indicators[0].actual": "95.1%", "indicators[1].actual": "规范", "indicators[1].score": "3.33",
		"indicators[2].actual": "100%", "indicators[3].actual": "2310家", "indicators[3].reason": "受疫情影响，部分企业延期申报",
		"indicators[4].actual": "可控", "indicators[4].score": "12", "indicators[4].reason": "个别证书返工",
		"indicators[5].actual": "180天", "indicators[6].actual": "11%", "indicators[7].actual": "已共享", "indicators[7].score": "10",
		"extra.summary": "完成专精特新企业申报复核。",
	} {
		typeIn(path, v)
	}
	waitFor("score", `document.getElementById("score-total").textContent === "97.16"`)
	waitFor("no message left", `document.querySelectorAll(".cell-note.error").length === 0`)
	if g := eval(`document.getElementById("score-grade").textContent`); g != "优" {
		t.Errorf("grade %q", g)
	}
	if s := eval(`document.querySelector('td[data-path="indicators[3].score"] .shown').textContent`); s != "12.32" {
		t.Errorf("row 4 score %q, want 12.32", s)
	}
	shot("actuals-03-filled")

	load("save", chromedp.Click(chromedp.CSS(`.page-head button[value=save]`)))
	if msg := eval(`document.querySelector(".flash").textContent`); !strings.Contains(msg, "已保存第 1 版") {
		t.Fatalf("after save: %q\n%s", msg, eval(`document.querySelector("main").innerText`))
	}
	shot("actuals-04-saved")
	sa, err := site.store.Actuals(t.Context(), id, reports.KindSelfEvaluation)
	if err != nil || sa.Actuals.Indicators[3].Actual != "2310家" || sa.Actuals.Funds.Total.Spent.Fen != 75130000 || sa.FormVersion != 1 {
		t.Fatalf("stored %+v %v", sa.Actuals, err)
	}
}
