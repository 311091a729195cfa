package pip

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/pipup/pipup/pypi"
)

// Metadata holds the core-metadata fields pipup uses, read from a METADATA
// or PKG-INFO header block.
type Metadata struct {
	Name           string
	Version        string
	Summary        string
	RequiresPython string
	RequiresDist   []string
	ProvidesExtra  []string // as written; pip ignores a requested extra not listed here
}

// maxHeaderLine bounds how much of one physical line is kept. Longer lines
// (a Description header in an old PKG-INFO, say) are read through but cut.
const maxHeaderLine = 64 << 10

// ParseMetadata reads RFC 822-style core metadata headers the way Python's
// email parser (which importlib.metadata and pip use) does: the first
// occurrence of a field wins (Requires-Dist collects all), folded lines are
// joined, and parsing stops at the blank line before the body or at the
// first line that is not a header. The body is never read.
func ParseMetadata(r io.Reader) (Metadata, error) {
	var md Metadata
	br := bufio.NewReaderSize(r, 4096)
	var (
		field   string // lower-cased name of the header being built, "" when skipped
		value   []byte
		seen    = map[string]bool{}
		first   = true
		lineBuf []byte
	)
	flush := func() {
		if field == "" {
			return
		}
		v := strings.TrimSpace(string(value))
		if !utf8.ValidString(v) {
			v = strings.ToValidUTF8(v, "\uFFFD")
		}
		switch field {
		case "requires-dist":
			md.RequiresDist = append(md.RequiresDist, v)
		case "provides-extra":
			md.ProvidesExtra = append(md.ProvidesExtra, v)
		default:
			if !seen[field] {
				seen[field] = true
				switch field {
				case "name":
					md.Name = v
				case "version":
					md.Version = v
				case "summary":
					md.Summary = v
				case "requires-python":
					md.RequiresPython = v
				}
			}
		}
		field, value = "", value[:0]
	}
	// handle takes one logical line and reports whether the headers ended.
	handle := func(line []byte) bool {
		if first {
			first = false
			line = bytes.TrimPrefix(line, []byte("\xef\xbb\xbf"))
			if bytes.HasPrefix(line, []byte("From ")) {
				return false // a Unix mbox "From " line, which the email parser skips
			}
		}
		switch {
		case len(line) == 0:
			return true // blank line: the body follows
		case line[0] == ' ' || line[0] == '\t':
			if field != "" {
				value = append(value, ' ')
				value = append(value, bytes.TrimLeft(line, " \t")...)
			}
			return false
		}
		name, rest, ok := splitHeader(line)
		if !ok {
			return true // not a header: Python treats the rest as body
		}
		flush()
		switch lower := strings.ToLower(name); lower {
		case "name", "version", "summary", "requires-python", "requires-dist", "provides-extra":
			field = lower
			value = append(value[:0], rest...)
		}
		return false
	}
	for {
		line, err := readLine(br, lineBuf[:0])
		lineBuf = line
		if len(line) > 0 || err == nil {
			// The email parser ends lines at \r\n, \n or a lone \r.
			content := bytes.TrimSuffix(line, []byte("\n"))
			parts := bytes.Split(content, []byte("\r"))
			if bytes.HasSuffix(content, []byte("\r")) {
				parts = parts[:len(parts)-1]
			}
			for _, part := range parts {
				if handle(part) {
					flush()
					return md, nil
				}
			}
		}
		if err != nil {
			flush()
			if errors.Is(err, io.EOF) {
				return md, nil
			}
			return md, fmt.Errorf("read metadata: %w", err)
		}
	}
}

// splitHeader matches the email parser's header line: a field name of
// printable ASCII except ':' and space, then ':'.
func splitHeader(line []byte) (name string, rest []byte, ok bool) {
	i := bytes.IndexByte(line, ':')
	if i < 0 {
		return "", nil, false
	}
	for _, c := range line[:i] {
		if c < 0x21 || c > 0x7e {
			return "", nil, false
		}
	}
	return string(line[:i]), bytes.TrimLeft(line[i+1:], " \t"), true
}

// readLine appends one line (with its terminator) to buf, keeping at most
// maxHeaderLine bytes of it and discarding the rest.
func readLine(br *bufio.Reader, buf []byte) ([]byte, error) {
	for {
		chunk, err := br.ReadSlice('\n')
		if room := maxHeaderLine - len(buf); room > 0 {
			if len(chunk) > room {
				buf = append(buf, chunk[:room]...)
			} else {
				buf = append(buf, chunk...)
			}
		}
		if errors.Is(err, bufio.ErrBufferFull) {
			continue
		}
		return buf, err
	}
}

// DirectURL is a parsed PEP 610 direct_url.json.
type DirectURL struct {
	URL      string
	Editable bool // dir_info.editable
	VCS      string
	CommitID string
	Archive  bool // archive_info present
	Dir      bool // dir_info present
}

// parseDirectURL validates like pip's DirectUrl.from_json: a string url and
// exactly one of vcs_info, archive_info, dir_info. pip ignores (with a
// warning) a file that fails this, so callers treat an error as absent.
func parseDirectURL(data []byte) (*DirectURL, error) {
	var raw struct {
		URL     *string `json:"url"`
		VCSInfo *struct {
			VCS      *string `json:"vcs"`
			CommitID *string `json:"commit_id"`
		} `json:"vcs_info"`
		ArchiveInfo *json.RawMessage `json:"archive_info"`
		DirInfo     *struct {
			Editable *bool `json:"editable"`
		} `json:"dir_info"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return nil, fmt.Errorf("direct_url.json: %w", err)
	}
	if raw.URL == nil {
		return nil, errors.New("direct_url.json: no url")
	}
	n := 0
	d := &DirectURL{URL: *raw.URL}
	if raw.VCSInfo != nil {
		n++
		if raw.VCSInfo.VCS == nil || raw.VCSInfo.CommitID == nil {
			return nil, errors.New("direct_url.json: vcs_info needs vcs and commit_id")
		}
		d.VCS, d.CommitID = *raw.VCSInfo.VCS, *raw.VCSInfo.CommitID
	}
	if raw.ArchiveInfo != nil && string(*raw.ArchiveInfo) != "null" {
		n++
		d.Archive = true
	}
	if raw.DirInfo != nil {
		n++
		d.Dir = true
		d.Editable = raw.DirInfo.Editable != nil && *raw.DirInfo.Editable
	}
	if n != 1 {
		return nil, fmt.Errorf("direct_url.json: want exactly one of vcs_info, archive_info, dir_info, got %d", n)
	}
	return d, nil
}

// eggInfoRequires converts an egg-info requires.txt into Requires-Dist
// strings, as pip's _iter_egg_info_dependencies does.
func eggInfoRequires(content string) []string {
	var out []string
	extra, marker := "", ""
	for _, line := range strings.Split(content, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			extra, marker, _ = strings.Cut(strings.Trim(line, "[]"), ":")
			continue
		}
		e := canonicalName(extra)
		switch {
		case e != "" && marker != "":
			out = append(out, line+" ; ("+marker+") and extra == \""+e+"\"")
		case e != "":
			out = append(out, line+" ; extra == \""+e+"\"")
		case marker != "":
			out = append(out, line+" ; "+marker)
		default:
			out = append(out, line)
		}
	}
	return out
}

// eggInfoExtras lists the extras of an egg-info requires.txt that have an
// entry, normalised and without repeats, as pip's _iter_egg_info_extras
// supplies Provides-Extra for metadata that has none.
func eggInfoExtras(content string) []string {
	var out []string
	seen := map[string]bool{"": true}
	extra := ""
	for _, line := range strings.Split(content, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			extra, _, _ = strings.Cut(strings.Trim(line, "[]"), ":")
			continue
		}
		if e := canonicalName(extra); !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out
}

// canonicalName is PEP 503 normalisation.
func canonicalName(name string) string { return pypi.Normalize(name) }
