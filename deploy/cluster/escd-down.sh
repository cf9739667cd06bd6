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

owned_dir=$edir
# shellcheck source=deploy/cluster/lib.sh
source "$(cd "$(dirname "$0")" && pwd)/lib.sh"

stop 30 TERM "$(cat "$edir/run/haproxy.pid" 2>/dev/null)"
nodes=()
for f in "$edir"/run/escd-*.pid; do
    [[ -f $f ]] && nodes+=("$(cat "$f" 2>/dev/null)")
done
((${#nodes[@]})) && stop $((stop_timeout * 10)) TERM "${nodes[@]}"

stop_leftovers

rm -rf "$edir"
exit 0
