package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pipup/pipup/pypi/pypitest"
)

// vulnWorld is policyWorld's venv (able, baker, charlie at 1.0) against an
// index with PyPI's JSON API: able 1.0 has an advisory fixed in 1.2 (below
// its Wanted), baker 1.0 one fixed only in 9.0 (no such version), charlie
// none.
func newVulnWorld(t *testing.T, user string) policyWorld {
	t.Helper()
	w := newPolicyWorld(t, user, "")
	srv := pypitest.NewServer(pypitest.WithJSONAPI())
	t.Cleanup(srv.Close)
	for _, s := range []pypitest.WheelSpec{
		{Name: "able", Version: "1.0"}, {Name: "able", Version: "1.2"}, {Name: "able", Version: "2.0"},
		{Name: "baker", Version: "1.0"}, {Name: "baker", Version: "1.2"},
		{Name: "charlie", Version: "1.0"}, {Name: "charlie", Version: "3.0"},
	} {
		if err := srv.AddWheel(s); err != nil {
			t.Fatal(err)
		}
	}
	srv.SetVulnerabilities("able", "1.0", pypitest.Vulnerability{ID: "PYSEC-2024-1", Aliases: []string{"CVE-2024-1"},
		FixedIn: []string{"1.2"}, Link: "https://osv.example/PYSEC-2024-1"})
	srv.SetVulnerabilities("baker", "1.0", pypitest.Vulnerability{ID: "GHSA-b", FixedIn: []string{"9.0"}})
	w.index = srv.IndexURL()
	return w
}

func TestListShowsVulnerabilities(t *testing.T) {
	w := newVulnWorld(t, "")
	out, errOut, code := w.run(t, "list")
	if code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	for name, want := range map[string]string{
		"able":    "fixes PYSEC-2024-1 (CVE-2024-1)",
		"baker":   "still vulnerable: GHSA-b (fixed in 9.0)",
		"charlie": "",
	} {
		line := rowOf(out, name)
		if line == "" {
			t.Fatalf("no row for %s:\n%s", name, out)
		}
		if want == "" && (strings.Contains(line, "fixes") || strings.Contains(line, "vulnerable")) {
			t.Errorf("%s: %q, want no vulnerability note", name, line)
		}
		if want != "" && !strings.HasSuffix(line, want) {
			t.Errorf("%s: %q, want the note %q", name, line, want)
		}
	}

	out, errOut, code = w.run(t, "list", "--json")
	if code != 0 {
		t.Fatalf("--json: exit %d\n%s%s", code, out, errOut)
	}
	var rows []struct {
		Name            string            `json:"name"`
		Vulnerabilities []json.RawMessage `json:"vulnerabilities"`
	}
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, r := range rows {
		if r.Vulnerabilities == nil {
			t.Errorf("%s: vulnerabilities is null, want a list", r.Name)
		}
		var parts []string
		for _, v := range r.Vulnerabilities {
			parts = append(parts, string(v))
		}
		got[r.Name] = strings.Join(parts, ",")
	}
	want := map[string]string{
		"able":    `{"id":"PYSEC-2024-1","aliases":["CVE-2024-1"],"fixed_in":["1.2"],"link":"https://osv.example/PYSEC-2024-1","fixed_by_target":true}`,
		"baker":   `{"id":"GHSA-b","aliases":[],"fixed_in":["9.0"],"fixed_by_target":false}`,
		"charlie": ``,
	}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("--json %s: vulnerabilities %s, want %s", name, got[name], w)
		}
	}
}

// An index without PyPI's JSON API gives no vulnerability data: plain
// pipup list says nothing of it, --fail-on vulnerable fails saying why.
func TestListFailOnVulnerableWithoutData(t *testing.T) {
	w := newPolicyWorld(t, "", "") // its index has no JSON API
	if out, errOut, code := w.run(t, "list"); code != 0 || strings.Contains(errOut, "vulnerab") {
		t.Errorf("list: exit %d\n%s%s", code, out, errOut)
	}
	out, errOut, code := w.run(t, "list", "--fail-on", "vulnerable")
	if code != 1 || !strings.Contains(errOut, "--fail-on vulnerable: no vulnerability data: the index served no PyPI JSON API document") {
		t.Errorf("--fail-on vulnerable: exit %d, want 1 saying why\n%s%s", code, out, errOut)
	}
	checkOneLine(t, errOut)
}

func rowOf(table, name string) string {
	for _, l := range strings.Split(table, "\n") {
		if f := strings.Fields(l); len(f) > 0 && f[0] == name {
			return l
		}
	}
	return ""
}

// --fail-on vulnerable fails when an upgrade to Wanted fixes a known
// vulnerability; an advisory the upgrade does not fix (baker's, or able's
// when a pin keeps it below the fix) fails nothing. --no-vulns, as a flag or
// a setting, turns the look-ups off, and asking for both is bad usage.
func TestListFailOnVulnerable(t *testing.T) {
	for _, tt := range []struct {
		name, user string
		args       []string
		code       int
		note       bool // able's row names the advisory
	}{
		{"fixable", "", nil, 1, true},
		{"pinned below the fix", `pin = { able = "<1.2" }`, nil, 0, true},
		{"other rules unchanged", "", []string{"--fail-on", "major"}, 1, true},
		{"--no-vulns", "", []string{"--no-vulns"}, -1, false},
		{"no-vulns setting", "no-vulns = true\n", []string{}, -1, false},
		{"no-vulns setting, flag says otherwise", "no-vulns = true\n", []string{"--no-vulns=false"}, 1, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			w := newVulnWorld(t, tt.user)
			args := append([]string{"list"}, tt.args...)
			if tt.args == nil {
				args = append(args, "--fail-on", "vulnerable")
			}
			if tt.code == -1 { // the look-ups are off: no --fail-on vulnerable
				out, errOut, code := w.run(t, append(args, "--fail-on", "vulnerable")...)
				if code != 2 || !strings.Contains(errOut, "--no-vulns") || out != "" {
					t.Errorf("--fail-on vulnerable without look-ups: exit %d, want 2 with one line naming --no-vulns\n%s%s", code, out, errOut)
				}
				tt.code = 0
			} else if len(tt.args) > 0 && tt.args[0] != "--fail-on" {
				args = append(args, "--fail-on", "vulnerable")
			}
			out, errOut, code := w.run(t, args...)
			if code != tt.code {
				t.Errorf("%v: exit %d, want %d\n%s%s", args, code, tt.code, out, errOut)
			}
			if has := strings.Contains(rowOf(out, "able"), "PYSEC-2024-1"); has != tt.note {
				t.Errorf("%v: able's row %q; note shown %v, want %v", args, rowOf(out, "able"), has, tt.note)
			}
		})
	}
}
