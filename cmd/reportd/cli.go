package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"unicode"

	"golang.org/x/text/width"
)

// The CLI's conventions, the same for every command:
//   - `-h` prints the command's help (usage, what it does, flags,
//     examples) on stdout and exits 0; a bad flag prints the error and a
//     hint on stderr and exits 2;
//   - stdout carries what the command produces (a summary, file names, a
//     table, a token); stderr carries every diagnostic: problems of forms,
//     errors, notices such as "printed as a draft";
//   - exit 0 on success, 1 when the input or the work failed, 2 for
//     wrong usage;
//   - messages about forms (problems, summaries, drafts) are in Chinese,
//     with each field's Chinese label; usage text, flag names and
//     operator messages are in English.

// helpText is what `reportd COMMAND -h` shows besides the flags: the
// arguments after the flags, what the command does, and examples.
type helpText struct {
	usage, about string
	examples     []string
}

// parseFlags parses args; -h prints the help on stdout and ends the
// command with exit 0, a bad flag ends it with exit 2.
func parseFlags(e *env, fs *flag.FlagSet, args []string, h helpText) error {
	fs.SetOutput(e.stderr)
	fs.Usage = func() {}
	err := fs.Parse(args)
	switch {
	case err == nil:
		return nil
	case errors.Is(err, flag.ErrHelp):
		printHelp(e.stdout, fs, h)
		return exitError{0}
	}
	fmt.Fprintf(e.stderr, "run 'reportd %s -h' for its usage\n", fs.Name())
	return exitError{2}
}

func printHelp(w io.Writer, fs *flag.FlagSet, h helpText) {
	usage := h.usage
	if usage == "" {
		usage = "[flags]"
	}
	fmt.Fprintf(w, "usage: reportd %s %s\n", fs.Name(), usage)
	if h.about != "" {
		fmt.Fprintf(w, "\n%s\n", h.about)
	}
	var flags strings.Builder
	fs.SetOutput(&flags)
	fs.PrintDefaults()
	if flags.Len() > 0 {
		fmt.Fprintf(w, "\nflags:\n%s", flags.String())
	}
	if len(h.examples) > 0 {
		fmt.Fprintln(w, "\nexamples:")
		for _, ex := range h.examples {
			fmt.Fprintf(w, "  %s\n", ex)
		}
	}
}

// table aligns tab-separated lines into columns by display width, as a
// terminal shows them: a Chinese character takes two columns, which
// text/tabwriter (one column per character) gets wrong.
type table struct {
	w    io.Writer
	buf  strings.Builder
	rows [][]string
}

func newTable(w io.Writer) *table { return &table{w: w} }

// Write takes lines of cells separated by tabs, like text/tabwriter.
func (t *table) Write(p []byte) (int, error) { return t.buf.Write(p) }

// Flush writes the rows with two spaces between columns.
func (t *table) Flush() error {
	text := strings.TrimSuffix(t.buf.String(), "\n")
	t.buf.Reset()
	var widths []int
	var rows [][]string
	for _, line := range strings.Split(text, "\n") {
		cells := strings.Split(line, "\t")
		for i, c := range cells {
			if i >= len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], displayWidth(c))
		}
		rows = append(rows, cells)
	}
	var out strings.Builder
	for _, cells := range rows {
		var line strings.Builder
		for i, c := range cells {
			line.WriteString(c)
			if i < len(cells)-1 {
				line.WriteString(strings.Repeat(" ", widths[i]-displayWidth(c)+2))
			}
		}
		out.WriteString(strings.TrimRight(line.String(), " "))
		out.WriteByte('\n')
	}
	_, err := io.WriteString(t.w, out.String())
	return err
}

// displayWidth is how many terminal columns s takes: two for East Asian
// wide and full-width characters, none for combining marks, one otherwise.
func displayWidth(s string) int {
	n := 0
	for _, r := range s {
		switch {
		case unicode.Is(unicode.Mn, r) || unicode.Is(unicode.Me, r) || r == '\u200b':
		case width.LookupRune(r).Kind() == width.EastAsianWide || width.LookupRune(r).Kind() == width.EastAsianFullwidth:
			n += 2
		default:
			n++
		}
	}
	return n
}
