// Package installer installs wheels into a Python environment natively:
// it writes exactly the files `python -m pip install` would write for the
// same wheel into the same environment (pip's
// src/pip/_internal/operations/install/wheel.py is the oracle), without
// running pip, and replaces the installed version atomically.
//
// The pieces:
//
//   - OpenWheel reads and checks an archive: member paths that are
//     absolute, contain "..", or are links are refused, as is a member whose
//     RECORD hash or size does not match (Wheel.Verify) — pip does not check
//     these, but a native installer that writes files itself must.
//   - A Target describes one environment: its install Scheme (the paths
//     pip computes for that interpreter and environment kind), the
//     interpreter written into shebangs, and the Root that bounds every write
//     and removal.
//   - Install stages the new files on the same filesystem (a directory
//     under Root), byte-compiles them with a Compiler (one interpreter
//     process serving many files), writes RECORD, INSTALLER ("pipup") and
//     REQUESTED, then commits: the old version's files (its RECORD, their
//     __pycache__ entries) are moved aside, the new files moved in, and only
//     then the old ones deleted. An error or a cancelled context before that
//     point puts the old version back; a crash leaves a journal that Recover
//     finishes or rolls back.
//
// The package knows nothing of package pip (which imports it) or of the UI.
package installer
