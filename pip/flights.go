package pip

import (
	"context"
	"fmt"
	"sync"
)

// flights is a memo of fetches by key for an Env's lifetime: concurrent
// callers of one key share one fetch, and what keep accepts is kept, so a
// later caller gets it without asking; anything else is dropped and
// fetched again by the next caller. Candidate metadata and the JSON API
// documents both use it.
type flights[V any] struct {
	mu sync.Mutex
	m  map[string]*flight[V]
}

// flight is one fetch's result, or the fetch in flight.
type flight[V any] struct {
	done chan struct{} // closed when v and err are set
	v    V
	err  error
}

// do returns key's kept result, waits for its fetch in flight, or fetches
// it. A caller whose fetcher gave up (its context ended) while this one's
// has not fetches anew; one whose own context ends while waiting gets
// that error, wrapped with what.
func (f *flights[V]) do(ctx context.Context, key, what string, fetch func() (V, error), keep func(error) bool) (V, error) {
	for {
		f.mu.Lock()
		if f.m == nil {
			f.m = map[string]*flight[V]{}
		}
		fl, ok := f.m[key]
		if !ok {
			fl = &flight[V]{done: make(chan struct{})}
			f.m[key] = fl
			f.mu.Unlock()
			fl.v, fl.err = fetch()
			if !keep(fl.err) {
				f.mu.Lock()
				delete(f.m, key)
				f.mu.Unlock()
			}
			close(fl.done)
			return fl.v, fl.err
		}
		f.mu.Unlock()
		select {
		case <-fl.done:
		case <-ctx.Done():
			var zero V
			return zero, fmt.Errorf("%s: %w", what, ctx.Err())
		}
		if isContextErr(fl.err) && ctx.Err() == nil {
			continue
		}
		return fl.v, fl.err
	}
}
