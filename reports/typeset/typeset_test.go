package typeset_test

import (
	"context"
	"testing"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/family"
	"github.com/reportd/reportd/reports/font"
	"github.com/reportd/reportd/reports/layout"
	"github.com/reportd/reportd/reports/store/storetest"
	"github.com/reportd/reportd/reports/typeset"
)

func typesetter(t *testing.T) typeset.Typesetter {
	t.Helper()
	fonts, err := font.Load(font.Config{})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := family.Builtin()
	if err != nil {
		t.Fatal(err)
	}
	return typeset.New(fonts, reg)
}

// A combined file is labelled by what its forms share, never as its first
// form; one form keeps the caller's metadata.
func TestCombined(t *testing.T) {
	ts := typesetter(t)
	base := layout.Meta{Title: "caller's title"}
	a1 := storetest.Form(2020, "甲单位", "项目一")
	a2 := storetest.Form(2020, "甲单位", "项目二")
	b := storetest.Form(2020, "乙单位", "项目三")
	for _, tt := range []struct {
		name       string
		forms      []*reports.Form
		wantTitles []string
		wantMeta   layout.Meta
	}{
		{"one form keeps the caller's metadata", []*reports.Form{&a1}, []string{"项目一"}, base},
		{"one unit's book names the unit", []*reports.Form{&a1, &a2}, []string{"项目一", "项目二"},
			layout.Meta{Title: reports.DefaultTitle, Author: "甲单位", Subject: reports.DefaultTitle}},
		{"several units name none", []*reports.Form{&a1, &b}, []string{"项目一", "项目三"},
			layout.Meta{Title: reports.DefaultTitle, Subject: reports.DefaultTitle}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			parts, meta, err := ts.Combined(context.Background(), tt.forms, base)
			if err != nil {
				t.Fatal(err)
			}
			if len(parts) != len(tt.forms) || len(parts[0].Doc.Pages) == 0 {
				t.Fatalf("%d documents for %d forms", len(parts), len(tt.forms))
			}
			for i, p := range parts {
				if p.Title != tt.wantTitles[i] {
					t.Errorf("title %d = %q, want %q", i, p.Title, tt.wantTitles[i])
				}
			}
			if meta != tt.wantMeta {
				t.Errorf("meta = %+v, want %+v", meta, tt.wantMeta)
			}
		})
	}
}

// A character no font has names the form's file and field.
func TestCombinedMissingGlyph(t *testing.T) {
	ts := typesetter(t)
	f := storetest.Form(2020, "甲单位", "项目\U000F0001")
	_, _, err := ts.Combined(context.Background(), []*reports.Form{&f}, layout.Meta{})
	if reports.ErrorCode(err) != reports.EINVALID {
		t.Fatalf("err = %v, want EINVALID naming the character", err)
	}
}

// A cancelled request lays nothing out.
func TestDocumentCancelled(t *testing.T) {
	ts := typesetter(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	f := storetest.Form(2020, "甲单位", "项目一")
	if _, err := ts.Document(ctx, &f); err == nil {
		t.Fatal("a cancelled context laid a form out")
	}
}
