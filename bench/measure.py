#!/usr/bin/env python3
"""Timing and reporting helpers for bench/run.sh (stdlib only).

  measure.py time --runs K --out FILE --err FILE [--stdin FILE] -- CMD [ARG]...
      Runs CMD K times (stdout -> FILE, stderr -> FILE, stdin from --stdin or /dev/null).
      Prints "WALL_SECONDS PEAK_RSS_KB EXIT_CODE": the best (minimum) wall-clock time, the
      largest peak resident set size of the child (from wait4's rusage, so it is the
      measured process alone), and the exit code. Stops at the first failing run.

  measure.py table --tsv FILE --entities N --bytes B --threads T [--title S]...
      Renders the rows collected by run.sh as a markdown table (see bench/README.md).
"""

import argparse
import os
import subprocess
import sys
import time


def cmd_time(args):
    if not args.cmd:
        print("measure.py time: no command given", file=sys.stderr)
        return 2
    cmd = args.cmd[1:] if args.cmd[0] == "--" else args.cmd
    # Peak RSS: ru_maxrss survives execve, so a child forked from this Python process would
    # report at least Python's own RSS. GNU time (small) is used as the parent when present.
    time_bin = os.environ.get("TIME_BIN", "/usr/bin/time")
    rss_file = args.out + ".rss"
    use_time = os.access(time_bin, os.X_OK)
    if use_time:
        cmd = [time_bin, "-f", "%M", "-o", rss_file] + cmd
    best = None
    peak = 0
    rc = 0
    for _ in range(max(1, args.runs)):
        stdin = open(args.stdin, "rb") if args.stdin else open(os.devnull, "rb")
        with stdin, open(args.out, "wb") as out, open(args.err, "wb") as err:
            t0 = time.perf_counter()
            try:
                p = subprocess.Popen(cmd, stdin=stdin, stdout=out, stderr=err)
            except OSError as e:
                err.write(("cannot start %s: %s\n" % (cmd[0], e)).encode())
                rc = 127
                break
            _, status, ru = os.wait4(p.pid, 0)
            wall = time.perf_counter() - t0
            p.returncode = os.waitstatus_to_exitcode(status)
        rc = p.returncode
        if use_time:
            try:
                with open(rss_file, encoding="utf-8", errors="replace") as f:
                    last = f.read().strip().splitlines()[-1:]
                peak = max(peak, int(last[0]) if last and last[0].isdigit() else 0)
            except OSError:
                pass
        else:
            peak = max(peak, ru.ru_maxrss)  # KB on Linux
        if rc != 0:
            break
        best = wall if best is None else min(best, wall)
    print("%.4f %d %d" % (best if best is not None else -1.0, peak, rc))
    return 0


def _fmt_rate(x):
    if x >= 1e6:
        return "%.2fM" % (x / 1e6)
    if x >= 1e3:
        return "%.0fk" % (x / 1e3)
    return "%.0f" % x


def cmd_table(args):
    # rows: program \t tool \t status \t secs \t rss_kb \t match
    res = {}
    programs = []
    tools_seen = set()
    with open(args.tsv, encoding="utf-8") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 6:
                continue
            prog, tool, status, secs, rss, match = parts[:6]
            if prog not in programs:
                programs.append(prog)
            tools_seen.add(tool)
            res[(prog, tool)] = (status, float(secs), int(rss), match)

    ent, nbytes, threads = args.entities, args.bytes, args.threads

    def ok(prog, tool):
        # A run that exited 0 but printed nothing (e.g. a stub binary) counts as failed.
        r = res.get((prog, tool))
        return r if r and r[0] == "ok" and r[1] > 0 and r[3] != "empty" else None

    def rate(prog, tool):
        r = ok(prog, tool)
        if not r:
            return "n/a"
        return "%s / %.1f" % (_fmt_rate(ent / r[1]), nbytes / 1e6 / r[1])

    def ratio(prog, num, prog_den, den):
        a, b = ok(prog, num), ok(prog_den, den)
        if not a or not b:
            return "n/a"
        return "%.2fx" % (b[1] / a[1])

    def rss(prog, tool):
        r = res.get((prog, tool))
        if not r or r[0] == "skip":
            return "-"
        if not ok(prog, tool):
            return "n/a"
        return "%d" % r[2]

    def match(prog):
        vals = []
        for tool, label in (("dtl1", "1t"), ("dtlN", "%dt" % threads)):
            r = res.get((prog, tool))
            if r and r[0] == "ok":
                vals.append("%s:%s" % (label, r[3]))
        return " ".join(vals) if vals else "n/a"

    has_jaq = "jaq" in tools_seen
    has_floor = ok("bare_floor", "bare") is not None
    hdr = ["program", "dtl 1t ent/s / MB/s", "dtl %dt ent/s / MB/s" % threads, "jq ent/s / MB/s"]
    if has_jaq:
        hdr.append("jaq ent/s / MB/s")
    hdr += ["dtl1/jq", "dtl%d/dtl1" % threads]
    if has_floor:
        hdr.append("dtl1/floor")
    hdr += ["peak RSS KB dtl1 / dtl%d / jq" % threads, "output = jq"]

    lines = []
    for t in args.title or []:
        lines.append(t)
    if args.title:
        lines.append("")
    lines.append("| " + " | ".join(hdr) + " |")
    lines.append("|" + "|".join("---" if i == 0 else "---:" for i in range(len(hdr) - 1)) + "|:---:|")
    for prog in programs:
        if prog == "bare_floor":
            if not has_floor:
                continue
            cells = ["bare_floor (serde_json parse+serialize)", rate(prog, "bare"), "-", "-"]
            if has_jaq:
                cells.append("-")
            cells += ["-", "-"]
            if has_floor:
                cells.append("1.00x")
            cells += ["%s / - / -" % rss(prog, "bare"), "-"]
        else:
            cells = [prog, rate(prog, "dtl1"), rate(prog, "dtlN"), rate(prog, "jq")]
            if has_jaq:
                cells.append(rate(prog, "jaq"))
            cells += [ratio(prog, "dtl1", prog, "jq"), ratio(prog, "dtlN", prog, "dtl1")]
            if has_floor:
                cells.append(ratio(prog, "dtl1", "bare_floor", "bare"))
            cells += ["%s / %s / %s" % (rss(prog, "dtl1"), rss(prog, "dtlN"), rss(prog, "jq")),
                      match(prog)]
        lines.append("| " + " | ".join(cells) + " |")
    print("\n".join(lines))
    return 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="sub", required=True)
    t = sub.add_parser("time")
    t.add_argument("--runs", type=int, default=3)
    t.add_argument("--out", required=True)
    t.add_argument("--err", required=True)
    t.add_argument("--stdin")
    t.add_argument("cmd", nargs=argparse.REMAINDER)
    tb = sub.add_parser("table")
    tb.add_argument("--tsv", required=True)
    tb.add_argument("--entities", type=int, required=True)
    tb.add_argument("--bytes", type=int, required=True)
    tb.add_argument("--threads", type=int, required=True)
    tb.add_argument("--title", action="append")
    args = ap.parse_args(argv)
    return cmd_time(args) if args.sub == "time" else cmd_table(args)


if __name__ == "__main__":
    sys.exit(main())
