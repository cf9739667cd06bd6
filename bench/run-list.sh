#!/usr/bin/env bash
# List benchmark of escd (issue 4; see bench/README.md). From the repo root, after
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release -j2
# run
#   bench/run-list.sh
#
# Stores COUNT networks (in one tenant) and COUNT images, then measures on 127.0.0.1 with one
# keep-alive client (escd_bench_accept load, GET loops): the full network list, the full image
# list, one network, one image: p50/p99 latency, and escd's memory (VmRSS before the reads and
# VmHWM, its peak, after). Prints the target line
#   TARGET full list of COUNT under 200 ms (p99): PASS|FAIL (X ms)
#
# How the rows are stored: one network and one image are created through the API (so their
# stored form is exactly escd's), then copied COUNT-1 times in SQL with new ids. Going through
# the API for all 20,000 would measure the create path and libvirt, not the lists.
#
# Environment: BUILD_DIR (build/release), COUNT (10000), DURATION (10), WARMUP (2).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
BUILD_DIR=${BUILD_DIR:-build/release}
COUNT=${COUNT:-10000}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-2}
pgbin=/usr/lib/postgresql/15/bin
bench_bin=$BUILD_DIR/bench/escd_bench_accept
escd_bin=$BUILD_DIR/server/escd
password=benchpass

bench_name=run-list
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
[[ -x $bench_bin && -x $escd_bin ]] || die "build first: cmake --build $BUILD_DIR -j2"
command -v curl >/dev/null || die "curl is needed to seed through the API"

work=$(mktemp -d /tmp/escd-bench-list.XXXXXX)
escd_pid='' pg_dir=''
# shellcheck disable=SC2317  # runs from the EXIT trap
cleanup() {
    local status=$?
    trap - EXIT
    if [[ -n $escd_pid ]]; then
        kill -TERM "$escd_pid" 2>/dev/null || true
        wait "$escd_pid" 2>/dev/null || true
    fi
    [[ -n $pg_dir ]] && "$root/tests/pg-down.sh" "$pg_dir"
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT

eval "$("$root/tests/pg-up.sh")"
pg_dir=$ESCD_TEST_PG_DIR
psql_ -d postgres -c "CREATE DATABASE escd_list"

mkdir -p "$work/data/files"
head -c 65536 /dev/zero >"$work/data/files/seed.raw"
"$escd_bin" --database.dsn="$ESCD_TEST_PG_DSN dbname=escd_list" --server.http_port=0 --csm.http_port=-1 \
    --server.https_port=-1 --general.data_dir="$work/data" --auth.admin_password="$password" \
    --log.level=WARN --server.ready_file="$work/ready" >"$work/escd.out" 2>&1 &
escd_pid=$!
for _ in $(seq 300); do
    [[ -s $work/ready ]] && break
    kill -0 "$escd_pid" 2>/dev/null || { cat "$work/escd.out" >&2; die "escd exited"; }
    sleep 0.1
done
port=$(sed -n 's/^http=\([0-9]*\).*/\1/p' "$work/ready")
[[ -n $port ]] || die "escd did not get ready"
base=http://127.0.0.1:$port/ESCManager/v0

api() { curl -sf -u "admin:$password" -H 'Content-Type: application/xml' \
    -H "Callback: http://127.0.0.1:9/none" "$@" >/dev/null; }
api -X POST "$base/tenants/bench" -d '<tenant><name>bench</name></tenant>'
for _ in $(seq 100); do
    [[ $(psql_ -d escd_list -At -c "SELECT state FROM resources WHERE internal_id='bench'") == ACTIVE ]] && break
    sleep 0.1
done
api -X POST "$base/bench/networks/net-0" \
    -d '<network><name>bench-net</name><shared>false</shared><vlan_id>100</vlan_id></network>'
api -X POST "$base/images/img-0" \
    -d "<image><name>bench-img</name><src>file://$work/data/files/seed.raw</src></image>"
for _ in $(seq 100); do
    [[ $(psql_ -d escd_list -At -c "SELECT count(*) FROM resources WHERE state='ACTIVE'") == 3 ]] && break
    sleep 0.1
done
psql_ -d escd_list -c "
    INSERT INTO resources (internal_id, kind, tenant_id, parent_id, name, state, external_id, spec)
    SELECT 'net-' || i, kind, tenant_id, parent_id, name || '-' || i, state,
           gen_random_uuid()::text, spec
    FROM resources, generate_series(1, $COUNT - 1) AS i WHERE internal_id = 'net-0';
    INSERT INTO resources (internal_id, kind, tenant_id, parent_id, name, state, external_id, spec)
    SELECT 'img-' || i, kind, tenant_id, parent_id, name || '-' || i, state,
           external_id || '-' || i, spec
    FROM resources, generate_series(1, $COUNT - 1) AS i WHERE internal_id = 'img-0';
    ANALYZE resources;"
echo "stored: $(psql_ -d escd_list -At -c "SELECT string_agg(kind || '=' || n, ' ') FROM
    (SELECT kind, count(*) n FROM resources GROUP BY kind ORDER BY kind) k")"

mem() { awk -v k="$1:" '$1 == k { print $2 " kB" }' "/proc/$escd_pid/status"; }
rss_before=$(mem VmRSS)
bytes=$(curl -sf -u "admin:$password" "$base/bench/networks" | wc -c)
echo "full network list: $bytes bytes"

results=()
run() {
    local name=$1 target=$2 out
    out=$("$bench_bin" load --port "$port" --connections 1 --duration-s "$DURATION" \
        --warmup-s "$WARMUP" --name "$name" --method GET --target "$target" \
        --user admin --password "$password" 2>"$work/$name.err") || true
    out=$(grep -m1 '^RESULT ' <<<"$out") || { cat "$work/$name.err" >&2; die "$name: no result"; }
    echo "$out"
    results+=("$out")
}
run list-networks /ESCManager/v0/bench/networks
run list-images /ESCManager/v0/images
run one-network /ESCManager/v0/bench/networks/net-5000
run one-image /ESCManager/v0/images/img-5000
echo "escd memory: VmRSS before the reads $rss_before, VmRSS after $(mem VmRSS), peak VmHWM $(mem VmHWM)"

worst=0
for r in "${results[0]}" "${results[1]}"; do
    [[ $(field errors "$r") == 0 ]] || die "errors in: $r"
    p99=$(field p99_ms "$r")
    worst=$(awk -v a="$worst" -v b="$p99" 'BEGIN { print (b > a) ? b : a }')
done
verdict=$(awk -v w="$worst" 'BEGIN { print (w < 200) ? "PASS" : "FAIL" }')
echo "TARGET full list of $COUNT under 200 ms (p99): $verdict ($worst ms)"
