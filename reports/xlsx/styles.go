package xlsx

import (
	"fmt"

	"github.com/xuri/excelize/v2"
)

// Fonts names the fonts cells use, by typographic role. The defaults are
// fonts every Chinese Windows, Office and WPS installation has; a spreadsheet
// application substitutes its own when they are missing.
type Fonts struct {
	Title   string // 小标宋 role: the form title
	Heading string // 黑体 role: labels, column headers, section headings
	Body    string // 仿宋/宋体 role: values and long text
}

// DefaultFonts are 宋体 (bold) for the title, 黑体 for labels and 仿宋 for
// values.
func DefaultFonts() Fonts {
	return Fonts{Title: "宋体", Heading: "黑体", Body: "仿宋"}
}

// Number formats of value cells.
const (
	fmtText  = "@" // typed input stays text: "=90%" must not become a formula
	fmtMoney = "#,##0.00"
	fmtDate  = "yyyy-mm-dd"
	fmtMonth = "yyyy-mm"
)

// styleKey is everything that distinguishes a cell's look. Styles are
// created once per workbook and shared: creating one per cell is slow and
// bloats styles.xml.
type styleKey struct {
	font   string
	size   float64
	bold   bool
	halign string
	indent int
	valign string
	wrap   bool
	fill   bool
	border bool
	numFmt string
	locked bool
}

type styleCache struct {
	f   *excelize.File
	ids map[styleKey]int
}

func newStyleCache(f *excelize.File) *styleCache {
	return &styleCache{f: f, ids: map[styleKey]int{}}
}

// labelFill is the light gray of label cells: distinct on screen, still
// legible when printed in black and white.
const labelFill = "F2F2F2"

func (c *styleCache) id(k styleKey) (int, error) {
	if id, ok := c.ids[k]; ok {
		return id, nil
	}
	s := &excelize.Style{
		Font:       &excelize.Font{Family: k.font, Size: k.size, Bold: k.bold},
		Alignment:  &excelize.Alignment{Horizontal: k.halign, Indent: k.indent, Vertical: k.valign, WrapText: k.wrap},
		Protection: &excelize.Protection{Locked: k.locked},
	}
	if k.fill {
		s.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{labelFill}}
	}
	if k.border {
		s.Border = []excelize.Border{
			{Type: "left", Color: "000000", Style: 1},
			{Type: "top", Color: "000000", Style: 1},
			{Type: "right", Color: "000000", Style: 1},
			{Type: "bottom", Color: "000000", Style: 1},
		}
	}
	switch k.numFmt {
	case "":
	case fmtText:
		s.NumFmt = 49 // built-in "@"
	default:
		nf := k.numFmt
		s.CustomNumFmt = &nf
	}
	id, err := c.f.NewStyle(s)
	if err != nil {
		return 0, fmt.Errorf("create cell style: %w", err)
	}
	c.ids[k] = id
	return id, nil
}
