#!/usr/bin/env bash
# smoke.sh [IMAGE] — a developer check of the escd VNF image (not run by CI).
#
# Boots IMAGE (default: the one build.sh builds or has cached) under qemu TCG, without libvirt,
# the way escd attaches it: a read-only virtio boot disk, a read-only virtio config drive holding
# a ustar day-0 archive, a virtio NIC. qemu and a tap device live in a network namespace made here
# (escd-vnf-smoke-<pid>); the addresses are of 192.0.2.0/24 (TEST-NET-1) inside it, so no guest
# packet can reach any address of this host. Waits for "escd-vnf: ready" on the serial console and
# for the first ping answer, then presses the ACPI power button (QMP system_powerdown) and checks
# that qemu exits within a few seconds.
#
# stdout: the measured seconds (qemu start -> ready, -> first ping answer; power button -> qemu
# gone). Progress goes to stderr; a failure exits 1 with the reason and the console's tail.
# Whatever happens, the namespace and qemu are removed on exit.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
smoke=vnf-smoke
ns=escd-vnf-smoke-$$
guest_mac=52:54:00:e5:cd:0a
# shellcheck source=deploy/vnf-image/lib-smoke.sh
source "$here/lib-smoke.sh"

[[ $(id -u) -eq 0 ]] || die "needs root (network namespace, tap device)"
"$repo/tests/qemu/install.sh"
"$repo/deploy/apt-install-missing.sh" vnf-smoke socat iputils-ping

image=${1:-$("$here/build.sh")}
[[ -f $image ]] || die "no image $image"
dir=$(mktemp -d /tmp/escd-vnf-smoke.XXXXXX)
smoke_init

# --- the day-0 config drive: a day-0 file as escd would substitute it, with a few bad lines that
# must be logged and skipped
cat >"$dir/escd-vnf.conf" <<CONF
# escd-vnf smoke test
hostname smoke-vnf
interface $guest_mac $guest_ip 255.255.255.0 $host_ip
interface $guest_mac 2001:db8::10 64
interface  192.0.2.11 255.255.255.0
interface \$NICID_1_MAC_ADDRESS \$NICID_1_IP_ADDRESS \$NICID_1_NETMASK
frobnicate 1
CONF
tar --format=ustar -C "$dir" -cf "$dir/day0.tar" escd-vnf.conf

say "booting $image ($memory MiB, TCG)"
started=$(now)
smoke_start_qemu "$image"
# -D: every answer carries its arrival time.
ip netns exec "$ns" ping -n -D -i 0.1 "$guest_ip" >"$dir/ping.log" 2>/dev/null &
ping_pid=$!
helper_pids+=("$ping_pid")

ready_at=
ping_at=
deadline=$(($(date +%s) + 90))
while [[ -z $ready_at || -z $ping_at ]]; do
    kill -0 "$qemu_pid" 2>/dev/null || die "qemu exited"
    (($(date +%s) < deadline)) || die "not ready and answering ping within 90 s"
    if [[ -z $ready_at ]] && grep -q 'escd-vnf: ready' "$dir/console.log"; then
        ready_at=$(now)
        say "$(tr -d '\r' <"$dir/console.log" | grep 'escd-vnf: ready')"
    fi
    if [[ -z $ping_at ]]; then
        ping_at=$(awk -F'[][]' '/bytes from/ { print $2; exit }' "$dir/ping.log")
    fi
    sleep 0.05
done
kill "$ping_pid" 2>/dev/null

console=$(tr -d '\r' <"$dir/console.log")
for expected in "hostname smoke-vnf" "eth0 $guest_mac $guest_ip/24" "eth0 $guest_mac 2001:db8::10/64" \
    "warning: line 5: interface needs MAC" "warning: line 6: '\$NICID_1_MAC_ADDRESS' is not a MAC" \
    "warning: line 7: unknown keyword 'frobnicate'"; do
    grep -qF "escd-vnf: ${expected}" <<<"$console" || die "the console lacks \"escd-vnf: $expected\""
done

say "pressing the ACPI power button"
smoke_power_off

echo "boot to ready:       $(elapsed "$started" "$ready_at") s"
echo "boot to first ping:  $(elapsed "$started" "$ping_at") s"
echo "power button to off: $(elapsed "$pressed" "$gone") s"
