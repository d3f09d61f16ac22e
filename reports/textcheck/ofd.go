package textcheck

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"
)

// maxOFDEntry bounds what OFDText decompresses from one file of a package,
// so a crafted zip cannot exhaust memory (a form's page is tens of KB).
const maxOFDEntry = 64 << 20

// OFDText extracts the text of an OFD package (GB/T 33190-2016) as a
// reader would draw it: each page from Document.xml in order, every
// TextCode of the page in document order, one line per text object. It
// reads the package itself, without external tools.
func OFDText(data []byte) (string, error) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return "", fmt.Errorf("ofd: not a zip package: %w", err)
	}
	files := map[string]*zip.File{}
	for _, f := range zr.File {
		files[f.Name] = f
	}
	read := func(name string) ([]byte, error) {
		f := files[strings.TrimPrefix(name, "/")]
		if f == nil {
			return nil, fmt.Errorf("ofd: %s is missing from the package", name)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, fmt.Errorf("ofd: %s: %w", name, err)
		}
		defer rc.Close()
		b, err := io.ReadAll(io.LimitReader(rc, maxOFDEntry+1))
		if err != nil {
			return nil, fmt.Errorf("ofd: %s: %w", name, err)
		}
		if len(b) > maxOFDEntry {
			return nil, fmt.Errorf("ofd: %s is larger than %d MB", name, maxOFDEntry>>20)
		}
		return b, nil
	}
	root, err := read("OFD.xml")
	if err != nil {
		return "", err
	}
	var entry struct {
		DocBody []struct {
			DocRoot string `xml:"DocRoot"`
		} `xml:"DocBody"`
	}
	if err := xml.Unmarshal(root, &entry); err != nil {
		return "", fmt.Errorf("ofd: OFD.xml: %w", err)
	}
	if len(entry.DocBody) == 0 {
		return "", errors.New("ofd: OFD.xml has no DocBody")
	}
	var out strings.Builder
	for _, body := range entry.DocBody {
		docRoot := strings.TrimPrefix(strings.TrimSpace(body.DocRoot), "/")
		d, err := read(docRoot)
		if err != nil {
			return "", err
		}
		var doc struct {
			Pages []struct {
				BaseLoc string `xml:"BaseLoc,attr"`
			} `xml:"Pages>Page"`
		}
		if err := xml.Unmarshal(d, &doc); err != nil {
			return "", fmt.Errorf("ofd: %s: %w", docRoot, err)
		}
		for _, pg := range doc.Pages {
			name := path.Join(path.Dir(docRoot), pg.BaseLoc)
			if strings.HasPrefix(pg.BaseLoc, "/") {
				name = pg.BaseLoc
			}
			content, err := read(name)
			if err != nil {
				return "", err
			}
			if err := pageText(&out, content); err != nil {
				return "", fmt.Errorf("ofd: %s: %w", name, err)
			}
			out.WriteString("\f")
		}
	}
	return out.String(), nil
}

// pageText appends the character data of every TextCode, a newline after
// each text object.
func pageText(out *strings.Builder, content []byte) error {
	dec := xml.NewDecoder(bytes.NewReader(content))
	inCode := false
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			inCode = t.Name.Local == "TextCode"
		case xml.EndElement:
			switch t.Name.Local {
			case "TextCode":
				inCode = false
			case "TextObject":
				out.WriteByte('\n')
			}
		case xml.CharData:
			if inCode {
				out.Write(t)
			}
		}
	}
}
