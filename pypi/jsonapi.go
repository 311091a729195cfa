package pypi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"strings"
	"time"
)

// PyPI's JSON API (https://docs.pypi.org/api/json/) is not part of the
// simple API pip uses, but pypi.org and Warehouse-compatible indexes serve
// it beside /simple. pipup reads one document of it, a release's, for two
// things: core metadata when the index has no PEP 658 file, and the details
// line. This file is the one reader of it.

// maxJSONAPI bounds one per-version document: real ones are a few kB, a
// few packages with long descriptions reach a few hundred.
const maxJSONAPI = 8 << 20

// ErrNoJSONAPI is the error of Release for an index URL that has no JSON
// API beside it (not of the <base>/simple shape). It matches ErrNotFound,
// as a 404 from the API does: both mean "nothing to read here".
var ErrNoJSONAPI = fmt.Errorf("no PyPI JSON API beside this index: %w", ErrNotFound)

// Release is one version of a project as the JSON API describes it. String
// fields the document leaves null are "".
type Release struct {
	Name, Version  string
	Summary        string
	HomePage       string
	ProjectURLs    map[string]string // label -> URL, as the upload declared them
	RequiresDist   []string
	RequiresPython string
	ProvidesExtra  []string
	Yanked         bool
	YankedReason   string
	Files          []ReleaseFile
	// Vulnerabilities are the known advisories affecting this version
	// (PyPI takes them from the OSV database).
	Vulnerabilities []Vulnerability
}

// ReleaseFile is one file of a release ("urls" in the document).
type ReleaseFile struct {
	Filename string
	URL      string // may carry the index URL's credentials: redact before printing
	SHA256   string // "" when not given
	Size     int64  // -1 when not given
	// Uploaded is upload_time_iso_8601; zero when absent or unreadable.
	Uploaded       time.Time
	RequiresPython string
	Yanked         bool
	YankedReason   string
}

// Vulnerability is one advisory of a release's "vulnerabilities".
type Vulnerability struct {
	ID      string   // e.g. "PYSEC-2023-74" or "GHSA-..."
	Aliases []string // e.g. the CVE
	FixedIn []string // versions with the fix
	Link    string
	Summary string
	// Withdrawn is set when the advisory was withdrawn (it no longer
	// applies); such entries are kept so a caller can say so.
	Withdrawn bool
}

// JSONAPIURL is the JSON API document of a project's version, for an index
// whose simple API lives at <base>/simple (pypi.org, Warehouse and
// compatible indexes serve it at <base>/pypi/<name>/<version>/json). It is
// false for an index URL of another shape. The URL keeps the index URL's
// credentials: never print it without redaction.
func JSONAPIURL(indexURL, name, version string) (string, bool) {
	u, err := url.Parse(indexURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || version == "" {
		return "", false
	}
	path := strings.TrimSuffix(u.Path, "/")
	if !strings.HasSuffix(path, "/simple") {
		return "", false
	}
	u.Path = strings.TrimSuffix(path, "simple") + "pypi/" + Normalize(name) + "/" + version + "/json"
	u.RawPath, u.RawQuery, u.Fragment = "", "", ""
	return u.String(), true
}

// Release reads the JSON API document of name at version from beside
// indexURL. An error matching ErrNotFound means there is none: the index
// has no JSON API (ErrNoJSONAPI) or it does not know that version. Errors
// name the document by its redacted URL.
func (c *Client) Release(ctx context.Context, indexURL, name, version string) (*Release, error) {
	api, ok := JSONAPIURL(indexURL, name, version)
	if !ok {
		return nil, fmt.Errorf("JSON API of %s %s: %w", name, version, ErrNoJSONAPI)
	}
	body, _, err := c.Open(ctx, api)
	if err != nil {
		return nil, fmt.Errorf("JSON API: %w", err)
	}
	defer body.Close()
	data, err := io.ReadAll(io.LimitReader(body, maxJSONAPI+1))
	if err == nil && len(data) > maxJSONAPI {
		err = fmt.Errorf("larger than %d MiB", maxJSONAPI>>20)
	}
	if err == nil {
		var r *Release
		if r, err = parseRelease(data); err == nil {
			return r, nil
		}
	}
	return nil, fmt.Errorf("JSON API %s: %w", RedactURL(api), err)
}

// releaseDoc is the part of the document read strictly: the core metadata,
// which must be right when it is used at all.
type releaseDoc struct {
	Info *struct {
		Name           string   `json:"name"`
		Version        string   `json:"version"`
		Summary        *string  `json:"summary"`
		RequiresDist   []string `json:"requires_dist"`
		RequiresPython *string  `json:"requires_python"`
		ProvidesExtra  []string `json:"provides_extra"`
		// The rest of "info" is read leniently (extras below).
		HomePage     json.RawMessage `json:"home_page"`
		ProjectURLs  json.RawMessage `json:"project_urls"`
		Yanked       json.RawMessage `json:"yanked"`
		YankedReason json.RawMessage `json:"yanked_reason"`
	} `json:"info"`
	URLs            json.RawMessage `json:"urls"`
	Vulnerabilities json.RawMessage `json:"vulnerabilities"`
}

type releaseFileDoc struct {
	Filename       string            `json:"filename"`
	URL            string            `json:"url"`
	Digests        map[string]string `json:"digests"`
	Size           *int64            `json:"size"`
	UploadTime     *string           `json:"upload_time_iso_8601"`
	RequiresPython *string           `json:"requires_python"`
	Yanked         bool              `json:"yanked"`
	YankedReason   *string           `json:"yanked_reason"`
}

type vulnerabilityDoc struct {
	ID        string   `json:"id"`
	Aliases   []string `json:"aliases"`
	FixedIn   []string `json:"fixed_in"`
	Link      string   `json:"link"`
	Summary   *string  `json:"summary"`
	Withdrawn *string  `json:"withdrawn"`
}

// parseRelease reads a per-version document. Only "info"'s core metadata
// fields must be well-formed; a malformed extra (links, files, advisories)
// is left empty rather than hiding the metadata, since indexes that imitate
// PyPI differ in them.
func parseRelease(data []byte) (*Release, error) {
	var doc releaseDoc
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	in := doc.Info
	if in == nil {
		return nil, errors.New(`no "info"`)
	}
	r := &Release{
		Name: in.Name, Version: in.Version, RequiresDist: in.RequiresDist, ProvidesExtra: in.ProvidesExtra,
		Summary: deref(in.Summary), RequiresPython: deref(in.RequiresPython),
	}
	lenient(in.HomePage, &r.HomePage)
	lenient(in.ProjectURLs, &r.ProjectURLs)
	lenient(in.Yanked, &r.Yanked)
	lenient(in.YankedReason, &r.YankedReason)

	var files []releaseFileDoc
	lenient(doc.URLs, &files)
	for _, f := range files {
		rf := ReleaseFile{
			Filename: f.Filename, URL: f.URL, SHA256: f.Digests["sha256"], Size: -1,
			RequiresPython: deref(f.RequiresPython), Yanked: f.Yanked, YankedReason: deref(f.YankedReason),
		}
		if f.Size != nil {
			rf.Size = *f.Size
		}
		if f.UploadTime != nil {
			if t, err := time.Parse(time.RFC3339Nano, *f.UploadTime); err == nil {
				rf.Uploaded = t
			}
		}
		r.Files = append(r.Files, rf)
	}

	var vulns []vulnerabilityDoc
	lenient(doc.Vulnerabilities, &vulns)
	for _, v := range vulns {
		r.Vulnerabilities = append(r.Vulnerabilities, Vulnerability{
			ID: v.ID, Aliases: v.Aliases, FixedIn: v.FixedIn, Link: v.Link,
			Summary: deref(v.Summary), Withdrawn: v.Withdrawn != nil,
		})
	}
	return r, nil
}

// lenient decodes raw into v when it can, leaving v as it is otherwise
// (absent, null or of another type).
func lenient[T any](raw json.RawMessage, v *T) {
	var tmp T
	if len(raw) > 0 && json.Unmarshal(raw, &tmp) == nil {
		*v = tmp
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
