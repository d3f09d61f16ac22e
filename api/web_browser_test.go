package api_test

import (
	"context"
	"flag"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/reportd/reportd/reports/textcheck"
)

var artifacts = flag.String("artifacts", filepath.Join("..", "testdata", "artifacts", "web"),
	"directory for the browser test's screenshots (gitignored); empty to keep none")

const chromium = "/usr/bin/chromium"

// browserTab starts a headless Chromium with a fresh profile and returns a
// tab. The flags keep it from reaching the network on its own.
func browserTab(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("browser test needs %s (Debian package chromium, installed by .ci/run): %v", chromium, err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 800),
	)
	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(alloc)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// Start the browser without a deadline (a deadline would stop it), then
	// bound every step by the test's own timeout below.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(1280, 800)); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	return ctx
}

// TestBrowserClerk drives the pages the way a clerk does: sign in, upload
// the sample, find its two forms, open 企业培育, enter a bad target and see
// the message beside the field, fix it, save, preview and download the
// PDF, and find the new value in the PDF's text. Every page is saved as a
// screenshot (-artifacts) at 1280×800 and on a narrow window.
func TestBrowserClerk(t *testing.T) {
	if _, err := exec.LookPath("pdftotext"); err != nil {
		t.Skip("reads the previewed PDF's text with pdftotext: not installed (Debian: poppler-utils, installed by .ci/run)")
	}
	tab := browserTab(t)
	site := newWebSiteWith(t, 600*time.Millisecond)
	shots := *artifacts
	if shots != "" {
		if err := os.MkdirAll(shots, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	// About 15 s on an idle 2-core machine; the margin is for a loaded CI.
	ctx, cancel := context.WithTimeout(tab, 90*time.Second)
	defer cancel()

	slow := func(step string, began time.Time) {
		if d := time.Since(began); d > time.Second {
			t.Logf("slow step %q: %s", step, d.Round(time.Millisecond))
		}
	}
	do := func(step string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		defer slow(step, time.Now())
		if err := chromedp.Do(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	// load runs an action that navigates (a click on a link or a submit
	// button) and waits for the new page.
	load := func(step string, trigger chromedp.Action[chromedp.Void]) {
		t.Helper()
		defer slow(step, time.Now())
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
	location := func() *url.URL {
		t.Helper()
		loc, err := chromedp.Run(ctx, chromedp.Location())
		if err != nil {
			t.Fatal(err)
		}
		u, err := url.Parse(loc)
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	shot := func(name string) {
		t.Helper()
		if shots == "" {
			return
		}
		// Every field has a label.
		if bare := eval(`Array.from(document.querySelectorAll("input:not([type=hidden]), select, textarea")).filter(e => e.labels.length === 0).map(e => e.name || e.id).join(" ")`); bare != "" {
			t.Errorf("%s: fields without a label: %s", name, bare)
		}
		// No horizontal scrolling at this width: the page fits the window.
		if w := eval(`String(document.documentElement.scrollWidth - window.innerWidth)`); w != "0" {
			t.Errorf("%s: the page is %s px wider than the window", name, w)
		}
		buf, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
		if err := os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// view saves what the window shows, without scrolling.
	view := func(name string) {
		t.Helper()
		if shots == "" {
			return
		}
		buf, err := chromedp.Run(ctx, chromedp.CaptureScreenshot())
		if err == nil {
			err = os.WriteFile(filepath.Join(shots, name+".png"), buf, 0o644)
		}
		if err != nil {
			t.Fatalf("screenshot %s: %v", name, err)
		}
	}

	start := time.Now()
	// Sign in.
	do("open sign-in", chromedp.Navigate(site.url+"/"))
	if p := location().Path; p != "/login" {
		t.Fatalf("/ without a session went to %s, want /login", p)
	}
	do("type token", chromedp.WaitVisible(chromedp.ID("token")), chromedp.SendKeys(chromedp.ID("token"), site.clerkA))
	shot("01-login")
	load("sign in", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	if p := location().Path; p != "/forms" {
		t.Fatalf("after sign-in at %s, want /forms: %s", p, eval(`document.body.innerText`))
	}
	shot("02-empty-list")

	// Upload the sample.
	seedFile, err := filepath.Abs(seedPath)
	if err != nil {
		t.Fatal(err)
	}
	load("open upload", chromedp.Click(chromedp.CSS(`main a[href="/upload"]`)))
	// First a file with a mistake: nothing is stored, the problems are listed.
	badFile := filepath.Join(t.TempDir(), "有错误的表.txt")
	bad := strings.Replace(string(readFile(t, seedFile)), "=2500家", ">=abc", 1)
	if err := os.WriteFile(badFile, []byte(bad), 0o644); err != nil {
		t.Fatal(err)
	}
	do("choose bad file", chromedp.SetUploadFiles(chromedp.ID("file"), []string{badFile}))
	load("upload bad", chromedp.Click(chromedp.CSS(`form[action="/upload"] button[type=submit]`)))
	if got := eval(`document.querySelector("table.problems tbody").textContent`); !strings.Contains(got, "指标目标值格式错误") {
		t.Errorf("upload problems: %q", got)
	}
	shot("03-upload-problems")
	do("choose file", chromedp.SetUploadFiles(chromedp.ID("file"), []string{seedFile}))
	shot("03-upload-chosen")
	load("upload", chromedp.Click(chromedp.CSS(`form[action="/upload"] button[type=submit]`)))
	if p := location().Path; p != "/forms" {
		t.Fatalf("after upload at %s", p)
	}
	rows := eval(`Array.from(document.querySelectorAll("table.list tbody tr td:nth-child(2)")).map(td => td.textContent.trim()).join("|")`)
	if rows != "企业培育|服务体系" && rows != "服务体系|企业培育" {
		t.Fatalf("list shows %q, want the sample's 2 forms", rows)
	}
	if msg := eval(`document.querySelector(".flash").textContent`); !strings.Contains(msg, "已导入 2 张表") {
		t.Errorf("flash %q", msg)
	}
	shot("04-list")

	// Search narrows the list.
	do("search", chromedp.SendKeys(chromedp.ID("q"), "培育"))
	load("submit search", chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)))
	if n := eval(`String(document.querySelectorAll("table.list tbody tr").length)`); n != "1" {
		t.Errorf("search 培育 lists %s forms, want 1", n)
	}

	// Open 企业培育: the form laid out like the print.
	load("open form", chromedp.Click(chromedp.Search(`//table[contains(@class,"list")]//a[text()="企业培育"]`)))
	formPath := location().Path
	if got := eval(`document.querySelector(".form-title").textContent`); got != "财政项目支出绩效目标表" {
		t.Errorf("form title %q", got)
	}
	// 一级 cells merged as in print: 投入与管理 spans its rows.
	if rs := eval(`String(Array.from(document.querySelectorAll("table.grid td.l1")).find(td => td.textContent.startsWith("投入与管理")).rowSpan)`); rs == "1" {
		t.Errorf("投入与管理 rowspan %s: not merged", rs)
	}
	shot("05-form")

	// Edit: a bad target gets its message beside the field.
	load("open edit", chromedp.Click(chromedp.CSS(`.page-head a[href$="/edit"]`)))
	target := chromedp.ID("f-indicators-3-target")
	if v, err := chromedp.Run(ctx, chromedp.Value(target)); err != nil || v != "=2500家" {
		t.Fatalf("row 4 target %q %v, want =2500家", v, err)
	}
	shot("06-edit")
	do("bad target", chromedp.Clear(target), chromedp.SendKeys(target, ">=abc"))
	load("save bad", chromedp.Click(chromedp.CSS(`.page-head button[value=save]`)))
	msg, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("f-indicators-3-target-msg0")))
	if err != nil || !strings.Contains(msg, "指标目标值格式错误") {
		t.Fatalf("message beside the target: %q %v", msg, err)
	}
	// Beside: in the same cell, right under the field.
	gap := eval(`(() => {
		const f = document.getElementById("f-indicators-3-target"), m = document.getElementById("f-indicators-3-target-msg0");
		if (f.parentElement !== m.parentElement) return "not in the same cell";
		return String(Math.round(m.getBoundingClientRect().top - f.getBoundingClientRect().bottom));
	})()`)
	if gap == "not in the same cell" || len(gap) > 2 || strings.HasPrefix(gap, "-") {
		t.Errorf("message is not right under the field: %s", gap)
	}
	if v := eval(`document.getElementById("f-indicators-3-target").value`); v != ">=abc" {
		t.Errorf("typed value not kept: %q", v)
	}
	if f := eval(`document.activeElement.id`); f != "summary" {
		t.Errorf("focus after a failed save is on %q, want the problem summary", f)
	}
	do("scroll to the field", chromedp.ScrollIntoView(target))
	shot("07-edit-error")
	view("07-edit-error-viewport")

	// Rows move in the page (script) without losing what was typed.
	do("move row 4 up", chromedp.Click(chromedp.CSS(`#ind-body tr:nth-child(4) button[data-op=up]`)))
	if v := eval(`document.querySelectorAll("#ind-body textarea[data-col=target]")[2].value`); v != ">=abc" {
		t.Errorf("after moving up, row 3 target %q", v)
	}
	if f := eval(`document.activeElement.getAttribute("aria-label")`); f != "第3行上移" {
		t.Errorf("focus after moving: %q", f)
	}
	do("move it back", chromedp.Click(chromedp.CSS(`#ind-body tr:nth-child(3) button[data-op=down]`)))
	do("add a row", chromedp.Click(chromedp.CSS(`button[data-op=add]`)))
	if n := eval(`String(document.querySelectorAll("#ind-body tr").length)`); n != "9" {
		t.Errorf("after adding, %s rows", n)
	}
	do("remove it", chromedp.Click(chromedp.CSS(`#ind-body tr:last-child button[data-op=del]`)))

	// Fix and save.
	do("fix target", chromedp.Clear(target), chromedp.SendKeys(target, ">=12%"))
	load("save good", chromedp.Click(chromedp.CSS(`.page-head button[value=save]`)))
	if u := location(); u.Path != formPath || u.Query().Get("saved") != "2" {
		t.Fatalf("after saving at %s", u)
	}
	if got := eval(`Array.from(document.querySelectorAll("table.grid td")).some(td => td.textContent === ">=12%") ? "yes" : "no"`); got != "yes" {
		t.Error("the saved target is not on the form page")
	}
	shot("08-saved")

	// The history: two versions; the first, read-only, under its banner.
	load("history", chromedp.Click(chromedp.CSS(`.page-head a[href$="/versions"]`)))
	if n := eval(`String(document.querySelectorAll("table.versions tbody tr").length)`); n != "2" {
		t.Errorf("history lists %s versions, want 2", n)
	}
	shot("08-history")
	load("open version 1", chromedp.Click(chromedp.CSS(`table.versions a[href$="/versions/1"]`)))
	if got := eval(`document.getElementById("old-version").textContent`); !strings.Contains(got, "这是第 1 版，不是当前版本。") {
		t.Errorf("version 1 banner: %q", got)
	}
	if got := eval(`Array.from(document.querySelectorAll("table.grid td")).some(td => td.textContent === "=2500家") ? "yes" : "no"`); got != "yes" {
		t.Error("version 1 does not show its own target")
	}
	shot("08-version-1")
	load("back to the form", chromedp.Click(chromedp.CSS(`.page-head a.primary`)))

	// Preview: the PDF in the page.
	load("preview", chromedp.Click(chromedp.CSS(`.page-head a[href$="/preview"]`)))
	do("pdf frame", chromedp.WaitVisible(chromedp.CSS("iframe.pdf")), chromedp.Sleep(1500*time.Millisecond))
	shot("09-preview")

	// Download the PDF and read it.
	dir := t.TempDir()
	progress := chromedp.Events(ctx, browser.DownloadProgress)
	yes := true
	do("download", chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
		_, err := chromedp.Call(ctx, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{
			Behavior: browser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: dir, EventsEnabled: &yes,
		})
		return err
	}), chromedp.Click(chromedp.CSS(`.page-head a[href$="/pdf?download=1"]`)))
	var pdfPath string
	for ev, err := range progress {
		if err != nil {
			t.Fatalf("download: %v", err)
		}
		if ev.State == browser.DownloadProgressStateCanceled {
			t.Fatal("download canceled")
		}
		if ev.State == browser.DownloadProgressStateCompleted {
			pdfPath = filepath.Join(dir, ev.GUID)
			break
		}
	}
	data := readFile(t, pdfPath)
	text, err := textcheck.PDFText(ctx, data)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(text, ">=12%") || strings.Contains(text, "=2500家") {
		t.Errorf("the downloaded PDF does not carry the new target:\n%s", text)
	}
	if shots != "" {
		if err := os.WriteFile(filepath.Join(shots, "downloaded.pdf"), data, 0o644); err != nil {
			t.Fatal(err)
		}
	}

	// A narrow window (a phone held upright): the same pages stay usable.
	do("narrow", chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2)))
	for _, p := range []struct{ name, path string }{
		{"10-narrow-list", "/forms"},
		{"11-narrow-form", formPath},
		{"11-narrow-history", formPath + "/versions"},
		{"11-narrow-version-1", formPath + "/versions/1"},
		{"12-narrow-edit", formPath + "/edit"}, // last: the next step scrolls it
	} {
		do("open "+p.path, chromedp.Navigate(site.url+p.path))
		shot(p.name)
	}
	// What a phone shows of the indicator rows (cards with visible labels).
	do("scroll to indicators", chromedp.ScrollIntoView(chromedp.ID("f-indicators-3-target")))
	view("12-narrow-edit-indicators")
	do("wide again", chromedp.EmulateViewport(1280, 800))

	// Another unit's clerk finds nothing at the same address.
	do("sign out", chromedp.Navigate(site.url+"/forms"))
	load("logout", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	do("sign in as B", chromedp.WaitVisible(chromedp.ID("token")), chromedp.SendKeys(chromedp.ID("token"), site.clerkB))
	load("sign in B", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	do("open A's form", chromedp.Navigate(site.url+formPath))
	if h := eval(`document.querySelector("h1").textContent`); h != "未找到" {
		t.Errorf("clerk B at %s sees %q, want 未找到", formPath, h)
	}
	shot("13-other-unit-404")

	// An admin with the national family: the same pages from its grid.
	load("logout B", chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)))
	do("sign in as admin", chromedp.WaitVisible(chromedp.ID("token")), chromedp.SendKeys(chromedp.ID("token"), site.admin))
	load("sign in admin", chromedp.Click(chromedp.CSS(`form button[type=submit]`)))
	national, err := filepath.Abs(filepath.Join("..", "testdata", "families", "national-2023.txt"))
	if err != nil {
		t.Fatal(err)
	}
	do("open upload", chromedp.Navigate(site.url+"/upload"))
	do("choose national", chromedp.SetUploadFiles(chromedp.ID("file"), []string{national}))
	load("upload national", chromedp.Click(chromedp.CSS(`form[action="/upload"] button[type=submit]`)))
	if got := eval(`document.querySelector(".form-title").textContent`); got != "项目支出绩效目标申报表" {
		t.Errorf("national form title %q", got)
	}
	nationalPath := location().Path
	shot("14-national-form")
	load("edit national", chromedp.Click(chromedp.CSS(`.page-head a[href$="/edit"]`)))
	shot("15-national-edit")
	// Enter in a one-line field saves (the first submit button is 保存,
	// not a row button).
	do("rename", chromedp.SendKeys(chromedp.ID("f-project"), kb.End+"（二期）"))
	load("enter saves", chromedp.SendKeys(chromedp.ID("f-project"), kb.Enter))
	if u := location(); u.Path != nationalPath || u.Query().Get("saved") != "2" {
		t.Errorf("Enter in 项目名称 led to %s, want %s?saved=2", u, nationalPath)
	}
	if h := eval(`document.querySelector("h1").textContent`); h != "高标准农田建设（二期）" {
		t.Errorf("after saving, the heading is %q", h)
	}
	// Delete it: a confirmation page, then back to the list with a message.
	load("delete national", chromedp.Click(chromedp.CSS(`.page-head a[href*="/delete?version=2"]`)))
	shot("15-delete-confirm")
	load("confirm delete", chromedp.Click(chromedp.CSS(`form[action$="/delete"] button[type=submit]`)))
	if msg := eval(`document.querySelector(".flash").textContent`); location().Path != "/forms" || msg != "已删除「高标准农田建设（二期）」。" {
		t.Errorf("after deleting at %s: %q", location(), msg)
	}

	// A published layout of another issuer (hunan-2023): its own title,
	// header line with 单位：万元 on the right, 本年度绩效指标 beside the
	// whole indicator table, a 绩效标准 column, a blank 审核意见 box and the
	// sign-off line; its extra column is edited like any other.
	hunan, err := filepath.Abs(filepath.Join("..", "testdata", "families", "hunan-2023.txt"))
	if err != nil {
		t.Fatal(err)
	}
	do("open upload", chromedp.Navigate(site.url+"/upload"))
	do("choose hunan", chromedp.SetUploadFiles(chromedp.ID("file"), []string{hunan}))
	load("upload hunan", chromedp.Click(chromedp.CSS(`form[action="/upload"] button[type=submit]`)))
	hunanPath := location().Path
	for _, c := range []struct{ what, expr, want string }{
		{"title", `document.querySelector(".form-title").textContent`, "2023年项目支出绩效目标申报表"},
		{"header right", `document.querySelector(".form-header-right").textContent`, "单位：万元"},
		{"side label rows", `String(Array.from(document.querySelectorAll("table.grid th")).find(th => th.textContent === "本年度绩效指标").rowSpan)`, "11"},
		{"blank box", `String(document.querySelectorAll("table.grid td.blank").length)`, "1"},
		{"footer", `document.querySelector(".form-footer").textContent.slice(0, 4)`, "填表人："},
	} {
		if got := eval(c.expr); got != c.want {
			t.Errorf("hunan-2023 %s: %q, want %q", c.what, got, c.want)
		}
	}
	shot("15-hunan-form")
	load("edit hunan", chromedp.Click(chromedp.CSS(`.page-head a[href$="/edit"]`)))
	standard := chromedp.ID("f-indicators-0-standard")
	if v, err := chromedp.Run(ctx, chromedp.Value(standard)); err != nil || v != "计划标准" {
		t.Fatalf("row 1 绩效标准 %q %v, want 计划标准", v, err)
	}
	shot("15-hunan-edit")
	do("edit 绩效标准", chromedp.Clear(standard), chromedp.SendKeys(standard, "不少于10辆"))
	load("save hunan", chromedp.Click(chromedp.CSS(`.page-head button[value=save]`)))
	if u := location(); u.Path != hunanPath || u.Query().Get("saved") != "2" {
		t.Errorf("after saving hunan-2023 at %s: %s", u, eval(`document.body.innerText`))
	}
	if got := eval(`Array.from(document.querySelectorAll("table.grid td")).some(td => td.textContent === "不少于10辆") ? "yes" : "no"`); got != "yes" {
		t.Error("the edited 绩效标准 is not on the form page")
	}

	// The admin starts a batch from the page and follows it to its archive.
	do("batches", chromedp.Navigate(site.url+"/batches"))
	do("batch year", chromedp.Clear(chromedp.ID("b-year")), chromedp.SendKeys(chromedp.ID("b-year"), "2020"))
	shot("16-batches-start")
	load("start batch", chromedp.Click(chromedp.CSS(`form[action="/batches"] button[type=submit]`)))
	batchPath := location().Path
	if !strings.HasPrefix(batchPath, "/batches/") {
		t.Fatalf("after starting a batch at %s: %s", batchPath, eval(`document.body.innerText`))
	}
	t.Logf("%s: batch started", time.Since(start).Round(time.Millisecond))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.getElementById("batch-done").textContent === "1"`, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("batch page never showed 1 done: %v", err)
	}
	t.Logf("%s: batch page shows 1 done", time.Since(start).Round(time.Millisecond))
	shot("17-batch-running")
	do("archive link", chromedp.WaitVisible(chromedp.ID("archive-link")))
	if got := eval(`document.getElementById("batch-state").textContent + document.getElementById("batch-done").textContent`); got != "已完成2" {
		t.Errorf("batch page after the run: %q", got)
	}
	zip, err := chromedp.Run(ctx, chromedp.Evaluate[string](`fetch(document.getElementById("archive-link").href).then(r => r.status + " " + r.headers.get("Content-Type") + " " + r.headers.get("Content-Disposition").slice(0, 10))`, chromedp.EvalAwaitPromise))
	if err != nil || zip != "200 application/zip attachment" {
		t.Errorf("archive download: %q %v", zip, err)
	}
	shot("18-batch-done")
	do("batch list", chromedp.Navigate(site.url+"/batches"))
	shot("19-batches")

	if t.Failed() && shots != "" {
		t.Log("screenshots in", shots)
	}
}
