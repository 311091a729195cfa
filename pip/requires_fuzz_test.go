package pip

import (
	"strings"
	"testing"
)

// Whatever the installed metadata says, the requirement graph is built
// without a panic, every line is either used, ignored or reported, and no
// distribution depends on itself or on something not installed.
func FuzzInstalledRequirements(f *testing.F) {
	for _, s := range []string{
		"dep<2\nghost<1",
		`feat[fast]` + "\n" + `dep<2; extra == "fast"`,
		"a[b,c]>=1; python_version < \"3.8\" or sys_platform == \"win32\"",
		"dep (<<2)\n\x00\n[x]",
		`x; platform_release >= "5"`,
	} {
		f.Add(s, "fast,slow")
	}
	f.Fuzz(func(t *testing.T, requires, extras string) {
		lines := strings.Split(requires, "\n")
		provides := strings.Split(extras, ",")
		dists := []Dist{
			providing(dist("dep", "1", lines...), provides...),
			providing(dist("feat", "1", lines...), provides...),
			providing(dist("a", "2", lines...), provides...),
		}
		r := InstalledRequirements(dists, linux311)
		installed := map[string]bool{"dep": true, "feat": true, "a": true}
		for name, deps := range r.On {
			if !installed[name] {
				t.Fatalf("requirement on %q, which is not installed", name)
			}
			for _, d := range deps {
				if d.Name == name {
					t.Fatalf("%s depends on itself", name)
				}
				_ = d.Requirement()
			}
		}
	})
}
