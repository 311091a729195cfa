package main

import (
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	flag "github.com/spf13/pflag"

	"github.com/pipup/pipup/settings"
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

// parseAge reads --older-than as a cooldown is read (settings.ParseDuration:
// Go durations plus whole days and weeks), with its own error line.
func parseAge(v string) (time.Duration, error) {
	d, err := settings.ParseDuration(v)
	if err != nil {
		return 0, fmt.Errorf("invalid age %q (want e.g. 30d, 2w, 12h)", v)
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
