// Package pyport reproduces, in Go, the few Python standard-library
// functions whose exact behaviour pip's results depend on: urllib.parse's
// quoting, splitting and joining, posixpath's splitext, join and
// expanduser, str's isspace, strip and lower, and float(), int() and
// optparse's integer parsing. Go's own equivalents (net/url, path,
// strings, strconv) differ in corner cases that would make pipup see other
// links, file names or option values than pip does.
//
// Each function names the Python function it reproduces; the ports follow
// CPython 3.11 (python3 on the development machine) and say where other
// versions differ. The tests run python3 on every table input and compare.
package pyport
