package pypi

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pipup/pipup/internal/pyport"
)

// ParseJSON reads a PEP 691 page and calls fn for each file that has a URL,
// in page order, decoding one file object at a time. As in pip, the file
// name comes from the URL (the "filename" key is ignored). A meta.api-version
// whose major version is not 1 is an error, as PEP 691 requires (pip 23.2
// does not check it); when "meta" follows "files" (PyPI sorts its keys),
// fn has already seen the files when that error is returned. An error from
// fn stops parsing and is returned as is.
func ParseJSON(r io.Reader, pageURL *url.URL, fn func(File) error) error {
	page := ""
	if pageURL != nil {
		page = pageURL.String()
	}
	wrap := func(err error) error {
		return fmt.Errorf("parse JSON page %s: %w", RedactURL(page), redactedError{err})
	}
	br := bufio.NewReader(r)
	if bom, err := br.Peek(3); err == nil && string(bom) == "\uFEFF" {
		br.Discard(3) // json.loads accepts a UTF-8 BOM; encoding/json does not
	}
	dec := json.NewDecoder(br)
	if err := expectDelim(dec, '{', "a JSON object"); err != nil {
		return wrap(err)
	}
	seenFiles := false
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return wrap(err)
		}
		switch tok {
		case "files":
			if seenFiles {
				return wrap(errors.New(`duplicate "files" key`))
			}
			seenFiles = true
			if err := parseJSONFiles(dec, pyport.NewBase(page), fn); err != nil {
				if cb, ok := err.(callbackError); ok {
					return cb.err
				}
				return wrap(err)
			}
		case "meta":
			var meta json.RawMessage
			if err := dec.Decode(&meta); err != nil {
				return wrap(err)
			}
			if err := checkAPIVersion(meta); err != nil {
				return wrap(err)
			}
		default:
			if err := skipJSONValue(dec); err != nil {
				return wrap(err)
			}
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return wrap(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return wrap(errors.New("data after the JSON object"))
	}
	return nil
}

// callbackError carries an error from the caller's fn out unwrapped.
type callbackError struct{ err error }

func (e callbackError) Error() string { return e.err.Error() }

func expectDelim(dec *json.Decoder, d json.Delim, what string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if tok != d {
		return fmt.Errorf("want %s, found %v", what, tok)
	}
	return nil
}

// skipJSONValue reads past one value token by token, so that a large
// "versions" list is never held in memory at once.
func skipJSONValue(dec *json.Decoder) error {
	depth := 0
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('{'), json.Delim('['):
			depth++
		case json.Delim('}'), json.Delim(']'):
			depth--
		}
		if depth == 0 {
			return nil
		}
	}
}

func checkAPIVersion(meta json.RawMessage) error {
	var m map[string]json.RawMessage
	if json.Unmarshal(meta, &m) != nil || m == nil {
		return errors.New(`"meta" is not an object`)
	}
	raw, ok := m["api-version"]
	if !ok {
		return nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return fmt.Errorf("api-version %s is not a string", raw)
	}
	if major, _, _ := strings.Cut(v, "."); major != "1" {
		return fmt.Errorf("unsupported api-version %q: only 1.x is understood", v)
	}
	return nil
}

func parseJSONFiles(dec *json.Decoder, base *pyport.Base, fn func(File) error) error {
	if err := expectDelim(dec, '[', `"files" as a list`); err != nil {
		return err
	}
	var raw json.RawMessage // reused: one file object at a time
	for n := 0; dec.More(); n++ {
		if err := dec.Decode(&raw); err != nil {
			return fmt.Errorf("files[%d]: %w", n, err)
		}
		f, ok, err := jsonFile(raw, base)
		if err != nil {
			return fmt.Errorf("files[%d]: %w", n, err)
		}
		if !ok {
			continue
		}
		if err := fn(f); err != nil {
			return callbackError{err}
		}
	}
	return expectDelim(dec, ']', "end of files")
}

// jsonFile is pip's Link.from_json on one file object. Keys match exactly
// and the last duplicate wins, as in the dict json.loads builds.
func jsonFile(raw []byte, base *pyport.Base) (File, bool, error) {
	var url, hashes, requiresPython, yanked, coreMeta, distInfoMeta, size, uploadTime []byte
	err := jsonMembers(raw, func(k, v []byte) {
		switch string(k) {
		case "url":
			url = v
		case "hashes":
			hashes = v
		case "requires-python":
			requiresPython = v
		case "yanked":
			yanked = v
		case "core-metadata":
			coreMeta = v
		case "dist-info-metadata":
			distInfoMeta = v
		case "size":
			size = v
		case "upload-time":
			uploadTime = v
		}
	})
	if err != nil {
		return File{}, false, err
	}
	if url == nil || isJSONNull(url) {
		return File{}, false, nil
	}
	href, isStr := jsonString(url)
	if !isStr {
		return File{}, false, errors.New("url is not a string")
	}
	f, ok, err := newFile(base, href)
	if err != nil || !ok {
		return f, ok, err
	}
	if hashes != nil && !isJSONNull(hashes) { // pip: None means no hashes
		if hashes[0] != '{' {
			return File{}, false, errors.New("hashes is not an object")
		}
		// pip keeps every algorithm the index lists; a hash in the URL wins.
		fromURL := f.Hashes
		f.Hashes = nil
		if err := jsonStringMembers(hashes, func(k, v string) {
			if f.Hashes == nil {
				f.Hashes = map[string]string{}
			}
			f.Hashes[k] = v
		}); err != nil {
			return File{}, false, err
		}
		for k, v := range fromURL {
			if f.Hashes == nil {
				f.Hashes = map[string]string{}
			}
			f.Hashes[k] = v
		}
	}
	if requiresPython != nil {
		if s, isStr := jsonString(requiresPython); isStr {
			f.RequiresPython = s
		} else if jsonTruthy(requiresPython) {
			return File{}, false, errors.New("requires-python is not a string")
		}
	}
	if yanked != nil && jsonTruthy(yanked) {
		f.Yanked = true
		f.YankedReason, _ = jsonString(yanked)
	}
	meta := coreMeta
	if meta == nil || isJSONNull(meta) {
		meta = distInfoMeta
	}
	if meta != nil && meta[0] == '{' {
		f.CoreMetadata = true
		if err := jsonStringMembers(meta, func(k, v string) {
			if isSupportedHash(k) {
				if f.CoreMetadataHashes == nil {
					f.CoreMetadataHashes = map[string]string{}
				}
				f.CoreMetadataHashes[k] = v
			}
		}); err != nil {
			return File{}, false, err
		}
	} else if meta != nil && jsonTruthy(meta) {
		f.CoreMetadata = true
	}
	if size != nil {
		if n, err := strconv.ParseInt(string(size), 10, 64); err == nil && n >= 0 {
			f.Size = n
		}
	}
	if uploadTime != nil {
		f.UploadTime = parseUploadTime(uploadTime)
	}
	return f, true, nil
}

// parseUploadTime reads PEP 700's "upload-time", an ISO 8601 string
// ("2025-03-01T12:34:56.123456Z"; the fraction is optional). A value that
// is not a string or not such a time counts as unknown rather than failing
// the page: the time only decides how old a version is, and an unknown age
// is reported as such.
func parseUploadTime(v []byte) time.Time {
	s, ok := jsonString(v)
	if !ok {
		return time.Time{}
	}
	// RFC 3339 is the profile of ISO 8601 the PEP's examples and PyPI use;
	// Python's fromisoformat (pip) also takes a space for the "T".
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02 15:04:05.999999999Z07:00"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.UTC()
		}
	}
	return time.Time{}
}

// The helpers below read values inside a file object that the decoder has
// already checked to be valid JSON, without unmarshalling it into maps.

// jsonMembers calls fn with each key (decoded) and raw value of an object.
func jsonMembers(raw []byte, fn func(k, v []byte)) error {
	i := skipJSONSpace(raw, 0)
	if i >= len(raw) || raw[i] != '{' {
		return errors.New("not an object")
	}
	i = skipJSONSpace(raw, i+1)
	if i < len(raw) && raw[i] == '}' {
		return nil
	}
	for i < len(raw) {
		end := jsonValueEnd(raw, i)
		key := raw[i:end]
		if len(key) < 2 || key[0] != '"' {
			return errors.New("malformed object")
		}
		if bytes.IndexByte(key, '\\') < 0 {
			key = key[1 : len(key)-1]
		} else if k, ok := jsonString(key); ok {
			key = []byte(k)
		} else {
			return errors.New("malformed object")
		}
		i = skipJSONSpace(raw, end)
		if i >= len(raw) || raw[i] != ':' {
			return errors.New("malformed object")
		}
		i = skipJSONSpace(raw, i+1)
		end = jsonValueEnd(raw, i)
		fn(key, raw[i:end])
		i = skipJSONSpace(raw, end)
		if i < len(raw) && raw[i] == '}' {
			return nil
		}
		if i >= len(raw) || raw[i] != ',' {
			return errors.New("malformed object")
		}
		i = skipJSONSpace(raw, i+1)
	}
	return errors.New("malformed object")
}

// jsonStringMembers calls fn for each member of an object whose value is a
// string; other members are skipped.
func jsonStringMembers(raw []byte, fn func(k, v string)) error {
	return jsonMembers(raw, func(k, v []byte) {
		if s, ok := jsonString(v); ok {
			fn(string(k), s)
		}
	})
}

func skipJSONSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// jsonValueEnd returns the index just past the value starting at i.
func jsonValueEnd(b []byte, i int) int {
	depth := 0
	for ; i < len(b); i++ {
		switch b[i] {
		case '"':
			for i++; i < len(b) && b[i] != '"'; i++ {
				if b[i] == '\\' {
					i++
				}
			}
			if depth == 0 {
				return min(i+1, len(b))
			}
		case '{', '[':
			depth++
		case '}', ']':
			if depth == 0 {
				return i // end of a literal that closes its container
			}
			if depth--; depth == 0 {
				return i + 1
			}
		case ',', ' ', '\t', '\n', '\r', ':':
			if depth == 0 {
				return i
			}
		}
	}
	return i
}

// jsonString decodes a JSON string value; ok is false for other types.
func jsonString(v []byte) (string, bool) {
	if len(v) < 2 || v[0] != '"' {
		return "", false
	}
	inner := v[1 : len(v)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
		return string(inner), true
	}
	var s string
	if json.Unmarshal(v, &s) != nil {
		return "", false
	}
	return s, true
}

func isJSONNull(v []byte) bool { return string(v) == "null" }

// jsonTruthy is Python's bool() of a JSON value.
func jsonTruthy(v []byte) bool {
	switch v[0] {
	case 'n', 'f':
		return false
	case 't':
		return true
	case '"':
		return len(v) > 2
	case '[', '{':
		i := skipJSONSpace(v, 1)
		return i < len(v) && v[i] != v[0]+2 // "]" and "}" follow "[" and "{" by 2
	}
	f, _ := strconv.ParseFloat(string(v), 64)
	return f != 0
}
