package pip

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseINI(t *testing.T) {
	type kv = map[string]string // "section.key" -> value
	tests := []struct {
		name    string
		text    string
		want    kv
		wantErr string
	}{
		{"delimiters and case", "[global]\nIndex-URL = a\ntimeout: 3\nx=y=z\n", kv{"global.index-url": "a", "global.timeout": "3", "global.x": "y=z"}, ""},
		{"first delimiter splits", "[g]\nurl: http://h:80/x\n", kv{"g.url": "http://h:80/x"}, ""},
		{"comments whole-line only", "# c\n[g]\n; c\na = v # not a comment\n  # indented comment\n", kv{"g.a": "v # not a comment"}, ""},
		{"continuation", "[g]\nfind-links =\n    one\n\n    two\n  three\nb = 1\n", kv{"g.find-links": "\none\n\ntwo\nthree", "g.b": "1"}, ""},
		{"trailing blank lines dropped", "[g]\na = 1\n\n\n[h]\n", kv{"g.a": "1"}, ""},
		{"indented key after header is a key", "[g]\n  a = 1\n  b = 2\n", kv{"g.a": "1", "g.b": "2"}, ""},
		{"header to last bracket", "[g]x]junk\na=1\n[ s ]\nb=2\n", kv{"g]x.a": "1", " s .b": "2"}, ""},
		{"CR and CRLF newlines", "[g]\r\na = 1\rb = 2\r\n", kv{"g.a": "1", "g.b": "2"}, ""},
		{"DEFAULT applies to sections", "[DEFAULT]\nr = 1\n[g]\nr = 2\n[h]\n", kv{"g.r": "2", "h.r": "1"}, ""},
		{"DEFAULT alone gives nothing", "[DEFAULT]\nr = 1\n", kv{}, ""},
		{"empty value", "[g]\na =\n", kv{"g.a": ""}, ""},
		{"no section", "a = 1\n", nil, "line 1: no section header"},
		{"BOM is not stripped", "\ufeff[g]\n", nil, "line 1: no section header"},
		{"duplicate section", "[g]\n[h]\n[g]\n", nil, "line 3: section [g] already exists"},
		{"duplicate key ignores case", "[g]\na = 1\nA = 2\n", nil, `line 3: option "a" in section [g] already exists`},
		{"line without delimiter", "[g]\njunk\nok = 1\nmore junk\n", nil, `line 2: "junk" (and 1 more)`},
		{"credentials masked in errors", "https://u:secret@h/\n", nil, `"https://****@h/"`},
		{"empty key", "[g]\n= 1\n", nil, "line 2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := parseINI(tt.text)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tt.wantErr)
				}
				if strings.Contains(err.Error(), "secret") {
					t.Errorf("error leaks a credential: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := kv{}
			for _, s := range f.sections {
				for _, k := range f.defaults.keys {
					if _, own := s.vals[k]; !own {
						got[s.name+"."+k] = f.defaults.value(k)
					}
				}
				for _, k := range s.keys {
					got[s.name+"."+k] = s.value(k)
				}
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %q\nwant %q", got, tt.want)
			}
		})
	}
}
