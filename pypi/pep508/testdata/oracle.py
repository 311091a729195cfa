"""Answers for TestOracle from pip's vendored packaging.

Usage: python3 -I oracle.py PIP_WHEEL < request.json > answer.json
The request holds requirement strings, marker strings, environments and
sets of requested extras. Each environment stands in for
default_environment() of the target interpreter, and markers are evaluated
as pip does: any(marker.evaluate({"extra": e}) for e in extras or [""]).
"""
import json
import sys
import warnings

warnings.simplefilter("ignore")  # invalid escapes such as "\d" only warn
sys.path.insert(0, sys.argv[1])

from pip._vendor.packaging import __version__, markers, requirements  # noqa: E402
from pip._vendor.packaging.utils import canonicalize_name  # noqa: E402

req = json.load(sys.stdin)
out = {"packaging": __version__, "reqs": [], "markers": []}


def kind(e):
    return type(e).__name__


for s in req["reqs"]:
    try:
        r = requirements.Requirement(s)
    except Exception as e:
        out["reqs"].append({"ok": False, "err": kind(e)})
        continue
    out["reqs"].append({
        "ok": True,
        "str": str(r),
        "name": r.name,
        "extras": sorted({canonicalize_name(x) for x in r.extras}),
        "spec": str(r.specifier),
        "url": r.url or "",
        "marker": "" if r.marker is None else str(r.marker),
        "hasmarker": r.marker is not None,
    })

for s in req["markers"]:
    try:
        m = markers.Marker(s)
    except Exception as e:
        out["markers"].append({"ok": False, "err": kind(e)})
        continue
    evals = []
    for env in req["envs"]:
        # Marker.evaluate applies its "+" workaround to default_environment().
        markers.default_environment = lambda env=env: dict(env)
        row = []
        for extras in req["extras"]:
            try:
                ok = any(m.evaluate({"extra": x}) for x in (extras or [""]))
                row.append("true" if ok else "false")
            except Exception as e:
                row.append("E:" + kind(e))
        evals.append(row)
    out["markers"].append({"ok": True, "str": str(m), "evals": evals})

json.dump(out, sys.stdout)
