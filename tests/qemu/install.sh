#!/usr/bin/env bash
# Installs the qemu VIM of the crash test (tests/qemu/up.sh): libvirtd with its QEMU driver and
# qemu-system-x86 for TCG guests. Idempotent and quiet: prints nothing when all is installed.
#
# The sysv flavour of libvirt-daemon-system is chosen on purpose: the systemd one pulls in
# systemd-sysv, and nothing here runs under systemd (up.sh starts the daemons by hand, inside a
# network namespace). While installing, services are kept from starting: a package's init script
# would otherwise start libvirtd in the host's network namespace, where its default network
# would put a bridge and NAT rules on the host.
set -euo pipefail

packages=(
    libvirt-daemon-system libvirt-daemon-system-sysv libvirt-daemon-driver-qemu libvirt-clients
    qemu-system-x86
    # libvirt runs dnsmasq for every network that has an <ip> (DNS, and DHCP when a subnet
    # asks for it); without it starting such a network fails.
    dnsmasq-base
    iproute2
)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

echo "qemu/install: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "qemu/install: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo_cmd=(sudo)
fi

policy=/usr/sbin/policy-rc.d
if [[ ! -e $policy ]]; then
    # Exit 101 = "action forbidden" for invoke-rc.d; removed again whatever the install does.
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
    "${sudo_cmd[@]}" chmod 0755 "$policy"
    trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
