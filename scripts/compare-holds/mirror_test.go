package main

import (
	"slices"
	"testing"

	"github.com/pipup/pipup/pypi/pep440"
)

func TestNewerVersions(t *testing.T) {
	tests := []struct {
		installed, snapshot string
		inSnapshot          bool
		want                []string
		source              string
	}{
		{"1.43.11", "1.44.5", true, []string{"1.43.12", "1.44.0", "1.44.5"}, "snapshot"},
		{"0.17.0", "0.17.1", true, []string{"0.17.1"}, "snapshot"},
		{"0.19", "0.23", true, []string{"0.19.1", "0.20.0", "0.23"}, "snapshot"},
		{"2.9.0.post0", "4.0.0", true, []string{"2.9.1", "2.10.0", "4.0.0"}, "snapshot"},
		{"4.26.0", "4.26.0", true, nil, "snapshot (not newer)"},
		{"3.0", "2.0", true, nil, "snapshot (not newer)"},
		{"2026.5.20", "", false, []string{"2026.5.21", "2026.6.0"}, "synthetic"},
		{"1!2.0", "", false, []string{"1!2.0.1", "1!2.1.0"}, "synthetic"},
		{"1.2.3.4", "1.3", true, []string{"1.2.4", "1.3"}, "snapshot"},
	}
	for _, tt := range tests {
		got, source, err := newerVersions(pep440.MustParse(tt.installed), tt.snapshot, tt.inSnapshot)
		if err != nil {
			t.Errorf("newerVersions(%s, %s): %v", tt.installed, tt.snapshot, err)
			continue
		}
		if !slices.Equal(got, tt.want) || source != tt.source {
			t.Errorf("newerVersions(%s, %s) = %v, %q; want %v, %q", tt.installed, tt.snapshot, got, source, tt.want, tt.source)
		}
	}
}
