package font

import (
	"encoding/binary"
	"hash/fnv"
	"slices"
	"sync"
)

// cacheEntry is what one backend built for one subset of a face: bytes that
// depend only on the font and its characters (for PDF the compressed font
// program, widths and ToUnicode; for OFD the subset TrueType file).
type cacheEntry struct {
	kind  string // the backend's name for what it stored, e.g. "pdf"
	face  *Face
	runes []rune // the characters; checked on lookup against collisions
	value any
	size  int
}

// cache keeps recent subsets, bounded in bytes, oldest out first. It is
// the only mutable part of a Set and is safe for concurrent use.
type cache struct {
	mu      sync.Mutex
	entries map[uint64]*cacheEntry
	fifo    []uint64
	bytes   int
	max     int
}

// defaultCacheBytes holds the title and heading subsets of every family and
// the body subsets of the last few dozen forms.
const defaultCacheBytes = 8 << 20

func newCache(max int) *cache {
	return &cache{entries: map[uint64]*cacheEntry{}, max: max}
}

func cacheKey(kind string, f *Face, runes []rune) uint64 {
	h := fnv.New64a()
	h.Write([]byte(kind))
	var buf [4]byte
	binary.BigEndian.PutUint32(buf[:], uint32(f.index))
	h.Write(buf[:])
	for _, r := range runes {
		binary.BigEndian.PutUint32(buf[:], uint32(r))
		h.Write(buf[:])
	}
	return h.Sum64()
}

// Cached returns what a backend stored with Store for the same kind, face
// and characters (runes sorted), or nil. A Set from WithoutCache never has
// anything.
func (fs *Set) Cached(kind string, f *Face, runes []rune) any {
	c := fs.cache
	if c == nil || c.max <= 0 {
		return nil
	}
	key := cacheKey(kind, f, runes)
	c.mu.Lock()
	e := c.entries[key]
	c.mu.Unlock()
	if e == nil || e.kind != kind || e.face != f || !slices.Equal(e.runes, runes) {
		return nil // absent, or a hash collision
	}
	return e.value
}

// Store keeps v, of about size bytes, as what the backend kind built for
// the face's subset of runes (sorted), evicting the oldest entries beyond
// the cache's bound. v must not be changed afterwards: concurrent renders
// share it.
func (fs *Set) Store(kind string, f *Face, runes []rune, v any, size int) {
	c := fs.cache
	if c == nil || c.max <= 0 || size > c.max/4 {
		return
	}
	key := cacheKey(kind, f, runes)
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.entries[key]; ok {
		return
	}
	for c.bytes+size > c.max && len(c.fifo) > 0 {
		old := c.fifo[0]
		c.fifo = c.fifo[1:]
		c.bytes -= c.entries[old].size
		delete(c.entries, old)
	}
	c.entries[key] = &cacheEntry{kind: kind, face: f, runes: slices.Clone(runes), value: v, size: size}
	c.fifo = append(c.fifo, key)
	c.bytes += size
}
