package pip

import (
	"fmt"
	"os"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/pipup/pipup/internal/pyport"
	"github.com/pipup/pipup/pypi"
)

// IndexConfig is what pip would use for finding packages, for one pip
// command ("list" for scans, "install" for upgrades).
type IndexConfig struct {
	IndexURL       string // default "https://pypi.org/simple"
	ExtraIndexURLs []string
	// FindLinks are kept as pip holds them: a relative path is relative to
	// the working directory, not to the config file, and pip only expands a
	// leading "~" when the expanded path exists (SearchScope.create).
	FindLinks    []string
	NoIndex      bool
	TrustedHosts []string
	Cert         string // CA bundle path ("cert"), "~" expanded as pip does
	ClientCert   string
	Timeout      time.Duration // pip's "timeout" (default 15s)
	Retries      int           // pip's "retries" (default 5)
	Pre          bool
	Proxy        string
	// Sources maps an option name ("index-url", "timeout", ...) to where its
	// value came from: "env PIP_INDEX_URL", "/etc/pip.conf [global]", or
	// "flag" once the caller applies a command-line flag.
	Sources map[string]string
}

// ConfigInput says whose configuration to read.
type ConfigInput struct {
	Command  string   // "list" or "install"
	Environ  []string // os.Environ() form
	Home     string   // user home dir ("~"); "" = the account's home
	Prefix   string   // target interpreter's sys.prefix; "" = no site file
	Isolated bool     // like pip --isolated: ignore env vars and user config
	// GOOS says whose file locations apply ("linux", "darwin", "windows";
	// "" = this program's), so that every platform's order is testable.
	GOOS string
}

const (
	defaultIndexURL = "https://pypi.org/simple"
	defaultTimeout  = 15 * time.Second
	defaultRetries  = 5
)

// LoadConfig reads pip's configuration files and PIP_* variables the way
// pip 23.2.1's ConfigOptionParser does and returns the index settings.
func LoadConfig(in ConfigInput) (IndexConfig, error) {
	return loadConfig(in, "")
}

// loadConfig is LoadConfig with the system directories (/etc/xdg, /etc)
// placed under root, so tests need not touch the machine's files.
func loadConfig(in ConfigInput, root string) (IndexConfig, error) {
	if in.Command != "list" && in.Command != "install" {
		return IndexConfig{}, fmt.Errorf("pip config: unsupported command %q", in.Command)
	}
	env := parseEnviron(in.Environ)
	files := configFiles(in, env, root)

	// pip parses the files in this order (errors surface in it), but merges
	// them by override order: global < user < site < PIP_CONFIG_FILE.
	parsed := map[string][]configItem{}
	for _, variant := range []string{"env", "global", "user", "site"} {
		for _, path := range files[variant] {
			items, err := readConfigFile(path)
			if err != nil {
				return IndexConfig{}, err
			}
			parsed[variant] = append(parsed[variant], items...)
		}
	}
	var merged itemSet
	for _, variant := range []string{"global", "user", "site", "env"} {
		for _, it := range parsed[variant] {
			merged.set(it)
		}
	}
	if !in.Isolated {
		for _, k := range env.keys {
			if !strings.HasPrefix(k, "PIP_") {
				continue
			}
			name := pyport.Lower(k[4:])
			if name == "version" || name == "help" {
				continue
			}
			merged.set(configItem{section: ":env:", name: normalizeConfigName(name), value: env.vals[k], source: "env " + k})
		}
	}

	cfg := IndexConfig{IndexURL: defaultIndexURL, Timeout: defaultTimeout, Retries: defaultRetries, Sources: map[string]string{}}
	// All [global] keys apply first, then [<command>], then the environment,
	// each group in the merged dictionary's insertion order.
	for _, section := range []string{"global", in.Command, ":env:"} {
		for _, k := range merged.order {
			it := merged.items[k]
			if it.section != section || it.value == "" {
				continue
			}
			dest, kind, ok := lookupOption(it.name)
			if !ok {
				continue // not an option pipup uses (or not one of pip's)
			}
			if err := cfg.apply(dest, kind, it.value, in.Home); err != nil {
				return IndexConfig{}, fmt.Errorf("pip config: %s (from %s): %w", it.name, it.source, err)
			}
			cfg.Sources[dest] = it.source
		}
	}
	return cfg, nil
}

// configFiles lists pip's candidate files per variant (pip's
// get_configuration_files and iter_config_files; the directories are
// pip's appdirs over platformdirs).
func configFiles(in ConfigInput, env environ, root string) map[string][]string {
	files := map[string][]string{}
	envFile, envFileSet := env.get("PIP_CONFIG_FILE")
	if envFileSet {
		if envFile == os.DevNull {
			return files // pip loads no file at all
		}
		files["env"] = []string{envFile}
	}
	l := configLocations(in, env, root)
	files["global"] = l.global
	if !in.Isolated && !(envFile != "" && fileExists(envFile)) {
		// The legacy file comes first, so the newer one overrides it.
		files["user"] = l.user
	}
	if in.Prefix != "" {
		files["site"] = []string{l.join(in.Prefix, l.base)}
	}
	return files
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// readConfigFile returns a file's items as pip's Configuration._load_file
// sees them. A missing file, or one that cannot be opened (permissions, a
// directory), is skipped silently, like configparser's read().
func readConfigFile(path string) ([]configItem, error) {
	if !fileExists(path) {
		return nil, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, nil
	}
	if !utf8.Valid(data) {
		return nil, fmt.Errorf("pip config file %s: contains invalid UTF-8 characters", path)
	}
	ini, err := parseINI(string(data))
	if err != nil {
		return nil, fmt.Errorf("pip config file %s: %w", path, err)
	}
	var items []configItem
	for _, s := range ini.sections {
		// configparser's items(section) lists [DEFAULT] keys first.
		for _, name := range ini.defaults.keys {
			src := ini.defaults
			if _, own := s.vals[name]; own {
				src = s
			}
			items = append(items, fileItem(path, s.name, src, name))
		}
		for _, name := range s.keys {
			if _, dflt := ini.defaults.vals[name]; !dflt {
				items = append(items, fileItem(path, s.name, s, name))
			}
		}
	}
	return items, nil
}

func fileItem(path, section string, from *iniSection, name string) configItem {
	return configItem{
		section: section,
		name:    normalizeConfigName(name),
		value:   from.value(name),
		source:  fmt.Sprintf("%s [%s]", path, from.name),
	}
}

// configItem is one "section.name = value" of pip's merged configuration.
type configItem struct {
	section, name, value string
	source               string // for IndexConfig.Sources and errors
}

// itemSet mirrors a Python dict: a re-set key keeps its first position.
type itemSet struct {
	order []string
	items map[string]configItem
}

func (s *itemSet) set(it configItem) {
	if s.items == nil {
		s.items = map[string]configItem{}
	}
	k := it.section + "." + it.name
	if _, ok := s.items[k]; !ok {
		s.order = append(s.order, k)
	}
	s.items[k] = it
}

// Redacted returns a copy safe to display: URL credentials become "****".
func (c IndexConfig) Redacted() IndexConfig {
	r := c
	r.IndexURL = pypi.RedactURL(c.IndexURL)
	r.ExtraIndexURLs = redactAll(c.ExtraIndexURLs)
	r.FindLinks = redactAll(c.FindLinks)
	r.TrustedHosts = redactAll(c.TrustedHosts)
	r.Proxy = pypi.RedactURL(c.Proxy)
	// pip accepts a proxy without a scheme ("user:pw@host:3128").
	if !strings.Contains(r.Proxy, "://") {
		host, _, _ := strings.Cut(r.Proxy, "/")
		if at := strings.LastIndexByte(host, '@'); at >= 0 {
			r.Proxy = "****" + r.Proxy[at:]
		}
	}
	if c.Sources != nil {
		r.Sources = make(map[string]string, len(c.Sources))
		for k, v := range c.Sources {
			r.Sources[k] = v
		}
	}
	return r
}

func redactAll(list []string) []string {
	if list == nil {
		return nil
	}
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = pypi.RedactURL(s)
	}
	return out
}
