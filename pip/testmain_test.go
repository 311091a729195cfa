package pip

import (
	"testing"

	"github.com/pipup/pipup/pip/piptest"
)

// pythons is this test binary's base interpreter and the virtual
// environments made from it, shared venv included (see package piptest).
var pythons = piptest.New()

func TestMain(m *testing.M) { pythons.Main(m) }
