#!/usr/bin/env python3
"""Compare two NDJSON outputs entity by entity, as parsed JSON.

    python3 bench/compare.py EXPECTED.ndjson ACTUAL.ndjson [--max-diffs K] [--keep-filtered]

Exit status 0 if equal, 1 if different, 2 on a usage/IO/parse error. A one-line summary
goes to stdout; details of the first differences go to stderr.

Robust to what legitimately differs between tools:
  * key order inside objects (dicts are compared as dicts);
  * number formatting: 1 == 1.0, and floats are equal within 1e-9 (relative or absolute);
  * decimals written as transit strings ("~f120.5") compare equal to the number 120.5;
  * datetimes written with redundant zero fractions ("~t...12.000000Z" == "~t...12Z");
  * entities emitted with "_filtered": true (what a DTL `filter` produces for a dataset
    sink) are dropped from both sides, unless --keep-filtered is given.
Order of entities is significant (dtl must keep input order, also with --threads N).
"""

import argparse
import json
import math
import re
import sys

TOL = 1e-9
_DT_FRACTION = re.compile(r"^(~t\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$")


def _norm_string(s):
    if s.startswith("~f"):
        try:
            return float(s[2:])
        except ValueError:
            return s
    if s.startswith("~t"):
        m = _DT_FRACTION.match(s)
        if m:
            frac = (m.group(2) or "").rstrip("0")
            return m.group(1) + ("." + frac if frac else "") + "Z"
    return s


def normalize(v):
    if isinstance(v, str):
        return _norm_string(v)
    if isinstance(v, list):
        return [normalize(x) for x in v]
    if isinstance(v, dict):
        return {k: normalize(x) for k, x in v.items()}
    return v


def _is_num(v):
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def diff(a, b, path="$"):
    """Return None if a ~ b, else a string describing the first difference."""
    if _is_num(a) and _is_num(b):
        if a == b or math.isclose(a, b, rel_tol=TOL, abs_tol=TOL):
            return None
        return "%s: %r != %r" % (path, a, b)
    if type(a) is not type(b):
        return "%s: type %s != %s (%s vs %s)" % (path, type(a).__name__, type(b).__name__,
                                                 _short(a), _short(b))
    if isinstance(a, dict):
        ka, kb = set(a), set(b)
        if ka != kb:
            return "%s: keys only in expected %s, only in actual %s" % (
                path, sorted(ka - kb), sorted(kb - ka))
        for k in a:
            d = diff(a[k], b[k], "%s.%s" % (path, k))
            if d:
                return d
        return None
    if isinstance(a, list):
        if len(a) != len(b):
            return "%s: list length %d != %d" % (path, len(a), len(b))
        for i, (x, y) in enumerate(zip(a, b)):
            d = diff(x, y, "%s[%d]" % (path, i))
            if d:
                return d
        return None
    if a != b:
        return "%s: %s != %s" % (path, _short(a), _short(b))
    return None


def _short(v, n=120):
    s = json.dumps(v, ensure_ascii=False)
    return s if len(s) <= n else s[: n - 3] + "..."


def load(path, keep_filtered):
    out = []
    dropped = 0
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                v = json.loads(line)
            except ValueError as e:
                raise SystemExit("compare.py: %s:%d: invalid JSON: %s" % (path, lineno, e))
            if not keep_filtered and isinstance(v, dict) and v.get("_filtered") is True:
                dropped += 1
                continue
            out.append(normalize(v))
    return out, dropped


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("expected")
    ap.add_argument("actual")
    ap.add_argument("--max-diffs", type=int, default=3, help="differences to print (default 3)")
    ap.add_argument("--keep-filtered", action="store_true",
                    help='do not drop entities with "_filtered": true')
    args = ap.parse_args(argv)
    try:
        exp, _ = load(args.expected, args.keep_filtered)
        act, dropped = load(args.actual, args.keep_filtered)
    except OSError as e:
        print("compare.py: %s" % e, file=sys.stderr)
        return 2

    ndiff = 0
    for i, (x, y) in enumerate(zip(exp, act)):
        d = diff(x, y)
        if d:
            ndiff += 1
            if ndiff <= args.max_diffs:
                ident = x.get("_id") if isinstance(x, dict) else None
                print("entity %d (_id=%s): %s" % (i, ident, d), file=sys.stderr)
    if len(exp) != len(act):
        print("entity count %d (expected) != %d (actual)" % (len(exp), len(act)), file=sys.stderr)
    note = " (%d _filtered dropped)" % dropped if dropped else ""
    if ndiff == 0 and len(exp) == len(act):
        print("equal: %d entities%s" % (len(exp), note))
        return 0
    print("DIFFERENT: %d of %d entities differ, counts %d vs %d%s" % (
        ndiff, min(len(exp), len(act)), len(exp), len(act), note))
    return 1


if __name__ == "__main__":
    sys.exit(main())
