package pypi

import (
	"context"
	"errors"
	"html"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/pipup/pipup/internal/pyport"
)

// findLinksEntry is one location's result, shared by concurrent callers.
type findLinksEntry struct {
	done  chan struct{}
	files []File
	err   error
}

// FindLinks reads a find-links location once per Client: a local directory
// (each file, and the links of each HTML file in it), a local file (an HTML
// page's links, or the file itself), or an http(s) page's links. Callers
// share the result and must not modify it.
func (c *Client) FindLinks(ctx context.Context, location string) ([]File, error) {
	for {
		c.flMu.Lock()
		e, ok := c.fl[location]
		if !ok {
			e = &findLinksEntry{done: make(chan struct{})}
			c.fl[location] = e
		}
		c.flMu.Unlock()
		if !ok {
			e.files, e.err = c.readFindLinks(ctx, location)
			if e.err != nil && ctx.Err() != nil {
				c.flMu.Lock()
				delete(c.fl, location) // a cancelled read is not the answer
				c.flMu.Unlock()
			}
			close(e.done)
			return e.files, e.err
		}
		select {
		case <-e.done:
			if e.err != nil && ctx.Err() == nil && (errors.Is(e.err, context.Canceled) || errors.Is(e.err, context.DeadlineExceeded)) {
				continue // the reader's context ended, not ours: read again
			}
			return e.files, e.err
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

func (c *Client) readFindLinks(ctx context.Context, location string) ([]File, error) {
	var path string
	switch {
	case strings.HasPrefix(location, "file:"):
		u, err := c.parseURL(location)
		if err != nil {
			return nil, err
		}
		if path = u.Path; path == "" {
			path = u.Opaque // "file:relative/dir"
		}
	case strings.Contains(location, "://"):
		u, err := c.parseURL(location)
		if err != nil {
			return nil, err
		}
		if _, ext := SplitArchiveExt(u.Path); IsSupportedArchive(ext) {
			return remoteFiles(u) // a direct link, nothing to fetch
		}
		resp, err := c.get(ctx, u, AcceptHeader)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var files []File
		err = parseResponse(resp, RedactURL(c.displayURL(u)), func(f File) error {
			files = append(files, f)
			return nil
		})
		return files, err
	default:
		path = location
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !st.IsDir() {
		if isHTMLFile(abs) {
			return readLocalPage(abs, nil)
		}
		return []File{localFile(abs, st.Size())}, nil
	}
	des, err := os.ReadDir(abs)
	if err != nil {
		return nil, err
	}
	var files []File
	for _, de := range des {
		p := filepath.Join(abs, de.Name())
		info, err := os.Stat(p) // follows symlinks, unlike de.Info
		if err != nil || info.IsDir() {
			continue
		}
		if isHTMLFile(p) {
			if files, err = readLocalPage(p, files); err != nil {
				return nil, err
			}
			continue
		}
		files = append(files, localFile(p, info.Size()))
	}
	return files, nil
}

// isHTMLFile is pip's test: the file type guessed from the extension.
func isHTMLFile(p string) bool {
	ext := strings.ToLower(filepath.Ext(p))
	return ext == ".html" || ext == ".htm"
}

func readLocalPage(p string, files []File) ([]File, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	err = ParseHTML(f, fileURL(p), func(file File) error {
		files = append(files, file)
		return nil
	})
	return files, err
}

// fileURL is pip's path_to_url: the path quoted as Python's
// urllib.parse.quote(path) does, so "+" becomes "%2B" as in pip's URLs.
func fileURL(p string) *url.URL {
	return &url.URL{Scheme: "file", Path: p, RawPath: pyport.Quote(filepath.ToSlash(p))}
}

func localFile(p string, size int64) File {
	return File{Filename: filepath.Base(p), URL: fileURL(p).String(), Hashes: map[string]string{}, Size: size}
}

// remoteFiles returns a direct link to a distribution as a File, read
// through ParseHTML so that its hash fragment and name are taken as pip
// takes them from an anchor.
func remoteFiles(u *url.URL) ([]File, error) {
	var files []File
	page := `<a href="` + html.EscapeString(u.String()) + `"></a>`
	err := ParseHTML(strings.NewReader(page), u, func(f File) error {
		files = append(files, f)
		return nil
	})
	return files, err
}
