package pdf

import (
	"slices"
	"sync"
)

// fontObjects are the bytes written for one font subset that depend only
// on the font and its characters.
type fontObjects struct {
	face      *face
	runes     []rune // the characters, CID i+1 = runes[i]; checked on lookup
	name      string // ABCDEF+PostScriptName
	widths    []byte // the /W entries
	fontFile  []byte // compressed FontFile2
	length1   int    // uncompressed FontFile2 size
	toUnicode []byte // compressed ToUnicode CMap
}

func (fo *fontObjects) size() int {
	return len(fo.fontFile) + len(fo.toUnicode) + len(fo.widths) + 4*len(fo.runes)
}

// fontCache keeps recent subsets, bounded in bytes, oldest out first. It is
// the only mutable part of a FontSet and is safe for concurrent use.
type fontCache struct {
	mu      sync.Mutex
	entries map[uint64]*fontObjects
	fifo    []uint64
	bytes   int
	max     int
}

// defaultCacheBytes holds the title and heading subsets of every family and
// the body subsets of the last few dozen forms.
const defaultCacheBytes = 8 << 20

func newFontCache(max int) *fontCache {
	return &fontCache{entries: map[uint64]*fontObjects{}, max: max}
}

func (c *fontCache) get(key uint64, f *face, runes []rune) *fontObjects {
	if c == nil || c.max <= 0 {
		return nil
	}
	c.mu.Lock()
	fo := c.entries[key]
	c.mu.Unlock()
	if fo == nil || fo.face != f || !slices.Equal(fo.runes, runes) {
		return nil // absent, or a hash collision
	}
	return fo
}

func (c *fontCache) put(key uint64, fo *fontObjects) {
	if c == nil || c.max <= 0 || fo.size() > c.max/4 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; ok {
		return
	}
	for c.bytes+fo.size() > c.max && len(c.fifo) > 0 {
		old := c.fifo[0]
		c.fifo = c.fifo[1:]
		c.bytes -= c.entries[old].size()
		delete(c.entries, old)
	}
	c.entries[key] = fo
	c.fifo = append(c.fifo, key)
	c.bytes += fo.size()
}
