// Package pip works on one Python environment: the interpreter's facts, the
// distributions installed in it, pip's configuration, and the operations on
// it (list outdated, upgrade via pip, undo). It emits events and knows
// nothing of how they are shown.
package pip
