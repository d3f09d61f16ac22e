package pdf

import (
	"slices"
	"strconv"

	"github.com/reportd/reportd/reports/layout"
)

// Tagged PDF (ISO 32000-1 §14.8, the PDF/UA-1 structure types): the
// structure tree is Document → H1 (title), P (subtitle, header lines),
// Table → TR → TH/TD, built from layout's Blocks. Each page's marked
// content points at its element (MCID, ParentTree); page numbers, 续表,
// repeats on continued pages, rules, fills and the 草稿 mark are
// artifacts. Layout puts each page's texts in reading order, so the
// content stream itself reads the table row by row.

type mcr struct{ page, mcid int }

type blockStruct struct {
	b      layout.Block
	tag    string
	obj    int
	parent int
	mcrs   []mcr
}

type rowStruct struct {
	row, obj int
	cells    []int // indexes into partStruct.blocks
}

// partStruct is the structure of one part (one form) of the file.
type partStruct struct {
	blocks  []blockStruct
	table   int // object of the Table element, 0 when there is none
	rows    []rowStruct
	parents [][]int // per page: the element of each MCID
}

// planStructure numbers the structure elements of every part from *next.
func planStructure(parts []Part, docElem int, next *int) []*partStruct {
	out := make([]*partStruct, len(parts))
	for pi, p := range parts {
		ps := &partStruct{blocks: make([]blockStruct, len(p.Doc.Blocks))}
		rowIdx := map[int]int{}
		for i, b := range p.Doc.Blocks {
			bs := &ps.blocks[i]
			bs.b = b
			bs.obj = *next
			*next++
			switch b.Kind {
			case layout.BlockTitle:
				bs.tag, bs.parent = "H1", docElem
			case layout.BlockHeaderCell:
				bs.tag = "TH"
			case layout.BlockCell:
				bs.tag = "TD"
			default:
				bs.tag, bs.parent = "P", docElem
			}
			if b.Kind != layout.BlockHeaderCell && b.Kind != layout.BlockCell {
				continue
			}
			if ps.table == 0 {
				ps.table = *next
				*next++
			}
			k, ok := rowIdx[b.Row]
			if !ok {
				k = len(ps.rows)
				rowIdx[b.Row] = k
				ps.rows = append(ps.rows, rowStruct{row: b.Row})
			}
			ps.rows[k].cells = append(ps.rows[k].cells, i)
		}
		slices.SortStableFunc(ps.rows, func(a, b rowStruct) int { return a.row - b.row })
		for k := range ps.rows {
			r := &ps.rows[k]
			r.obj = *next
			*next++
			slices.SortStableFunc(r.cells, func(a, b int) int { return ps.blocks[a].b.Col - ps.blocks[b].b.Col })
			for _, c := range r.cells {
				ps.blocks[c].parent = r.obj
			}
		}
		out[pi] = ps
	}
	return out
}

// writeStructure writes the StructTreeRoot, the Document element and
// every part's elements.
func (pw *pdfWriter) writeStructure(root, docElem int, parts []*partStruct, npages int) {
	pw.begin(root)
	pw.out = append(pw.out, "<</Type/StructTreeRoot/K "...)
	pw.out = appendRef(pw.out, docElem)
	pw.out = append(pw.out, "/ParentTree<</Nums["...)
	page := 0
	for _, ps := range parts {
		for _, elems := range ps.parents {
			pw.out = strconv.AppendInt(pw.out, int64(page), 10)
			pw.out = append(pw.out, '[')
			for _, e := range elems {
				pw.out = appendRef(pw.out, e)
			}
			pw.out = append(pw.out, ']')
			page++
		}
	}
	pw.out = append(pw.out, "]>>/ParentTreeNextKey "...)
	pw.out = strconv.AppendInt(pw.out, int64(npages), 10)
	pw.out = append(pw.out, ">>\nendobj\n"...)

	// Document: each part's title and paragraphs, its table where its
	// first cell is.
	pw.begin(docElem)
	pw.out = append(pw.out, "<</Type/StructElem/S/Document/P "...)
	pw.out = appendRef(pw.out, root)
	pw.out = append(pw.out, "/K["...)
	for _, ps := range parts {
		tableDone := false
		for _, bs := range ps.blocks {
			if bs.tag == "TH" || bs.tag == "TD" {
				if !tableDone {
					pw.out = appendRef(pw.out, ps.table)
					tableDone = true
				}
				continue
			}
			pw.out = appendRef(pw.out, bs.obj)
		}
	}
	pw.out = append(pw.out, "]>>\nendobj\n"...)

	for _, ps := range parts {
		if ps.table != 0 {
			pw.begin(ps.table)
			pw.out = append(pw.out, "<</Type/StructElem/S/Table/P "...)
			pw.out = appendRef(pw.out, docElem)
			pw.out = append(pw.out, "/K["...)
			for _, r := range ps.rows {
				pw.out = appendRef(pw.out, r.obj)
			}
			pw.out = append(pw.out, "]>>\nendobj\n"...)
			for _, r := range ps.rows {
				pw.begin(r.obj)
				pw.out = append(pw.out, "<</Type/StructElem/S/TR/P "...)
				pw.out = appendRef(pw.out, ps.table)
				pw.out = append(pw.out, "/K["...)
				for _, c := range r.cells {
					pw.out = appendRef(pw.out, ps.blocks[c].obj)
				}
				pw.out = append(pw.out, "]>>\nendobj\n"...)
			}
		}
		for _, bs := range ps.blocks {
			pw.begin(bs.obj)
			pw.out = append(pw.out, "<</Type/StructElem/S/"...)
			pw.out = append(pw.out, bs.tag...)
			pw.out = append(pw.out, "/P "...)
			pw.out = appendRef(pw.out, bs.parent)
			if len(bs.mcrs) > 0 {
				pw.out = append(pw.out, "/Pg "...)
				pw.out = appendRef(pw.out, bs.mcrs[0].page)
			}
			pw.out = append(pw.out, "/K["...)
			for _, m := range bs.mcrs {
				pw.out = append(pw.out, "<</Type/MCR/Pg "...)
				pw.out = appendRef(pw.out, m.page)
				pw.out = append(pw.out, "/MCID "...)
				pw.out = strconv.AppendInt(pw.out, int64(m.mcid), 10)
				pw.out = append(pw.out, ">>"...)
			}
			pw.out = append(pw.out, ']')
			if bs.tag == "TH" || bs.tag == "TD" {
				// Table attributes: spans, and what a header cell heads.
				pw.out = append(pw.out, "/A<</O/Table"...)
				if bs.b.RowSpan > 1 {
					pw.out = append(pw.out, "/RowSpan "...)
					pw.out = strconv.AppendInt(pw.out, int64(bs.b.RowSpan), 10)
				}
				if bs.b.ColSpan > 1 {
					pw.out = append(pw.out, "/ColSpan "...)
					pw.out = strconv.AppendInt(pw.out, int64(bs.b.ColSpan), 10)
				}
				switch bs.b.Scope {
				case layout.ScopeRow:
					pw.out = append(pw.out, "/Scope/Row"...)
				case layout.ScopeColumn:
					pw.out = append(pw.out, "/Scope/Column"...)
				}
				pw.out = append(pw.out, ">>"...)
			}
			pw.out = append(pw.out, ">>\nendobj\n"...)
		}
	}
}

func appendRef(b []byte, obj int) []byte {
	b = append(b, ' ')
	b = strconv.AppendInt(b, int64(obj), 10)
	return append(b, " 0 R"...)
}
