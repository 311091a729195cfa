// Command indexserver serves a package index described by a JSON spec,
// using pypitest, for benchmarks and demos:
//
//	go run ./scripts/indexserver -addr 127.0.0.1:0 -latency 50ms -spec FILE.json
//
// The spec is a list of projects:
//
//	[{"name": "requests", "versions": ["2.31.0", "2.32.0"], "tag": "py3-none-any",
//	  "requires_python": ">=3.8", "yanked": ["2.32.0"], "requires": ["idna>=2.5"],
//	  "vulnerabilities": {"2.31.0": [{"id": "PYSEC-1", "fixed_in": ["2.32.0"]}]}}]
//
// -json-api also serves PyPI's per-version JSON API (with the spec's
// vulnerabilities), as pypi.org does beside /simple.
//
// The first line on stdout is the index URL. It serves until SIGINT/SIGTERM.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"os"
	"os/signal"
	"slices"
	"syscall"
	"time"

	"github.com/pipup/pipup/pypi/pypitest"
)

type projectSpec struct {
	Name           string   `json:"name"`
	Versions       []string `json:"versions"`
	Tag            string   `json:"tag"`
	RequiresPython string   `json:"requires_python"`
	Yanked         []string `json:"yanked"`
	Requires       []string `json:"requires"`
	// Vulnerabilities by version, served by the JSON API (-json-api).
	Vulnerabilities map[string][]pypitest.Vulnerability `json:"vulnerabilities"`
}

// demo is served when no -spec is given.
var demo = []projectSpec{
	{Name: "alpha", Versions: []string{"1.0", "1.1", "2.0"}, Yanked: []string{"2.0"}},
	{Name: "beta", Versions: []string{"0.9", "1.0"}, RequiresPython: ">=3.8"},
	{Name: "gamma", Versions: []string{"3.0"}, Requires: []string{"alpha>=1.0"}},
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "indexserver:", err)
		os.Exit(1)
	}
}

func run() error {
	addr := flag.String("addr", "127.0.0.1:0", "listen address")
	latency := flag.Duration("latency", 0, "delay added to every response")
	specFile := flag.String("spec", "", "JSON project list (default: a small demo index)")
	jsonAPI := flag.Bool("json-api", false, "also serve PyPI's per-version JSON API (/pypi/NAME/VERSION/json)")
	flag.Parse()

	projects := demo
	if *specFile != "" {
		data, err := os.ReadFile(*specFile)
		if err != nil {
			return err
		}
		projects = nil
		if err := json.Unmarshal(data, &projects); err != nil {
			return fmt.Errorf("parse %s: %w", *specFile, err)
		}
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	opts := []pypitest.Option{pypitest.WithListener(l), pypitest.WithLatency(*latency)}
	if *jsonAPI {
		opts = append(opts, pypitest.WithJSONAPI())
	}
	s := pypitest.NewServer(opts...)
	defer s.Close()
	start := time.Now()
	files := 0
	for _, p := range projects {
		for _, v := range p.Versions {
			var opts []pypitest.FileOption
			if slices.Contains(p.Yanked, v) {
				opts = append(opts, pypitest.Yank(""))
			}
			spec := pypitest.WheelSpec{Name: p.Name, Version: v, Tag: p.Tag, RequiresPython: p.RequiresPython, Requires: p.Requires}
			if err := s.AddWheel(spec, opts...); err != nil {
				return err
			}
			files++
		}
		for v, vulns := range p.Vulnerabilities {
			s.SetVulnerabilities(p.Name, v, vulns...)
		}
	}
	fmt.Println(s.IndexURL())
	fmt.Fprintf(os.Stderr, "indexserver: %d projects, %d wheels, built in %v; Ctrl-C stops\n", len(projects), files, time.Since(start).Round(time.Millisecond))

	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	c := s.Requests()
	fmt.Fprintf(os.Stderr, "indexserver: served %d requests (%d pages, %d files, %d metadata, %d JSON API, %d not modified)\n",
		c.Total, c.Index+c.Project, c.File, c.Metadata, c.JSONAPI, c.NotModified)
	return nil
}
