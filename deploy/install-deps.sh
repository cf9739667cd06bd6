#!/usr/bin/env bash
# Installs escd's build, run and test dependencies from Debian 12 packages (iptables: the
# monitoring tests make a loopback address stop answering pings for a while).
# Idempotent and quiet: when everything is present it prints nothing and exits 0.
# Never install unversioned libboost-*-dev: they are 1.74 and would remove the 1.81 headers.
set -euo pipefail

packages=(
    g++ make cmake pkg-config
    libboost1.81-dev
    libpugixml-dev
    libpqxx-dev libpq-dev
    libssl-dev
    libssh-dev
    libvirt-dev libvirt0
    postgresql-15 postgresql-client-15
    googletest libgtest-dev libgmock-dev
    util-linux iproute2 ca-certificates
    iptables
)

exec "$(dirname "$0")/apt-install-missing.sh" install-deps "${packages[@]}"
