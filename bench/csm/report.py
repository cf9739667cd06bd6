#!/usr/bin/env python3
"""Scheduled time -> first command on the device, for the CSM benchmark (bench/csm/README.md).

Inputs:
  --commands FILE    the fleet's command log (escd-xr-device --command-log):
                     "<epoch_us> <hostname> <pid> <command line>" per line
  --scheduled FILE   "<hostname> <epoch_s>" per job ('#' comments, blank lines ignored;
                     epoch_s may have decimals), and/or
  --install-json F   escd's answer to GET /api/v1/install (HTTP-date times, i.e. no
                     utc_offset), its rows of --action (default Pre-Upgrade, the head of each
                     host's chain: the others wait for their dependency, not for their time)

For each (hostname, scheduled time), the latency is the time of the host's first command logged
at or after the scheduled time and before the host's next scheduled time; none is "missing".
Identical (hostname, time) pairs count once. --slots N: with N jobs at most running at once, of
the jobs sharing one scheduled time only N can start at it; the N with the smallest latency are
taken as those and reported as "with a free slot" (the others waited for a job to end: their
figures include that wait and are reported apart). Percentiles are nearest-rank (p99 of 200 values is
the 198th smallest). Prints a summary, and a TARGET line for p99 against --target-ms (1000).
With --install-json, also the jobs per minute of the rows with status "completed" (all
actions): their count over the time from the earliest scheduled_time to the latest status_time.
"""

import argparse
import bisect
import email.utils
import json
import math
import sys
from collections import defaultdict


def read_commands(path, ignore_empty):
    """{hostname: sorted [epoch_us]}, and the number of lines read and skipped."""
    per_host = defaultdict(list)
    lines = skipped = 0
    with open(path, encoding="utf-8", errors="replace") as f:
        for raw in f:
            raw = raw.rstrip("\n")
            if not raw:
                continue
            parts = raw.split(" ", 3)
            if len(parts) < 3 or not parts[0].isdigit():
                skipped += 1
                continue
            command = parts[3] if len(parts) > 3 else ""
            if ignore_empty and not command.strip():
                continue
            lines += 1
            per_host[parts[1]].append(int(parts[0]))
    for times in per_host.values():
        times.sort()
    return per_host, lines, skipped


def read_scheduled(path):
    jobs = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            raw = raw.split("#", 1)[0].strip()
            if not raw:
                continue
            fields = raw.split()
            if len(fields) != 2:
                sys.exit(f"report.py: {path}:{n}: expected '<hostname> <epoch_s>'")
            jobs.append((fields[0], float(fields[1])))
    return jobs


def http_date(text):
    if not text:
        return None
    return email.utils.parsedate_to_datetime(text).timestamp()


def read_install_json(path, action):
    with open(path, encoding="utf-8") as f:
        doc = json.load(f)
    rows = doc.get("api_response", {}).get("install_job_list", [])
    jobs, completed = [], []
    for row in rows:
        try:
            scheduled = http_date(row.get("scheduled_time"))
        except (TypeError, ValueError):
            sys.exit("report.py: scheduled_time is not an HTTP date: GET /api/v1/install "
                     "without utc_offset")
        if row.get("install_action") == action and scheduled is not None:
            jobs.append((row["hostname"], scheduled))
        if str(row.get("status", "")).lower() == "completed":
            completed.append((scheduled, http_date(row.get("status_time"))))
    return jobs, completed


def percentile(sorted_values, p):
    """Nearest rank: the smallest value with at least p% of the values at or below it."""
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[rank - 1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--commands", required=True)
    ap.add_argument("--scheduled")
    ap.add_argument("--install-json")
    ap.add_argument("--action", default="Pre-Upgrade")
    ap.add_argument("--ignore-empty", action="store_true",
                    help="do not count empty lines (a bare Enter) as commands")
    ap.add_argument("--target-ms", type=float, default=1000.0)
    ap.add_argument("--slots", type=int, default=0,
                    help="jobs running at once (escd's max_parallel): see above")
    ap.add_argument("--per-job", help="write '<hostname> <scheduled_s> <latency_ms|missing>' here")
    args = ap.parse_args()
    if not args.scheduled and not args.install_json:
        ap.error("give --scheduled and/or --install-json")

    per_host, lines, skipped = read_commands(args.commands, args.ignore_empty)
    jobs, completed = [], []
    if args.scheduled:
        jobs += read_scheduled(args.scheduled)
    if args.install_json:
        more, completed = read_install_json(args.install_json, args.action)
        jobs += more
    unique = sorted(set(jobs))
    duplicates = len(jobs) - len(unique)

    by_host = defaultdict(list)
    for host, t in unique:
        by_host[host].append(t)
    results = []  # (host, scheduled_s, latency_ms or None)
    for host, times in by_host.items():
        cmds = per_host.get(host, [])
        for i, t in enumerate(times):
            t_us = round(t * 1e6)
            end_us = round(times[i + 1] * 1e6) if i + 1 < len(times) else None
            k = bisect.bisect_left(cmds, t_us)
            if k < len(cmds) and (end_us is None or cmds[k] < end_us):
                results.append((host, t, (cmds[k] - t_us) / 1000.0))
            else:
                results.append((host, t, None))

    missing = [r for r in results if r[2] is None]
    queued = []
    if args.slots > 0:
        by_time = defaultdict(list)
        for r in results:
            if r[2] is not None:
                by_time[r[1]].append(r[2])
        latencies = []
        for values in by_time.values():
            values.sort()
            latencies += values[:args.slots]
            queued += values[args.slots:]
        latencies.sort()
        queued.sort()
    else:
        latencies = sorted(r[2] for r in results if r[2] is not None)
    print(f"commands: {lines} lines from {len(per_host)} hosts"
          + (f" ({skipped} unreadable lines skipped)" if skipped else ""))
    print(f"jobs: {len(unique)} (hostname, scheduled time) pairs"
          + (f", {duplicates} duplicates dropped" if duplicates else "")
          + f", {len(results) - len(missing)} with a first command, {len(missing)} missing")
    def summary(label, values):
        mean = sum(values) / len(values)
        print(f"{label} (ms, {len(values)} jobs): "
              f"min {values[0]:.1f}  p50 {percentile(values, 50):.1f}  "
              f"p90 {percentile(values, 90):.1f}  p99 {percentile(values, 99):.1f}  "
              f"max {values[-1]:.1f}  mean {mean:.1f}")

    if latencies:
        summary("scheduled -> first command" + (", with a free slot" if args.slots else ""),
                latencies)
    if queued:
        summary("scheduled -> first command, queued behind the slots", queued)
    if missing:
        shown = ", ".join(f"{h}@{t:.0f}" for h, t, _ in sorted(missing)[:10])
        print(f"missing: {shown}" + (" ..." if len(missing) > 10 else ""))
    if completed:
        starts = [s for s, _ in completed if s is not None]
        ends = [e for _, e in completed if e is not None]
        if starts and ends and max(ends) > min(starts):
            minutes = (max(ends) - min(starts)) / 60.0
            print(f"completed jobs: {len(completed)} in {minutes * 60:.0f} s from the first "
                  f"scheduled time to the last status time: {len(completed) / minutes:.1f} "
                  "jobs per minute")
    if args.per_job:
        with open(args.per_job, "w", encoding="utf-8") as out:
            for host, t, lat in sorted(results):
                out.write(f"{host} {t:.3f} {'missing' if lat is None else f'{lat:.3f}'}\n")
    if latencies and not missing:
        p99 = percentile(latencies, 99)
        verdict = "PASS" if p99 < args.target_ms else "FAIL"
        print(f"TARGET scheduled -> first command p99 < {args.target_ms:.0f} ms: "
              f"{verdict} ({p99:.1f} ms)")
    elif unique:
        print(f"TARGET scheduled -> first command p99 < {args.target_ms:.0f} ms: FAIL "
              f"({len(missing)} of {len(unique)} jobs without a command)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
