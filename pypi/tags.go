package pypi

import (
	"fmt"
	"strings"
)

// TagSet is an interpreter's supported wheel tags with their priority:
// index 0 of the list it was built from is the most preferred.
type TagSet struct {
	priority map[Tag]int
}

// NewTagSet builds a TagSet from supported tags in priority order. Tags are
// lower-cased, as packaging's Tag does. When a tag is listed twice its last
// index counts, as in pip's {tag: idx for idx, tag in enumerate(tags)}.
func NewTagSet(tags []Tag) TagSet {
	s := TagSet{priority: make(map[Tag]int, len(tags))}
	for i, t := range tags {
		s.priority[lowerTag(t)] = i
	}
	return s
}

// Len is the number of distinct supported tags.
func (s TagSet) Len() int { return len(s.priority) }

// Priority returns the lowest priority index among the wheel's tags that the
// set supports (pip's Wheel.find_most_preferred_tag); ok is false when the
// wheel supports none of them (pip's Wheel.supported is false).
func (s TagSet) Priority(w WheelName) (int, bool) {
	best, ok := 0, false
	for _, t := range w.Tags {
		if p, found := s.priority[t]; found && (!ok || p < best) {
			best, ok = p, true
		}
	}
	return best, ok
}

// ParseTag parses one tag written as "interpreter-abi-platform", such as
// "cp311-cp311-manylinux_2_17_x86_64". Compressed tag sets ("py2.py3") are
// refused: they name several tags.
func ParseTag(s string) (Tag, error) {
	parts := strings.Split(s, "-")
	if len(parts) != 3 {
		return Tag{}, fmt.Errorf("parse tag %q: want interpreter-abi-platform", s)
	}
	for _, p := range parts {
		if p == "" || strings.ContainsAny(p, ". \t\r\n") {
			return Tag{}, fmt.Errorf("parse tag %q: empty part or compressed tag set", s)
		}
	}
	return lowerTag(Tag{Interpreter: parts[0], ABI: parts[1], Platform: parts[2]}), nil
}

func lowerTag(t Tag) Tag {
	return Tag{
		Interpreter: strings.ToLower(t.Interpreter),
		ABI:         strings.ToLower(t.ABI),
		Platform:    strings.ToLower(t.Platform),
	}
}
