#!/usr/bin/env bash
# Runs the VNF tests: real VNFs (deploy/vnf-image) booted under qemu through libvirtd, alive when
# they answer escd's pings, healed for real.
#   tests/run-vnf.sh BUILD_DIR [gtest flags...]      (tests/run.sh calls it after CTest)
#
# Everything runs inside one network namespace (tests/qemu/up.sh makes it and starts virtlogd and
# libvirtd there): a PostgreSQL of its own, the test binary with its callback receiver, and the
# escd it starts. The libvirt network a test creates is a bridge of that namespace, so the guests
# are the test's own hosts, reached from nothing else; their subnet is TEST-NET-1 (192.0.2.0/24),
# which is also the only one escd may ping (monitor.allowed_cidrs).
#
# The tests get two compute hosts (tests/qemu/up.sh, ESCD_TEST_QEMU_HOSTS=2: about 0.2 s more to
# start): the live migration test (VnfMigration) needs the second; the others use the first only.
# ESCD_TEST_QEMU_HOSTS=1 leaves it out, and VnfMigration is skipped.
#
# When libvirtd or qemu cannot start here, the tests are skipped with the reason and this exits 0
# (ESCD_VNF_REQUIRED=1 makes that a failure). A test that fails, or an image that cannot be built,
# exits non-zero. The tests run as root: network namespaces, and the raw socket of their own pings.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:?usage: tests/run-vnf.sh BUILD_DIR [gtest flags...]}
shift
binary=$build/tests/escd_vnf_tests
[[ -x $binary ]] || {
    echo "run-vnf: $binary is not built" >&2
    exit 1
}

say() { echo "run-vnf: $*" >&2; }
skip() {
    if [[ ${ESCD_VNF_REQUIRED:-0} == 1 ]]; then
        say "FAILED: $* (ESCD_VNF_REQUIRED=1)"
        exit 1
    fi
    say "SKIPPED: the VNF tests did not run: $*"
    exit 0
}

as_root=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || skip "needs root or sudo (network namespaces, libvirtd)"
    as_root=(sudo)
fi

# The image first: a failure to build it is ours, not the machine's. ESCD_VNF_IMAGE names one
# built already.
image=${ESCD_VNF_IMAGE:-$(deploy/vnf-image/build.sh)}
say "VNF image $image"

tests/qemu/install.sh || skip "tests/qemu/install.sh could not install libvirtd and qemu"

qemu_dir='' pg_dir=''
cleanup() {
    [[ -n $pg_dir ]] && tests/pg-down.sh "$pg_dir"
    [[ -n $qemu_dir ]] && tests/qemu/down.sh "$qemu_dir"
    return 0
}
trap cleanup EXIT

log=$(mktemp /tmp/escd-qemu-up.XXXXXX)
if ! qemu_env=$(ESCD_TEST_QEMU_HOSTS=${ESCD_TEST_QEMU_HOSTS:-2} tests/qemu/up.sh 2>"$log"); then
    cat "$log" >&2
    why=$(tail -n1 "$log")
    rm -f "$log"
    skip "tests/qemu/up.sh failed: $why"
fi
cat "$log" >&2
rm -f "$log"
eval "$qemu_env"
qemu_dir=$ESCD_TEST_QEMU_DIR
in_ns() { "${as_root[@]}" ip netns exec "$ESCD_TEST_QEMU_NETNS" "$@"; }

# PostgreSQL on the namespace's loopback, where the test and escd can reach it.
pg_env=$(in_ns tests/pg-up.sh)
eval "$pg_env"
pg_dir=$ESCD_TEST_PG_DIR

# qemu (as libvirt-qemu) reads the image through escd's storage pool, a copy; escd reads it from
# files.root, its directory.
in_ns env \
    ESCD_TEST_PG_DSN="$ESCD_TEST_PG_DSN" \
    ESCD_TEST_QEMU_URI="$ESCD_TEST_QEMU_URI" \
    ESCD_TEST_QEMU_DIR="$ESCD_TEST_QEMU_DIR" \
    ESCD_TEST_QEMU_NETNS="$ESCD_TEST_QEMU_NETNS" \
    ESCD_TEST_QEMU_URI2="${ESCD_TEST_QEMU_URI2:-}" \
    ESCD_TEST_QEMU_NETNS2="${ESCD_TEST_QEMU_NETNS2:-}" \
    ESCD_TEST_QEMU_DIR2="${ESCD_TEST_QEMU_DIR2:-}" \
    ESCD_TEST_VNF_IMAGE="$image" \
    ASAN_OPTIONS="${ASAN_OPTIONS:-}" UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" \
    LSAN_OPTIONS="${LSAN_OPTIONS:-}" \
    "$binary" "$@"
