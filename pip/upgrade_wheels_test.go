package pip

import (
	"archive/zip"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/pipup/pipup/pypi/pypitest"
)

// TestWheelRequiresKeepsWheelOpen: in a native run the dependency check
// reads METADATA through the installer's reader and keeps the wheel open
// for its install (the same one for every later open, up to
// maxOpenWheels); under --installer pip, or for a wheel the installer's
// reader refuses, it reads the zip as before and keeps nothing.
func TestWheelRequiresKeepsWheelOpen(t *testing.T) {
	dir := t.TempDir()
	good, err := pypitest.WriteWheel(dir, pypitest.WheelSpec{Name: "good", Version: "1.0", Requires: []string{"dep>=1", "other; python_version<'3'"}})
	if err != nil {
		t.Fatal(err)
	}
	// No WHEEL nor RECORD: the installer's reader refuses it, the zip
	// reader still finds METADATA.
	bare := filepath.Join(dir, "bare-1.0-py3-none-any.whl")
	f, err := os.Create(bare)
	if err != nil {
		t.Fatal(err)
	}
	zw := zip.NewWriter(f)
	mw, _ := zw.Create("bare-1.0.dist-info/METADATA")
	fmt.Fprint(mw, "Metadata-Version: 2.1\nName: bare\nVersion: 1.0\nRequires-Dist: dep>=1\n\n")
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	f.Close()

	tests := []struct {
		name      string
		installer string
		path      string
		want      []string
		kept      bool
	}{
		{"native run keeps the wheel", InstallerNative, good, []string{"dep>=1", "other; python_version<'3'"}, true},
		{"pip run keeps nothing", InstallerPip, good, []string{"dep>=1", "other; python_version<'3'"}, false},
		{"refused wheel read as a zip", InstallerNative, bare, []string{"dep>=1"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := &upgrader{o: UpgradeOptions{Installer: tc.installer}}
			defer u.wheels.closeRest()
			got, err := u.wheelRequires(tc.path)
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("wheelRequires = %q, %v; want %q", got, err, tc.want)
			}
			w := u.wheels.take(tc.path)
			if (w != nil) != tc.kept {
				t.Fatalf("kept open: %v, want %v", w != nil, tc.kept)
			}
			if w != nil {
				if err := w.Close(); err != nil {
					t.Errorf("close the kept wheel: %v", err)
				}
			}
		})
	}
}

// TestOpenWheelsBound: each path is opened once, past maxOpenWheels
// nothing more is kept, and closeRest closes what no install took.
func TestOpenWheelsBound(t *testing.T) {
	dir := t.TempDir()
	var paths []string
	for i := 0; i <= maxOpenWheels; i++ {
		p, err := pypitest.WriteWheel(dir, pypitest.WheelSpec{Name: fmt.Sprintf("w%03d", i), Version: "1.0"})
		if err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	var o openWheels
	first, keep, err := o.open(paths[0])
	if err != nil || !keep {
		t.Fatalf("open = %v, %v", keep, err)
	}
	again, _, _ := o.open(paths[0])
	if again != first {
		t.Error("a second open of the same wheel opened it again")
	}
	for _, p := range paths[1:maxOpenWheels] {
		if _, keep, err := o.open(p); err != nil || !keep {
			t.Fatalf("open %s = %v, %v", p, keep, err)
		}
	}
	last, keep, err := o.open(paths[maxOpenWheels])
	if err != nil {
		t.Fatal(err)
	}
	if keep {
		t.Errorf("wheel %d kept open past the bound of %d", maxOpenWheels+1, maxOpenWheels)
	}
	last.Close()
	o.closeRest()
	if err := first.Close(); err == nil {
		t.Error("closeRest left a kept wheel open")
	}
	if w := o.take(paths[1]); w != nil {
		t.Error("a wheel is still handed out after closeRest")
	}
}
