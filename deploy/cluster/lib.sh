# shellcheck shell=bash
# shellcheck disable=SC2154  # owned_dir, dir, started_at, up_timeout: set by the sourcing script
# What the cluster scripts share (sourced by up.sh, escd-up.sh, down.sh, escd-down.sh and
# escd-check.sh): free ports, the logs' tails of a failed start, stopping only the processes of
# one directory, starting daemons and waiting for them, and the nodes as GET /v0/nodes lists
# them. A script that picks ports defines
# die() first; the process functions act on the processes of `$owned_dir`, which it sets.

# --- starting daemons, waiting for them ---------------------------------------------------------
# spawn NAME CMD...: starts CMD in the background, detached from our session (it must outlive the
# script and not get the terminal's SIGINT/SIGHUP), as `spawn_as` (a command prefix, e.g.
# runuser; none by default), logging to $dir/log/NAME.log. The pid in $dir/run/NAME.pid is the
# daemon's own (the sh execs it), not runuser's, so the down scripts and the failover checks
# signal the real process.
spawn_as=()
spawn() {
    local name=$1
    shift
    # shellcheck disable=SC2016 # $$ and $@ are the inner sh's
    setsid "${spawn_as[@]}" sh -c 'echo $$ >"$0"; exec "$@"' "$dir/run/$name.pid" "$@" \
        </dev/null >"$dir/log/$name.log" 2>&1 &
}

# wait_for WHAT CMD...: polls CMD every 0.2 s until it succeeds; dies once `up_timeout` seconds
# have passed since `started_at`.
wait_for() {
    local what=$1
    shift
    until "$@" >/dev/null 2>&1; do
        (($(date +%s) - started_at < up_timeout)) || die "timed out waiting for $what"
        sleep 0.2
    done
}

# --- ports: random in 20000-49999, not listened on now, not picked before ($taken) ------------
# pick_port runs in a subshell ($(pick_port)), so the caller records each pick in $taken. Another
# program may still take a port between the check and the bind; the start then fails and cleans
# up.
port_in_use() { grep -qi ":$(printf '%04X' "$1") " /proc/net/tcp /proc/net/tcp6 2>/dev/null; }
taken=" "
pick_port() {
    local p
    for _ in $(seq 1 50); do
        p=$((20000 + RANDOM % 30000))
        [[ $taken == *" $p "* ]] && continue
        port_in_use "$p" && continue
        echo "$p"
        return
    done
    die "no free port found"
}

# log_tails DIR: the tail of each DIR/log/*.log, on stderr (a start that failed).
log_tails() {
    local f
    for f in "$1"/log/*.log; do
        [[ -f $f ]] || continue
        echo "==== $f (tail)" >&2
        tail -n 25 "$f" >&2
    done
}

# --- processes of $owned_dir ------------------------------------------------------------------
# Is pid $1 alive and ours (its command line or working directory lies in $owned_dir)? So a
# recycled pid is never signalled.
ours() {
    local pid=$1
    [[ $pid =~ ^[0-9]+$ ]] || return 1
    [[ -d /proc/$pid ]] || return 1
    [[ $(awk '{print $3}' /proc/"$pid"/stat 2>/dev/null) != Z ]] || return 1 # zombie: already dead
    # (the process may end between these reads: then the reads fail quietly)
    { tr '\0' ' ' </proc/"$pid"/cmdline; } 2>/dev/null | grep -qF "$owned_dir/" && return 0
    [[ $(readlink /proc/"$pid"/cwd 2>/dev/null) == "$owned_dir"/* ]]
}
# signal_wait SIG TENTHS PID...: SIG to those of the pids that are ours; waits up to TENTHS
# tenths of a second for them to end; returns 1 if some survive.
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
# stop TENTHS SIG PID...: SIG, wait, then SIGKILL what is left.
stop() {
    local tenths=$1 sig=$2
    shift 2
    signal_wait "$sig" "$tenths" "$@" || signal_wait KILL 30 "$@"
}
# stop_leftovers: anything else still running from $owned_dir (a child orphaned by a SIGKILL),
# found by its command line or working directory.
stop_leftovers() {
    local p left=()
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [[ $p == "$$" || $p == "$PPID" ]] && continue
        ours "$p" && left+=("$p")
    done
    ((${#left[@]} == 0)) || stop 30 TERM "${left[@]}"
}

# --- escd -----------------------------------------------------------------------------------
# nodes_summary URL PASSWORD: GET URL/v0/nodes as "name=HEALTH(leases) ...", every row listed
# (lost and stopped ones too; the XML of server/handlers/node_handlers.cpp).
nodes_summary() {
    curl -fsS --max-time 5 -u "admin:$2" "$1/v0/nodes" | tr -d '\n' |
        awk 'BEGIN { RS = "</node>" }
             function tag(t,   s) { s = $0; if (!sub(".*<" t ">", "", s)) return "?"; sub("<.*", "", s); return s }
             /<node>/ { printf "%s%s=%s(%s)", sep, tag("name"), tag("health"), tag("leases"); sep = " " }
             END { print "" }'
}
