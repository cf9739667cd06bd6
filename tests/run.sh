#!/usr/bin/env bash
# Installs what is missing, builds escd with ASan+UBSan, starts a throw-away PostgreSQL on a free
# loopback port and the OpenStack control plane (tests/openstack/up.sh), runs every test through
# CTest, then the cluster checks (tests/run-cluster.sh: three escd nodes on a Patroni pair) and
# the VNF tests (tests/run-vnf.sh: real guests under qemu). Exits non-zero on any failure.
#   tests/run.sh [LANE] [ctest arguments...]
# With no LANE it runs everything (CI). A LANE runs one part, for a quick loop while developing;
# it builds only that part's targets and starts only what that part needs:
#   unit         the unit tests (CTest label unit): no PostgreSQL, no OpenStack
#   integration  escd against a throw-away PostgreSQL and the libvirt test driver (label
#                integration)
#   engine       the engine in process with the fake VIM, against a throw-away PostgreSQL
#                (label engine)
#   openstack    the tests against the OpenStack control plane (label openstack)
#   device       the CSM face's device sessions against the IOS XR emulator in network
#                namespaces (label device; as root)
#   cluster      tests/run-cluster.sh alone (the remaining arguments are its scenarios: a b c)
#   vnf          tests/run-vnf.sh alone (the remaining arguments are gtest flags)
# The other arguments go to ctest as they are, e.g. tests/run.sh integration -R Snapshot.
# ESCD_JOBS (default: the cores) sets the build's jobs, ESCD_CTEST_JOBS (default: as many) the tests'.
# Works as root and as an ordinary user (with sudo for the package install).
set -euo pipefail
cd "$(dirname "$0")/.."

lane=all
case ${1:-} in
unit | integration | engine | openstack | device | cluster | vnf)
    lane=$1
    shift
    ;;
esac

./deploy/install-deps.sh
# The IOS XR emulator's servers (sshd, telnetd, TFTP, FTP), run in the device tests' namespaces.
if [[ $lane == all || $lane == device ]]; then
    tools/xr-device/install-deps.sh
fi

build=${ESCD_TEST_BUILD_DIR:-build/asan}
# The whole run needs about 4.5 GB for the build and 3 GB for the guests' images, the OpenStack
# services and the databases: said up front, so that a full disk is not a riddle at the link.
mkdir -p "$build"
free_kb=$(df -Pk "$build" | awk 'NR == 2 {print $4}')
echo "tests/run.sh: $((free_kb / 1024)) MiB free where $build is"
if ((free_kb < 8 * 1024 * 1024)); then
    echo "tests/run.sh: warning: less than 8 GiB free; the build and the guests may not fit" >&2
fi
jobs=${ESCD_JOBS:-$(nproc)}
# The benchmarks are not tests (they run from their own Release build, bench/README.md), but the
# whole run compiles them too, so that a change that breaks one fails CI.
# A unity build (CMake joins each target's sources eight to a translation unit): with the
# sanitizers and debug information, most of a translation unit's cost is what every one repeats
# (Asio's and Beast's templates instantiated, their debug information written), so joined they
# build in about half the CPU time (docs/decisions.md, "The test build is a unity build").
# Line tables only (-g1): the sanitizers' reports name file and line, and the build is 1.5 GB
# smaller and faster to write (docs/decisions.md, "The test build's size on disk").
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-g1 -DESCD_SANITIZE=ON \
    -DESCD_WERROR=OFF -DCMAKE_UNITY_BUILD=ON >/dev/null
case $lane in
all)
    targets=(escd escd_unit_tests escd_engine_tests escd_integration_tests escd_openstack_tests
        escd_vnf_tests escd_device_tests escd_bench_accept escd_bench_deploy escd_bench_ping
        escd_bench_vnf)
    ;;
unit) targets=(escd_unit_tests) ;;
engine) targets=(escd_engine_tests) ;;
device) targets=(escd escd_device_tests) ;;
cluster) targets=(escd) ;;
*) targets=(escd "escd_${lane}_tests") ;;
esac
# The OpenStack control plane of the openstack-labelled tests (tests/openstack/: Debian's own
# Keystone, Glance, Placement, Nova with the fake driver, Neutron, Cinder, on 127.0.0.1) is
# installed and started while escd builds: about a minute and a half of mostly waiting on MariaDB
# and Python start-ups that would otherwise come after the build. A machine where it cannot be
# installed or started fails the run, loudly: it is never skipped.
os_job=
os_env_file=
if [[ $lane == all || $lane == openstack ]]; then
    os_env_file=$(mktemp /tmp/escd-os-env.XXXXXX)
    # The cluster checks' packages too: apt takes one install at a time.
    (tests/openstack/install.sh && deploy/cluster/install.sh && tests/openstack/up.sh >"$os_env_file") &
    os_job=$!
fi

cleanup() {
    if [[ -n $os_job ]]; then
        wait "$os_job" 2>/dev/null || true
        # shellcheck disable=SC1090 # up.sh's exports, when it got that far
        source "$os_env_file"
    fi
    [[ -n ${ESCD_TEST_OS_DIR:-} ]] && tests/openstack/down.sh "$ESCD_TEST_OS_DIR"
    [[ -n ${ESCD_TEST_PG_DIR:-} ]] && tests/pg-down.sh "$ESCD_TEST_PG_DIR"
    [[ -n $os_env_file ]] && rm -f "$os_env_file"
    return 0
}
trap cleanup EXIT

cmake --build "$build" -j"$jobs" --target "${targets[@]}"

if [[ $lane == vnf ]]; then
    exec tests/run-vnf.sh "$build" "$@"
fi
if [[ $lane == cluster ]]; then
    exec tests/run-cluster.sh "$build" "$@"
fi

if [[ $lane != unit ]]; then
    eval "$(tests/pg-up.sh)"
    export ESCD_TEST_PG_DSN
fi

if [[ -n $os_job ]]; then
    job=$os_job
    os_job=
    wait "$job" || {
        echo "run.sh: tests/openstack/install.sh or up.sh could not start the OpenStack control plane" >&2
        exit 1
    }
    # shellcheck disable=SC1090 # up.sh's exports
    source "$os_env_file"
fi

# Sanitizer findings fail the test that triggered them.
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/lsan.supp:print_suppressions=0}

labels=()
[[ $lane != all ]] && labels=(-L "^${lane}\$")
status=0
# One test per core: the tests, their escd processes and the OpenStack services keep the cores
# busy (a run with two tests per core and the OpenStack tests four at a time took 1,135 s of
# CTest against 952 s, each test slower by about as much as there were more of them at once).
ctest_jobs=${ESCD_CTEST_JOBS:-$jobs}
ctest --test-dir "$build" --output-on-failure -j"$ctest_jobs" --timeout 300 "${labels[@]}" "$@" ||
    status=$?

# Then the cluster checks, alone: their time bounds are about escd, not about a busy machine.
if [[ $lane == all ]]; then
    tests/run-cluster.sh "$build" || status=$?
fi
# Then the VNF tests, alone: TCG guests need the cores. They bring their own libvirtd, PostgreSQL
# and escd inside a network namespace, and say so when this machine cannot run them.
if [[ $lane == all ]]; then
    tests/run-vnf.sh "$build" || status=$?
fi
exit $status
