package pdf_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/pdf"
)

func TestWriteHandDoc(t *testing.T) {
	data := render(t, handDoc(), pdf.Options{CreationDate: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)})
	path := writeFile(t, data)

	run(t, "qpdf", "--check", path)

	text := run(t, "pdftotext", "-enc", "UTF-8", "-raw", path, "-")
	for _, want := range []string{"财政项目支出绩效目标表", "项目名称", "企业培育 ABC 123,456.78 ≥90%", "珺堃昇喆赟燊㛃 吉野家𠮷野家", "— 1 —", "续表", "— 2 —"} {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q; got:\n%s", want, text)
		}
	}

	info := pdfInfo(t, path)
	for k, want := range map[string]string{"Pages": "2", "Page size": "595.28 x 841.89 pts (A4)", "Title": "财政项目支出绩效目标表",
		"Author": "上海市促进中小企业发展协调办公室", "Subject": "企业培育", "Creator": "reportd", "CreationDate": "Fri Jan  2 03:04:05 2026 UTC"} {
		if info[k] != want {
			t.Errorf("pdfinfo %s = %q, want %q", k, info[k], want)
		}
	}

	fonts := run(t, "pdffonts", path)
	lines := strings.Split(strings.TrimSpace(fonts), "\n")[2:]
	if len(lines) < 4 {
		t.Fatalf("pdffonts lists %d fonts, want title, heading, body and fallback:\n%s", len(lines), fonts)
	}
	for _, l := range lines {
		f := strings.Fields(l)
		// name type(2 words) encoding emb sub uni object ID
		if !strings.Contains(f[0], "+") || f[1] != "CID" || f[4] != "yes" || f[5] != "yes" || f[6] != "yes" {
			t.Errorf("font not embedded+subset+unicode: %s", l)
		}
	}
}

func TestWriteDeterministic(t *testing.T) {
	fixed := pdf.Options{CreationDate: time.Unix(1577836800, 0)}
	a := render(t, handDoc(), fixed)
	b := render(t, handDoc(), fixed)
	if !bytes.Equal(a, b) {
		t.Fatal("two renders of the same document differ")
	}
	doc := handDoc()
	doc.Pages[0].Texts[2].S = "企业培育 ABD"
	if c := render(t, doc, fixed); bytes.Equal(a, c) {
		t.Fatal("different documents give the same bytes")
	}
}

func TestWriteMissingCharacter(t *testing.T) {
	doc := handDoc()
	doc.Pages[1].Texts = append(doc.Pages[1].Texts,
		layout.Text{X: 85, Y: 120, Role: layout.RoleBody, Size: 12, S: "甲\U0010FFFD乙\U0002FFFF", Path: "indicators[2].target"})
	var buf bytes.Buffer
	err := pdf.Write(&buf, doc, mustFonts(t), pdf.Options{})
	var me *font.MissingError
	if !errors.As(err, &me) {
		t.Fatalf("err = %v, want *MissingError", err)
	}
	for _, want := range []string{"U+10FFFD", "U+2FFFF", "绩效指标第3行指标目标值"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q lacks %q", err, want)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written despite the error", buf.Len())
	}
}
