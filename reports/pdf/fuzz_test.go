package pdf_test

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/pdf"
)

// checkXref verifies the file's skeleton without external tools: the
// startxref offset points at the xref table and every in-use entry at its
// "N 0 obj" line.
func checkXref(data []byte) error {
	i := bytes.LastIndex(data, []byte("startxref\n"))
	if i < 0 || !bytes.HasSuffix(data, []byte("%%EOF\n")) {
		return errors.New("no startxref or %%EOF")
	}
	rest := data[i+len("startxref\n"):]
	xref, err := strconv.Atoi(string(rest[:bytes.IndexByte(rest, '\n')]))
	if err != nil || xref >= len(data) || !bytes.HasPrefix(data[xref:], []byte("xref\n0 ")) {
		return fmt.Errorf("startxref %d does not point at the xref table", xref)
	}
	lines := strings.Split(string(data[xref:]), "\n")
	n, err := strconv.Atoi(strings.Fields(lines[1])[1])
	if err != nil {
		return err
	}
	for obj := 1; obj < n; obj++ {
		f := strings.Fields(lines[2+obj])
		off, err := strconv.Atoi(f[0])
		if err != nil || f[2] != "n" {
			return fmt.Errorf("xref entry %d: %q", obj, lines[2+obj])
		}
		if want := strconv.Itoa(obj) + " 0 obj\n"; off >= len(data) || !bytes.HasPrefix(data[off:], []byte(want)) {
			return fmt.Errorf("object %d: offset %d does not start %q", obj, off, want)
		}
	}
	return nil
}

func TestXrefOfHandDoc(t *testing.T) {
	if err := checkXref(render(t, handDoc(), pdf.Options{})); err != nil {
		t.Fatal(err)
	}
}

// FuzzWriteText draws arbitrary text in every role: Write either succeeds
// with a well-formed file or reports the characters no font has.
func FuzzWriteText(f *testing.F) {
	for _, s := range []string{"财政项目支出绩效目标表", "𠮷野家 ABC (x) \\ 123", "\t\u200b\ufeff", "\U0010FFFD", "", "（）《》——……", "\xff\xfe"} {
		f.Add(s, uint8(0))
	}
	fs := mustFonts(f)
	f.Fuzz(func(t *testing.T, s string, role uint8) {
		doc := &layout.Document{
			WidthPt: 595.276, HeightPt: 841.89,
			Meta: layout.Meta{Title: s, Author: s},
			Pages: []layout.Page{{Texts: []layout.Text{
				{X: 50, Y: 100, Role: layout.Role(role % 4), Size: 12, S: s, Path: "overview"},
			}}},
		}
		var buf bytes.Buffer
		err := pdf.Write(&buf, doc, fs, pdf.Options{})
		var me *font.MissingError
		switch {
		case errors.As(err, &me):
			if buf.Len() != 0 || len(me.Missing) == 0 {
				t.Fatalf("missing characters reported with %d bytes written, %d listed", buf.Len(), len(me.Missing))
			}
		case err != nil:
			t.Fatal(err)
		default:
			if err := checkXref(buf.Bytes()); err != nil {
				t.Fatal(err)
			}
		}
	})
}
