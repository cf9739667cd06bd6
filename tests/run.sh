#!/usr/bin/env bash
# Installs what is missing, builds escd with ASan+UBSan, starts a throw-away PostgreSQL on a free
# loopback port and the qemu VIM of the crash test (tests/qemu/up.sh), runs every test through
# CTest, stops both. Exits non-zero on any failure.
# Works as root and as an ordinary user (with sudo for the package install).
set -euo pipefail
cd "$(dirname "$0")/.."

./deploy/install-deps.sh

build=${ESCD_TEST_BUILD_DIR:-build/asan}
jobs=${ESCD_JOBS:-$(nproc)}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DESCD_SANITIZE=ON -DESCD_WERROR=OFF >/dev/null
cmake --build "$build" -j"$jobs"

cleanup() {
    [[ -n ${ESCD_TEST_QEMU_DIR:-} ]] && tests/qemu/down.sh "$ESCD_TEST_QEMU_DIR"
    [[ -n ${ESCD_TEST_PG_DIR:-} ]] && tests/pg-down.sh "$ESCD_TEST_PG_DIR"
    return 0
}
trap cleanup EXIT

eval "$(tests/pg-up.sh)"
export ESCD_TEST_PG_DSN

# The qemu VIM of the crash test (libvirtd in a network namespace of its own). When it cannot be
# had, the qemu tests are skipped and say why (ESCD_TEST_QEMU_SKIP); the other tests run as usual.
export ESCD_TEST_QEMU_SKIP=
if ! tests/qemu/install.sh; then
    ESCD_TEST_QEMU_SKIP="tests/qemu/install.sh could not install libvirtd and qemu"
elif ! qemu_env=$(tests/qemu/up.sh 2>"$build/qemu-up.log"); then
    ESCD_TEST_QEMU_SKIP="tests/qemu/up.sh failed: $(tail -n1 "$build/qemu-up.log")"
else
    eval "$qemu_env"
fi
cat "$build/qemu-up.log" >&2 2>/dev/null || true
if [[ -n $ESCD_TEST_QEMU_SKIP ]]; then
    echo "run.sh: the qemu tests will be skipped: $ESCD_TEST_QEMU_SKIP" >&2
fi

# Sanitizer findings fail the test that triggered them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}

ctest --test-dir "$build" --output-on-failure -j"$jobs" --timeout 300 "$@"
