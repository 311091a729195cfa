package main

import (
	"fmt"
	flag "github.com/spf13/pflag"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
)

// cacheMaxSizeVar is the environment variable behind --cache-max-size.
const cacheMaxSizeVar = "PIPUP_CACHE_MAX_SIZE"

// byteSize is the --cache-max-size flag: a size as people write it
// ("2GiB", "500MB", "1.5G"; go-humanize parses it), or 0 for no bound.
// Its default comes from PIPUP_CACHE_MAX_SIZE; a bad value there is
// reported when the flags are parsed (see parseArgs).
type byteSize struct {
	n   int64 // 0 = pip.DefaultCacheMaxSize, <0 = no bound
	set bool
	err error // from the environment variable
}

func (b *byteSize) Type() string { return "size" }

func (b *byteSize) String() string {
	if b == nil || !b.set {
		return ""
	}
	if b.n < 0 {
		return "0"
	}
	return humanize.IBytes(uint64(b.n))
}

func (b *byteSize) Set(v string) error {
	n, err := parseSize(v)
	if err != nil {
		return err
	}
	b.n, b.set, b.err = n, true, nil
	return nil
}

// fromEnv takes the default from PIPUP_CACHE_MAX_SIZE when it is set.
func (b *byteSize) fromEnv() {
	if v, ok := os.LookupEnv(cacheMaxSizeVar); ok && v != "" {
		if err := b.Set(v); err != nil {
			b.err = fmt.Errorf("%s: %w", cacheMaxSizeVar, err)
		}
	}
}

// parseSize reads a cache bound: 0 means none (returned as -1).
func parseSize(v string) (int64, error) {
	v = strings.TrimSpace(v)
	if v == "0" {
		return -1, nil
	}
	n, err := humanize.ParseBytes(v)
	if err != nil || n == 0 || n > 1<<62 {
		return 0, fmt.Errorf("invalid size %q (want e.g. 2GiB, 500MB, or 0 for no bound)", v)
	}
	return int64(n), nil
}

// parseAge reads --older-than: Go durations ("12h", "90m") plus whole
// days and weeks ("30d", "2w"), which time.ParseDuration lacks.
func parseAge(v string) (time.Duration, error) {
	bad := fmt.Errorf("invalid age %q (want e.g. 30d, 2w, 12h)", v)
	v = strings.TrimSpace(v)
	if n := len(v); n > 1 && (v[n-1] == 'd' || v[n-1] == 'w') {
		k, err := strconv.Atoi(v[:n-1])
		if err != nil || k < 0 || k > 100000 {
			return 0, bad
		}
		day := 24 * time.Hour
		if v[n-1] == 'w' {
			day *= 7
		}
		return time.Duration(k) * day, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, bad
	}
	return d, nil
}

// envFlagError is a bad default that a flag took from the environment and
// that no flag on the command line replaced.
func envFlagError(fs *flag.FlagSet) error {
	if f := fs.Lookup("cache-max-size"); f != nil {
		if b, ok := f.Value.(*byteSize); ok {
			return b.err
		}
	}
	return nil
}
