package pyport

import (
	"slices"
	"testing"
)

var quoteInputs = []string{
	"", "abc", "a b", "a/b c", "~user", "100%", "%41%zz%4", "a%20b", "é", "%C3%A9", "%E2%82", "%E2%82%41",
	"%ED%A0%80", "%F0%9F%98", "%C0%80", "é%C3", "%FF%FE", "a+b", "a;b=c?d#e", "日本語/ファイル.whl", "%2F%2f@",
	"\x00\x1f\x7f", "%%%", "%e2%82%ac",
}

func TestQuoteMatchesPython(t *testing.T) {
	var want []string
	runPython(t, `from urllib.parse import quote
print(json.dumps([quote(s, safe="/") for s in json.load(sys.stdin)]))`, quoteInputs, &want)
	for i, s := range quoteInputs {
		if got := Quote(s); got != want[i] {
			t.Errorf("Quote(%q) = %q; Python %q", s, got, want[i])
		}
	}
}

func TestUnquoteMatchesPython(t *testing.T) {
	var want []string
	runPython(t, `from urllib.parse import unquote
print(json.dumps([unquote(s) for s in json.load(sys.stdin)]))`, quoteInputs, &want)
	for i, s := range quoteInputs {
		if got := Unquote(s); got != want[i] {
			t.Errorf("Unquote(%q) = %q; Python %q", s, got, want[i])
		}
	}
}

var urlInputs = []string{
	"", "https://idx.example/simple/pkg/", "HTTP://Host:80/a/b;p?q=1#frag", "  https://x/y", "\x01https://x/y",
	"ht\ttp://x/\ny", "//host/path", "/abs/path;params", "rel/path?x#y", "file:///tmp/a%20b.whl", "file:/tmp/x",
	"mailto:someone@example.com", "http://[::1]:8080/x", "http://[::1/x", "http://]x/", "http://[v1.fe]/",
	"http://[vz.x]/", "http://[127.0.0.1]/", "http://[fe80::1%25eth0]/", "http://user:pw@host/p",
	"http://ex\uff03ample/", "http://ex\u2100ample/", "http://ex\u00e9mple/", "1http://x", "a+b-c.d:rest",
	"sip:alice;transport=tcp", "tel:+1;ext=2", "http://h/a;b/c;d", "http://h?q", "http://h#f", "git+ssh://g/x",
	"svn+ssh://s/x", "ws://w/x", "custom://c/x",
}

func TestURLSplitMatchesPython(t *testing.T) {
	var want []errOr[[6]string]
	runPython(t, `from urllib.parse import urlsplit, urlunsplit
def f(u):
    try:
        s = urlsplit(u)
    except ValueError:
        return None
    return list(s) + [urlunsplit(s)]
print(json.dumps([f(u) for u in json.load(sys.stdin)]))`, urlInputs, &want)
	for i, u := range urlInputs {
		p, err := URLSplit(u, "")
		if (err == nil) != want[i].OK {
			t.Errorf("URLSplit(%q) error %v; Python raised: %v", u, err, !want[i].OK)
			continue
		}
		if err != nil {
			continue
		}
		got := [6]string{p.Scheme, p.Netloc, p.Path, p.Query, p.Fragment, p.Unsplit()}
		if got != want[i].V {
			t.Errorf("URLSplit(%q) + Unsplit = %q; Python %q", u, got, want[i].V)
		}
	}
}

func TestURLParseMatchesPython(t *testing.T) {
	var want []errOr[[7]string]
	runPython(t, `from urllib.parse import urlparse, urlunparse
def f(u):
    try:
        s = urlparse(u)
    except ValueError:
        return None
    return [s.scheme, s.netloc, s.path, s.params, s.query, s.fragment, urlunparse(s)]
print(json.dumps([f(u) for u in json.load(sys.stdin)]))`, urlInputs, &want)
	for i, u := range urlInputs {
		p, params, err := URLParse(u, "")
		if (err == nil) != want[i].OK {
			t.Errorf("URLParse(%q) error %v; Python raised: %v", u, err, !want[i].OK)
			continue
		}
		if err != nil {
			continue
		}
		got := [7]string{p.Scheme, p.Netloc, p.Path, params, p.Query, p.Fragment, p.Unparse(params)}
		if got != want[i].V {
			t.Errorf("URLParse(%q) + Unparse = %q; Python %q", u, got, want[i].V)
		}
	}
}

func TestURLJoinMatchesPython(t *testing.T) {
	bases := []string{
		"https://idx.example/simple/pkg/", "https://idx.example/simple/pkg", "https://idx.example/a/b/c;p?q#f",
		"file:///tmp/links/", "", "http://h", "mailto:x@y", "http://[::1/x",
	}
	refs := []string{
		"", "x.whl", "../../packages/x.whl", "/abs/x.whl", "//other/x.whl", "https://cdn/x.whl", "?q=2", "#frag",
		".", "..", "./", "../", "a/./b/../c", "../../../../x", "a//b", ";p2", "g;x?y#s", "http:x", "ftp://f/x",
		"mailto:z", "http://[::1", "%7Euser/x",
	}
	var in [][2]string
	for _, b := range bases {
		for _, r := range refs {
			in = append(in, [2]string{b, r})
		}
	}
	var want []errOr[string]
	runPython(t, `from urllib.parse import urljoin
def f(b, r):
    try:
        return urljoin(b, r)
    except ValueError:
        return None
print(json.dumps([f(b, r) for b, r in json.load(sys.stdin)]))`, in, &want)
	for i, c := range in {
		got, err := URLJoin(c[0], c[1])
		if (err == nil) != want[i].OK || got != want[i].V {
			t.Errorf("URLJoin(%q, %q) = %q, %v; Python %q (raised: %v)", c[0], c[1], got, err, want[i].V, !want[i].OK)
		}
	}
}

func TestUsesListsMatchPython(t *testing.T) {
	var want [3][]string
	runPython(t, `import urllib.parse as p
json.load(sys.stdin)
print(json.dumps([p.uses_relative, p.uses_netloc, p.uses_params]))`, nil, &want)
	funcs := [3]func(string) bool{UsesRelative, UsesNetloc, UsesParams}
	names := [3]string{"UsesRelative", "UsesNetloc", "UsesParams"}
	var all []string
	for _, l := range want {
		all = append(all, l...)
	}
	all = append(all, "custom", "HTTP", "git+https", "data")
	for k, f := range funcs {
		for _, s := range all {
			if got, py := f(s), slices.Contains(want[k], s); got != py {
				t.Errorf("%s(%q) = %v; Python %v", names[k], s, got, py)
			}
		}
	}
}
