package pep440

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pipup/pipup/internal/testenv"
)

// TestOracle checks Parse, String, the accessors, Compare and every
// specifier method against pip's vendored packaging, run once in python3.
func TestOracle(t *testing.T) {
	python := testenv.Python(t)
	wheel := findPipWheel(t)
	versions := append(topVersions(t), trickyVersions...)
	versions = append(versions, knownDivergent...)
	r := rand.New(rand.NewPCG(440, 1))
	versions = append(versions, genVersions(r, 4000)...)
	cvs := oracleVersions()
	specs := oracleSpecs(r)

	ans := runOracle(t, python, wheel, oracleRequest{Versions: versions, CVersions: cvs, Specs: specs})
	t.Logf("packaging %s from %s: %d versions, %d specifier sets x %d versions",
		ans.Packaging, wheel, len(versions), len(specs), len(cvs))
	if major, _, _ := strings.Cut(ans.Packaging, "."); len(major) < 2 || major < "22" {
		t.Fatalf("the oracle needs packaging >= 22, the wheel has %s", ans.Packaging)
	}
	if len(ans.Versions) != len(versions) || len(ans.Specs) != len(specs) {
		t.Fatalf("oracle answered %d versions and %d specs", len(ans.Versions), len(specs))
	}
	parsed := checkVersions(t, versions, ans)
	checkOrder(t, versions, parsed, ans.Ranks, r)
	checkSpecs(t, specs, cvs, ans.Specs)
}

type oracleRequest struct {
	Versions  []string `json:"versions"`
	CVersions []string `json:"cversions"`
	Specs     []string `json:"specs"`
}

type oracleSpec struct {
	Str       string          `json:"str"`
	Single    *string         `json:"single"`
	In        string          `json:"in"`
	PT        string          `json:"pt"`
	PF        string          `json:"pf"`
	Filter    json.RawMessage `json:"filter"`
	FilterPre json.RawMessage `json:"filterpre"`
	// FilterPreOnly filters only the pre-releases among the versions.
	FilterPreOnly json.RawMessage `json:"filterpreonly"`
}

type oracleAnswer struct {
	Packaging string              `json:"packaging"`
	Versions  [][]json.RawMessage `json:"versions"`
	Ranks     []*int              `json:"ranks"`
	Specs     []*oracleSpec       `json:"specs"`
}

// findPipWheel finds the newest pip wheel bundled with a found Python's
// ensurepip that vendors packaging >= 22 (pip 24.1 on); Python imports
// pip._vendor.packaging straight from it (zipimport).
func findPipWheel(t *testing.T) string {
	t.Helper()
	return testenv.PipWheel(t, "24.1", "its vendored packaging >= 22 is the oracle").Path
}

// topVersions reads the latest versions of the top PyPI projects from
// testdata/pypi-top-5000.tsv (name, latest version, download rank; a copy
// of the project's shared/data/pypi-top-5000.tsv).
func topVersions(t *testing.T) []string {
	t.Helper()
	p := filepath.Join("testdata", "pypi-top-5000.tsv")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var vs []string
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		if f := strings.Split(sc.Text(), "\t"); len(f) >= 2 && f[0] != "name" {
			vs = append(vs, f[1])
		}
	}
	if len(vs) < 1000 {
		t.Fatalf("%s holds only %d versions", p, len(vs))
	}
	return vs
}

func runOracle(t *testing.T, python, wheel string, req oracleRequest) oracleAnswer {
	t.Helper()
	in, err := json.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-I", filepath.Join("testdata", "oracle.py"), wheel)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, stderr.String())
	}
	var ans oracleAnswer
	if err := json.Unmarshal(out, &ans); err != nil {
		t.Fatalf("oracle answer: %v", err)
	}
	return ans
}

// checkVersions compares validity, the normalised form and every accessor.
func checkVersions(t *testing.T, versions []string, ans oracleAnswer) []Version {
	t.Helper()
	parsed := make([]Version, len(versions))
	valid, bad := 0, 0
	for i, s := range versions {
		want := ans.Versions[i]
		v, err := Parse(s)
		divergent := slices.Contains(knownDivergent, s)
		switch {
		case divergent:
			if want == nil || err == nil {
				t.Errorf("Parse(%q): expected the documented divergence (packaging accepts, Parse rejects)", s)
			}
			continue
		case want == nil && err == nil:
			t.Errorf("Parse(%q) = %q, packaging rejects it", clip(s, 60), clip(v.String(), 60))
			bad++
			continue
		case want == nil:
			continue
		case err != nil:
			t.Errorf("Parse(%q): %v; packaging accepts it", clip(s, 60), err)
			bad++
			continue
		}
		valid++
		parsed[i] = v
		pl, pn, pok := v.Pre()
		post, postOK := v.Post()
		dev, devOK := v.Dev()
		got := []any{v.String(), v.IsPrerelease(), v.IsPostrelease(), v.IsDevrelease(), v.Epoch(), v.Release(),
			nilIf(!pok, pl), nilIf(!pok, pn), nilIf(!postOK, post), nilIf(!devOK, dev), nilIf(v.Local() == "", v.Local()),
			v.Public().String(), v.BaseVersion().String()}
		names := []string{"str", "is_prerelease", "is_postrelease", "is_devrelease", "epoch", "release",
			"pre label", "pre number", "post", "dev", "local", "public", "base_version"}
		for k, g := range got {
			gj, _ := json.Marshal(g)
			if !bytes.Equal(gj, want[k]) {
				t.Errorf("Parse(%q) %s = %s, packaging says %s", clip(s, 60), names[k], clip(string(gj), 60), clip(string(want[k]), 60))
				bad++
			}
		}
		if bad > 50 {
			t.Fatal("too many differences")
		}
	}
	t.Logf("%d of %d version strings valid", valid, len(versions))
	if valid < len(versions)/2 {
		t.Fatalf("only %d valid versions: the oracle request is broken", valid)
	}
	return parsed
}

func nilIf(cond bool, s string) any {
	if cond {
		return nil
	}
	return s
}

// checkOrder compares Compare with packaging's sort: neighbours in
// packaging's order, random pairs, and a sort by Compare.
func checkOrder(t *testing.T, versions []string, parsed []Version, ranks []*int, r *rand.Rand) {
	t.Helper()
	var idx []int
	for i, rk := range ranks {
		if rk != nil && !parsed[i].IsZero() {
			idx = append(idx, i)
		}
	}
	sign := func(a, b int) int { return cmpInt(*ranks[a], *ranks[b]) }
	check := func(a, b int) {
		if got, want := parsed[a].Compare(parsed[b]), sign(a, b); got != want {
			t.Errorf("Compare(%q, %q) = %d, packaging says %d", clip(versions[a], 60), clip(versions[b], 60), got, want)
		}
	}
	byRank := slices.Clone(idx)
	slices.SortStableFunc(byRank, func(a, b int) int { return sign(a, b) })
	for k := 1; k < len(byRank); k++ {
		check(byRank[k-1], byRank[k])
		check(byRank[k], byRank[k-1])
	}
	const pairs = 300000
	for k := 0; k < pairs; k++ {
		check(idx[r.IntN(len(idx))], idx[r.IntN(len(idx))])
	}
	sorted := slices.Clone(idx)
	slices.SortFunc(sorted, func(a, b int) int { return parsed[a].Compare(parsed[b]) })
	for k := 1; k < len(sorted); k++ {
		if *ranks[sorted[k-1]] > *ranks[sorted[k]] {
			t.Errorf("sorting by Compare puts %q before %q", clip(versions[sorted[k-1]], 60), clip(versions[sorted[k]], 60))
		}
	}
	t.Logf("ordering: %d neighbour pairs, %d random pairs, sort of %d versions", 2*(len(byRank)-1), pairs, len(idx))
}

// checkSpecs compares validity, String and all containment methods.
func checkSpecs(t *testing.T, specs, cvs []string, want []*oracleSpec) {
	t.Helper()
	vs := make([]Version, len(cvs))
	for i, s := range cvs {
		vs[i] = MustParse(s)
	}
	bits := func(f func(Version) bool) string {
		b := make([]byte, len(vs))
		for i, v := range vs {
			b[i] = '0'
			if f(v) {
				b[i] = '1'
			}
		}
		return string(b)
	}
	diff := func(spec, what, got, want string) {
		want = strings.ReplaceAll(want, "E", "0") // packaging raises; we answer false
		if got == want {
			return
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%q %s %q = %c, packaging says %c", spec, what, cvs[i], got[i], want[i])
				return
			}
		}
	}
	var pres []Version
	for _, v := range vs {
		if v.IsPrerelease() {
			pres = append(pres, v)
		}
	}
	filterIdx := func(in, out []Version) string {
		ids := []int{}
		for _, v := range out {
			ids = append(ids, slices.IndexFunc(in, func(w Version) bool { return w == v }))
		}
		b, _ := json.Marshal(ids)
		return string(b)
	}
	checked, filteredSets := 0, 0
	for i, s := range specs {
		w := want[i]
		set, err := ParseSpecifierSet(s)
		if (w == nil) != (err != nil) {
			t.Errorf("ParseSpecifierSet(%q) error = %v, packaging valid = %v", s, err, w != nil)
			continue
		}
		if w == nil {
			continue
		}
		if set.String() != w.Str {
			t.Errorf("ParseSpecifierSet(%q).String() = %q, packaging %q", s, set.String(), w.Str)
		}
		if w.Single != nil {
			sp, err := ParseSpecifier(s)
			if err != nil {
				t.Errorf("ParseSpecifier(%q): %v; packaging accepts it", s, err)
			} else {
				diff(s, "Specifier.Contains", bits(sp.Contains), *w.Single)
			}
		}
		diff(s, "Contains", bits(set.Contains), w.In)
		diff(s, "ContainsPre(true)", bits(func(v Version) bool { return set.ContainsPre(v, true) }), w.PT)
		diff(s, "ContainsPre(false)", bits(func(v Version) bool { return set.ContainsPre(v, false) }), w.PF)
		filtered := 0
		for _, f := range []struct {
			in   []Version
			pre  bool
			want json.RawMessage
		}{{vs, false, w.Filter}, {vs, true, w.FilterPre}, {pres, false, w.FilterPreOnly}} {
			want := string(f.want)
			if want == "null" || len(f.want) == 0 {
				continue
			}
			if want == `"E"` {
				want = "[]"
			}
			if got := filterIdx(f.in, set.Filter(f.in, f.pre)); got != want {
				t.Errorf("%q Filter(%d versions, allowPre=%v) = %s, packaging %s", s, len(f.in), f.pre, got, want)
			}
			filtered++
		}
		checked++
		filteredSets += filtered / 3
	}
	t.Logf("specifiers: %d valid sets, %d containment checks x 4 modes; Filter checked for %d sets x 3 modes",
		checked, checked*len(cvs), filteredSets)
}
