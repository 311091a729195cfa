package pip

import (
	"encoding/json"
	"math"
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/pipup/pipup/pip/piptest"
)

// TestValueConversionMatchesPython checks the option value converters
// against the functions pip calls: optparse's int and float checks and
// pip's strtobool, run by the real python3.
func TestValueConversionMatchesPython(t *testing.T) {
	inputs := []string{
		"10", "010", "0", "00", "08", "0o17", "0x1F", "0X1f", "0x_1f", " 0x1f", "0b101", "0b", "0b0b1",
		"-3", "+4", " 12 ", "-0x1", "1_000", "1__0", "_1", "1_", "١٢", "12\u3000", "\x1c7\x1f", "",
		"abc", "1.5", ".5", "5.", ".", "1e3", "1E-2", "1e", "inf", "-Infinity", "+nan", "NaN", "1_0.5",
		"1._5", "0x10", " 2.5\t", "1e400", "yes", "Y", "TRUE", "on", "Off", " true", "maybe", "İ",
	}
	script := `
import json, math, sys, optparse
from pip._internal.utils.misc import strtobool
def conv(f, s):
    try:
        v = f(s)
    except ValueError:
        return None
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return repr(v)
    return v
print(json.dumps([[conv(optparse._parse_int, s), conv(float, s), conv(strtobool, s)] for s in json.load(sys.stdin)]))
`
	// The base interpreter's bundled pip (SharedPip): python3 itself may
	// have no pip installed.
	py := pythons.Venv(t, piptest.SharedPip)
	in, _ := json.Marshal(inputs)
	cmd := exec.CommandContext(t.Context(), py, "-c", script)
	cmd.Stdin = strings.NewReader(string(in))
	cmd.Env = configOracleEnv(t.TempDir())
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v", err)
	}
	var want [][3]any
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatal(err)
	}
	for i, s := range inputs {
		var gotInt, gotFloat, gotBool any
		if n, err := optionInt(s); err == nil {
			gotInt = float64(n)
		}
		if f, err := optionFloat(s); err == nil {
			switch {
			case math.IsNaN(f):
				gotFloat = "nan"
			case math.IsInf(f, 1):
				gotFloat = "inf"
			case math.IsInf(f, -1):
				gotFloat = "-inf"
			default:
				gotFloat = f
			}
		}
		if b, err := strToBool(s); err == nil {
			gotBool = 0.0
			if b {
				gotBool = 1.0
			}
		}
		got := [3]any{gotInt, gotFloat, gotBool}
		if !reflect.DeepEqual(got, want[i]) {
			t.Errorf("%q: got (int, float, bool) %v, python %v", s, got, want[i])
		}
	}
}
