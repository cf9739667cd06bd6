#!/usr/bin/env bash
# Starts a throw-away OpenStack Zed control plane on 127.0.0.1 (installed by
# tests/openstack/install.sh) and prints shell exports:
#   eval "$(tests/openstack/up.sh)"  ->  ESCD_TEST_OS_AUTH_URL, _USER, _PASSWORD, _PROJECT,
#                                         _USER_DOMAIN, _PROJECT_DOMAIN, _REGION, _DIR
# Stop it with tests/openstack/down.sh "$ESCD_TEST_OS_DIR".
#
# Everything lives in a state directory made here (/tmp/escd-os.XXXXXX): the config files this
# script writes, a MariaDB datadir (reached through its unix socket only: it listens on no TCP
# port), RabbitMQ's node, Keystone's fernet keys, Glance's images, the logs (log/) and the pids
# (pid/). The packages' files in /etc are only read (paste and policy defaults), never changed.
# Services: MariaDB, RabbitMQ, Keystone and Placement (uwsgi), Glance, Nova (api, conductor,
# scheduler, compute with fake.FakeDriver), Neutron server (ML2 with escd_noop_mech.py, no
# agents), Cinder (api, scheduler, volume with the fake logging driver). Each listens on
# 127.0.0.1 only, on the usual ports, so one plane runs per machine; a port already taken
# makes up.sh refuse.
#
# Keystone: admin/admin project (password in ESCD_TEST_OS_ADMIN_PASSWORD), a `service` project
# whose users (glance, placement, nova, neutron, cinder) hold the roles admin and service, and a
# catalog in RegionOne whose public/internal/admin endpoints are all the 127.0.0.1 URL. The
# user for escd's tests is `escd` in project `escd` with role `admin`: escd creates flavors and
# may create provider networks, which need admin under the default policies.
#
# Progress and timings go to stderr; a failure exits 1 with the reason on stderr's last line and
# leaves nothing running.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
py=/usr/bin/python3 # not a python3 found on PATH: the OpenStack libraries are Debian's

say() { echo "openstack/up: $*" >&2; }
die() {
    say "$*"
    exit 1
}
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

for tool in mariadbd mariadb-install-db mariadb epmd keystone-manage uwsgi glance-api nova-api \
    neutron-server cinder-api curl jq; do
    command -v "$tool" >/dev/null || [[ -x /usr/sbin/$tool ]] ||
        die "$tool is not installed (run tests/openstack/install.sh)"
done
[[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || die "rabbitmq-server is not installed (run tests/openstack/install.sh)"

# name:port of every TCP listener; epmd (4369) may be shared with another Erlang node.
ports=(keystone:5000 glance:9292 placement:8778 nova:8774 neutron:9696 cinder:8776
    rabbitmq:5672 rabbitmq-dist:25672)
for np in "${ports[@]}"; do
    taken=$(ss -Hltnp "sport = :${np#*:}" 2>/dev/null || true)
    [[ -z $taken ]] || die "port ${np#*:} (${np%%:*}) is already in use: $taken"
done

t_all=$(now)
dir=$(mktemp -d /tmp/escd-os.XXXXXX)
chmod 0755 "$dir" # mariadbd runs as mysql when we are root: it must reach its datadir
mkdir -p "$dir"/{etc,log,pid,lock,run,keystone,glance/images,nova/instances,neutron,cinder,pylib}
ok=0 # read by the EXIT trap
trap '((ok)) || "$here/down.sh" "$dir" >&2 || true' EXIT
trap 'die "interrupted"' INT TERM

me=$(id -un)
my_group=$(id -gn)
sock=$dir/run/mysqld.sock
admin_pw=escd-os-admin
service_pw=escd-os-service
escd_pw=escd-os-test
db() { echo "mysql+pymysql://os:ospw@localhost/$1?unix_socket=$sock&charset=utf8mb4"; }
rabbit_url=rabbit://openstack:rabbitpw@127.0.0.1:5672/
ks=http://127.0.0.1:5000

# start NAME COMMAND...: runs COMMAND in a session of its own (down.sh ends the whole process
# group: uwsgi's workers, neutron's and cinder-volume's children), output in log/NAME.log.
start() {
    local name=$1
    shift
    setsid "$@" >"$dir/log/$name.log" 2>&1 </dev/null &
    echo $! >"$dir/pid/$name.pid"
}
alive() { local pid; pid=$(cat "$dir/pid/$1.pid" 2>/dev/null) && kill -0 "$pid" 2>/dev/null; }

# step NAME COMMAND...: a one-shot command, its output in log/NAME.log, failing with its tail.
step() {
    local name=$1
    shift
    "$@" >>"$dir/log/$name.log" 2>&1 || {
        tail -n 15 "$dir/log/$name.log" >&2
        die "$name failed: $* (log: $dir/log/$name.log)"
    }
}

# wait_http NAME URL [SECONDS]: until URL answers anything but a connection error or a 5xx.
wait_http() {
    local name=$1 url=$2 deadline=$((SECONDS + ${3:-120})) code
    while :; do
        alive "$name" || { tail -n 15 "$dir/log/$name.log" >&2; die "$name exited while starting (log: $dir/log/$name.log)"; }
        code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" || true)
        [[ $code =~ ^[234] ]] && return 0
        ((SECONDS < deadline)) || die "$name did not answer on $url within ${3:-120} s (last status $code; log: $dir/log/$name.log)"
        sleep 0.2
    done
}

# --- MariaDB and RabbitMQ ---------------------------------------------------------------------
t=$(now)
mysql_user=()
if [[ $(id -u) -eq 0 ]]; then
    mkdir -p "$dir/mysql"
    : >"$dir/log/mariadb.err"
    chown mysql: "$dir/mysql" "$dir/run" "$dir/log/mariadb.err"
    mysql_user=(--user=mysql)
fi
step mariadb-install-db mariadb-install-db --no-defaults --datadir="$dir/mysql" "${mysql_user[@]}" \
    --auth-root-authentication-method=socket --auth-root-socket-user="$me" --skip-test-db \
    --skip-name-resolve
# Durability is traded for speed: the data is thrown away with the directory.
start mariadb /usr/sbin/mariadbd --no-defaults --datadir="$dir/mysql" "${mysql_user[@]}" \
    --socket="$sock" --skip-networking --pid-file="$dir/run/mariadb.pid" \
    --log-error="$dir/log/mariadb.err" --innodb-flush-log-at-trx-commit=0 --sync-binlog=0 \
    --innodb-doublewrite=0 --innodb-buffer-pool-size=128M --max-connections=1000 \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_general_ci --skip-log-bin

# Erlang's port mapper is per machine. Start one bound to loopback unless one already runs (then
# it is someone else's: used, and left alone by down.sh).
if ! pgrep -x epmd >/dev/null; then
    start epmd env ERL_EPMD_ADDRESS=127.0.0.1 epmd
    deadline=$((SECONDS + 20))
    until [[ -n $(ss -Hltn 'sport = :4369') ]]; do
        alive epmd || die "epmd exited while starting (log: $dir/log/epmd.log)"
        ((SECONDS < deadline)) || die "epmd did not listen on 127.0.0.1:4369 within 20 s"
        sleep 0.1
    done
fi
mkdir -p "$dir/rabbit/mnesia" "$dir/log/rabbit"
cat >"$dir/rabbit/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:5672
default_user = openstack
default_pass = rabbitpw
loopback_users = none
EOF
echo '[].' >"$dir/rabbit/enabled_plugins"
: >"$dir/rabbit/rabbitmq-env.conf"
start rabbitmq env HOME="$dir/rabbit" RABBITMQ_CONF_ENV_FILE="$dir/rabbit/rabbitmq-env.conf" \
    RABBITMQ_NODENAME=escd-os@localhost RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=5672 \
    RABBITMQ_DIST_PORT=25672 ERL_EPMD_ADDRESS=127.0.0.1 \
    RABBITMQ_CONFIG_FILE="$dir/rabbit/rabbitmq.conf" \
    RABBITMQ_ADVANCED_CONFIG_FILE="$dir/rabbit/advanced.config" \
    RABBITMQ_ENABLED_PLUGINS_FILE="$dir/rabbit/enabled_plugins" \
    RABBITMQ_MNESIA_BASE="$dir/rabbit/mnesia" RABBITMQ_LOG_BASE="$dir/log/rabbit" \
    RABBITMQ_PID_FILE="$dir/run/rabbitmq.pid" \
    RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}' \
    /usr/lib/rabbitmq/bin/rabbitmq-server

deadline=$((SECONDS + 60))
until [[ -S $sock ]] && mariadb --no-defaults -S "$sock" -e 'select 1' >/dev/null 2>&1; do
    alive mariadb || { tail -n 15 "$dir/log/mariadb.err" >&2; die "mariadbd exited while starting (log: $dir/log/mariadb.err)"; }
    ((SECONDS < deadline)) || die "mariadb did not answer on $sock within 60 s (log: $dir/log/mariadb.err)"
    sleep 0.2
done
sql() { mariadb --no-defaults -S "$sock" -N -B -e "$1"; }
dbs=(keystone glance placement nova_api nova nova_cell0 neutron cinder)
create=""
for d in "${dbs[@]}"; do create+="CREATE DATABASE $d; "; done
sql "$create CREATE USER 'os'@'localhost' IDENTIFIED BY 'ospw';
     GRANT ALL PRIVILEGES ON *.* TO 'os'@'localhost';" || die "could not create the databases"
say "mariadb up, databases created after $(since "$t") s"

# --- configuration files ----------------------------------------------------------------------
# authtoken SECTION USER: a keystoneauth password section for a service user.
auth_section() {
    cat <<EOF
[$1]
auth_type = password
auth_url = $ks/v3
www_authenticate_uri = $ks/v3
username = $2
password = $service_pw
project_name = service
user_domain_name = Default
project_domain_name = Default
region_name = RegionOne
EOF
}

mkdir -p "$dir/etc/keystone"
cat >"$dir/etc/keystone/keystone.conf" <<EOF
[database]
connection = $(db keystone)
[token]
provider = fernet
[fernet_tokens]
key_repository = $dir/keystone/fernet-keys
[fernet_receipts]
key_repository = $dir/keystone/fernet-keys
[credential]
key_repository = $dir/keystone/credential-keys
[cache]
enabled = false
[identity]
# bcrypt's minimum: users are made and passwords checked quickly (test passwords only).
password_hash_rounds = 4
EOF
# uwsgi's http-socket speaks HTTP/1.0-style: it closes the connection after each answer but
# does not say so, and a client that reuses the connection gets "connection reset". Saying
# `Connection: close` makes keystoneauth (and any client) open a new one.
cat >"$dir/etc/keystone/uwsgi.ini" <<EOF
[uwsgi]
plugins = python3
http-socket = 127.0.0.1:5000
wsgi-file = /usr/bin/keystone-wsgi-public
env = OS_KEYSTONE_CONFIG_DIR=$dir/etc/keystone
add-header = Connection: close
master = true
processes = 2
threads = 4
lazy-apps = true
die-on-term = true
buffer-size = 65535
EOF

mkdir -p "$dir/etc/glance"
{
    cat <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9292
workers = 1
transport_url = $rabbit_url
[database]
connection = $(db glance)
[glance_store]
stores = file,http
default_store = file
filesystem_store_datadir = $dir/glance/images/
[paste_deploy]
flavor = keystone
config_file = /etc/glance/glance-api-paste.ini
[oslo_concurrency]
lock_path = $dir/lock
EOF
    auth_section keystone_authtoken glance
} >"$dir/etc/glance/glance-api.conf"

mkdir -p "$dir/etc/placement"
{
    cat <<EOF
[placement_database]
connection = $(db placement)
[api]
auth_strategy = keystone
EOF
    auth_section keystone_authtoken placement
} >"$dir/etc/placement/placement.conf"
cat >"$dir/etc/placement/uwsgi.ini" <<EOF
[uwsgi]
plugins = python3
http-socket = 127.0.0.1:8778
wsgi-file = /usr/bin/placement-api
env = OS_PLACEMENT_CONFIG_DIR=$dir/etc/placement
add-header = Connection: close
master = true
processes = 1
threads = 4
lazy-apps = true
die-on-term = true
buffer-size = 65535
EOF

mkdir -p "$dir/etc/nova"
# nova_conf WITH_DB: nova.conf; nova-compute gets the one without database connections (it
# must not reach the databases, and says so in its log when it can).
nova_conf() {
    cat <<EOF
[DEFAULT]
host = escd-test
my_ip = 127.0.0.1
compute_driver = fake.FakeDriver
transport_url = $rabbit_url
enabled_apis = osapi_compute
osapi_compute_listen = 127.0.0.1
osapi_compute_listen_port = 8774
osapi_compute_workers = 1
state_path = $dir/nova
instances_path = $dir/nova/instances
[wsgi]
api_paste_config = /etc/nova/api-paste.ini
[conductor]
workers = 1
[scheduler]
workers = 1
[vnc]
enabled = false
[oslo_concurrency]
lock_path = $dir/lock
[cinder]
catalog_info = volumev3::publicURL
os_region_name = RegionOne
[service_user]
send_service_user_token = true
[quota]
# bench/run-openstack.sh makes 40 servers at once; day-0 configurations may have several files.
instances = -1
cores = -1
ram = -1
injected_files = 20
injected_file_content_bytes = 262144
EOF
    auth_section service_user nova | tail -n +2
    auth_section keystone_authtoken nova
    auth_section placement placement
    auth_section neutron neutron
    if (($1)); then
        cat <<EOF
[api_database]
connection = $(db nova_api)
[database]
connection = $(db nova)
EOF
    fi
}
nova_conf 1 >"$dir/etc/nova/nova.conf"
nova_conf 0 >"$dir/etc/nova/nova-compute.conf"

mkdir -p "$dir/etc/neutron"
{
    cat <<EOF
[DEFAULT]
bind_host = 127.0.0.1
bind_port = 9696
core_plugin = ml2
service_plugins = router
api_workers = 1
rpc_workers = 1
rpc_state_report_workers = 1
transport_url = $rabbit_url
auth_strategy = keystone
state_path = $dir/neutron
api_paste_config = /etc/neutron/api-paste.ini
allow_overlapping_ips = true
dhcp_agent_notification = false
notify_nova_on_port_status_changes = true
notify_nova_on_port_data_changes = true
[database]
connection = $(db neutron)
[quotas]
# Tests and bench/run-openstack.sh make tens of VMs, each with its ports.
quota_network = -1
quota_subnet = -1
quota_port = -1
quota_router = -1
[oslo_concurrency]
lock_path = $dir/lock
EOF
    auth_section keystone_authtoken neutron
    auth_section nova nova
} >"$dir/etc/neutron/neutron.conf"
cat >"$dir/etc/neutron/ml2_conf.ini" <<EOF
[ml2]
type_drivers = flat,vlan,vxlan
tenant_network_types = vxlan
mechanism_drivers = escd_noop
extension_drivers = port_security
[ml2_type_flat]
flat_networks = *
[ml2_type_vlan]
network_vlan_ranges = physnet1:100:200
[ml2_type_vxlan]
vni_ranges = 1:1000
EOF
# The mechanism driver, and the metadata through which stevedore finds it by name.
cp "$here/escd_noop_mech.py" "$dir/pylib/"
mkdir -p "$dir/pylib/escd_noop_mech-1.0.dist-info"
printf 'Metadata-Version: 2.1\nName: escd-noop-mech\nVersion: 1.0\n' \
    >"$dir/pylib/escd_noop_mech-1.0.dist-info/METADATA"
printf '[neutron.ml2.mechanism_drivers]\nescd_noop = escd_noop_mech:NoopMechanismDriver\n' \
    >"$dir/pylib/escd_noop_mech-1.0.dist-info/entry_points.txt"

mkdir -p "$dir/etc/cinder"
{
    cat <<EOF
[DEFAULT]
host = escd-test
my_ip = 127.0.0.1
transport_url = $rabbit_url
auth_strategy = keystone
osapi_volume_listen = 127.0.0.1
osapi_volume_listen_port = 8776
osapi_volume_workers = 1
state_path = $dir/cinder
api_paste_config = /etc/cinder/api-paste.ini
glance_api_servers = http://127.0.0.1:9292
enabled_backends = fake
[fake]
volume_driver = cinder.tests.fake_driver.FakeLoggingVolumeDriver
volume_backend_name = fake
[database]
connection = $(db cinder)
[oslo_concurrency]
lock_path = $dir/lock
EOF
    auth_section keystone_authtoken cinder
    auth_section nova nova
} >"$dir/etc/cinder/cinder.conf"

# --- database schemas, in parallel ------------------------------------------------------------
t=$(now)
# Each runs as `bash -c sync_NAME` through start, so that down.sh ends it with the rest when
# up.sh fails meanwhile; hence the exports.
kconf=(--config-file "$dir/etc/keystone/keystone.conf")
nconf=(--config-file "$dir/etc/nova/nova.conf")
export dir me my_group admin_pw ks sock
sync_keystone() {
    local kconf=(--config-file "$dir/etc/keystone/keystone.conf")
    keystone-manage "${kconf[@]}" db_sync &&
        keystone-manage "${kconf[@]}" fernet_setup --keystone-user "$me" --keystone-group "$my_group" &&
        keystone-manage "${kconf[@]}" credential_setup --keystone-user "$me" --keystone-group "$my_group" &&
        keystone-manage "${kconf[@]}" bootstrap --bootstrap-password "$admin_pw" \
            --bootstrap-username admin --bootstrap-project-name admin \
            --bootstrap-role-name admin --bootstrap-service-name keystone \
            --bootstrap-region-id RegionOne --bootstrap-admin-url "$ks/v3/" \
            --bootstrap-internal-url "$ks/v3/" --bootstrap-public-url "$ks/v3/"
}
sync_nova() {
    local nconf=(--config-file "$dir/etc/nova/nova.conf")
    nova-manage "${nconf[@]}" api_db sync &&
        nova-manage "${nconf[@]}" cell_v2 map_cell0 --database_connection "$(db nova_cell0)" &&
        nova-manage "${nconf[@]}" cell_v2 create_cell --name cell1 &&
        nova-manage "${nconf[@]}" db sync
}
sync_others() {
    glance-manage --config-file "$dir/etc/glance/glance-api.conf" db_sync &&
        placement-manage --config-file "$dir/etc/placement/placement.conf" db sync &&
        cinder-manage --config-file "$dir/etc/cinder/cinder.conf" db sync
}
sync_neutron() {
    neutron-db-manage --config-file "$dir/etc/neutron/neutron.conf" \
        --config-file "$dir/etc/neutron/ml2_conf.ini" upgrade heads
}
export -f db sync_keystone sync_nova sync_others sync_neutron
for s in keystone nova neutron others; do
    start "sync-$s" bash -c "sync_$s"
done
# sync_wait NAME: waits for that job, failing with its log's tail.
sync_wait() {
    wait "$(cat "$dir/pid/sync-$1.pid")" || {
        tail -n 15 "$dir/log/sync-$1.log" >&2
        die "database setup of $1 failed (log: $dir/log/sync-$1.log)"
    }
    say "database setup of $1 done after $(since "$t") s"
}

# --- Keystone, then the catalog and the users while the other schemas are made -----------------
sync_wait keystone
t_ks=$(now)
start keystone uwsgi --ini "$dir/etc/keystone/uwsgi.ini"
wait_http keystone "$ks/v3"
say "keystone answers after $(since "$t_ks") s"

# A token of the cloud's admin, for the calls below.
auth_body=$(jq -n --arg pw "$admin_pw" '{auth: {identity: {methods: ["password"],
    password: {user: {name: "admin", domain: {id: "default"}, password: $pw}}},
    scope: {project: {name: "admin", domain: {id: "default"}}}}}')
token=$(curl -sf -D - -o /dev/null -H 'Content-Type: application/json' -d "$auth_body" \
    "$ks/v3/auth/tokens" | awk 'tolower($1) == "x-subject-token:" { print $2 }' | tr -d '\r') ||
    die "no admin token from keystone (log: $dir/log/keystone.log)"
[[ -n $token ]] || die "no admin token from keystone (log: $dir/log/keystone.log)"

# ks_post PATH JSON FIELD: POSTs to keystone, prints .FIELD.id of the answer.
ks_post() {
    local out
    out=$(curl -sS -f -H "X-Auth-Token: $token" -H 'Content-Type: application/json' -d "$2" \
        "$ks/v3/$1" 2>&1) || die "keystone POST /v3/$1 failed: $out"
    jq -r ".$3.id" <<<"$out"
}
ks_put() {
    curl -sS -f -X PUT -H "X-Auth-Token: $token" "$ks/v3/$1" >/dev/null 2>&1 ||
        die "keystone PUT /v3/$1 failed"
}
role_id() {
    curl -sS -f -H "X-Auth-Token: $token" "$ks/v3/roles?name=$1" | jq -r '.roles[0].id'
}
service_project=$(ks_post projects '{"project": {"name": "service", "domain_id": "default"}}' project)
escd_project=$(ks_post projects '{"project": {"name": "escd", "domain_id": "default"}}' project)
service_role=$(ks_post roles '{"role": {"name": "service"}}' role)
admin_role=$(role_id admin)
for u in glance placement nova neutron cinder; do
    uid=$(ks_post users "$(jq -n --arg n "$u" --arg pw "$service_pw" \
        '{user: {name: $n, password: $pw, domain_id: "default"}}')" user)
    ks_put "projects/$service_project/users/$uid/roles/$admin_role"
    ks_put "projects/$service_project/users/$uid/roles/$service_role"
done
uid=$(ks_post users "$(jq -n --arg pw "$escd_pw" \
    '{user: {name: "escd", password: $pw, domain_id: "default"}}')" user)
ks_put "projects/$escd_project/users/$uid/roles/$admin_role"

# service TYPE NAME URL: a service and its three endpoints, all on URL.
service() {
    local sid iface
    sid=$(ks_post services "$(jq -n --arg t "$1" --arg n "$2" '{service: {type: $t, name: $n}}')" service)
    for iface in public internal admin; do
        ks_post endpoints "$(jq -n --arg s "$sid" --arg i "$iface" --arg u "$3" \
            '{endpoint: {service_id: $s, interface: $i, url: $u, region_id: "RegionOne"}}')" endpoint >/dev/null
    done
}
service image glance http://127.0.0.1:9292
service placement placement http://127.0.0.1:8778
service compute nova http://127.0.0.1:8774/v2.1
service network neutron http://127.0.0.1:9696
# Cinder under both types: block-storage is the current one, but nova's [cinder] catalog_info
# only accepts a type matching \w+, so volumev3 is there too.
service block-storage cinder 'http://127.0.0.1:8776/v3/%(project_id)s'
service volumev3 cinder 'http://127.0.0.1:8776/v3/%(project_id)s'
say "keystone projects, users, roles and catalog done after $(since "$t_ks") s"

# --- the other services -----------------------------------------------------------------------
sync_wait others
start glance glance-api --config-file "$dir/etc/glance/glance-api.conf"
start placement uwsgi --ini "$dir/etc/placement/uwsgi.ini"
start cinder-api cinder-api --config-file "$dir/etc/cinder/cinder.conf"
start cinder-scheduler cinder-scheduler --config-file "$dir/etc/cinder/cinder.conf"
start cinder-volume "$py" -c 'import sys; from cinder.cmd.volume import main; sys.exit(main())' \
    --config-file "$dir/etc/cinder/cinder.conf"
sync_wait neutron
start neutron env PYTHONPATH="$dir/pylib" neutron-server \
    --config-file "$dir/etc/neutron/neutron.conf" --config-file "$dir/etc/neutron/ml2_conf.ini"
sync_wait nova
start nova-api nova-api "${nconf[@]}"
start nova-conductor nova-conductor "${nconf[@]}"
start nova-scheduler nova-scheduler "${nconf[@]}"
start nova-compute "$py" -c 'import sys; from nova.cmd.compute import main; sys.exit(main())' \
    --config-file "$dir/etc/nova/nova-compute.conf"

t=$(now)
wait_http glance http://127.0.0.1:9292/
wait_http placement http://127.0.0.1:8778/
wait_http cinder-api http://127.0.0.1:8776/
wait_http neutron http://127.0.0.1:9696/
wait_http nova-api http://127.0.0.1:8774/
say "all APIs answer after $(since "$t") s more"

# --- the compute host into the cell, the volume backend into the scheduler --------------------
# up_or_die NAME...: those services are still running.
up_or_die() {
    local n
    for n in "$@"; do
        alive "$n" || { tail -n 15 "$dir/log/$n.log" >&2; die "$n exited (log: $dir/log/$n.log)"; }
    done
}
deadline=$((SECONDS + 120))
until [[ $(sql "SELECT COUNT(*) FROM nova.compute_nodes WHERE deleted = 0") -ge 1 &&
    $(sql "SELECT COUNT(*) FROM placement.resource_providers") -ge 1 ]]; do
    up_or_die nova-compute nova-conductor placement
    ((SECONDS < deadline)) || die "nova-compute did not register its node within 120 s (log: $dir/log/nova-compute.log)"
    sleep 0.3
done
step discover-hosts nova-manage "${nconf[@]}" cell_v2 discover_hosts --verbose
[[ $(sql "SELECT COUNT(*) FROM nova_api.host_mappings") -ge 1 ]] ||
    die "nova-manage cell_v2 discover_hosts mapped no host (log: $dir/log/discover-hosts.log)"
say "compute host mapped after $(since "$t") s"

# Cinder's scheduler knows a backend once cinder-volume has reported its pool to it.
admin_project=$(curl -sS -f -H "X-Auth-Token: $token" "$ks/v3/projects?name=admin" | jq -r '.projects[0].id')
deadline=$((SECONDS + 120))
until curl -s -f -H "X-Auth-Token: $token" \
    "http://127.0.0.1:8776/v3/$admin_project/scheduler-stats/get_pools" 2>/dev/null |
    jq -e '.pools | length >= 1' >/dev/null; do
    up_or_die cinder-volume cinder-scheduler cinder-api
    ((SECONDS < deadline)) || die "cinder-volume's backend did not reach the scheduler within 120 s (log: $dir/log/cinder-volume.log)"
    sleep 0.3
done
say "cinder backend ready after $(since "$t") s"

# Every listener of ours must be on loopback.
pids=$(cat "$dir"/pid/*.pid | paste -sd '|')
bad=$(ss -Hltnp | grep -E "pid=($pids)," | awk '$4 !~ /^(127\.0\.0\.1|\[::1\]):/' || true)
[[ -z $bad ]] || die "a service listens beyond loopback: $bad"

say "control plane up in $(since "$t_all") s ($dir)"
# shellcheck disable=SC2034 # read by the EXIT trap
ok=1
cat <<EOF
export ESCD_TEST_OS_AUTH_URL='$ks/v3'
export ESCD_TEST_OS_USER='escd'
export ESCD_TEST_OS_PASSWORD='$escd_pw'
export ESCD_TEST_OS_PROJECT='escd'
export ESCD_TEST_OS_USER_DOMAIN='Default'
export ESCD_TEST_OS_PROJECT_DOMAIN='Default'
export ESCD_TEST_OS_REGION='RegionOne'
export ESCD_TEST_OS_ADMIN_PASSWORD='$admin_pw'
export ESCD_TEST_OS_DIR='$dir'
EOF
