#!/usr/bin/env bash
# Starts the qemu VIM of the VNF tests (tests/run-vnf.sh) and prints shell exports:
#   eval "$(tests/qemu/up.sh)"  ->  ESCD_TEST_QEMU_URI, ESCD_TEST_QEMU_NETNS, ESCD_TEST_QEMU_DIR
# Stop it with tests/qemu/down.sh "$ESCD_TEST_QEMU_DIR".
#
# virtlogd and libvirtd run inside a network namespace made here (escd-test-<pid>), so every
# bridge, dnsmasq and guest NIC that escd's networks create lives there and no guest traffic can
# reach an address of the host. Clients reach libvirtd through its unix socket, which the
# namespace does not hide; tests/run-vnf.sh runs escd and the tests inside the namespace too, so
# that escd can ping the guests.
#
# libvirt's system socket path is fixed (/run/libvirt/libvirt-sock), so there is one such
# libvirtd per machine. One already running inside an escd-test-* namespace (left by a run that
# could not clean up) is adopted: its exports are printed and down.sh stops it. One running
# anywhere else is not ours to use or stop: up.sh refuses, and the qemu tests are skipped.
#
# Progress and timings go to stderr; a failure exits 1 with the reason on stderr's last line and
# leaves nothing running.
set -euo pipefail

uri=qemu:///system
socket=/run/libvirt/libvirt-sock
here=$(cd "$(dirname "$0")" && pwd)

say() { echo "qemu/up: $*" >&2; }
die() {
    say "$*"
    exit 1
}

as_root=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "needs root or sudo (network namespaces, libvirtd)"
    as_root=(sudo)
fi
for tool in ip libvirtd virtlogd virsh qemu-system-x86_64; do
    command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] || die "$tool is not installed (run tests/qemu/install.sh)"
done

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

vsh() { "${as_root[@]}" virsh -q -c "$uri" "$@"; }

print_exports() {
    echo "export ESCD_TEST_QEMU_URI='$uri'"
    echo "export ESCD_TEST_QEMU_NETNS='$1'"
    echo "export ESCD_TEST_QEMU_DIR='$2'"
}

# Pids of the running processes named $1 (a zombie awaiting its reaper is not running).
running() {
    local pid
    for pid in $(pgrep -x "$1"); do
        grep -q '^[^)]*) Z' "/proc/$pid/stat" 2>/dev/null || echo "$pid"
    done
}

# --- a libvirtd that is already running -------------------------------------------------------
if pid=$(running libvirtd | head -n1) && [[ -n $pid ]]; then
    ns=$("${as_root[@]}" ip netns identify "$pid" 2>/dev/null || true)
    if [[ $ns != escd-test-* ]]; then
        die "a libvirtd (pid $pid) already runs outside an escd test namespace${ns:+ (in $ns)}; not using it: its networks would be on the host"
    fi
    say "adopting libvirtd pid $pid in network namespace $ns (left by an earlier run)"
    dir=$(mktemp -d /tmp/escd-qemu.XXXXXX)
    chmod 0755 "$dir"
    echo "$ns" >"$dir/netns"
    echo "$pid" >"$dir/libvirtd.pid"
    for logd in $(running virtlogd); do
        [[ $("${as_root[@]}" ip netns identify "$logd" 2>/dev/null) == "$ns" ]] && echo "$logd" >"$dir/virtlogd.pid"
    done
    timeout 120 virsh -q -c "$uri" version >/dev/null 2>&1 || {
        "$here/down.sh" "$dir" >&2 || true
        die "the adopted libvirtd does not answer on $uri as $(id -un)"
    }
    print_exports "$ns" "$dir"
    exit 0
fi

# --- a fresh one -----------------------------------------------------------------------------
ns=escd-test-$$
dir=$(mktemp -d /tmp/escd-qemu.XXXXXX)
# qemu runs as libvirt-qemu: whatever the tests put below this directory (storage pools) must be
# reachable for it.
chmod 0755 "$dir"
echo "$ns" >"$dir/netns"
ok=0 # read by the EXIT trap
trap '((ok)) || "$here/down.sh" "$dir" >&2 || true' EXIT

"${as_root[@]}" ip netns add "$ns" || die "cannot create network namespace $ns"
"${as_root[@]}" ip netns exec "$ns" ip link set lo up

t0=$(now)
"${as_root[@]}" ip netns exec "$ns" virtlogd -d -p "$dir/virtlogd.pid" ||
    die "virtlogd did not start"
# KVM is not usable on these machines (guests hang), and a root-only /dev/kvm makes libvirt 9.0
# discard its qemu capabilities on every call that needs them: the probe, run with
# CAP_DAC_OVERRIDE, finds KVM; the check of the cache, made as libvirt-qemu, does not. Each call
# then re-probes for ~30 s (every domain definition). So libvirtd gets a private view in which
# /dev/kvm is an empty file: the probe finds no KVM, the cache stays valid, guests use TCG as
# they would anyway. Guests then share that view of /dev instead of getting a private /dev each
# (which would copy the fake /dev/kvm and fail): the copy of qemu.conf it reads says
# `namespaces = [ ]`. `ip netns exec` already runs libvirtd in a mount namespace of its own, so
# the host's /dev/kvm and qemu.conf are untouched.
# shellcheck disable=SC2016 # expanded by the inner sh, from its arguments
start_libvirtd='exec libvirtd -d -p "$1"'
if [[ -e /dev/kvm ]]; then
    : >"$dir/no-kvm"
    "${as_root[@]}" install -m 0600 /etc/libvirt/qemu.conf "$dir/qemu.conf"
    echo 'namespaces = [ ]' | "${as_root[@]}" tee -a "$dir/qemu.conf" >/dev/null
    # shellcheck disable=SC2016
    start_libvirtd='mount --bind "$2/no-kvm" /dev/kvm &&
        mount --bind "$2/qemu.conf" /etc/libvirt/qemu.conf && '$start_libvirtd
fi
"${as_root[@]}" ip netns exec "$ns" sh -c "$start_libvirtd" libvirtd "$dir/libvirtd.pid" "$dir" ||
    die "libvirtd did not start"

deadline=$((SECONDS + 30))
until [[ -S $socket ]]; do
    ((SECONDS < deadline)) || die "no $socket 30 s after starting libvirtd"
    sleep 0.05
done
say "socket after $(since "$t0") s"

# The first call waits for the QEMU driver to start: it probes the emulator unless its cache in
# /var/cache/libvirt/qemu is valid (about 5 s here, 12-40 s with the KVM mismatch above).
deadline=$((SECONDS + 180))
until err=$("${as_root[@]}" timeout 60 virsh -q -c "$uri" version 2>&1 >/dev/null); do
    ((SECONDS < deadline)) || die "libvirtd did not answer on $uri within 180 s: $err"
    sleep 0.5
done
say "first API call answered after $(since "$t0") s"

# A qemu that cannot run TCG guests fails here, with libvirt's reason, not in the middle of a test.
t1=$(now)
vsh domcapabilities --virttype qemu --arch x86_64 >/dev/null ||
    die "libvirtd cannot report the capabilities of qemu (TCG)"
say "qemu capabilities after $(since "$t1") s more"

# escd and the tests connect as the invoking user: that is what must work.
err=$(virsh -q -c "$uri" version 2>&1 >/dev/null) ||
    die "$(id -un) cannot use $uri (root or the group libvirt can): $err"

# shellcheck disable=SC2034 # read by the EXIT trap
ok=1
print_exports "$ns" "$dir"
