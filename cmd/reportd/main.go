// Command reportd renders 财政项目支出绩效目标表 forms as PDF, OFD and XLSX, serves
// them over HTTP and runs year-end batches.
//
// Each subcommand lives in its own file (validate.go, export.go, …) and is
// listed in commands below; main only dispatches and maps errors to exit codes.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime"
	"runtime/debug"
	"sort"
	"sync"
	"syscall"

	"github.com/reportd/reportd/reports/font"
)

// command is one subcommand: it parses its own flags from args.
type command struct {
	summary string
	run     func(ctx context.Context, env *env, args []string) error
}

// env is what a command may touch: its streams and environment lookups,
// injected so commands are testable in-process.
type env struct {
	stdout, stderr io.Writer
	getenv         func(string) string

	// The font set is parsed once per process and shared by the PDF and
	// OFD renderers (loadFonts).
	// pdfa: PDFs are written as PDF/A-2b (-pdfa, REPORTD_PDFA=1).
	pdfa bool

	fontsOnce sync.Once
	fonts     *font.Set
	fontsErr  error
}

var commands = map[string]command{
	"loadgen":  {"measure renders/s and p50/p99 of the HTTP service on loopback (-c connections, -d per phase)", runLoadgen},
	"serve":    {"run the HTTP service (API under /api/v1; SQLite in ./data unless -db postgres://…)", runServe},
	"token":    {"create, list or revoke API tokens: token create -role clerk -unit 申报单位", runToken},
	"validate": {"check form files and print each problem as FILE:LINE: 字段: message", runValidate},
	"export":   {"convert form files to JSON (reportd/form/v1) or the seed's text format", runExport},
	"families": {"list the form families (layouts) reportd knows", runFamilies},
	"verify":   {"check that PDFs or OFDs carry every character of their forms (PDFs need pdftotext)", runVerify},
	"batch":    {"year-end batches: batch run -year 2020 [-unit U] [-format pdf,xlsx] [-o FILE.zip]; list, show, verify, generate", runBatch},
	"render":   {"render form files as PDF, OFD or XLSX documents, one per form, into a directory (-kind self-evaluation|monitoring: the year's other documents)", runRender},
	"score":    {"score self-evaluations (actuals JSON or a filled 自评 workbook) and print each indicator's formula", runScore},
	"version":  {"print reportd's version, commit and Go version", runVersion},
}

// exitError carries an exit code without printing anything more.
type exitError struct{ code int }

func (e exitError) Error() string { return fmt.Sprintf("exit %d", e.code) }

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, &env{stdout: os.Stdout, stderr: os.Stderr, getenv: os.Getenv}, os.Args[1:])
	stop()
	os.Exit(code)
}

func run(ctx context.Context, e *env, args []string) (code int) {
	defer func() {
		// No panic reaches the user as a stack trace.
		if r := recover(); r != nil {
			fmt.Fprintf(e.stderr, "reportd: internal error: %v\n", r)
			code = 2
		}
	}()
	switch {
	case len(args) == 0:
		usage(e.stderr) // wrong usage: on stderr, exit 2
		return 2
	case isHelp(args[0]):
		usage(e.stdout) // asked for: on stdout, exit 0
		return 0
	case args[0] == "-version" || args[0] == "--version":
		args = []string{"version"}
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(e.stderr, "reportd: unknown command %q\n\n", args[0])
		usage(e.stderr)
		return 2
	}
	err := cmd.run(ctx, e, args[1:])
	var ee exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ee):
		return ee.code
	}
	fmt.Fprintf(e.stderr, "reportd %s: %v\n", args[0], err)
	return 1
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: reportd COMMAND [flags] [FILE...]")
	fmt.Fprintln(w, "\ncommands:")
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, commands[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'reportd COMMAND -h' for a command's flags and examples.")
	fmt.Fprintln(w, "\nexamples:")
	fmt.Fprintln(w, "  reportd validate forms.txt                 # every problem of every form, FILE:LINE: 字段: 说明")
	fmt.Fprintln(w, "  reportd render -o out/ forms.txt           # out/2020-单位-项目.pdf for each form")
	fmt.Fprintln(w, "  reportd serve                              # pages and API on http://127.0.0.1:8080")
	fmt.Fprintln(w, "  reportd batch run -year 2020               # the year's archive, reportd-2020.zip")
	fmt.Fprintln(w, "\nOutput: results on stdout, problems and notices on stderr; exit 0 ok, 1 failed, 2 wrong usage.")
}

// isHelp reports whether arg asks for help.
func isHelp(arg string) bool {
	return arg == "-h" || arg == "-help" || arg == "--help" || arg == "help"
}

// runVersion prints the module version (set by go install …@version),
// the VCS commit the binary was built from, and the Go version.
func runVersion(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	if err := parseFlags(e, fs, args, helpText{about: "Print reportd's version, the commit it was built from and the Go version.", examples: []string{"reportd version"}}); err != nil {
		return err
	}
	version, commit, dirty := "(devel)", "", false
	goVersion := runtime.Version()
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			version = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				commit = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	line := "reportd " + version
	if commit != "" {
		line += " commit " + commit[:min(12, len(commit))]
		if dirty {
			line += "+dirty"
		}
	}
	fmt.Fprintf(e.stdout, "%s %s %s/%s\n", line, goVersion, runtime.GOOS, runtime.GOARCH)
	return nil
}
