package main

import (
	"strings"
	"testing"
)

func TestLoadgenShort(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a server and renders")
	}
	code, out, errOut := runCLI(t, "loadgen", "-c", "2", "-d", "300ms", "-form", seedPath)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2 {
		t.Fatalf("want two result lines:\n%s", out)
	}
	for _, l := range lines {
		if !strings.Contains(l, "/s") || !strings.Contains(l, "p99") || !strings.Contains(l, "failed 0") {
			t.Errorf("result line %q", l)
		}
	}
}

func TestLoopbackOnly(t *testing.T) {
	tests := []struct {
		url string
		ok  bool
	}{
		{"http://127.0.0.1:8080", true},
		{"http://localhost:8080", true},
		{"http://[::1]:8080", true},
		{"http://10.0.0.5:8080", false},
		{"https://example.org", false},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			if err := loopbackOnly(tt.url); (err == nil) != tt.ok {
				t.Errorf("loopbackOnly(%q) = %v", tt.url, err)
			}
		})
	}
	if code, _, errOut := runCLI(t, "loadgen", "-url", "http://10.1.2.3:8080", "-d", "1s", "-form", seedPath); code == 0 || !strings.Contains(errOut, "loopback") {
		t.Errorf("a remote target was accepted: %d %s", code, errOut)
	}
}
