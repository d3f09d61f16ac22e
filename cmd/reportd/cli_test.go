package main

import (
	"bytes"
	"sort"
	"strings"
	"testing"
)

// TestHelpEverywhere: every command and subcommand answers -h with its
// usage and examples on stdout and exit 0; a bad flag is exit 2 with a
// hint on stderr (issue #18, defect 9).
func TestHelpEverywhere(t *testing.T) {
	var cmds [][]string
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		switch n {
		case "batch":
			for _, sub := range []string{"run", "list", "show", "verify", "generate", "prune"} {
				cmds = append(cmds, []string{"batch", sub})
			}
		case "token":
			for _, sub := range []string{"create", "list", "revoke", "signout"} {
				cmds = append(cmds, []string{"token", sub})
			}
		}
		cmds = append(cmds, []string{n})
	}
	for _, c := range cmds {
		name := strings.Join(c, " ")
		t.Run(name, func(t *testing.T) {
			for _, h := range []string{"-h", "--help"} {
				code, out, errOut := runCLI(t, append(append([]string{}, c...), h)...)
				if code != 0 || errOut != "" {
					t.Fatalf("%s %s: exit %d, stderr %q", name, h, code, errOut)
				}
				if !strings.Contains(out, "usage: reportd "+name) {
					t.Errorf("%s %s: no usage line:\n%s", name, h, out)
				}
				if len(c) == 2 || c[0] != "batch" && c[0] != "token" {
					if !strings.Contains(out, "examples:\n  reportd "+c[0]) {
						t.Errorf("%s %s: no example:\n%s", name, h, out)
					}
				}
			}
			if c[0] == "batch" && len(c) == 2 && c[1] == "verify" {
				return // takes no flags
			}
			if len(c) == 1 && (c[0] == "batch" || c[0] == "token") {
				return
			}
			code, out, errOut := runCLI(t, append(append([]string{}, c...), "-no-such-flag")...)
			if code != 2 || out != "" || !strings.Contains(errOut, "flag provided but not defined") || !strings.Contains(errOut, "-h") {
				t.Errorf("%s -no-such-flag: exit %d\nstdout %q\nstderr %q", name, code, out, errOut)
			}
		})
	}
	if code, out, _ := runCLI(t, "-h"); code != 0 || !strings.Contains(out, "version") || !strings.Contains(out, "examples:") {
		t.Errorf("reportd -h: exit %d\n%s", code, out)
	}
	if code, _, errOut := runCLI(t); code != 2 || !strings.Contains(errOut, "usage: reportd") {
		t.Errorf("reportd alone: exit %d\n%s", code, errOut)
	}
	for _, sub := range []string{"batch", "token"} {
		if code, _, errOut := runCLI(t, sub, "fly"); code != 2 || !strings.Contains(errOut, `unknown subcommand "fly"`) {
			t.Errorf("%s fly: exit %d %s", sub, code, errOut)
		}
	}
}

func TestVersion(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, errOut := runCLI(t, args...)
		if code != 0 || !strings.HasPrefix(out, "reportd ") || !strings.Contains(out, " go1.") || errOut != "" {
			t.Errorf("%v: exit %d %q %q", args, code, out, errOut)
		}
	}
}

// TestTableAlignsByDisplayWidth: columns line up in a terminal when cells
// hold Chinese text (two columns per character).
func TestTableAlignsByDisplayWidth(t *testing.T) {
	var buf bytes.Buffer
	tw := newTable(&buf)
	tw.Write([]byte("ID\tUNITS\tNAME\n1\t上海市财政局\tclerk\n22\tab\t张三\n"))
	if err := tw.Flush(); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n")
	col := -1
	for _, l := range lines {
		// The third column starts at the same display column on every line.
		fields := strings.SplitN(l, "  ", 2)
		rest := strings.TrimLeft(fields[1], " ")
		secondEnd := strings.Index(rest, "  ")
		start := displayWidth(l[:len(l)-len(rest)]) + displayWidth(rest[:secondEnd])
		start += len(rest[secondEnd:]) - len(strings.TrimLeft(rest[secondEnd:], " "))
		if col >= 0 && start != col {
			t.Fatalf("columns do not line up:\n%s", buf.String())
		}
		col = start
	}
	for _, tc := range []struct {
		s    string
		want int
	}{{"abc", 3}, {"上海", 4}, {"（一）", 6}, {"é", 1}, {"𠮷", 2}} {
		if got := displayWidth(tc.s); got != tc.want {
			t.Errorf("displayWidth(%q) = %d, want %d", tc.s, got, tc.want)
		}
	}
}
