# shellcheck shell=bash
# shellcheck disable=SC2154,SC2034  # bench_name, pgbin, root: set by the sourcing script; ticks_per_s: used by it
# What the benchmark scripts share (sourced by run-accept.sh, run-cluster.sh, run-deploy.sh, run-list.sh and
# run-openstack.sh). The script sets `bench_name` (for messages), `pgbin`, and, before using
# psql_/start_postgres, nothing else: start_postgres sets pg_dir and the ESCD_TEST_PG_* variables.
# start_receiver and start_escd also read work, accept_bin, escd_bin, db, admin_password,
# LOG_LEVEL and ESCD_READY_TIMEOUT.

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
# calc PROGRAM [NAME=VALUE...]: runs awk's `BEGIN { PROGRAM }`, each NAME an awk variable.
# A figure that may be zero goes in as a variable, never as text of PROGRAM: gawk divides
# constants while it parses, so `100 * 5 / 0` is fatal there even in a branch `0 > 0 ? ... : 0`
# that never runs (mawk does not fold).
calc() {
    local program=$1 assignments=() assignment
    shift
    for assignment in "$@"; do assignments+=(-v "$assignment"); done
    awk "${assignments[@]}" "BEGIN { $program }"
}
# pg_ticks: the CPU time (ticks) of the PostgreSQL of start_postgres, the postmaster and every
# process it runs (escd's pools are persistent, so their backends live through a whole run).
pg_ticks() {
    local postmaster sum pid
    postmaster=$(head -n 1 "$pg_dir/data/postmaster.pid")
    sum=$(cpu_ticks "$postmaster")
    for pid in $(pgrep -P "$postmaster"); do sum=$((sum + $(cpu_ticks "$pid"))); done
    echo "$sum"
}

# ratio_pct A B: 100 * A / B with one decimal, "-" when B is zero or either is missing.
ratio_pct() { calc 'if (a == "" || b == "" || b + 0 == 0) print "-"; else printf "%.1f", 100 * a / b' a="$1" b="$2"; }

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

# start_receiver: escd_bench_accept's callback receiver ($accept_bin) on a free loopback port,
# answering 200: the seeding requests need a Callback (tenants require one), and none of their
# callbacks may still be retried while a measurement runs. Sets receiver_pid and seed_callback.
start_receiver() {
    local line
    "$accept_bin" receiver --port 0 >"$work/receiver.out" 2>&1 &
    receiver_pid=$!
    line=$(wait_for_line "$work/receiver.out" '^PORT [0-9]+$' 10 "$receiver_pid") || {
        cat "$work/receiver.out" >&2
        die "callback receiver did not start"
    }
    seed_callback=http://127.0.0.1:${line#PORT }/seed
}

# start_escd [FLAG...]: $escd_bin on 127.0.0.1 (HTTP on a free port, no HTTPS) with database
# $db, admin password $admin_password, log level $LOG_LEVEL, the libvirt test driver, callbacks
# and file downloads to loopback only, and the extra FLAGs; output in $work/escd.out and
# escd.err. Waits up to ESCD_READY_TIMEOUT s for it to be ready. Sets escd_pid, data_dir, port
# and base (the /ESCManager/v0 URL).
start_escd() {
    local status=0
    data_dir=$work/escd-data
    mkdir -p "$data_dir/files"
    "$escd_bin" --database.dsn="$ESCD_TEST_PG_DSN dbname=$db" --server.listen_address=127.0.0.1 \
        --server.http_port=0 --server.https_port=-1 --csm.http_port=-1 --general.data_dir="$data_dir" \
        --auth.admin_password="$admin_password" --log.level="$LOG_LEVEL" \
        --vim.uri=test:///default --callbacks.allowed_cidrs=127.0.0.0/8 \
        --files.allowed_cidrs=127.0.0.0/8 --server.ready_file="$work/ready" "$@" \
        >"$work/escd.out" 2>"$work/escd.err" &
    escd_pid=$!
    wait_for_line "$work/escd.out" '^escd ready http=[0-9]+' "$ESCD_READY_TIMEOUT" "$escd_pid" \
        >/dev/null || status=$?
    if ((status != 0)); then
        echo "--- escd stdout (last 20 lines)" >&2
        tail -n 20 "$work/escd.out" >&2
        echo "--- escd stderr (last 20 lines)" >&2
        tail -n 20 "$work/escd.err" >&2
        ((status == 2)) && escd_pid=''
        die "escd is not ready (status $status: 1 timeout, 2 exited)"
    fi
    port=$(sed -n 's/^http=\([0-9]*\).*/\1/p' "$work/ready")
    [[ -n $port ]] || die "escd wrote no port to its ready file"
    base=http://127.0.0.1:$port/ESCManager/v0
}
