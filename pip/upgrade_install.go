package pip

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// batch is the packages of one pip run. index marks a run that may use
// the configured indexes (for dependencies the run's directory lacks).
type batch struct {
	items []*planItem
	index bool
}

// pipCmd builds a pip invocation. index says whether pip may use the
// configured indexes; stoppable, whether it may be ended on cancel (only
// for runs that do not change the environment).
func (u *upgrader) pipCmd(args []string, index, stoppable bool) *pipCmd {
	u.mu.Lock()
	u.runs++
	n := u.runs
	u.mu.Unlock()
	set := map[string]string{}
	if index {
		c := u.e.Config
		if c.NoIndex {
			set["PIP_NO_INDEX"] = "1"
		} else if c.IndexURL != "" {
			set["PIP_INDEX_URL"] = c.IndexURL
		}
		putList(set, "PIP_EXTRA_INDEX_URL", c.ExtraIndexURLs)
		putList(set, "PIP_FIND_LINKS", c.FindLinks)
		putList(set, "PIP_TRUSTED_HOST", c.TrustedHosts)
		if c.Cert != "" {
			set["PIP_CERT"] = c.Cert
		}
		if c.ClientCert != "" {
			set["PIP_CLIENT_CERT"] = c.ClientCert
		}
		if c.Proxy != "" {
			set["PIP_PROXY"] = c.Proxy
		}
		if c.Timeout >= 0 { // 0 too: pip then sets no timeout, as pipup does
			set["PIP_TIMEOUT"] = strconv.FormatFloat(c.Timeout.Seconds(), 'f', -1, 64)
		}
		if c.Retries >= 0 {
			set["PIP_RETRIES"] = strconv.Itoa(c.Retries)
		}
		if c.Pre {
			set["PIP_PRE"] = "1"
		}
	}
	// pip's cache location is the user's choice; keep it.
	for _, kv := range u.environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && (k == "PIP_CACHE_DIR" || k == "PIP_NO_CACHE_DIR") {
			set[k] = v
		}
	}
	return &pipCmd{
		python:    u.e.Interp.Executable,
		args:      args,
		env:       pipEnv(u.environ(), set),
		log:       filepath.Join(u.work, "logs", fmt.Sprintf("pip-%03d.log", n)),
		timeout:   u.o.Timeout,
		stoppable: stoppable,
	}
}

func putList(set map[string]string, key string, vals []string) {
	if len(vals) > 0 {
		set[key] = strings.Join(vals, " ")
	}
}

// canUseIndex reports whether a pip run with the configured indexes could
// find anything the run's own directory lacks.
func (u *upgrader) canUseIndex() bool {
	return !u.e.Config.NoIndex || len(u.e.Config.FindLinks) > 0
}

// install runs pip over the items, one pip process at a time. Packages
// whose dependencies are all at hand go in --no-index batches; the others
// in batches that may use the indexes. A failed batch is split in halves
// until each failure is down to one package, so one bad package never
// holds back the others. No new run starts once ctx is cancelled.
func (u *upgrader) install(items []*planItem) {
	u.items = items
	var local, remote []*planItem
	for _, it := range items {
		if it.needsIndex != "" && u.canUseIndex() {
			remote = append(remote, it)
		} else {
			local = append(local, it)
		}
	}
	var queue []batch
	size := u.o.BatchSize
	if size <= 0 {
		size = firstBatchSize
	}
	for _, group := range []struct {
		items []*planItem
		index bool
	}{{local, false}, {remote, true}} {
		for i := 0; i < len(group.items); {
			n := min(size, len(group.items)-i)
			queue = append(queue, batch{items: group.items[i : i+n], index: group.index})
			i += n
			if u.o.BatchSize <= 0 {
				size = DefaultBatchSize
			}
		}
	}
	for len(queue) > 0 && u.ctx.Err() == nil {
		b := queue[0]
		queue = queue[1:]
		queue = append(u.runBatch(b), queue...)
	}
}

// runBatch runs pip once and reports every package whose outcome is
// known; it returns the batches still to try.
func (u *upgrader) runBatch(b batch) []batch {
	names := make([]string, len(b.items))
	pins := make([]string, len(b.items))
	for i, it := range b.items {
		names[i] = it.name
		pins[i] = it.name + "==" + it.to
		u.send(UpgradeProgress{Name: it.name, Stage: StageInstalling})
	}
	args := append([]string{"install"}, u.breakSystemArgs()...)
	if u.o.NoCompile {
		args = append(args, "--no-compile")
	}
	links := filepath.Join(u.work, "wheels")
	if !b.index {
		if dir, err := u.batchLinks(b.items); err == nil {
			links = dir
			defer os.RemoveAll(dir)
		}
		args = append(args, "--no-index")
	}
	if u.work != "" {
		args = append(args, "--find-links", links)
	}
	args = append(args, pins...)

	u.mu.Lock()
	u.installing = names
	u.mu.Unlock()
	res := runPip(u.pipCmd(args, b.index, false), u.ctx.Done())
	u.mu.Lock()
	u.installing = nil
	u.mu.Unlock()

	now, err := InstalledDists(u.e.Interp)
	if err != nil {
		u.failAll(b.items, "cannot read the environment after pip ran: "+err.Error())
		return nil
	}
	version := make(map[string]string, len(now))
	for _, d := range now {
		version[d.Canonical] = d.Version
	}
	var rest []*planItem
	for _, it := range b.items {
		if v, ok := version[it.canonical]; ok && sameVersion(v, it.to) {
			u.succeed(it)
		} else {
			rest = append(rest, it)
		}
	}
	if len(rest) == 0 {
		return nil
	}
	abnormal := !res.ok()
	if abnormal {
		u.reportLeftovers(rest)
	}
	switch {
	case res.ok():
		for _, it := range rest {
			u.fail(it, fmt.Sprintf("pip finished but %s is at %s", it.name, orNone(version[it.canonical])))
		}
		return nil
	case res.err != nil:
		u.failAll(rest, res.err.Error())
		return nil
	case res.timedOut:
		reason := fmt.Sprintf("pip did not finish within %s", u.o.Timeout)
		if !res.killed {
			reason = fmt.Sprintf("pip took longer than %s: %s", u.o.Timeout, pipError(res.output))
		}
		u.failAll(rest, reason)
		return nil
	case len(rest) == 1:
		it := rest[0]
		if !b.index && u.canUseIndex() && resolutionFailed(res.output) {
			// What it needs is not in the run's directory: let pip look
			// on the indexes for that.
			return []batch{{items: rest, index: true}}
		}
		u.fail(it, pipError(res.output))
		return nil
	}
	half := len(rest) / 2
	return []batch{{items: rest[:half], index: b.index}, {items: rest[half:], index: b.index}}
}

// batchLinks makes a find-links directory for one --no-index run: links
// to the batch's own files and to those of the run's other packages that
// they require (transitively), since pip may have to upgrade those with
// them. pip lists a find-links directory once per requirement and
// evaluates every file in it, so a directory of 50 files instead of 200
// saves about a quarter of a 50-package run's time.
func (u *upgrader) batchLinks(items []*planItem) (string, error) {
	u.mu.Lock()
	u.runs++
	dir := filepath.Join(u.work, fmt.Sprintf("links-%03d", u.runs))
	u.mu.Unlock()
	if err := os.Mkdir(dir, 0o700); err != nil {
		return "", err
	}
	byName := make(map[string]*planItem, len(u.items))
	for _, it := range u.items {
		byName[it.canonical] = it
	}
	seen := map[string]bool{}
	queue := append([]*planItem(nil), items...)
	for len(queue) > 0 {
		it := queue[0]
		queue = queue[1:]
		if seen[it.canonical] || it.file == "" {
			continue
		}
		seen[it.canonical] = true
		dst := filepath.Join(dir, filepath.Base(it.file))
		if err := os.Link(it.file, dst); err != nil {
			if err := os.Symlink(it.file, dst); err != nil {
				os.RemoveAll(dir)
				return "", err
			}
		}
		for _, r := range it.requires {
			if dep := byName[r]; dep != nil && !seen[r] {
				queue = append(queue, dep)
			}
		}
	}
	return dir, nil
}

// breakSystemArgs passes --break-system-packages on when the user gave it
// for an externally-managed environment. pip before 23.0.1 neither knows
// the flag nor enforces PEP 668, so it gets nothing.
func (u *upgrader) breakSystemArgs() []string {
	in := u.e.Interp
	if in.ExternallyManaged == "" || !u.o.BreakSystemPackages || !newer(in.PipVersion, "23.0") {
		return nil
	}
	return []string{"--break-system-packages"}
}

func orNone(v string) string {
	if v == "" {
		return "no version (not installed)"
	}
	return v
}

// reportLeftovers checks the environment after an abnormal pip exit and
// fails the affected packages with the fix. Damage that belongs to no
// package of the run is reported in the summary's error.
func (u *upgrader) reportLeftovers(items []*planItem) {
	var names []string
	for _, it := range items {
		names = append(names, it.canonical)
	}
	lo := FindLeftovers(u.e.Interp, names...)
	if len(lo) == 0 {
		return
	}
	var general []string
	for _, l := range lo {
		matched := false
		for _, it := range items {
			base := filepath.Base(l.Path)
			if strings.HasPrefix(canonicalName(base), it.canonical+"-") {
				u.fail(it, l.String())
				matched = true
			}
		}
		if !matched {
			general = append(general, l.String())
		}
	}
	if len(general) > 0 && u.sum.Err == nil {
		u.sum.Err = fmt.Errorf("pip left the environment damaged: %s", strings.Join(general, "; "))
	}
}

// pipCheckResult is the outcome of `pip check`.
type pipCheckResult struct {
	ran      bool
	problems []string
}

// pipCheck gives pip check's verdict on the environment: with the
// native installer, or where there is no pip, from CheckDists, which
// starts no process (a pip start-up each time was most of a native
// upgrade's fixed cost); with --installer pip, or where CheckDists would
// not agree with the environment's pip (CheckExact), from `pip check`
// itself. It changes nothing, so a cancel may stop it. dists is the
// environment as the caller has just read it, or nil to read it here (the
// run reads it anyway before and after installing: no need twice).
func (u *upgrader) pipCheck(dists []Dist) pipCheckResult {
	if !u.hasPip() || u.nativeMode() && CheckExact(u.e.Interp, u.environ()) {
		if dists == nil {
			var err error
			if dists, err = InstalledDists(u.e.Interp); err != nil {
				return pipCheckResult{} // as when pip check cannot run
			}
		}
		return pipCheckResult{ran: true, problems: CheckDists(u.e.Interp, dists).Lines}
	}
	res := runPip(u.pipCmd([]string{"check"}, false, true), u.ctx.Done())
	if res.err != nil || res.killed || (res.exitCode != 0 && res.exitCode != 1) {
		return pipCheckResult{}
	}
	r := pipCheckResult{ran: true}
	if res.exitCode == 0 {
		return r
	}
	for _, l := range strings.Split(res.output, "\n") {
		l = strings.TrimSpace(l)
		if l != "" && !strings.HasPrefix(l, "WARNING:") && l != "No broken requirements found." {
			r.problems = append(r.problems, l)
		}
	}
	return r
}

// reportPipCheck puts pip check's verdict in the summary: it passes when
// the upgrade added no problem; problems that were there before are listed
// but marked as such.
func (u *upgrader) reportPipCheck(before, after pipCheckResult) {
	if !after.ran {
		return
	}
	old := map[string]bool{}
	for _, p := range before.problems {
		old[p] = true
	}
	ok := true
	var lines []string
	for _, p := range after.problems {
		if old[p] {
			lines = append(lines, p+" (already so before the upgrade)")
			continue
		}
		ok = false
		lines = append(lines, p)
	}
	u.sum.PipCheckOK = &ok
	u.sum.PipCheck = strings.Join(lines, "\n")
}
