package pip

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/pipup/pipup/pip/piptest"
)

// The cached facts equal a fresh inspection, are reused while nothing
// changed, and are dropped when a sys.path directory changes (a package
// installed or removed) or the entry is damaged.
func TestInspectCached(t *testing.T) {
	py := pythons.Venv(t, piptest.NoPip)
	dir := t.TempDir()
	ctx := context.Background()

	fresh, err := Inspect(ctx, py)
	if err != nil {
		t.Fatal(err)
	}
	first, err := InspectCached(ctx, py, dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, fresh) {
		t.Fatalf("cached inspection differs from a fresh one:\n%+v\n%+v", first, fresh)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(entries) != 1 {
		t.Fatalf("want one cache entry, got %v", entries)
	}

	// Served from the cache: mark the entry and see the mark come back.
	mark := func(exe string) {
		b, _ := os.ReadFile(entries[0])
		os.WriteFile(entries[0], []byte(replaceOnce(string(b), `"Executable":"`+fresh.Executable+`"`, `"Executable":"`+exe+`"`)), 0o644)
	}
	mark("/marked")
	got, err := InspectCached(ctx, py, dir)
	if err != nil || got.Executable != "/marked" {
		t.Fatalf("second call was not served from the cache: %v %v", got.Executable, err)
	}

	// A change in site-packages invalidates it.
	site := sitePackages(t, py)
	time.Sleep(10 * time.Millisecond)
	if err := os.Mkdir(filepath.Join(site, "newdist-1.0.dist-info"), 0o755); err != nil {
		t.Fatal(err)
	}
	got, err = InspectCached(ctx, py, dir)
	if err != nil || got.Executable != fresh.Executable {
		t.Fatalf("stale entry served after site-packages changed: %v %v", got.Executable, err)
	}

	// A damaged entry is replaced, not an error.
	os.WriteFile(entries[0], []byte("{not json"), 0o644)
	got, err = InspectCached(ctx, py, dir)
	if err != nil || !reflect.DeepEqual(got, fresh) {
		t.Fatalf("damaged entry: %v", err)
	}

	// A missing interpreter is still reported as such.
	if _, err := InspectCached(ctx, filepath.Join(t.TempDir(), "nope"), dir); err == nil {
		t.Fatal("missing interpreter: no error")
	}
}

func replaceOnce(s, old, new string) string {
	for i := 0; i+len(old) <= len(s); i++ {
		if s[i:i+len(old)] == old {
			return s[:i] + new + s[i+len(old):]
		}
	}
	return s
}

// The cache is keyed by what the inspection is: an edit to the script,
// the bootstrap or Interpreter's fields gives a new version, and an entry
// stored for another version is never served.
func TestInspectCachedKeyedByScript(t *testing.T) {
	base := interpFactsVersion(interpBootstrap, interpScript)
	for name, v := range map[string]string{
		"script edited":    interpFactsVersion(interpBootstrap, interpScript+"\n# new field\n"),
		"bootstrap edited": interpFactsVersion(interpBootstrap+" ", interpScript),
		"moved boundary":   interpFactsVersion(interpBootstrap+interpScript[:1], interpScript[1:]),
	} {
		if v == base {
			t.Errorf("%s: same version %s", name, v)
		}
	}
	if again := interpFactsVersion(interpBootstrap, interpScript); again != base {
		t.Errorf("version not stable: %s then %s", base, again)
	}

	py := pythons.Venv(t, piptest.NoPip)
	dir := t.TempDir()
	ctx := context.Background()
	fresh, err := inspectCached(ctx, py, dir, "old", environOr(nil), true)
	if err != nil {
		t.Fatal(err)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, "*.json"))
	if len(entries) != 1 {
		t.Fatalf("want one cache entry, got %v", entries)
	}
	b, _ := os.ReadFile(entries[0])
	os.WriteFile(entries[0], []byte(replaceOnce(string(b), `"Executable":"`+fresh.Executable+`"`, `"Executable":"/stale"`)), 0o644)
	if got, err := inspectCached(ctx, py, dir, "old", environOr(nil), true); err != nil || got.Executable != "/stale" {
		t.Fatalf("same version: not served from the cache (%v, %v)", got.Executable, err)
	}
	// The entry of the old script, even under the new script's file name,
	// is not served.
	newKey, _ := interpKey(py, "new", parseEnviron(environOr(nil)))
	os.Rename(entries[0], filepath.Join(dir, newKey+".json"))
	got, err := inspectCached(ctx, py, dir, "new", environOr(nil), true)
	if err != nil || got.Executable != fresh.Executable {
		t.Fatalf("new version served the old version's facts: %v %v", got.Executable, err)
	}
}
