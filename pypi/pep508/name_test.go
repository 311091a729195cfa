package pep508

import "testing"

func TestValidName(t *testing.T) {
	tests := []struct {
		name string
		want bool
	}{
		{"a", true},
		{"7", true},
		{"NumPy", true},
		{"zope.interface", true},
		{"typing_extensions", true},
		{"a-_.b", true},
		{"a__b", true},
		{"", false},
		{"-a", false},
		{"a-", false},
		{".a", false},
		{"a_", false},
		{"~atplotlib", false}, // what an interrupted pip run leaves
		{"no such", false},
		{"é", false},
		{"a/b", false},
		{"a\n", false},
		{"\u017f", true}, // "ſ" folds to "s", in Go as in Python's re
	}
	for _, tt := range tests {
		if got := ValidName(tt.name); got != tt.want {
			t.Errorf("ValidName(%q) = %t, want %t", tt.name, got, tt.want)
		}
	}
}
