package pip

import (
	"bytes"
	"encoding/json"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/pipup/pipup/pypi"
)

// TestEnvProxiesMatchRequests compares the proxy pipup picks from the
// environment with the one pip's vendored requests picks
// (select_proxy(url, get_environ_proxies(url))), for variables in both
// cases, empty lower-case ones, CGI, ALL_PROXY and NO_PROXY forms.
func TestEnvProxiesMatchRequests(t *testing.T) {
	type tcase struct {
		Env map[string]string `json:"env"`
		URL string            `json:"url"`
	}
	envs := []map[string]string{
		{},
		{"HTTP_PROXY": "http://up:1", "HTTPS_PROXY": "up-s:2"},
		{"HTTP_PROXY": "http://up:1", "http_proxy": "http://low:3"},
		{"HTTPS_PROXY": "http://up:2", "https_proxy": ""},
		{"ALL_PROXY": "http://all:4"},
		{"all_proxy": "http://all:4", "https_proxy": "http://low-s:5"},
		{"http_proxy": "http://low:3", "REQUEST_METHOD": "GET"},
		{"HTTP_PROXY": "http://up:1", "REQUEST_METHOD": "GET", "ALL_PROXY": "http://all:4"},
		{"https_proxy": "http://p:6", "http_proxy": "http://p:6", "no_proxy": "internal.example, .corp, 10.0.0.0/8,127.0.0.1"},
		{"https_proxy": "http://p:6", "http_proxy": "http://p:6", "NO_PROXY": "ample.com,svc:8443"},
		{"https_proxy": "http://p:6", "NO_PROXY": "*"},
		{"https_proxy": "http://p:6", "no_proxy": "", "NO_PROXY": "pypi.example"},
		{"https_proxy": "http://u%40x:p%3Aw@p:6"},
	}
	urls := []string{
		"https://pypi.example/simple/", "http://pypi.example/simple/", "https://example.com/", "http://127.0.0.1:8080/",
		"http://10.2.3.4/", "https://a.corp/x", "https://corp/x", "https://x.internal.example/", "https://svc:8443/", "https://svc/",
		"https://PyPI.Example/",
	}
	var cases []tcase
	for _, e := range envs {
		for _, u := range urls {
			cases = append(cases, tcase{e, u})
		}
	}
	py, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not on PATH: the proxy rules cannot be compared with pip's requests")
	}
	in, _ := json.Marshal(cases)
	script := `
import json, os, sys
try:
    from pip._vendor.requests.utils import get_environ_proxies, select_proxy, prepend_scheme_if_needed
except ImportError as e:
    print(json.dumps({"skip": str(e)})); sys.exit(0)
out = []
for c in json.load(sys.stdin):
    os.environ.clear()
    os.environ.update(c["env"])
    p = select_proxy(c["url"], get_environ_proxies(c["url"]))
    out.append(prepend_scheme_if_needed(p, "http") if p else "")
print(json.dumps({"answers": out}))
`
	cmd := exec.CommandContext(t.Context(), py, "-I", "-c", script)
	cmd.Stdin = bytes.NewReader(in)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "LC_ALL=C.UTF-8"}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	res, err := cmd.Output()
	if err != nil {
		t.Fatalf("python3: %v\n%s", err, stderr.Bytes())
	}
	var got struct {
		Skip    string   `json:"skip"`
		Answers []string `json:"answers"`
	}
	if err := json.Unmarshal(res, &got); err != nil {
		t.Fatalf("python3 output %q: %v", res, err)
	}
	if got.Skip != "" {
		t.Skipf("python3 on PATH has no pip to compare with: %s", got.Skip)
	}
	if len(got.Answers) != len(cases) {
		t.Fatalf("python3 answered %d of %d cases", len(got.Answers), len(cases))
	}
	proxied := 0
	for i, c := range cases {
		var environ []string
		for k, v := range c.Env {
			environ = append(environ, k+"="+v)
		}
		u, _ := url.Parse(c.URL)
		p, err := pypi.SelectProxy("", envProxies(environ), u)
		if err != nil {
			// requests picks it too, then fails on its scheme.
			if want := got.Answers[i]; want == "" || strings.HasPrefix(want, "http") {
				t.Errorf("env %v, %s: pipup fails (%v), requests uses %q", c.Env, c.URL, err, want)
			}
			continue
		}
		g := ""
		if p != nil {
			g = p.String()
			proxied++
		}
		if want := got.Answers[i]; g != want {
			t.Errorf("env %v, %s: pipup %q, requests %q", c.Env, c.URL, g, want)
		}
	}
	if proxied == 0 || proxied == len(cases) {
		t.Errorf("fixture too weak: %d of %d cases proxied", proxied, len(cases))
	}
}
