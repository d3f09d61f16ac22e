package ttf

import (
	"encoding/binary"
	"fmt"
)

// PathSink receives a glyph outline in font units (y up). QuadTo is a
// quadratic Bézier segment from the current point, as TrueType draws.
type PathSink interface {
	MoveTo(x, y float64)
	LineTo(x, y float64)
	QuadTo(cx, cy, x, y float64)
	Close()
}

// Outline draws glyph gid into p: the contours of a simple glyph, or the
// components of a composite one moved and scaled as it says. A backend
// draws text that must not be text (a watermark kept out of copy and
// search) with it.
func (f *Font) Outline(gid uint16, p PathSink) error {
	if int(gid) >= int(f.NumGlyphs) {
		return fmt.Errorf("glyph %d out of range", gid)
	}
	return f.outline(gid, p, [6]float64{1, 0, 0, 1, 0, 0}, 0)
}

const (
	flagOnCurve  = 0x01
	flagXShort   = 0x02
	flagYShort   = 0x04
	flagRepeat   = 0x08
	flagXSameOrP = 0x10
	flagYSameOrP = 0x20
	argsAreXY    = 0x0002
)

func (f *Font) outline(gid uint16, p PathSink, m [6]float64, depth int) error {
	if depth > maxComponentDepth {
		return fmt.Errorf("glyph %d: composite glyphs nested deeper than %d", gid, maxComponentDepth)
	}
	d := f.glyph(gid)
	if len(d) < 10 {
		return nil // no outline (a space)
	}
	nc := int(int16(binary.BigEndian.Uint16(d)))
	if nc < 0 {
		return f.compositeOutline(gid, d, p, m, depth)
	}
	bad := fmt.Errorf("glyph %d: truncated outline", gid)
	pos := 10
	if pos+2*nc+2 > len(d) {
		return bad
	}
	ends := make([]int, nc)
	for i := range ends {
		ends[i] = int(binary.BigEndian.Uint16(d[pos+2*i:]))
	}
	pos += 2 * nc
	n := 0
	if nc > 0 {
		n = ends[nc-1] + 1
	}
	pos += 2 + int(binary.BigEndian.Uint16(d[pos:])) // instructions
	flags := make([]byte, 0, n)
	for len(flags) < n {
		if pos >= len(d) {
			return bad
		}
		fl := d[pos]
		pos++
		flags = append(flags, fl)
		if fl&flagRepeat != 0 {
			if pos >= len(d) {
				return bad
			}
			for k := 0; k < int(d[pos]) && len(flags) < n; k++ {
				flags = append(flags, fl)
			}
			pos++
		}
	}
	xs, ys := make([]float64, n), make([]float64, n)
	coord := func(out []float64, short, same byte) error {
		v := 0
		for i, fl := range flags {
			switch {
			case fl&short != 0:
				if pos >= len(d) {
					return bad
				}
				dv := int(d[pos])
				pos++
				if fl&same == 0 {
					dv = -dv
				}
				v += dv
			case fl&same == 0:
				if pos+2 > len(d) {
					return bad
				}
				v += int(int16(binary.BigEndian.Uint16(d[pos:])))
				pos += 2
			}
			out[i] = float64(v)
		}
		return nil
	}
	if err := coord(xs, flagXShort, flagXSameOrP); err != nil {
		return err
	}
	if err := coord(ys, flagYShort, flagYSameOrP); err != nil {
		return err
	}
	tx := func(i int) (float64, float64) {
		return m[0]*xs[i] + m[2]*ys[i] + m[4], m[1]*xs[i] + m[3]*ys[i] + m[5]
	}
	start := 0
	for _, end := range ends {
		if end < start || end >= n {
			return bad
		}
		contour(p, start, end, func(i int) bool { return flags[i]&flagOnCurve != 0 }, tx)
		start = end + 1
	}
	return nil
}

// contour draws points [start, end] of one closed contour; between two
// off-curve points lies an implied on-curve point at their midpoint.
func contour(p PathSink, start, end int, on func(int) bool, pt func(int) (float64, float64)) {
	cnt := end - start + 1
	if cnt < 2 {
		return
	}
	at := func(k int) int { return start + (k%cnt+cnt)%cnt }
	mid := func(a, b int) (float64, float64) {
		ax, ay := pt(a)
		bx, by := pt(b)
		return (ax + bx) / 2, (ay + by) / 2
	}
	// Start on an on-curve point (or the midpoint of the first two).
	first := -1
	for k := 0; k < cnt; k++ {
		if on(at(k)) {
			first = k
			break
		}
	}
	var sx, sy float64
	if first < 0 {
		sx, sy = mid(at(0), at(1))
		// All off-curve: begin at the implied point between 0 and 1 and
		// walk from 1.
		p.MoveTo(sx, sy)
		for k := 1; k <= cnt; k++ {
			cx, cy := pt(at(k))
			nx, ny := mid(at(k), at(k+1))
			p.QuadTo(cx, cy, nx, ny)
		}
		p.Close()
		return
	}
	sx, sy = pt(at(first))
	p.MoveTo(sx, sy)
	for k := first + 1; k <= first+cnt; k++ {
		i := at(k)
		x, y := pt(i)
		if on(i) {
			p.LineTo(x, y)
			continue
		}
		j := at(k + 1)
		if on(j) {
			nx, ny := pt(j)
			p.QuadTo(x, y, nx, ny)
			k++
		} else {
			nx, ny := mid(i, j)
			p.QuadTo(x, y, nx, ny)
		}
	}
	p.Close()
}

func (f *Font) compositeOutline(gid uint16, d []byte, p PathSink, m [6]float64, depth int) error {
	pos := 10
	for {
		if pos+4 > len(d) {
			return fmt.Errorf("glyph %d: truncated composite", gid)
		}
		flags, c := binary.BigEndian.Uint16(d[pos:]), binary.BigEndian.Uint16(d[pos+2:])
		if int(c) >= int(f.NumGlyphs) || pos+4+componentArgs(flags) > len(d) {
			return fmt.Errorf("glyph %d: bad component", gid)
		}
		a := d[pos+4:]
		var dx, dy float64
		k := 2
		if flags&argsAreWords != 0 {
			dx, dy = float64(int16(binary.BigEndian.Uint16(a))), float64(int16(binary.BigEndian.Uint16(a[2:])))
			k = 4
		} else {
			dx, dy = float64(int8(a[0])), float64(int8(a[1]))
		}
		if flags&argsAreXY == 0 {
			dx, dy = 0, 0 // point matching: rare in CJK fonts; placed unmoved
		}
		f2 := func(i int) float64 { return float64(int16(binary.BigEndian.Uint16(a[k+i:]))) / 16384 }
		sa, sb, sc, sd := 1.0, 0.0, 0.0, 1.0
		switch {
		case flags&haveScale != 0:
			sa, sd = f2(0), f2(0)
		case flags&haveXYScale != 0:
			sa, sd = f2(0), f2(2)
		case flags&haveTwoByTwo != 0:
			sa, sb, sc, sd = f2(0), f2(2), f2(4), f2(6)
		}
		// Component matrix, then the parent's.
		cm := [6]float64{sa, sb, sc, sd, dx, dy}
		nm := [6]float64{
			cm[0]*m[0] + cm[1]*m[2], cm[0]*m[1] + cm[1]*m[3],
			cm[2]*m[0] + cm[3]*m[2], cm[2]*m[1] + cm[3]*m[3],
			cm[4]*m[0] + cm[5]*m[2] + m[4], cm[4]*m[1] + cm[5]*m[3] + m[5],
		}
		if err := f.outline(c, p, nm, depth+1); err != nil {
			return err
		}
		pos += 4 + componentArgs(flags)
		if flags&moreComponents == 0 {
			return nil
		}
	}
}
