package pyport

import (
	"math"
	"strconv"
	"testing"
)

var numberInputs = []string{
	"10", "010", "0", "00", "08", "0o17", "0O17", "0x1F", "0X1f", "0x_1f", " 0x1f", "0b101", "0b", "0b0b1", "0b_1",
	"-3", "+4", " 12 ", "-0x1", "1_000", "1__0", "_1", "1_", "١٢", "12\u3000", "\x1c7\x1f", "\u00a07\u2003", "",
	"abc", "z", "ff", "1.5", ".5", "5.", ".", "1e3", "1E-2", "1e", "inf", "-Infinity", "+nan", "NaN", "-inf ",
	"1_0.5", "1._5", "1_e5", "0x10", " 2.5\t", "1e400", "-1e400", "4e-400", "9223372036854775807",
	"-9223372036854775807", "٣.٥", "𝟙𝟚", "１２", "+", "-", "++1", "0_0", "00_7", "7\x00",
}

func TestFloatMatchesPython(t *testing.T) {
	var want []errOr[any] // a float64, or "nan", "inf", "-inf"
	runPython(t, `import math
def f(s):
    try:
        v = float(s)
    except ValueError:
        return None
    return v if math.isfinite(v) else repr(v)
print(json.dumps([f(s) for s in json.load(sys.stdin)]))`, numberInputs, &want)
	for i, s := range numberInputs {
		f, err := Float(s)
		if (err == nil) != want[i].OK {
			t.Errorf("Float(%q) = %v, %v; Python %q (raised: %v)", s, f, err, want[i].V, !want[i].OK)
			continue
		}
		if err != nil {
			continue
		}
		var got any = f
		switch {
		case math.IsNaN(f):
			got = "nan"
		case math.IsInf(f, 1):
			got = "inf"
		case math.IsInf(f, -1):
			got = "-inf"
		}
		if got != want[i].V {
			t.Errorf("Float(%q) = %v; Python %v", s, got, want[i].V)
		}
	}
}

func TestIntMatchesPython(t *testing.T) {
	type call struct {
		S    string
		Base int64
	}
	var in []call
	for _, s := range numberInputs {
		for _, b := range []int64{2, 8, 10, 16} {
			in = append(in, call{s, b})
		}
	}
	var want []errOr[string]
	runPython(t, `def f(s, b):
    try:
        v = int(s, b)
    except ValueError:
        return None
    return str(v)
print(json.dumps([f(c["S"], c["Base"]) for c in json.load(sys.stdin)]))`, in, &want)
	for i, c := range in {
		n, err := Int(c.S, c.Base)
		compareInt(t, "Int("+strconv.Quote(c.S)+", "+strconv.FormatInt(c.Base, 10)+")", n, err, want[i])
	}
}

func TestOptparseIntMatchesPython(t *testing.T) {
	var want []errOr[string]
	runPython(t, `import optparse
def f(s):
    try:
        return str(optparse._parse_int(s))
    except ValueError:
        return None
print(json.dumps([f(s) for s in json.load(sys.stdin)]))`, numberInputs, &want)
	for i, s := range numberInputs {
		n, err := OptparseInt(s)
		compareInt(t, "OptparseInt("+strconv.Quote(s)+")", n, err, want[i])
	}
}

// compareInt checks a Go result against Python's; Python values outside
// int64 are refused in Go (the documented caveat).
func compareInt(t *testing.T, call string, n int64, err error, want errOr[string]) {
	t.Helper()
	if want.OK {
		if _, perr := strconv.ParseInt(want.V, 10, 64); perr != nil {
			want.OK = false // beyond int64
		}
	}
	if (err == nil) != want.OK {
		t.Errorf("%s = %d, %v; Python %q (raised: %v)", call, n, err, want.V, !want.OK)
		return
	}
	if err == nil && strconv.FormatInt(n, 10) != want.V {
		t.Errorf("%s = %d; Python %s", call, n, want.V)
	}
}
