package font

import (
	"errors"
	"fmt"
	"strings"
	"unicode"

	"github.com/reportd/reportd/reports"
	"github.com/reportd/reportd/reports/layout"
)

// Missing is a character no font of the set can draw.
type Missing struct {
	Rune rune
	Path string // field path of the text it is in, "" for labels and headings
}

// MissingError lists every character no font (nor fallback) has. A backend
// returning it has written nothing.
type MissingError struct {
	Missing []Missing
}

func (e *MissingError) Error() string {
	var b strings.Builder
	b.WriteString("characters not in any font: ")
	for i, m := range e.Missing {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(ShowRune(m.Rune))
		if m.Path != "" {
			fmt.Fprintf(&b, " in %s (%s)", reports.LabelOf(m.Path), m.Path)
		}
	}
	return b.String()
}

// MissingProblems turns layout's list of unprintable characters into a
// validation error clerks can act on: one problem per field. Other errors
// are returned unchanged. Every backend reports a missing glyph this way.
func MissingProblems(f *reports.Form, err error) error {
	var me *layout.MissingGlyphsError
	if !errors.As(err, &me) {
		return err
	}
	var probs reports.Problems
	var chars []string
	for _, m := range me.Missing {
		path := m.Path
		probs = append(probs, reports.Problem{
			Severity: reports.SeverityError,
			Path:     path,
			Line:     f.Line(path),
			Message:  missingMessage(m.Rune),
		})
		chars = append(chars, fmt.Sprintf("%s in %s", ShowRune(m.Rune), m.Label))
	}
	return &reports.Error{
		Code:     reports.EINVALID,
		Message:  "characters not in any font: " + strings.Join(chars, "; "),
		Problems: probs,
	}
}

// missingMessage tells a clerk why a character cannot be printed.
func missingMessage(r rune) string {
	if NeedsShaping(r) {
		return fmt.Sprintf("字符 %s 属于需要从右向左或复杂排版的文字，暂不支持打印", ShowRune(r))
	}
	return fmt.Sprintf("字符 %s 无可用字体，无法打印", ShowRune(r))
}

// ShowRune names a character for messages: "U+20BB7 𠮷", or only the code
// point when the character itself would print as nothing or a box.
func ShowRune(r rune) string {
	if unicode.IsGraphic(r) && !unicode.Is(unicode.Co, r) {
		return fmt.Sprintf("U+%04X %c", r, r)
	}
	return fmt.Sprintf("U+%04X", r)
}
