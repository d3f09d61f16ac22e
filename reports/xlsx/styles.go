package xlsx

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
// created once per workbook and shared: one per cell would bloat
// styles.xml.
type styleKey struct {
	font   string
	size   float64
	bold   bool
	color  string // RGB of the text; "" is the default (black)
	halign string
	indent int
	valign string
	wrap   bool
	fill   string // RGB of a solid fill; "" none
	border bool
	numFmt string
	locked bool
	// quote marks text that begins like a formula (= + - @): Excel, WPS
	// and LibreOffice then keep it text when a clerk edits the cell or
	// the sheet is exported to CSV, instead of evaluating it.
	quote bool
}

// labelFill is the light gray of label cells: distinct on screen, still
// legible when printed in black and white.
const labelFill = "F2F2F2"
