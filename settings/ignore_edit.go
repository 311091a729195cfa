package settings

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/pelletier/go-toml/v2/unstable"

	"github.com/pipup/pipup/internal/atomicfile"
	"github.com/pipup/pipup/pypi/pep508"
)

// The UI's "ignore this package" and "take it back" edit the user's file.
// A TOML library would write the whole document anew and lose its comments
// and layout, so the edit is a text splice at the positions go-toml's
// parser reports; the result is parsed again before it is written.

// AddIgnore adds name to the ignore list of the settings file at path
// (created, with its folder, when missing), keeping every other byte. It
// reports false when the name (in any spelling) is already there.
func AddIgnore(path, name string) (bool, error) {
	if !pep508.ValidName(name) {
		return false, fmt.Errorf("%q is not a package name", name)
	}
	return editFile(path, func(data []byte) ([]byte, bool, error) { return addIgnore(data, name) })
}

// RemoveIgnore takes every spelling of name out of the ignore list of the
// settings file at path, keeping every other byte. It reports false when
// the name was not there (a missing file included).
func RemoveIgnore(path, name string) (bool, error) {
	return editFile(path, func(data []byte) ([]byte, bool, error) { return removeIgnore(data, name) })
}

func editFile(path string, edit func([]byte) ([]byte, bool, error)) (bool, error) {
	data, err := os.ReadFile(path)
	mode := fs.FileMode(0o644)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		data = nil
	case err != nil:
		return false, fmt.Errorf("read %s: %w", path, err)
	default:
		if st, err := os.Stat(path); err == nil {
			mode = st.Mode().Perm()
		}
	}
	out, changed, err := edit(data)
	if err != nil {
		return false, &Error{Path: path, Key: "ignore", Reason: err.Error()}
	}
	if !changed {
		return false, nil
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return false, fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	// A crash leaves the old file or the new; the file keeps its mode (a
	// new one is 0o644 whatever the umask, as before).
	if err := atomicfile.WriteFile(path, out, mode); err != nil {
		return false, err
	}
	return true, nil
}

// ignoreList is where the top-level ignore array is in a document.
type ignoreList struct {
	found      bool
	start, end int      // the array, '[' to ']' inclusive-exclusive
	elems      [][2]int // each string element's raw range
	names      []string
	lastTopKV  int // end of the last top-level key/value (0 = none)
	firstTable int // start of the first table header (-1 = none)
}

func findIgnore(data []byte) (ignoreList, error) {
	l := ignoreList{firstTable: -1}
	var p unstable.Parser
	p.Reset(data)
	inTable := false
	for p.NextExpression() {
		e := p.Expression()
		switch e.Kind {
		case unstable.Table, unstable.ArrayTable:
			if !inTable {
				k := e.Key()
				k.Next()
				// The header's '[' (or '[[') is just before its first key.
				off := int(k.Node().Raw.Offset)
				l.firstTable = bytes.LastIndexByte(data[:off], '\n') + 1
			}
			inTable = true
		case unstable.KeyValue:
			if inTable {
				continue
			}
			kvEnd := int(e.Raw.Offset + e.Raw.Length)
			l.lastTopKV = kvEnd
			parts := keyParts(e.Key())
			if len(parts) == 0 || parts[0] != "ignore" {
				continue
			}
			v := e.Value()
			if len(parts) != 1 || v.Kind != unstable.Array {
				return l, errors.New("is not a list; fix it by hand")
			}
			l.found, l.end = true, kvEnd
			k := e.Key()
			k.Next()
			keyEnd := int(k.Node().Raw.Offset + k.Node().Raw.Length)
			l.start = keyEnd + bytes.IndexByte(data[keyEnd:], '[')
			it := v.Children()
			for it.Next() {
				n := it.Node()
				if n.Kind != unstable.String {
					return l, errors.New("has an entry that is not a string; fix it by hand")
				}
				l.elems = append(l.elems, [2]int{int(n.Raw.Offset), int(n.Raw.Offset + n.Raw.Length)})
				l.names = append(l.names, string(n.Data))
			}
		}
	}
	if err := p.Error(); err != nil {
		return l, fmt.Errorf("the file does not parse (%v); fix it by hand", err)
	}
	if l.found && (l.end <= l.start || data[l.end-1] != ']') {
		return l, errors.New("could not find the list's brackets; fix it by hand")
	}
	return l, nil
}

func addIgnore(data []byte, name string) ([]byte, bool, error) {
	l, err := findIgnore(data)
	if err != nil {
		return nil, false, err
	}
	if slices.ContainsFunc(l.names, func(n string) bool { return canonical(n) == canonical(name) }) {
		return data, false, nil
	}
	quoted := `"` + name + `"`
	var out []byte
	switch {
	case !l.found:
		eol := "\n"
		if bytes.Contains(data, []byte("\r\n")) {
			eol = "\r\n"
		}
		line := []byte("ignore = [" + quoted + "]" + eol)
		at := len(data) // no key and no table: at the end
		switch {
		case l.lastTopKV > 0: // after the last top-level key's line
			at = lineEnd(data, l.lastTopKV)
		case l.firstTable >= 0: // top-level keys must come before tables
			at = 0
		}
		if at == len(data) && at > 0 && data[at-1] != '\n' {
			line = append([]byte(eol), line...)
		}
		out = splice(data, at, at, line)
	case len(l.elems) == 0:
		close := l.end - 1
		out = splice(data, close, close, []byte(quoted))
	default:
		last := l.elems[len(l.elems)-1]
		after := last[1]
		rest := data[after : l.end-1]
		comma := bytes.HasPrefix(bytes.TrimLeft(rest, " \t"), []byte(","))
		nl := bytes.IndexByte(rest, '\n')
		lineStart := bytes.LastIndexByte(data[:last[0]], '\n') + 1
		indent := data[lineStart:last[0]]
		if nl < 0 || len(bytes.TrimLeft(indent, " \t")) != 0 {
			// One line, or elements sharing lines: next to the last one.
			out = splice(data, after, after, []byte(", "+quoted))
			break
		}
		// One element per line: a new line like the last one's.
		eol, at := "\n", after+nl
		if at > 0 && data[at-1] == '\r' {
			eol, at = "\r\n", at-1
		}
		ins := eol + string(indent) + quoted
		if comma {
			ins += ","
		}
		out = splice(data, at, at, []byte(ins))
		if !comma {
			out = splice(out, after, after, []byte(","))
		}
	}
	return checked(out, name, true)
}

func removeIgnore(data []byte, name string) ([]byte, bool, error) {
	if len(data) == 0 {
		return data, false, nil
	}
	l, err := findIgnore(data)
	if err != nil || !l.found {
		return data, false, err
	}
	out := data
	removed := false
	// From the last match back, so earlier offsets stay right.
	for i := len(l.elems) - 1; i >= 0; i-- {
		if canonical(l.names[i]) != canonical(name) {
			continue
		}
		removed = true
		s, e := l.elems[i][0], l.elems[i][1]
		lineStart := bytes.LastIndexByte(out[:s], '\n') + 1
		le := lineEnd(out, e)
		tail := strings.TrimLeft(string(out[e:le]), " \t")
		tail = strings.TrimLeft(strings.TrimPrefix(tail, ","), " \t")
		ownLine := len(bytes.TrimLeft(out[lineStart:s], " \t")) == 0 && le <= l.end &&
			(tail == "\n" || tail == "" || strings.HasPrefix(tail, "#"))
		switch {
		case ownLine && le > lineStart && lineStart > l.start:
			out = splice(out, lineStart, le, nil) // the line, its comment too
		case i > 0 && i == len(l.elems)-1:
			// ", name" after the previous one; a trailing comma stays.
			out = splice(out, l.elems[i-1][1], e, nil)
		case followedByComma(out[e:]) > 0:
			out = splice(out, s, e+followedByComma(out[e:]), nil)
		default:
			out = splice(out, s, e, nil)
		}
	}
	if !removed {
		return data, false, nil
	}
	return checked(out, name, false)
}

// followedByComma is the length of `\s*,[ \t]*` at the start of b, or 0.
func followedByComma(b []byte) int {
	t := bytes.TrimLeft(b, " \t")
	if !bytes.HasPrefix(t, []byte(",")) {
		return 0
	}
	n := len(b) - len(t) + 1
	return n + len(b[n:]) - len(bytes.TrimLeft(b[n:], " \t"))
}

// lineEnd is the offset just past the newline ending the line at off.
func lineEnd(data []byte, off int) int {
	if i := bytes.IndexByte(data[off:], '\n'); i >= 0 {
		return off + i + 1
	}
	return len(data)
}

func splice(data []byte, from, to int, ins []byte) []byte {
	out := make([]byte, 0, len(data)-(to-from)+len(ins))
	out = append(append(append(out, data[:from]...), ins...), data[to:]...)
	return out
}

// checked parses the edited document again: the list must now hold name
// (or not), or the edit is refused rather than written.
func checked(out []byte, name string, want bool) ([]byte, bool, error) {
	l, err := findIgnore(out)
	if err == nil && l.found {
		has := slices.ContainsFunc(l.names, func(n string) bool { return canonical(n) == canonical(name) })
		if has == want {
			return out, true, nil
		}
	}
	return nil, false, errors.New("the list's layout is not one pipup can edit; fix it by hand")
}
