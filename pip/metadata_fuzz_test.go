package pip

import (
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"unicode/utf8"
)

func FuzzParseMetadata(f *testing.F) {
	for _, s := range []string{
		"Metadata-Version: 2.1\nName: a\nVersion: 1\nRequires-Dist: b\n\nbody",
		"Name: a\r\nSummary: x\r\n y\r\n\r\n",
		"\xef\xbb\xbfName: bom\n",
		"Name: a\nnot a header\nVersion: 1\n",
		" lead\nName:x\n",
		"Name: \xff\xfe\nVersion: 1\n",
		"SummArY:0\r0", // a lone \r ends a line, as in Python's email parser
	} {
		f.Add(s, "Name: from-body\n")
	}
	f.Fuzz(func(t *testing.T, head, body string) {
		md, err := ParseMetadata(strings.NewReader(head))
		if err != nil {
			t.Fatalf("error on an in-memory reader: %v", err)
		}
		for _, v := range append([]string{md.Name, md.Version, md.Summary, md.RequiresPython}, md.RequiresDist...) {
			if strings.ContainsAny(v, "\r\n") || v != strings.TrimSpace(v) || !utf8.ValidString(v) {
				t.Fatalf("bad value %q", v)
			}
		}
		if n := strings.Count(head, "\n") + 1; len(md.RequiresDist) > n {
			t.Fatalf("%d Requires-Dist from %d lines", len(md.RequiresDist), n)
		}
		// Reading in tiny pieces gives the same answer.
		md1, err := ParseMetadata(iotest.OneByteReader(strings.NewReader(head)))
		if err != nil || !reflect.DeepEqual(md, md1) {
			t.Fatalf("one byte at a time: %+v, %v; want %+v", md1, err, md)
		}
		// Whatever follows the blank line is body and changes nothing.
		withBody, err := ParseMetadata(strings.NewReader(head + "\n\n" + body))
		headOnly, err2 := ParseMetadata(strings.NewReader(head + "\n\n"))
		if err != nil || err2 != nil || !reflect.DeepEqual(withBody, headOnly) {
			t.Fatalf("body changed the result: %+v vs %+v", withBody, headOnly)
		}
	})
}
