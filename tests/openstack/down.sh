#!/usr/bin/env bash
# Stops the OpenStack control plane started by tests/openstack/up.sh and removes its state
# directory:
#   tests/openstack/down.sh "$ESCD_TEST_OS_DIR"
# Every process up.sh started runs in a session of its own whose leader's pid is in DIR/pid/;
# each whole process group gets SIGTERM at once (so the slow ones stop in parallel), and what is
# left after 15 s gets SIGKILL (cinder-volume ignores SIGTERM for about 10 s). Also ends the
# one-shot database jobs of an up.sh that failed half-way. Safe to run twice; never fails the
# caller.
set -uo pipefail

dir=${1:?usage: down.sh DIR}
[[ -d $dir ]] || exit 0
say() { echo "openstack/down: $*" >&2; }

# Pids of the live (not zombie) processes of process group $1.
members() { ps -e -o pgid=,pid=,stat= | awk -v g="$1" '$1 == g && $3 !~ /^Z/ { print $2 }'; }

groups=()
for f in "$dir"/pid/*.pid; do
    [[ -e $f ]] || continue
    pgid=$(cat "$f" 2>/dev/null)
    [[ $pgid =~ ^[0-9]+$ ]] || continue
    [[ -n $(members "$pgid") ]] || continue
    groups+=("$pgid:$(basename "$f" .pid)")
    kill -TERM -- "-$pgid" 2>/dev/null
done

deadline=$((SECONDS + 15))
while ((SECONDS < deadline)); do
    left=0
    for g in "${groups[@]}"; do
        [[ -n $(members "${g%%:*}") ]] && left=1
    done
    ((left)) || break
    sleep 0.2
done
for g in "${groups[@]}"; do
    if [[ -n $(members "${g%%:*}") ]]; then
        say "${g#*:} (process group ${g%%:*}) ignored SIGTERM for 15 s; killing it"
        kill -KILL -- "-${g%%:*}" 2>/dev/null
    fi
done
for g in "${groups[@]}"; do
    for _ in $(seq 50); do
        [[ -z $(members "${g%%:*}") ]] && break
        sleep 0.1
    done
done
rm -rf "$dir"
exit 0
