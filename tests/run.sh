#!/usr/bin/env bash
# Installs what is missing, builds escd with ASan+UBSan, starts a throw-away PostgreSQL on a free
# loopback port and the OpenStack control plane (tests/openstack/up.sh), runs every test through
# CTest, then the VNF tests (tests/run-vnf.sh: real guests under qemu). Exits non-zero on any
# failure.
# Works as root and as an ordinary user (with sudo for the package install).
set -euo pipefail
cd "$(dirname "$0")/.."

./deploy/install-deps.sh

build=${ESCD_TEST_BUILD_DIR:-build/asan}
jobs=${ESCD_JOBS:-$(nproc)}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DESCD_SANITIZE=ON -DESCD_WERROR=OFF >/dev/null
cmake --build "$build" -j"$jobs"

cleanup() {
    [[ -n ${ESCD_TEST_OS_DIR:-} ]] && tests/openstack/down.sh "$ESCD_TEST_OS_DIR"
    [[ -n ${ESCD_TEST_PG_DIR:-} ]] && tests/pg-down.sh "$ESCD_TEST_PG_DIR"
    return 0
}
trap cleanup EXIT

eval "$(tests/pg-up.sh)"
export ESCD_TEST_PG_DSN

# The OpenStack control plane of the openstack-labelled tests (tests/openstack/: Debian's own
# Keystone, Glance, Placement, Nova with the fake driver, Neutron, Cinder, on 127.0.0.1). A
# machine where it cannot be installed or started fails the run, loudly: it is never skipped.
tests/openstack/install.sh
os_env=$(tests/openstack/up.sh) || {
    echo "run.sh: tests/openstack/up.sh could not start the OpenStack control plane" >&2
    exit 1
}
eval "$os_env"

# Sanitizer findings fail the test that triggered them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}

status=0
ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 300 "$@" || status=$?

# Then the VNF tests, alone: TCG guests need the cores. They bring their own libvirtd, PostgreSQL
# and escd inside a network namespace, and say so when this machine cannot run them.
tests/run-vnf.sh "$build" || status=$?
exit $status
