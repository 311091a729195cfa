package settings

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// ParseDuration reads a cooldown: "0" (off), a number of days or weeks
// ("7d", "2w"), or anything time.ParseDuration reads ("36h", "90m",
// "1h30m"). time.ParseDuration has no days, and a cooldown is mostly
// days, so the two day-sized units are added here; no library in the
// module proxy's list was worth a dependency for that.
func ParseDuration(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "0" {
		return 0, nil
	}
	for _, u := range []struct {
		suffix string
		size   time.Duration
	}{{"d", 24 * time.Hour}, {"w", 7 * 24 * time.Hour}} {
		if n, ok := strings.CutSuffix(s, u.suffix); ok {
			v, err := strconv.ParseUint(n, 10, 32)
			if err != nil {
				return 0, fmt.Errorf(`%q is not a duration such as "7d" or "36h"`, s)
			}
			// A Duration holds about 292 years; more would wrap round to a
			// wrong (even negative) value.
			if v > uint64(math.MaxInt64/int64(u.size)) {
				return 0, fmt.Errorf("%q is longer than pipup can count (about 290 years)", s)
			}
			return time.Duration(v) * u.size, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, fmt.Errorf(`%q is not a duration such as "7d" or "36h"`, s)
	}
	if d < 0 {
		return 0, errors.New("a cooldown cannot be negative")
	}
	return d, nil
}

// FormatDuration writes d so that ParseDuration reads it back: whole days
// as "7d", anything else in Go's form without its zero tails ("36h",
// "1h30m", not "36h0m0s"), as a person writes it and notes show it.
func FormatDuration(d time.Duration) string {
	switch {
	case d == 0:
		return "0"
	case d%(24*time.Hour) == 0:
		return fmt.Sprintf("%dd", d/(24*time.Hour))
	}
	s := d.String()
	if d%time.Minute == 0 {
		s = strings.TrimSuffix(s, "0s")
		if d%time.Hour == 0 {
			s = strings.TrimSuffix(s, "0m")
		}
	}
	return s
}
