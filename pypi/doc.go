// Package pypi talks to Python package indexes: the Simple API (PEP 503 HTML
// and PEP 691 JSON), distribution file names, wheel tags and the choice of the
// best candidate the way pip makes it. It knows nothing of the local machine:
// the interpreter's facts (version, supported tags) are passed in.
package pypi
