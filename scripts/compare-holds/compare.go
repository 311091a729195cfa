package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/pipup/pipup/pip"
	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
)

// listed is one row of `pipup list --json` (cmd_list.go's outdatedJSON).
type listed struct {
	Name       string `json:"name"`
	Version    string `json:"version"`
	Latest     string `json:"latest_version"`
	Wanted     string `json:"wanted_version"`
	HeldBackBy []struct {
		Name        string `json:"name"`
		Version     string `json:"version"`
		Requirement string `json:"requirement"`
	} `json:"held_back_by"`
}

func (l listed) holdNote() string {
	parts := make([]string, len(l.HeldBackBy))
	for i, h := range l.HeldBackBy {
		parts[i] = fmt.Sprintf("%s %s (%s)", h.Name, h.Version, h.Requirement)
	}
	return strings.Join(parts, ", ")
}

// runPipup runs `pipup list --json` against the mirror. A nonzero exit
// with a parseable list (some package failed) is reported, not fatal.
func runPipup(ctx context.Context, pipup, python, index string) ([]listed, string, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pipup, "list", "--json", "--no-cache", "--python", python, "--index-url", index)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var rows []listed
	if err := json.Unmarshal(stdout.Bytes(), &rows); err != nil {
		if runErr != nil {
			return nil, "", fmt.Errorf("pipup list: %v: %s", runErr, strings.TrimSpace(stderr.String()))
		}
		return nil, "", fmt.Errorf("pipup list: parse JSON: %w", err)
	}
	return rows, strings.TrimSpace(stderr.String()), nil
}

// dependentPins are X's installed dependents pinned at their installed
// versions, with the extras installed dependents request of them, so pip
// applies the same requirements on X that pipup does.
func dependentPins(reqs *pip.Requirements, canonical string) []string {
	seen := map[string]bool{}
	var pins []string
	for _, d := range reqs.On[canonical] {
		c := pypi.Normalize(d.Name)
		if seen[c] {
			continue
		}
		seen[c] = true
		name := d.Name
		if x := reqs.Extras[c]; len(x) > 0 {
			name += "[" + strings.Join(x, ",") + "]"
		}
		pins = append(pins, name+"=="+d.Version)
	}
	sort.Strings(pins)
	return pins
}

// pipReport is the part of pip's installation report (--report) read here.
type pipReport struct {
	Install []struct {
		Metadata struct {
			Name    string `json:"name"`
			Version string `json:"version"`
		} `json:"metadata"`
	} `json:"install"`
}

// pipChoice asks pip which version of pkg `install --upgrade` would pick
// with the dependents pinned. --dry-run installs nothing; the report says
// what would be installed, and a package absent from it stays as installed.
func pipChoice(ctx context.Context, python, index, tmp, pkg, installed string, pins []string) (version, detail string, err error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	report := filepath.Join(tmp, "report-"+pypi.Normalize(pkg)+".json")
	args := []string{"-m", "pip", "install", "--dry-run", "--quiet", "--no-cache-dir",
		"--report", report, "--index-url", index, "--upgrade", pkg}
	args = append(args, pins...)
	cmd := exec.CommandContext(ctx, python, args...)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("pip install --dry-run %s: %v: %s", pkg, err, lastLines(out.String(), 3))
	}
	data, err := os.ReadFile(report)
	if err != nil {
		return "", "", fmt.Errorf("pip report for %s: %w", pkg, err)
	}
	var r pipReport
	if err := json.Unmarshal(data, &r); err != nil {
		return "", "", fmt.Errorf("pip report for %s: %w", pkg, err)
	}
	version = installed
	var others []string
	for _, it := range r.Install {
		if pypi.Normalize(it.Metadata.Name) == pypi.Normalize(pkg) {
			version = it.Metadata.Version
			continue
		}
		others = append(others, it.Metadata.Name+" "+it.Metadata.Version)
	}
	if len(others) > 0 {
		detail = "also installs " + strings.Join(others, ", ")
	}
	return version, detail, nil
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, " | ")
}

// sameVersion compares PEP 440 versions, falling back to the strings.
func sameVersion(a, b string) bool {
	va, errA := pep440.Parse(a)
	vb, errB := pep440.Parse(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return va.Equal(vb)
}

// pickControls chooses up to n outdated packages that nothing holds back,
// those with installed dependents first (they test that a dependent's
// requirement is read as admitting Latest), by name.
func pickControls(rows []listed, reqs *pip.Requirements, n int) []listed {
	var withDeps, without []listed
	for _, r := range rows {
		if len(r.HeldBackBy) > 0 {
			continue
		}
		if len(reqs.On[pypi.Normalize(r.Name)]) > 0 {
			withDeps = append(withDeps, r)
		} else {
			without = append(without, r)
		}
	}
	all := append(withDeps, without...)
	if len(all) > n {
		all = all[:n]
	}
	return all
}
