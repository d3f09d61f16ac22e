package pdf

import (
	_ "embed"
	"html"
	"strconv"
	"strings"
	"time"

	"github.com/reportd/reportd/reports/layout"
)

// PDF/A-2b (ISO 19005-2, level B: the look of the document is preserved).
// What Options.PDFA adds to a file that already embeds every font as a
// subset with ToUnicode, uses only DeviceGray, no transparency, no
// encryption, no external content, and has a trailer ID:
//
//   - an XMP metadata stream (uncompressed) in the catalog, identifying
//     the file as PDF/A-2B and repeating the Info dictionary's title,
//     author, subject, keywords, creator tool, producer and dates;
//   - an sRGB OutputIntent (GTS_PDFA1) with the ICC's sRGB2014.icc profile
//     embedded, which also licenses the DeviceGray the pages use.
//
// docs/pdfa.md lists each requirement and the test that checks it.

// srgbICC is sRGB2014.icc of the International Color Consortium (v2,
// 3,024 bytes; see icc/LICENSE.color.org: it may be copied, embedded and
// used without restriction).
//
//go:embed icc/sRGB2014.icc
var srgbICC []byte

// writePDFA writes the metadata stream (object meta), the ICC profile
// (object icc) and returns the catalog entries that point at them.
func (pw *pdfWriter) writePDFA(meta, icc int, m layout.Meta, opts Options, date time.Time) string {
	x := xmp(m, opts, date)
	pw.begin(meta)
	pw.out = append(pw.out, "<</Type/Metadata/Subtype/XML/Length "...)
	pw.out = strconv.AppendInt(pw.out, int64(len(x)), 10)
	pw.out = append(pw.out, ">>\nstream\n"...)
	pw.out = append(pw.out, x...)
	pw.out = append(pw.out, "\nendstream\nendobj\n"...)

	pw.stream(icc, "/N 3", srgbICC)
	return "/Metadata " + strconv.Itoa(meta) + " 0 R/OutputIntents[<</Type/OutputIntent/S/GTS_PDFA1/OutputConditionIdentifier(sRGB IEC61966-2.1)/RegistryName(http://www.color.org)/Info(sRGB IEC61966-2.1)/DestOutputProfile " + strconv.Itoa(icc) + " 0 R>>]"
}

// xmp is the document's XMP packet: the same values as the Info
// dictionary, as PDF/A requires.
func xmp(m layout.Meta, opts Options, date time.Time) string {
	esc := html.EscapeString
	d := date.Format("2006-01-02T15:04:05Z")
	var b strings.Builder
	b.WriteString("<?xpacket begin=\"\ufeff\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	b.WriteString(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">` + "\n")
	b.WriteString(`<rdf:Description rdf:about="" xmlns:pdfaid="http://www.aiim.org/pdfa/ns/id/" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" xmlns:pdf="http://ns.adobe.com/pdf/1.3/">` + "\n")
	b.WriteString("<pdfaid:part>2</pdfaid:part><pdfaid:conformance>B</pdfaid:conformance>\n")
	b.WriteString("<dc:format>application/pdf</dc:format>\n")
	if m.Title != "" {
		b.WriteString(`<dc:title><rdf:Alt><rdf:li xml:lang="x-default">` + esc(m.Title) + "</rdf:li></rdf:Alt></dc:title>\n")
	}
	if m.Author != "" {
		b.WriteString("<dc:creator><rdf:Seq><rdf:li>" + esc(m.Author) + "</rdf:li></rdf:Seq></dc:creator>\n")
	}
	if m.Subject != "" {
		b.WriteString(`<dc:description><rdf:Alt><rdf:li xml:lang="x-default">` + esc(m.Subject) + "</rdf:li></rdf:Alt></dc:description>\n")
	}
	if m.Keywords != "" {
		b.WriteString("<pdf:Keywords>" + esc(m.Keywords) + "</pdf:Keywords>\n")
	}
	b.WriteString("<pdf:Producer>" + esc(cmpOr(opts.Producer, "reportd")) + "</pdf:Producer>\n")
	b.WriteString("<xmp:CreatorTool>" + esc(cmpOr(opts.Creator, "reportd")) + "</xmp:CreatorTool>\n")
	b.WriteString("<xmp:CreateDate>" + d + "</xmp:CreateDate><xmp:ModifyDate>" + d + "</xmp:ModifyDate><xmp:MetadataDate>" + d + "</xmp:MetadataDate>\n")
	b.WriteString("</rdf:Description></rdf:RDF></x:xmpmeta>\n")
	// Padding lets an editor update the packet in place.
	b.WriteString(strings.Repeat(strings.Repeat(" ", 99)+"\n", 20))
	b.WriteString(`<?xpacket end="w"?>`)
	return b.String()
}
