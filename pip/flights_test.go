package pip

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
)

// kept reports whether key has a kept (or in-flight) entry: for tests.
func (f *flights[V]) kept(key string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.m[key]
	return ok
}

// size is the number of entries kept or in flight: for tests.
func (f *flights[V]) size() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.m)
}

// reset forgets everything: for tests.
func (f *flights[V]) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m = nil
}

// TestFlights: concurrent callers of a key share one fetch; a kept result
// is not fetched again; one keep refuses is; a waiter whose fetcher gave up
// (its context ended) fetches anew.
func TestFlights(t *testing.T) {
	var f flights[int]
	var calls atomic.Int32
	release := make(chan struct{})
	fetch := func() (int, error) { calls.Add(1); <-release; return 7, nil }
	keepOK := func(err error) bool { return err == nil }
	var wg sync.WaitGroup
	for range 5 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if v, err := f.do(context.Background(), "a", "a", fetch, keepOK); v != 7 || err != nil {
				t.Errorf("do = %d, %v", v, err)
			}
		}()
	}
	for f.size() == 0 {
		runtime.Gosched() // until some caller has started the fetch
	}
	close(release)
	wg.Wait()
	if v, _ := f.do(context.Background(), "a", "a", fetch, keepOK); v != 7 || calls.Load() != 1 {
		t.Errorf("kept result: %d, %d fetches, want 7 and 1", v, calls.Load())
	}

	bad := errors.New("passing failure")
	var failures atomic.Int32
	failing := func() (int, error) { failures.Add(1); return 0, bad }
	for range 2 {
		if _, err := f.do(context.Background(), "b", "b", failing, keepOK); !errors.Is(err, bad) {
			t.Errorf("err = %v", err)
		}
	}
	if failures.Load() != 2 || f.kept("b") {
		t.Errorf("a failure keep refuses: %d fetches (want 2), kept %v", failures.Load(), f.kept("b"))
	}

	// The fetcher's context ends mid-fetch; the waiter's has not.
	gone, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	first := make(chan error, 1)
	go func() {
		_, err := f.do(gone, "c", "c", func() (int, error) { close(started); <-gone.Done(); return 0, gone.Err() }, keepOK)
		first <- err
	}()
	<-started
	waiter := make(chan int, 1)
	go func() {
		v, _ := f.do(context.Background(), "c", "c", func() (int, error) { return 3, nil }, keepOK)
		waiter <- v
	}()
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Errorf("fetcher: %v", err)
	}
	if v := <-waiter; v != 3 {
		t.Errorf("waiter got %d, want its own fetch's 3", v)
	}
}
