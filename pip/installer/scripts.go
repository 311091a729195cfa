package installer

import (
	"bytes"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// EntryPoint is one line of an entry_points.txt section.
type EntryPoint struct {
	Name, Value string
}

// parseEntryPoints reads the console_scripts and gui_scripts sections the
// way importlib.metadata's Sectioned parser does (which is what pip reads
// them through): stripped lines, '#' comments, "[section]" headers,
// "name = value" pairs split at the first '='. A repeated name keeps its
// first position and takes the last value, as pip's dict does.
func parseEntryPoints(text string) (console, gui []EntryPoint, err error) {
	section := ""
	add := func(list []EntryPoint, ep EntryPoint) []EntryPoint {
		for i := range list {
			if list[i].Name == ep.Name {
				list[i].Value = ep.Value
				return list
			}
		}
		return append(list, ep)
	}
	for _, raw := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line := strings.TrimSpace(raw)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.Trim(line, "[]")
			continue
		}
		if section != "console_scripts" && section != "gui_scripts" {
			continue
		}
		name, value, ok := strings.Cut(line, "=")
		if !ok {
			return nil, nil, fmt.Errorf("entry_points.txt: line %q in [%s] is not name = value", line, section)
		}
		ep := EntryPoint{Name: strings.TrimSpace(name), Value: strings.TrimSpace(value)}
		if section == "console_scripts" {
			console = add(console, ep)
		} else {
			gui = add(gui, ep)
		}
	}
	return console, gui, nil
}

// consoleScriptSpecs is pip's get_console_script_specs: "pip" and
// "easy_install" get the versioned names pip generates for them (pipX,
// pipX.Y; easy_install-X.Y), steered by ENSUREPIP_OPTIONS as in pip, and
// the wheel's own versioned variants of those two are dropped.
func consoleScriptSpecs(console []EntryPoint, version [2]int, getenv func(string) (string, bool)) []EntryPoint {
	mm := fmt.Sprintf("%d.%d", version[0], version[1])
	ensurepip, haveEnsurepip := getenv("ENSUREPIP_OPTIONS")
	var out, rest []EntryPoint
	var pipValue, easyValue string
	for _, ep := range console {
		switch ep.Name {
		case "pip":
			pipValue = ep.Value
		case "easy_install":
			easyValue = ep.Value
		default:
			rest = append(rest, ep)
		}
	}
	if pipValue != "" {
		if !haveEnsurepip {
			out = append(out, EntryPoint{"pip", pipValue})
		}
		if ensurepip != "altinstall" {
			out = append(out, EntryPoint{"pip" + strconv.Itoa(version[0]), pipValue})
		}
		out = append(out, EntryPoint{"pip" + mm, pipValue})
		rest = dropMatching(rest, regexp.MustCompile(`^pip(\d+(\.\d+)?)?$`))
	}
	if easyValue != "" {
		if !haveEnsurepip {
			out = append(out, EntryPoint{"easy_install", easyValue})
		}
		out = append(out, EntryPoint{"easy_install-" + mm, easyValue})
		rest = dropMatching(rest, regexp.MustCompile(`^easy_install(-\d+\.\d+)?$`))
	}
	return append(out, rest...)
}

func dropMatching(eps []EntryPoint, re *regexp.Regexp) []EntryPoint {
	var out []EntryPoint
	for _, ep := range eps {
		if !re.MatchString(ep.Name) {
			out = append(out, ep)
		}
	}
	return out
}

// exportEntry is distlib's ENTRY_RE (which pip's ScriptMaker applies, with
// re.search, to "NAME = VALUE"); \w is spelt out as Python 3's Unicode \w.
var exportEntry = regexp.MustCompile(`(?P<name>(?:[\p{L}\p{N}_]|[-.+])+)\s*=\s*(?P<callable>[\p{L}\p{N}_]+(?:[:.][\p{L}\p{N}_]+)*)\s*(?:\[\s*(?P<flags>[\p{L}\p{N}_-]+(?:=[\p{L}\p{N}_]+)?(?:,\s*[\p{L}\p{N}_]+(?:=[\p{L}\p{N}_]+)?)*)\s*\])?`)

// wrapper is one script that an entry point becomes.
type wrapper struct {
	name           string // file name in the scripts directory
	module, callee string // "pkg.mod", "main" or "Cls.method"
}

// parseWrapper does what distlib's get_export_entry and pip's
// _raise_for_invalid_entrypoint do with one entry point.
func parseWrapper(ep EntryPoint) (wrapper, error) {
	spec := ep.Name + " = " + ep.Value
	m := exportEntry.FindStringSubmatch(spec)
	if m == nil {
		return wrapper{}, fmt.Errorf("invalid script entry point %q", spec)
	}
	name, callable := m[1], m[2]
	if m[3] == "" && strings.ContainsAny(spec, "[]") {
		return wrapper{}, fmt.Errorf("invalid script entry point %q", spec)
	}
	module, callee, ok := strings.Cut(callable, ":")
	switch {
	case !ok:
		return wrapper{}, fmt.Errorf("invalid script entry point: %s - a callable suffix is required", spec)
	case strings.Contains(callee, ":"):
		return wrapper{}, fmt.Errorf("invalid script entry point %q", spec)
	}
	if name == "." || name == ".." || strings.ContainsAny(name, `/\`) {
		return wrapper{}, fmt.Errorf("invalid script entry point name %q: the script would be installed outside the scripts directory", name)
	}
	return wrapper{name: name, module: module, callee: callee}, nil
}

// Script templates, by the pip version whose text they are. pip before
// 25.2 used distlib's own template.
const (
	templateDistlib = "# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom %[1]s import %[2]s\nif __name__ == '__main__':\n    sys.argv[0] = re.sub(r'(-script\\.pyw|\\.exe)?$', '', sys.argv[0])\n    sys.exit(%[3]s())\n"
	template252     = "import sys\nfrom %[1]s import %[2]s\nif __name__ == '__main__':\n    if sys.argv[0].endswith('.exe'):\n        sys.argv[0] = sys.argv[0][:-4]\n    sys.exit(%[3]s())\n"
	template260     = "import sys\nfrom %[1]s import %[2]s\nif __name__ == '__main__':\n    sys.argv[0] = sys.argv[0].removesuffix('.exe')\n    sys.exit(%[3]s())\n"
)

// scriptTemplate picks the wrapper text of the pip that would otherwise do
// the install (pipVersion, "" when the environment has none: then the
// newest text the interpreter can run; removesuffix needs 3.9).
func scriptTemplate(pipVersion string, python [2]int) string {
	if pipVersion == "" {
		if python[0] > 3 || python[0] == 3 && python[1] >= 9 {
			return template260
		}
		return templateDistlib
	}
	major, minor := leadingVersion(pipVersion)
	switch {
	case major > 26 || major == 26:
		return template260
	case major == 25 && minor >= 2:
		return template252
	}
	return templateDistlib
}

func leadingVersion(v string) (int, int) {
	parts := strings.SplitN(v, ".", 3)
	num := func(s string) int {
		end := 0
		for end < len(s) && s[end] >= '0' && s[end] <= '9' {
			end++
		}
		n, _ := strconv.Atoi(s[:end])
		return n
	}
	major := num(parts[0])
	minor := 0
	if len(parts) > 1 {
		minor = num(parts[1])
	}
	return major, minor
}

// scriptText is the whole wrapper file: shebang, then the template.
func scriptText(tmpl, shebang string, w wrapper) []byte {
	var b bytes.Buffer
	b.WriteString(shebang)
	importName, _, _ := strings.Cut(w.callee, ".")
	fmt.Fprintf(&b, tmpl, w.module, importName, w.callee)
	return b.Bytes()
}

// Shebang is the first line(s) distlib's ScriptMaker writes for
// executable on POSIX: "#!EXE\n", or, when the path holds a space or the
// line would pass the kernel's limit (127 bytes; 512 on macOS), the
// /bin/sh trampoline that execs the interpreter with the script.
func Shebang(executable string, darwin bool) string {
	exe := executable
	if strings.Contains(exe, " ") {
		if env, rest, ok := strings.Cut(exe, " "); ok && env == "/usr/bin/env" {
			if strings.Contains(rest, " ") && !strings.HasPrefix(rest, `"`) {
				exe = env + ` "` + rest + `"`
			}
		} else if !strings.HasPrefix(exe, `"`) {
			exe = `"` + exe + `"`
		}
	}
	limit := 127
	if darwin {
		limit = 512
	}
	if !strings.Contains(exe, " ") && len(exe)+3 <= limit {
		return "#!" + exe + "\n"
	}
	return "#!/bin/sh\n'''exec' " + exe + ` "$0" "$@"` + "\n' '''\n"
}

// fixScript is pip's fix_script for files in .data/scripts: a first line
// starting with "#!python" (so "#!pythonw" too) is replaced whole by
// "#!EXECUTABLE\n". It reports whether it changed anything.
func fixScript(content []byte, executable string) ([]byte, bool) {
	if !bytes.HasPrefix(content, []byte("#!python")) {
		return content, false
	}
	rest := content[len(content):]
	if i := bytes.IndexByte(content, '\n'); i >= 0 {
		rest = content[i+1:]
	}
	out := make([]byte, 0, len(executable)+3+len(rest))
	out = append(out, "#!"...)
	out = append(out, executable...)
	out = append(out, '\n')
	return append(out, rest...), true
}
