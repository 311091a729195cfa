package pypi

import (
	"context"
	"errors"
	"io"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestErrorWording(t *testing.T) {
	idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusServiceUnavailable)
	})
	c := newTestClient(t, ClientOptions{})
	_, err := collect(t, c, withSecret(idx.URL+"/simple"), "foo")
	want := "fetch http://****@" + strings.TrimPrefix(idx.URL, "http://") + "/simple/foo/: 503 Service Unavailable (after 5 retries)"
	if err == nil || err.Error() != want {
		t.Errorf("got  %v\nwant %s", err, want)
	}
	var se *StatusError
	if !errors.As(err, &se) || se.StatusCode != 503 || se.Retries != 5 {
		t.Errorf("StatusError %+v", se)
	}
	if s := c.Stats(); s.Requests != 6 || s.Retries != 5 || s.Status5xx != 6 {
		t.Errorf("stats %+v", s)
	}
}

func TestRetries(t *testing.T) {
	t.Run("503 twice then 200", func(t *testing.T) {
		var n atomic.Int64
		idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) <= 2 {
				w.WriteHeader(http.StatusServiceUnavailable)
				return
			}
			pageHandler(false)(w, r)
		})
		c := newTestClient(t, ClientOptions{})
		files, err := collect(t, c, idx.URL+"/simple", "pkg")
		if err != nil || len(files) != 2 {
			t.Fatalf("%v %+v", err, files)
		}
		if s := c.Stats(); s.Retries != 2 || s.Requests != 3 {
			t.Errorf("stats %+v", s)
		}
	})
	t.Run("429 Retry-After 1", func(t *testing.T) {
		var n atomic.Int64
		idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
			if n.Add(1) == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			pageHandler(false)(w, r)
		})
		c := newTestClient(t, ClientOptions{})
		start := time.Now()
		if _, err := collect(t, c, idx.URL+"/simple", "pkg"); err != nil {
			t.Fatal(err)
		}
		if d := time.Since(start); d < 950*time.Millisecond || d > 3*time.Second {
			t.Errorf("took %v, want about 1s", d)
		}
	})
	t.Run("not retried", func(t *testing.T) {
		for _, code := range []int{400, 403, 404, 501} {
			idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(code) })
			c := newTestClient(t, ClientOptions{})
			if _, err := collect(t, c, idx.URL+"/simple", "pkg"); err == nil || idx.hits.Load() != 1 {
				t.Errorf("%d: %v after %d requests", code, err, idx.hits.Load())
			}
		}
	})
	t.Run("backoff grows with jitter", func(t *testing.T) {
		c := newTestClient(t, ClientOptions{})
		c.backoff, c.maxBackoff = 100*time.Millisecond, 5*time.Second
		for attempt, lo := range []time.Duration{50, 100, 200, 400, 800} {
			d := c.backoffDelay(attempt)
			if lo *= time.Millisecond; d < lo || d > 2*lo {
				t.Errorf("attempt %d: %v not in [%v, %v]", attempt, d, lo, 2*lo)
			}
		}
		if d := c.backoffDelay(30); d > 5*time.Second {
			t.Errorf("uncapped: %v", d)
		}
	})
	t.Run("Retry-After forms", func(t *testing.T) {
		c := newTestClient(t, ClientOptions{})
		date := time.Now().Add(3 * time.Second).UTC().Format(http.TimeFormat)
		for v, want := range map[string][2]time.Duration{
			"2":        {2 * time.Second, 2 * time.Second},
			date:       {time.Second, 3 * time.Second},
			"99999":    {30 * time.Second, 30 * time.Second},
			"tomorrow": {0, 10 * time.Millisecond},
		} {
			if d := c.retryAfter(v, 0); d < want[0] || d > want[1] {
				t.Errorf("%q: %v", v, d)
			}
		}
	})
}

func TestTimeouts(t *testing.T) {
	idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "stall") {
			w.Header().Set("Content-Length", "100")
			io.WriteString(w, "part")
			w.(http.Flusher).Flush()
		}
		<-r.Context().Done()
	})
	c := newTestClient(t, ClientOptions{Timeout: 200 * time.Millisecond, Retries: -1})
	start := time.Now()
	_, err := collect(t, c, idx.URL+"/simple", "pkg")
	if d := time.Since(start); err == nil || d < 200*time.Millisecond || d > 5*time.Second {
		t.Errorf("hanging server: %v after %v", err, d)
	}
	if !errors.Is(err, os.ErrDeadlineExceeded) || !strings.Contains(err.Error(), "no response within 200ms") {
		t.Errorf("error %v", err)
	}
	rc, _, err := c.Open(context.Background(), idx.URL+"/stall")
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	start = time.Now()
	b, err := io.ReadAll(rc)
	if d := time.Since(start); string(b) != "part" || !errors.Is(err, os.ErrDeadlineExceeded) || d > 5*time.Second {
		t.Errorf("stalled body: %q %v after %v", b, err, d)
	}
}

func TestCancellationIsPrompt(t *testing.T) {
	idx := newFakeIndex(t, func(w http.ResponseWriter, r *http.Request) {
		if strings.Contains(r.URL.Path, "busy") {
			w.Header().Set("Retry-After", "30")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		<-r.Context().Done()
	})
	c := newTestClient(t, ClientOptions{})
	for _, project := range []string{"hang", "busy"} { // in a request; in a Retry-After wait
		ctx, cancel := context.WithCancel(context.Background())
		time.AfterFunc(100*time.Millisecond, cancel)
		start := time.Now()
		err := c.ProjectFiles(ctx, idx.URL+"/simple", project, func(File) error { return nil })
		late := time.Since(start) - 100*time.Millisecond
		// Prompt means well before the 30 s Retry-After or a hang; the
		// bound is loose because CI runs this under -race on 2 busy cores.
		if !errors.Is(err, context.Canceled) || late > time.Second {
			t.Errorf("%s: %v, returned %v after cancel", project, err, late)
		}
	}
}
