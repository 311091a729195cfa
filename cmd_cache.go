package main

import (
	"encoding/json"
	"fmt"
	flag "github.com/spf13/pflag"
	"os"
	"time"

	"github.com/dustin/go-humanize"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi/httpcache"
)

// runCache is `pipup cache info|clean`: what pipup's HTTP cache holds and
// how to empty it. The cache is pipup's own (index pages and downloaded
// files); pip's cache is pip's to manage (`pip cache`).
func runCache(sig *interrupts, args []string, io stdio) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		cacheUsage(io, args)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	root := pip.DefaultCacheDir(os.Environ())
	dir, work := pip.HTTPCacheDir(root), pip.WorkDirsBase(root)
	switch args[0] {
	case "info":
		return cacheInfo(dir, work, args[1:], io)
	case "clean":
		return cacheClean(dir, work, args[1:], io, time.Now())
	}
	fmt.Fprintf(io.err, "pipup: unknown cache command %q (want info or clean)\n", args[0])
	return exitUsage
}

func cacheUsage(io stdio, args []string) {
	w := io.out
	if len(args) == 0 {
		w = io.err
	}
	fmt.Fprintln(w, `Usage:
  pipup cache info [--json]               where the HTTP cache is, its size and contents
  pipup cache clean [--older-than AGE]    remove entries (all, or those unused for AGE: 30d, 2w, 12h)

The cache keeps index pages and downloaded files. Every scan, upgrade and
undo ends by trimming it to --cache-max-size (default 2GiB, or
$PIPUP_CACHE_MAX_SIZE), least recently used first. Beside it, a run
folder a killed upgrade or undo left is removed by the next run once a
day old, and by clean (with --older-than, once that old); a running
pipup's folder never is.`)
}

// cacheInfoFlags and cacheCleanFlags register the subcommands' flags, for
// the commands and for the completion scripts alike.
func cacheInfoFlags(fs *flag.FlagSet, asJSON *bool, maxSize *byteSize) {
	fs.BoolVar(asJSON, "json", false, "print JSON")
	fs.Var(maxSize, "cache-max-size", "the bound to show (`SIZE`; default 2GiB or $"+cacheMaxSizeVar+")")
}

func cacheCleanFlags(fs *flag.FlagSet, olderThan *string) {
	fs.StringVar(olderThan, "older-than", "", "remove only entries not used for `AGE` (30d, 2w, 12h), and run folders that old")
}

func cacheInfo(dir, work string, args []string, io stdio) int {
	fs := flag.NewFlagSet("pipup cache info", flag.ContinueOnError)
	fs.SetOutput(io.err)
	asJSON := new(bool)
	var maxSize byteSize
	maxSize.fromEnv()
	cacheInfoFlags(fs, asJSON, &maxSize)
	if rest, code, ok := parseArgs(fs, args); !ok {
		return code
	} else if len(rest) > 0 {
		fmt.Fprintf(io.err, "pipup: cache info takes no arguments, got %q\n", rest[0])
		return exitUsage
	}
	info, err := httpcache.Inspect(dir)
	if err != nil {
		fmt.Fprintf(io.err, "pipup: %v\n", err)
		return exitFailed
	}
	runs, err := pip.InspectWorkDirs(work)
	if err != nil {
		fmt.Fprintf(io.err, "pipup: %v\n", err)
		return exitFailed
	}
	bound := maxSize.n
	if bound == 0 {
		bound = pip.DefaultCacheMaxSize
	}
	if *asJSON {
		return writeJSON(io, cacheInfoJSON(info, runs, bound))
	}
	fmt.Fprintf(io.out, "Location:  %s\n", info.Dir)
	size := humanize.IBytes(uint64(info.Bytes))
	if bound > 0 {
		size += " of at most " + humanize.IBytes(uint64(bound))
	} else {
		size += " (no bound)"
	}
	fmt.Fprintf(io.out, "Size:      %s\n", size)
	fmt.Fprintf(io.out, "Entries:   %s, %s", plural(info.Pages, "index page"), plural(info.Files, "file"))
	if info.Corrupt > 0 {
		fmt.Fprintf(io.out, ", %d damaged (fetched again when needed)", info.Corrupt)
	}
	if info.Temp > 0 {
		fmt.Fprintf(io.out, ", %d being written", info.Temp)
	}
	fmt.Fprintln(io.out)
	if !info.Oldest.IsZero() {
		const layout = "2006-01-02 15:04"
		fmt.Fprintf(io.out, "Last used: oldest %s, newest %s\n", info.Oldest.Local().Format(layout), info.Newest.Local().Format(layout))
	}
	if runs.Left+runs.Live > 0 {
		fmt.Fprintf(io.out, "Runs:      %s left by interrupted runs, %d in use (%s) in %s\n",
			plural(runs.Left, "folder"), runs.Live, humanize.IBytes(uint64(runs.Bytes)), work)
	}
	return exitOK
}

// cacheInfoJSON is the --json form: sizes in bytes, times in RFC 3339.
func cacheInfoJSON(i httpcache.Info, runs pip.WorkDirs, bound int64) map[string]any {
	m := map[string]any{
		"location": i.Dir, "bytes": i.Bytes, "max_bytes": max(bound, 0),
		"pages": i.Pages, "files": i.Files, "damaged": i.Corrupt, "being_written": i.Temp,
		"run_folders_left": runs.Left, "run_folders_in_use": runs.Live, "run_folder_bytes": runs.Bytes,
	}
	if !i.Oldest.IsZero() {
		m["oldest_use"], m["newest_use"] = i.Oldest.UTC().Format(time.RFC3339), i.Newest.UTC().Format(time.RFC3339)
	}
	return m
}

func writeJSON(io stdio, v any) int {
	enc := json.NewEncoder(io.out)
	enc.SetIndent("", "  ")
	if err := enc.Encode(v); err != nil {
		fmt.Fprintf(io.err, "pipup: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func cacheClean(dir, work string, args []string, io stdio, now time.Time) int {
	fs := flag.NewFlagSet("pipup cache clean", flag.ContinueOnError)
	fs.SetOutput(io.err)
	olderThan := new(string)
	cacheCleanFlags(fs, olderThan)
	if rest, code, ok := parseArgs(fs, args); !ok {
		return code
	} else if len(rest) > 0 {
		fmt.Fprintf(io.err, "pipup: cache clean takes no arguments, got %q\n", rest[0])
		return exitUsage
	}
	var age time.Duration
	if *olderThan != "" {
		var err error
		if age, err = parseAge(*olderThan); err != nil {
			fmt.Fprintf(io.err, "pipup: --older-than: %v\n", err)
			return exitUsage
		}
		if age == 0 {
			fmt.Fprintln(io.err, "pipup: --older-than must be more than 0 (leave it out to remove everything)")
			return exitUsage
		}
	}
	r, err := httpcache.Clean(dir, age, now)
	if err != nil {
		fmt.Fprintf(io.err, "pipup: %v\n", err)
		return exitFailed
	}
	fmt.Fprintf(io.out, "Removed %s (%s) from %s\n", entries(r.Entries), humanize.IBytes(uint64(r.Bytes)), dir)
	// The folders killed runs left; a running pipup's stay.
	runs, err := pip.SweepWorkDirs(work, age, now)
	if runs.Folders > 0 {
		fmt.Fprintf(io.out, "Removed %s left by interrupted runs (%s) from %s\n", plural(runs.Folders, "run folder"), humanize.IBytes(uint64(runs.Bytes)), work)
	}
	if err != nil {
		fmt.Fprintf(io.err, "pipup: %v\n", err)
		return exitFailed
	}
	return exitOK
}

func entries(n int) string {
	if n == 1 {
		return "1 entry"
	}
	return fmt.Sprintf("%d entries", n)
}
