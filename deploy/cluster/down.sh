#!/usr/bin/env bash
# Stops and removes a cluster started by deploy/cluster/up.sh:  down.sh "$CLUSTER_DIR"
# Signals only the pids recorded under DIR/run (and the postmasters named in the data
# directories' postmaster.pid), after checking that each pid still belongs to this cluster (its
# command line or working directory lies in DIR), so a recycled pid is never hit. Already dead
# processes are fine. Order: HAProxy (no new clients), Patroni (a Patroni on SIGTERM stops its
# PostgreSQL itself), then whatever PostgreSQL is left (immediate stop: the data is thrown
# away), then etcd, then the directory. The escd half (escd-up.sh), if present, is stopped
# first, by escd-down.sh: its nodes then stop while their database still answers.
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
dir=${1:?usage: down.sh DIR}
dir=${dir%/}
[[ -d $dir ]] || exit 0
# Refuse anything that up.sh cannot have made: rm -rf runs on it at the end.
[[ $dir == /tmp/escd-cluster.* && -d $dir/run ]] || { echo "down.sh: $dir is not a cluster dir" >&2; exit 1; }
[[ -d $dir/escd ]] && "$here/escd-down.sh" "$dir"

# Is pid $1 alive and part of this cluster?
ours() {
    local pid=$1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ -d /proc/$pid ]] || return 1
    [[ $(awk '{print $3}' /proc/"$pid"/stat 2>/dev/null) != Z ]] || return 1 # zombie: already dead
    # (the process may end between these reads: then the reads fail quietly)
    { tr '\0' ' ' </proc/"$pid"/cmdline; } 2>/dev/null | grep -qF "$dir/" && return 0
    [[ $(readlink /proc/"$pid"/cwd 2>/dev/null) == "$dir"/* ]]
}
pid_of() { cat "$dir/run/$1.pid" 2>/dev/null; }
postmasters() {
    local f
    for f in "$dir"/node*/data/postmaster.pid; do
        [[ -f $f ]] && head -n 1 "$f"
    done
}
# Sends signal $1 to those of the pids $2... that are ours; waits up to $timeout seconds (tenths)
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

stop 30 TERM "$(pid_of haproxy)"
stop 150 TERM "$(pid_of patroni1)" "$(pid_of patroni2)"
# SIGQUIT = PostgreSQL's immediate shutdown.
mapfile -t pms < <(postmasters)
((${#pms[@]})) && stop 50 QUIT "${pms[@]}"
stop 50 TERM "$(pid_of etcd)"

# Anything else still running from this directory (e.g. a pg_basebackup or postgres child
# orphaned when its Patroni was SIGKILLed): found by its command line or cwd, killed by pid.
left=()
for p in /proc/[0-9]*; do
    p=${p#/proc/}
    [[ $p == "$$" || $p == "$PPID" ]] && continue
    ours "$p" && left+=("$p")
done
((${#left[@]})) && stop 30 TERM "${left[@]}"

rm -rf "$dir"
exit 0
