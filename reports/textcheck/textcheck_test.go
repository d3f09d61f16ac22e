package textcheck_test

import (
	"archive/zip"
	"bytes"
	"maps"
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

// OFDText reads a package's pages in Document.xml's order and refuses what
// is not an OFD package.
func TestOFDText(t *testing.T) {
	pkg := func(files map[string]string) []byte {
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, name := range []string{"OFD.xml", "Doc_0/Document.xml", "Doc_0/Pages/Page_0/Content.xml", "Doc_0/Pages/Page_1/Content.xml"} {
			if body, ok := files[name]; ok {
				w, _ := zw.Create(name)
				w.Write([]byte(body))
			}
		}
		zw.Close()
		return buf.Bytes()
	}
	const ns = ` xmlns:ofd="http://www.ofdspec.org/2016"`
	good := map[string]string{
		"OFD.xml":                        `<ofd:OFD` + ns + `><ofd:DocBody><ofd:DocInfo/><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot></ofd:DocBody></ofd:OFD>`,
		"Doc_0/Document.xml":             `<ofd:Document` + ns + `><ofd:Pages><ofd:Page ID="2" BaseLoc="Pages/Page_1/Content.xml"/><ofd:Page ID="1" BaseLoc="Pages/Page_0/Content.xml"/></ofd:Pages></ofd:Document>`,
		"Doc_0/Pages/Page_0/Content.xml": `<ofd:Page` + ns + `><ofd:Content><ofd:Layer ID="3"><ofd:TextObject ID="4"><ofd:TextCode X="0" Y="1">第二</ofd:TextCode><ofd:TextCode X="9" Y="1">页 A&amp;B</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>`,
		"Doc_0/Pages/Page_1/Content.xml": `<ofd:Page` + ns + `><ofd:Content><ofd:Layer ID="5"><ofd:TextObject ID="6"><ofd:TextCode X="0" Y="1">第一页</ofd:TextCode></ofd:TextObject></ofd:Layer></ofd:Content></ofd:Page>`,
	}
	text, err := textcheck.OFDText(pkg(good))
	if err != nil {
		t.Fatal(err)
	}
	if text != "第一页\n\f第二页 A&B\n\f" {
		t.Errorf("text %q", text)
	}
	noPage := maps.Clone(good)
	delete(noPage, "Doc_0/Pages/Page_1/Content.xml")
	for _, tt := range []struct {
		name string
		data []byte
		want string
	}{
		{"not a zip", []byte("%PDF-1.7"), "not a zip"},
		{"page missing", pkg(noPage), "Page_1/Content.xml is missing"},
		{"no entry point", pkg(map[string]string{"Doc_0/Document.xml": good["Doc_0/Document.xml"]}), "OFD.xml is missing"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := textcheck.OFDText(tt.data); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %v, want %q", err, tt.want)
			}
		})
	}
}
