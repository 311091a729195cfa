package pip

import (
	"context"
	"os"
	"reflect"
	"testing"
)

// TestRunUndoCarriesOutThePlanShown: RunUndo does exactly what PlanUndo
// planned, whatever happens to the snapshots between the two (a re-plan
// would find nothing left to undo, or another plan); a dry run of the
// plan changes nothing.
func TestRunUndoCarriesOutThePlanShown(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		between func(t *testing.T, p *UndoPlan)
		dry     bool
		want    map[string]string
	}{
		{name: "nothing in between", want: map[string]string{"alpha": "1.0", "beta": "1.0"}},
		{name: "snapshot deleted in between", between: func(t *testing.T, p *UndoPlan) {
			if err := os.Remove(p.Snapshot.Path()); err != nil {
				t.Fatal(err)
			}
		}, want: map[string]string{"alpha": "1.0", "beta": "1.0"}},
		{name: "dry run", dry: true, want: map[string]string{"alpha": "2.0", "beta": "2.0"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t)
			f.old(wheel("alpha", "1.0"), wheel("beta", "1.0"))
			pkgs := []Upgrade{f.add(wheel("alpha", "2.0")), f.add(wheel("beta", "2.0"))}
			e := f.open()
			if _, done := run(t, e.Upgrade(context.Background(), pkgs, f.opts())); done.Err != nil || done.Upgraded != 2 {
				t.Fatalf("upgrade: %+v", done)
			}
			o := f.opts()
			o.DryRun = c.dry
			plan, err := e.PlanUndo(o)
			if err != nil {
				t.Fatal(err)
			}
			shown := []PlannedUpgrade{{Name: "alpha", From: "2.0", To: "1.0"}, {Name: "beta", From: "2.0", To: "1.0"}}
			if !reflect.DeepEqual(plan.Packages, shown) {
				t.Fatalf("plan = %+v, want %+v", plan.Packages, shown)
			}
			if c.between != nil {
				c.between(t, plan)
			}
			evs, done := run(t, e.RunUndo(context.Background(), plan, o))
			if done.Err != nil || done.Failed != 0 {
				t.Fatalf("undo: %+v\n%v", done, evs)
			}
			if started, ok := evs[0].(UpgradeStarted); !ok || !reflect.DeepEqual(started.Packages, shown) {
				t.Errorf("first event %#v, want the plan shown", evs[0])
			}
			if got := f.versions(); !equalMaps(got, c.want) {
				t.Errorf("versions = %v, want %v", got, c.want)
			}
			assertIntact(t, e.Interp)
			if c.dry {
				return
			}
			if done.Upgraded != 2 {
				t.Errorf("undo: %d restored, want 2", done.Upgraded)
			}
			// The restored snapshot is marked undone: nothing is left to undo.
			if _, err := e.PlanUndo(o); err != ErrNothingToUndo {
				t.Errorf("plan after the undo: %v, want ErrNothingToUndo", err)
			}
		})
	}
}
