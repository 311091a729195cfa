package pip

import (
	"context"
	"errors"
	"time"
)

// Options says which environment to open and how to reach its indexes.
// Flag values override pip's configuration; zero values mean "use pip's".
type Options struct {
	Python         string // --python; "" = $VIRTUAL_ENV's python, else python3 on PATH
	IndexURL       string
	ExtraIndexURLs []string
	FindLinks      []string
	TrustedHosts   []string
	NoIndex        bool
	Pre            bool
	Concurrency    int    // index requests in flight; 0 = DefaultConcurrency
	CacheDir       string // "" = $XDG_CACHE_HOME/pipup or ~/.cache/pipup
	NoCache        bool
	Refresh        bool
	UserAgent      string
	Timeout        time.Duration // per HTTP request; 0 = pip's configured timeout
	Environ        []string      // nil = os.Environ()
}

// Env is one opened Python environment: its interpreter's facts, its
// installed distributions, pip's configuration for it and an index client.
type Env struct {
	Interp *Interpreter
	Config IndexConfig
	opts   Options
	// further fields are private to the engines
}

// ScanRequest narrows a scan.
type ScanRequest struct {
	Packages []string // only these names (any spelling); empty = every installed distribution
	Exclude  []string // never these
}

// errNotReady marks an engine that is still being built.
var errNotReady = errors.New("not implemented yet")

// Open inspects the interpreter, reads pip's configuration and prepares the
// index client. It does no network I/O.
func Open(ctx context.Context, o Options) (*Env, error) { return nil, errNotReady }

// Scan checks every selected installed distribution against the indexes and
// sends events on the returned channel, which is closed after ScanDone.
func (e *Env) Scan(ctx context.Context, r ScanRequest) <-chan ScanEvent {
	ch := make(chan ScanEvent, 1)
	ch <- ScanDone{Err: errNotReady}
	close(ch)
	return ch
}
