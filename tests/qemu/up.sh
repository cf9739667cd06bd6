#!/usr/bin/env bash
# Starts the qemu VIM of the VNF tests (tests/run-vnf.sh) and prints shell exports:
#   eval "$(tests/qemu/up.sh)"  ->  ESCD_TEST_QEMU_URI, ESCD_TEST_QEMU_NETNS, ESCD_TEST_QEMU_DIR
#   ESCD_TEST_QEMU_HOSTS=2 adds a second compute host (below): ESCD_TEST_QEMU_URI2,
#   ESCD_TEST_QEMU_NETNS2, ESCD_TEST_QEMU_DIR2 (host 2's /run/libvirt is its run/, /var/log/libvirt
#   its log/).
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
# Two hosts, for live migration (tests/vnf/vnf_migration_test.cpp): a second libvirtd, "host 2",
# on the same machine, made to look like another compute node to libvirt, to qemu and to escd:
# - its own network namespace ($ns-h2), so the bridges and dnsmasq it makes for escd's networks
#   (same names, same UUIDs, same gateway address as on host 1) cannot clash with host 1's;
# - its own mount namespace, in which /etc/libvirt, /run/libvirt, /var/lib/libvirt,
#   /var/cache/libvirt and /var/log/libvirt are directories below $dir/host2: its own objects,
#   state, socket (reached from outside as $dir/host2/run/libvirt-sock, hence the URI
#   qemu+unix:///system?socket=...) and its own virtlogd; and in which $dir itself is
#   $dir/host2/disks, so that the storage pool a test makes below ESCD_TEST_QEMU_DIR is, on each
#   host, a directory of that host's own at the same path (local disks, not shared storage:
#   escd copies a VM's config drive to the target and every host holds the images, and escd's
#   VM disks are read-only, which libvirt accepts as safe to migrate without copying them);
# - its own host UUID (libvirtd.conf host_uuid), else libvirt refuses "migration to the same
#   host";
# - a migration link: a veth pair between the two namespaces, 198.51.100.1/30 on host 1 and .2 on
#   host 2 (TEST-NET-2). Each host's qemu.conf names its end as migration_host and
#   migration_address, so the source qemu sends the guest's memory over it (by default the
#   target would name the machine's host name, which is loopback in the wrong namespace);
# - one guest segment: tests/qemu/network-hook.sh (libvirt's network hook on both hosts) joins the
#   two bridges of an escd network with a veth pair, removes the gateway address from host 2's
#   bridge and turns STP off on both, so escd, in host 1's namespace, keeps pinging a guest
#   wherever it runs, with no wait for the target port's STP states after a move.
# tests/qemu/migration-smoke.sh proves all this with virsh alone. Host 2 answers 0.1-0.2 s after
# host 1 when qemu's capabilities are cached (it starts with a copy of host 1's cache). It is
# opt-in here; tests/run-vnf.sh asks for it unless told otherwise. With two hosts, a leftover
# libvirtd is not adopted but stopped: its hooks and links are those of the run that left it.
#
# Progress and timings go to stderr; a failure exits 1 with the reason on stderr's last line and
# leaves nothing running.
set -euo pipefail

uri=qemu:///system
socket=/run/libvirt/libvirt-sock
here=$(cd "$(dirname "$0")" && pwd)
hosts=${ESCD_TEST_QEMU_HOSTS:-1}

say() { echo "qemu/up: $*" >&2; }
die() {
    say "$*"
    exit 1
}

[[ $hosts == 1 || $hosts == 2 ]] || die "ESCD_TEST_QEMU_HOSTS=$hosts: 1 or 2 hosts"
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
    if [[ -s $2/netns2 ]]; then
        echo "export ESCD_TEST_QEMU_URI2='qemu+unix:///system?socket=$2/host2/run/libvirt-sock'"
        echo "export ESCD_TEST_QEMU_NETNS2='$(cat "$2/netns2")'"
        echo "export ESCD_TEST_QEMU_DIR2='$2/host2'"
    fi
}

# Pids of the running processes named $1 (a zombie awaiting its reaper is not running).
running() {
    local pid
    for pid in $(pgrep -x "$1"); do
        grep -q '^[^)]*) Z' "/proc/$pid/stat" 2>/dev/null || echo "$pid"
    done
}

# Stops what an earlier run left in network namespace $1 (host 1's, escd-test-N) or $2 (its host 2,
# escd-test-N-h2) through down.sh: with the run's own directory when host 1's libvirtd names it
# (its pid file) and it is that run's, so that its host 2 and its files go too; else with one
# made here, which only needs the namespaces and pids. $3: the pid of host 1's libvirtd.
stop_leftover() {
    local left logd
    if [[ -n $1 ]]; then
        left=$(tr '\0' '\n' <"/proc/$3/cmdline" 2>/dev/null | awk 'prev == "-p" { print; exit } { prev = $0 }')
        left=$(dirname "${left:-/nonexistent/pid}")
        if [[ $(cat "$left/netns" 2>/dev/null) == "$1" ]]; then
            "$here/down.sh" "$left" >&2 || true
            return 0
        fi
    fi
    left=$(mktemp -d /tmp/escd-qemu.XXXXXX)
    [[ -n $1 ]] && echo "$1" >"$left/netns"
    [[ -n $2 ]] && echo "$2" >"$left/netns2"
    for logd in $(running libvirtd) $(running virtlogd); do
        case $("${as_root[@]}" ip netns identify "$logd" 2>/dev/null) in
        "$1") [[ -n $1 ]] && echo "$logd" >>"$left/pids" ;;
        "$2") [[ -n $2 ]] && echo "$logd" >>"$left/pids2" ;;
        esac
    done
    "$here/down.sh" "$left" >&2 || true
}

# --- a libvirtd that is already running -------------------------------------------------------
# Host 2s are never adopted (with one host they are not wanted; with two, host 1 is not adopted
# either); each is stopped after host 1's, whose run's down.sh may have stopped it already.
ns='' pid='' strays=()
for candidate in $(running libvirtd); do
    candidate_ns=$("${as_root[@]}" ip netns identify "$candidate" 2>/dev/null || true)
    if [[ $candidate_ns =~ ^escd-test-[0-9]+-h2$ ]]; then
        strays+=("$candidate_ns")
    elif [[ $candidate_ns == escd-test-* ]]; then
        ns=$candidate_ns pid=$candidate
    else
        die "a libvirtd (pid $candidate) already runs outside an escd test namespace${candidate_ns:+ (in $candidate_ns)}; not using it: its networks would be on the host"
    fi
done
if [[ -n $pid ]] && ((hosts == 2)); then
    say "stopping libvirtd pid $pid in $ns (left by an earlier run): two hosts start afresh"
    stop_leftover "$ns" '' "$pid"
    pid=''
fi
for stray in "${strays[@]}"; do
    "${as_root[@]}" ip netns list | grep -qw "^$stray" || continue
    say "stopping the host-2 libvirtd in $stray (left by an earlier run)"
    stop_leftover '' "$stray"
done
if [[ -n $pid ]]; then
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

# With two hosts: host 2's namespace and the migration link first, then each host's network hook
# (network-hook.sh: the peer's namespace, this host's end, whether its bridge keeps the gateway)
# and qemu.conf lines (where incoming migrations listen and are sent).
ns2=''
if ((hosts == 2)); then
    ns2=$ns-h2
    echo "$ns2" >"$dir/netns2"
    "${as_root[@]}" ip netns add "$ns2" || die "cannot create network namespace $ns2"
    "${as_root[@]}" ip netns exec "$ns2" ip link set lo up
    "${as_root[@]}" ip -n "$ns" link add escd-mig type veth peer name escd-mig netns "$ns2" ||
        die "cannot create the migration link between $ns and $ns2"
    "${as_root[@]}" ip -n "$ns" addr add 198.51.100.1/30 dev escd-mig
    "${as_root[@]}" ip -n "$ns2" addr add 198.51.100.2/30 dev escd-mig
    "${as_root[@]}" ip -n "$ns" link set escd-mig up
    "${as_root[@]}" ip -n "$ns2" link set escd-mig up
    mkdir -p "$dir/hooks"
    install -m 0755 "$here/network-hook.sh" "$dir/hooks/network"
    echo "$ns2 a keep" >"$dir/hooks/escd-link"
fi
# The lines a host's copy of qemu.conf ends with: $1 is its end of the migration link.
qemu_conf_lines() {
    echo 'namespaces = [ ]'
    [[ -n $1 ]] || return 0
    echo "migration_address = \"$1\""
    echo "migration_host = \"$1\""
}

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
: >"$dir/no-kvm"
# shellcheck disable=SC2016 # expanded by the inner sh, from its arguments
no_kvm='if [ -e /dev/kvm ]; then mount --bind "$2/no-kvm" /dev/kvm || exit 1; fi'
# shellcheck disable=SC2016
start_libvirtd='exec libvirtd -d -p "$1"'
if [[ -e /dev/kvm ]] || ((hosts == 2)); then
    "${as_root[@]}" install -m 0600 /etc/libvirt/qemu.conf "$dir/qemu.conf"
    qemu_conf_lines "${ns2:+198.51.100.1}" | "${as_root[@]}" tee -a "$dir/qemu.conf" >/dev/null
    # shellcheck disable=SC2016
    start_libvirtd="$no_kvm"' && mount --bind "$2/qemu.conf" /etc/libvirt/qemu.conf && '$start_libvirtd
fi
if ((hosts == 2)); then
    # shellcheck disable=SC2016
    start_libvirtd='mount --bind "$2/hooks" /etc/libvirt/hooks && '$start_libvirtd
fi
"${as_root[@]}" ip netns exec "$ns" sh -c "$start_libvirtd" libvirtd "$dir/libvirtd.pid" "$dir" ||
    die "libvirtd did not start"

# Host 2 starts while host 1 probes qemu: its own virtlogd and libvirtd in its namespaces, the
# directories of its private view bound first and $dir (its disks) last.
if ((hosts == 2)); then
    h2=$dir/host2
    mkdir -p "$h2"/{etc/hooks,run,lib/dnsmasq,cache,log/qemu,disks}
    chmod 0755 "$h2" "$h2/disks"
    "${as_root[@]}" install -d -o libvirt-qemu -g libvirt-qemu -m 0750 "$h2/lib/qemu"
    # The capabilities host 1 probed or cached: host 2 runs the same qemu on the same machine.
    if [[ -d /var/cache/libvirt/qemu ]]; then
        "${as_root[@]}" cp -a /var/cache/libvirt/qemu "$h2/cache/"
    fi
    cat >"$h2/etc/libvirtd.conf" <<CONF
host_uuid = "$(cat /proc/sys/kernel/random/uuid)"
CONF
    "${as_root[@]}" install -m 0600 /etc/libvirt/qemu.conf "$h2/etc/qemu.conf"
    qemu_conf_lines 198.51.100.2 | "${as_root[@]}" tee -a "$h2/etc/qemu.conf" >/dev/null
    install -m 0755 "$here/network-hook.sh" "$h2/etc/hooks/network"
    echo "$ns b drop" >"$h2/etc/hooks/escd-link"
    # shellcheck disable=SC2016 # expanded by the inner sh, from its arguments
    start_host2="$no_kvm"' &&
        mount --bind "$1/etc" /etc/libvirt && mount --bind "$1/run" /run/libvirt &&
        mount --bind "$1/lib" /var/lib/libvirt && mount --bind "$1/cache" /var/cache/libvirt &&
        mount --bind "$1/log" /var/log/libvirt && mount --bind "$1/disks" "$2" &&
        virtlogd -d -p /run/libvirt/virtlogd.pid && exec libvirtd -d -p /run/libvirt/libvirtd.pid'
    "${as_root[@]}" ip netns exec "$ns2" sh -c "$start_host2" host2 "$h2" "$dir" ||
        die "the libvirtd of host 2 did not start"
fi

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

if ((hosts == 2)); then
    uri2="qemu+unix:///system?socket=$h2/run/libvirt-sock"
    deadline=$((SECONDS + 180))
    until err=$(timeout 60 virsh -q -c "$uri2" domcapabilities --virttype qemu --arch x86_64 2>&1 >/dev/null); do
        ((SECONDS < deadline)) || die "host 2 did not answer on $uri2 within 180 s: $err"
        sleep 0.5
    done
    say "host 2 answered after $(since "$t0") s"
fi

# shellcheck disable=SC2034 # read by the EXIT trap
ok=1
print_exports "$ns" "$dir"
