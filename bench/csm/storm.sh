#!/bin/bash
# Login storm: K devices of the fleet get one ssh login each, all started at the same instant
# (OpenSSH's client through sshpass, one exec request "show clock"), and report.py gives the
# time from that instant to the command's arrival on each device. What it measures is the
# fleet's side of a login (sshd, the password check, the emulator's start) plus an OpenSSH
# client on the same cores: the floor under escd's "scheduled time -> first command" when K jobs
# start at once, escd's own work excluded.
#
# Usage: storm.sh K [DELAY_S]    (DELAY_S: how far ahead the instant is, default 2)
# Prints report.py's summary and the fleet's CPU per login.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=${FLEET_ROOT:-/run/escd-csm}
k=${1:-}
delay=${2:-2}
if ! [[ $k =~ ^[0-9]+$ ]] || ((k < 1)); then
    echo "usage: storm.sh K [DELAY_S]" >&2
    exit 2
fi
[[ -f $root/fleet.env ]] || { echo "storm.sh: no fleet is up" >&2; exit 1; }
# shellcheck source=/dev/null
source "$root/fleet.env"
mapfile -t hosts < <(head -n "$k" "$root/hosts")
((${#hosts[@]} == k)) || { echo "storm.sh: the fleet has fewer than $k devices" >&2; exit 1; }

work=$(mktemp -d /tmp/csm-storm.XXXXXX)
trap 'rm -rf "$work"' EXIT
at=$(($(date +%s) + delay))
cpu0=$(bash "$here/fleet.sh" cpu 2>/dev/null || echo 0)
pids=()
for entry in "${hosts[@]}"; do
    read -r name addr <<<"$entry"
    echo "$name $at" >>"$work/scheduled"
    (
        now=$(date +%s.%N)
        sleep "$(awk -v a="$at" -v b="$now" 'BEGIN {d = a - b; print (d > 0 ? d : 0)}')"
        SSHPASS=$FLEET_PASSWORD exec sshpass -e ssh -o StrictHostKeyChecking=no \
            -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=20 \
            -o KexAlgorithms=curve25519-sha256 \
            "$FLEET_USER@$addr" "show clock" >/dev/null 2>>"$work/errors"
    ) &
    pids+=($!)
done
failed=0
for pid in "${pids[@]}"; do wait "$pid" || failed=$((failed + 1)); done
cpu1=$(bash "$here/fleet.sh" cpu 2>/dev/null || echo 0)
sort -u "$work/errors" 2>/dev/null | head -5
echo "storm: $k logins at $(date -u -d "@$at" +%T) UTC, $failed failed"
awk -v c0="$cpu0" -v c1="$cpu1" -v k="$k" \
    'BEGIN {printf "SUMMARY fleet_cpu_per_login_ms=%.1f\n", (c1 - c0) / k * 1000}'
python3 "$here/report.py" --commands "$FLEET_COMMAND_LOG" --scheduled "$work/scheduled"
