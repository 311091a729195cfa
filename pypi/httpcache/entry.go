package httpcache

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"os"
	"path/filepath"
)

// Entry file layout: body, then a metadata record, then a 16-byte footer
// (metadata length, CRC-32C of the metadata, magic). The metadata trails the
// body so that a 200 can be streamed straight into the temp file while the
// caller reads it, without knowing its length or checksum up front; a hit is
// still one open and one read.
const (
	footerLen = 16
	magic     = "pipuphc1"
	// Entries larger than this are served from the open file after a
	// streaming checksum pass instead of being read into memory.
	inMemoryMax = 4 << 20
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// meta is the record stored after the body (see metacodec.go).
type meta struct {
	Status   int
	Header   http.Header
	ReqTime  int64  // unix nanoseconds when the request was sent
	RespTime int64  // unix nanoseconds when the response arrived
	Len      int64  // body length
	CRC      uint32 // CRC-32C of the body: detects torn or damaged files
	Vary     string // digest of the request fields named by Vary
}

// entry is a verified cache entry. Exactly one of body or file is set.
type entry struct {
	meta
	body []byte
	file *os.File // large entries: body is file[0:Len]
}

var errCorrupt = errors.New("corrupt cache entry")

// loadEntry reads and verifies the entry at path. A missing file returns
// os.ErrNotExist; anything malformed returns errCorrupt.
func loadEntry(path string) (*entry, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	size := st.Size()
	if size < footerLen {
		f.Close()
		return nil, errCorrupt
	}
	if size <= inMemoryMax {
		buf := make([]byte, size)
		_, err := io.ReadFull(f, buf)
		f.Close()
		if err != nil {
			return nil, errCorrupt
		}
		m, err := decodeMeta(buf[size-footerLen:], func(off, n int64) ([]byte, error) {
			return buf[off : off+n], nil
		}, size)
		if err != nil {
			return nil, err
		}
		body := buf[:m.Len]
		if crc32.Checksum(body, crcTable) != m.CRC {
			return nil, errCorrupt
		}
		return &entry{meta: *m, body: body}, nil
	}
	var foot [footerLen]byte
	if _, err := f.ReadAt(foot[:], size-footerLen); err != nil {
		f.Close()
		return nil, errCorrupt
	}
	m, err := decodeMeta(foot[:], func(off, n int64) ([]byte, error) {
		b := make([]byte, n)
		_, err := f.ReadAt(b, off)
		return b, err
	}, size)
	if err != nil {
		f.Close()
		return nil, err
	}
	h := crc32.New(crcTable)
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, m.Len)); err != nil || h.Sum32() != m.CRC {
		f.Close()
		return nil, errCorrupt
	}
	return &entry{meta: *m, file: f}, nil
}

// decodeMeta checks the footer and decodes the metadata that read returns
// for the byte range it names.
func decodeMeta(foot []byte, read func(off, n int64) ([]byte, error), size int64) (*meta, error) {
	if string(foot[8:]) != magic {
		return nil, errCorrupt
	}
	mlen := int64(binary.LittleEndian.Uint32(foot[0:4]))
	mcrc := binary.LittleEndian.Uint32(foot[4:8])
	if mlen <= 0 || mlen > size-footerLen {
		return nil, errCorrupt
	}
	raw, err := read(size-footerLen-mlen, mlen)
	if err != nil || crc32.Checksum(raw, crcTable) != mcrc {
		return nil, errCorrupt
	}
	m, ok := unmarshalMeta(raw)
	if !ok {
		return nil, errCorrupt
	}
	if m.Len < 0 || m.Len+mlen+footerLen != size || m.Status < 100 || m.Status > 999 {
		return nil, errCorrupt
	}
	return m, nil
}

// encodeTrailer returns the metadata record and footer that follow the body.
func encodeTrailer(m *meta) []byte {
	raw := marshalMeta(m)
	out := make([]byte, 0, len(raw)+footerLen)
	out = append(out, raw...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(raw)))
	out = binary.LittleEndian.AppendUint32(out, crc32.Checksum(raw, crcTable))
	out = append(out, magic...)
	return out
}

// bodyReader returns a reader over the entry's body and the closer that
// releases it.
func (e *entry) bodyReader() io.ReadCloser {
	if e.file != nil {
		return &fileBody{SectionReader: io.NewSectionReader(e.file, 0, e.Len), f: e.file}
	}
	return io.NopCloser(bytes.NewReader(e.body))
}

func (e *entry) close() {
	if e != nil && e.file != nil {
		e.file.Close()
	}
}

type fileBody struct {
	*io.SectionReader
	f *os.File
}

func (b *fileBody) Close() error { return b.f.Close() }

// rewrite stores the entry again with new metadata (after a 304): the body
// is copied to a temp file with the new trailer and renamed into place.
func (t *Transport) rewrite(path string, e *entry) error {
	tmp, err := t.tempFile(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(tmp, 64<<10)
	if e.file != nil {
		_, err = io.Copy(w, io.NewSectionReader(e.file, 0, e.Len))
	} else {
		_, err = w.Write(e.body)
	}
	if err == nil {
		err = t.finish(tmp, w, &e.meta, path)
	}
	if err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
	}
	return err
}

// finish writes the trailer, closes tmp and renames it to path.
func (t *Transport) finish(tmp *os.File, w *bufio.Writer, m *meta, path string) error {
	if _, err := w.Write(encodeTrailer(m)); err != nil {
		return err
	}
	if err := w.Flush(); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("store cache entry: %w", err)
	}
	t.touch(path)
	return nil
}
