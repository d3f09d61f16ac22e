package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/reportd/reportd/reports"
)

func runRender(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("render", flag.ContinueOnError)
	format := fs.String("format", "pdf", "output format: pdf, ofd or xlsx")
	dir := fs.String("o", ".", "output directory")
	strict := fs.Bool("strict", false, "refuse forms with validation errors instead of rendering them as drafts")
	in := addInputFlags(fs, e)
	fs.BoolVar(&e.pdfa, "pdfa", e.getenv("REPORTD_PDFA") == "1", "write PDFs as PDF/A-2b for archiving (XMP metadata, sRGB output intent; env REPORTD_PDFA=1)")
	combine := fs.Bool("combine", false, "write all forms into one document (pdf, ofd: a bookmark per form; xlsx: one sheet per form plus a 汇总 sheet)")
	kind := fs.String("kind", "target", "document: target (绩效目标表), self-evaluation (绩效自评表) or monitoring (绩效运行监控表); the last two read actuals JSON or a filled workbook, or make a blank report (a pre-filled workbook) of each target form")
	formFile := fs.String("form", "", "-kind self-evaluation|monitoring: the target form(s) of actuals that do not carry theirs")
	month := fs.Int("month", 0, "-kind monitoring: the last month a blank report covers (1–12)")
	if err := parseFlags(e, fs, args, helpText{usage: "[-format pdf|ofd|xlsx] [-o DIR] [-strict] [-combine] [-kind self-evaluation|monitoring [-form FORMFILE] [-month N]] FILE...",
		about: "Render every form of the files (.txt, .json, .xlsx) as a document, one per form, into DIR, named\n" +
			"{年度}-{申报单位}-{项目名称}.pdf (.ofd, .xlsx). A form with validation errors is printed as a draft with a 草稿\n" +
			"mark and named …-草稿.pdf; its problems are listed on stderr (-strict refuses it instead and writes\n" +
			"nothing). The names of the files written go to stdout.\n" +
			"With -kind self-evaluation or monitoring, render the 绩效自评表 or 绩效运行监控表 of actuals\n" +
			"(reportd/actuals/v1 JSON, or a filled workbook with -form), or blank pre-filled ones of target forms:\n" +
			"{年度}-{申报单位}-{项目名称}-绩效自评表.pdf.",
		examples: []string{
			"reportd render forms.txt                       # ./2020-单位-项目.pdf for each form",
			"reportd render -format xlsx -o out/ a.json b.xlsx",
			"reportd render -format xlsx -combine -o out/ forms.txt   # one workbook, a sheet per form plus 汇总",
			"reportd render -strict forms.txt               # exit 1 and write nothing if any form has errors",
			"reportd render -kind self-evaluation actuals.json       # the 绩效自评表 with its score",
			"reportd render -kind self-evaluation -format xlsx forms.txt   # pre-filled 自评 workbooks to fill in",
		}}); err != nil {
		return err
	}
	switch *kind {
	case "target", "":
	case reports.KindSelfEvaluation, reports.KindMonitoring:
		if fs.NArg() == 0 {
			return errors.New("no input files (usage: reportd render -kind self-evaluation|monitoring [-format pdf|xlsx] [-o DIR] [-form FORMFILE] ACTUALS.json|FORMFILE...)")
		}
		if *combine {
			return errors.New("-combine is for target forms (the year-end batch combines self-evaluations)")
		}
		return renderKind(ctx, e, in, renderKindArgs{kind: *kind, format: *format, dir: *dir, strict: *strict, formFile: *formFile, month: *month, files: fs.Args()})
	default:
		return fmt.Errorf("-kind %q: one of target, self-evaluation, monitoring", *kind)
	}
	if fs.NArg() == 0 {
		return errors.New("no input files (usage: reportd render -format pdf|ofd|xlsx [-o DIR] [-strict] FILE...)")
	}
	// A missing output directory is created with the first document, so
	// bad input leaves nothing behind, not even an empty directory.
	if st, err := os.Stat(*dir); err == nil && !st.IsDir() {
		return fmt.Errorf("output %q is not a directory", *dir)
	}

	// Read every input before writing anything: bad input writes no file.
	type input struct {
		path  string
		index int // in its file
		form  *reports.Form
		probs reports.Problems
	}
	var inputs []input
	readers, fams, err := in.open()
	if err != nil {
		return err
	}
	for _, path := range fs.Args() {
		forms, err := readers.Open(path)
		if err != nil {
			return err
		}
		for i := range forms {
			fam, err := fams.Get(forms[i].Family)
			if err != nil {
				return fmt.Errorf("%s: %s: %w", path, formName(i, &forms[i]), err)
			}
			inputs = append(inputs, input{path, i, &forms[i], reports.Check(&forms[i], fam.Rules()).Errors()})
		}
	}
	r, err := newRenderer(e, *format, fams)
	if err != nil {
		return err
	}
	ext := "." + r.Format()

	// Two forms with one file name would overwrite each other.
	names := map[string]string{}
	for _, in := range inputs {
		if *combine {
			break // one file; sheets get unique names
		}
		name := docName(in.form, in.probs) + ext
		where := fmt.Sprintf("%s (%s)", in.path, in.form.Project)
		if prev, dup := names[name]; dup {
			return fmt.Errorf("%s and %s would both be written to %s", prev, where, name)
		}
		names[name] = where
	}
	if *strict {
		bad := false
		for _, in := range inputs {
			printProblems(e.stderr, in.path, in.index, in.form, in.probs)
			bad = bad || len(in.probs) > 0
		}
		if bad {
			return errors.New("forms have validation errors; nothing written (render without -strict to print drafts)")
		}
	}

	if *combine {
		forms := make([]*reports.Form, len(inputs))
		for i, in := range inputs {
			forms[i] = in.form
			if len(in.probs) > 0 {
				fmt.Fprintf(e.stderr, "%s: %s: 有 %d 处错误，在合并的文档中印成草稿（带“草稿”字样）：\n", in.path, formName(in.index, in.form), len(in.probs))
				printProblems(e.stderr, in.path, in.index, in.form, in.probs)
			}
		}
		return renderCombined(ctx, e, r, forms, *dir)
	}

	failed := 0
	var buf bytes.Buffer
	for _, in := range inputs {
		if err := ctx.Err(); err != nil {
			return err
		}
		buf.Reset()
		name := filepath.Join(*dir, docName(in.form, in.probs)+ext)
		if err := r.Render(ctx, &buf, in.form); err != nil {
			failed++
			fmt.Fprintf(e.stderr, "%s: %s: %v\n", in.path, formName(in.index, in.form), err)
			var re *reports.Error
			if errors.As(err, &re) {
				printProblems(e.stderr, in.path, in.index, in.form, re.Problems)
			}
			continue
		}
		if len(in.probs) > 0 {
			// A draft must not pass for the real document unnoticed.
			fmt.Fprintf(e.stderr, "%s: %s: 有 %d 处错误，印成了草稿 %s（用 -strict 则拒绝）：\n",
				in.path, formName(in.index, in.form), len(in.probs), filepath.Base(name))
			printProblems(e.stderr, in.path, in.index, in.form, in.probs)
		}
		if err := writeFileAtomic(name, buf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, name)
	}
	if failed > 0 {
		return fmt.Errorf("%d of %d forms not rendered", failed, len(inputs))
	}
	return nil
}

// docName is the file name of a form's document without extension; a
// form with errors prints as a draft and its name says so.
func docName(f *reports.Form, errs reports.Problems) string {
	name := f.FileName()
	if len(errs) == 0 {
		return name
	}
	const suffix = "-草稿"
	for len(name)+len(suffix) > 180 { // SafeName's limit: keep the suffix whole
		_, size := utf8.DecodeLastRuneInString(name)
		name = name[:len(name)-size]
	}
	return name + suffix
}

// combiner is a renderer that can put several forms into one document.
type combiner interface {
	RenderCombined(ctx context.Context, w io.Writer, forms []*reports.Form) error
}

// renderCombined writes forms into one document named after what they
// share: "2020-单位-汇总", "2020-汇总" or "汇总".
func renderCombined(ctx context.Context, e *env, r reports.Renderer, forms []*reports.Form, dir string) error {
	c, ok := r.(combiner)
	if !ok {
		return fmt.Errorf("-combine is not supported for format %s", r.Format())
	}
	var buf bytes.Buffer
	if err := c.RenderCombined(ctx, &buf, forms); err != nil {
		return err
	}
	name := filepath.Join(dir, combinedName(forms)+"."+r.Format())
	if err := writeFileAtomic(name, buf.Bytes()); err != nil {
		return err
	}
	fmt.Fprintln(e.stdout, name)
	return nil
}

type renderKindArgs struct {
	kind, format, dir, formFile string
	strict                      bool
	month                       int
	files                       []string
}

// renderKind renders self-evaluation or monitoring reports: of actuals
// (JSON or a filled workbook), or blank ones of target forms.
func renderKind(ctx context.Context, e *env, in inputFlags, a renderKindArgs) error {
	if st, err := os.Stat(a.dir); err == nil && !st.IsDir() {
		return fmt.Errorf("output %q is not a directory", a.dir)
	}
	readers, fams, err := in.open()
	if err != nil {
		return err
	}
	ai := &actualsInputs{readers: readers, fams: fams, formFile: a.formFile, kind: a.kind, month: a.month}
	var evs []evaluated
	for _, path := range a.files {
		got, err := ai.read(path)
		if err != nil {
			return err
		}
		for _, ev := range got {
			if ev.result.Kind != a.kind {
				return fmt.Errorf("%s: holds a %s report, not %s", path, ev.result.Kind, a.kind)
			}
		}
		evs = append(evs, got...)
	}
	r, err := newRenderer(e, a.format, fams)
	if err != nil {
		return err
	}
	names := map[string]string{}
	bad := false
	for _, ev := range evs {
		name := reports.DocumentFileName(ev.target, a.kind) + "." + r.Format()
		if prev, dup := names[name]; dup {
			return fmt.Errorf("%s and %s would both be written to %s", prev, ev.path, name)
		}
		names[name] = ev.path
		// A blank report only lacks what the clerk is to fill in.
		if a.strict && printReportProblems(e, ev.path, ev.result.Problems) {
			bad = true
		}
	}
	if bad {
		return errors.New("reports have errors; nothing written (render without -strict to print drafts)")
	}
	var buf bytes.Buffer
	for _, ev := range evs {
		if err := ctx.Err(); err != nil {
			return err
		}
		buf.Reset()
		if err := r.Render(ctx, &buf, ev.result.Form); err != nil {
			return fmt.Errorf("%s: %w", ev.path, err)
		}
		name := filepath.Join(a.dir, reports.DocumentFileName(ev.target, a.kind)+"."+r.Format())
		if err := writeFileAtomic(name, buf.Bytes()); err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, name)
	}
	return nil
}

func combinedName(forms []*reports.Form) string {
	year, unit := forms[0].Year, forms[0].Unit
	for _, f := range forms[1:] {
		if f.Year != year {
			year = 0
		}
		if f.Unit != unit {
			unit = ""
		}
	}
	var parts []string
	if year != 0 {
		parts = append(parts, strconv.Itoa(year))
	}
	if unit != "" {
		parts = append(parts, unit)
	}
	return reports.SafeName(strings.Join(append(parts, "汇总"), "-"))
}

// writeFileAtomic writes data to a temporary file in the target's
// directory and renames it into place, so readers never see a partial file.
func writeFileAtomic(name string, data []byte) error {
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), ".reportd-*.tmp")
	if err != nil {
		return fmt.Errorf("write %s: %w", name, err)
	}
	_, err = tmp.Write(data)
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(tmp.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(tmp.Name(), name)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write %s: %w", name, err)
	}
	return nil
}
