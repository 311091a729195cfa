package pip

import (
	"fmt"
	"strings"
	"time"

	"github.com/pipup/pipup/pypi"
	"github.com/pipup/pipup/settings"
)

// The cooldown (Options.Cooldown): a version uploaded less than that long
// ago is not offered, so that a compromised or broken release has time to
// be caught before it is installed.
//
// A version's age is that of its earliest known upload among the files
// pip would consider for this interpreter (pypi.Candidate.Uploaded), not
// each file's own: pip's --uploaded-prior-to and uv's --exclude-newer
// filter file by file, so there a wheel added yesterday to a release of
// last year is skipped and pip falls back to another file of the same
// version (often the sdist, built from source), or the version drops out
// even though it has been public for a year. pipup offers versions, and
// says "2.1.0 is 2 days old" of a version; a version is released when its
// first file is uploaded, which is the date an index shows for it. Unlike
// pip, which refuses every file without an upload time under
// --uploaded-prior-to, a version with no known time is offered and its
// note says that its age is unknown: most private indexes and every
// find-links location give no times, and refusing them all would turn the
// setting into "never upgrade" there.

// CooldownNote is what the cooldown did to a package's Wanted version.
type CooldownNote struct {
	// Version is the newest version the cooldown keeps back when Held,
	// else Wanted, whose age is unknown.
	Version string
	Held    bool
	// Uploaded is Version's first known upload (zero when unknown), and
	// Age how old it was when the package was checked.
	Uploaded time.Time
	Age      time.Duration
	Cooldown time.Duration
}

// Until is when a held version becomes old enough to be offered.
func (n CooldownNote) Until() time.Time { return n.Uploaded.Add(n.Cooldown) }

// String is the note the table and the UI show: `2.1.0 is 2 days old
// (cooldown 7d)` or `age of 2.1.0 unknown (cooldown 7d)`.
func (n CooldownNote) String() string {
	cd := settings.FormatDuration(n.Cooldown)
	if !n.Held {
		return fmt.Sprintf("age of %s unknown (cooldown %s)", n.Version, cd)
	}
	return fmt.Sprintf("%s is %s old (cooldown %s)", n.Version, FormatAge(n.Age), cd)
}

// FormatAge says how old something is in the largest whole unit: "2 days",
// "1 hour", "5 minutes", "less than a minute".
func FormatAge(d time.Duration) string {
	plural := func(n time.Duration, unit string) string {
		return fmt.Sprintf("%d %s", int64(n), pluralS(int(n), unit, unit+"s"))
	}
	switch {
	case d >= 24*time.Hour:
		return plural(d/(24*time.Hour), "day")
	case d >= time.Hour:
		return plural(d/time.Hour, "hour")
	case d >= time.Minute:
		return plural(d/time.Minute, "minute")
	}
	return "less than a minute"
}

// ReleaseNote is the details line's account of a target version's upload:
// `released 2026-11-30, 4 days ago`; "" when the time is unknown.
func ReleaseNote(uploaded, now time.Time) string {
	if uploaded.IsZero() {
		return ""
	}
	age := now.Sub(uploaded)
	ago := FormatAge(age) + " ago"
	if age < time.Minute {
		ago = "just now"
	}
	return fmt.Sprintf("released %s, %s", uploaded.UTC().Format("2006-01-02"), ago)
}

// DetailsNote is what the UI's details line says of the version a row
// upgrades to (target: the file it would install): its release date and
// age, and the cooldown's note, joined by " · "; "" when there is neither.
func DetailsNote(c PackageChecked, target CandidateFile, now time.Time) string {
	var parts []string
	if r := ReleaseNote(target.Uploaded, now); r != "" {
		parts = append(parts, r)
	}
	if c.Cooldown != nil {
		parts = append(parts, c.Cooldown.String())
	}
	return strings.Join(parts, " · ")
}

// now is the Env's clock.
func (e *Env) now() time.Time {
	if e.opts.Now != nil {
		return e.opts.Now()
	}
	return time.Now()
}

// tooYoung reports whether the cooldown keeps a version uploaded at t back.
// A time in the future (a clock behind the index's) counts as too young.
func (e *Env) tooYoung(t time.Time) bool {
	return e.opts.Cooldown > 0 && !t.IsZero() && e.now().Sub(t) < e.opts.Cooldown
}

// cooled keeps the versions (highest first) old enough to be offered; with
// no cooldown it returns vs itself.
func (e *Env) cooled(vs []pypi.Candidate) []pypi.Candidate {
	if e.opts.Cooldown <= 0 {
		return vs
	}
	var out []pypi.Candidate
	for _, c := range vs {
		if !e.tooYoung(c.Uploaded) {
			out = append(out, c)
		}
	}
	return out
}

// cooldownNote explains the cooldown's part in a package's Wanted version:
// uncooled is what Wanted would be without it, wanted what it is (either
// may be nil: nothing above the installed version). Nil when the cooldown
// is off or changed nothing and Wanted's age is known.
func (e *Env) cooldownNote(uncooled, wanted *pypi.Candidate) *CooldownNote {
	switch {
	case e.opts.Cooldown <= 0 || uncooled == nil:
		return nil
	case wanted == nil || wanted.Version.Compare(uncooled.Version) != 0:
		return e.heldNote(*uncooled)
	case wanted.Uploaded.IsZero():
		return &CooldownNote{Version: wanted.Version.String(), Cooldown: e.opts.Cooldown}
	}
	return nil
}

// heldNote is the note for a version the cooldown keeps back.
func (e *Env) heldNote(c pypi.Candidate) *CooldownNote {
	return &CooldownNote{Version: c.Version.String(), Held: true, Uploaded: c.Uploaded, Age: max(e.now().Sub(c.Uploaded), 0), Cooldown: e.opts.Cooldown}
}
