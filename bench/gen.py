#!/usr/bin/env python3
"""Deterministic generator for the dtl benchmark input files.

Writes, with a fixed seed (same bytes on every machine and Python 3 version):

  bench/data/entities.ndjson  N person entities (default 200000), ~400-600 bytes each:
      {"_id": "person-123", "name": "...", "email": "...", "age": 37, "country": "NO",
       "created": "~t2019-03-02T10:11:12Z", "active": true, "tags": ["a", "b"],
       "orders": [{"id": "o1", "amount": 120.5, "sku": "..."}, ...(0-8 orders)],
       "address": {"street": "...", "city": "...", "zip": "0123"}}
  bench/data/orders.ndjson    N order entities whose "cust_id" points at a person "_id"
                              (input for the hops/join benchmark, not timed yet).

Only the stdlib is used. Names, emails and SKUs are ASCII on purpose so that jq 1.6's
ascii_upcase/ascii_downcase are exact equivalents of DTL upper/lower; a few city names
are non-ASCII so that UTF-8 passes through both parsers.

Usage: python3 bench/gen.py [--n N] [--orders M] [--out DIR] [--seed S]
"""

import argparse
import json
import os
import random
import sys

FIRST = [
    "Ola", "Kari", "Per", "Anne", "Lars", "Ingrid", "Nils", "Sigrid", "Erik", "Marit",
    "John", "Mary", "James", "Linda", "Ahmed", "Fatima", "Mohammed", "Sofia", "Lucas", "Emma",
    "Jonas", "Nora", "Henrik", "Astrid", "Magnus", "Thea", "Sander", "Ida", "Kristian", "Maja",
]
LAST = [
    "Nordmann", "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen",
    "Kristiansen", "Jensen", "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen",
    "Hagen", "Johannessen", "Andreassen", "Jacobsen", "Smith", "Garcia", "Haland", "Dahl",
]
DOMAINS = ["example.com", "mail.no", "online.no", "sesam.io", "corp.example.org", "gmail.com"]
COUNTRIES = ["NO", "NO", "NO", "SE", "DK", "FI", "DE", "GB", "US", "NL"]
CITIES = [
    "Oslo", "Bergen", "Trondheim", "Stavanger", "Troms\u00f8", "Drammen", "Fredrikstad",
    "Kristiansand", "Bod\u00f8", "\u00c5lesund", "Stockholm", "G\u00f6teborg", "K\u00f8benhavn",
    "Helsinki", "Berlin", "London", "New York", "Amsterdam",
]
STREETS = [
    "Storgata", "Kirkeveien", "Parkveien", "Skogveien", "Bakkeveien", "Strandveien",
    "Fjordgata", "Solveien", "Elvegata", "Havnegata", "Main Street", "High Street",
]
TAGS = ["vip", "newsletter", "b2b", "b2c", "churn-risk", "loyal", "new", "inactive", "beta", "staff"]
SKU_PREFIX = ["BOOK", "ELEC", "HOME", "TOYS", "FOOD", "SPRT", "GARD", "CLTH"]
STATUS = ["open", "paid", "shipped", "delivered", "cancelled", "returned"]

# 2015-01-01T00:00:00Z .. ~2024-12-31 as epoch seconds; converted without time.gmtime's
# platform dependence by a small civil-from-days routine.
EPOCH_START = 1420070400
EPOCH_SPAN = 10 * 365 * 86400


def civil_from_days(z):
    """Days since 1970-01-01 -> (year, month, day) (Howard Hinnant's algorithm)."""
    z += 719468
    era = (z if z >= 0 else z - 146096) // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    y = yoe + era * 400
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + 3 if mp < 10 else mp - 9
    return (y + 1 if m <= 2 else y), m, d


def transit_datetime(epoch):
    days, secs = divmod(epoch, 86400)
    y, m, d = civil_from_days(days)
    hh, rem = divmod(secs, 3600)
    mm, ss = divmod(rem, 60)
    return "~t%04d-%02d-%02dT%02d:%02d:%02dZ" % (y, m, d, hh, mm, ss)


def person(rng, i):
    first = rng.choice(FIRST)
    last = rng.choice(LAST)
    name = "%s %s" % (first, last)
    email = "%s.%s%d@%s" % (first, last, rng.randrange(1000), rng.choice(DOMAINS))
    # Mixed case on purpose, so lower() has work to do.
    if rng.random() < 0.5:
        email = email.lower()
    n_orders = rng.randrange(9)  # 0..8
    orders = []
    for k in range(n_orders):
        orders.append({
            "id": "o%d-%d" % (i, k + 1),
            "amount": round(rng.uniform(5.0, 500.0), 2),
            "sku": "%s-%05d" % (rng.choice(SKU_PREFIX), rng.randrange(100000)),
            "qty": rng.randrange(1, 6),
        })
    return {
        "_id": "person-%d" % i,
        "name": name,
        "email": email,
        "age": rng.randrange(18, 91),
        "country": rng.choice(COUNTRIES),
        "created": transit_datetime(EPOCH_START + rng.randrange(EPOCH_SPAN)),
        "active": rng.random() < 0.8,
        "tags": rng.sample(TAGS, rng.randrange(4)),
        "orders": orders,
        "address": {
            "street": "%s %d" % (rng.choice(STREETS), rng.randrange(1, 200)),
            "city": rng.choice(CITIES),
            "zip": "%04d" % rng.randrange(10000),
        },
    }


def order(rng, j, n_persons):
    return {
        "_id": "order-%d" % j,
        "cust_id": "person-%d" % rng.randrange(n_persons),
        "amount": round(rng.uniform(5.0, 2000.0), 2),
        "sku": "%s-%05d" % (rng.choice(SKU_PREFIX), rng.randrange(100000)),
        "status": rng.choice(STATUS),
        "placed": transit_datetime(EPOCH_START + rng.randrange(EPOCH_SPAN)),
    }


def write_ndjson(path, rows):
    tmp = path + ".tmp"
    n = 0
    size = 0
    with open(tmp, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            line = json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n"
            f.write(line)
            n += 1
            size += len(line.encode("utf-8"))
    os.replace(tmp, path)
    return n, size


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=200000, help="number of person entities (default 200000)")
    ap.add_argument("--orders", type=int, default=None, help="number of order entities (default: 200000, or --n if smaller)")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)), "data"),
                    help="output directory (default bench/data)")
    ap.add_argument("--seed", type=int, default=20240917, help="random seed (default fixed)")
    args = ap.parse_args(argv)
    if args.n <= 0:
        ap.error("--n must be positive")
    n_orders = args.orders if args.orders is not None else min(200000, max(args.n, 1))

    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    p_path = os.path.join(args.out, "entities.ndjson")
    n, size = write_ndjson(p_path, (person(rng, i) for i in range(args.n)))
    print("wrote %s: %d entities, %.1f MB, %.0f B/entity" % (p_path, n, size / 1e6, size / n), file=sys.stderr)

    rng = random.Random(args.seed + 1)
    o_path = os.path.join(args.out, "orders.ndjson")
    n, size = write_ndjson(o_path, (order(rng, j, args.n) for j in range(n_orders)))
    print("wrote %s: %d entities, %.1f MB" % (o_path, n, size / 1e6), file=sys.stderr)


if __name__ == "__main__":
    main()
