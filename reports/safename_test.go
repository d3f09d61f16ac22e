package reports_test

import (
	"testing"

	"github.com/reportd/reportd/reports"
)

func TestSafeName(t *testing.T) {
	for _, tt := range []struct{ name, in, want string }{
		{"plain", "2020-单位-项目", "2020-单位-项目"},
		{"separators", `a/b\c:d`, "a_b_c_d"},
		{"right-to-left override", "invoice\u202Eexe.pdf", "invoice_exe.pdf"},
		{"zero-width joiner", "项\u200D目", "项_目"},
		{"control", "a\x01b", "a_b"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := reports.SafeName(tt.in); got != tt.want {
				t.Errorf("SafeName(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}
