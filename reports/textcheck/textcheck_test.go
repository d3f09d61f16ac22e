package textcheck_test

import (
	"strings"
	"testing"

	"github.com/reportd/reportd/reports/textcheck"
)

func TestCheck(t *testing.T) {
	cells := []string{"维护开发专精特新微信公众号", "790,000.00", "≥10%", "2020-01-01"}
	tests := []struct {
		name, text string
		ok         bool
		problem    string
	}{
		{"all present with line breaks", "维护开发专精特\n新微信公众号 790000.00 >=10% 2020-01-01", true, ""},
		{"a character dropped at a break", "维护开发专精特新\n信公众号 790,000.00 ≥10% 2020-01-01", false, "U+5FAE"},
		{"shuffled lines", "新微信公众号 维护开发专精特 790000.00 ≥10% 2020-01-01", false, "not found in order"},
		{"number missing", "维护开发专精特新微信公众号 ≥10% 2020-01-01", false, "number"},
		{"interrupted by a page break", "维护开发专精\n— 1 —\n续表\n特新微信公众号 790000.00 ≥10% 20200101", true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := textcheck.Check(cells, tt.text)
			if r.OK() != tt.ok || !strings.Contains(r.String(), tt.problem) {
				t.Errorf("got %s", r)
			}
		})
	}
}
