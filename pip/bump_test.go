package pip

import (
	"testing"

	"github.com/pipup/pipup/pypi/pep440"
)

// TestBumpOf pins the step classes BumpOf and sameSeries share through
// releaseDiff: the first differing release number decides, a missing
// number counts as 0, an epoch change is major, a pre-release is BumpPre.
func TestBumpOf(t *testing.T) {
	for _, tt := range []struct {
		from, to string
		want     Bump
	}{
		{"1.0.0", "2.0.0", BumpMajor},
		{"1.0.0", "1.1.0", BumpMinor},
		{"1.0.0", "1.0.1", BumpPatch},
		{"1.0", "1.0.0.1", BumpPatch},
		{"1", "1.1", BumpMinor},
		{"1.0", "1.0.post1", BumpPatch},
		{"1.0", "1!0.5", BumpMajor},
		{"1.0", "1.1rc1", BumpPre},
	} {
		from, to := pep440.MustParse(tt.from), pep440.MustParse(tt.to)
		if got := BumpOf(from, to); got != tt.want {
			t.Errorf("BumpOf(%s, %s) = %s, want %s", tt.from, tt.to, got, tt.want)
		}
	}
}
