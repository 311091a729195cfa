package pip

import (
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/pipup/pipup/pip/piptest"
)

// An inspection without the install scheme (pipup list's) differs from a
// full one only in leaving the scheme out, on every Python 3.6+ here; an
// entry cached without it is inspected again when the scheme is wanted,
// and the full entry then serves both kinds of run.
func TestInspectSchemeOnlyWhenWanted(t *testing.T) {
	ctx := context.Background()
	for _, py := range supportedInterpreters(t) {
		// Named by path: every pyenv interpreter is a python3.
		t.Run(strings.ReplaceAll(strings.TrimPrefix(py, "/"), "/", "_"), func(t *testing.T) {
			full, err := Inspect(ctx, py)
			if err != nil {
				if strings.Contains(err.Error(), "is not supported") {
					t.Skip(err)
				}
				t.Fatal(err)
			}
			if !full.HasScheme() || full.Scheme.Purelib == "" {
				t.Fatalf("full inspection: scheme %+v (%q)", full.Scheme, full.SchemeSource)
			}
			dir := t.TempDir()
			version := interpFactsVersion(interpBootstrap, interpScript)
			light, err := inspectCached(ctx, py, dir, version, environOr(nil), false)
			if err != nil {
				t.Fatal(err)
			}
			if light.HasScheme() || light.Scheme.Purelib != "" {
				t.Errorf("inspection without the scheme computed it: %+v (%q)", light.Scheme, light.SchemeSource)
			}
			same := *light
			same.Scheme, same.SchemeSource = full.Scheme, full.SchemeSource
			if !reflect.DeepEqual(&same, full) {
				t.Errorf("facts other than the scheme differ:\n%+v\n%+v", same, *full)
			}
			got, err := inspectCached(ctx, py, dir, version, environOr(nil), true)
			if err != nil || !reflect.DeepEqual(got, full) {
				t.Fatalf("scheme wanted, entry without it: %v, %+v", err, got)
			}
			if got, err := inspectCached(ctx, py, dir, version, environOr(nil), false); err != nil || !got.HasScheme() {
				t.Errorf("the full entry was not kept for the next run: %v, %q", err, got.SchemeSource)
			}
		})
	}
}

// An Env opened for listing has no scheme; one that is asked to install
// gets the scheme a full inspection gives, before anything is installed.
func TestEnsureScheme(t *testing.T) {
	py := pythons.Venv(t, piptest.NoPip)
	full, err := Inspect(context.Background(), py)
	if err != nil {
		t.Fatal(err)
	}
	for _, command := range []string{"list", "install"} {
		t.Run(command, func(t *testing.T) {
			e, err := Open(context.Background(), Options{Python: py, PipCommand: command, NoIndex: true, CacheDir: t.TempDir(),
				Environ: piptest.Environ("HOME=" + t.TempDir())})
			if err != nil {
				t.Fatal(err)
			}
			if e.Interp.HasScheme() != (command == "install") {
				t.Errorf("opened for %s: HasScheme %v", command, e.Interp.HasScheme())
			}
			if err := e.ensureScheme(context.Background()); err != nil {
				t.Fatal(err)
			}
			if e.Interp.Scheme != full.Scheme || e.Interp.SchemeSource != full.SchemeSource {
				t.Errorf("scheme %+v (%s), want %+v (%s)", e.Interp.Scheme, e.Interp.SchemeSource, full.Scheme, full.SchemeSource)
			}
		})
	}
}
