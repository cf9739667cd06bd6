#!/usr/bin/env bash
# Installs the OpenStack Zed control plane of the OpenStack tests (tests/openstack/up.sh) from
# Debian 12's own packages: MariaDB, RabbitMQ, Keystone, Glance, Placement, Nova (api, conductor,
# scheduler; nova-compute runs from python3-nova with the fake driver), Neutron server (ML2) and
# Cinder (api, scheduler; cinder-volume runs from python3-cinder with its fake driver), plus curl
# and jq for the scripts. Idempotent and quiet: prints nothing when all is installed.
#
# Nothing is started: packages' init scripts are kept from starting their daemons
# (--no-service-start), and up.sh runs every service by hand on 127.0.0.1 with its own configs.
# The packages' debconf questions (database through dbconfig-common, RabbitMQ credentials,
# keystone_authtoken, registering endpoints, creating an admin tenant) are all answered "no"
# beforehand, so no install prompts, touches a database or calls a Keystone.
#
# Deliberately not installed: the nova-compute and cinder-volume packages (they pull in libvirt,
# qemu, lvm2 and iSCSI, none of which the fake drivers need), python3-openstackclient as a
# choice of ours (keystone pulls it in anyway; the scripts use curl).
set -euo pipefail

packages=(
    mariadb-server rabbitmq-server
    keystone glance-api placement-api
    nova-api nova-conductor nova-scheduler
    neutron-server
    cinder-api cinder-scheduler
    curl jq
)

# Only when something is missing: preseeding is a root-only write to the debconf database.
missing=0
for p in "${packages[@]}"; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true) == "install ok installed" ]] || missing=1
done
((missing)) || exit 0

as_root=()
[[ $(id -u) -ne 0 ]] && as_root=(sudo)

# Every yes/no question of these packages that would make a postinst do something beyond
# unpacking: all false (most already default to false; preseeding makes it sure and silent).
selections=""
for q in keystone/configure_db keystone/create-admin-tenant keystone/register-endpoint \
    glance/configure_db glance/configure_rabbit glance/configure_ksat glance/configure_api-endpoint \
    placement/configure_db placement/configure_ksat placement/configure_api-endpoint \
    nova/configure_db novaapi/configure_db nova/configure_rabbit nova/configure_ksat \
    nova/configure_api-endpoint nova/configure_neutron nova/configure_placement \
    neutron/configure_db neutron/configure_rabbit neutron/configure_ksat \
    neutron/configure_api-endpoint neutron/configure_nova \
    cinder/configure_db cinder/configure_rabbit cinder/configure_ksat cinder/configure_api-endpoint; do
    owner=${q%%/*}
    [[ $owner == novaapi ]] && owner=nova-api
    selections+="$owner $q boolean false"$'\n'
done
printf '%s' "$selections" | "${as_root[@]}" debconf-set-selections

exec "$(dirname "$0")/../../deploy/apt-install-missing.sh" openstack/install --no-service-start \
    "${packages[@]}"
