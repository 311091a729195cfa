"""Oracle for the pep440 Go tests: answers with pip's vendored packaging.

Usage: python3 -I oracle.py PIP_WHEEL < request.json > answer.json
The request is {"versions": [...], "cversions": [...], "specs": [...]}.
"""
import json
import sys

sys.path.insert(0, sys.argv[1])
from pip._vendor import packaging  # noqa: E402
from pip._vendor.packaging.specifiers import Specifier, SpecifierSet  # noqa: E402
from pip._vendor.packaging.version import Version  # noqa: E402


def num(n):
    return None if n is None else str(n)


def describe(s):
    try:
        v = Version(s)
    except ValueError:  # InvalidVersion, or int() over the digit limit
        return None, None
    pre = v.pre
    return v, [
        str(v), v.is_prerelease, v.is_postrelease, v.is_devrelease,
        str(v.epoch), [str(x) for x in v.release],
        pre[0] if pre else None, num(pre[1]) if pre else None,
        num(v.post), num(v.dev), v.local, v.public, v.base_version,
    ]


def bits(fn, items):
    out = []
    for it in items:
        try:
            out.append("1" if fn(it) else "0")
        except ValueError:
            out.append("E")
    return "".join(out)


def filt(spec, items, pre):
    try:
        ids = {id(v): i for i, v in enumerate(items)}
        return [ids[id(v)] for v in spec.filter(items, prereleases=pre)]
    except ValueError:
        return "E"


def main():
    req = json.load(sys.stdin)
    out = {"packaging": packaging.__version__, "versions": [], "ranks": []}
    parsed = []
    for s in req["versions"]:
        v, d = describe(s)
        parsed.append(v)
        out["versions"].append(d)
    valid = [i for i, v in enumerate(parsed) if v is not None]
    valid.sort(key=lambda i: parsed[i])
    ranks = [None] * len(parsed)
    rank = 0
    for k, i in enumerate(valid):
        if k and parsed[valid[k - 1]] != parsed[i]:
            rank += 1
        ranks[i] = rank
    out["ranks"] = ranks

    cvs = [Version(s) for s in req["cversions"]]
    pres = [v for v in cvs if v.is_prerelease]
    specs = []
    for k, s in enumerate(req["specs"]):
        try:
            ss = SpecifierSet(s)
            text = str(ss)
        except ValueError:
            specs.append(None)
            continue
        single = None
        if "," not in s:
            try:
                sp = Specifier(s)
                single = bits(lambda v: v in sp, cvs)
            except ValueError:
                single = None
        specs.append({
            "str": text,
            "single": single,
            "in": bits(lambda v: v in ss, cvs),
            "pt": bits(lambda v: ss.contains(v, prereleases=True), cvs),
            "pf": bits(lambda v: ss.contains(v, prereleases=False), cvs),
            # filter() is slow and derived from contains(): sample it.
            "filter": filt(ss, cvs, None) if k % 4 == 0 else None,
            "filterpre": filt(ss, cvs, True) if k % 4 == 0 else None,
            # Only pre-releases: the empty set's fallback to them.
            "filterpreonly": filt(ss, pres, None) if k % 4 == 0 else None,
        })
    out["specs"] = specs
    json.dump(out, sys.stdout, separators=(",", ":"))


main()
