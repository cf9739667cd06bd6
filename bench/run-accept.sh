#!/usr/bin/env bash
# Accept-path benchmark of escd, in one command (see bench/README.md). From the repo root, after
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release -j2
# run
#   bench/run-accept.sh
#
# For each client count it measures, on 127.0.0.1 only and in this order:
#   accept   keep-alive clients POSTing tenant creates (each with a Callback) to escd;
#   bare     the same clients against a bare Beast server answering 200 with no work;
#   pgbench  one INSERT per transaction into the same PostgreSQL at the same concurrency.
# and prints the three figures and the ratios, then the target line
#   TARGET accept/pgbench at 64 connections >= 70%: PASS|FAIL (X%)
#
# Environment:
#   BUILD_DIR      build tree holding server/escd and bench/escd_bench_accept (build/release)
#   DURATION       measured seconds per run (10)          WARMUP  warmup seconds per run (2)
#   CONNS          client counts ("1 16 64")
#   BENCH_DURABLE  1 (default): PostgreSQL with fsync=on synchronous_commit=on
#                  full_page_writes=on, like production; 0: keep the fast test settings
#   BENCH_ESCD     1 (default); 0 skips escd and measures only the two limits
#   ESCD_READY_TIMEOUT  seconds to wait for "escd ready" (60)
#   ESCD_ARGS      extra escd flags, e.g. "--database.pool_size=16"
#
# Exit status: 0 once the benchmark ran (whatever the figures say); 1 when something broke
# (a component failed to start, a run failed or any request got an error).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

BUILD_DIR=${BUILD_DIR:-build/release}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
CONNS=${CONNS:-"1 16 64"}
BENCH_DURABLE=${BENCH_DURABLE:-1}
BENCH_ESCD=${BENCH_ESCD:-1}
ESCD_READY_TIMEOUT=${ESCD_READY_TIMEOUT:-60}

pgbin=/usr/lib/postgresql/15/bin
bench_bin=$BUILD_DIR/bench/escd_bench_accept
escd_bin=$BUILD_DIR/server/escd
admin_password=benchpass

bench_name=run-accept
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

[[ $DURATION =~ ^[0-9]+$ && $DURATION -gt 0 ]] || die "DURATION must be a positive integer"
[[ $WARMUP =~ ^[0-9]+$ ]] || die "WARMUP must be a non-negative integer"
for n in $CONNS; do
    [[ $n =~ ^[0-9]+$ && $n -gt 0 && $n -le 250 ]] || die "CONNS: '$n' is not in 1..250"
done
[[ -x $bench_bin ]] || die "$bench_bin not found: build first (cmake --build $BUILD_DIR -j2)"
if [[ $BENCH_ESCD != 0 ]]; then
    [[ -x $escd_bin ]] || die "$escd_bin not found: build first (cmake --build $BUILD_DIR -j2)"
fi
[[ -x $pgbin/pgbench && -x $pgbin/psql ]] || die "$pgbin/pgbench or psql missing"
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null || true)
[[ $build_type == Release ]] ||
    echo "run-accept: warning: $BUILD_DIR is a '${build_type:-unknown}' build, not Release" >&2

work=$(mktemp -d /tmp/escd-bench.XXXXXX)
escd_pid='' bare_pid='' receiver_pid='' pg_dir=''

# shellcheck disable=SC2317  # runs from the EXIT trap
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    stop_pid "$escd_pid"
    stop_pid "$bare_pid"
    stop_pid "$receiver_pid"
    [[ -n $pg_dir ]] && "$root/tests/pg-down.sh" "$pg_dir"
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Starts `escd_bench_accept MODE` on a free port; sets REPLY to the port, $2 names the pid var.
start_helper() {
    local mode=$1 out=$work/$1.out line
    "$bench_bin" "$mode" --port 0 >"$out" 2>&1 &
    printf -v "$2" '%s' $!
    line=$(wait_for_line "$out" '^PORT [0-9]+$' 10 "${!2}") || {
        cat "$out" >&2
        die "$mode server did not start"
    }
    REPLY=${line#PORT }
}

any_errors=0
# run_load NAME PORT CONNS [load options...]: prints the RESULT line on stdout.
run_load() {
    local name=$1 port=$2 conns=$3 out err=$work/load-$1-$3.err result errors
    shift 3
    out=$("$bench_bin" load --port "$port" --connections "$conns" --duration-s "$DURATION" \
        --warmup-s "$WARMUP" --name "$name" "$@" 2>"$err") || true
    result=$(grep -m1 '^RESULT ' <<<"$out") || {
        cat "$err" >&2
        die "load against $name ($conns connections) produced no result"
    }
    errors=$(field errors "$result")
    if [[ $errors != 0 ]]; then
        echo "run-accept: $name at $conns connections: $errors error(s):" >&2
        head -n 6 "$err" | sed 's/^/    /' >&2
    fi
    echo "$result"
}

# --- PostgreSQL ------------------------------------------------------------------------------
log "starting PostgreSQL"
start_postgres "$BENCH_DURABLE"
psql_ -d postgres -c "CREATE DATABASE pgbench_db"
psql_ -d pgbench_db -c "CREATE TABLE bench_insert (id bigserial PRIMARY KEY, tx uuid, body text,
                                              created_at timestamptz DEFAULT now())"
echo "INSERT INTO bench_insert(tx, body) VALUES (gen_random_uuid(), 'x');" >"$work/insert.sql"

# Starts escd on database $1 with extra flags $2..; sets escd_pid and escd_port.
start_escd() {
    local db=$1
    shift
    log "starting escd on database $db $*"
    mkdir -p "$work/escd-data-$db"
    psql_ -d postgres -c "CREATE DATABASE $db"
    "$escd_bin" --database.dsn="$ESCD_TEST_PG_DSN dbname=$db" --server.http_port=0 --csm.http_port=-1 \
        --server.https_port=-1 --general.data_dir="$work/escd-data-$db" \
        --auth.admin_password="$admin_password" --log.level=WARN ${ESCD_ARGS:-} "$@" \
        >"$work/escd.out" 2>"$work/escd.err" &
    escd_pid=$!
    local status=0 line
    line=$(wait_for_line "$work/escd.out" '^escd ready http=[0-9]+' "$ESCD_READY_TIMEOUT" \
        "$escd_pid") || status=$?
    if ((status != 0)); then
        if ((status == 2)); then
            exit_status=0
            wait "$escd_pid" || exit_status=$?
            escd_pid=''
            echo "run-accept: escd exited with status $exit_status without printing 'escd ready http=<port>'" >&2
        else
            echo "run-accept: escd did not print 'escd ready http=<port>' within ${ESCD_READY_TIMEOUT} s" >&2
        fi
        echo "--- escd stdout (last 20 lines)" >&2
        tail -n 20 "$work/escd.out" >&2
        echo "--- escd stderr (last 20 lines)" >&2
        tail -n 20 "$work/escd.err" >&2
        die "escd is not ready; cannot measure the accept path (BENCH_ESCD=0 measures only the limits)"
    fi
    escd_port=$(sed -n 's/^escd ready http=\([0-9]*\).*/\1/p' <<<"$line")
    echo "escd on 127.0.0.1:$escd_port"
}

stop_escd() {
    kill -TERM "$escd_pid" 2>/dev/null || true
    wait "$escd_pid" 2>/dev/null || true
    escd_pid=''
}

# --- helpers and escd ------------------------------------------------------------------------
log "starting bare Beast server"
start_helper bare bare_pid
bare_port=$REPLY
echo "bare server on 127.0.0.1:$bare_port"

escd_port=''
if [[ $BENCH_ESCD != 0 ]]; then
    log "starting callback receiver"
    start_helper receiver receiver_pid
    receiver_port=$REPLY
    callback_url=http://127.0.0.1:$receiver_port/esc-callback
    echo "callback receiver on 127.0.0.1:$receiver_port"

    start_escd bench
fi

# --- runs ------------------------------------------------------------------------------------
declare -A accept_rps accept_p50 accept_p99 accept_err bare_rps pg_tps
run_id=$(date +%s)-$$
for n in $CONNS; do
    if [[ -n $escd_port ]]; then
        log "$n connection(s): escd accept path (${WARMUP} s warmup + ${DURATION} s)"
        psql_ -d postgres -c CHECKPOINT
        result=$(run_load accept "$escd_port" "$n" --user admin --password "$admin_password" \
            --callback "$callback_url" --prefix "b$run_id-c$n")
        echo "$result"
        accept_rps[$n]=$(field rps "$result")
        accept_p50[$n]=$(field p50_ms "$result")
        accept_p99[$n]=$(field p99_ms "$result")
        accept_err[$n]=$(field errors "$result")
        [[ ${accept_err[$n]} == 0 ]] || any_errors=1
        wait_idle "$escd_pid" 30
        kill -0 "$escd_pid" 2>/dev/null || die "escd died during the run (see output above)"
    fi

    log "$n connection(s): bare Beast server"
    result=$(run_load bare "$bare_port" "$n" --method GET --target /)
    echo "$result"
    bare_rps[$n]=$(field rps "$result")
    [[ $(field errors "$result") == 0 ]] || any_errors=1

    log "$n connection(s): pgbench, one INSERT per transaction (${DURATION} s)"
    psql_ -d postgres -c CHECKPOINT
    "$pgbin/pgbench" -n -c "$n" -j 2 -T "$DURATION" -f "$work/insert.sql" -h 127.0.0.1 \
        -p "$ESCD_TEST_PG_PORT" -U postgres pgbench_db >"$work/pgbench-$n.out" 2>&1 || {
        cat "$work/pgbench-$n.out" >&2
        die "pgbench failed"
    }
    pg_tps[$n]=$(sed -n -E 's/^tps = ([0-9.]+) \((without initial connection time|excluding connections establishing)\).*/\1/p' \
        "$work/pgbench-$n.out")
    [[ -n ${pg_tps[$n]} ]] || {
        cat "$work/pgbench-$n.out" >&2
        die "no tps line in the pgbench output"
    }
    pg_tps[$n]=$(awk -v t="${pg_tps[$n]}" 'BEGIN { printf "%.1f", t }')
    grep -E '^(number of failed|latency average|tps = .*without)' "$work/pgbench-$n.out" || true
done

# The accept path alone: the same requests to an escd whose engine is paused, so that the 200
# (validation + one group-committed statement) does not share the two cores with the work that
# follows it (VIM call, completion, callback delivery).
declare -A only_rps only_p50 only_p99
if [[ -n $escd_port ]]; then
    stop_escd
    start_escd bench_accept_only --engine.paused_for_test=true
    for n in $CONNS; do
        log "$n connection(s): escd accept path alone, engine paused (${WARMUP} s warmup + ${DURATION} s)"
        psql_ -d postgres -c CHECKPOINT
        result=$(run_load accept-only "$escd_port" "$n" --user admin --password "$admin_password" \
            --callback "$callback_url" --prefix "o$run_id-c$n")
        echo "$result"
        only_rps[$n]=$(field rps "$result")
        only_p50[$n]=$(field p50_ms "$result")
        only_p99[$n]=$(field p99_ms "$result")
        [[ $(field errors "$result") == 0 ]] || any_errors=1
    done
fi

if [[ -n $receiver_pid ]]; then
    kill -TERM "$receiver_pid"
    { wait "$receiver_pid"; } 2>/dev/null || true
    receiver_pid=''
    echo "callback receiver got $(sed -n 's/^RECEIVED //p' "$work/receiver.out") request(s)"
fi

# --- report ----------------------------------------------------------------------------------
echo
echo "escd accept path vs its limits: ${DURATION} s per run after ${WARMUP} s warmup," \
    "PostgreSQL $durability"
row() { printf '%5s | %10s %8s %8s %6s | %10s | %11s | %16s | %13s\n' "$@"; }
row conns "accept rps" "p50 ms" "p99 ms" errors "bare rps" "pgbench tps" \
    "accept/pgbench %" "accept/bare %"
row ----- ---------- -------- -------- ------ ---------- ----------- \
    ---------------- -------------
for n in $CONNS; do
    row "$n" "${accept_rps[$n]:--}" "${accept_p50[$n]:--}" "${accept_p99[$n]:--}" \
        "${accept_err[$n]:--}" "${bare_rps[$n]}" "${pg_tps[$n]}" \
        "$(ratio_pct "${accept_rps[$n]:-}" "${pg_tps[$n]}")" "$(ratio_pct "${accept_rps[$n]:-}" "${bare_rps[$n]}")"
done
echo
if [[ -n $escd_port ]]; then
    echo "accept path alone (engine paused): the cost of the 200 itself"
    row2() { printf '%5s | %10s %8s %8s | %11s | %16s\n' "$@"; }
    row2 conns "rps" "p50 ms" "p99 ms" "pgbench tps" "alone/pgbench %"
    row2 ----- ---------- -------- -------- ----------- ----------------
    for n in $CONNS; do
        row2 "$n" "${only_rps[$n]:--}" "${only_p50[$n]:--}" "${only_p99[$n]:--}" "${pg_tps[$n]}" \
            "$(ratio_pct "${only_rps[$n]:-}" "${pg_tps[$n]}")"
    done
    echo
fi

if [[ -z $escd_port ]]; then
    echo "TARGET accept/pgbench at 64 connections >= 70%: SKIPPED (escd not measured, BENCH_ESCD=0)"
elif [[ -z ${pg_tps[64]:-} ]]; then
    echo "TARGET accept/pgbench at 64 connections >= 70%: SKIPPED (64 not in CONNS)"
else
    ratio=$(ratio_pct "${accept_rps[64]}" "${pg_tps[64]}")
    verdict=$(calc 'print (r != "-" && r + 0 >= 70) ? "PASS" : "FAIL"' r="$ratio")
    [[ ${accept_err[64]} == 0 ]] || verdict="FAIL"
    echo "TARGET accept/pgbench at 64 connections >= 70%: $verdict ($ratio%, engine running)"
    ratio_alone=$(ratio_pct "${only_rps[64]:-}" "${pg_tps[64]}")
    verdict_alone=$(calc 'print (r != "-" && r + 0 >= 70) ? "PASS" : "FAIL"' r="$ratio_alone")
    echo "TARGET accept/pgbench at 64 connections >= 70%: $verdict_alone ($ratio_alone%, accept path alone)"
fi

if ((any_errors)); then
    echo "run-accept: some requests failed (see above); the figures are not valid" >&2
    exit 1
fi
exit 0
