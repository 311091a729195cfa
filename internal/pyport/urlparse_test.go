package pyport

import "testing"

func TestPyUnquote(t *testing.T) {
	tests := []struct{ in, want string }{
		{"a%20b", "a b"},
		{"%zz%4", "%zz%4"},
		{"%C3%A9", "é"},
		{"%E2%82", "\uFFFD"},                // one maximal subpart
		{"%E2%82%41", "\uFFFDA"},            // truncated, then ASCII
		{"%ED%A0%80", "\uFFFD\uFFFD\uFFFD"}, // surrogate: each byte
		{"%F0%9F%98", "\uFFFD"},
		{"%C0%80", "\uFFFD\uFFFD"},
		{"é%C3", "é\uFFFD"},
	}
	for _, tt := range tests {
		if got := Unquote(tt.in); got != tt.want {
			t.Errorf("Unquote(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
