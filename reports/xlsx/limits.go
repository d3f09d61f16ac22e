package xlsx

import (
	"archive/zip"
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/reportd/reportd/reports"
)

// Bounds on what a workbook may hold, checked by precheck before excelize
// parses anything. excelize keeps every shared string, cell and style in
// memory and takes seconds per million: an attack found a 110 KB workbook
// of 2.5 million shared strings costing 15.7 s and 950 MB, and a 4.8 MB one
// of 1.2 million cells 34 s. A form's workbook has a few hundred strings
// and cells and a few dozen styles; a combined workbook of 500 forms about
// 200,000 cells.
const (
	maxSharedStrings = 200_000
	maxCells         = 400_000 // in all sheets together
	maxRows          = 100_000 // in one sheet
	maxStyles        = 20_000  // entries of each list in styles.xml (xf, font, fill, border, numFmt)
	maxXMLDepth      = 64
)

// limitError is a bound exceeded; precheck turns it into ETOOLARGE.
type limitError struct{ what string }

func (e limitError) Error() string { return e.what }

// precheck streams the parts excelize would load (shared strings, styles,
// worksheets) and refuses the workbook at the first bound it exceeds: the
// XML is only tokenised, nothing is kept, so the cost is bounded by the
// unzipped size (itself bounded) and a refusal comes as soon as a bound is
// passed, not after the part is read.
func precheck(zr *zip.Reader, name string) error {
	cells := 0
	for _, zf := range zr.File {
		part := strings.ToLower(path.Clean(zf.Name))
		var count map[string]int
		var limit func(el string, n int) error
		switch {
		case part == "xl/sharedstrings.xml":
			limit = func(el string, n int) error {
				if el == "si" && n > maxSharedStrings {
					return limitError{fmt.Sprintf("more than %d shared strings", maxSharedStrings)}
				}
				return nil
			}
		case part == "xl/styles.xml":
			limit = func(el string, n int) error {
				switch el {
				case "xf", "font", "fill", "border", "numFmt", "dxf", "cellStyle":
					if n > maxStyles {
						return limitError{fmt.Sprintf("more than %d %s styles", maxStyles, el)}
					}
				}
				return nil
			}
		case strings.HasPrefix(part, "xl/worksheets/") && strings.HasSuffix(part, ".xml"):
			sheet := path.Base(zf.Name)
			limit = func(el string, n int) error {
				switch el {
				case "row":
					if n > maxRows {
						return limitError{fmt.Sprintf("%s has more than %d rows", sheet, maxRows)}
					}
				case "c":
					if cells++; cells > maxCells {
						return limitError{fmt.Sprintf("more than %d cells", maxCells)}
					}
				}
				return nil
			}
		default:
			continue
		}
		count = map[string]int{}
		if err := scanPart(zf, count, limit); err != nil {
			var le limitError
			if errors.As(err, &le) {
				return reports.Errorf(reports.ETOOLARGE, "%s: workbook has %s: refused (a form's workbook has a few hundred)", name, le.what)
			}
			return reports.Errorf(reports.EINVALID, "%s: damaged .xlsx workbook: %s: %v", name, zf.Name, err)
		}
	}
	return nil
}

// scanPart scans one part's start and end tags, counting start elements
// by local name and asking limit after each; it also bounds the nesting
// depth. It is a tag scanner, not a parser (excelize parses later): it
// needs no allocation per element, so a refusal costs milliseconds.
// Comments, CDATA, processing instructions and quoted attribute values
// (which may hold '>') are skipped whole.
func scanPart(zf *zip.File, count map[string]int, limit func(el string, n int) error) error {
	rc, err := zf.Open()
	if err != nil {
		return err
	}
	defer rc.Close()
	r := bufio.NewReaderSize(rc, 64<<10)
	depth := 0
	var name []byte
	skipPast := func(end string) error {
		matched := 0
		for matched < len(end) {
			c, err := r.ReadByte()
			if err != nil {
				return err
			}
			switch {
			case c == end[matched]:
				matched++
			case c == end[0]:
				matched = 1
			default:
				matched = 0
			}
		}
		return nil
	}
	for {
		if _, err := r.ReadSlice('<'); err != nil {
			if err == io.EOF {
				return nil
			}
			if err != bufio.ErrBufferFull {
				return err
			}
			continue
		}
		c, err := r.ReadByte()
		if err != nil {
			return err
		}
		switch c {
		case '/':
			if err := skipPast(">"); err != nil {
				return err
			}
			depth--
			continue
		case '?':
			if err := skipPast("?>"); err != nil {
				return err
			}
			continue
		case '!':
			head, _ := r.Peek(7)
			switch {
			case bytes.HasPrefix(head, []byte("--")):
				err = skipPast("-->")
			case bytes.HasPrefix(head, []byte("[CDATA[")):
				err = skipPast("]]>")
			default:
				err = skipPast(">")
			}
			if err != nil {
				return err
			}
			continue
		}
		// A start tag: its name, then attributes up to '>' or '/>'.
		name = append(name[:0], c)
		var quote byte
		selfClosing := false
		inName := true
		for {
			c, err := r.ReadByte()
			if err != nil {
				return err
			}
			if quote != 0 {
				if c == quote {
					quote = 0
				}
				continue
			}
			if c == '>' {
				break
			}
			selfClosing = c == '/'
			switch {
			case c == '"' || c == '\'':
				quote = c
			case inName && (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '/'):
				inName = false
			case inName:
				if len(name) < 64 {
					name = append(name, c)
				}
			}
		}
		if depth++; depth > maxXMLDepth {
			return limitError{fmt.Sprintf("XML nested deeper than %d levels in %s", maxXMLDepth, zf.Name)}
		}
		el := string(name)
		if i := strings.LastIndexByte(el, ':'); i >= 0 {
			el = el[i+1:]
		}
		count[el]++
		if err := limit(el, count[el]); err != nil {
			return err
		}
		if selfClosing {
			depth--
		}
	}
}
