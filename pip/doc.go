// Package pip works on one Python environment: the interpreter's facts, the
// distributions installed in it, pip's configuration, and the operations on
// it (list outdated, upgrade via pip, undo). It emits events and knows
// nothing of how they are shown.
//
// Every decision about versions is made here, for the CLI and the UI
// alike: the scan decides Latest, Wanted, the holds and the Lift
// (PackageChecked); OfferFor decides the version a package is offered at,
// its pre-selection and its pair (Offer); Choice says what ticking,
// unticking and pairing do to a selection; PlanUpgrade turns chosen
// Upgrades into a Plan; Upgrade installs a Plan's Upgrades. The notes that
// explain holds are worded here too (HoldNote, ListNote, Choice.HoldNote).
package pip
