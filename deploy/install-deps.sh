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
    libvirt-dev libvirt0
    postgresql-15 postgresql-client-15
    googletest libgtest-dev libgmock-dev
    util-linux iproute2 ca-certificates
    iptables
)

missing=()
for p in "${packages[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

echo "install-deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
    sudo_cmd=(sudo)
fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
