package installer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// killChildEnv makes the test binary act as an installing process for
// TestSIGKILLAtSeededSteps instead of running tests.
const killChildEnv = "PIPUP_INSTALLER_KILL_CHILD"

type killJob struct {
	Target Target
	Wheel  string
	Old    string
	Step   int    // the commit step at which to stop and wait for the kill
	Ready  string // file created when the step is reached
}

func killChild(spec string) int {
	var j killJob
	if err := json.Unmarshal([]byte(spec), &j); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	j.Target.Getenv = func(string) (string, bool) { return "", false }
	_, err := Install(context.Background(), j.Target, j.Wheel, Options{Old: j.Old, NoCompile: true, commitHook: func(n int) error {
		if n == j.Step {
			os.WriteFile(j.Ready, nil, 0o644)
			time.Sleep(time.Minute) // killed here
		}
		return nil
	}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestSIGKILLAtSeededSteps kills a real installing process with SIGKILL
// at commit steps drawn from a seeded random source (every step when
// there are few), then runs Recover as the next pipup run would: the
// package must be old or new, and whole.
func TestSIGKILLAtSeededSteps(t *testing.T) {
	if spec := os.Getenv(killChildEnv); spec != "" {
		os.Exit(killChild(spec)) // this process is the one being killed
	}
	whl := writeSpec(t, newSpec())
	ref := fakeEnv(t)
	info := installOld(t, ref)
	oldState := treeState(t, ref.Root)
	steps := 0
	if _, err := Install(context.Background(), ref, whl, Options{Old: info, NoCompile: true, commitHook: func(n int) error { steps = n; return nil }}); err != nil {
		t.Fatal(err)
	}
	newState := treeState(t, ref.Root)

	seed := time.Now().UnixNano()
	if s := os.Getenv("PIPUP_KILL_SEED"); s != "" {
		seed, _ = strconv.ParseInt(s, 10, 64)
	}
	rng := rand.New(rand.NewSource(seed))
	t.Logf("seed %d (PIPUP_KILL_SEED reruns it), %d commit steps", seed, steps)
	picks := rng.Perm(steps)[:min(steps, 8)]
	sawOld, sawNew := false, false
	var killed []int
	for _, p := range picks {
		step := p + 1
		killed = append(killed, step)
		tg := fakeEnv(t)
		old := installOld(t, tg)
		ready := filepath.Join(t.TempDir(), "ready")
		tg.Getenv = nil // a func does not marshal; the child sets its own
		spec, err := json.Marshal(killJob{Target: tg, Wheel: whl, Old: old, Step: step, Ready: ready})
		if err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "-test.run=^TestSIGKILLAtSeededSteps$")
		cmd.Env = append(os.Environ(), killChildEnv+"="+string(spec))
		var stderr strings.Builder
		cmd.Stderr = &stderr
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(30 * time.Second)
		for {
			if _, err := os.Stat(ready); err == nil {
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatalf("step %d: the child never got there: %s", step, stderr.String())
			}
			time.Sleep(5 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		err = cmd.Wait()
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			t.Fatalf("step %d: child was not killed: %v", step, err)
		}
		if _, err := Recover(tg.Root); err != nil {
			t.Fatalf("step %d: recover: %v", step, err)
		}
		got := treeState(t, tg.Root)
		switch {
		case len(diffStates(oldState, got)) == 0:
			sawOld = true
		case len(diffStates(newState, got)) == 0:
			sawNew = true
		default:
			t.Errorf("step %d: neither old nor new: vs old %v", step, diffStates(oldState, got))
		}
	}
	t.Logf("killed at steps %v: saw old %v, new %v", killed, sawOld, sawNew)
	if !sawOld && !sawNew {
		t.Error("no kill was checked")
	}
}
