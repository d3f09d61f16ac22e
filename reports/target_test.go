package reports_test

import (
	"testing"

	"github.com/reportd/reportd/reports"
)

func TestTargetParse(t *testing.T) {
	tests := []struct {
		in               string
		op, number, unit string
		quantitative     bool
		err              bool
	}{
		{"=90%", "=", "90", "%", true, false},
		{">=10%", ">=", "10", "%", true, false},
		{"<=450家", "<=", "450", "家", true, false},
		{"=2500家", "=", "2500", "家", true, false},
		{"=180天", "=", "180", "天", true, false},
		{"≥80M", ">=", "80", "M", true, false},
		{"≤5个", "<=", "5", "个", true, false},
		{"=100.00(%)", "=", "100.00", "(%)", true, false},
		{"250万", "", "250", "万", true, false},
		{"1600元/亩", "", "1600", "元/亩", true, false},
		{"≥20年", ">=", "20", "年", true, false},
		{"10", "", "10", "", true, false},
		{"> 3万元", ">", "3", "万元", true, false},
		{"规范", "", "", "", false, false},
		{"可控", "", "", "", false, false},
		{"降低", "", "", "", false, false},
		{"市区共享企业数据库", "", "", "", false, false},
		{">=", "", "", "", false, true},
		{"=abc", "", "", "", false, true},
		{"=90%=", "", "", "", false, true},
		{"<=4五0", "", "", "", false, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			m, ok, err := reports.Target(tt.in).Parse()
			if (err != nil) != tt.err {
				t.Fatalf("err = %v, want error %v", err, tt.err)
			}
			if ok != tt.quantitative || m.Op != tt.op || m.Number != tt.number || m.Unit != tt.unit {
				t.Errorf("got %+v ok=%v, want %s %s %s ok=%v", m, ok, tt.op, tt.number, tt.unit, tt.quantitative)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in, want string
		err      bool
	}{
		{"2020-01-01", "2020-01-01", false},
		{"2020/1/1", "2020-01-01", false},
		{"2020.01.31", "2020-01-31", false},
		{"2020年1月1日", "2020-01-01", false},
		{"20200229", "2020-02-29", false},
		{"2023.07", "2023-07", false},
		{"202001", "2020-01", false},
		{"2020-13-45", "", true},
		{"2019-02-29", "", true},
		{"明年", "", true},
		{"", "", true},
	}
	for _, tt := range tests {
		d, err := reports.ParseDate(tt.in)
		if (err != nil) != tt.err || (!tt.err && d.String() != tt.want) {
			t.Errorf("ParseDate(%q) = %v, %v; want %q", tt.in, d, err, tt.want)
		}
	}
	for _, p := range []struct{ in, a, b string }{
		{"2023.07-2024.01", "2023-07", "2024-01"},
		{"202001-202012", "2020-01", "2020-12"},
		{"2020-01-01至2020-12-31", "2020-01-01", "2020-12-31"},
		{"2020-01-01-2020-12-31", "2020-01-01", "2020-12-31"},
	} {
		a, b, err := reports.ParsePeriod(p.in)
		if err != nil || a.String() != p.a || b.String() != p.b {
			t.Errorf("ParsePeriod(%q) = %v %v %v", p.in, a, b, err)
		}
	}
}
