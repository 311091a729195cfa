package pip

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/pipup/pipup/pypi"
)

// Details is what the UI's details line shows about a package beyond the
// scan: the release's summary and the links worth a glance before
// upgrading.
type Details struct {
	Summary string
	Links   []Link // in display order: home page, changelog, source
}

// Link is one labelled project URL.
type Link struct {
	Label, URL string
}

// Details describes name at version from the main index's PyPI JSON API
// (pypi.org and Warehouse-compatible indexes serve it beside /simple).
// cand is the file the scan found for that version: as for candidate
// metadata, the main index only describes a file of its own host, so a
// package found on another index gets no details rather than those of a
// namesake. An index without a JSON API, or without that version in it,
// gives no details, not an error.
func (e *Env) Details(ctx context.Context, name, version string, cand CandidateFile) (Details, error) {
	if !e.jsonAPIDescribes(cand) {
		return Details{}, nil
	}
	r, err := e.releaseIfAPI(ctx, name, version)
	if errors.Is(err, pypi.ErrNotFound) {
		return Details{}, nil
	}
	if err != nil {
		return Details{}, fmt.Errorf("project page of %s: %w", name, err)
	}
	return Details{Summary: r.Summary, Links: pickLinks(r.HomePage, r.ProjectURLs)}, nil
}

// pickLinks keeps the links worth a glance before upgrading: the home page,
// the changelog, the source; http(s) only, each URL once.
func pickLinks(home string, urls map[string]string) []Link {
	kinds := []struct {
		label string
		keys  []string
	}{
		{"home", []string{"homepage", "home", "home page", "documentation"}},
		{"changelog", []string{"changelog", "changes", "change log", "release notes", "releases", "history", "what's new", "news"}},
		{"source", []string{"source", "source code", "repository", "code", "github"}},
	}
	// Map keys are looked at in a fixed order, so the choice is stable.
	keys := make([]string, 0, len(urls))
	for k := range urls {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	web := func(s string) bool {
		u, err := url.Parse(s)
		return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
	}
	seen := map[string]bool{}
	var out []Link
	for _, kind := range kinds {
		var cands []string
		for _, want := range kind.keys {
			for _, k := range keys {
				if strings.EqualFold(strings.TrimSpace(k), want) {
					cands = append(cands, urls[k])
				}
			}
		}
		if kind.label == "home" {
			cands = append(cands, home)
		}
		for _, c := range cands {
			if web(c) && !seen[c] {
				seen[c] = true
				out = append(out, Link{Label: kind.label, URL: c})
				break
			}
		}
	}
	return out
}
