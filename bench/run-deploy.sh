#!/usr/bin/env bash
# Deployment benchmark of escd (issue 5; see bench/README.md). From the repo root, after
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release -j2
# run
#   bench/run-deploy.sh
#
# COUNT deployments of 2 VMs each are POSTed at once (escd_bench_deploy, CONNS keep-alive
# connections) to escd on the libvirt test driver. Every VM gets an address in a loopback subnet
# (127.40.0.0/22) and an ICMPPing VM_ALIVE KPI on it, so VM_ALIVE comes from real pings that the
# host's loopback answers. Measured, on 127.0.0.1 only:
#   - the time from the first POST to the last SERVICE_ALIVE, and the POST answer latency;
#   - escd's transactions/s (pg_stat_database.xact_commit of its database) and its state
#     transitions/s (4 per VM, 3 per service: see "Counting transitions" in bench/README.md);
#   - the callback latency: each callback's receipt time minus the created_at of its outbox row;
#   - escd's CPU time (utime+stime) and memory (VmRSS idle, VmHWM after) per VM;
#   - then, escd stopped, pgbench -N on the same PostgreSQL server: the transactions/s ceiling.
# and prints the target lines
#   TARGET transitions/s >= 30% of pgbench tps: PASS|FAIL (X%)
#   TARGET callback latency p99 < 100 ms: PASS|FAIL (X ms)
#   TARGET escd memory < 50 KB per VM: PASS|FAIL (X KB)
#
# Environment:
#   BUILD_DIR        build tree with server/escd and bench/escd_bench_{deploy,accept} (build/release)
#   COUNT            deployments (200)            CONNS  POST connections (16)
#   VMS              VMs per deployment (2)       POLL_S  ICMPPing poll period in seconds (1)
#   OCC_FALSE        metric_occurrences_false of the KPI (3)
#   RECOVERY_WAIT_S  recovery_wait_time of the group (0)
#   MONITOR_S        when > 0, the monitoring phase (bench/run-monitor.sh): escd's CPU and memory
#                    while it watches every VM for MONITOR_S seconds, then DOWN_VMS (5) VMs made
#                    unreachable by an iptables rule (root only) and the delay from the rule to
#                    each VM's VM_RECOVERY_INIT (its outbox row's created_at)
#   RUN_PGBENCH      0 skips the pgbench ceiling (1)
#   TIMEOUT          seconds to wait for the last SERVICE_ALIVE (600)
#   SUBNET           the VMs' subnet, inside 127.0.0.0/8 (127.40.0.0/22: 1021 addresses)
#   BENCH_DURABLE    1 (default): PostgreSQL fsync=on synchronous_commit=on full_page_writes=on;
#                    0: keep tests/pg-up.sh's fast settings (fsync=off)
#   PGBENCH_SCALE (10)  PGBENCH_CLIENTS (8)  PGBENCH_DURATION (15)
#   STATS_SETTLE     seconds to let PostgreSQL's statistics catch up before reading them (11:
#                    an idle backend reports its counters within 10 s)
#   LOG_LEVEL        escd's log level (WARN)      ESCD_ARGS  extra escd flags
#   ESCD_READY_TIMEOUT  seconds to wait for escd (60)
#   KEEP_DIR         when set, the receipts CSV, escd's outbox (outbox.csv), escd's output and
#                    the figures are copied there
#
# Exit status: 0 once the benchmark ran (whatever the figures say); 1 when something broke (a
# component did not start, a POST failed, a deployment did not reach SERVICE_ALIVE with 200).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

BUILD_DIR=${BUILD_DIR:-build/release}
COUNT=${COUNT:-200}
CONNS=${CONNS:-16}
TIMEOUT=${TIMEOUT:-600}
SUBNET=${SUBNET:-127.40.0.0/22}
BENCH_DURABLE=${BENCH_DURABLE:-1}
PGBENCH_SCALE=${PGBENCH_SCALE:-10}
PGBENCH_CLIENTS=${PGBENCH_CLIENTS:-8}
PGBENCH_DURATION=${PGBENCH_DURATION:-15}
STATS_SETTLE=${STATS_SETTLE:-11}
LOG_LEVEL=${LOG_LEVEL:-WARN}
ESCD_READY_TIMEOUT=${ESCD_READY_TIMEOUT:-60}
KEEP_DIR=${KEEP_DIR:-}
vms_per_deployment=${VMS:-2}
POLL_S=${POLL_S:-1}
OCC_FALSE=${OCC_FALSE:-3}
RECOVERY_WAIT_S=${RECOVERY_WAIT_S:-0}
MONITOR_S=${MONITOR_S:-0}
DOWN_VMS=${DOWN_VMS:-5}
RUN_PGBENCH=${RUN_PGBENCH:-1}

pgbin=/usr/lib/postgresql/15/bin
deploy_bin=$BUILD_DIR/bench/escd_bench_deploy
accept_bin=$BUILD_DIR/bench/escd_bench_accept
escd_bin=$BUILD_DIR/server/escd
admin_password=benchpass
db=escd_deploy

bench_name=run-deploy
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

for var in COUNT CONNS TIMEOUT PGBENCH_SCALE PGBENCH_CLIENTS PGBENCH_DURATION vms_per_deployment \
    POLL_S OCC_FALSE DOWN_VMS; do
    [[ ${!var} =~ ^[0-9]+$ && ${!var} -gt 0 ]] || die "$var must be a positive integer"
done
for var in STATS_SETTLE RECOVERY_WAIT_S MONITOR_S; do
    [[ ${!var} =~ ^[0-9]+$ ]] || die "$var must be a non-negative integer"
done
# The subnet must lie in 127.0.0.0/8: loopback answers the pings, and nothing leaves the host.
[[ $SUBNET =~ ^127\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})/([0-9]{1,2})$ ]] ||
    die "SUBNET must be a network inside 127.0.0.0/8 like 127.40.0.0/22, not '$SUBNET'"
prefix_len=${BASH_REMATCH[4]}
((prefix_len >= 8 && prefix_len <= 30)) || die "SUBNET prefix must be in /8../30"
# Usable addresses: all but the network, the broadcast and the gateway.
capacity=$(((1 << (32 - prefix_len)) - 3))
((COUNT * vms_per_deployment <= capacity)) ||
    die "SUBNET $SUBNET has $capacity addresses, $((COUNT * vms_per_deployment)) VMs need one each"
for bin in "$deploy_bin" "$accept_bin" "$escd_bin"; do
    [[ -x $bin ]] || die "$bin not found: build first (cmake --build $BUILD_DIR -j2)"
done
[[ -x $pgbin/pgbench && -x $pgbin/psql ]] || die "$pgbin/pgbench or psql missing"
command -v curl >/dev/null || die "curl is needed to seed through the API"
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null || true)
[[ $build_type == Release ]] ||
    echo "run-deploy: warning: $BUILD_DIR is a '${build_type:-unknown}' build, not Release" >&2

work=$(mktemp -d /tmp/escd-bench-deploy.XXXXXX)
escd_pid='' receiver_pid='' pg_dir=''
blocked=()  # addresses this script made unreachable (iptables rules to remove)

# shellcheck disable=SC2317  # runs from the EXIT trap
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n $KEEP_DIR && -d $work ]]; then
        mkdir -p "$KEEP_DIR"
        cp -f "$work"/receipts.csv "$work"/escd.out "$work"/escd.err "$work"/deploy.out \
            "$work"/summary.txt "$work"/pgbench.out "$work"/outbox.csv "$KEEP_DIR"/ 2>/dev/null || true
    fi
    local address
    for address in "${blocked[@]}"; do
        iptables -w -D OUTPUT -o lo -d "$address/32" -p icmp --icmp-type echo-request -j DROP \
            2>/dev/null || true
    done
    stop_pid "$escd_pid"
    stop_pid "$receiver_pid"
    [[ -n $pg_dir ]] && "$root/tests/pg-down.sh" "$pg_dir"
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Busy and total jiffies of the whole machine (/proc/stat "cpu" line): how loaded it was.
machine_jiffies() { awk '$1 == "cpu" { print $2 + $3 + $4 + $7 + $8 + $9, $2 + $3 + $4 + $5 + $6 + $7 + $8 + $9 }' /proc/stat; }

sql() { psql_ -d "$db" -At -c "$1"; }

# --- PostgreSQL ------------------------------------------------------------------------------
log "machine before the run: $(uptime)"
log "starting PostgreSQL"
start_postgres "$BENCH_DURABLE"
psql_ -d postgres -c "CREATE DATABASE $db"

# --- escd ------------------------------------------------------------------------------------
start_receiver
log "starting escd (libvirt test driver, log level $LOG_LEVEL)"
# shellcheck disable=SC2086  # ESCD_ARGS is a list of flags
start_escd --monitor.allowed_cidrs=127.0.0.0/8 ${ESCD_ARGS:-}
echo "escd on 127.0.0.1:$port, pid $escd_pid"
grep -h 'ICMP' "$work/escd.out" "$work/escd.err" || true

# --- seed through the API ----------------------------------------------------------------------
log "seeding: tenant, network, subnet $SUBNET, flavor, image"
api() {
    local path=$1 body=$2 code
    code=$(curl -s -o "$work/api.out" -w '%{http_code}' -u "admin:$admin_password" -X POST \
        -H 'Content-Type: application/xml' -H "Callback: $seed_callback" -d "$body" "$base/$path")
    [[ $code == 200 ]] || { cat "$work/api.out" >&2; die "POST $path answered $code"; }
}
# wait_until SQL EXPECTED WHAT: polls escd's database (up to 60 s) until SQL returns EXPECTED.
wait_until() {
    for _ in $(seq 600); do
        [[ $(sql "$1") == "$2" ]] && return 0
        sleep 0.1
    done
    die "timed out waiting for $3 (got '$(sql "$1")', want '$2')"
}
api tenants/bench '<tenant xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><name>bench</name></tenant>'
wait_until "SELECT state FROM resources WHERE internal_id = 'bench'" ACTIVE "tenant bench"
api bench/networks/bench-net '<network xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
    <name>bench-net</name><shared>false</shared><admin_state_up>true</admin_state_up></network>'
wait_until "SELECT state FROM resources WHERE internal_id = 'bench-net'" ACTIVE "network bench-net"
api bench/subnets/bench-sub "<subnet xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">
    <name>bench-sub</name><internal_network_id>bench-net</internal_network_id>
    <cidr>$SUBNET</cidr></subnet>"
api flavors/bench-flavor '<flavor xmlns="urn:ietf:params:xml:ns:netconf:base:1.0">
    <name>bench-flavor</name><vcpus>1</vcpus><memory_mb>256</memory_mb></flavor>'
head -c 65536 /dev/zero >"$data_dir/files/bench.img"
api images/bench-img "<image xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\">
    <name>bench-img</name><src>file://$data_dir/files/bench.img</src></image>"
wait_until "SELECT count(*) FROM resources WHERE internal_id IN
    ('bench-sub', 'bench-flavor', 'bench-img') AND state = 'ACTIVE'" 3 "subnet, flavor, image"
wait_until "SELECT count(*) FROM outbox WHERE state = 'PENDING'" 0 "the seeding callbacks"

# One deployment: one vm_group of exactly VMS VMs, one interface on bench-net, alive when its
# address answers ICMP (every POLL_S seconds, 3 echoes, > 1 answered; down after OCC_FALSE
# polls that are not). @ID@ becomes the deployment id.
cat >"$work/deployment.xml" <<EOF
<esc_datamodel xmlns="http://www.cisco.com/esc/esc"><tenants><tenant><name>bench</name>
<deployments><deployment><name>@ID@</name>
<vm_group><name>g1</name><image>bench-img</image><flavor>bench-flavor</flavor>
<bootup_time>300</bootup_time>
<interfaces><interface><nicid>0</nicid><network>bench-net</network></interface></interfaces>
<kpi_data><kpi><event_name>VM_ALIVE</event_name><metric_value>1</metric_value>
<metric_cond>GT</metric_cond><metric_type>UINT32</metric_type>
<metric_occurrences_false>$OCC_FALSE</metric_occurrences_false>
<metric_collector><type>ICMPPing</type><nicid>0</nicid><poll_frequency>$POLL_S</poll_frequency>
<polling_unit>seconds</polling_unit></metric_collector></kpi></kpi_data>
<recovery_wait_time>$RECOVERY_WAIT_S</recovery_wait_time>
<scaling><min_active>$vms_per_deployment</min_active><max_active>$vms_per_deployment</max_active>
<elastic>false</elastic></scaling>
</vm_group></deployment></deployments></tenant></tenants></esc_datamodel>
EOF

# --- before --------------------------------------------------------------------------------------
wait_idle "$escd_pid"
sleep "$STATS_SETTLE"
# xact_commit: every committed transaction of escd's database, its autocommit reads included.
# n_tup_ins + n_tup_upd of vms and services: every write of a VM or service state (both are
# upserts; an ON CONFLICT update counts as an update).
# wal_sync: WAL flushes of the whole server (escd is its only client during the run), i.e. the
# durable commits, each of which may carry many of escd's group-committed writes.
stats_sql="SELECT (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database()),
    (SELECT coalesce(sum(n_tup_ins + n_tup_upd), 0) FROM pg_stat_user_tables
     WHERE relname IN ('vms', 'services')),
    (SELECT wal_sync FROM pg_stat_wal)"
IFS='|' read -r xact_before writes_before wal_before <<<"$(sql "$stats_sql")"
psql_ -d postgres -c CHECKPOINT
rss_idle=$(mem_kb "$escd_pid" VmRSS)
log "escd idle: VmRSS $rss_idle kB; machine: $(uptime)"

# --- the run -----------------------------------------------------------------------------------
log "posting $COUNT deployments of $vms_per_deployment VMs over $CONNS connections"
read -r busy_before total_before <<<"$(machine_jiffies)"
escd_cpu_before=$(cpu_ticks "$escd_pid")
pg_cpu_before=$(pg_ticks)
wall_before=$(date +%s%N)
deploy_status=0
"$deploy_bin" --port "$port" --password "$admin_password" --template "$work/deployment.xml" \
    --count "$COUNT" --connections "$CONNS" --prefix dep- --timeout-s "$TIMEOUT" \
    --csv "$work/receipts.csv" >"$work/deploy.out" 2>"$work/deploy.err" || deploy_status=$?
wall_after=$(date +%s%N)
escd_cpu_after=$(cpu_ticks "$escd_pid")
pg_cpu_after=$(pg_ticks)
read -r busy_after total_after <<<"$(machine_jiffies)"
rss_after=$(mem_kb "$escd_pid" VmRSS)
hwm_after=$(mem_kb "$escd_pid" VmHWM)
cat "$work/deploy.out"
if ((deploy_status != 0)); then
    cat "$work/deploy.err" >&2
    echo "--- escd log (last 30 lines)" >&2
    tail -n 30 "$work/escd.out" >&2
    tail -n 30 "$work/escd.err" >&2
    die "escd_bench_deploy failed (exit $deploy_status)"
fi
[[ -s $work/deploy.err ]] && cat "$work/deploy.err" >&2
result=$(grep -m1 '^RESULT ' "$work/deploy.out") || die "escd_bench_deploy printed no RESULT"
elapsed_s=$(field elapsed_s "$result")

# --- after -------------------------------------------------------------------------------------
# The last callbacks' delivery marks still commit after the last SERVICE_ALIVE: wait for them,
# then for the statistics (they count in the transactions below: a handful out of thousands).
wait_until "SELECT count(*) FROM outbox WHERE state = 'PENDING'" 0 "every callback delivered"
monitor_cpu_before=$(cpu_ticks "$escd_pid")
monitor_wall_before=$(date +%s%N)
sleep "$STATS_SETTLE"
monitor_cpu_after=$(cpu_ticks "$escd_pid")
monitor_wall_after=$(date +%s%N)
IFS='|' read -r xact_after writes_after wal_after <<<"$(sql "$stats_sql")"

vms_alive=$(sql "SELECT count(*) FROM vms WHERE state = 'VM_ALIVE_STATE'")
services_active=$(sql "SELECT count(*) FROM services WHERE state = 'SERVICE_ACTIVE_STATE'")
vms_total=$(sql "SELECT count(*) FROM vms")
[[ $vms_alive == "$((COUNT * vms_per_deployment))" && $services_active == "$COUNT" ]] ||
    die "expected $((COUNT * vms_per_deployment)) alive VMs and $COUNT active services, found $vms_alive (of $vms_total) and $services_active"
# An operation that threw something other than a VIM failure (say, its step's SQL failed) is
# logged "aborted" and relaunched after a back-off of 1 s or more: say how often that happened.
aborted=$(cat "$work/escd.out" "$work/escd.err" | grep -c ' aborted: ' || true)

# Callback latency: each receipt joined with the outbox row it came from (same transaction,
# same event, and for a VM event the VM's name in the body).
log "callback latency: receipts joined with escd's outbox"
latency_sql="
CREATE TEMP TABLE receipts (received_us bigint, transaction_id text, stage text, vm_name text,
                            status_code text, deployment text);
\\copy receipts FROM '$work/receipts.csv' WITH (FORMAT csv, HEADER true)
CREATE TEMP TABLE latency AS
SELECT r.stage, (r.received_us - (extract(epoch FROM o.created_at) * 1000000)::bigint) / 1000.0 AS ms
FROM receipts r JOIN outbox o
  ON o.transaction_id::text = r.transaction_id AND o.event = r.stage
 AND (coalesce(r.vm_name, '') = ''
      OR position('<vm_name>' || r.vm_name || '</vm_name>' IN o.body) > 0);
SELECT 'all', count(*), (SELECT count(*) FROM receipts),
       round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms), 1),
       round(percentile_disc(0.99) WITHIN GROUP (ORDER BY ms), 1), round(max(ms), 1)
FROM latency
UNION ALL
SELECT * FROM (SELECT stage, count(*), 0::bigint,
       round(percentile_disc(0.5) WITHIN GROUP (ORDER BY ms), 1),
       round(percentile_disc(0.99) WITHIN GROUP (ORDER BY ms), 1), round(max(ms), 1)
FROM latency GROUP BY stage ORDER BY stage) s;"
latency=$(psql_ -d "$db" -At -F ' ' <<<"$latency_sql")
if [[ -n $KEEP_DIR ]]; then
    # For a closer look: when each callback was written and marked delivered (ms since epoch).
    psql_ -d "$db" -c "\copy (SELECT id, transaction_id, event, status_code,
        (extract(epoch FROM created_at) * 1000)::numeric(16, 3) AS created_ms,
        (extract(epoch FROM finished_at) * 1000)::numeric(16, 3) AS finished_ms, attempts,
        substring(body FROM '<vm_name>([^<]*)</vm_name>') AS vm_name
        FROM outbox ORDER BY id) TO '$work/outbox.csv' WITH (FORMAT csv, HEADER true)"
fi
read -r _ matched receipts lat_p50 lat_p99 lat_max <<<"$(head -n 1 <<<"$latency")"
((matched == receipts)) ||
    echo "run-deploy: warning: only $matched of $receipts callbacks matched an outbox row" >&2

# --- monitoring (MONITOR_S > 0) -----------------------------------------------------------------
monitor_report=()
if ((MONITOR_S > 0)); then
    # (No wait_idle: watching thousands of VMs keeps escd busy; the deployments are done and
    # their callbacks delivered, see above.)
    log "monitoring: escd watches $vms_alive VMs (ICMPPing every $POLL_S s) for $MONITOR_S s"
    watch_cpu_before=$(cpu_ticks "$escd_pid")
    watch_wall_before=$(date +%s%N)
    sleep "$MONITOR_S"
    watch_cpu_after=$(cpu_ticks "$escd_pid")
    watch_wall_after=$(date +%s%N)
    watch_pct=$(calc 'printf "%.1f", 100 * ticks / hz / (ns / 1e9)' \
        ticks=$((watch_cpu_after - watch_cpu_before)) hz="$ticks_per_s" \
        ns=$((watch_wall_after - watch_wall_before)))
    watch_rss=$(mem_kb "$escd_pid" VmRSS)
    pings_per_s=$(calc 'printf "%.0f", vms * 3 / poll_s' vms="$vms_alive" poll_s="$POLL_S")
    monitor_report+=("escd CPU watching $vms_alive VMs" "$watch_pct% of one core over $MONITOR_S s (~$pings_per_s echo requests/s)")
    monitor_report+=("escd memory while watching" "VmRSS $watch_rss kB")
    delays='' bound_ms=''
    if [[ $(id -u) -eq 0 ]] && command -v iptables >/dev/null; then
        log "making $DOWN_VMS VMs unreachable (iptables on loopback) and timing VM_RECOVERY_INIT"
        mapfile -t victims < <(sql "SELECT vm_name || ' ' || substring(interfaces FROM
            '<ip_address>([^<]*)</ip_address>') FROM vms ORDER BY random() LIMIT $DOWN_VMS")
        down_at=$(date +%s%N)
        for victim in "${victims[@]}"; do
            address=${victim#* }
            iptables -w -I OUTPUT -o lo -d "$address/32" -p icmp --icmp-type echo-request -j DROP ||
                die "iptables refused the rule for $address"
            blocked+=("$address")
        done
        names=$(printf "'%s'," "${victims[@]%% *}")
        # The first VM_RECOVERY_INIT of each victim since its rule: VMs that were slow to boot
        # under load may have been recovered during the deploy already, and those earlier rows
        # (of victims or not) must neither end the wait nor count as delays.
        victim_inits="SELECT substring(body FROM '<vm_name>([^<]*)</vm_name>') AS vm,
                min(created_at) AS at
            FROM outbox WHERE event = 'VM_RECOVERY_INIT'
              AND created_at >= to_timestamp($down_at / 1e9)
              AND substring(body FROM '<vm_name>([^<]*)</vm_name>') IN (${names%,})
            GROUP BY 1"
        inits_sql="SELECT count(*) FROM ($victim_inits) inits"
        deadline=$((SECONDS + 10 * POLL_S * OCC_FALSE + RECOVERY_WAIT_S + 60))
        while (($(sql "$inits_sql") < DOWN_VMS && SECONDS < deadline)); do sleep 0.05; done
        delays=$(sql "SELECT string_agg(round((extract(epoch FROM at) * 1000 -
                $down_at / 1e6)::numeric, 0)::text, ' ' ORDER BY at) FROM ($victim_inits) inits")
        found=$(wc -w <<<"$delays")
        max_delay=$(tr ' ' '\n' <<<"$delays" | sort -n | tail -n 1)
        bound_ms=$((2 * POLL_S * 1000 + RECOVERY_WAIT_S * 1000))
        monitor_report+=("down -> VM_RECOVERY_INIT (ms)" "$delays ($found of $DOWN_VMS; occurrences_false $OCC_FALSE, recovery_wait_time $RECOVERY_WAIT_S s)")
    else
        monitor_report+=("down -> VM_RECOVERY_INIT" "not measured: needs root and iptables")
    fi
fi

# --- pgbench -------------------------------------------------------------------------------------
# The ceiling: the same PostgreSQL server with escd stopped, so that neither its monitoring nor
# anything else of it competes with pgbench for the two cores.
stop_pid "$escd_pid"
escd_pid=''
pg_tps=0
if ((RUN_PGBENCH != 0)); then
log "pgbench -i -s $PGBENCH_SCALE, then -N -c $PGBENCH_CLIENTS -j 2 -T $PGBENCH_DURATION"
psql_ -d postgres -c "CREATE DATABASE pgbench_db"
"$pgbin/pgbench" -i -q -s "$PGBENCH_SCALE" -h 127.0.0.1 -p "$ESCD_TEST_PG_PORT" -U postgres \
    pgbench_db >"$work/pgbench-init.out" 2>&1 || {
    cat "$work/pgbench-init.out" >&2
    die "pgbench -i failed"
}
psql_ -d postgres -c CHECKPOINT
"$pgbin/pgbench" -n -N -c "$PGBENCH_CLIENTS" -j 2 -T "$PGBENCH_DURATION" -h 127.0.0.1 \
    -p "$ESCD_TEST_PG_PORT" -U postgres pgbench_db >"$work/pgbench.out" 2>&1 || {
    cat "$work/pgbench.out" >&2
    die "pgbench failed"
}
pg_tps=$(sed -n -E 's/^tps = ([0-9.]+) \((without initial connection time|excluding connections establishing)\).*/\1/p' \
    "$work/pgbench.out")
[[ -n $pg_tps ]] || { cat "$work/pgbench.out" >&2; die "no tps line in the pgbench output"; }
pg_tps=$(awk -v t="$pg_tps" 'BEGIN { printf "%.1f", t }')
grep -E '^(number of failed|latency average)' "$work/pgbench.out" || true
fi

# --- report --------------------------------------------------------------------------------------
# Counting transitions: a VM enters INIT (planned, address allocated), DEPLOYING, INERT
# (VM_DEPLOYED) and ALIVE (VM_ALIVE): 4 committed state writes; a service enters DEPLOYING (with
# the accept), INERT and ACTIVE: 3. See bench/README.md.
transitions=$((vms_alive * 4 + services_active * 3))
xacts=$((xact_after - xact_before))
writes=$((writes_after - writes_before))
wal_syncs=$((wal_after - wal_before))
# Every figure goes into awk as a variable (calc in bench/lib.sh): pg_tps is 0 when
# RUN_PGBENCH=0 (bench/run-monitor.sh's default), and gawk folds a division by a literal 0.
wall_s=$(calc 'printf "%.3f", ns / 1e9' ns=$((wall_after - wall_before)))
escd_cpu_s=$(calc 'printf "%.2f", ticks / hz' ticks=$((escd_cpu_after - escd_cpu_before)) hz="$ticks_per_s")
pg_cpu_s=$(calc 'printf "%.2f", ticks / hz' ticks=$((pg_cpu_after - pg_cpu_before)) hz="$ticks_per_s")
monitor_pct=$(calc 'printf "%.1f", 100 * ticks / hz / (ns / 1e9)' \
    ticks=$((monitor_cpu_after - monitor_cpu_before)) hz="$ticks_per_s" \
    ns=$((monitor_wall_after - monitor_wall_before)))
busy_pct=$(calc 'printf "%.0f", (total > 0) ? 100 * busy / total : 0' \
    busy=$((busy_after - busy_before)) total=$((total_after - total_before)))
vms=$((COUNT * vms_per_deployment))
kb_per_vm=$(calc 'printf "%.1f", kb / vms' kb=$((hwm_after - rss_idle)) vms="$vms")
xact_rate=$(calc 'printf "%.1f", (s > 0) ? n / s : 0' n="$xacts" s="$elapsed_s")
transition_rate=$(calc 'printf "%.1f", (s > 0) ? n / s : 0' n="$transitions" s="$elapsed_s")
# "-" without a pgbench figure.
ratio=$(ratio_pct "$transition_rate" "$pg_tps")
xact_ratio=$(ratio_pct "$xact_rate" "$pg_tps")

{
    echo
    echo "escd deployment benchmark: $COUNT deployments x $vms_per_deployment VMs, $CONNS connections, PostgreSQL $durability"
    printf '%-34s %s\n' \
        "time to last SERVICE_ALIVE" "$elapsed_s s (first POST to last SERVICE_ALIVE)" \
        "POST answers" "p50 $(field post_p50_ms "$result") ms, p99 $(field post_p99_ms "$result") ms" \
        "callbacks received" "$(field callbacks "$result") ($(field vm_deployed "$result") VM_DEPLOYED, $(field vm_alive "$result") VM_ALIVE, $(field service_alive "$result") SERVICE_ALIVE)" \
        "escd transactions" "$xacts committed, $xact_rate/s ($xact_ratio% of pgbench)" \
        "state transitions" "$transitions ($vms_alive VMs x 4 + $services_active services x 3), $transition_rate/s" \
        "  VM/service row writes (pg_stat)" "$writes" \
        "WAL flushes (pg_stat_wal.wal_sync)" "$wal_syncs" \
        "operations aborted and retried" "$aborted (escd log lines)" \
        "pgbench -N -c $PGBENCH_CLIENTS (tps)" "$pg_tps" \
        "callback latency (receipt-outbox)" "p50 $lat_p50 ms, p99 $lat_p99 ms, max $lat_max ms ($matched of $receipts matched)"
    tail -n +2 <<<"$latency" | while read -r stage n _ p50 p99 max; do
        printf '%-34s %s\n' "  $stage" "p50 $p50 ms, p99 $p99 ms, max $max ms ($n)"
    done
    printf '%-34s %s\n' \
        "escd CPU" "$escd_cpu_s s in $wall_s s ($(calc 'printf "%.0f", 100 * cpu / wall' cpu="$escd_cpu_s" wall="$wall_s")% of one core)" \
        "PostgreSQL CPU" "$pg_cpu_s s ($(calc 'printf "%.0f", 100 * cpu / wall' cpu="$pg_cpu_s" wall="$wall_s")% of one core)" \
        "machine CPU busy during the run" "$busy_pct% of $(nproc) cores" \
        "escd CPU monitoring $vms VMs, idle" "$monitor_pct% of one core" \
        "escd memory" "VmRSS idle $rss_idle kB, after $rss_after kB, peak (VmHWM) $hwm_after kB" \
        "  per VM" "$kb_per_vm kB ((peak - idle) / $vms)"
    for ((i = 0; i < ${#monitor_report[@]}; i += 2)); do
        printf '%-34s %s\n' "${monitor_report[i]}" "${monitor_report[i + 1]}"
    done
    echo
    # verdict CONDITION [NAME=VALUE...]: PASS or FAIL.
    verdict() {
        local condition=$1
        shift
        calc "print (($condition) ? \"PASS\" : \"FAIL\")" "$@"
    }
    if ((MONITOR_S > 0)); then
        echo "TARGET escd CPU watching $vms_alive VMs < 50% of one core: $(verdict 'pct < 50' pct="$watch_pct") ($watch_pct%)"
        # Whenever the VMs were made unreachable: no VM_RECOVERY_INIT at all is a FAIL.
        [[ -n $bound_ms ]] &&
            echo "TARGET down -> VM_RECOVERY_INIT < 2 polls + recovery_wait_time ($bound_ms ms): $(verdict 'max < bound && found == down' max="${max_delay:-999999}" bound="$bound_ms" found="$found" down="$DOWN_VMS") (max ${max_delay:-none} ms)"
    fi
    ((RUN_PGBENCH != 0)) &&
    echo "TARGET transitions/s >= 30% of pgbench tps: $(verdict 'ratio != "-" && ratio + 0 >= 30' ratio="$ratio") ($ratio%: $transition_rate/s vs $pg_tps tps)"
    echo "TARGET callback latency p99 < 100 ms: $(verdict 'p99 != "" && p99 + 0 < 100' p99="$lat_p99") ($lat_p99 ms)"
    echo "TARGET escd memory < 50 KB per VM: $(verdict 'kb < 50' kb="$kb_per_vm") ($kb_per_vm KB)"
} | tee "$work/summary.txt"
exit 0
