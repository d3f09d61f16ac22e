// Package fonts embeds the TrueType fonts reportd prints with, so the binary
// needs no font installed. It only hands out the bytes: parsing (once per
// process) is reports/pdf's job, which keeps this package free of state.
package fonts

import _ "embed"

// The embedded files are read-only; callers must not modify the slices.
var (
	//go:embed NotoSerifSC-Bold.ttf
	serifBold []byte
	//go:embed NotoSansSC-Medium.ttf
	sansMedium []byte
	//go:embed NotoSerifSC-Regular.ttf
	serifRegular []byte
)

// File is one embedded font file.
type File struct {
	Name string // file name, e.g. "NotoSerifSC-Regular.ttf"
	Data []byte // the TrueType bytes; shared, never modify
}

// Title is the bold serif of the 小标宋 role (the form title).
func Title() File { return File{Name: "NotoSerifSC-Bold.ttf", Data: serifBold} }

// Heading is the sans of the 黑体 role (labels, table headers).
func Heading() File { return File{Name: "NotoSansSC-Medium.ttf", Data: sansMedium} }

// Body is the serif of the 仿宋/宋体 role (values and long text).
func Body() File { return File{Name: "NotoSerifSC-Regular.ttf", Data: serifRegular} }
