package font

import (
	"errors"
	"fmt"
	"io/fs"
	"unicode"

	"github.com/reportd/reportd/fonts"
	"github.com/reportd/reportd/reports/font/ttf"
	"github.com/reportd/reportd/reports/layout"
)

// DefaultFallbacks are the fallback fonts used when Config.Fallbacks is
// nil and the files exist: Debian's fonts-hanazono, which covers CJK
// Extension B and later (HanaMinB: 𠮷 U+20BB7) and Extension A (HanaMinA).
var DefaultFallbacks = []string{
	"/usr/share/fonts/truetype/hanazono/HanaMinB.ttf",
	"/usr/share/fonts/truetype/hanazono/HanaMinA.ttf",
}

// Config chooses the fonts of the three roles. An empty path means the
// embedded Noto font of that role (see package fonts).
type Config struct {
	Title   string // 小标宋 role, e.g. a site's 方正小标宋简体 .ttf
	Heading string // 黑体 role
	Body    string // 仿宋/宋体 role
	// Fallbacks are tried in order for characters the role's font lacks.
	// nil means DefaultFallbacks (those that exist); an empty non-nil
	// slice means no fallback.
	Fallbacks []string
}

// Source is a font file's name (for messages) and bytes.
type Source struct {
	Name string
	Data []byte
}

// Set maps the layout roles to parsed fonts plus fallbacks. It is built
// once per process and shared by concurrent renders of every backend: the
// fonts never change, and the only mutable part, a bounded cache of recent
// subsets, is locked. It implements layout.Measurer with the same glyph
// choice the backends draw with (Resolve).
type Set struct {
	faces     []*Face // distinct fonts; roles and fallbacks index into it
	roles     [3]int  // layout.Role → faces index
	fallbacks []int
	cache     *cache // recent subsets; the one mutable part, locked
}

// Face is one parsed font of a Set.
type Face struct {
	Name  string // file name, for messages
	Font  *ttf.Font
	InvEm float64 // 1/unitsPerEm
	index int     // position in the Set, for cache keys
}

var _ layout.Measurer = (*Set)(nil)

// Load reads and parses the configured fonts (and the default
// fallbacks when present).
func Load(cfg Config) (*Set, error) {
	// One path named for several roles is read once, so NewSet sees
	// the same bytes and parses and embeds the font once.
	read := map[string][]byte{}
	readOnce := func(path string) ([]byte, error) {
		if d, ok := read[path]; ok {
			return d, nil
		}
		d, err := readFontFile(path)
		if err == nil {
			read[path] = d
		}
		return d, err
	}
	src := func(path string, def fonts.File) (Source, error) {
		if path == "" {
			return Source(def), nil
		}
		data, err := readOnce(path)
		if err != nil {
			return Source{}, fmt.Errorf("load fonts: %w", err)
		}
		return Source{Name: path, Data: data}, nil
	}
	title, err := src(cfg.Title, fonts.Title())
	if err != nil {
		return nil, err
	}
	heading, err := src(cfg.Heading, fonts.Heading())
	if err != nil {
		return nil, err
	}
	body, err := src(cfg.Body, fonts.Body())
	if err != nil {
		return nil, err
	}
	paths, optional := cfg.Fallbacks, false
	if paths == nil {
		paths, optional = DefaultFallbacks, true
	}
	var fallbacks []Source
	for _, p := range paths {
		data, err := readOnce(p)
		if optional && errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("load fallback font: %w", err)
		}
		fallbacks = append(fallbacks, Source{Name: p, Data: data})
	}
	return NewSet(title, heading, body, fallbacks...)
}

// NewSet parses the fonts of the three roles and the fallbacks. The
// same bytes given for two roles are parsed once and embedded once.
func NewSet(title, heading, body Source, fallbacks ...Source) (*Set, error) {
	fs := &Set{cache: newCache(defaultCacheBytes)}
	var srcs [][]byte
	add := func(s Source) (int, error) {
		for i, d := range srcs {
			// The same file (same backing array) for two roles is one font.
			if len(d) == len(s.Data) && len(d) > 0 && &d[0] == &s.Data[0] {
				return i, nil
			}
		}
		f, err := ttf.Parse(s.Data)
		if err != nil {
			return 0, fmt.Errorf("font %s: %w", s.Name, err)
		}
		fs.faces = append(fs.faces, &Face{Name: s.Name, Font: f, InvEm: 1 / float64(f.UnitsPerEm), index: len(fs.faces)})
		srcs = append(srcs, s.Data)
		return len(fs.faces) - 1, nil
	}
	var err error
	for _, rs := range []struct {
		role layout.Role
		src  Source
	}{{layout.RoleTitle, title}, {layout.RoleHeading, heading}, {layout.RoleBody, body}} {
		if fs.roles[rs.role], err = add(rs.src); err != nil {
			return nil, err
		}
	}
	for _, s := range fallbacks {
		i, err := add(s)
		if err != nil {
			return nil, err
		}
		fs.fallbacks = append(fs.fallbacks, i)
	}
	return fs, nil
}

// Fonts lists the names of the fonts in use: the three roles, then the
// fallbacks, for logs and /healthz.
func (fs *Set) Fonts() (title, heading, body string, fallbacks []string) {
	for _, i := range fs.fallbacks {
		fallbacks = append(fallbacks, fs.faces[i].Name)
	}
	return fs.faces[fs.roles[layout.RoleTitle]].Name, fs.faces[fs.roles[layout.RoleHeading]].Name,
		fs.faces[fs.roles[layout.RoleBody]].Name, fallbacks
}

// Lookup finds the face (an index for Face) and glyph that draw r in a
// role: the role's font, else the first fallback that has it.
func (fs *Set) Lookup(role layout.Role, r rune) (fi int, gid uint16, ok bool) {
	if NeedsShaping(r) {
		return 0, 0, false
	}
	if int(role) >= len(fs.roles) {
		role = layout.RoleBody
	}
	fi = fs.roles[role]
	if gid, ok = fs.faces[fi].Font.GlyphIndex(r); ok {
		return fi, gid, true
	}
	for _, fi = range fs.fallbacks {
		if gid, ok = fs.faces[fi].Font.GlyphIndex(r); ok {
			return fi, gid, true
		}
	}
	return 0, 0, false
}

// Advance implements layout.Measurer: the advance of r in em, from the font
// the backends draw it with. ok is false when no font has r.
func (fs *Set) Advance(role layout.Role, r rune) (float64, bool) {
	fi, gid, ok := fs.Lookup(role, r)
	if !ok {
		switch sub := Substitute(r); {
		case sub == 0:
			return 0, true // invisible, takes no room
		case sub > 0:
			fi, gid, ok = fs.Lookup(role, sub)
		}
		if !ok {
			return 0, false
		}
	}
	f := fs.faces[fi]
	return float64(f.Font.Advance(gid)) * f.InvEm, true
}

// Has reports whether some font of the set draws r in the role.
func (fs *Set) Has(role layout.Role, r rune) bool {
	_, ok := fs.Advance(role, r)
	return ok
}

// Substitute says what to draw for a character no font has: a space for
// whitespace (tab, ideographic space in a font without it), 0 (nothing) for
// format characters that are invisible by definition (zero-width space,
// joiners, BOM, soft hyphen), and -1 when the character is missing.
func Substitute(r rune) rune {
	switch {
	case r == 0x200B || r == 0x200C || r == 0x200D || r == 0x2060 || r == 0xFEFF || r == 0x00AD:
		return 0
	case unicode.IsSpace(r):
		return ' '
	}
	return -1
}

// WithoutCache returns a Set sharing fs's parsed fonts that builds every
// subset anew: for measuring the uncached cost, or where memory is tighter
// than CPU.
func (fs *Set) WithoutCache() *Set {
	c := *fs
	c.cache = nil
	return &c
}

// shapedScripts are written right to left or need contextual shaping
// (joining, reordering, stacking): drawn one glyph per character from the
// cmap, as the backends do, they would print wrong, so they are refused.
var shapedScripts = []*unicode.RangeTable{
	unicode.Hebrew, unicode.Arabic, unicode.Syriac, unicode.Thaana, unicode.Nko,
	unicode.Samaritan, unicode.Mandaic, unicode.Devanagari, unicode.Bengali,
	unicode.Gurmukhi, unicode.Gujarati, unicode.Oriya, unicode.Tamil, unicode.Telugu,
	unicode.Kannada, unicode.Malayalam, unicode.Sinhala, unicode.Thai, unicode.Lao,
	unicode.Tibetan, unicode.Myanmar, unicode.Khmer, unicode.Mongolian,
}

// NeedsShaping reports whether r belongs to a script the backends cannot
// typeset correctly (right-to-left or complex scripts such as Arabic-script
// Uyghur, Tibetan, traditional Mongolian, Thai). The Set treats such
// characters as missing, so a render fails with the character listed
// rather than printing it garbled.
func NeedsShaping(r rune) bool {
	switch {
	case r < 0x0590, r > 0xFEFF, r > 0x18FF && r < 0xFB1D:
		return false // the common case: no such script here
	}
	return unicode.IsOneOf(shapedScripts, r)
}

// Faces returns the number of distinct fonts; Face(i) for i below it.
func (fs *Set) Faces() int { return len(fs.faces) }

// Face returns the i-th font of the set (an index from Lookup or Resolve).
func (fs *Set) Face(i int) *Face { return fs.faces[i] }

// Resolve returns the face, the character actually drawn (r, or its
// Substitute; 0 for an invisible character, which draws nothing) and its
// glyph. ok is false when no font has r. Every backend draws with it, so
// what is drawn is what layout measured.
func (fs *Set) Resolve(role layout.Role, r rune) (fi int, draw rune, gid uint16, ok bool) {
	if fi, gid, ok = fs.Lookup(role, r); ok {
		return fi, r, gid, true
	}
	switch sub := Substitute(r); {
	case sub == 0:
		return 0, 0, 0, true
	case sub > 0:
		if fi, gid, ok = fs.Lookup(role, sub); ok {
			return fi, sub, gid, true
		}
	}
	return 0, 0, 0, false
}
