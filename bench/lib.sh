# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034  # bench_name, pgbin, root: set by the sourcing script; ticks_per_s: used by it
# What the benchmark scripts share (sourced by run-accept.sh, run-deploy.sh, run-list.sh). The
# script sets `bench_name` (for messages), `pgbin`, and, before using psql_/start_postgres,
# nothing else: start_postgres sets pg_dir and the ESCD_TEST_PG_* variables.

die() {
    echo "$bench_name: $*" >&2
    exit 1
}
log() { echo "== $*"; }

# stop_pid PID: stops a process the script started: SIGTERM, then SIGKILL after 10 s.
stop_pid() {
    local pid=$1
    [[ -n $pid ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 100); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    kill -KILL "$pid" 2>/dev/null || true
    { wait "$pid"; } 2>/dev/null || true
}

# wait_for_line FILE REGEX TIMEOUT_S PID: prints the first line of FILE matching REGEX.
# Returns 1 on timeout, 2 when PID exited without printing it.
wait_for_line() {
    local file=$1 regex=$2 deadline=$((SECONDS + $3)) pid=$4 line
    while ((SECONDS < deadline)); do
        if line=$(grep -m1 -E "$regex" "$file" 2>/dev/null); then
            echo "$line"
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            line=$(grep -m1 -E "$regex" "$file" 2>/dev/null) && { echo "$line"; return 0; }
            return 2
        fi
        sleep 0.1
    done
    return 1
}

# CPU time of a process in clock ticks (utime + stime, /proc/PID/stat fields 14 and 15).
cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat" 2>/dev/null || echo 0; }
ticks_per_s=$(getconf CLK_TCK)
# mem_kb PID FIELD: a /proc/PID/status field in kB (VmRSS, VmHWM).
mem_kb() { awk -v k="$2:" '$1 == k { print $2 }' "/proc/$1/status"; }

# wait_idle PID [TIMEOUT_S]: waits (up to TIMEOUT_S, 60) until PID uses less than ~5% of a
# core, so that work a run left behind (callbacks, orchestration) does not leak into the next
# measurement.
wait_idle() {
    local pid=$1 rounds=$((${2:-60} * 2)) before after
    before=$(cpu_ticks "$pid")
    for _ in $(seq "$rounds"); do
        sleep 0.5
        after=$(cpu_ticks "$pid")
        (((after - before) <= 2)) && return 0
        before=$after
    done
    echo "$bench_name: warning: escd still busy after ${2:-60} s" >&2
}

psql_() { "$pgbin/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$ESCD_TEST_PG_PORT" -U postgres "$@"; }
# field NAME LINE: value of NAME=value in a RESULT line.
field() { sed -n "s/.* $1=\([^ ]*\).*/\1/p" <<<" $2"; }
calc() { awk "BEGIN { $1 }"; }

# start_postgres DURABLE: a throw-away PostgreSQL on a free loopback port (tests/pg-up.sh); with
# DURABLE != 0 restarted with fsync, synchronous_commit and full_page_writes on (pg-up.sh passes
# them off on the command line, which beats ALTER SYSTEM). Sets pg_dir and `durability`, prints
# the settings that matter.
start_postgres() {
    local pg_env settings as_pg=()
    pg_env=$("$root/tests/pg-up.sh") || die "tests/pg-up.sh failed"
    eval "$pg_env"
    pg_dir=$ESCD_TEST_PG_DIR
    durability="durable"
    if [[ $1 != 0 ]]; then
        [[ $(id -u) -eq 0 ]] && as_pg=(runuser -u postgres --)
        "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 \
            -m fast restart -o "-p $ESCD_TEST_PG_PORT -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=300" \
            >/dev/null || { cat "$pg_dir/postgres.log" >&2; die "could not restart PostgreSQL durable"; }
    else
        durability="NOT durable (BENCH_DURABLE=0)"
    fi
    settings=$(psql_ -d postgres -At -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name)
        FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'full_page_writes',
                                        'wal_sync_method', 'max_connections')")
    echo "PostgreSQL on 127.0.0.1:$ESCD_TEST_PG_PORT, $durability: $settings"
}
