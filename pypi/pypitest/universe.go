package pypitest

import (
	"fmt"
	"math/rand/v2"
)

// RandomUniverse makes a small, seeded dependency universe for property
// tests of upgrade planning: projects p0…p{installed-1} at 1.0, whose
// requirements on each other hold at 1.0 (pins installs them), and newer
// versions (some of 1.5, 2.0, 2.5, 3.0) of those and of px, which only the
// index has, whose requirements are random ranges on the others — many
// of them cannot all be installed together.
func RandomUniverse(seed uint64, installed int) (specs []WheelSpec, pins []string) {
	r := rand.New(rand.NewPCG(seed, 0x5eed))
	var inst []string
	for i := range installed {
		inst = append(inst, fmt.Sprintf("p%d", i))
	}
	all := append(append([]string{}, inst...), "px")
	okAtOne := []string{">=1.0", "<2", "<1.6", "==1.0", "", "!=1.5"}
	ranges := []string{">=1.5", "<2", ">=2", "<1.1", "==2.5", ">=3", "", "!=2.0", "~=1.5", "<=2.5"}
	others := func(names []string, self string, n int) []string {
		var out []string
		for _, i := range r.Perm(len(names))[:n] {
			if names[i] != self {
				out = append(out, names[i])
			}
		}
		return out
	}
	for _, p := range inst {
		var req []string
		for _, d := range others(inst, p, r.IntN(3)) {
			req = append(req, d+okAtOne[r.IntN(len(okAtOne))])
		}
		specs = append(specs, WheelSpec{Name: p, Version: "1.0", Requires: req})
		pins = append(pins, p+"==1.0")
	}
	for _, p := range all {
		for _, v := range []string{"1.5", "2.0", "2.5", "3.0"} {
			if r.IntN(3) == 0 {
				continue
			}
			var req []string
			for _, d := range others(all, p, r.IntN(4)) {
				req = append(req, d+ranges[r.IntN(len(ranges))])
			}
			specs = append(specs, WheelSpec{Name: p, Version: v, Requires: req})
		}
	}
	return specs, pins
}
