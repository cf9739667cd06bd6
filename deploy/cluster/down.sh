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

owned_dir=$dir
# shellcheck source=deploy/cluster/lib.sh
source "$here/lib.sh"

pid_of() { cat "$dir/run/$1.pid" 2>/dev/null; }
postmasters() {
    local f
    for f in "$dir"/node*/data/postmaster.pid; do
        [[ -f $f ]] && head -n 1 "$f"
    done
}
stop 30 TERM "$(pid_of haproxy)"
stop 150 TERM "$(pid_of patroni1)" "$(pid_of patroni2)"
# SIGQUIT = PostgreSQL's immediate shutdown.
mapfile -t pms < <(postmasters)
((${#pms[@]})) && stop 50 QUIT "${pms[@]}"
stop 50 TERM "$(pid_of etcd)"

# Anything else still running from this directory (e.g. a pg_basebackup or postgres child
# orphaned when its Patroni was SIGKILLed).
stop_leftovers

rm -rf "$dir"
exit 0
