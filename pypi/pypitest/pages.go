package pypitest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"net/url"
)

// apiVersion is the Simple API version served: 1.1 brings PEP 700's
// "versions", "size" and "upload-time".
const apiVersion = "1.1"

type jsonMeta struct {
	APIVersion string `json:"api-version"`
	LastSerial int64  `json:"_last-serial"`
}

type jsonRoot struct {
	Meta     jsonMeta   `json:"meta"`
	Projects []jsonName `json:"projects"`
}

type jsonName struct {
	Name string `json:"name"`
}

type jsonProject struct {
	Meta     jsonMeta   `json:"meta"`
	Name     string     `json:"name"`
	Versions []string   `json:"versions"`
	Files    []jsonFile `json:"files"`
}

type jsonFile struct {
	Filename       string            `json:"filename"`
	URL            string            `json:"url"`
	Hashes         map[string]string `json:"hashes"`
	RequiresPython string            `json:"requires-python,omitempty"`
	// Yanked is false, true, or the reason string (PEP 691).
	Yanked any `json:"yanked"`
	// Both PEP 714's key and PEP 658's original one, as PyPI sends them.
	CoreMetadata     any   `json:"core-metadata,omitempty"`
	DistInfoMetadata any   `json:"dist-info-metadata,omitempty"`
	Size             int64 `json:"size"`
	// UploadTime is PEP 700's ISO 8601 string, as PyPI writes it
	// ("2025-03-01T12:34:56.123456Z"); left out when the file has none.
	UploadTime string `json:"upload-time,omitempty"`
}

// rootPage renders /simple/. Callers hold s.mu for reading.
func (s *Server) rootPage(ct string) []byte {
	projects := s.projectNames()
	if ct == mimeJSON {
		doc := jsonRoot{Meta: jsonMeta{APIVersion: apiVersion, LastSerial: s.serial}, Projects: []jsonName{}}
		for _, p := range projects {
			doc.Projects = append(doc.Projects, jsonName{p.display})
		}
		return mustJSON(doc)
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"%s\">\n    <title>Simple index</title>\n  </head>\n  <body>\n", apiVersion)
	for _, p := range projects {
		fmt.Fprintf(&b, "    <a href=\"/simple/%s/\">%s</a>\n", html.EscapeString(url.PathEscape(p.name)), html.EscapeString(p.display))
	}
	b.WriteString("  </body>\n</html>\n")
	return b.Bytes()
}

// projectPage renders /simple/<name>/. File URLs are relative to the page
// (../../files/...), so clients must resolve them. Callers hold s.mu for
// reading.
func (s *Server) projectPage(p *project, ct string) []byte {
	if ct == mimeJSON {
		doc := jsonProject{
			Meta:     jsonMeta{APIVersion: apiVersion, LastSerial: p.serial},
			Name:     p.name,
			Versions: []string{},
			Files:    []jsonFile{},
		}
		seen := map[string]bool{}
		for _, f := range p.files {
			if f.version != "" && !seen[f.version] {
				seen[f.version] = true
				doc.Versions = append(doc.Versions, f.version)
			}
			jf := jsonFile{
				Filename:       f.spec.Filename,
				URL:            fileHref(f),
				Hashes:         map[string]string{},
				RequiresPython: f.spec.RequiresPython,
				Yanked:         false,
				Size:           int64(len(f.spec.Data)),
			}
			if t := f.spec.UploadTime; !t.IsZero() {
				jf.UploadTime = t.UTC().Format("2006-01-02T15:04:05.000000Z")
			}
			if f.advert != "" {
				jf.Hashes["sha256"] = f.advert
			}
			if f.spec.Yanked {
				jf.Yanked = true
				if f.spec.YankedReason != "" {
					jf.Yanked = f.spec.YankedReason
				}
			}
			if f.metadata != nil {
				jf.CoreMetadata = map[string]string{"sha256": f.metaSHA}
				jf.DistInfoMetadata = jf.CoreMetadata
			}
			doc.Files = append(doc.Files, jf)
		}
		return mustJSON(doc)
	}
	var b bytes.Buffer
	title := html.EscapeString("Links for " + p.display)
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html>\n  <head>\n    <meta name=\"pypi:repository-version\" content=\"%s\">\n    <title>%s</title>\n  </head>\n  <body>\n    <h1>%s</h1>\n", apiVersion, title, title)
	for _, f := range p.files {
		href := fileHref(f)
		if f.advert != "" {
			href += "#sha256=" + f.advert
		}
		fmt.Fprintf(&b, "    <a href=\"%s\"", html.EscapeString(href))
		if f.spec.RequiresPython != "" {
			fmt.Fprintf(&b, " data-requires-python=\"%s\"", html.EscapeString(f.spec.RequiresPython))
		}
		if f.spec.Yanked {
			fmt.Fprintf(&b, " data-yanked=\"%s\"", html.EscapeString(f.spec.YankedReason))
		}
		if f.metadata != nil {
			fmt.Fprintf(&b, " data-dist-info-metadata=\"sha256=%s\" data-core-metadata=\"sha256=%s\"", f.metaSHA, f.metaSHA)
		}
		fmt.Fprintf(&b, ">%s</a><br />\n", html.EscapeString(f.spec.Filename))
	}
	b.WriteString("  </body>\n</html>\n")
	return b.Bytes()
}

func fileHref(f *file) string {
	return "../../files/" + url.PathEscape(f.spec.Filename)
}

// mustJSON encodes without HTML escaping, so ">=3.8" reads as on PyPI.
func mustJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only plain strings, maps and slices are encoded: cannot happen.
		panic(fmt.Sprintf("pypitest: encode page: %v", err))
	}
	return b.Bytes()
}
