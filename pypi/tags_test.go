package pypi

import "testing"

func TestParseTag(t *testing.T) {
	tests := []struct {
		in   string
		want Tag
		err  bool
	}{
		{in: "cp311-cp311-manylinux_2_17_x86_64", want: Tag{"cp311", "cp311", "manylinux_2_17_x86_64"}},
		{in: "py3-none-any", want: Tag{"py3", "none", "any"}},
		{in: "CP311-ABI3-Win_AMD64", want: Tag{"cp311", "abi3", "win_amd64"}},
		{in: "py2.py3-none-any", err: true},
		{in: "py3-none", err: true},
		{in: "py3-none-any-x", err: true},
		{in: "py3--any", err: true},
		{in: "", err: true},
	}
	for _, tt := range tests {
		got, err := ParseTag(tt.in)
		if (err != nil) != tt.err || got != tt.want {
			t.Errorf("ParseTag(%q) = %v, %v; want %v, error %v", tt.in, got, err, tt.want, tt.err)
		}
	}
}

func TestTagSetPriority(t *testing.T) {
	set := NewTagSet([]Tag{
		{"cp311", "cp311", "manylinux_2_17_x86_64"},
		{"cp311", "abi3", "manylinux_2_17_x86_64"},
		{"CP311", "None", "Manylinux_2_17_X86_64"},
		{"py3", "none", "manylinux_2_17_x86_64"},
		{"py3", "none", "any"},
		{"cp311", "abi3", "manylinux_2_17_x86_64"}, // listed again: pip's dict keeps the last index
	})
	if set.Len() != 5 {
		t.Errorf("Len() = %d, want 5", set.Len())
	}
	tests := []struct {
		wheel string
		want  int
		ok    bool
	}{
		{"a-1-cp311-cp311-manylinux_2_17_x86_64.whl", 0, true},
		{"a-1-cp311-abi3-manylinux_2_17_x86_64.whl", 5, true},
		{"a-1-cp311-none-manylinux_2_17_x86_64.whl", 2, true}, // set lower-cased the tag
		{"a-1-py2.py3-none-any.whl", 4, true},
		{"a-1-py3-none-any.manylinux_2_17_x86_64.whl", 3, true}, // best of its tags
		{"a-1-cp310-cp310-manylinux_2_17_x86_64.whl", 0, false},
		{"a-1-py3-none-win_amd64.whl", 0, false},
	}
	for _, tt := range tests {
		w, err := ParseWheelFilename(tt.wheel)
		if err != nil {
			t.Fatal(err)
		}
		got, ok := set.Priority(w)
		if got != tt.want || ok != tt.ok {
			t.Errorf("Priority(%s) = %d, %v; want %d, %v", tt.wheel, got, ok, tt.want, tt.ok)
		}
	}
	if _, ok := (TagSet{}).Priority(WheelName{Tags: []Tag{{"py3", "none", "any"}}}); ok {
		t.Error("the zero TagSet supports a tag")
	}
}
