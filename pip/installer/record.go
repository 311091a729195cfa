package installer

import (
	"bytes"
	"crypto/sha256"
	"crypto/sha512"
	"encoding/base64"
	"encoding/csv"
	"errors"
	"fmt"
	"hash"
	"io"
	"sort"
	"strconv"
	"strings"
)

// RecordRow is one line of a RECORD file (PyPA "recording installed
// projects"): a path relative to the directory holding the .dist-info
// directory, "algo=urlsafe-b64-digest" or "", and the size or "".
type RecordRow struct {
	Path, Hash, Size string
}

// ReadRecord parses a RECORD file as Python's csv module does for pip:
// rows of one to three fields (extra fields are ignored, as pip warns and
// ignores them), empty lines skipped.
func ReadRecord(r io.Reader) ([]RecordRow, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.LazyQuotes = true
	cr.ReuseRecord = true
	var rows []RecordRow
	for {
		fields, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return rows, nil
		}
		if err != nil {
			return nil, fmt.Errorf("read RECORD: %w", err)
		}
		if len(fields) == 0 || (len(fields) == 1 && fields[0] == "") {
			continue
		}
		row := RecordRow{Path: fields[0]}
		if len(fields) > 1 {
			row.Hash = fields[1]
		}
		if len(fields) > 2 {
			row.Size = fields[2]
		}
		if row.Path == "" {
			return nil, fmt.Errorf("read RECORD: line %d has an empty path", len(rows)+1)
		}
		// No file an install writes or removes has a line break in its
		// name, and encoding/csv turns a quoted CRLF into LF, so such a
		// row could not even be written back as read.
		if strings.ContainsAny(row.Path, "\r\n") {
			return nil, fmt.Errorf("read RECORD: line %d: a path with a line break: %q", len(rows)+1, row.Path)
		}
		rows = append(rows, row)
	}
}

// WriteRecord writes rows sorted as pip sorts them (by path, hash, size as
// strings) in Python's csv "excel" dialect, which pip uses: fields quoted
// only when they hold a comma, a quote or a line break, lines ended by
// CRLF. encoding/csv's Writer is not used because it also quotes fields
// that start with a space, which Python does not.
func WriteRecord(w io.Writer, rows []RecordRow) error {
	sorted := append([]RecordRow(nil), rows...)
	sort.SliceStable(sorted, func(i, j int) bool {
		a, b := sorted[i], sorted[j]
		if a.Path != b.Path {
			return a.Path < b.Path
		}
		if a.Hash != b.Hash {
			return a.Hash < b.Hash
		}
		return a.Size < b.Size
	})
	var buf bytes.Buffer
	for _, r := range sorted {
		buf.WriteString(csvField(r.Path))
		buf.WriteByte(',')
		buf.WriteString(csvField(r.Hash))
		buf.WriteByte(',')
		buf.WriteString(csvField(r.Size))
		buf.WriteString("\r\n")
	}
	_, err := w.Write(buf.Bytes())
	return err
}

func csvField(s string) string {
	if !strings.ContainsAny(s, ",\"\r\n") {
		return s
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`
}

// recordHash is a RECORD hash field split into its algorithm and digest.
type recordHash struct {
	algo   string
	digest []byte
}

// parseRecordHash accepts the algorithms the wheel spec allows (sha256 or
// stronger); md5 and sha1 are refused as the spec says.
func parseRecordHash(field string) (recordHash, error) {
	algo, enc, ok := strings.Cut(field, "=")
	if !ok {
		return recordHash{}, fmt.Errorf("hash %q is not algorithm=digest", field)
	}
	if newHash(algo) == nil {
		return recordHash{}, fmt.Errorf("hash algorithm %q is not accepted (sha256, sha384 or sha512)", algo)
	}
	// The spec says urlsafe base64 without padding; tolerate padding.
	d, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(enc, "="))
	if err != nil {
		return recordHash{}, fmt.Errorf("hash %q: digest is not urlsafe base64", field)
	}
	if len(d) != newHash(algo).Size() {
		return recordHash{}, fmt.Errorf("hash %q: digest has %d bytes, %s has %d", field, len(d), algo, newHash(algo).Size())
	}
	return recordHash{algo: algo, digest: d}, nil
}

func newHash(algo string) hash.Hash {
	switch algo {
	case "sha256":
		return sha256.New()
	case "sha384":
		return sha512.New384()
	case "sha512":
		return sha512.New()
	}
	return nil
}

// hashField is the RECORD hash field pip writes for content: sha256,
// urlsafe base64, no padding.
func hashField(sum []byte) string {
	return "sha256=" + base64.RawURLEncoding.EncodeToString(sum)
}

// parseSize reads a RECORD size field; "" means not given.
func parseSize(s string) (int64, bool, error) {
	if s == "" {
		return 0, false, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, false, fmt.Errorf("size %q is not a number", s)
	}
	return n, true, nil
}
