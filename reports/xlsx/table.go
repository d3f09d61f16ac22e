package xlsx

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"
)

// Table writes a workbook of one sheet row by row, for lists of any length
// (a batch's 汇总 of every form of a year). Rows are spooled to a
// temporary file as they come and strings are stored in the cells
// (inline), so memory does not grow with the number of rows. Close
// removes the file; call it also after WriteTo.
type Table struct {
	wb   *workbook
	ws   *worksheet
	bw   *bufio.Writer
	x    xmlBuf
	rows int
	err  error
}

// TableStyle is the look of table cells.
type TableStyle struct {
	Font           string
	Size           float64
	Bold           bool
	Color          string // RGB of the text, e.g. "C00000"; "" black
	Fill           string // RGB of a solid fill; "" none
	HAlign, VAlign string // left, center, right; top, center, bottom
	Wrap           bool
	NumFmt         string // e.g. "#,##0.00"; "" general
}

// TableCell is one cell: Text, or Number (exact decimal text such as
// "1234.50", never through a float), or neither for a styled blank.
type TableCell struct {
	Style  int // from Table.Style; 0 the default
	Text   string
	Number string
}

// TableSetup is the sheet's layout.
type TableSetup struct {
	Widths     []float64 // column widths in characters
	HeaderRows int       // rows frozen at the top and repeated on every printed page
	Landscape  bool      // printed A4 landscape (portrait otherwise), one page wide
}

// NewTable starts a workbook whose only sheet is named sheet, spooling its
// rows in dir ("" for the system's temporary directory).
func NewTable(dir, sheet string, setup TableSetup) (*Table, error) {
	f, err := os.CreateTemp(dir, "table-*.xml")
	if err != nil {
		return nil, err
	}
	wb := newWorkbook()
	ws := wb.addSheet(sheet)
	ws.spool = f
	ws.frozenRows = setup.HeaderRows
	for i, w := range setup.Widths {
		ws.setColWidth(i+1, w)
	}
	ws.print = &printSetup{paper: 9, landscape: setup.Landscape, fit: true, fitWidth: 1, oddFooter: "&C第 &P 页 共 &N 页"} // 9 = A4
	t := &Table{wb: wb, ws: ws, bw: bufio.NewWriterSize(f, 64<<10)}
	if setup.HeaderRows > 0 {
		wb.names = append(wb.names, definedName{name: "_xlnm.Print_Titles",
			refersTo: fmt.Sprintf("%s!$1:$%d", quoteSheet(sheet), setup.HeaderRows)})
	}
	return t, nil
}

// Style returns the id of a cell style for TableCell.Style.
func (t *Table) Style(s TableStyle) int {
	return t.wb.styles.id(styleKey{font: s.Font, size: s.Size, bold: s.Bold, color: s.Color, fill: s.Fill,
		halign: s.HAlign, valign: s.VAlign, wrap: s.Wrap, numFmt: s.NumFmt, locked: true})
}

// Row appends a row; height is in points, 0 for the default.
func (t *Table) Row(height float64, cells ...TableCell) error {
	if t.err != nil {
		return t.err
	}
	row := t.rows + 1
	x := &t.x
	x.b = x.b[:0]
	x.s(`<row r="`)
	x.int(row)
	x.s(`"`)
	if height > 0 {
		x.s(` ht="`)
		x.float(height)
		x.s(`" customHeight="1"`)
	}
	x.s(`>`)
	for i, c := range cells {
		if n := utf8.RuneCountInString(c.Text); n > maxCellChars {
			return fmt.Errorf("cell %s: text of %d characters is longer than a spreadsheet cell holds (%d)", cellName(i+1, row), n, maxCellChars)
		}
		x.s(`<c r="`)
		x.cell(i+1, row)
		x.s(`"`)
		if c.Style != 0 {
			x.s(` s="`)
			x.int(c.Style)
			x.s(`"`)
		}
		switch {
		case c.Number != "":
			if _, _, ok := decimalText(c.Number); !ok {
				return fmt.Errorf("cell %s: %q is not a decimal number", cellName(i+1, row), c.Number)
			}
			x.s(`><v>`)
			x.s(c.Number)
			x.s(`</v></c>`)
		case c.Text != "":
			if isSpace(c.Text[0]) || isSpace(c.Text[len(c.Text)-1]) {
				x.s(` t="inlineStr"><is><t xml:space="preserve">`)
			} else {
				x.s(` t="inlineStr"><is><t>`)
			}
			x.text(c.Text)
			x.s(`</t></is></c>`)
		default:
			x.s(`/>`)
		}
	}
	x.s(`</row>`)
	t.rows = row
	t.ws.spoolRows, t.ws.spoolCols = row, max(t.ws.spoolCols, len(cells))
	if _, err := t.bw.Write(x.b); err != nil {
		t.err = err
	}
	return t.err
}

// WriteTo writes the workbook to w.
func (t *Table) WriteTo(w io.Writer) (int64, error) {
	if t.err != nil {
		return 0, t.err
	}
	if t.ws.spool == nil {
		return 0, errors.New("table closed")
	}
	if err := t.bw.Flush(); err != nil {
		return 0, err
	}
	cw := &counter{w: w}
	err := t.wb.write(cw, nil)
	return cw.n, err
}

// Close removes the spooled rows.
func (t *Table) Close() error {
	f := t.ws.spool
	if f == nil {
		return nil
	}
	t.ws.spool = nil
	f.Close()
	return os.Remove(f.Name())
}

type counter struct {
	w io.Writer
	n int64
}

func (c *counter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
