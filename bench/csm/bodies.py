#!/usr/bin/env python3
"""The CSM API request bodies of the benchmark, for the fleet of bench/csm/fleet.sh.

Writes into --out:
  server_repositories.json  one TFTP repository: the fleet's tftpd (198.19.0.2, /repo)
  regions.json              region "fleet" naming it
  custom_command_profiles.json  (with --profile) "fleet-checks": show install active, show platform
  hosts.json                one host per device, named as the device (its prompt's hostname, the
                            command log's second field), ssh to its address, the fleet's login
  install/<host>.json       the five jobs of one host, one request: Pre-Upgrade, Add, Activate,
                            Post-Upgrade, Commit, all at --at (CSM's implicit chain makes each
                            depend on the one before)
  scheduled.txt             "<host> <epoch_s>" per host, for report.py --scheduled
POST them in this order: POST /api/v1/server_repositories, /regions, [/custom_command_profiles],
/hosts, then each install/<host>.json to /api/v1/install (docs/csm.md). --at is a whole minute
(CSM's times have no seconds); the default is the first one at least --lead seconds ahead, which
must leave time to POST everything before it comes.
"""

import argparse
import json
import os
import shlex
import sys
import time


def read_env(path):
    env = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if "=" in line:
                key, value = line.rstrip("\n").split("=", 1)
                env[key] = " ".join(shlex.split(value))
    return env


def main():
    root = os.environ.get("FLEET_ROOT", "/run/escd-csm")
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--fleet", default=root, help="the fleet's directory (%(default)s)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--hosts", type=int, default=0, help="the first N devices (default: all)")
    ap.add_argument("--at", type=int, help="scheduled time, epoch seconds (a whole minute)")
    ap.add_argument("--lead", type=int, default=30,
                    help="default --at: the first whole minute at least this many s ahead")
    ap.add_argument("--profile", action="store_true", help="add a custom command profile")
    args = ap.parse_args()

    env = read_env(os.path.join(args.fleet, "fleet.env"))
    with open(env["FLEET_HOSTS"], encoding="utf-8") as f:
        devices = [line.split() for line in f if line.strip()]
    if args.hosts:
        devices = devices[:args.hosts]
    at = args.at if args.at is not None else (int(time.time()) + args.lead + 59) // 60 * 60
    if at % 60:
        sys.exit("bodies.py: --at must be a whole minute")
    when = time.strftime("%m-%d-%Y %I:%M %p", time.gmtime(at))
    packages = [env["FLEET_IMAGE"]] + env["FLEET_RPMS"].split()

    os.makedirs(os.path.join(args.out, "install"), exist_ok=True)

    def write(name, body):
        with open(os.path.join(args.out, name), "w", encoding="utf-8") as f:
            json.dump(body, f, indent=1)
            f.write("\n")

    write("server_repositories.json", [{
        "hostname": "fleet-tftp",
        "server_type": "TFTP",
        "tftp_server_path": env["FLEET_REPO_ADDR"] + "/repo",
        "file_directory": env["FLEET_REPO"],
    }])
    write("regions.json", [{"region_name": "fleet", "server_repositories": ["fleet-tftp"]}])
    if args.profile:
        write("custom_command_profiles.json", [{
            "profile_name": "fleet-checks",
            "command_list": ["show install active", "show platform"],
        }])
    write("hosts.json", [{
        "hostname": name,
        "region": "fleet",
        "connection_type": "ssh",
        "ts_or_ip": [addr],
        "port_number": ["22"],
        "username": env["FLEET_USER"],
        "password": env["FLEET_PASSWORD"],
    } for name, addr in devices])
    for name, _ in devices:
        jobs = []
        for action in ("Pre-Upgrade", "Add", "Activate", "Post-Upgrade", "Commit"):
            job = {"hostname": name, "install_action": action,
                   "scheduled_time": when, "utc_offset": "+00:00"}
            if action == "Add":
                job["server_repository"] = "fleet-tftp"
            if action in ("Add", "Activate"):
                job["software_packages"] = packages
            if args.profile and action in ("Pre-Upgrade", "Post-Upgrade"):
                job["command_profile"] = "fleet-checks"
            jobs.append(job)
        write(os.path.join("install", name + ".json"), jobs)
    with open(os.path.join(args.out, "scheduled.txt"), "w", encoding="utf-8") as f:
        for name, _ in devices:
            f.write(f"{name} {at}\n")
    print(f"{len(devices)} hosts, scheduled at {when} UTC ({at}), bodies in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
