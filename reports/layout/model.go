package layout

// This file is the contract between form families, the layout engine and the
// two backends. A Grid is the neutral table model of one form (what the XLSX
// backend writes); Paginate typesets a Grid into a Document (positioned
// text, rules and fills on pages), which the PDF backend draws. Neither type
// knows about fpdf, excelize or fonts beyond the Measurer.

// Role is a typographic role; backends map roles to fonts (小标宋, 黑体,
// 仿宋/宋体 in print; configurable font names in XLSX).
type Role uint8

const (
	RoleBody    Role = iota // 仿宋/宋体 role: values and long text
	RoleHeading             // 黑体 role: labels, table headers, section headings
	RoleTitle               // 小标宋 role: the form title
)

// Measurer reports glyph advances. Advance returns the advance width of r in
// em (multiply by the font size in points); ok is false when no font of the
// role (nor a fallback) has the character.
type Measurer interface {
	Advance(role Role, r rune) (em float64, ok bool)
}

// Align is horizontal alignment within a cell.
type Align uint8

const (
	AlignLeft Align = iota
	AlignCenter
	AlignRight
)

// CellKind says what a cell holds, which decides its look in both backends.
type CellKind uint8

const (
	KindValue       CellKind = iota // an entered value (unlocked in XLSX)
	KindLabel                       // a field label (bold, shaded, locked)
	KindSection                     // a section heading row spanning the table
	KindColumnHead                  // an indicator table column header
	KindMoney                       // an amount (right-aligned; a number in XLSX)
	KindDate                        // a date (a real date in XLSX when parseable)
	KindIndicatorL1                 // a merged level-1 indicator cell
	KindIndicatorL2                 // a merged level-2 indicator cell
	KindBlank                       // a box the unit does not fill (审核意见): locked, printed empty
)

// Cell is one cell of the Grid. Col is its first grid column, Span the
// number of columns it covers, RowSpan the number of rows (>1 only for
// merged indicator levels).
type Cell struct {
	Col, Span, RowSpan int
	Kind               CellKind
	Align              Align
	Role               Role
	Text               string // exactly what is printed
	// Path is the form field path the cell shows ("project", "funds.total",
	// "indicators[3].target"), empty for labels and headings. XLSX uses it to
	// unlock value cells and to read an edited workbook back.
	Path string
	// Label is the field's Chinese label for a cell with a Path (项目名称,
	// 绩效指标第3行指标目标值), for messages and XLSX input prompts; never printed.
	Label string `json:",omitempty"`
	// Exact is, for an amount Text rounds to the family's printed decimals,
	// the exact amount in the same unit ("860.123456"), so a workbook
	// stores the number a clerk entered; "" when Text is exact.
	Exact string `json:",omitempty"`
	// ReadOnly marks a value cell (with a Path) that a workbook keeps
	// locked: a target or a computed score in a self-evaluation.
	ReadOnly bool `json:",omitempty"`
}

// RowKind groups rows for pagination.
type RowKind uint8

const (
	RowField       RowKind = iota // header fields and long text
	RowSection                    // a section heading
	RowTableHeader                // the indicator column header: repeated on continued pages
	RowIndicator                  // an indicator row
)

// Row is one grid row.
type Row struct {
	Kind  RowKind
	Cells []Cell
	// MinHeightMM is the least height of the row (a box for a signature
	// or an opinion written by hand); 0 means as high as its text.
	MinHeightMM float64 `json:",omitempty"`
}

// Grid is the neutral table model of one form, built from a form family.
type Grid struct {
	Title    string   // 财政项目支出绩效目标表
	Subtitle string   // (2020年度)
	Header   []string // lines between title and table, e.g. "申报单位名称：…" (may be empty)
	// HeaderRight, when not empty, has one entry per Header line: text
	// printed right-aligned on the same line ("单位：万元"); "" for none.
	HeaderRight []string `json:",omitempty"`
	// Footer lines print under the table, left-aligned and wrapped: a
	// sign-off line (填表人：…), footnotes (注：…).
	Footer []string `json:",omitempty"`
	// Columns are the relative widths of the grid columns; backends scale
	// them to the printable width.
	Columns []float64
	Rows    []Row
	Page    PageSetup
	Meta    Meta
	// Draft is true when the form has validation errors and the family
	// marks drafts (watermark 草稿).
	Draft bool
}

// Part is one titled document of a combined file (a unit's book, a
// -combine render): backends give a non-empty Title an outline entry
// (bookmark, 书签) pointing at the part's first page.
type Part struct {
	Title string
	Doc   *Document
}

// Meta is document metadata.
type Meta struct {
	Title, Author, Subject, Keywords string
}

// PageSetup is the page geometry and type sizes, in millimetres and points.
type PageSetup struct {
	WidthMM, HeightMM                              float64 // A4: 210 × 297
	TopMM, BottomMM, LeftMM, RightMM               float64 // margins
	TitleSize, SubtitleSize, HeadingSize, BodySize float64 // points
	FooterMM                                       float64 // distance of the page number baseline from the bottom edge
	// Added after the first contract; zero means the default noted.
	PageNumberSize float64 // points; 0 means 14 (四号, as GB/T 9704 sets page numbers)
	Leading        float64 // line height as a multiple of the type size; 0 means 1.5
	PaddingMM      float64 // cell padding on every side; 0 means 1.5 mm
	KeepLines      int     // rows of at most this many lines are never split; 0 means 6
	FramePt        float64 // outer frame of the table; 0 means 1 pt
	RulePt         float64 // inner rules; 0 means 0.5 pt
	Shade          bool    // fill labels and headings light grey
}

// Document is a typeset form: pages of positioned items, in points with the
// origin at the top-left corner of the page and y growing downwards.
type Document struct {
	WidthPt, HeightPt float64
	Meta              Meta
	Pages             []Page
	Draft             bool
	// Blocks is the logical structure, in reading order: the title, the
	// paragraphs above the table and each table cell. A Text belongs to
	// Blocks[Text.Block-1]; tagged output (PDF structure tree) reads it.
	Blocks []Block
}

// BlockKind is the logical role of a Block (a PDF structure type).
type BlockKind uint8

const (
	BlockTitle      BlockKind = iota + 1 // the form title (H1)
	BlockParagraph                       // subtitle and header lines (P)
	BlockHeaderCell                      // a label, column head, section heading or merged level (TH)
	BlockCell                            // a value (TD)
)

// Scope says which cells a header cell heads.
type Scope uint8

const (
	ScopeNone Scope = iota
	ScopeRow
	ScopeColumn
)

// Block is one logical element. Table cells give their grid position and
// spans; Row and Col are -1 outside the table.
type Block struct {
	Kind             BlockKind
	Row, Col         int
	RowSpan, ColSpan int
	Scope            Scope
}

// Page is one page's content, drawn in order: background, fills, text,
// rules. Texts are in reading order (title, then the table row by row,
// each row's cells left to right, then the page number), so a backend
// that writes them in order gives text extraction the table as printed.
type Page struct {
	// Background is drawn first, behind everything, and is not part of
	// the document's text: the 草稿 mark of drafts. The PDF draws it as
	// outlines in an artifact, so copying or extracting text skips it.
	Background []Text `json:",omitempty"`
	Fills      []Rect
	Texts      []Text
	Rules      []Rule
	// FirstRow is the grid row the page's table starts with (-1 when the
	// page holds no row); Continued is set when that row began on the page
	// before. The workbook sets its print breaks from them.
	FirstRow  int
	Continued bool `json:",omitempty"`
}

// Text is one line of text. X is the left edge, Y the baseline.
type Text struct {
	X, Y float64
	Role Role
	Size float64 // points
	S    string
	// Gray is the text colour from 0 (black, the default) to 1 (white); the
	// 草稿 mark of drafts is light gray.
	Gray float64 `json:",omitempty"`
	// DX, when not nil, has one entry per rune of S: extra space after
	// that rune, in points, added to its advance. Negative entries set
	// adjacent punctuation half an em tighter (标点挤压); positive ones
	// justify a line to both cell edges (两端对齐), only between Chinese
	// characters and marks, never inside a number or a Latin word. A
	// backend that ignores DX prints the line ragged and unsqueezed.
	DX []float64 `json:",omitempty"`
	// Path is the form field path of the value cell this line belongs to
	// ("overview", "indicators[2].target"); empty for labels, headings, the
	// title, page numbers and repeats (a merged level or a label repeated
	// with （续）), so the Texts of one Path, in page order, are exactly the
	// field's text without its newlines. Tests and glyph-fallback messages
	// use it.
	Path string `json:",omitempty"`
	// Block is the logical element the line belongs to (Document.Blocks,
	// 1-based); 0 marks page furniture a tagged PDF keeps out of the
	// structure: page numbers, 续表, the column header and labels repeated
	// on a continued page.
	Block int   `json:",omitempty"`
	ord   int32 // reading-order key within the table (row, column)
}

// Rule is a straight line of the given width (points).
type Rule struct {
	X1, Y1, X2, Y2, Width float64
}

// Rect is a filled rectangle; Gray is 0 (black) to 1 (white).
type Rect struct {
	X, Y, W, H float64
	Gray       float64
}
