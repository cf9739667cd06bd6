#!/usr/bin/env bash
# Installs the qemu VIM of the VNF tests (tests/qemu/up.sh): libvirtd with its QEMU driver and
# qemu-system-x86 for TCG guests; and the tools the VNF tests use. Idempotent and quiet: prints
# nothing when all is installed.
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
    # The VNF tests' own tools: ssh, ssh-keyscan and sshpass to ask the VNFs' IOS XR devices,
    # tftpd-hpa for the repository of their CSM upgrade (tests/vnf/vnf_csm_upgrade_test.cpp).
    openssh-client sshpass tftpd-hpa
)

exec "$(dirname "$0")/../../deploy/apt-install-missing.sh" qemu/install --no-service-start \
    "${packages[@]}"
