package pip

import (
	"fmt"
	"strings"

	"github.com/pipup/pipup/internal/pyport"
	"github.com/pipup/pipup/pypi"
)

// iniSection is one section of a config file, keys in first-seen order.
type iniSection struct {
	name string
	keys []string
	vals map[string][]string // value lines, joined by value()
}

func (s *iniSection) value(name string) string {
	return pyport.Rstrip(strings.Join(s.vals[name], "\n"))
}

type iniFile struct {
	defaults *iniSection
	sections []*iniSection
}

// parseINI parses a file as Python's configparser.RawConfigParser does
// with pip's settings: "=" or ":" delimiters, whole-line "#"/";" comments
// only, indented continuation lines, blank lines kept inside values, strict
// (duplicate sections or keys are errors), no interpolation.
func parseINI(text string) (iniFile, error) {
	f := iniFile{defaults: &iniSection{name: "DEFAULT", vals: map[string][]string{}}}
	seen := map[string]bool{} // section names, and section+"\x00"+key
	var cur *iniSection
	sectName, optName := "", ""
	indentLevel := 0
	var badLines []string // configparser reports these after the whole file

	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	for i, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		lineno := i + 1
		value := pyport.Strip(line)
		comment := strings.HasPrefix(value, "#") || strings.HasPrefix(value, ";")
		if value == "" || comment {
			if !comment && cur != nil && optName != "" {
				cur.vals[optName] = append(cur.vals[optName], "")
			}
			continue
		}
		indent := 0
		for _, r := range line {
			if !pyport.IsSpace(r) {
				break
			}
			indent++
		}
		if cur != nil && optName != "" && indent > indentLevel {
			cur.vals[optName] = append(cur.vals[optName], value)
			continue
		}
		indentLevel = indent
		// The header regex \[(.+)\] is anchored at the start only, so it
		// runs to the last "]" and ignores what follows.
		if end := strings.LastIndexByte(value, ']'); value[0] == '[' && end > 1 {
			sectName, optName = value[1:end], ""
			switch {
			case seen[sectName]:
				return iniFile{}, fmt.Errorf("line %d: section [%s] already exists", lineno, sectName)
			case sectName == "DEFAULT":
				cur = f.defaults
			default:
				cur = &iniSection{name: sectName, vals: map[string][]string{}}
				f.sections = append(f.sections, cur)
				seen[sectName] = true
			}
			continue
		}
		if cur == nil {
			return iniFile{}, fmt.Errorf("line %d: no section header before %q", lineno, pypi.RedactURL(value))
		}
		d := strings.IndexAny(value, "=:")
		if d < 0 {
			badLines = append(badLines, fmt.Sprintf("line %d: %q", lineno, pypi.RedactURL(value)))
			continue
		}
		name := pyport.Lower(pyport.Rstrip(value[:d]))
		if name == "" {
			badLines = append(badLines, fmt.Sprintf("line %d: %q", lineno, pypi.RedactURL(value)))
		}
		if seen[sectName+"\x00"+name] {
			return iniFile{}, fmt.Errorf("line %d: option %q in section [%s] already exists", lineno, name, sectName)
		}
		seen[sectName+"\x00"+name] = true
		if _, ok := cur.vals[name]; !ok {
			cur.keys = append(cur.keys, name)
		}
		cur.vals[name] = []string{pyport.Strip(value[d+1:])}
		optName = name
	}
	if len(badLines) > 0 {
		more := ""
		if len(badLines) > 1 {
			more = fmt.Sprintf(" (and %d more)", len(badLines)-1)
		}
		return iniFile{}, fmt.Errorf("parsing error at %s%s: expected \"key = value\", a [section] or a comment", badLines[0], more)
	}
	return f, nil
}
