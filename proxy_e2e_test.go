package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pipup/pipup/pip/piptest"
	"github.com/pipup/pipup/pypi/pypitest"
)

// TestListThroughProxy: an index whose host name resolves only through a
// forward proxy. With pip.conf's proxy (and, separately, HTTP_PROXY),
// `pipup list --json` answers what `pip list --outdated --format=json`
// answers, and both sent their requests through the proxy. (The case
// without a proxy is not run: it would send a DNS query for the name off
// this machine.)
func TestListThroughProxy(t *testing.T) {
	bin := pipupBinary(t)
	s, pins := parityIndex(t)
	proxy, err := pypitest.NewProxy(map[string]string{"index.invalid": strings.TrimPrefix(s.URL, "http://")}, pypitest.ProxyAuth("alice", "pr0xy-pw"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(proxy.Close)
	proxyURL := strings.Replace(proxy.URL, "http://", "http://alice:pr0xy-pw@", 1)

	py := pythons.Venv(t, piptest.WithPip)
	home := t.TempDir()
	if _, errOut, code := runCmd(t, piptest.HomeEnviron(home), py, append([]string{"-m", "pip", "install", "-q", "--index-url", s.IndexURL()}, pins...)...); code != 0 {
		t.Fatalf("pip install: %s", errOut)
	}
	conf := func(extra string) string {
		path := filepath.Join(t.TempDir(), "pip.conf")
		body := "[global]\nindex-url = http://index.invalid/simple/\ntrusted-host = index.invalid\n" + extra
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	for _, tc := range []struct {
		name string
		env  []string
		args []string // for pip and pipup alike
	}{
		{"pip.conf proxy", piptest.HomeEnviron(home, "PIP_CONFIG_FILE="+conf("proxy = "+proxyURL+"\n")), nil},
		{"HTTP_PROXY", piptest.HomeEnviron(home, "PIP_CONFIG_FILE="+conf(""), "HTTP_PROXY="+proxyURL), nil},
		{"--proxy over a dead HTTP_PROXY", piptest.HomeEnviron(home, "PIP_CONFIG_FILE="+conf(""), "HTTP_PROXY=http://127.0.0.1:1"), []string{"--proxy", proxyURL}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := proxy.Counts().Requests
			out, errOut, code := runCmd(t, tc.env, py, append([]string{"-m", "pip", "list", "--outdated", "--format=json"}, tc.args...)...)
			if code != 0 && tc.args != nil && strings.Contains(errOut, "127.0.0.1:1") {
				// pip before 24.1 let the environment's proxy win over --proxy (pip issue 10685).
				t.Skipf("this pip lets HTTP_PROXY override --proxy (fixed in pip 24.1); pipup follows the fixed behaviour")
			}
			if code != 0 {
				t.Fatalf("pip list: exit %d: %s", code, errOut)
			}
			var want []pipListEntry
			if err := json.Unmarshal([]byte(out), &want); err != nil {
				t.Fatalf("pip list output: %v\n%s", err, out)
			}
			viaPip := proxy.Counts().Requests - before
			if len(want) < 15 || viaPip == 0 {
				t.Fatalf("fixture too weak: pip reports %d outdated packages with %d requests through the proxy", len(want), viaPip)
			}
			before = proxy.Counts().Requests
			out, errOut, code = runCmd(t, tc.env, bin, append([]string{"list", "--json", "--no-cache", "--python", py}, tc.args...)...)
			if strings.Contains(out+errOut, "pr0xy-pw") {
				t.Errorf("pipup printed the proxy password:\n%s\n%s", out, errOut)
			}
			if code != 0 {
				t.Fatalf("pipup list: exit %d: %s", code, errOut)
			}
			var got []pipListEntry
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatalf("pipup list output: %v\n%s", err, out)
			}
			if g, w := strings.Join(entriesKey(got), "\n"), strings.Join(entriesKey(want), "\n"); g != w {
				t.Errorf("pipup and pip disagree\npipup:\n%s\n\npip:\n%s", g, w)
			}
			if viaPipup := proxy.Counts().Requests - before; viaPipup < int64(len(pins)) {
				t.Errorf("pipup sent %d requests through the proxy for %d packages", viaPipup, len(pins))
			}
		})
	}
}
