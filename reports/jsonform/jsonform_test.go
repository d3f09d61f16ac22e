package jsonform_test

import (
	"bytes"
	"os"
	"reflect"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/jsonform"
	"github.com/reportd/reportd/reports/textform"
)

func seed(tb testing.TB) []reports.Form {
	tb.Helper()
	f, err := os.Open("../../testdata/seed/2020-performance-targets.txt")
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	forms, err := textform.Read(f, "seed.txt")
	if err != nil {
		tb.Fatal(err)
	}
	for i := range forms {
		forms[i].Lines = nil
	}
	return forms
}

func TestRoundTrip(t *testing.T) {
	forms := seed(t)
	var buf bytes.Buffer
	if err := jsonform.Write(&buf, forms); err != nil {
		t.Fatal(err)
	}
	got, err := jsonform.Read(&buf, "seed.json")
	if err != nil {
		t.Fatal(err)
	}
	for i := range forms {
		forms[i].Source, got[i].Source = "", ""
	}
	if !reflect.DeepEqual(forms, got) {
		t.Errorf("JSON round trip differs:\n%+v\n%+v", forms, got)
	}
}

func TestReadSingleForm(t *testing.T) {
	in := `{"schema":"reportd/form/v1","year":2020,"unit":"U","project":"P","funds":{"total":"1.00"},"indicators":[{"level1":"产出指标","level2":"数量指标","level3":"x","target":"=1个"}]}`
	forms, err := jsonform.Read(strings.NewReader(in), "one.json")
	if err != nil {
		t.Fatal(err)
	}
	if len(forms) != 1 || forms[0].Project != "P" || forms[0].Funds.Total.Fen != 100 {
		t.Errorf("got %+v", forms)
	}
}

func TestReadErrors(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", "empty"},
		{"not json", "财政项目支出绩效目标表", "invalid JSON"},
		{"no schema", `{"forms":[]}`, `"schema" is missing`},
		{"other schema", `{"schema":"reportd/form/v9","forms":[]}`, "unsupported schema"},
		{"no forms", `{"schema":"reportd/form/v1","forms":[]}`, "no form"},
		{"unknown field", `{"schema":"reportd/form/v1","forms":[{"projct":"x"}]}`, `unknown field "projct"`},
		{"number for money", "{\"schema\":\"reportd/form/v1\",\n\"forms\":[{\"funds\":{\"total\":790000}}]}", "line 2"},
		{"bad money", `{"schema":"reportd/form/v1","forms":[{"funds":{"total":"七十九万"}}]}`, "不是金额"},
		{"truncated", `{"schema":"reportd/form/v1","forms":[{"project":"x"`, "unexpected end"},
		{"invalid UTF-8", "{\"schema\":\"reportd/form/v1\",\n\"project\":\"企业\xff培育\"}", "line 2: invalid UTF-8"},
		// 3,000,000 empty forms fit in 9 MB and took 23 GB to decode and check.
		{"too many forms", `{"schema":"reportd/form/v1","forms":[{}` + strings.Repeat(",{}", reports.MaxForms) + `]}`, "at most 10000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := jsonform.Read(strings.NewReader(tt.in), "x.json")
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.HasPrefix(err.Error(), "x.json: ") {
				t.Fatalf("got %v, want an error with %q", err, tt.want)
			}
		})
	}
}

func FuzzRead(f *testing.F) {
	var buf bytes.Buffer
	if err := jsonform.Write(&buf, seed(f)); err != nil {
		f.Fatal(err)
	}
	f.Add(buf.String())
	f.Add(`{"schema":"reportd/form/v1","year":1}`)
	f.Fuzz(func(t *testing.T, in string) {
		forms, err := jsonform.Read(strings.NewReader(in), "fuzz.json")
		if err != nil {
			return
		}
		var out bytes.Buffer
		if err := jsonform.Write(&out, forms); err != nil {
			t.Fatal(err)
		}
		if _, err := jsonform.Read(&out, "again.json"); err != nil {
			t.Fatalf("re-reading written JSON: %v", err)
		}
	})
}
