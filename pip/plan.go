package pip

import "fmt"

// PlanOptions choose what an upgrade plan aims for.
type PlanOptions struct {
	// Latest aims every chosen package at its latest version: where an
	// installed dependent's requirement excludes it, the plan adds that
	// dependent's latest version when that one allows it, and only
	// otherwise moves the package back to the highest version that fits.
	// Without Latest, such a package goes to that highest fitting version
	// (its "wanted" version) unless the dependent was chosen too.
	Latest bool
	// ForceLatest installs the latest versions even where an installed
	// dependent's requirement excludes them; every such requirement is
	// listed in Plan.Conflicts, in pip check's words.
	ForceLatest bool
}

// Plan is a set of upgrades checked against the whole environment as it
// will be once they are installed: every installed or planned
// distribution's requirements (markers evaluated for the target
// interpreter, as pip check reads them) are met by the planned or
// installed versions, except the Conflicts that ForceLatest accepted.
type Plan struct {
	// Packages are what Upgrade installs, in name order. A package the
	// plan adds that is not installed yet has From "" and Bump BumpNew.
	Packages []Upgrade
	// Changes say how the plan differs from the choice, and why.
	Changes []PlanChange
	// Conflicts are the requirements the plan breaks (ForceLatest only).
	Conflicts []Conflict
	// Warnings are requirements that could not be checked (a version
	// whose metadata could not be read); pip's resolver checks those when
	// it installs.
	Warnings []string
}

// Upgrade is one package going from its installed version to Target in
// this run: what a choice asks for, what a Plan holds, what Env.Upgrade
// installs. A scan's PackageChecked says what the index has (its Latest is
// always the latest); an Upgrade says what was chosen, which may be its
// wanted version, a Lift's version or one a plan lowered.
type Upgrade struct {
	Name      string
	From      string        // installed version; "" for a new install
	Target    string        // the version to install
	Candidate CandidateFile // the file pip would install for Target
	FileType  string        // "wheel" or "sdist"
	Bump      Bump          // from From to Target; BumpNew for a new install
	// Why is one line saying why the plan changed Target from what was
	// asked or added the package (the Reason of its PlanChange); "" when
	// it is as asked.
	Why string
	// Lift is the scan's Lift of the package, if any: which dependents'
	// upgrades would allow a higher version. The plan names it when it
	// holds the package back.
	Lift *Lift
}

// ToLatest is the upgrade of a scanned package to its latest version.
func (c PackageChecked) ToLatest() Upgrade {
	return Upgrade{Name: c.Name, From: c.Version, Target: c.Latest, Candidate: c.Candidate,
		FileType: c.FileType, Bump: c.Bump, Lift: c.Lift}
}

// ChangeKind says what the plan did to a package.
type ChangeKind string

const (
	// ChangeLowered: planned below the version that was asked for.
	ChangeLowered ChangeKind = "lowered"
	// ChangeAdded: an upgrade or a new install the choice needs.
	ChangeAdded ChangeKind = "added"
	// ChangeDropped: left at the installed version.
	ChangeDropped ChangeKind = "dropped"
	// ChangeTogether: a version an installed dependent excludes, planned
	// because that dependent is upgraded in the same run to a version
	// that allows it.
	ChangeTogether ChangeKind = "together"
)

// PlanChange is one adjustment of the choice.
type PlanChange struct {
	Kind ChangeKind
	Name string
	From string // installed version; "" for a new install
	To   string // planned version; "" when dropped
	// Asked is the version the choice asked for; "" for an added package.
	Asked string
	// Reason is one line, e.g. "held back by boto3 1.43.11
	// (botocore<1.44.0,>=1.43.11)" or "required by boto3 1.44.5
	// (botocore>=1.44.5)".
	Reason string
}

func (c PlanChange) String() string {
	switch c.Kind {
	case ChangeLowered:
		return fmt.Sprintf("%s: upgrading to %s, not %s: %s", c.Name, c.To, c.Asked, c.Reason)
	case ChangeAdded:
		if c.From == "" {
			return fmt.Sprintf("%s: installing %s: %s", c.Name, c.To, c.Reason)
		}
		return fmt.Sprintf("%s: also upgrading to %s: %s", c.Name, c.To, c.Reason)
	case ChangeDropped:
		return fmt.Sprintf("%s stays at %s: %s", c.Name, c.From, c.Reason)
	case ChangeTogether:
		return fmt.Sprintf("%s: upgrading to %s, %s", c.Name, c.To, c.Reason)
	}
	return c.Name + ": " + c.Reason
}

// Conflict is a requirement the planned environment does not meet.
type Conflict struct {
	Dependent   string // canonical name, e.g. "boto3"
	Version     string // the dependent's version after the upgrade
	Requirement string // as written, marker included, e.g. "botocore<1.44.0,>=1.43.11"
	Name        string // the required distribution's canonical name
	Have        string // its version after the upgrade; "" = not installed
}

// String words the conflict as pip check does.
func (c Conflict) String() string {
	if c.Have == "" {
		return fmt.Sprintf("%s %s requires %s, which is not installed.", c.Dependent, c.Version, c.Name)
	}
	return fmt.Sprintf("%s %s has requirement %s, but you have %s %s.", c.Dependent, c.Version, c.Requirement, c.Name, c.Have)
}
