#!/usr/bin/env bash
# Stops the escd half started by deploy/cluster/escd-up.sh:  escd-down.sh "$CLUSTER_DIR"
# (DIR defaults to $CLUSTER_DIR). The database half keeps running; down.sh stops both (it calls
# this script first). Order: the HTTP front HAProxy (no new requests), then every escd node at
# once with SIGTERM (a graceful stop: the node marks itself STOPPED, so its work is claimable at
# once) and SIGKILL for those still running after ESCD_STOP_TIMEOUT seconds (10), then anything
# else still running from DIR/escd; finally removes DIR/escd.
# As down.sh, it signals only pids recorded under DIR/escd/run that still belong to it (command
# line or working directory inside DIR/escd), so a recycled pid is never hit; dead ones are fine.
set -uo pipefail
dir=${1:-${CLUSTER_DIR:-}}
[[ -n $dir ]] || { echo "usage: escd-down.sh CLUSTER_DIR" >&2; exit 1; }
dir=${dir%/}
[[ -d $dir/escd ]] || exit 0
[[ $dir == /tmp/escd-cluster.* && -d $dir/escd/run ]] || { echo "escd-down: $dir/escd is not escd-up.sh's" >&2; exit 1; }
edir=$dir/escd
stop_timeout=${ESCD_STOP_TIMEOUT:-10}
[[ $stop_timeout =~ ^[0-9]+$ ]] || stop_timeout=10

ours() {
    local pid=$1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ -d /proc/$pid ]] || return 1
    [[ $(awk '{print $3}' /proc/"$pid"/stat 2>/dev/null) != Z ]] || return 1 # zombie: already dead
    { tr '\0' ' ' </proc/"$pid"/cmdline; } 2>/dev/null | grep -qF "$edir/" && return 0
    [[ $(readlink /proc/"$pid"/cwd 2>/dev/null) == "$edir"/* ]]
}
# Sends signal $1 to those of the pids $3... that are ours; waits up to $2 tenths of a second
# for them to end; returns 1 if some survive.
signal_wait() {
    local sig=$1 tenths=$2 pid alive
    shift 2
    for pid in "$@"; do ours "$pid" && kill "-$sig" "$pid" 2>/dev/null; done
    for _ in $(seq 1 "$tenths"); do
        alive=0
        for pid in "$@"; do ours "$pid" && alive=1; done
        ((alive)) || return 0
        sleep 0.1
    done
    return 1
}
stop() { # stop TENTHS SIG PID...: SIG, wait, then SIGKILL what is left
    local tenths=$1 sig=$2
    shift 2
    signal_wait "$sig" "$tenths" "$@" || signal_wait KILL 30 "$@"
}

stop 30 TERM "$(cat "$edir/run/haproxy.pid" 2>/dev/null)"
nodes=()
for f in "$edir"/run/escd-*.pid; do
    [[ -f $f ]] && nodes+=("$(cat "$f" 2>/dev/null)")
done
((${#nodes[@]})) && stop $((stop_timeout * 10)) TERM "${nodes[@]}"

left=()
for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [[ $p == "$$" || $p == "$PPID" ]] && continue
    ours "$p" && left+=("$p")
done
((${#left[@]})) && stop 30 TERM "${left[@]}"

rm -rf "$edir"
exit 0
