package batch

import (
	"bufio"
	"encoding/binary"
	"errors"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"time"
	"unicode/utf8"

	"github.com/klauspost/compress/flate"
)

// zipWriter writes a zip archive entry by entry, as archive/zip's Writer
// does, but keeps the central directory in a temporary file instead of in
// memory: a year's archive has two entries per form, and archive/zip holds
// a few hundred bytes for each until Close, which made a batch's memory
// grow with the number of forms. Entries are written with data
// descriptors (sizes and CRC after the data), and the Zip64 records are
// added when the archive needs them (more than 65,535 entries, or sizes or
// offsets past 4 GiB), which archive/zip's reader and unzip understand.
type zipWriter struct {
	w        *bufio.Writer
	off      int64 // bytes written to w
	cd       *os.File
	cdw      *bufio.Writer
	cdSize   int64
	entries  int64
	cur      *zipEntry
	time     uint16 // MS-DOS time and date of every entry
	date     uint16
	deflater *flate.Writer
	closed   bool
}

type zipEntry struct {
	zw       *zipWriter
	name     string
	method   uint16
	flags    uint16
	offset   int64 // of the local header
	crc      hash.Hash32
	size     int64 // uncompressed
	start    int64 // offset of the data
	compress io.WriteCloser
}

const (
	zipStore   = 0
	zipDeflate = 8
	uint32max  = 1<<32 - 1
	uint16max  = 1<<16 - 1
)

// newZipWriter writes an archive to w, its central directory spooled in
// dir until Close. Every entry carries the time modified (a batch's
// creation time, so the same batch gives the same bytes).
func newZipWriter(w io.Writer, dir string, modified time.Time) (*zipWriter, error) {
	cd, err := os.CreateTemp(dir, "zipdir-*.tmp")
	if err != nil {
		return nil, err
	}
	z := &zipWriter{w: bufio.NewWriterSize(w, 64<<10), cd: cd, cdw: bufio.NewWriterSize(cd, 64<<10)}
	z.date, z.time = msDosTime(modified)
	return z, nil
}

func msDosTime(t time.Time) (date, tm uint16) {
	if t.Year() < 1980 {
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	date = uint16(t.Day() + int(t.Month())<<5 + (t.Year()-1980)<<9)
	tm = uint16(t.Second()/2 + t.Minute()<<5 + t.Hour()<<11)
	return date, tm
}

func (z *zipWriter) write(p []byte) error {
	n, err := z.w.Write(p)
	z.off += int64(n)
	return err
}

// Create adds an entry, stored or deflated, and returns the writer of its
// contents, valid until the next Create or Close.
func (z *zipWriter) Create(name string, method uint16) (io.Writer, error) {
	if err := z.finish(); err != nil {
		return nil, err
	}
	if len(name) > uint16max {
		return nil, errors.New("zip: entry name too long")
	}
	e := &zipEntry{zw: z, name: name, method: method, flags: 0x8, offset: z.off, crc: crc32.NewIEEE()}
	if hasNonASCII(name) && utf8.ValidString(name) {
		e.flags |= 0x800
	}
	var h [30]byte
	b := h[:]
	b = le32(b, 0x04034b50)
	b = le16(b, 20) // version needed
	b = le16(b, e.flags)
	b = le16(b, method)
	b = le16(b, z.time)
	b = le16(b, z.date)
	b = le32(b, 0) // CRC and sizes follow the data
	b = le32(b, 0)
	b = le32(b, 0)
	b = le16(b, uint16(len(name)))
	le16(b, 0) // no extra field
	if err := z.write(h[:]); err != nil {
		return nil, err
	}
	if err := z.write([]byte(name)); err != nil {
		return nil, err
	}
	e.start = z.off
	if method == zipDeflate {
		if z.deflater == nil {
			fw, err := flate.NewWriter(entryData{z}, flate.BestSpeed)
			if err != nil {
				return nil, err
			}
			z.deflater = fw
		} else {
			z.deflater.Reset(entryData{z})
		}
		e.compress = z.deflater
	}
	z.cur = e
	return e, nil
}

// entryData writes compressed bytes to the archive.
type entryData struct{ z *zipWriter }

func (d entryData) Write(p []byte) (int, error) {
	if err := d.z.write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

func (e *zipEntry) Write(p []byte) (int, error) {
	if e.zw.cur != e {
		return 0, errors.New("zip: write to a closed entry")
	}
	e.crc.Write(p)
	e.size += int64(len(p))
	if e.compress != nil {
		return e.compress.Write(p)
	}
	if err := e.zw.write(p); err != nil {
		return 0, err
	}
	return len(p), nil
}

// finish ends the current entry: its data descriptor, and its central
// directory record to the temporary file.
func (z *zipWriter) finish() error {
	e := z.cur
	if e == nil {
		return nil
	}
	z.cur = nil
	if e.compress != nil {
		if err := e.compress.Close(); err != nil {
			return err
		}
	}
	csize := z.off - e.start
	crc := e.crc.Sum32()
	zip64 := e.size >= uint32max || csize >= uint32max
	var d [24]byte
	b := d[:]
	b = le32(b, 0x08074b50)
	b = le32(b, crc)
	n := 16
	if zip64 {
		b = le64(b, uint64(csize))
		le64(b, uint64(e.size))
		n = 24
	} else {
		b = le32(b, uint32(csize))
		le32(b, uint32(e.size))
	}
	if err := z.write(d[:n]); err != nil {
		return err
	}
	// Central directory record.
	version := uint16(20)
	needZip64 := zip64 || e.offset >= uint32max
	if needZip64 {
		version = 45
	}
	var h [46]byte
	b = h[:]
	b = le32(b, 0x02014b50)
	b = le16(b, version) // made by (MS-DOS attributes)
	b = le16(b, version) // needed
	b = le16(b, e.flags)
	b = le16(b, e.method)
	b = le16(b, z.time)
	b = le16(b, z.date)
	b = le32(b, crc)
	extra := 0
	if needZip64 {
		b = le32(b, uint32max)
		b = le32(b, uint32max)
		extra = 28
	} else {
		b = le32(b, uint32(csize))
		b = le32(b, uint32(e.size))
	}
	b = le16(b, uint16(len(e.name)))
	b = le16(b, uint16(extra))
	b = le16(b, 0) // comment
	b = le16(b, 0) // disk
	b = le16(b, 0) // internal attributes
	b = le32(b, 0) // external attributes
	if needZip64 {
		le32(b, uint32max)
	} else {
		le32(b, uint32(e.offset))
	}
	z.cdw.Write(h[:])
	z.cdw.WriteString(e.name)
	if needZip64 {
		var x [28]byte
		b = x[:]
		b = le16(b, 0x0001)
		b = le16(b, 24)
		b = le64(b, uint64(e.size))
		b = le64(b, uint64(csize))
		le64(b, uint64(e.offset))
		z.cdw.Write(x[:])
	}
	z.cdSize += int64(46 + len(e.name) + extra)
	z.entries++
	return nil
}

// Close finishes the last entry and writes the central directory and the
// end records. It does not close the underlying writer.
func (z *zipWriter) Close() error {
	if z.closed {
		return errors.New("zip: writer closed twice")
	}
	z.closed = true
	defer z.discard()
	if err := z.finish(); err != nil {
		return err
	}
	if err := z.cdw.Flush(); err != nil {
		return err
	}
	if _, err := z.cd.Seek(0, io.SeekStart); err != nil {
		return err
	}
	start := z.off
	if err := z.w.Flush(); err != nil {
		return err
	}
	n, err := io.Copy(z.w, z.cd)
	z.off += n
	if err != nil {
		return err
	}
	if n != z.cdSize {
		return errors.New("zip: central directory changed while writing")
	}
	records, size, offset := z.entries, z.cdSize, start
	if records >= uint16max || size >= uint32max || offset >= uint32max {
		var e [56 + 20]byte
		b := e[:]
		end64 := z.off
		b = le32(b, 0x06064b50)
		b = le64(b, 44) // size of the rest of this record
		b = le16(b, 45)
		b = le16(b, 45)
		b = le32(b, 0)
		b = le32(b, 0)
		b = le64(b, uint64(records))
		b = le64(b, uint64(records))
		b = le64(b, uint64(size))
		b = le64(b, uint64(offset))
		// Locator of the Zip64 end record.
		b = le32(b, 0x07064b50)
		b = le32(b, 0)
		b = le64(b, uint64(end64))
		le32(b, 1)
		if err := z.write(e[:]); err != nil {
			return err
		}
		records, size, offset = uint16max, uint32max, uint32max
	}
	var e [22]byte
	b := e[:]
	b = le32(b, 0x06054b50)
	b = le16(b, 0)
	b = le16(b, 0)
	b = le16(b, uint16(records))
	b = le16(b, uint16(records))
	b = le32(b, uint32(size))
	b = le32(b, uint32(offset))
	le16(b, 0)
	if err := z.write(e[:]); err != nil {
		return err
	}
	return z.w.Flush()
}

// discard removes the temporary central directory.
func (z *zipWriter) discard() {
	if z.cd != nil {
		z.cd.Close()
		os.Remove(z.cd.Name())
		z.cd = nil
	}
}

func hasNonASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return true
		}
	}
	return false
}

func le16(b []byte, v uint16) []byte { binary.LittleEndian.PutUint16(b, v); return b[2:] }
func le32(b []byte, v uint32) []byte { binary.LittleEndian.PutUint32(b, v); return b[4:] }
func le64(b []byte, v uint64) []byte { binary.LittleEndian.PutUint64(b, v); return b[8:] }
