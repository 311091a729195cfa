package pypitest

import (
	"bufio"
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The PyPI JSON API's per-version document, reduced to the fields clients
// of a package index read. Absent values are null, as on pypi.org.
type apiDoc struct {
	Info            apiInfo         `json:"info"`
	URLs            []apiFile       `json:"urls"`
	Vulnerabilities []Vulnerability `json:"vulnerabilities"`
}

// Vulnerability is one entry of a release's "vulnerabilities", as
// pypi.org serves them from the OSV database; Withdrawn is null or a time.
type Vulnerability struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	Details   string   `json:"details"`
	Summary   *string  `json:"summary"`
	FixedIn   []string `json:"fixed_in"`
	Link      string   `json:"link"`
	Source    string   `json:"source"`
	Withdrawn *string  `json:"withdrawn"`
}

// SetVulnerabilities makes the JSON API list vulns for project at version
// (spelt as in its file names), replacing what it listed before.
func (s *Server) SetVulnerabilities(project, version string, vulns ...Vulnerability) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.vulns == nil {
		s.vulns = map[string][]Vulnerability{}
	}
	s.vulns[normalize(project)+" "+strings.ToLower(version)] = append([]Vulnerability(nil), vulns...)
}

// HoldJSONAPI makes JSON API requests wait, unanswered, until release is
// called (pages and files are served as usual): a test can so see what a
// client does before those answers arrive. release may be called more
// than once.
func (s *Server) HoldJSONAPI() (release func()) { return s.hold(apiGateKey) }

type apiInfo struct {
	Name           string   `json:"name"`
	Version        string   `json:"version"`
	Summary        string   `json:"summary"`
	RequiresDist   []string `json:"requires_dist"`
	RequiresPython *string  `json:"requires_python"`
	ProvidesExtra  []string `json:"provides_extra"`
	HomePage       *string  `json:"home_page"`
	ProjectURLs    any      `json:"project_urls"`
	Yanked         bool     `json:"yanked"`
	YankedReason   *string  `json:"yanked_reason"`
}

type apiFile struct {
	Filename       string            `json:"filename"`
	URL            string            `json:"url"`
	Digests        map[string]string `json:"digests"`
	RequiresPython *string           `json:"requires_python"`
	UploadTime     string            `json:"upload_time"`
	UploadTimeISO  string            `json:"upload_time_iso_8601"`
	Size           int               `json:"size"`
	PackageType    string            `json:"packagetype"`
	PythonVersion  string            `json:"python_version"`
	Yanked         bool              `json:"yanked"`
	YankedReason   *string           `json:"yanked_reason"`
}

// serveJSONAPI answers /pypi/<name>/<version>/json. The name may be spelt
// any way; the version must be spelt as in the file names (any case).
func (s *Server) serveJSONAPI(w http.ResponseWriter, r *http.Request, name, version string, fault Fault) {
	if !s.cfg.jsonAPI || name == "" {
		http.NotFound(w, r)
		return
	}
	if !s.passGate(r, apiGateKey) {
		return
	}
	s.mu.RLock()
	var (
		files  []*file
		mod    time.Time
		serial int64
	)
	p := s.projects[normalize(name)]
	if p != nil {
		serial = p.serial
		for _, f := range p.files {
			if f.version != "" && strings.EqualFold(f.version, version) {
				files = append(files, f)
				if f.modified.After(mod) {
					mod = f.modified
				}
			}
		}
	}
	var doc apiDoc
	if len(files) > 0 {
		doc = s.apiDoc(p, files)
	}
	s.mu.RUnlock()
	if len(files) == 0 {
		http.NotFound(w, r)
		return
	}
	body, ct, conditional := mustJSON(doc), "application/json", true
	if fault.Garbage {
		body, conditional = []byte(`{"info": {"name": "`), false
	}
	if fault.WrongContentType {
		ct = "text/html; charset=utf-8"
	}
	w.Header().Set("Cache-Control", fmt.Sprintf("max-age=%d, public", s.cfg.maxAge))
	w.Header().Set("X-PyPI-Last-Serial", strconv.FormatInt(serial, 10))
	s.writeEntity(w, r, ct, body, mod, conditional)
}

// apiDoc describes a version from the core metadata of its first file
// that has any, as pypi.org describes a release from its first upload;
// the name is the project's, as there.
// Callers hold s.mu for reading.
func (s *Server) apiDoc(p *project, files []*file) apiDoc {
	info := apiInfo{Name: p.display, Version: files[0].version}
	for _, f := range files {
		if f.core != nil {
			md := parseCore(f.core)
			info.Summary, info.RequiresDist, info.ProvidesExtra = md.summary, md.requiresDist, md.providesExtra
			if md.requiresPython != "" {
				info.RequiresPython = &md.requiresPython
			}
			if md.homePage != "" {
				info.HomePage = &md.homePage
			}
			if len(md.projectURLs) > 0 {
				info.ProjectURLs = md.projectURLs
			}
			break
		}
	}
	info.Yanked = true
	urls := []apiFile{}
	for _, f := range files {
		af := apiFile{
			Filename:    f.spec.Filename,
			URL:         s.URL + "/files/" + url.PathEscape(f.spec.Filename),
			Digests:     map[string]string{},
			Size:        len(f.spec.Data),
			PackageType: "sdist",
			Yanked:      f.spec.Yanked,
		}
		// The file's upload time, as the Simple API's JSON pages give it;
		// without one its modification time stands in.
		up := f.spec.UploadTime
		if up.IsZero() {
			up = f.modified
		}
		af.UploadTime = up.UTC().Format("2006-01-02T15:04:05")
		af.UploadTimeISO = up.UTC().Format("2006-01-02T15:04:05.000000Z")
		if f.advert != "" {
			af.Digests["sha256"] = f.advert
		}
		if rp := f.spec.RequiresPython; rp != "" {
			af.RequiresPython = &rp
		}
		if f.spec.YankedReason != "" {
			reason := f.spec.YankedReason
			af.YankedReason = &reason
		}
		af.PythonVersion = "source"
		if base, ok := strings.CutSuffix(f.spec.Filename, ".whl"); ok {
			af.PackageType = "bdist_wheel"
			if parts := strings.Split(base, "-"); len(parts) >= 5 {
				af.PythonVersion = parts[len(parts)-3]
			}
		}
		// A release is yanked when all of its files are.
		info.Yanked = info.Yanked && f.spec.Yanked
		if f.spec.Yanked && info.YankedReason == nil {
			info.YankedReason = af.YankedReason
		}
		urls = append(urls, af)
	}
	if !info.Yanked {
		info.YankedReason = nil
	}
	vulns := s.vulns[p.name+" "+strings.ToLower(info.Version)]
	if vulns == nil {
		vulns = []Vulnerability{} // pypi.org sends an empty list, not null
	}
	return apiDoc{Info: info, URLs: urls, Vulnerabilities: vulns}
}

type coreFields struct {
	summary, requiresPython, homePage string
	requiresDist, providesExtra       []string
	projectURLs                       map[string]string // "Label, URL" lines by label
}

// parseCore reads the header block of a METADATA file: first occurrence
// wins, Requires-Dist and Provides-Extra collect, folded lines join. It is
// a separate, simpler reader than the client's on purpose (see the
// package comment).
func parseCore(data []byte) coreFields {
	var c coreFields
	seen := map[string]bool{}
	var key, val string
	flush := func() {
		if key == "" {
			return
		}
		v := strings.TrimSpace(val)
		switch key {
		case "requires-dist":
			c.requiresDist = append(c.requiresDist, v)
		case "provides-extra":
			c.providesExtra = append(c.providesExtra, v)
		case "project-url":
			if label, u, ok := strings.Cut(v, ","); ok {
				if c.projectURLs == nil {
					c.projectURLs = map[string]string{}
				}
				c.projectURLs[strings.TrimSpace(label)] = strings.TrimSpace(u)
			}
		default:
			if seen[key] {
				break
			}
			seen[key] = true
			switch key {
			case "summary":
				c.summary = v
			case "requires-python":
				c.requiresPython = v
			case "home-page":
				c.homePage = v
			}
		}
		key, val = "", ""
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		line := strings.TrimRight(sc.Text(), "\r")
		if line == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			val += " " + strings.TrimSpace(line)
			continue
		}
		flush()
		k, v, ok := strings.Cut(line, ":")
		if !ok {
			break
		}
		key, val = strings.ToLower(strings.TrimSpace(k)), v
	}
	flush()
	return c
}
