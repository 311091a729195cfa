package pip

import (
	"strings"
	"testing"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/pypi/pep440"
)

// linux311 is packaging's default_environment() of CPython 3.11.7 on Linux.
var linux311 = map[string]string{
	"implementation_name": "cpython", "implementation_version": "3.11.7",
	"os_name": "posix", "platform_machine": "x86_64", "platform_release": "6.1.0",
	"platform_system": "Linux", "platform_version": "#1 SMP", "python_full_version": "3.11.7",
	"platform_python_implementation": "CPython", "python_version": "3.11", "sys_platform": "linux",
}

func dist(name, version string, requires ...string) Dist {
	return Dist{Name: name, Canonical: pypi.Normalize(name), Version: version, RequiresDist: requires}
}

// providing declares the extras d offers (Provides-Extra).
func providing(d Dist, extras ...string) Dist {
	d.ProvidesExtra = extras
	return d
}

// holders renders r.On[name] as "dependent version requirement" lines.
func holders(r *Requirements, name string) string {
	var s []string
	for _, d := range r.On[name] {
		s = append(s, d.Name+" "+d.Version+" "+d.Requirement())
	}
	return strings.Join(s, "; ")
}

func TestInstalledRequirements(t *testing.T) {
	cases := []struct {
		name  string
		dists []Dist
		want  map[string]string // required name -> holders
		extra map[string]string // name -> requested extras, comma-joined
		probs int
	}{
		{
			name:  "plain pin",
			dists: []Dist{dist("boto3", "1.43.11", "botocore<1.44.0,>=1.43.11", "jmespath (<2.0.0,>=0.7.1)"), dist("botocore", "1.43.11"), dist("jmespath", "1.0.1")},
			want:  map[string]string{"botocore": "boto3 1.43.11 botocore<1.44.0,>=1.43.11", "jmespath": "boto3 1.43.11 jmespath<2.0.0,>=0.7.1"},
		},
		{
			name: "markers evaluated for the target",
			dists: []Dist{dist("app", "1", `dep<2; python_version < "3.8"`, `win<2; sys_platform == "win32"`,
				`lin<3; sys_platform == "linux" and python_version >= "3.8"`), dist("dep", "1"), dist("win", "1"), dist("lin", "1")},
			want: map[string]string{"dep": "", "win": "", "lin": "app 1 lin<3"},
		},
		{
			name:  "extras without a requester do not apply (pip check's rule)",
			dists: []Dist{providing(dist("feat", "1", `fast<2; extra == "fast"`, "base<5"), "fast"), dist("fast", "1"), dist("base", "1")},
			want:  map[string]string{"fast": "", "base": "feat 1 base<5"},
		},
		{
			name: "extras requested by an installed dependent apply, transitively",
			dists: []Dist{
				dist("user", "1", "feat[Fast]>=1"),
				providing(dist("feat", "1", `fast<2; extra == "fast"`, `slow<2; extra == "slow"`, `mid[deep]; extra == "fast"`), "FAST", "slow"),
				providing(dist("mid", "1", `deeper==1.*; extra == "deep"`), "deep"),
				dist("fast", "1"), dist("slow", "1"), dist("deeper", "1"),
			},
			want:  map[string]string{"feat": "user 1 feat[fast]>=1", "fast": "feat 1 fast<2", "slow": "", "deeper": "mid 1 deeper==1.*"},
			extra: map[string]string{"feat": "fast", "mid": "deep"},
		},
		{
			name:  "an extra the distribution does not declare is ignored, as pip ignores it",
			dists: []Dist{dist("user", "1", "feat[fast]"), dist("feat", "1", `fast<2; extra == "fast"`), dist("fast", "1")},
			want:  map[string]string{"fast": "", "feat": "user 1 feat[fast]"},
			extra: map[string]string{"feat": ""},
		},
		{
			name:  "an extra requested only under a marker that fails is not requested",
			dists: []Dist{dist("user", "1", `feat[fast]; sys_platform == "win32"`), providing(dist("feat", "1", `fast<2; extra == "fast"`), "fast"), dist("fast", "1")},
			want:  map[string]string{"fast": "", "feat": ""},
		},
		{
			name:  "requirements on packages that are not installed, and on itself, are ignored",
			dists: []Dist{dist("app", "1", "ghost<1", "app[x]<0"), dist("other", "1")},
			want:  map[string]string{"ghost": "", "app": ""},
		},
		{
			name:  "invalid lines and failing markers are problems, the rest still counts",
			dists: []Dist{dist("app", "1", "dep<2", "not a requirement!!", `dep2<1; platform_release >= "5"`), dist("dep", "1"), dist("dep2", "1")},
			want:  map[string]string{"dep": "app 1 dep<2", "dep2": ""},
			probs: 2,
		},
		{
			name:  "several dependents, sorted by name",
			dists: []Dist{dist("zed", "2", "dep>=1.2"), dist("Alpha", "1", "DEP<2"), dist("dep", "1.5")},
			want:  map[string]string{"dep": "Alpha 1 DEP<2; zed 2 dep>=1.2"},
		},
	}
	env := map[string]string{}
	for k, v := range linux311 {
		env[k] = v
	}
	env["platform_release"] = "6.1.0-18-amd64" // not a version: >= "5" cannot be evaluated
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := InstalledRequirements(c.dists, env)
			for name, want := range c.want {
				if got := holders(r, name); got != want {
					t.Errorf("%s: held by %q, want %q", name, got, want)
				}
			}
			for name, want := range c.extra {
				if got := strings.Join(r.Extras[name], ","); got != want {
					t.Errorf("%s: extras %q, want %q", name, got, want)
				}
			}
			if len(r.Problems) != c.probs {
				t.Errorf("problems %v, want %d", r.Problems, c.probs)
			}
			for _, p := range r.Problems {
				if !strings.HasPrefix(p.String(), "app: ignoring requirement ") {
					t.Errorf("problem text %q", p)
				}
			}
		})
	}
}

func TestWantedAndHolds(t *testing.T) {
	r := InstalledRequirements([]Dist{
		dist("a", "1", "dep<2"), dist("b", "3", "dep!=1.5,>=1"), dist("dep", "1.0"),
	}, linux311)
	deps := r.On["dep"]
	var versions []pypi.Candidate
	for _, v := range []string{"2.1", "2.0", "1.5", "1.4", "1.0", "0.9"} {
		versions = append(versions, pypi.Candidate{Version: pep440.MustParse(v)})
	}
	cases := []struct {
		installed, want string // want "" = nothing newer is admitted
	}{
		{"1.0", "1.4"},
		{"1.4", ""},
		{"0.5", "1.4"},
	}
	for _, c := range cases {
		w := wanted(deps, pep440.MustParse(c.installed), versions)
		got := ""
		if w != nil {
			got = w.Version.String()
		}
		if got != c.want {
			t.Errorf("installed %s: wanted %q, want %q", c.installed, got, c.want)
		}
	}
	holds := holdsOn(deps, pep440.MustParse("2.1"))
	if len(holds) != 1 || holds[0] != (Hold{"a", "1", "dep<2"}) {
		t.Errorf("holds on 2.1: %+v", holds)
	}
	if h := holdsOn(deps, pep440.MustParse("1.5")); len(h) != 1 || h[0].Name != "b" || h[0].Requirement != "dep!=1.5,>=1" {
		t.Errorf("holds on 1.5: %+v", h)
	}
	// pip check admits a pre-release that the specifier's range covers.
	if !accepts(deps, pep440.MustParse("1.9rc1")) {
		t.Error("1.9rc1 should satisfy dep<2 and dep>=1 as pip check tests it")
	}
}

// Provides-Extra is read from METADATA, and from requires.txt sections
// for egg-info metadata that has none, as pip's _add_egg_info_requires does.
func TestProvidesExtra(t *testing.T) {
	md, err := ParseMetadata(strings.NewReader("Metadata-Version: 2.1\nName: x\nVersion: 1\nProvides-Extra: Fast\nprovides-extra:  slow \nRequires-Dist: a\n\nProvides-Extra: body\n"))
	if err != nil || strings.Join(md.ProvidesExtra, ",") != "Fast,slow" {
		t.Errorf("ProvidesExtra = %q, %v", md.ProvidesExtra, err)
	}
	req := "base>=1\n\n[Fast_Extra]\nfoo\n\n[:python_version < \"3\"]\nbar\n\n[empty]\n\n[socks:sys_platform == \"win32\"]\nbaz\n[fast-extra]\nqux\n"
	if got := strings.Join(eggInfoExtras(req), ","); got != "fast-extra,socks" {
		t.Errorf("eggInfoExtras = %q, want fast-extra,socks", got)
	}
}
