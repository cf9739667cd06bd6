#!/bin/bash
# A stand-in for escd's job runner, to check the fleet and the measurement plumbing end to end
# before escd runs the jobs (and to know what the devices cost): every device of the fleet gets
# CSM's five-job upgrade over ssh with tools/xr-device/xr-cli.exp (expect), PARALLEL devices at a
# time, all "scheduled" at one time a few seconds ahead; then report.py reads the command log.
#
#   Pre-Upgrade   terminal length 0, show version, show install active summary, show platform
#   Add           install add source <fleet tftp> <image> <rpms>; poll show install request
#   Activate      install activate <the three>; answers the reload question; waits until the
#                 device takes logins again and runs 6.2.1
#   Post-Upgrade  show version, show install active summary
#   Commit        install commit; poll; show install committed summary
#
# Usage: smoke.sh [-n DEVICES] [-p PARALLEL] [-d DELAY_S]   (defaults: the whole fleet, 10, 5)
# Needs a fleet freshly up or reset (bench/csm/fleet.sh). Prints per-device failures, the wall
# time, upgrades and jobs per minute of the stand-in, the fleet's CPU per upgrade, and report.py's
# figures (with --slots PARALLEL). Exit 1 when an upgrade failed.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cli=$(cd "$here/../../tools/xr-device" && pwd)/xr-cli.exp
root=${FLEET_ROOT:-/run/escd-csm}
devices=0
parallel=10
delay=5
while getopts "n:p:d:" opt; do
    case $opt in
    n) devices=$OPTARG ;;
    p) parallel=$OPTARG ;;
    d) delay=$OPTARG ;;
    *) exit 2 ;;
    esac
done
[[ -f $root/fleet.env ]] || { echo "smoke.sh: no fleet is up" >&2; exit 1; }
# shellcheck source=/dev/null
source "$root/fleet.env"
mapfile -t hosts < <(awk '{print $1 " " $2}' "$root/hosts")
((devices > 0 && devices < ${#hosts[@]})) && hosts=("${hosts[@]:0:devices}")
devices=${#hosts[@]}

work=$(mktemp -d /tmp/csm-smoke.XXXXXX)
trap 'rm -rf "$work"' EXIT

# One CLI session; its transcript (CR removed) on stdout.
xr() {
    local addr=$1
    shift
    XR_TIMEOUT=${XR_TIMEOUT:-30} "$cli" ssh "$addr" "$FLEET_USER" "$FLEET_PASSWORD" "$@" 2>&1 |
        tr -d '\r'
}

wait_idle() {
    local addr=$1
    for _ in $(seq 1 120); do
        xr "$addr" "show install request" | grep -q "No install operation in progress" && return 0
        sleep 1
    done
    return 1
}

wait_up() {
    local addr=$1
    for _ in $(seq 1 240); do
        xr "$addr" "show version" 2>/dev/null | grep -q "Version 6\.2\.1" && return 0
        sleep 1
    done
    return 1
}

upgrade() {
    local name=$1 addr=$2 out
    local pkgs="xrv9k-mini-x-6.2.1 xrv9k-mgbl-3.0.0.0-r621 xrv9k-k9sec-3.1.0.0-r621"
    out=$(xr "$addr" "terminal length 0" "show version" "show install active summary" \
        "show platform")
    grep -q "Version 6\.1\.3" <<<"$out" || { echo "$name Pre-Upgrade"; return 1; }
    # shellcheck disable=SC2086
    out=$(xr "$addr" "install add source $FLEET_TFTP_URL $FLEET_IMAGE $FLEET_RPMS")
    grep -q "continue in the background" <<<"$out" || { echo "$name Add"; return 1; }
    wait_idle "$addr" || { echo "$name Add (never ended)"; return 1; }
    xr "$addr" "show install log 1" | grep -q "finished successfully" ||
        { echo "$name Add (aborted)"; return 1; }
    out=$(XR_TIMEOUT=60 xr "$addr" "install activate $pkgs" "@wait-eof")
    grep -q "USER_RESET" <<<"$out" || { echo "$name Activate"; return 1; }
    wait_up "$addr" || { echo "$name Activate (device not back)"; return 1; }
    out=$(xr "$addr" "show version" "show install active summary")
    grep -q "xrv9k-mgbl-3.0.0.0-r621" <<<"$out" || { echo "$name Post-Upgrade"; return 1; }
    xr "$addr" "install commit" | grep -q "continue in the background" ||
        { echo "$name Commit"; return 1; }
    wait_idle "$addr" || { echo "$name Commit (never ended)"; return 1; }
    xr "$addr" "show install committed summary" | grep -q "xrv9k-xr-6\.2\.1" ||
        { echo "$name Commit (not committed)"; return 1; }
}

# A slot: the devices i, i + PARALLEL, ... one after another (escd claims the oldest due job
# first, which keeps a host's chain going before it starts another host).
slot() {
    local first=$1 i name addr failed=0
    local now
    now=$(date +%s.%N)
    sleep "$(awk -v a="$at" -v b="$now" 'BEGIN {d = a - b; print (d > 0 ? d : 0)}')"
    for ((i = first; i < devices; i += parallel)); do
        read -r name addr <<<"${hosts[i]}"
        upgrade "$name" "$addr" >>"$work/failed" || failed=$((failed + 1))
        date +%s.%N >>"$work/ends"
    done
    return 0
}

at=$(($(date +%s) + delay))
for entry in "${hosts[@]}"; do echo "${entry%% *} $at"; done >"$work/scheduled"
cpu0=$(bash "$here/fleet.sh" cpu 2>/dev/null || echo 0)
: >"$work/failed"
: >"$work/ends"
echo "smoke: $devices devices, $parallel at a time, scheduled at $(date -u -d "@$at" +%T) UTC"
pids=()
for ((s = 0; s < parallel && s < devices; s++)); do
    slot "$s" &
    pids+=($!)
done
wait "${pids[@]}"
cpu1=$(bash "$here/fleet.sh" cpu 2>/dev/null || echo 0)
last=$(sort -n "$work/ends" | tail -1)
failures=$(wc -l <"$work/failed")
cat "$work/failed"
awk -v n="$devices" -v f="$failures" -v at="$at" -v last="$last" -v c0="$cpu0" -v c1="$cpu1" \
    'BEGIN {
        s = last - at
        printf "SUMMARY upgrades=%d failed=%d elapsed_s=%.1f upgrades_per_min=%.1f jobs_per_min=%.1f\n",
            n, f, s, (n - f) / s * 60, 5 * (n - f) / s * 60
        printf "SUMMARY fleet_cpu_s=%.1f per_upgrade_ms=%.0f (sshd + emulators + workers + tftpd)\n",
            c1 - c0, (c1 - c0) / n * 1000
    }'
python3 "$here/report.py" --commands "$FLEET_COMMAND_LOG" --scheduled "$work/scheduled" \
    --slots "$parallel"
[[ $failures -eq 0 ]]
