package reports_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
)

func TestParseMoney(t *testing.T) {
	tests := []struct {
		name, in string
		fen      int64
		set      bool
		err      string
	}{
		{"seed amount", "790,000.00", 79000000, true, ""},
		{"no separators", "790000", 79000000, true, ""},
		{"one decimal", "1.5", 150, true, ""},
		{"full-width comma", "1，234.56", 123456, true, ""},
		{"yuan sign", "¥12.00", 1200, true, ""},
		{"zero", "0.00", 0, true, ""},
		{"blank is unset", "  ", 0, false, ""},
		{"negative", "-5.00", -500, true, ""},
		{"three decimals", "1.001", 0, false, "最多2位"},
		{"chinese numerals", "七十九万", 0, false, "不是金额"},
		{"letters", "12a", 0, false, "不是金额"},
		{"lone dot", ".", 0, false, "不是金额"},
		{"too large", "99999999999999999999", 0, false, "金额过大"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := reports.ParseMoney(tt.in)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("ParseMoney(%q) error = %v, want %q", tt.in, err, tt.err)
				}
				return
			}
			if err != nil || m.Fen != tt.fen || m.Set != tt.set {
				t.Fatalf("ParseMoney(%q) = %+v, %v; want %d set=%v", tt.in, m, err, tt.fen, tt.set)
			}
		})
	}
}

func TestParseWanYuan(t *testing.T) {
	tests := []struct {
		in  string
		fen int64
		err bool
	}{
		{"79", 79000000, false},
		{"79.08", 79080000, false},
		{"0.000001", 1, false},
		{"1.2345678", 0, true},
		{"0.0000001", 0, true},
	}
	for _, tt := range tests {
		m, err := reports.ParseWanYuan(tt.in)
		if (err != nil) != tt.err || (!tt.err && m.Fen != tt.fen) {
			t.Errorf("ParseWanYuan(%q) = %+v, %v", tt.in, m, err)
		}
	}
}

func TestMoneyFormat(t *testing.T) {
	tests := []struct {
		fen             int64
		str, plain, wan string
	}{
		{79000000, "790,000.00", "790000.00", "79.00"},
		{5, "0.05", "0.05", "0.000005"},
		{-123456789, "-1,234,567.89", "-1234567.89", "-123.456789"},
		{100000, "1,000.00", "1000.00", "0.10"},
	}
	for _, tt := range tests {
		m := reports.Money{Fen: tt.fen, Set: true}
		if m.String() != tt.str || m.Plain() != tt.plain || m.WanYuan(2) != tt.wan {
			t.Errorf("%d: got %q %q %q, want %q %q %q", tt.fen, m.String(), m.Plain(), m.WanYuan(2), tt.str, tt.plain, tt.wan)
		}
	}
	if (reports.Money{}).String() != "" {
		t.Error("unset money should print empty")
	}
}

func TestMoneyJSON(t *testing.T) {
	var f reports.Funds
	if err := json.Unmarshal([]byte(`{"total":"790000.00","current":"1,000.10","last_budget":"","last_spent":"0"}`), &f); err != nil {
		t.Fatal(err)
	}
	if f.Total.Fen != 79000000 || f.Current.Fen != 100010 || f.LastBudget.Set || !f.LastSpent.Set {
		t.Errorf("decoded %+v", f)
	}
	b, _ := json.Marshal(f)
	if string(b) != `{"total":"790000.00","current":"1000.10","last_budget":"","last_spent":"0.00"}` {
		t.Errorf("encoded %s", b)
	}
	if err := json.Unmarshal([]byte(`{"total":790000.5}`), &f); err == nil {
		t.Error("a JSON number for money must be refused (it would pass through float64)")
	}
}

func FuzzParseMoney(f *testing.F) {
	for _, s := range []string{"790,000.00", "1.5", "-0.01", "七十九万", "1e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		m, err := reports.ParseMoney(s)
		if err != nil || !m.Set {
			return
		}
		again, err := reports.ParseMoney(m.String())
		if err != nil || again != m {
			t.Fatalf("%q → %v → %v, %v", s, m, again, err)
		}
	})
}

func TestMoneyWanYuan(t *testing.T) {
	tests := []struct {
		name string
		fen  int64
		want string
	}{
		{"zero", 0, "0.00"},
		{"whole", 790_000_00, "79.00"},
		{"two decimals", 710_800_00, "71.08"},
		{"one yuan needs four decimals", 100, "0.0001"},
		{"one fen needs six", 1, "0.000001"},
		{"thousands", 1_234_567_890_00, "123,456.789"},
		{"negative", -5_000_00, "-0.50"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := (reports.Money{Fen: tt.fen, Set: true}).WanYuan(2); got != tt.want {
				t.Errorf("WanYuan(%d 分) = %q, want %q", tt.fen, got, tt.want)
			}
		})
	}
}

func TestMoneyFormatDecimals(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		wan      bool
		decimals int
		want     string
		need     int
	}{
		{"wan exact six", "860.123456", true, 6, "860.123456", 6},
		{"wan padded", "1250.5", true, 6, "1,250.500000", 1},
		{"wan two", "1250.5", true, 2, "1,250.50", 1},
		{"wan rounded half up for print", "860.125", true, 2, "860.13", 3},
		{"wan rounded down", "860.124999", true, 2, "860.12", 6},
		{"wan negative rounds away from zero", "-0.005", true, 2, "-0.01", 3},
		{"wan whole", "10000", true, 0, "10,000", 0},
		{"yuan", "790000", false, 2, "790,000.00", 0},
		{"yuan more decimals than exist", "1.5", false, 4, "1.5000", 1},
		{"yuan rounded", "1.55", false, 1, "1.6", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			parse := reports.ParseMoney
			if tt.wan {
				parse = reports.ParseWanYuan
			}
			m, err := parse(tt.in)
			if err != nil {
				t.Fatal(err)
			}
			if got := m.Format(tt.wan, tt.decimals); got != tt.want {
				t.Errorf("Format(%v, %d) = %q, want %q", tt.wan, tt.decimals, got, tt.want)
			}
			if got := m.Decimals(tt.wan); got != tt.need {
				t.Errorf("Decimals = %d, want %d", got, tt.need)
			}
		})
	}
}

func TestParseWanYuanWithUnit(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"10000万元", "100000000.00"},
		{"250万", "2500000.00"},
		{"1,250.5 万元", "12505000.00"},
		{"860.123456", "8601234.56"},
	} {
		m, err := reports.ParseWanYuan(tt.in)
		if err != nil || m.Plain() != tt.want {
			t.Errorf("ParseWanYuan(%q) = %s, %v; want %s", tt.in, m.Plain(), err, tt.want)
		}
	}
	for _, bad := range []string{"万元", "854万(高标准农田建设400万元)", "十万元"} {
		if _, err := reports.ParseWanYuan(bad); err == nil {
			t.Errorf("ParseWanYuan(%q) accepted", bad)
		}
	}
}
