package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
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
