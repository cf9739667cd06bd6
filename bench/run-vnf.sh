#!/usr/bin/env bash
# The VNF benchmark (issue 7; see bench/README.md, "Real VNFs"). From the repo root:
#   bench/run-vnf.sh
# builds escd and escd_bench_vnf (Release, build/release), the VNF image (deploy/vnf-image),
# starts libvirtd in a network namespace (tests/qemu/up.sh) and, inside it, a durable PostgreSQL
# and escd_bench_vnf, which starts escd and deploys real VNFs under qemu (TCG): POST to
# SERVICE_ALIVE for 1 and for 4 VNFs, and a rolling image upgrade of 4 VNFs (PUT to
# SERVICE_UPDATED), each split into VIM time, guest boot and escd's own time. Prints
#   TARGET escd's own time < 1% of POST to SERVICE_ALIVE (N VNFs): PASS|FAIL
#   TARGET escd's own time < 1% of a rolling upgrade (N VNFs): PASS|FAIL
# Environment: VNFS (1,4), ROLLING (4; 0 = none), ROUNDS (3), ESCD_VNF_IMAGE (an image built
# already). Root or sudo.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
bench_name=run-vnf
pgbin=/usr/lib/postgresql/15/bin
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

as_root=()
[[ $(id -u) -ne 0 ]] && as_root=(sudo)

build=build/release
log "building escd and escd_bench_vnf ($build)"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DESCD_BUILD_TESTS=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target escd escd_bench_vnf >/dev/null
image=${ESCD_VNF_IMAGE:-$(deploy/vnf-image/build.sh)}
tests/qemu/install.sh

qemu_dir='' pg_dir=''
cleanup() {
    [[ -n $pg_dir ]] && tests/pg-down.sh "$pg_dir"
    [[ -n $qemu_dir ]] && tests/qemu/down.sh "$qemu_dir"
    return 0
}
trap cleanup EXIT
qemu_env=$(tests/qemu/up.sh) || die "tests/qemu/up.sh failed"
eval "$qemu_env"
qemu_dir=$ESCD_TEST_QEMU_DIR
in_ns() { "${as_root[@]}" ip netns exec "$ESCD_TEST_QEMU_NETNS" "$@"; }

# PostgreSQL durable, as escd runs in production: every commit reaches the disk.
eval "$(in_ns tests/pg-up.sh)"
pg_dir=$ESCD_TEST_PG_DIR
as_pg=()
[[ $(id -u) -eq 0 ]] && as_pg=(runuser -u postgres --)
in_ns "${as_pg[@]}" "$pgbin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 \
    -m fast restart -o "-p $ESCD_TEST_PG_PORT -k $pg_dir -c listen_addresses=127.0.0.1 -c fsync=on -c synchronous_commit=on -c full_page_writes=on -c max_connections=300" \
    >/dev/null || die "could not restart PostgreSQL durable"

storage=$(mktemp -d "$qemu_dir/pool.XXXXXX")
chmod 0755 "$storage"
log "VNF image $image; $(nproc) cores; qemu TCG"
out=$(mktemp)
in_ns env ESCD_TEST_PG_DSN="$ESCD_TEST_PG_DSN" \
    "$build/bench/escd_bench_vnf" --image "$image" --storage-dir "$storage" \
    --vnfs "${VNFS:-1,4}" --rolling "${ROLLING:-4}" --rounds "${ROUNDS:-3}" | tee "$out"

status=0
while read -r line; do
    vnfs=$(field vnfs "$line")
    pct=$(field escd_pct "$line")
    what="POST to SERVICE_ALIVE"
    [[ $(field kind "$line") == rolling ]] && what="a rolling upgrade"
    if calc 'exit !(pct != "" && pct + 0 < 1)' pct="$pct"; then
        echo "TARGET escd's own time < 1% of $what ($vnfs VNFs): PASS ($pct%)"
    else
        echo "TARGET escd's own time < 1% of $what ($vnfs VNFs): FAIL ($pct%)"
        status=1
    fi
done < <(grep '^RESULT' "$out")
rm -f "$out"
exit $status
