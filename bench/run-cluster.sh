#!/usr/bin/env bash
# Cluster benchmark of escd (several nodes on one PostgreSQL; see bench/README.md and docs/cluster.md).
# From the repo root, after
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release -j2
# run
#   bench/run-cluster.sh
#
# Several escd nodes on one durable PostgreSQL, on 127.0.0.1 only. Measured:
#   - accept throughput with 1, 2 and 3 nodes: for each node count a fresh database, the nodes
#     on it, and one escd_bench_accept load per node at the same time (CONNS connections split
#     between them, callbacks to one shared receiver). Per node count: the total rps, the worst
#     p99, the errors, the CPU per accepted request of escd (all nodes) and of PostgreSQL (the
#     postmaster and its children) during the measured window, and, once the callbacks are
#     drained, the callback latency (finished_at - created_at of the DELIVERED outbox rows);
#   - takeover time: node A (engine paused: it accepts and runs nothing) accepts TAKEOVER_OPS
#     tenant creates, is SIGKILLed, and node B takes its work over once A's lease has passed;
#     the time from the kill to the first and to the last of those operations finished, and
#     that every accepted transaction has exactly one finished operation and a delivered
#     callback.
# and prints the table and the target lines
#   TARGET takeover (kill to first operation resumed) < lease + 2 s: PASS|FAIL (X ms, lease Y ms)
#   TARGET takeover loses no accepted transaction: PASS|FAIL (...)
#
# Not here: the write loss of a PostgreSQL failover (target: zero). That needs the Patroni pair
# of deploy/cluster/: deploy/cluster/failover-check.sh measures it for plain inserts, and
# deploy/cluster/escd-check.sh for escd's own requests through three nodes behind HAProxy.
#
# Environment:
#   BUILD_DIR      build tree holding server/escd and bench/escd_bench_accept (build/release)
#   NODES          node counts of the throughput runs ("1 2 3")
#   CONNS          client connections per throughput run, split between the nodes (64)
#   DURATION       measured seconds per run (10)          WARMUP  warmup seconds per run (2)
#   TAKEOVER_OPS   tenant creates accepted by the node that is killed (200); 0 skips the takeover
#   HEARTBEAT_MS   cluster.heartbeat_ms of the takeover nodes (500)
#   LEASE_MS       cluster.lease_ms of the takeover nodes (3000; more than 2 * HEARTBEAT_MS)
#                  (the throughput runs keep escd's defaults, 1000 and 10000)
#   DRAIN_TIMEOUT  seconds to wait for the callbacks of a run to be delivered (60)
#   BENCH_DURABLE  1 (default): PostgreSQL with fsync=on synchronous_commit=on
#                  full_page_writes=on, like production; 0: keep the fast test settings
#   LOG_LEVEL      escd's log level (WARN; the surviving takeover node logs at INFO)
#   ESCD_ARGS      extra escd flags for every node
#   ESCD_READY_TIMEOUT  seconds to wait for "escd ready" (60)
#
# Exit status: 0 once the benchmark ran (whatever the figures say); 1 when something broke (a
# component failed to start, a node died, a request got an error, callbacks were not delivered
# in time, or the takeover lost or did not finish an accepted transaction).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

BUILD_DIR=${BUILD_DIR:-build/release}
NODES=${NODES:-"1 2 3"}
CONNS=${CONNS:-64}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
TAKEOVER_OPS=${TAKEOVER_OPS:-200}
HEARTBEAT_MS=${HEARTBEAT_MS:-500}
LEASE_MS=${LEASE_MS:-3000}
DRAIN_TIMEOUT=${DRAIN_TIMEOUT:-60}
BENCH_DURABLE=${BENCH_DURABLE:-1}
LOG_LEVEL=${LOG_LEVEL:-WARN}
ESCD_READY_TIMEOUT=${ESCD_READY_TIMEOUT:-60}

pgbin=/usr/lib/postgresql/15/bin
accept_bin=$BUILD_DIR/bench/escd_bench_accept
escd_bin=$BUILD_DIR/server/escd
admin_password=benchpass

# shellcheck disable=SC2034  # read by bench/lib.sh
bench_name=run-cluster
# shellcheck source=bench/lib.sh disable=SC1091  # followed with shellcheck -x
source "$root/bench/lib.sh"
# Set by bench/lib.sh: seed_callback (start_receiver), durability (start_postgres), ticks_per_s.
: "${seed_callback=}" "${durability=}" "${ticks_per_s:?}"

for var in CONNS DURATION HEARTBEAT_MS LEASE_MS DRAIN_TIMEOUT ESCD_READY_TIMEOUT; do
    [[ ${!var} =~ ^[0-9]+$ && ${!var} -gt 0 ]] || die "$var must be a positive integer"
done
for var in WARMUP TAKEOVER_OPS; do
    [[ ${!var} =~ ^[0-9]+$ ]] || die "$var must be a non-negative integer"
done
for n in $NODES; do
    [[ $n =~ ^[0-9]+$ && $n -gt 0 && $n -le 9 ]] || die "NODES: '$n' is not in 1..9"
    ((n <= CONNS)) || die "NODES: $n nodes need at least $n connections (CONNS=$CONNS)"
done
((CONNS <= 250)) || die "CONNS must be at most 250"
((LEASE_MS > 2 * HEARTBEAT_MS)) || die "LEASE_MS must be more than 2 * HEARTBEAT_MS"
for bin in "$accept_bin" "$escd_bin"; do
    [[ -x $bin ]] || die "$bin not found: build first (cmake --build $BUILD_DIR -j2)"
done
[[ -x $pgbin/psql ]] || die "$pgbin/psql missing"
command -v curl >/dev/null || die "curl is needed for the takeover's requests"
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null || true)
[[ $build_type == Release ]] ||
    echo "run-cluster: warning: $BUILD_DIR is a '${build_type:-unknown}' build, not Release" >&2

work=$(mktemp -d /tmp/escd-bench-cluster.XXXXXX)
receiver_pid='' pg_dir=''
node_pids=() node_ports=() node_names=() load_pids=()

# shellcheck disable=SC2317  # runs from the EXIT trap
cleanup() {
    local status=$? pid
    trap - EXIT INT TERM
    for pid in "${load_pids[@]}" "${node_pids[@]}"; do stop_pid "$pid"; done
    stop_pid "$receiver_pid"
    [[ -n $pg_dir ]] && "$root/tests/pg-down.sh" "$pg_dir"
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# The CPU time of every running node.
escd_ticks() {
    local sum=0 pid
    for pid in "${node_pids[@]}"; do sum=$((sum + $(cpu_ticks "$pid"))); done
    echo "$sum"
}

sql() { psql_ -d "$db" -At -c "$1"; }

# wait_for_sql SQL EXPECTED TIMEOUT_S: polls database $db every 0.1 s until SQL returns
# EXPECTED. Returns 1 on timeout.
wait_for_sql() {
    local deadline=$((SECONDS + $3))
    while ((SECONDS < deadline)); do
        [[ $(sql "$1") == "$2" ]] && return 0
        sleep 0.1
    done
    [[ $(sql "$1") == "$2" ]]
}

show_node_output() {
    local name=$1
    echo "--- escd $name stdout (last 20 lines)" >&2
    tail -n 20 "$work/$db-$name.out" >&2
    echo "--- escd $name stderr (last 20 lines)" >&2
    tail -n 20 "$work/$db-$name.err" >&2
}

# start_node NAME LOG_LEVEL [FLAG...]: an escd node named NAME on database $db (its own data
# dir, ready file and output files, HTTP on a free port, no HTTPS), with the extra FLAGs; waits
# up to ESCD_READY_TIMEOUT s for it. Appends to node_pids, node_ports and node_names.
start_node() {
    local name=$1 level=$2 out=$work/$db-$1.out status=0 line pid
    shift 2
    mkdir -p "$work/$db-$name-data"
    # shellcheck disable=SC2086  # ESCD_ARGS is a list of flags
    "$escd_bin" --database.dsn="$ESCD_TEST_PG_DSN dbname=$db" --server.listen_address=127.0.0.1 \
        --server.http_port=0 --server.https_port=-1 --csm.http_port=-1 --general.data_dir="$work/$db-$name-data" \
        --auth.admin_password="$admin_password" --log.level="$level" \
        --callbacks.allowed_cidrs=127.0.0.0/8 --server.ready_file="$work/$db-$name.ready" \
        --cluster.node_name="$name" ${ESCD_ARGS:-} "$@" >"$out" 2>"$work/$db-$name.err" &
    pid=$!
    line=$(wait_for_line "$out" '^escd ready http=[0-9]+' "$ESCD_READY_TIMEOUT" "$pid") ||
        status=$?
    if ((status != 0)); then
        if ((status == 2)); then
            local exit_status=0
            wait "$pid" || exit_status=$?
            echo "run-cluster: escd $name exited with status $exit_status without printing 'escd ready http=<port>'" >&2
        else
            node_pids+=("$pid")  # stopped on exit
            echo "run-cluster: escd $name did not print 'escd ready http=<port>' within ${ESCD_READY_TIMEOUT} s" >&2
        fi
        show_node_output "$name"
        die "escd $name is not ready"
    fi
    node_pids+=("$pid")
    node_ports+=("$(sed -n 's/^escd ready http=\([0-9]*\).*/\1/p' <<<"$line")")
    node_names+=("$name")
    echo "escd $name on 127.0.0.1:${node_ports[-1]}, pid $pid"
}

# Stops every node (SIGTERM, then SIGKILL after 10 s), one after the other.
stop_nodes() {
    local pid
    for pid in "${node_pids[@]}"; do stop_pid "$pid"; done
    node_pids=() node_ports=() node_names=()
}

# Dies when a node is no longer running.
check_nodes_alive() {
    local i
    for i in "${!node_pids[@]}"; do
        kill -0 "${node_pids[$i]}" 2>/dev/null && continue
        show_node_output "${node_names[$i]}"
        die "escd ${node_names[$i]} died $1"
    done
}

# nodes_summary PORT: GET /v0/nodes of the node on PORT as "name=HEALTH(leases) ...".
nodes_summary() {
    curl -fsS -u "admin:$admin_password" "http://127.0.0.1:$1/v0/nodes" | tr -d '\n' |
        awk 'BEGIN { RS = "</node>" }
             function tag(t,   s) { s = $0; if (!sub(".*<" t ">", "", s)) return "?"; sub("<.*", "", s); return s }
             /<node>/ { printf "%s%s=%s(%s)", sep, tag("name"), tag("health"), tag("leases"); sep = " " }
             END { print "" }'
}

# leases_released WHAT HEARTBEAT_MS: once every operation finished and every callback was
# delivered, the nodes end their transaction leases on their next takeover pass (one per
# heartbeat): waits two heartbeats and 2 s for that, and warns when some are left.
leases_released() {
    local left
    wait_for_sql "SELECT count(*) FROM leases WHERE unit_kind = 'transaction'" 0 \
        $((2 * $2 / 1000 + 2)) && return 0
    left=$(sql "SELECT count(*) FROM leases WHERE unit_kind = 'transaction'")
    echo "run-cluster: warning: $1: $left transaction lease(s) left with nothing to do" >&2
}

# callback_latency: "delivered p50 p99" (ms) of the DELIVERED outbox rows of database $db.
callback_latency() {
    sql "SELECT count(*), coalesce(round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms), 1)::text, '-'),
                coalesce(round(percentile_disc(0.99) WITHIN GROUP (ORDER BY ms), 1)::text, '-')
         FROM (SELECT (extract(epoch FROM finished_at - created_at) * 1000)::numeric AS ms
               FROM outbox WHERE state = 'DELIVERED') d" | tr '|' ' '
}

any_errors=0

# --- PostgreSQL and the receiver ---------------------------------------------------------------
log "machine before the run: $(uptime)"
log "starting PostgreSQL"
start_postgres "$BENCH_DURABLE"
[[ $(head -n 1 "$pg_dir/data/postmaster.pid") =~ ^[0-9]+$ ]] ||
    die "no postmaster pid in $pg_dir/data/postmaster.pid"
log "starting callback receiver"
start_receiver
callback_url=${seed_callback%/seed}/esc-callback
echo "callback receiver at $callback_url"

# --- throughput with 1, 2, 3 nodes ---------------------------------------------------------------
declare -A rps p99 errors escd_us pg_us cb_count cb_p50 cb_p99 drain_s per_node
run_id=$(date +%s)-$$
for n in $NODES; do
    db=cluster_n$n
    log "$n node(s): database $db"
    psql_ -d postgres -c "CREATE DATABASE $db"
    for i in $(seq "$n"); do start_node "node-$i" "$LOG_LEVEL"; done
    alive=$(nodes_summary "${node_ports[0]}") || die "GET /v0/nodes failed"
    echo "nodes: $alive"
    [[ $(grep -o '=ALIVE(' <<<"$alive" | wc -l) == "$n" ]] || die "GET /v0/nodes does not list $n live nodes"
    psql_ -d postgres -c CHECKPOINT

    log "$n node(s): $CONNS connection(s) split over $n load(s) (${WARMUP} s warmup + ${DURATION} s)"
    load_pids=()
    for i in $(seq "$n"); do
        conns=$((CONNS / n + (i <= CONNS % n ? 1 : 0)))
        "$accept_bin" load --port "${node_ports[$((i - 1))]}" --connections "$conns" \
            --duration-s "$DURATION" --warmup-s "$WARMUP" --name "n$n-node-$i" --user admin \
            --password "$admin_password" --callback "$callback_url" --prefix "c$run_id-n$n-$i" \
            >"$work/load-$n-$i.out" 2>"$work/load-$n-$i.err" &
        load_pids+=($!)
    done
    # The measured window: the loads' own (they start within milliseconds of each other).
    sleep "$WARMUP"
    escd_before=$(escd_ticks)
    pg_before=$(pg_ticks)
    sleep "$DURATION"
    escd_after=$(escd_ticks)
    pg_after=$(pg_ticks)
    for pid in "${load_pids[@]}"; do wait "$pid" || true; done
    load_pids=()
    ended=$EPOCHREALTIME

    rps_sum=0 p99_max=0 err_sum=0 node_rps=()
    for i in $(seq "$n"); do
        result=$(grep -m1 '^RESULT ' "$work/load-$n-$i.out") || {
            cat "$work/load-$n-$i.err" >&2
            die "load against node-$i ($n nodes) produced no result"
        }
        echo "$result"
        if [[ $(field errors "$result") != 0 ]]; then
            echo "run-cluster: node-$i of $n: $(field errors "$result") error(s):" >&2
            head -n 6 "$work/load-$n-$i.err" | sed 's/^/    /' >&2
        fi
        rps_sum=$(calc 'printf "%.1f", a + b' a="$rps_sum" b="$(field rps "$result")")
        p99_max=$(calc 'print (b + 0 > a + 0) ? b : a' a="$p99_max" b="$(field p99_ms "$result")")
        err_sum=$((err_sum + $(field errors "$result")))
        node_rps+=("$(field rps "$result")")
    done
    check_nodes_alive "during the run with $n node(s)"
    rps[$n]=$rps_sum p99[$n]=$p99_max errors[$n]=$err_sum
    per_node[$n]=$(IFS=/; echo "${node_rps[*]}")
    ((err_sum == 0)) || any_errors=1
    # Accepted in the window: the successful requests the loads counted there (rps * DURATION).
    accepted=$(calc 'printf "%.0f", r * d' r="$rps_sum" d="$DURATION")
    escd_us[$n]=$(calc 'if (n + 0 == 0) print "-"; else printf "%.0f", t / hz / n * 1e6' \
        t=$((escd_after - escd_before)) hz="$ticks_per_s" n="$accepted")
    pg_us[$n]=$(calc 'if (n + 0 == 0) print "-"; else printf "%.0f", t / hz / n * 1e6' \
        t=$((pg_after - pg_before)) hz="$ticks_per_s" n="$accepted")
    echo "accepted in the window: $accepted; CPU per accepted request: escd ${escd_us[$n]} µs," \
        "PostgreSQL ${pg_us[$n]} µs"

    log "$n node(s): waiting (up to ${DRAIN_TIMEOUT} s) for the callbacks to be delivered"
    if ! wait_for_sql "SELECT count(*) FROM outbox WHERE state = 'PENDING'" 0 "$DRAIN_TIMEOUT"; then
        echo "run-cluster: $n node(s): $(sql "SELECT count(*) FROM outbox WHERE state = 'PENDING'")" \
            "callback(s) still pending ${DRAIN_TIMEOUT} s after the run" >&2
        any_errors=1
    fi
    drain_s[$n]=$(calc 'printf "%.1f", now - ended' now="$EPOCHREALTIME" ended="$ended")
    unfinished=$(sql "SELECT count(*) FROM operations WHERE finished_at IS NULL")
    if [[ $unfinished != 0 ]]; then
        echo "run-cluster: $n node(s): $unfinished operation(s) unfinished after the drain" >&2
        any_errors=1
    fi
    read -r "cb_count[$n]" "cb_p50[$n]" "cb_p99[$n]" <<<"$(callback_latency)"
    echo "callbacks delivered: ${cb_count[$n]} of $(sql "SELECT count(*) FROM outbox") written," \
        "latency p50 ${cb_p50[$n]} ms, p99 ${cb_p99[$n]} ms (finished_at - created_at)"
    leases_released "$n node(s)" 1000  # escd's default cluster.heartbeat_ms
    check_nodes_alive "after the run with $n node(s)"
    stop_nodes
done

# --- takeover ------------------------------------------------------------------------------------
takeover_first='' takeover_last='' takeover_lost=''
if ((TAKEOVER_OPS > 0)); then
    db=cluster_takeover
    log "takeover: database $db, heartbeat $HEARTBEAT_MS ms, lease $LEASE_MS ms"
    psql_ -d postgres -c "CREATE DATABASE $db"
    lease_flags=(--cluster.heartbeat_ms="$HEARTBEAT_MS" --cluster.lease_ms="$LEASE_MS")
    start_node node-a "$LOG_LEVEL" --engine.paused_for_test=true "${lease_flags[@]}"
    a_pid=${node_pids[0]} a_port=${node_ports[0]}
    start_node node-b INFO "${lease_flags[@]}"
    b_port=${node_ports[1]}

    log "takeover: $TAKEOVER_OPS tenant creates to node-a (engine paused)"
    : >"$work/takeover-tx"
    for i in $(seq "$TAKEOVER_OPS"); do
        id=takeover-$i
        code=$(curl -sS -o "$work/takeover.body" -D "$work/takeover.headers" -w '%{http_code}' \
            -u "admin:$admin_password" -X POST -H 'Content-Type: application/xml' \
            -H "Callback: $callback_url" \
            -d "<tenant xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>$id</name></tenant>" \
            "http://127.0.0.1:$a_port/ESCManager/v0/tenants/$id") || code=000
        [[ $code == 200 ]] || { cat "$work/takeover.body" >&2; die "POST tenants/$id answered $code"; }
        tx=$(sed -n 's/^ESC-Transaction-Id: *\([0-9a-fA-F-]*\).*/\1/Ip' "$work/takeover.headers")
        [[ -n $tx ]] || die "POST tenants/$id answered 200 without an ESC-Transaction-Id"
        echo "$tx" >>"$work/takeover-tx"
    done
    unfinished=$(sql "SELECT count(*) FROM operations WHERE finished_at IS NULL")
    echo "accepted: $TAKEOVER_OPS; unfinished operations: $unfinished; nodes: $(nodes_summary "$b_port")"
    [[ $unfinished == "$TAKEOVER_OPS" ]] ||
        die "node-a's $TAKEOVER_OPS operations should all be unfinished before the kill, $unfinished are"

    log "takeover: kill -9 node-a"
    kill -KILL "$a_pid"
    killed_at=$(sql "SELECT clock_timestamp()")
    { wait "$a_pid"; } 2>/dev/null || true
    node_pids=("${node_pids[@]:1}") node_ports=("${node_ports[@]:1}") node_names=("${node_names[@]:1}")
    echo "killed at $killed_at (database clock)"
    bound=$((LEASE_MS / 1000 + 30))
    if ! wait_for_sql "SELECT count(*) FROM operations WHERE finished_at IS NULL" 0 "$bound"; then
        echo "run-cluster: takeover: $(sql "SELECT count(*) FROM operations WHERE finished_at IS NULL")" \
            "operation(s) still unfinished $bound s after the kill" >&2
        any_errors=1
    fi
    IFS='|' read -r takeover_first takeover_last <<<"$(sql "SELECT
        round(extract(epoch FROM min(finished_at) - '$killed_at'::timestamptz) * 1000),
        round(extract(epoch FROM max(finished_at) - '$killed_at'::timestamptz) * 1000)
        FROM operations WHERE finished_at IS NOT NULL")"
    echo "kill -> first operation finished: ${takeover_first:--} ms; -> last: ${takeover_last:--} ms"
    grep -h 'taken over:' "$work/$db-node-b.err" "$work/$db-node-b.out" || {
        echo "run-cluster: takeover: node-b logged no 'taken over:' line" >&2
        any_errors=1
    }
    if ! wait_for_sql "SELECT count(*) FROM outbox WHERE state = 'PENDING'" 0 "$DRAIN_TIMEOUT"; then
        echo "run-cluster: takeover: callbacks still pending ${DRAIN_TIMEOUT} s after the operations" >&2
        any_errors=1
    fi
    leases_released takeover "$HEARTBEAT_MS"
    echo "nodes: $(nodes_summary "$b_port")"

    # Every accepted transaction: exactly one finished operation, at least one DELIVERED callback.
    tx_array="{$(paste -sd, "$work/takeover-tx")}"
    IFS='|' read -r no_operation no_callback lost failed duplicates <<<"$(sql "
        WITH accepted(tx) AS (SELECT DISTINCT unnest('$tx_array'::uuid[])),
        checked AS (SELECT (SELECT count(*) FROM operations o WHERE o.transaction_id = a.tx
                            AND o.finished_at IS NOT NULL) = 1 AS finished,
                           EXISTS (SELECT 1 FROM outbox b WHERE b.transaction_id = a.tx
                                   AND b.state = 'DELIVERED') AS delivered
                    FROM accepted a)
        SELECT count(*) FILTER (WHERE NOT finished), count(*) FILTER (WHERE NOT delivered),
               count(*) FILTER (WHERE NOT (finished AND delivered)),
               (SELECT count(*) FROM operations o JOIN accepted a ON o.transaction_id = a.tx
                WHERE o.finished_at IS NOT NULL AND o.status_code IS DISTINCT FROM 200),
               (SELECT count(*) FROM (SELECT transaction_id FROM outbox WHERE state = 'DELIVERED'
                GROUP BY transaction_id HAVING count(*) > 1) d)
        FROM checked")"
    distinct=$(sort -u "$work/takeover-tx" | wc -l)
    # A transaction id answered twice would hide an accept: count it as lost too.
    takeover_lost=$((lost + TAKEOVER_OPS - distinct))
    echo "check: $distinct distinct transaction(s) of $TAKEOVER_OPS accepts; without exactly one" \
        "finished operation: $no_operation; without a delivered callback: $no_callback;" \
        "finished other than 200: $failed; with more than one delivered callback: $duplicates"
    ((takeover_lost == 0)) || any_errors=1
    if ((failed != 0)); then
        echo "run-cluster: takeover: $failed operation(s) did not finish with 200:" >&2
        sql "SELECT status_code, status_message, count(*) FROM operations
             WHERE finished_at IS NOT NULL AND status_code IS DISTINCT FROM 200
             GROUP BY 1, 2" >&2
        any_errors=1
    fi
    check_nodes_alive "during the takeover"
    stop_nodes
fi

stop_pid "$receiver_pid"
receiver_pid=''
echo "callback receiver got $(sed -n 's/^RECEIVED //p' "$work/receiver.out") request(s)"

# --- report --------------------------------------------------------------------------------------
echo
echo "escd nodes on one PostgreSQL ($durability): $CONNS connections split between the nodes," \
    "${DURATION} s per run after ${WARMUP} s warmup; CPU per accepted request in µs"
row() { printf '%5s | %10s %8s %6s | %-22s | %9s %8s | %9s %8s %8s | %7s\n' "$@"; }
row nodes "total rps" "p99 ms" errors "rps per node" "escd CPU" "PG CPU" callbacks "cb p50" \
    "cb p99" "drain s"
row ----- ---------- -------- ------ ---------------------- --------- -------- --------- \
    -------- -------- -------
for n in $NODES; do
    row "$n" "${rps[$n]}" "${p99[$n]}" "${errors[$n]}" "${per_node[$n]}" "${escd_us[$n]}" \
        "${pg_us[$n]}" "${cb_count[$n]}" "${cb_p50[$n]}" "${cb_p99[$n]}" "${drain_s[$n]}"
done
echo
if ((TAKEOVER_OPS > 0)); then
    echo "takeover: $TAKEOVER_OPS operations of a SIGKILLed node (heartbeat $HEARTBEAT_MS ms," \
        "lease $LEASE_MS ms): kill -> first finished ${takeover_first:--} ms," \
        "kill -> last finished ${takeover_last:--} ms"
    limit=$((LEASE_MS + 2000))
    verdict=$(calc 'print (t != "" && t + 0 < limit + 0) ? "PASS" : "FAIL"' t="$takeover_first" \
        limit="$limit")
    echo "TARGET takeover (kill to first operation resumed) < lease + 2 s: $verdict" \
        "(${takeover_first:--} ms, lease $LEASE_MS ms)"
    verdict=PASS
    ((takeover_lost == 0)) || verdict=FAIL
    echo "TARGET takeover loses no accepted transaction: $verdict ($takeover_lost of" \
        "$TAKEOVER_OPS without exactly one finished operation and a delivered callback)"
else
    echo "TARGET takeover (kill to first operation resumed) < lease + 2 s: SKIPPED (TAKEOVER_OPS=0)"
fi

if ((any_errors)); then
    echo "run-cluster: something failed (see above); the figures are not valid" >&2
    exit 1
fi
exit 0
