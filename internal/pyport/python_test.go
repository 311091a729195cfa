package pyport

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"testing"
)

// runPython runs python3 once with script, which reads the JSON of in from
// stdin and prints one JSON value, decoded into out. It is the oracle of
// every test here: one subprocess per test, for all its table inputs. The
// interpreter runs isolated (-I: no PYTHON* variables, no user site) with
// an environment the test sets itself.
func runPython(t *testing.T, script string, in, out any) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH: the ports cannot be compared with Python")
	}
	data, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), py, "-I", "-c", "import json, sys\n"+script)
	cmd.Stdin = bytes.NewReader(data)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LC_ALL=C.UTF-8", "PYTHONIOENCODING=utf-8"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, stderr.Bytes())
	}
	if err := json.Unmarshal(res, out); err != nil {
		t.Fatalf("python3 output %q: %v", res, err)
	}
	if n, m := jsonLen(res), jsonLen(data); n >= 0 && m >= 0 && n != m {
		t.Fatalf("python3 answered %d values for %d inputs", n, m)
	}
}

// jsonLen is the length of a JSON array, or -1 for another value.
func jsonLen(b []byte) int {
	var a []json.RawMessage
	if b = bytes.TrimSpace(b); len(b) == 0 || b[0] != '[' || json.Unmarshal(b, &a) != nil {
		return -1
	}
	return len(a)
}

// errOr is what the Python scripts print for a call: the result, or nil
// when Python raised ValueError.
type errOr[T any] struct {
	V  T
	OK bool
}

func (e *errOr[T]) UnmarshalJSON(b []byte) error {
	if string(b) == "null" {
		*e = errOr[T]{}
		return nil
	}
	e.OK = true
	return json.Unmarshal(b, &e.V)
}
