package installer

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"sync"
	"time"
)

// compileServer runs in the target interpreter and byte-compiles files for
// as long as its stdin stays open: one JSON line in, a list of
// [source, directory-for-tracebacks] pairs; one JSON line out, the .pyc
// path written for each (null where compileall reported a failure).
// Each file gets what pip's install_wheel does: compileall.compile_file
// with force=True and quiet, warnings ignored, so the invalidation mode
// (timestamp, or checked-hash under SOURCE_DATE_EPOCH) and optimisation
// level are this interpreter's defaults, as under pip. ddir makes the code
// objects name the file's final path although it is compiled in staging.
// Must run on Python 3.6+; ASCII only. The empty entry -c puts first on
// sys.path (the working directory) is dropped before anything is imported,
// so no compileall.py lying there can stand in for the standard one.
const compileServer = `import sys
if sys.path and sys.path[0] == '': del sys.path[0]
import compileall, importlib.util, json, os, warnings
out = sys.stdout
sys.stdout = open(os.devnull, "w")
for line in sys.stdin:
    res = []
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore")
        for src, ddir in json.loads(line):
            try:
                ok = compileall.compile_file(src, ddir=ddir, force=True, quiet=True)
            except Exception:
                ok = False
            res.append(importlib.util.cache_from_source(src) if ok else None)
    out.write(json.dumps(res) + "\n")
    out.flush()
`

// Compiler byte-compiles .py files with a few long-lived processes of the
// target interpreter, so an install run starts Python a handful of times,
// never once per file or per package. Its methods are safe for concurrent
// use; Close stops the processes.
type Compiler struct {
	python string
	env    []string
	idle   chan *compileProc
	slots  chan struct{}
	mu     sync.Mutex
	procs  []*compileProc
	closed bool
}

type compileProc struct {
	cmd *exec.Cmd
	in  io.WriteCloser
	out *bufio.Reader
}

// NewCompiler makes a Compiler for python running at most n processes
// (n < 1 means 1). env is the processes' environment (nil: this process's),
// which should be what pip would have run with: SOURCE_DATE_EPOCH changes
// the invalidation mode, PYTHONOPTIMIZE the optimisation level.
func NewCompiler(python string, n int, env []string) *Compiler {
	if n < 1 {
		n = 1
	}
	c := &Compiler{python: python, env: env, idle: make(chan *compileProc, n), slots: make(chan struct{}, n)}
	for i := 0; i < n; i++ {
		c.slots <- struct{}{}
	}
	return c
}

// CompilePair is one file to compile: Source is where it is now, Dir the
// directory it will live in (named in tracebacks).
type CompilePair struct{ Source, Dir string }

// Compile compiles the files and returns, for each, the .pyc path written
// next to its Source ("" where Python could not compile it: pip installs
// such a file without a .pyc too).
func (c *Compiler) Compile(ctx context.Context, files []CompilePair) ([]string, error) {
	if len(files) == 0 {
		return nil, nil
	}
	p, err := c.acquire(ctx)
	if err != nil {
		return nil, err
	}
	req := make([][2]string, len(files))
	for i, f := range files {
		req[i] = [2]string{f.Source, f.Dir}
	}
	line, _ := json.Marshal(req)
	type answer struct {
		res []*string
		err error
	}
	done := make(chan answer, 1)
	go func() {
		if _, err := p.in.Write(append(line, '\n')); err != nil {
			done <- answer{err: err}
			return
		}
		b, err := p.out.ReadBytes('\n')
		if err != nil {
			done <- answer{err: err}
			return
		}
		var res []*string
		if err := json.Unmarshal(b, &res); err != nil {
			done <- answer{err: fmt.Errorf("unreadable answer: %v", err)}
			return
		}
		done <- answer{res: res}
	}()
	select {
	case <-ctx.Done():
		c.discard(p) // its answer would come too late; never reuse it
		<-done
		return nil, ctx.Err()
	case a := <-done:
		if a.err != nil {
			c.discard(p)
			return nil, fmt.Errorf("byte-compile with %s: %w", c.python, a.err)
		}
		c.release(p)
		if len(a.res) != len(files) {
			return nil, fmt.Errorf("byte-compile with %s: %d answers for %d files", c.python, len(a.res), len(files))
		}
		out := make([]string, len(files))
		for i, r := range a.res {
			if r != nil {
				out[i] = *r
			}
		}
		return out, nil
	}
}

func (c *Compiler) acquire(ctx context.Context) (*compileProc, error) {
	select {
	case p := <-c.idle:
		return p, nil
	default:
	}
	select {
	case p := <-c.idle:
		return p, nil
	case <-c.slots:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	p, err := c.start()
	if err != nil {
		c.slots <- struct{}{}
		return nil, err
	}
	return p, nil
}

func (c *Compiler) start() (*compileProc, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closed {
		return nil, errors.New("byte-compile: compiler closed")
	}
	cmd := exec.Command(c.python, "-c", compileServer)
	cmd.Env = c.env
	cmd.Dir = os.TempDir() // never compile or import from the caller's cwd
	cmd.Stderr = nil
	cmd.WaitDelay = time.Second
	in, err := cmd.StdinPipe()
	if err != nil {
		return nil, fmt.Errorf("byte-compile: %w", err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, fmt.Errorf("byte-compile: %w", err)
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("byte-compile: start %s: %w", c.python, err)
	}
	p := &compileProc{cmd: cmd, in: in, out: bufio.NewReader(out)}
	c.procs = append(c.procs, p)
	return p, nil
}

func (c *Compiler) release(p *compileProc) { c.idle <- p }

func (c *Compiler) discard(p *compileProc) {
	_ = p.cmd.Process.Kill()
	_ = p.in.Close()
	go func() { _ = p.cmd.Wait() }()
	c.mu.Lock()
	for i, q := range c.procs {
		if q == p {
			c.procs = append(c.procs[:i], c.procs[i+1:]...)
			break
		}
	}
	c.mu.Unlock()
	c.slots <- struct{}{}
}

// Close ends the processes (they exit when their input closes).
func (c *Compiler) Close() error {
	c.mu.Lock()
	c.closed = true
	procs := c.procs
	c.procs = nil
	c.mu.Unlock()
	var errs []error
	for _, p := range procs {
		_ = p.in.Close()
		if err := p.cmd.Wait(); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
