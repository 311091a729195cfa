package settings

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"

	"github.com/pipup/pipup/pypi/pep440"
	"github.com/pipup/pipup/pypi/pep508"
)

// opt is one scalar setting of one file.
type opt[T any] struct {
	v    T
	set  bool
	from Source
}

func (o opt[T]) get() (T, bool) { return o.v, o.set }

// file is what one settings file says, validated.
type file struct {
	ignore      map[string]Ignored
	pins        map[string]Pin
	cooldown    opt[time.Duration]
	pre, latest opt[bool]
	noVulns     opt[bool]
	concurrency opt[int]
}

// raw is a settings table as TOML types; go-toml checks the types and
// reports unknown keys, with their lines.
type raw struct {
	Ignore      []string       `toml:"ignore"`
	Pin         map[string]any `toml:"pin"`      // values checked in check, with their lines
	Cooldown    any            `toml:"cooldown"` // a string, or the integer 0
	Pre         *bool          `toml:"pre"`
	Concurrency *int           `toml:"concurrency"`
	Latest      *bool          `toml:"latest"`
	NoVulns     *bool          `toml:"no-vulns"`
}

// expect says what each key takes, for type errors.
func expect(key string) string {
	switch key {
	case "ignore":
		return `must be a list of package names, e.g. ["numpy"]`
	case "pin":
		return `must be a table of package = "specifier", e.g. { django = "<5" }`
	case "cooldown":
		return `must be a duration such as "7d" or "36h", or 0`
	case "pre", "latest", "no-vulns":
		return "must be true or false"
	case "concurrency":
		return "must be a whole number of at least 1"
	}
	return ""
}

// findProject returns the pyproject.toml in dir or its nearest parent, or "".
func findProject(dir string) string {
	dir = filepath.Clean(dir)
	for {
		p := filepath.Join(dir, "pyproject.toml")
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return ""
		}
		dir = parent
	}
}

// readFile reads and checks one file: the user's (the whole file is
// pipup's) or a pyproject.toml (only [tool.pipup] is). It returns nil for
// a missing file or a pyproject.toml without [tool.pipup].
func readFile(path string, project bool) (*file, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is already in the line
		}
		return nil, &Error{Path: path, Reason: fmt.Sprintf("cannot read: %v", err)}
	}
	var prefix []string
	r := &raw{}
	if project {
		prefix = []string{"tool", "pipup"}
		var pp struct {
			Tool struct {
				Pipup *raw `toml:"pipup"`
			} `toml:"tool"`
		}
		err = decode(data, &pp)
		if err == nil && pp.Tool.Pipup == nil {
			return nil, nil
		}
		r = pp.Tool.Pipup
	} else {
		err = decode(data, r)
	}
	if err != nil {
		if err = decodeError(path, prefix, err); err != nil {
			return nil, err
		}
		if r == nil { // only keys outside [tool.pipup] were unknown
			return nil, nil
		}
	}
	lines := keyLines(data)
	return check(path, prefix, lines, r)
}

func decode(data []byte, v any) error {
	return toml.NewDecoder(bytes.NewReader(data)).DisallowUnknownFields().Decode(v)
}

// decodeError turns go-toml's error into one line. Unknown keys outside
// pipup's table (the rest of a pyproject.toml) are not pipup's business.
func decodeError(path string, prefix []string, err error) error {
	var strict *toml.StrictMissingError
	if errors.As(err, &strict) {
		for _, e := range strict.Errors {
			key, ok := under(prefix, e.Key())
			if !ok {
				continue
			}
			line, _ := e.Position()
			name := strings.Join(key, ".")
			reason := "unknown key (known: " + strings.Join(Keys(), ", ") + ")"
			if isIndexKey(key[len(key)-1]) {
				reason = "index locations belong in pip's configuration (pip config set global." + strings.ReplaceAll(key[len(key)-1], "_", "-") + " ...), which pipup reads"
			}
			return &Error{Path: path, Line: line, Key: name, Reason: reason}
		}
		return nil
	}
	var de *toml.DecodeError
	if errors.As(err, &de) {
		line, _ := de.Position()
		key, ok := under(prefix, de.Key())
		if !ok || len(key) == 0 {
			return &Error{Path: path, Line: line, Reason: strings.TrimPrefix(de.Error(), "toml: ")}
		}
		reason := expect(key[0])
		if key[0] == "pin" && len(key) > 1 {
			reason = `must be a PEP 440 specifier string, e.g. "<5"`
		}
		if reason == "" {
			reason = strings.TrimPrefix(de.Error(), "toml: ")
		}
		return &Error{Path: path, Line: line, Key: strings.Join(key, "."), Reason: reason}
	}
	return &Error{Path: path, Reason: err.Error()}
}

// under strips prefix from key; ok is false when key is outside it.
func under(prefix, key []string) ([]string, bool) {
	if len(key) < len(prefix) {
		return nil, false
	}
	for i, p := range prefix {
		if key[i] != p {
			return nil, false
		}
	}
	return key[len(prefix):], true
}

// check validates the values go-toml could not: names, specifiers,
// durations, ranges.
func check(path string, prefix []string, lines map[string]int, r *raw) (*file, error) {
	f := &file{ignore: map[string]Ignored{}, pins: map[string]Pin{}}
	at := func(key ...string) Source {
		return Source{Path: path, Line: lineOf(lines, append(append([]string{}, prefix...), key...))}
	}
	bad := func(src Source, key, reason string) error {
		return &Error{Path: path, Line: src.Line, Key: key, Reason: reason}
	}
	for i, n := range r.Ignore {
		src := at("ignore", fmt.Sprint(i))
		if !pep508.ValidName(n) {
			return nil, bad(src, "ignore", fmt.Sprintf("%q is not a package name", n))
		}
		if _, ok := f.ignore[canonical(n)]; !ok {
			f.ignore[canonical(n)] = Ignored{Name: n, From: src}
		}
	}
	// In document order, so the first bad pin is the one reported.
	names := make([]string, 0, len(r.Pin))
	for n := range r.Pin {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		a, b := at("pin", names[i]).Line, at("pin", names[j]).Line
		return a < b || (a == b && names[i] < names[j])
	})
	for _, n := range names {
		v := r.Pin[n]
		src := at("pin", n)
		key := "pin." + n
		text, ok := v.(string)
		if !ok {
			return nil, bad(src, key, `must be a PEP 440 specifier string, e.g. "<5"`)
		}
		if !pep508.ValidName(n) {
			return nil, bad(src, key, fmt.Sprintf("%q is not a package name", n))
		}
		if strings.TrimSpace(text) == "" {
			return nil, bad(src, key, `empty specifier; write one such as "<5" or "~=1.26"`)
		}
		spec, err := pep440.ParseSpecifierSet(text)
		if err != nil {
			return nil, bad(src, key, fmt.Sprintf("not a PEP 440 specifier: %v", err))
		}
		if old, ok := f.pins[canonical(n)]; ok {
			return nil, bad(src, key, fmt.Sprintf("%s is pinned twice (also as %q)", canonical(n), old.Name))
		}
		f.pins[canonical(n)] = Pin{Name: n, Spec: spec, Text: text, From: src}
	}
	if r.Cooldown != nil {
		src := at("cooldown")
		var d time.Duration
		var err error
		switch v := r.Cooldown.(type) {
		case string:
			d, err = ParseDuration(v)
		case int64:
			if v != 0 {
				err = fmt.Errorf(`a bare number must be 0; write "%dd" or "%dh"`, v, v)
			}
		default:
			err = errors.New(expect("cooldown"))
		}
		if err != nil {
			return nil, bad(src, "cooldown", err.Error())
		}
		f.cooldown = opt[time.Duration]{d, true, src}
	}
	if r.Pre != nil {
		f.pre = opt[bool]{*r.Pre, true, at("pre")}
	}
	if r.Latest != nil {
		f.latest = opt[bool]{*r.Latest, true, at("latest")}
	}
	if r.NoVulns != nil {
		f.noVulns = opt[bool]{*r.NoVulns, true, at("no-vulns")}
	}
	if r.Concurrency != nil {
		src := at("concurrency")
		if *r.Concurrency < 1 {
			return nil, bad(src, "concurrency", expect("concurrency"))
		}
		f.concurrency = opt[int]{*r.Concurrency, true, src}
	}
	return f, nil
}

// lineOf finds key's line, or its nearest enclosing key's.
func lineOf(lines map[string]int, key []string) int {
	for n := len(key); n > 0; n-- {
		if l, ok := lines[join(key[:n])]; ok {
			return l
		}
	}
	return 0
}
