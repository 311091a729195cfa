package pip

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/pipup/pipup/internal/pyport"
	"github.com/pipup/pipup/pypi"
)

// normalizeConfigName is pip's _normalize_name.
func normalizeConfigName(name string) string {
	name = strings.ReplaceAll(pyport.Lower(name), "_", "-")
	return strings.TrimPrefix(name, "--")
}

type optionKind int

const (
	optString optionKind = iota
	optPath              // type="path": expanduser
	optList              // action="append": whitespace-split, replaces
	optBool              // store_true: strtobool
	optFloat
	optInt
)

// lookupOption maps a long option name of pip's list and install parsers
// to the option pipup tracks (named by its canonical long name).
func lookupOption(name string) (dest string, kind optionKind, ok bool) {
	switch name {
	case "index-url", "pypi-url":
		return "index-url", optString, true
	case "extra-index-url", "find-links", "trusted-host":
		return name, optList, true
	case "no-index", "pre":
		return name, optBool, true
	case "cert", "client-cert":
		return name, optPath, true
	case "timeout", "default-timeout":
		return "timeout", optFloat, true
	case "retries":
		return name, optInt, true
	case "proxy":
		return name, optString, true
	}
	return "", 0, false
}

func (c *IndexConfig) apply(dest string, kind optionKind, val, home string) error {
	switch kind {
	case optString:
		if dest == "index-url" {
			c.IndexURL = val
		} else {
			c.Proxy = val
		}
	case optPath:
		if dest == "cert" {
			c.Cert = pyport.ExpandUser(val, home)
		} else {
			c.ClientCert = pyport.ExpandUser(val, home)
		}
	case optList:
		list := strings.FieldsFunc(val, pyport.IsSpace)
		switch dest {
		case "extra-index-url":
			c.ExtraIndexURLs = list
		case "find-links":
			c.FindLinks = list
		default:
			c.TrustedHosts = list
		}
	case optBool:
		b, err := strToBool(val)
		if err != nil {
			return err
		}
		if dest == "pre" {
			c.Pre = b
		} else {
			c.NoIndex = b
		}
	case optFloat:
		secs, err := optionFloat(val)
		if err != nil {
			return err
		}
		if math.IsNaN(secs) || secs < 0 {
			return fmt.Errorf("%q is not a usable number of seconds", pypi.RedactURL(val))
		}
		c.Timeout = time.Duration(math.MaxInt64)
		if ns := secs * float64(time.Second); ns < float64(math.MaxInt64) {
			c.Timeout = time.Duration(math.Round(ns))
		}
	case optInt:
		n, err := optionInt(val)
		if err != nil {
			return err
		}
		c.Retries = n
	}
	return nil
}

// strToBool is pip's strtobool: no trimming, case-insensitive.
func strToBool(v string) (bool, error) {
	switch pyport.Lower(v) {
	case "y", "yes", "t", "true", "on", "1":
		return true, nil
	case "n", "no", "f", "false", "off", "0":
		return false, nil
	}
	return false, fmt.Errorf("%q is not a boolean; use yes/no, true/false or 1/0", pypi.RedactURL(v))
}

// optionFloat is optparse's "float" check: Python's float(), with the
// value quoted (redacted) in the error.
func optionFloat(v string) (float64, error) {
	f, err := pyport.Float(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not a floating-point value", pypi.RedactURL(v))
	}
	return f, nil
}

// optionInt is optparse's "int" check (optparse._parse_int).
func optionInt(v string) (int, error) {
	n, err := pyport.OptparseInt(v)
	if err != nil {
		return 0, fmt.Errorf("%q is not an integer", pypi.RedactURL(v))
	}
	return int(n), nil
}
