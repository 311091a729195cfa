package pip

import "time"

// Bump says how far the latest version is from the installed one.
type Bump string

const (
	BumpNone  Bump = ""      // not outdated
	BumpMajor Bump = "major" // first release segment grew (or the epoch changed)
	BumpMinor Bump = "minor" // second release segment grew
	BumpPatch Bump = "patch" // anything later in the release, or a post-release
	BumpPre   Bump = "pre"   // the latest version is a pre- or dev-release
	// BumpNew is a package an upgrade plan installs because a new version
	// requires it; nothing of it was installed before, and Upgrade installs
	// it rather than refusing it as not installed. Scans never report it.
	BumpNew Bump = "new"
)

// ScanEvent is one thing the scan reports. The scan sends these on a channel
// and closes it after the final ScanDone; the consumer (a printer, the TUI)
// only reads them.
type ScanEvent interface{ scanEvent() }

// ScanStarted comes first: how many installed distributions will be checked.
type ScanStarted struct {
	Total  int    // distributions to check (skipped ones included)
	Python string // interpreter path
}

// PackageChecking says a package's index lookup has started.
type PackageChecking struct {
	Name string
}

// PackageChecked reports one package that was looked up on the index.
type PackageChecked struct {
	Name     string // project name as installed (display form)
	Version  string // installed version
	Latest   string // best available version, as pip would pick it
	FileType string // "wheel" or "sdist": the file pip would pick for Latest
	Bump     Bump   // BumpNone when the package is up to date
	Summary  string // installed metadata's Summary, may be ""
	// Candidate is the file pip would install for Latest (URL, hashes, size).
	Candidate CandidateFile
	// Wanted is the highest installable version that every installed
	// dependent's requirement admits: Latest when nothing holds the package
	// back, the installed version when no newer version is admitted.
	Wanted string
	// WantedCandidate is the file for Wanted when Wanted is newer than the
	// installed version (equal to Candidate when Wanted is Latest).
	WantedCandidate CandidateFile
	// HeldBackBy lists the installed dependents whose requirement excludes
	// Latest; empty when Wanted is Latest.
	HeldBackBy []Hold
	// PinnedBy is the pin from pipup's settings (e.g. "<5") when it is why
	// Wanted is not higher: it excludes the version that would be Wanted
	// without it. "" otherwise.
	PinnedBy string
	// Cooldown is set when Options.Cooldown is on and either keeps a
	// version back (Wanted stops at the newest version old enough; Latest
	// still shows the newest) or Wanted's age is unknown; nil otherwise.
	Cooldown *CooldownNote
	// Lift is set when upgrading some of those dependents too (to the
	// versions the scan offers them, their Wanted within their pins and
	// cooldown; the requirements come from the index's PEP 658 metadata,
	// its JSON API or the wheel) would allow a version above Wanted.
	Lift *Lift
}

// Lift is a pair (or set) of upgrades that frees a held-back package.
type Lift struct {
	To        string           // the version the package can go to with the dependents upgraded
	Candidate CandidateFile    // its file
	With      []PlannedUpgrade // the dependents' upgrades, From their installed version To their Wanted
}

// Hold is an installed distribution whose requirement keeps another one
// below its latest version.
type Hold struct {
	Name        string // the dependent, e.g. "boto3"
	Version     string // its installed version
	Requirement string // without the marker, e.g. "botocore<1.44.0,>=1.43.11"
}

// HeldBack reports whether some installed dependent excludes Latest.
func (c PackageChecked) HeldBack() bool { return len(c.HeldBackBy) > 0 }

// Outdated reports whether a newer version than the installed one is available.
func (c PackageChecked) Outdated() bool { return c.Bump != BumpNone }

// CandidateFile is the distribution file chosen for a version.
type CandidateFile struct {
	Filename string
	URL      string // may carry credentials: never print it without redaction
	SHA256   string // "" when the index gave no sha256
	Size     int64  // -1 when unknown
	// MetadataURL is the PEP 658 .metadata URL when the index offers one.
	MetadataURL string
	// MetadataSHA256 is the sha256 the index gives for that metadata file,
	// "" when none is given.
	MetadataSHA256 string
	// Uploaded is when the version this file belongs to was first uploaded
	// (the earliest PEP 700 upload time among its files), zero when the
	// index did not say: the release date of the target.
	Uploaded time.Time
}

// PackageSkipped reports an installed distribution that was not looked up.
type PackageSkipped struct {
	Name    string
	Version string
	Reason  string // e.g. "editable install", "not on any index", "invalid version \"x\""
}

// PackageIgnored reports an installed distribution that pipup's settings
// say never to offer; it was not looked up. One asked for by name comes as
// a PackageSkipped with IgnoredReason instead.
type PackageIgnored struct {
	Name    string
	Version string
}

// PackageFailed reports a package that could not be checked.
type PackageFailed struct {
	Name    string
	Version string
	Err     error // message is free of credentials
}

// ScanDone is the last event of a scan.
type ScanDone struct {
	Checked  int // looked up successfully (outdated or not)
	Outdated int
	Skipped  int
	Failed   int
	Ignored  int // not in ScanStarted.Total: never looked up
	Elapsed  time.Duration
	// Err is set when the scan stopped early (cancelled, or fatal setup error).
	Err error
	// Warnings are problems that did not stop the scan, one line each, e.g.
	// an installed package's Requires-Dist line that does not parse.
	Warnings []string
}

func (ScanStarted) scanEvent()     {}
func (PackageChecking) scanEvent() {}
func (PackageChecked) scanEvent()  {}
func (PackageSkipped) scanEvent()  {}
func (PackageFailed) scanEvent()   {}
func (PackageIgnored) scanEvent()  {}
func (ScanDone) scanEvent()        {}

// Stage is where one package is in an upgrade.
type Stage string

const (
	StageQueued      Stage = "queued"
	StageDownloading Stage = "downloading"
	StageVerifying   Stage = "verifying"
	StageBuilding    Stage = "building"
	StageInstalling  Stage = "installing"
	StageCompiling   Stage = "compiling" // byte-compiling (native installer)
)

// UpgradeEvent is one thing an upgrade reports, on a channel closed after
// the final UpgradeDone.
type UpgradeEvent interface{ upgradeEvent() }

// UpgradeStarted lists the plan: the packages that will be tried, in order.
type UpgradeStarted struct {
	Packages []PlannedUpgrade
}

// PlannedUpgrade is one package of an upgrade plan.
type PlannedUpgrade struct {
	Name string
	From string
	To   string
}

// UpgradeProgress reports a package moving to a stage. Done and Total are
// bytes while downloading (Total -1 when unknown) and zero otherwise.
type UpgradeProgress struct {
	Name  string
	Stage Stage
	Done  int64
	Total int64
}

// PackageUpgraded reports a package now installed at its new version.
type PackageUpgraded struct {
	Name string
	From string
	To   string
}

// UpgradeFailed reports a package left at its old version.
type UpgradeFailed struct {
	Name   string
	From   string
	To     string
	Reason string // one line: pip's last error, or the verification failure
}

// UpgradeSkipped reports a package the plan refused (editable, no RECORD, …).
type UpgradeSkipped struct {
	Name   string
	Reason string
}

// UpgradeCancelling is sent once after the first cancel: no new work starts,
// the pip run in progress (if any) is allowed to finish.
type UpgradeCancelling struct {
	Installing []string // packages in the pip run being finished
	// Native are the packages the native installer has in hand: each rolls
	// back to its old version, or, past its commit point, finishes.
	Native []string
}

// UpgradeNote tells something about one package that is not an outcome,
// e.g. that undo has to download an old version's wheel again.
type UpgradeNote struct {
	Name    string
	Version string // the version concerned
	Text    string // one line
}

// UpgradeDone is the last event of an upgrade.
type UpgradeDone struct {
	Upgraded  int
	Failed    int
	Skipped   int
	Elapsed   time.Duration
	Cancelled bool
	// PipCheckOK is nil when pip check did not run.
	PipCheckOK *bool
	PipCheck   string // pip check's output when it found problems
	// UndoCommand restores the previous versions ("" when nothing changed).
	UndoCommand string
	Err         error
	// Phases is where the run's time went, in order: "download" (fetch,
	// verify, build), "install" (wall time of all installs), "compile"
	// (byte-compilation summed over the native installs, which overlap),
	// "pip check" (the one after the upgrade). Phases that did not run are
	// left out.
	Phases []Phase
}

// Phase is one part of an upgrade and the time it took.
type Phase struct {
	Name string
	Took time.Duration
}

func (UpgradeStarted) upgradeEvent()    {}
func (UpgradeProgress) upgradeEvent()   {}
func (PackageUpgraded) upgradeEvent()   {}
func (UpgradeFailed) upgradeEvent()     {}
func (UpgradeSkipped) upgradeEvent()    {}
func (UpgradeCancelling) upgradeEvent() {}
func (UpgradeDone) upgradeEvent()       {}
func (UpgradeNote) upgradeEvent()       {}
