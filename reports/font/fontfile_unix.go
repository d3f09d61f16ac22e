//go:build unix

package font

import (
	"fmt"
	"os"
	"syscall"
)

// readFontFile maps a font file read-only instead of reading it: a CJK
// fallback font is 20–30 MB of which a process touches only the cmap, loca
// and the few glyphs it draws, so the rest never becomes resident. The
// mapping lives as long as the process (a FontSet is never released).
func readFontFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size()
	if size == 0 || size != int64(int(size)) {
		return nil, fmt.Errorf("%s: font file of %d bytes", path, size)
	}
	data, err := syscall.Mmap(int(f.Fd()), 0, int(size), syscall.PROT_READ, syscall.MAP_SHARED)
	if err != nil {
		return os.ReadFile(path) // e.g. a file system without mmap
	}
	return data, nil
}
