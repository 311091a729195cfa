package pypi

import (
	"context"
	"errors"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestFindLinksLocal(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"foo-1.0-py3-none-any.whl": "wheel",
		"bar-2.0.tar.gz":           "sdist",
		"a+b-1.0.tar.gz":           "plus",
		"links.html":               `<a href="https://files.example/extra-3.0.tar.gz#sha256=cc">x</a>`,
	} {
		os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644)
	}
	os.Mkdir(filepath.Join(dir, "sub-1.0.tar.gz"), 0o755)
	c := newTestClient(t, ClientOptions{})
	ctx := context.Background()

	files, err := c.FindLinks(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]File{}
	for _, f := range files {
		got[f.Filename] = f
	}
	if len(files) != 4 {
		t.Fatalf("files %+v", files)
	}
	if f := got["foo-1.0-py3-none-any.whl"]; f.URL != "file://"+dir+"/foo-1.0-py3-none-any.whl" || f.Size != 5 {
		t.Errorf("wheel %+v", f)
	}
	if f := got["a+b-1.0.tar.gz"]; f.URL != "file://"+dir+"/a%2Bb-1.0.tar.gz" {
		t.Errorf("quoting %+v", f)
	}
	if f := got["extra-3.0.tar.gz"]; f.URL != "https://files.example/extra-3.0.tar.gz" || f.Hashes["sha256"] != "cc" {
		t.Errorf("html file link %+v", f)
	}

	// Read once per Client: the directory's later changes are not seen.
	os.Remove(filepath.Join(dir, "bar-2.0.tar.gz"))
	again, err := c.FindLinks(ctx, dir)
	if err != nil || len(again) != 4 {
		t.Errorf("second read: %v %d files", err, len(again))
	}

	for loc, want := range map[string]int{
		"file://" + dir:                                3, // a new location string: read afresh
		filepath.Join(dir, "links.html"):               1,
		filepath.Join(dir, "foo-1.0-py3-none-any.whl"): 1,
	} {
		files, err := c.FindLinks(ctx, loc)
		if err != nil || len(files) != want {
			t.Errorf("%s: %v %+v", loc, err, files)
		}
	}
	if _, err := c.FindLinks(ctx, filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing dir: %v", err)
	}
}

func TestFindLinksRemote(t *testing.T) {
	idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, htmlPage("one-1.0.tar.gz", "two-2.0-py3-none-any.whl"))
	})
	c := newTestClient(t, ClientOptions{})
	var wg sync.WaitGroup
	for range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			files, err := c.FindLinks(context.Background(), idx.URL+"/links/")
			if err != nil || len(files) != 2 || files[0].URL != idx.URL+"/links/one-1.0.tar.gz" {
				t.Errorf("%v %+v", err, files)
			}
		}()
	}
	wg.Wait()
	if n := idx.hits.Load(); n != 1 {
		t.Errorf("page fetched %d times", n)
	}
	files, err := c.FindLinks(context.Background(), idx.URL+"/dist/pkg-1.0-py3-none-any.whl#sha256=dd")
	if err != nil || len(files) != 1 || files[0].Hashes["sha256"] != "dd" || idx.hits.Load() != 1 {
		t.Errorf("direct link: %v %+v", err, files)
	}
}

func TestFindLinksCancelledReadIsNotKept(t *testing.T) {
	var n atomic.Int64
	idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			<-r.Context().Done()
			return
		}
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, htmlPage("one-1.0.tar.gz"))
	})
	c := newTestClient(t, ClientOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := c.FindLinks(ctx, idx.URL+"/links/"); err == nil {
		t.Fatal("no error from a cancelled read")
	}
	files, err := c.FindLinks(context.Background(), idx.URL+"/links/")
	if err != nil || len(files) != 1 {
		t.Errorf("after cancel: %v %+v", err, files)
	}
}
