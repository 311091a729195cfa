package pip

import (
	"context"
	"os/exec"
	"sort"
	"strings"
	"testing"

	"github.com/pipup/pipup/internal/testenv"
	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi"
)

// pipEdges prints, with the interpreter's own pip, every installed
// distribution's requirement on another installed one, as pip check reads
// them (iter_dependencies: markers evaluated, no extras).
const pipEdges = `
from pip._internal.metadata import get_default_environment
from pip._vendor.packaging.utils import canonicalize_name
env = get_default_environment()
dists = list(env.iter_installed_distributions(local_only=False, skip=()))
names = {d.canonical_name for d in dists}
out = []
for d in dists:
    for r in d.iter_dependencies():
        n = canonicalize_name(r.name)
        if n in names and n != d.canonical_name:
            out.append(f"{d.canonical_name} -> {n} {r.specifier}")
print("\n".join(sorted(out)))
`

// The requirement graph of the base interpreter's environment (read only:
// nothing is installed) is the one pip check sees. No installed package
// there requests an extra of another, so extras cannot make them differ.
func TestInstalledRequirementsMatchPip(t *testing.T) {
	py := pythons.Python(t)
	in, err := Inspect(context.Background(), py)
	if err != nil {
		t.Fatal(err)
	}
	if in.PipVersion == "" {
		testenv.Missing(t, "pip installed in the base interpreter %s (pip check's view of its packages is the oracle)", py)
	}
	cmd := exec.Command(py, "-c", pipEdges)
	cmd.Env = piptest.Environ()
	want, err := cmd.Output()
	if err != nil {
		t.Fatalf("pip's view: %v", err)
	}
	dists, err := InstalledDists(in)
	if err != nil {
		t.Fatal(err)
	}
	r := InstalledRequirements(dists, in.Markers)
	if len(r.Extras) > 0 {
		t.Skipf("installed packages request extras (%v): pip check's view would differ", r.Extras)
	}
	var got []string
	for name, deps := range r.On {
		for _, d := range deps {
			got = append(got, pypi.Normalize(d.Name)+" -> "+name+" "+d.Req.Specifier.String())
		}
	}
	sort.Strings(got)
	if g, w := strings.Join(got, "\n"), strings.TrimSpace(string(want)); g != w {
		t.Errorf("requirement graph differs from pip's\npipup:\n%s\n\npip:\n%s", g, w)
	}
	if len(got) == 0 {
		t.Log("the base interpreter has no installed package requiring another: the comparison is empty")
	}
	t.Logf("%d dists, %d requirements compared", len(dists), len(got))
}
