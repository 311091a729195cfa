package pip

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

// The Env reads its installed distributions again only when a sys.path
// entry changed (a distribution added, removed or replaced), after
// forgetDists, or when the entry changed too recently for its time stamp
// to be trusted; otherwise the scan, the plan and the upgrade share one
// reading. An in-place edit of a METADATA file (no tool does that) is
// what tells a kept reading from a fresh one here.
func TestInstalledDistsMemo(t *testing.T) {
	old := time.Now().Add(-time.Hour)
	cases := []struct {
		name   string
		dirAge time.Time // the site folder's time stamp before the first read
		change func(t *testing.T, e *Env, site string)
		want   string // version of "demo" at the second read
	}{
		{name: "nothing changed: kept", dirAge: old, change: func(*testing.T, *Env, string) {}, want: "1.0"},
		{name: "a distribution added: read again", dirAge: old, change: func(t *testing.T, _ *Env, site string) {
			writeMemoDist(t, site, "other-1.0.dist-info", "other", "1.0")
		}, want: "2.0"},
		{name: "a distribution removed: read again", dirAge: old, change: func(t *testing.T, _ *Env, site string) {
			if err := os.RemoveAll(filepath.Join(site, "gone-1.0.dist-info")); err != nil {
				t.Fatal(err)
			}
		}, want: "2.0"},
		{name: "forgotten: read again", dirAge: old, change: func(_ *testing.T, e *Env, _ string) { e.forgetDists() }, want: "2.0"},
		{name: "changed just before the read: not kept", dirAge: time.Now(), change: func(*testing.T, *Env, string) {}, want: "2.0"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			site := t.TempDir()
			writeMemoDist(t, site, "demo-1.0.dist-info", "demo", "1.0")
			writeMemoDist(t, site, "gone-1.0.dist-info", "gone", "1.0")
			if err := os.Chtimes(site, c.dirAge, c.dirAge); err != nil {
				t.Fatal(err)
			}
			e := &Env{Interp: &Interpreter{SysPath: []string{site, filepath.Join(site, "missing")}}}
			first, err := e.installedDists()
			if err != nil || versionOf(first, "demo") != "1.0" {
				t.Fatalf("first read: %v, %+v", err, first)
			}
			// Rewritten in place: the site folder's entries stay as they were.
			md := "Metadata-Version: 2.1\nName: demo\nVersion: 2.0\n"
			if err := os.WriteFile(filepath.Join(site, "demo-1.0.dist-info", "METADATA"), []byte(md), 0o644); err != nil {
				t.Fatal(err)
			}
			c.change(t, e, site)
			second, err := e.installedDists()
			if err != nil {
				t.Fatal(err)
			}
			if got := versionOf(second, "demo"); got != c.want {
				t.Errorf("second read: demo %s, want %s", got, c.want)
			}
			// The caller owns its slice: changing it changes no later read.
			second[0] = Dist{}
			third, err := e.installedDists()
			if err != nil || len(third) != len(second) || third[0].Name == "" {
				t.Errorf("third read: %v, %+v", err, third)
			}
		})
	}
}

func writeMemoDist(t *testing.T, site, dir, name, version string) {
	t.Helper()
	d := filepath.Join(site, dir)
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	md := "Metadata-Version: 2.1\nName: " + name + "\nVersion: " + version + "\n"
	if err := os.WriteFile(filepath.Join(d, "METADATA"), []byte(md), 0o644); err != nil {
		t.Fatal(err)
	}
}

func versionOf(dists []Dist, canonical string) string {
	for _, d := range dists {
		if d.Canonical == canonical {
			return d.Version
		}
	}
	return ""
}
