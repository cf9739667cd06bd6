#!/usr/bin/env bash
# device-smoke.sh [IMAGE] — a developer check of the IOS XR device in the escd VNF image (not run
# by CI). Needs root.
#
# Boots IMAGE (default: what build.sh builds or has cached) under qemu TCG as escd attaches it:
# the read-only boot disk, a read-only ustar config drive whose escd-vnf.conf has a `device`
# line, a blank writable raw state disk, a virtio NIC on a tap device. qemu, the tap and a tftpd
# live in a network namespace made here (escd-vnf-dev-<pid>, addresses of 192.0.2.0/24 =
# TEST-NET-1 inside it only), removed on any exit. Then, from inside the namespace:
#
#  1. ssh exec `show version` (factory 6.1.3) and an interactive ssh session, a telnet login;
#  2. `install add source tftp://192.0.2.1/repo xrv9k-mini-x-6.2.1.iso` (busybox tftp in the
#     guest), `install activate` (a reload: the guest really reboots), 6.2.1 after the reboot,
#     `install commit`;
#  3. a hard reset of the guest (QMP system_reset, no reload asked): 6.2.1 still active and
#     committed, the same ssh host key;
#  4. a non-reload rpm activated but not committed, then `reload`: the rpm is reverted;
#  5. qemu stopped, a new boot with a fresh blank state disk: the factory 6.1.3, nothing added;
#     the ACPI power button powers it off with the state disk's file system clean.
#
# stdout: the timings and a PASS line per check; progress on stderr. Exit 1 at the first failure,
# with the console's tail.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
smoke=device-smoke
ns=escd-vnf-dev-$$
guest_mac=52:54:00:e5:cd:0b
# shellcheck source=deploy/vnf-image/lib-smoke.sh
source "$here/lib-smoke.sh"
pass() { echo "PASS  $*"; }

[[ $(id -u) -eq 0 ]] || die "needs root (network namespace, tap device)"
"$repo/tests/qemu/install.sh"
"$repo/deploy/apt-install-missing.sh" vnf-device-smoke --no-service-start socat sshpass expect \
    openssh-client tftpd-hpa

image=${1:-$("$here/build.sh")}
[[ -f $image ]] || die "no image $image"
user=cisco
password="Sm0ke-$$"
dir=$(mktemp -d /tmp/escd-vnf-device-smoke.XXXXXX)
smoke_init

# --- day-0, the repository, the namespace ------------------------------------------------------
cat >"$dir/escd-vnf.conf" <<CONF
hostname smoke-xr
interface $guest_mac $guest_ip 255.255.255.0 $host_ip
device $user $password
device-op-seconds 1
device-platform IOS-XRv   9000
device-os sideways
CONF
tar --format=ustar -C "$dir" -cf "$dir/day0.tar" escd-vnf.conf

mkdir -p "$dir/srv/repo"
# An image (a reload-type package) and a plain rpm (no reload), as tools/xr-device reads them.
printf 'version=6.2.1\n' >"$dir/srv/repo/xrv9k-mini-x-6.2.1.iso"
printf 'plain rpm\n' >"$dir/srv/repo/xrv9k-mgbl-3.0.0.0-r621.x86_64.rpm"
chmod -R a+rX "$dir/srv"

ip netns exec "$ns" /usr/sbin/in.tftpd -L -a "$host_ip:69" -s "$dir/srv" </dev/null >"$dir/tftpd.log" 2>&1 &
helper_pids+=($!)

# --- helpers -----------------------------------------------------------------------------------
start_qemu() { smoke_start_qemu "$image" "$1"; } # STATE_DISK
stop_qemu() {
    kill "$qemu_pid" 2>/dev/null
    wait "$qemu_pid" 2>/dev/null || true
    qemu_pid=
}
qmp() { smoke_qmp "$1"; }
readies() { tr -d '\r' <"$dir/console.log" | grep -c 'escd-vnf: ready' || true; }
wait_ready() { # N: until the console has printed "ready" N times; prints the time
    local deadline=$(($(date +%s) + 120))
    while (($(readies) < $1)); do
        kill -0 "$qemu_pid" 2>/dev/null || die "qemu exited"
        (($(date +%s) < deadline)) || die "no 'escd-vnf: ready' number $1 within 120 s"
        sleep 0.05
    done
    now
}
# ssh exec of one CLI line (the emulator's -c), with the known hosts of this state disk.
xr() { # COMMAND
    in_ns sshpass -p "$password" ssh -o UserKnownHostsFile="$dir/known_hosts" \
        -o StrictHostKeyChecking="${strict:-accept-new}" -o LogLevel=ERROR -o ConnectTimeout=5 \
        -o PubkeyAuthentication=no "$user@$guest_ip" "$1" 2>&1 | tr -d '\r'
}
# Until `show install request` says no operation runs.
wait_op() {
    local deadline=$(($(date +%s) + 60))
    until xr "show install request" | grep -q "No install operation in progress"; do
        (($(date +%s) < deadline)) || die "install operation still running after 60 s"
        sleep 0.5
    done
}
expect_in() { # WHAT TEXT PATTERN
    grep -qE "$3" <<<"$2" || {
        say "$1: got:"
        sed 's/^/  > /' <<<"$2" >&2
        die "$1: no /$3/"
    }
    pass "$1"
}
expect_not_in() { # WHAT TEXT PATTERN
    ! grep -qE "$3" <<<"$2" || {
        say "$1: got:"
        sed 's/^/  > /' <<<"$2" >&2
        die "$1: /$3/ present"
    }
    pass "$1"
}
console() { tr -d '\r' <"$dir/console.log"; }

# --- 1. first boot on a blank state disk ---------------------------------------------------------
truncate -s 64M "$dir/state1.raw"
say "booting $image ($memory MiB, TCG) with a blank 64 MiB state disk"
started=$(now)
start_qemu "$dir/state1.raw"
ready1=$(wait_ready 1)
say "$(console | grep 'escd-vnf: ready')"
expect_in "console: blank state disk formatted" "$(console)" 'escd-vnf: state disk vd[c-z] was blank'
expect_in "console: ssh and telnet on the state disk" "$(console)" \
    "escd-vnf: device $user: ssh on port 22, telnet on port 23; state on vd[c-z]"
expect_in "console: bad device-os value skipped" "$(console)" 'warning: line 6: device-os needs one value'
out=$(xr "show version")
expect_in "ssh exec: show version is the factory 6.1.3" "$out" 'Version 6\.1\.3'
expect_in "ssh exec: platform from day-0 (blanks kept)" "$out" 'cisco IOS-XRv 9000 \('
out=$(in_ns "$repo/tools/xr-device/xr-cli.exp" ssh "$guest_ip" "$user" "$password" "show install active summary" 2>&1 | tr -d '\r')
expect_in "ssh interactive (pty): the prompt has the day-0 hostname" "$out" 'RP/0/RP0/CPU0:smoke-xr#'
expect_in "ssh interactive (pty): active summary" "$out" 'xrv9k-xr-6\.1\.3'
out=$(in_ns "$repo/tools/xr-device/xr-cli.exp" telnet "$guest_ip" "$user" "$password" "show version" 2>&1 | tr -d '\r')
expect_in "telnet login: show version" "$out" 'Version 6\.1\.3'
rc=0
XR_TIMEOUT=10 in_ns "$repo/tools/xr-device/xr-cli.exp" telnet "$guest_ip" "$user" wrong >/dev/null 2>&1 || rc=$?
[[ $rc -eq 5 ]] || die "telnet with a wrong password: exit $rc, not 5 (authentication failed)"
pass "telnet: a wrong password is refused"
if in_ns sshpass -p wrong ssh -o UserKnownHostsFile="$dir/known_hosts" -o LogLevel=ERROR \
    -o PubkeyAuthentication=no -o ConnectTimeout=5 "$user@$guest_ip" "show version" >/dev/null 2>&1; then
    die "ssh with a wrong password got in"
fi
pass "ssh: a wrong password is refused"

# --- 2. install add over TFTP, activate (reload = guest reboot), commit --------------------------
out=$(xr "install add source tftp://$host_ip/repo xrv9k-mini-x-6.2.1.iso xrv9k-mgbl-3.0.0.0-r621.x86_64.rpm")
expect_in "install add started" "$out" 'Install operation 1 started'
wait_op
out=$(xr "show install log 1")
expect_in "install add over tftp (busybox tftp in the guest) succeeded" "$out" 'Install operation 1 finished successfully'
out=$(xr "show install inactive summary")
expect_in "the image is inactive in the repository" "$out" 'xrv9k-mini-x-6\.2\.1'
say "install activate xrv9k-mini-x-6.2.1 (a reload: the guest reboots)"
activated=$(now)
out=$(XR_TIMEOUT=60 in_ns "$repo/tools/xr-device/xr-cli.exp" ssh "$guest_ip" "$user" "$password" \
    "install activate xrv9k-mini-x-6.2.1" @wait-eof 2>&1 | tr -d '\r')
expect_in "activate: the reload question and the reload message" "$out" 'will reload the system'
dropped=$(now)
ready2=$(wait_ready 2)
expect_in "console: the device reload rebooted the guest" "$(console)" 'escd-vnf: device reload: rebooting'
out=$(xr "show version")
back2=$(now)
expect_in "after the reboot: show version 6.2.1" "$out" 'Version 6\.2\.1'
expect_in "after the reboot: uptime restarted" "$out" 'uptime is (0|[0-9]+ seconds?|[0-9] minutes?)'
out=$(xr "install commit")
wait_op
out=$(xr "show install committed summary")
expect_in "install commit: 6.2.1 committed" "$out" 'xrv9k-xr-6\.2\.1'

# --- 3. a hard reset nobody asked for: the committed image stays, the host key too ----------------
say "hard reset of the guest (QMP system_reset)"
reset_at=$(now)
qmp system_reset
ready3=$(wait_ready 3)
out=$(strict=yes xr "show version")
expect_in "after a reset: still 6.2.1, same ssh host key" "$out" 'Version 6\.2\.1'
out=$(xr "show install active summary")
expect_in "after a reset: 6.2.1 active" "$out" 'xrv9k-xr-6\.2\.1'

# --- 4. an uncommitted activation reverts at the next reload ---------------------------------------
out=$(xr "install activate xrv9k-mgbl-3.0.0.0-r621")
wait_op
out=$(xr "show install active summary")
expect_in "rpm activated (no reload)" "$out" 'xrv9k-mgbl-3\.0\.0\.0-r621'
say "reload (the rpm is not committed)"
reloaded=$(now)
out=$(in_ns "$repo/tools/xr-device/xr-cli.exp" ssh "$guest_ip" "$user" "$password" reload @wait-eof 2>&1 | tr -d '\r')
ready4=$(wait_ready 4)
out=$(strict=yes xr "show install active summary")
expect_not_in "after reload: the uncommitted rpm reverted" "$out" 'xrv9k-mgbl-3\.0\.0\.0-r621'
expect_in "after reload: the committed 6.2.1 stays" "$out" 'xrv9k-xr-6\.2\.1'

# --- 5. a redeploy: fresh blank state disk -> factory -----------------------------------------------
stop_qemu
truncate -s 64M "$dir/state2.raw"
rm -f "$dir/known_hosts"
say "new boot with a fresh blank state disk"
started5=$(now)
start_qemu "$dir/state2.raw"
ready5=$(wait_ready 1)
out=$(xr "show version")
expect_in "fresh state disk: factory 6.1.3" "$out" 'Version 6\.1\.3'
out=$(xr "show install inactive summary")
expect_not_in "fresh state disk: nothing added" "$out" '6\.2\.1|r621'
out=$(xr "show install log")
expect_in "fresh state disk: no install log" "$out" 'No install operation found in log'
say "ACPI power button"
smoke_power_off
# s_state of the ext2 superblock: 1 = clean (unmounted or read-only at the power-off).
[[ $(od -An -tx1 -j 1082 -N 2 "$dir/state2.raw" | tr -d ' ') == 0100 ]] ||
    die "the state disk is not marked clean after the power button"
pass "power button: off, the state disk's file system clean"

echo "boot to ready (blank state disk, mke2fs): $(elapsed "$started" "$ready1") s"
echo "activate -> session dropped:              $(elapsed "$activated" "$dropped") s"
echo "session dropped -> ready after reboot:    $(elapsed "$dropped" "$ready2") s"
echo "session dropped -> show version answers:  $(elapsed "$dropped" "$back2") s"
echo "system_reset -> ready:                    $(elapsed "$reset_at" "$ready3") s"
echo "CLI reload -> ready:                      $(elapsed "$reloaded" "$ready4") s"
echo "redeploy boot to ready (blank disk):      $(elapsed "$started5" "$ready5") s"
echo "power button -> qemu exited:              $(elapsed "$pressed" "$gone") s"
