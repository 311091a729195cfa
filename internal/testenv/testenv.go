// Package testenv finds what pipup's tests compare against — Python
// interpreters and the pip wheels their ensurepip bundles — on whatever
// machine runs them, never at one machine's paths, and ends a test whose
// oracle is missing with a message naming what is missing (as Go's own
// internal/testenv does for the tools its tests need).
//
// Where it looks: the base interpreter ($PIPUP_TEST_PYTHON, else python3 on
// PATH), every other python3.N on PATH, and the interpreters listed in
// $PIPUP_TEST_PYTHONS (separated like PATH entries; paths or names). The
// pip and setuptools wheels are the ones each interpreter's ensurepip
// bundles, found by asking the interpreter.
//
// A missing oracle is a skip, so the README's test command passes on any
// machine with Go and Python 3; with PIPUP_TEST_STRICT=1 (set by .ci/run)
// it is a failure, so CI on the project's machines runs every test.
//
// It imports nothing of pipup's, so the tests of every package, pypi's
// included, can use it.
package testenv

import (
	"fmt"
	"os"
	"strconv"
	"testing"
)

// The variables that steer the tests, and only the tests.
const (
	// StrictVar turns every Missing skip into a failure when set to a true
	// value (1, t, true, ...).
	StrictVar = "PIPUP_TEST_STRICT"
	// PythonVar names the base interpreter instead of python3 on PATH.
	PythonVar = "PIPUP_TEST_PYTHON"
	// PythonsVar lists more interpreters to find, separated like PATH.
	PythonsVar = "PIPUP_TEST_PYTHONS"
)

// Strict reports whether a missing oracle fails the test ($PIPUP_TEST_STRICT).
func Strict() bool {
	b, err := strconv.ParseBool(os.Getenv(StrictVar))
	return err == nil && b
}

// Missing ends t because what it compares against is missing: a skip whose
// message starts "missing " and names it (say how to provide it, too), or,
// under PIPUP_TEST_STRICT, a failure with the same message. Use it only
// for a missing oracle or tool, never for -short or a deliberate skip.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := "missing " + fmt.Sprintf(format, args...)
	if Strict() {
		t.Fatalf("%s (%s is set: a missing oracle fails the test)", msg, StrictVar)
		return
	}
	t.Skip(msg)
}
