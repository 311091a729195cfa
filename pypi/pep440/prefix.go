package pep440

import "strings"

// Prefix matching ("==1.2.*", "!=1.*" and the "==" half of "~=") follows
// packaging's string-based algorithm step by step, because its results for
// unusual spellings are not what the grammar suggests: "~=1.4.5c1" means
// ==1.4.5.* while "~=1.4.5rc1" means ==1.4.*, and "~=v1.4" matches nothing.

// versionSplit is packaging's _version_split: the epoch ("0" when absent),
// then the dot-separated items, with "5rc1" split into "5" and "rc1".
func versionSplit(s string) []string {
	epoch, rest := "0", s
	if i := strings.LastIndexByte(s, '!'); i >= 0 {
		epoch, rest = s[:i], s[i+1:]
		if epoch == "" {
			epoch = "0"
		}
	}
	items := []string{epoch}
	for _, item := range strings.Split(rest, ".") {
		if n, ok := preSplit(item); ok {
			items = append(items, item[:n], item[n:])
		} else {
			items = append(items, item)
		}
	}
	return items
}

// preSplit matches ^([0-9]+)((?:a|b|c|rc)[0-9]+)$ (case-sensitive) and
// returns the length of the first group.
func preSplit(item string) (int, bool) {
	n := digits(item, 0)
	if n == 0 {
		return 0, false
	}
	rest := item[n:]
	switch {
	case strings.HasPrefix(rest, "rc"):
		rest = rest[2:]
	case strings.HasPrefix(rest, "a"), strings.HasPrefix(rest, "b"), strings.HasPrefix(rest, "c"):
		rest = rest[1:]
	default:
		return 0, false
	}
	return n, allDigits(rest)
}

// isSuffix is the negation of packaging's _is_not_suffix.
func isSuffix(item string) bool {
	for _, p := range [...]string{"dev", "a", "b", "rc", "post"} {
		if strings.HasPrefix(item, p) {
			return true
		}
	}
	return false
}

// compatiblePrefix computes, from the text of a "~=" clause as written, the
// split prefix that packaging's _compare_compatible matches with "==P.*":
// the items up to the first suffix, without the last one, joined, then
// canonicalised (when valid) and split again.
func compatiblePrefix(text string) []string {
	items := versionSplit(text)
	n := 0
	for n < len(items) && !isSuffix(items[n]) {
		n++
	}
	if n < 2 {
		// Unreachable for texts the grammar accepts (the epoch and the first
		// release number are never suffixes); match nothing.
		return []string{"", "!"}
	}
	items = items[:n-1]
	prefix := items[0] + "!" + strings.Join(items[1:], ".")
	return versionSplit(canonicalize(prefix, false))
}

// prefixMatch is packaging's wildcard branch of _compare_equal for the
// prospective version v: split v's public form, pad its leading numbers
// (epoch and release) with zeros to the spec's count, cut it to the spec's
// length and compare item by item.
func prefixMatch(v Version, spec []string, specRel int) bool {
	it := splitIter{v: v, rel: v.s[v.relStart:v.relEnd], stage: stageEpoch}
	it.pad = specRel - (2 + strings.Count(it.rel, "."))
	for _, want := range spec {
		got, ok := it.next()
		if !ok || got != want {
			return false
		}
	}
	return true
}

const (
	stageEpoch = iota
	stageRelease
	stagePad
	stagePre
	stagePost
	stageDev
	stageDone
)

// splitIter yields the items of versionSplit(v.Public().String()) with the
// zero padding inserted after the release, without allocating.
type splitIter struct {
	v     Version
	rel   string
	pad   int
	stage int
}

func (it *splitIter) next() (string, bool) {
	for {
		switch it.stage {
		case stageEpoch:
			it.stage = stageRelease
			return it.v.Epoch(), true
		case stageRelease:
			var got string
			got, it.rel = nextPart(it.rel)
			if it.rel == "" {
				it.stage = stagePad
			}
			return got, true
		case stagePad:
			if it.pad > 0 {
				it.pad--
				return "0", true
			}
			it.stage = stagePre
		case stagePre, stagePost, stageDev:
			bounds := [...]uint32{it.v.relEnd, it.v.preEnd, it.v.postEnd, it.v.devEnd}
			got := it.v.s[bounds[it.stage-stagePre]:bounds[it.stage-stagePre+1]]
			it.stage++
			if got != "" {
				return strings.TrimPrefix(got, "."), true
			}
		default:
			return "", false
		}
	}
}
