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

--jobs FILE (bench/csm/run.sh): the jobs as escd's database holds them, microsecond times, one
tab-separated line per job: "id hostname action scheduled_us dependency start_us end_us status"
("-" for none). Reported instead of the above:
  (a) the dispatch delay: for each job that started, from the moment it could start to the
      first command its session sent to the device (the host's first logged command at or
      after the job's start_time, and not after its end). "Could start" is the latest of its
      scheduled time, its dependency's end (status_time) and the moment a slot was free: the
      jobs that started are taken in start order, and the k-th takes the k-th slot freed (the
      first --slots N are free from the outset, then one per job end, in end order), so that a
      slot taken by another job is not counted as free twice. Split in could start -> start_time
      (the scheduler's claim) and start_time -> first command (connect, log in, first command).
  (b) for the first --slots jobs to start (the ones with a free slot at the scheduled time):
      the plain scheduled time -> first command.
  and the jobs per minute: completed jobs over (latest end - earliest scheduled time).
--mem FILE: "phase epoch_s rss_kb pss_kb anon_kb sessions" samples of escd (phase idle, run or
after; anon: RssAnon, its heap and stacks; sessions: escd's established TCP connections to the
devices); reports escd's memory while idle, while the most sessions were open, and the
difference per open session (median with the most sessions - median idle, over the sessions).
"""

import argparse
import bisect
import email.utils
import json
import math
import os
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

def read_jobs(path):
    """{id: job dict} from run.sh's dump of csm_install_jobs (times in epoch µs, None if unset)."""
    def opt(text):
        return None if text in ("-", "") else int(text)
    jobs = {}
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            raw = raw.rstrip("\n")
            if not raw:
                continue
            fields = raw.split("\t")
            if len(fields) != 8:
                sys.exit(f"report.py: {path}:{n}: expected 8 tab-separated fields")
            jid = int(fields[0])
            jobs[jid] = {"id": jid, "host": fields[1], "action": fields[2],
                         "scheduled": int(fields[3]), "dependency": opt(fields[4]),
                         "start": opt(fields[5]), "end": opt(fields[6]), "status": fields[7]}
    return jobs


def stats_line(label, values_ms, unit="ms"):
    values = sorted(values_ms)
    if not values:
        return f"{label}: no values"
    mean = sum(values) / len(values)
    return (f"{label} ({unit}, {len(values)} jobs): min {values[0]:.1f}  "
            f"p50 {percentile(values, 50):.1f}  p90 {percentile(values, 90):.1f}  "
            f"p99 {percentile(values, 99):.1f}  max {values[-1]:.1f}  mean {mean:.1f}")


def mem_report(path, slots, scheduled_s, first_wave_s):
    """Lines about escd's memory and the CPU at the scheduled time, and the RESULT fields."""
    samples = defaultdict(list)
    with open(path, encoding="utf-8") as f:
        for raw in f:
            fields = raw.split()
            if len(fields) < 6 or raw.startswith("#"):
                continue
            samples[fields[0]].append([float(fields[1])] + [int(float(x)) for x in fields[2:]])
    pre, disc = samples.get("pre", []), samples.get("discovery", [])
    idle, run, after = samples.get("idle", []), samples.get("run", []), samples.get("after", [])
    if not idle or not run:
        return ["memory: not enough samples"], {}

    def median(values):
        values = sorted(values)
        return values[len(values) // 2]

    def mib(kib):
        return f"{kib / 1024:.1f}"

    RSS, PSS, ANON, SESSIONS = 1, 2, 3, 4
    lines, result = [], {}
    if pre and disc:
        base = [median([s[i] for s in pre]) for i in (RSS, PSS, ANON)]
        most = max(s[SESSIONS] for s in disc)
        peak = [max(s[i] for s in disc) for i in (RSS, PSS, ANON)]
        per = [(p - b) / most if most else 0.0 for p, b in zip(peak, base)]
        lines.append(
            f"escd memory before any session (medians): VmRSS {mib(base[0])} MiB, Pss "
            f"{mib(base[1])} MiB, RssAnon {mib(base[2])} MiB; during the discovery (at most "
            f"{most} sessions at once): peak VmRSS {mib(peak[0])} MiB, RssAnon {mib(peak[2])} "
            f"MiB: (peak - before) / most = VmRSS {per[0]:.0f} KiB, RssAnon {per[2]:.0f} KiB "
            "per session")
        result.update(pre_rss_mib=mib(base[0]), discovery_sessions=str(most),
                      discovery_rss_kib=f"{per[0]:.0f}", discovery_anon_kib=f"{per[2]:.0f}")
    idle_m = [median([s[i] for s in idle]) for i in (RSS, PSS, ANON)]
    most = max(s[SESSIONS] for s in run)
    # The samples with (nearly) the most sessions open: the plateau of a run with N slots.
    floor = max(1, math.ceil(0.8 * most))
    busy = [s for s in run if s[SESSIONS] >= floor]
    busy_m = [median([s[i] for s in busy]) for i in (RSS, PSS, ANON)]
    sessions = median([s[SESSIONS] for s in busy])
    peak_rss = max(s[RSS] for s in run)
    per = [(b - i) / sessions if sessions else 0.0 for b, i in zip(busy_m, idle_m)]
    lines += [
        f"escd memory idle before the run ({len(idle)} samples, medians): VmRSS "
        f"{mib(idle_m[0])} MiB, Pss {mib(idle_m[1])} MiB, RssAnon {mib(idle_m[2])} MiB",
        f"escd memory with sessions open ({len(busy)} of {len(run)} samples of the run with >= "
        f"{floor} sessions; most {most}, slots {slots}; medians): {sessions} sessions, "
        f"VmRSS {mib(busy_m[0])} MiB, Pss {mib(busy_m[1])} MiB, RssAnon {mib(busy_m[2])} MiB; "
        f"peak VmRSS {mib(peak_rss)} MiB",
        f"escd memory per open device session in the run, (with sessions - idle) / sessions: "
        f"VmRSS {per[0]:.0f} KiB, Pss {per[1]:.0f} KiB, RssAnon {per[2]:.0f} KiB",
    ]
    result.update(idle_rss_mib=mib(idle_m[0]), busy_rss_mib=mib(busy_m[0]),
                  peak_rss_mib=mib(peak_rss), busy_sessions=str(sessions),
                  session_rss_kib=f"{per[0]:.0f}", session_pss_kib=f"{per[1]:.0f}",
                  session_anon_kib=f"{per[2]:.0f}")
    if after:
        after_rss = median([s[RSS] for s in after])
        lines.append(f"escd memory after the run (no session open): VmRSS {mib(after_rss)} MiB")
        result["after_rss_mib"] = mib(after_rss)
    # The CPU while the first N jobs logged in: from the last sample before the scheduled time
    # to the first one after the last of their first commands.
    timed = sorted(idle + run)
    if len(timed[0]) >= 9 and first_wave_s:
        t_end = scheduled_s + first_wave_s
        before = [s for s in timed if s[0] <= scheduled_s]
        later = [s for s in timed if s[0] >= t_end]
        if before and later:
            a, b = before[-1], later[0]
            wall = b[0] - a[0]
            hz = 100.0  # USER_HZ: /proc's clock ticks and jiffies
            escd = (b[5] - a[5]) / hz / wall
            fleet = (b[6] - a[6]) / 1e9 / wall
            ncpu = os.cpu_count() or 1
            machine = ncpu * (b[7] - a[7]) / (b[8] - a[8]) if b[8] > a[8] else 0.0
            lines.append(
                f"CPU while the first {slots} jobs logged in ({wall:.1f} s from "
                f"{a[0] - scheduled_s:+.1f} s of the scheduled time): escd {escd:.2f} cores, the "
                f"fleet {fleet:.2f}, the machine {machine:.2f} of {ncpu}")
            result.update(burst_escd_cores=f"{escd:.2f}", burst_fleet_cores=f"{fleet:.2f}",
                          burst_machine_cores=f"{machine:.2f}")
    return lines, result


def jobs_report(args):
    per_host, lines, skipped = read_commands(args.commands, args.ignore_empty)
    jobs = read_jobs(args.jobs)
    slots = args.slots
    if slots <= 0:
        sys.exit("report.py: --jobs needs --slots N (escd's max_parallel_jobs)")
    by_status = defaultdict(int)
    for job in jobs.values():
        by_status[job["status"]] += 1
    hosts = {job["host"] for job in jobs.values()}
    first_scheduled = min(job["scheduled"] for job in jobs.values())
    print(f"commands: {lines} lines from {len(per_host)} hosts"
          + (f" ({skipped} unreadable lines skipped)" if skipped else ""))
    print(f"jobs: {len(jobs)} on {len(hosts)} hosts, "
          + ", ".join(f"{by_status[k]} {k}" for k in sorted(by_status))
          + f"; slots (max_parallel_jobs) {slots}")
    result = {"jobs": str(len(jobs)), "completed": str(by_status.get("completed", 0)),
              "failed": str(by_status.get("failed", 0)),
              "unfinished": str(len(jobs) - by_status.get("completed", 0)
                                - by_status.get("failed", 0))}

    # Jobs per minute.
    completed = [job for job in jobs.values() if job["status"] == "completed"]
    if completed:
        last_end = max(job["end"] for job in completed)
        elapsed = (last_end - first_scheduled) / 1e6
        jpm = len(completed) / (elapsed / 60.0) if elapsed > 0 else 0.0
        print(f"completed jobs: {len(completed)} in {elapsed:.1f} s from the scheduled time to the "
              f"last end: {jpm:.1f} jobs per minute")
        result.update(elapsed_s=f"{elapsed:.1f}", jobs_per_min=f"{jpm:.1f}")

    # Slots: the k-th job to start took the k-th slot freed.
    started = sorted((job for job in jobs.values() if job["start"] is not None),
                     key=lambda job: (job["start"], job["id"]))
    releases = sorted(job["end"] for job in started if job["end"] is not None)
    over = 0
    rows = []
    for k, job in enumerate(started):
        slot = None if k < slots else (releases[k - slots] if k - slots < len(releases) else None)
        if k >= slots and (slot is None or slot > job["start"]):
            over += 1  # more than N running at once: escd broke its limit
            slot = job["start"] if slot is None else min(slot, job["start"])
        dep = jobs.get(job["dependency"]) if job["dependency"] is not None else None
        dep_end = dep["end"] if dep else None
        candidates = [("scheduled time", job["scheduled"])]
        if dep_end is not None:
            candidates.append(("dependency end", dep_end))
        if slot is not None:
            candidates.append(("slot freed", slot))
        cause, could = max(candidates, key=lambda c: c[1])
        cmds = per_host.get(job["host"], [])
        # From the job's start, and not before its dependency's end: start_time is the start of
        # escd's group-commit transaction that held the claim, which can precede the end of the
        # dependency (whose last commands would then be taken for this job's).
        i = bisect.bisect_left(cmds, max(job["start"], dep_end or 0))
        first = cmds[i] if i < len(cmds) and (job["end"] is None or cmds[i] <= job["end"]) else None
        rows.append({**job, "k": k, "slot": slot, "dep_end": dep_end, "could": could,
                     "cause": cause, "first": first})
    with_cmd = [r for r in rows if r["first"] is not None]
    missing = [r for r in rows if r["first"] is None]
    dispatch = [(r["first"] - r["could"]) / 1000.0 for r in with_cmd]
    claim = [(r["start"] - r["could"]) / 1000.0 for r in rows]
    connect = [(r["first"] - r["start"]) / 1000.0 for r in with_cmd]
    waited = [(r["could"] - r["scheduled"]) / 1e6 for r in rows]
    causes = defaultdict(int)
    for r in rows:
        causes[r["cause"]] += 1
    print(f"started: {len(started)} jobs, {len(with_cmd)} with a first command on the device, "
          f"{len(missing)} without" + (f"; {over} started while {slots} others ran (more than "
                                         f"the limit)" if over else ""))
    print("could start = the latest of: " + ", ".join(f"{k} {v}" for k, v in sorted(causes.items())))
    print(stats_line("waiting before it could start (queueing: its dependency, a slot)", waited, "s"))
    print(stats_line("(a) dispatch delay, could start -> first command", dispatch))
    print("    " + stats_line("could start -> start_time (the scheduler's claim)", claim))
    print("    " + stats_line("start_time -> first command (the claim's commit, connect, log in, first command)",
                              connect))
    by_action = defaultdict(list)
    for r in with_cmd:
        by_action[r["action"]].append((r["first"] - r["could"]) / 1000.0)
    print("    by action, p50/p99/max ms: " + "; ".join(
        f"{a} {percentile(sorted(v), 50):.0f}/{percentile(sorted(v), 99):.0f}/{max(v):.0f}"
        for a, v in sorted(by_action.items())))
    worst = sorted(with_cmd, key=lambda r: r["first"] - r["could"], reverse=True)[:5]
    for r in worst:
        print(f"    slowest: job {r['id']} ({r['action']} on {r['host']}): "
              f"{(r['first'] - r['could']) / 1000.0:.1f} ms (could start by {r['cause']}, claim "
              f"{(r['start'] - r['could']) / 1000.0:.1f} ms, connect "
              f"{(r['first'] - r['start']) / 1000.0:.1f} ms)")
    if missing:
        shown = ", ".join(f"{r['id']} ({r['action']} on {r['host']}, {r['status']})"
                          for r in missing[:10])
        print(f"without a first command: {shown}" + (" ..." if len(missing) > 10 else ""))
    first_wave = [(r["first"] - r["scheduled"]) / 1000.0 for r in rows[:slots]
                  if r["first"] is not None]
    print(stats_line(f"(b) scheduled -> first command, the first {min(slots, len(rows))} jobs "
                     "(a free slot at the scheduled time)", first_wave))
    if dispatch:
        d = sorted(dispatch)
        result.update(dispatch_p50_ms=f"{percentile(d, 50):.1f}",
                      dispatch_p99_ms=f"{percentile(d, 99):.1f}", dispatch_max_ms=f"{d[-1]:.1f}",
                      claim_p99_ms=f"{percentile(sorted(claim), 99):.1f}",
                      connect_p99_ms=f"{percentile(sorted(connect), 99):.1f}")
    if first_wave:
        w = sorted(first_wave)
        result.update(first_p50_ms=f"{percentile(w, 50):.1f}",
                      first_p99_ms=f"{percentile(w, 99):.1f}", first_max_ms=f"{w[-1]:.1f}")
    result["missing"] = str(len(missing))
    if args.mem:
        wave = [r["first"] for r in rows[:slots] if r["first"] is not None]
        mem_lines, mem_result = mem_report(
            args.mem, slots, first_scheduled / 1e6,
            (max(wave) - first_scheduled) / 1e6 if wave else None)
        for line in mem_lines:
            print(line)
        result.update(mem_result)
    if args.per_job:
        def ms(a, b):
            return "-" if a is None or b is None else f"{(a - b) / 1000.0:.3f}"
        with open(args.per_job, "w", encoding="utf-8") as out:
            out.write("# id host action status k could_start_by scheduled_us could_us start_us "
                      "first_cmd_us end_us waited_ms dispatch_ms claim_ms connect_ms\n")
            for r in rows:
                out.write(f"{r['id']} {r['host']} {r['action']} {r['status']} {r['k']} "
                          f"{r['cause'].replace(' ', '_')} {r['scheduled']} {r['could']} "
                          f"{r['start']} {r['first'] or '-'} {r['end'] or '-'} "
                          f"{ms(r['could'], r['scheduled'])} {ms(r['first'], r['could'])} "
                          f"{ms(r['start'], r['could'])} {ms(r['first'], r['start'])}\n")
    if dispatch and not missing:
        p99 = percentile(sorted(dispatch), 99)
        print(f"TARGET dispatch delay (could start -> first command) p99 < {args.target_ms:.0f} ms: "
              f"{'PASS' if p99 < args.target_ms else 'FAIL'} ({p99:.1f} ms)")
    else:
        print(f"TARGET dispatch delay (could start -> first command) p99 < {args.target_ms:.0f} ms: "
              f"FAIL ({len(missing)} of {len(rows)} started jobs without a command)")
    if first_wave:
        p99 = percentile(sorted(first_wave), 99)
        print(f"TARGET scheduled -> first command, first {len(first_wave)} jobs, p99 < "
              f"{args.target_ms:.0f} ms: {'PASS' if p99 < args.target_ms else 'FAIL'} ({p99:.1f} ms)")
    print("RESULT " + " ".join(f"{k}={v}" for k, v in result.items()))
    return 0


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
    ap.add_argument("--per-job", help="write '<hostname> <scheduled_s> <latency_ms|missing>' here"
                    " (with --jobs: one line per job with every time and delay)")
    ap.add_argument("--jobs", help="the jobs from escd's database (see above)")
    ap.add_argument("--mem", help="escd's memory samples (see above)")
    args = ap.parse_args()
    if args.jobs:
        return jobs_report(args)
    if not args.scheduled and not args.install_json:
        ap.error("give --scheduled and/or --install-json, or --jobs")

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
