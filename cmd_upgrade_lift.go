package main

import (
	"fmt"
	"io"

	"github.com/pipup/pipup/pip"
)

// printPlanNotes prints how the plan differs from what was asked, the
// requirements it could not check, and (--force-latest) what it breaks, in
// pip check's words, before anything is confirmed.
func printPlanNotes(w io.Writer, plan *pip.Plan) {
	for _, c := range plan.Changes {
		fmt.Fprintln(w, c.String())
	}
	for _, s := range plan.Warnings {
		fmt.Fprintf(w, "warning: %s\n", s)
	}
	for _, c := range plan.Conflicts {
		fmt.Fprintf(w, "warning: --force-latest: %s\n", c.String())
	}
}
