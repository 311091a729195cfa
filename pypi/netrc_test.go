package pypi

import (
	"path/filepath"
	"strings"
	"testing"
)

// The expectations were produced by Python 3.11's netrc module, which pip
// reads through requests.
func TestParseNetrc(t *testing.T) {
	type creds = map[string]netrcEntry
	tests := []struct {
		name  string
		text  string
		want  creds // by host; "default" for the default entry
		isErr bool
	}{
		{"basic", "machine a.example login alice password s3cret\n",
			creds{"a.example": {"alice", "s3cret"}}, false},
		{"multi", "machine a login u1 password p1\nmachine b\n  login u2\n  password p2\ndefault login d password dp\n",
			creds{"a": {"u1", "p1"}, "b": {"u2", "p2"}, "default": {"d", "dp"}}, false},
		{"quoted", `machine a login "al ice" password "p\"w d"` + "\n",
			creds{"a": {"al ice", `p"w d`}}, false},
		{"escaped", `machine a login al\ ice password p\\w` + "\n",
			creds{"a": {"al ice", `p\w`}}, false},
		{"comments", "# top comment\nmachine a login u password p # trailing\n#machine b login x password y\n",
			creds{"a": {"u", "p"}}, false},
		{"hash in password", "machine a login u password #notcomment\n",
			creds{"a": {"u", "#notcomment"}}, false},
		{"macdef", "macdef init\ncd /\nput x\n\nmachine a login u password p\n",
			creds{"a": {"u", "p"}}, false},
		{"later entry wins", "machine a login first password 1\nmachine a login second password 2\n",
			creds{"a": {"second", "2"}}, false},
		{"account as login", "machine a account acct password p\n",
			creds{"a": {"acct", "p"}}, false},
		{"case kept", "machine A.Example login u password p\n",
			creds{"A.Example": {"u", "p"}}, false},
		{"no final newline", "machine a login u password p",
			creds{"a": {"u", "p"}}, false},
		{"empty", "", creds{}, false},
		{"bad follower", "machine a login u frob p\n", nil, true},
		{"bad after entry", "machine a login u password p\nbogus\n", nil, true},
		{"unterminated macdef", "macdef x\nline\n", nil, true},
		{"machine without name", "machine", nil, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			n, err := parseNetrc(tc.text)
			if tc.isErr {
				if err == nil {
					t.Fatalf("no error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := creds{}
			for h, e := range n.machines {
				got[h] = e
			}
			if n.def != nil {
				got["default"] = *n.def
			}
			if len(got) != len(tc.want) {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			for h, e := range tc.want {
				if got[h] != e {
					t.Errorf("%s: got %+v, want %+v", h, got[h], e)
				}
			}
		})
	}
}

func TestNetrcErrorsHideTokens(t *testing.T) {
	for _, text := range []string{
		"machine a login u hunter2secret p\n",
		"hunter2secret\n",
		"machine a login u password p\nhunter2secret x\n",
	} {
		_, err := parseNetrc(text)
		if err == nil || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%q: error %v", text, err)
		}
	}
}

func TestNetrcLookup(t *testing.T) {
	n, err := parseNetrc("machine idx.example login u password p\ndefault login d password dp\n")
	if err != nil {
		t.Fatal(err)
	}
	if e, ok := n.lookup("idx.example"); !ok || e.login != "u" {
		t.Errorf("machine: %+v %v", e, ok)
	}
	if e, ok := n.lookup("other.example"); !ok || e.login != "d" {
		t.Errorf("default: %+v %v", e, ok)
	}
	var none *netrc
	if _, ok := none.lookup("x"); ok {
		t.Error("nil netrc found credentials")
	}
}

// Where the .netrc file is, is the caller's decision (pip.Open's
// netrcPath, tested there); a missing file or none is no credentials.
func TestReadNetrcMissing(t *testing.T) {
	for _, p := range []string{"", filepath.Join(t.TempDir(), "missing")} {
		if n, err := readNetrc(p); n != nil || err != nil {
			t.Errorf("readNetrc(%q) = %v, %v; want no netrc and no error", p, n, err)
		}
	}
}
