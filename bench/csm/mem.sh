#!/bin/bash
# Memory and CPU probes for the CSM benchmark.
#
#   mem.sh fleet               the fleet's processes (bench/csm/fleet.sh) by kind: count, VmRSS,
#                              Pss and USS (Private_Clean + Private_Dirty) in KiB
#   mem.sh sessions K [HOLD]   opens K interactive ssh sessions (with a pty, as escd's runner
#                              does), one per device, to the first K devices of the fleet; prints
#                              the fleet's memory before and with them open, and the cost per open
#                              session (sshd monitor + sshd user process + emulator); holds them
#                              HOLD seconds (default 2), then closes them
#   mem.sh proc PID [INTERVAL [COUNT]]
#                              one process (escd): "epoch_s pid rss_kb hwm_kb pss_kb uss_kb
#                              cpu_s threads fds", once, or every INTERVAL seconds (COUNT times,
#                              default until it exits); cpu_s = utime + stime from /proc/PID/stat
# KiB are the kernel's (1024 bytes). Needs root for the fleet's processes.
set -euo pipefail

root=${FLEET_ROOT:-/run/escd-csm}
ns=xrcsm

die() {
    echo "mem.sh: $*" >&2
    exit 1
}

# "rss pss uss" of one process in KiB; "0 0 0" when it is gone.
proc_mem() {
    local pid=$1 rss pss uss
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    read -r pss uss < <(awk '/^Pss:/ {p = $2} /^Private_(Clean|Dirty):/ {u += $2}
        END {print p + 0, u + 0}' "/proc/$pid/smaps_rollup" 2>/dev/null || echo "0 0")
    echo "${rss:-0} ${pss:-0} ${uss:-0}"
}

# What a fleet process is: listener, sshd-monitor (root, per connection), sshd-user (the
# session's unprivileged sshd), emulator, tftpd, reloadd, other.
proc_kind() {
    local pid=$1 comm args
    comm=$(cat "/proc/$pid/comm" 2>/dev/null || true)
    args=$(tr '\0' ' ' 2>/dev/null <"/proc/$pid/cmdline" || true)
    if [[ $pid == "$(cat "$root/sshd.pid" 2>/dev/null)" ]]; then
        echo listener
    elif [[ $comm == sshd && $args == *"[priv]"* ]]; then
        echo sshd-monitor
    elif [[ $comm == sshd ]]; then
        echo sshd-user
    elif [[ $comm == escd-xr-device ]]; then
        echo emulator
    elif [[ $comm == in.tftpd ]]; then
        echo tftpd
    elif [[ $args == *"fleet.sh _reloadd"* ]]; then
        echo reloadd
    else
        echo other
    fi
}

# Lines "kind count rss pss uss" for the fleet's processes, and a line "total ...".
fleet_table() {
    local pid kind
    for pid in $(ip netns pids "$ns" 2>/dev/null); do
        kind=$(proc_kind "$pid")
        echo "$kind $(proc_mem "$pid")"
    done | awk '{c[$1]++; r[$1] += $2; p[$1] += $3; u[$1] += $4; tc++; tr += $2; tp += $3; tu += $4}
        END {for (k in c) printf "%s %d %d %d %d\n", k, c[k], r[k], p[k], u[k]
             printf "total %d %d %d %d\n", tc, tr, tp, tu}' | sort
}

print_table() {
    awk 'BEGIN {printf "%-13s %6s %10s %10s %10s\n", "kind", "procs", "rss_kb", "pss_kb", "uss_kb"}
         {printf "%-13s %6d %10d %10d %10d\n", $1, $2, $3, $4, $5}'
}

cmd_fleet() {
    [[ -f $root/hosts ]] || die "no fleet is up (bench/csm/fleet.sh up N)"
    fleet_table | print_table
}

cmd_sessions() {
    local k=${1:-} hold=${2:-2}
    if ! [[ $k =~ ^[0-9]+$ ]] || ((k < 1)); then die "usage: sessions K [HOLD]"; fi
    [[ -f $root/hosts ]] || die "no fleet is up (bench/csm/fleet.sh up N)"
    command -v sshpass >/dev/null || die "missing sshpass"
    # shellcheck source=/dev/null
    source "$root/fleet.env"
    local -a addrs=()
    local addr
    while read -r _ addr; do addrs+=("$addr"); done <"$root/hosts"
    ((k <= ${#addrs[@]})) || die "the fleet has ${#addrs[@]} devices, fewer than $k"

    local before with
    before=$(fleet_table)
    echo "== fleet before ($k sessions to open)"
    print_table <<<"$before"

    local work
    work=$(mktemp -d /tmp/csm-mem.XXXXXX)
    mkfifo "$work/in"
    exec {hold_fd}<>"$work/in"  # the sessions' stdin: open, never written
    local -a clients=()
    local i pid base_emus emus
    base_emus=$(awk '$1 == "emulator" {print $2}' <<<"$before")
    base_emus=${base_emus:-0}
    for ((i = 0; i < k; i++)); do
        SSHPASS=$FLEET_PASSWORD sshpass -e ssh -tt -o StrictHostKeyChecking=no \
            -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o ConnectTimeout=10 \
            "$FLEET_USER@${addrs[i]}" <"$work/in" >/dev/null 2>&1 &
        clients+=($!)
    done
    emus=0
    for _ in $(seq 1 120); do
        sleep 1
        emus=0
        for pid in $(ip netns pids "$ns" 2>/dev/null); do
            [[ $(cat "/proc/$pid/comm" 2>/dev/null) == escd-xr-device ]] && emus=$((emus + 1))
        done
        ((emus - base_emus >= k)) && break
    done
    sleep 1  # the last ones print their prompt
    with=$(fleet_table)
    echo "== fleet with $((emus - base_emus)) sessions open"
    print_table <<<"$with"
    sleep "$hold"
    # The clients are this script's own children: ending them closes the connections, and sshd
    # then ends each session.
    kill "${clients[@]}" 2>/dev/null || true
    wait "${clients[@]}" 2>/dev/null || true
    exec {hold_fd}>&-
    rm -rf "$work"

    # Every kind, the listener's too: its Pss falls as the sessions share its pages; "total" is
    # the whole fleet's difference.
    echo "== per open session: (fleet with sessions - fleet before) / $k"
    awk -v k="$k" 'NR == FNR {r[$1] = $3; p[$1] = $4; u[$1] = $5; next}
        {printf "%-13s %10.0f %10.0f %10.0f\n", $1, ($3 - r[$1]) / k, ($4 - p[$1]) / k, ($5 - u[$1]) / k}
        ' <(echo "$before") <(echo "$with") |
        awk 'BEGIN {printf "%-13s %10s %10s %10s\n", "kind", "rss_kb", "pss_kb", "uss_kb"}
             $1 == "total" {t = $0; next} {print} END {print t}'
    if ((emus - base_emus < k)); then
        echo "mem.sh: only $((emus - base_emus)) of $k sessions came up" >&2
        return 1
    fi
}

proc_line() {
    local pid=$1 ticks hz rss pss uss hwm threads fds
    hz=$(getconf CLK_TCK)
    [[ -r /proc/$pid/stat ]] || return 1
    # utime and stime are fields 14 and 15; the name (field 2) may hold spaces: cut after ')'.
    ticks=$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')
    read -r rss pss uss < <(proc_mem "$pid")
    hwm=$(awk '/^VmHWM:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    threads=$(awk '/^Threads:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo 0)
    fds=$(find "/proc/$pid/fd" -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
    printf '%s %s %s %s %s %s %s %s %s\n' "$(date +%s.%N | cut -c1-14)" "$pid" "$rss" "$hwm" \
        "$pss" "$uss" "$(awk -v t="$ticks" -v hz="$hz" 'BEGIN {printf "%.2f", t / hz}')" \
        "$threads" "$fds"
}

cmd_proc() {
    local pid=${1:-} interval=${2:-} count=${3:-0} n=0
    [[ $pid =~ ^[0-9]+$ ]] || die "usage: proc PID [INTERVAL [COUNT]]"
    [[ -d /proc/$pid ]] || die "no process $pid"
    echo "# epoch_s pid rss_kb hwm_kb pss_kb uss_kb cpu_s threads fds"
    while proc_line "$pid"; do
        n=$((n + 1))
        [[ -n $interval ]] || break
        ((count > 0 && n >= count)) && break
        sleep "$interval"
    done
}

case ${1:-} in
fleet) cmd_fleet ;;
sessions) shift; cmd_sessions "$@" ;;
proc) shift; cmd_proc "$@" ;;
*) sed -n '2,17p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
