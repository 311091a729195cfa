package pep508

import "regexp"

// nameRE is PEP 508's project name pattern, matched case-insensitively as
// PEP 508 and pip (BaseEnvironment.iter_all_distributions) match it.
var nameRE = regexp.MustCompile(`(?i)^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$`)

// ValidName reports whether name is a valid project name: ASCII letters
// and digits, with ".", "_" and "-" allowed inside. Like Python's re under
// IGNORECASE, Go's case folding also lets "ſ" (U+017F) and the Kelvin sign
// (U+212A) match [A-Z]; unlike it, "İ" and "ı" do not match, and a
// trailing line break is refused (Python's "$" allows one).
func ValidName(name string) bool { return nameRE.MatchString(name) }
