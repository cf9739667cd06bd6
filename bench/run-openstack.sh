#!/usr/bin/env bash
# OpenStack benchmark of escd (issue 8; see bench/README.md). From the repo root, after
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release -j2
# run
#   bench/run-openstack.sh
#
# escd with an OPENSTACK VIM connector as its default VIM, on the control plane of
# tests/openstack/ (Nova's fake driver; started here when ESCD_TEST_OS_AUTH_URL is unset, and
# stopped again). COUNT deployments of VMS VMs each (one NIC, no ICMPPing KPI: alive when Nova
# says ACTIVE) are POSTed at once by escd_bench_deploy. Measured, on 127.0.0.1 only:
#   - the time from the first POST to the last SERVICE_ALIVE;
#   - OpenStack API calls during the deployments, per VM and per service, counted from the
#     services' own request logs (Nova, Neutron, Glance, Cinder, Keystone): what escd sent,
#     polling included, seen by the servers, not by escd;
#   - escd's CPU time per VM.
# and prints the target line
#   TARGET OpenStack API calls per VM beyond the lifecycle poll <= 6: PASS|FAIL (X)
# The lifecycle poll is the one GET /servers/detail escd makes every POLL_MS whatever the number
# of VMs (Nova's lifecycle events, made from polling): its calls depend on how long Nova takes,
# not on the VMs, and are reported on their own line (bench/README.md, "What it measures").
# The deployments are undeployed afterwards (the plane is left as it was found).
#
# Environment: BUILD_DIR (build/release), COUNT (20), VMS (2), CONNS (8), TIMEOUT (600),
# POLL_MS (escd's openstack.poll_ms, 2000), LOG_LEVEL (WARN), KEEP_DIR (copies escd's output
# and the receipts there).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

BUILD_DIR=${BUILD_DIR:-build/release}
COUNT=${COUNT:-20}
vms_per_deployment=${VMS:-2}
CONNS=${CONNS:-8}
TIMEOUT=${TIMEOUT:-600}
POLL_MS=${POLL_MS:-2000}
LOG_LEVEL=${LOG_LEVEL:-WARN}
KEEP_DIR=${KEEP_DIR:-}
ESCD_READY_TIMEOUT=${ESCD_READY_TIMEOUT:-60}

pgbin=/usr/lib/postgresql/15/bin
deploy_bin=$BUILD_DIR/bench/escd_bench_deploy
accept_bin=$BUILD_DIR/bench/escd_bench_accept
escd_bin=$BUILD_DIR/server/escd
admin_password=benchpass
db=escd_openstack

bench_name=run-openstack
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

# Positive: the report divides by the number of VMs.
for var in COUNT vms_per_deployment; do
    [[ ${!var} =~ ^[0-9]+$ && ${!var} -gt 0 ]] || die "$var must be a positive integer"
done
for bin in "$deploy_bin" "$accept_bin" "$escd_bin"; do
    [[ -x $bin ]] || die "$bin not found: build first (cmake --build $BUILD_DIR -j2)"
done

work=$(mktemp -d /tmp/escd-bench-openstack.XXXXXX)
escd_pid='' receiver_pid='' pg_dir='' os_started=''

# shellcheck disable=SC2317  # runs from the EXIT trap
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    if [[ -n $KEEP_DIR && -d $work ]]; then
        mkdir -p "$KEEP_DIR"
        cp -f "$work"/receipts.csv "$work"/escd.out "$work"/escd.err "$work"/deploy.out \
            "$KEEP_DIR"/ 2>/dev/null || true
    fi
    stop_pid "$escd_pid"
    stop_pid "$receiver_pid"
    [[ -n $pg_dir ]] && "$root/tests/pg-down.sh" "$pg_dir"
    [[ -n $os_started ]] && "$root/tests/openstack/down.sh" "$ESCD_TEST_OS_DIR"
    rm -rf "$work"
    exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# --- the control plane -------------------------------------------------------------------------
if [[ -z ${ESCD_TEST_OS_AUTH_URL:-} ]]; then
    log "starting the OpenStack control plane (tests/openstack/up.sh)"
    "$root/tests/openstack/install.sh" >"$work/os-install.log" 2>&1 ||
        { tail -n 20 "$work/os-install.log" >&2; die "tests/openstack/install.sh failed"; }
    "$root/tests/openstack/up.sh" >"$work/os.env" 2>"$work/os-up.log" ||
        { tail -n 30 "$work/os-up.log" >&2; die "tests/openstack/up.sh failed"; }
    # shellcheck disable=SC1091
    source "$work/os.env"
    os_started=1
fi
os_log=$ESCD_TEST_OS_DIR/log

# escd's own requests each service logged so far. A service logs each request with the caller's
# user id, and with "None" as the global request id unless another service made it on a
# client's behalf (Nova asking Neutron or Glance about escd's server): counting the lines with
# "[None req-... <escd's user id>" counts exactly what escd sent. Keystone (uwsgi) logs no user:
# its token requests are counted whole (the services' own token renewals are rare).
auth_body="{\"auth\": {\"identity\": {\"methods\": [\"password\"], \"password\": {\"user\":
    {\"name\": \"$ESCD_TEST_OS_USER\", \"password\": \"$ESCD_TEST_OS_PASSWORD\",
     \"domain\": {\"name\": \"$ESCD_TEST_OS_USER_DOMAIN\"}}}}}}"
escd_user_id=$(curl -s -X POST -H 'Content-Type: application/json' -d "$auth_body" \
    "$ESCD_TEST_OS_AUTH_URL/auth/tokens" |
    python3 -c 'import json, sys; print(json.load(sys.stdin)["token"]["user"]["id"])') || true
[[ $escd_user_id =~ ^[0-9a-f]{32}$ ]] || die "cannot find the escd user's id in Keystone"
requests() {
    local mine="\\[None req-[0-9a-f-]* $escd_user_id " nova neutron glance cinder keystone lists
    nova=$(grep -c "$mine.*\" status: " "$os_log/nova-api.log" || true)
    lists=$(grep -c "$mine.*\"GET [^ ]*/servers/detail[ ?].*\" status: " "$os_log/nova-api.log" || true)
    neutron=$(grep -c "$mine.*\" status: " "$os_log/neutron.log" || true)
    # Nova's own Glance client asks for the image and its schema at each server create, with the
    # user's token and no global request id: those two kinds are Nova's, never escd's (escd
    # lists images by name, creates, uploads and deletes them).
    glance=$(grep "$mine.*\"[A-Z]* /v2/" "$os_log/glance.log" |
        grep -vc '"GET /v2/schemas/\|"GET /v2/images/[0-9a-f-]* ' || true)
    cinder=$(grep -c "$mine.*\"[A-Z]* /v3/" "$os_log/cinder-api.log" || true)
    keystone=$(grep -c 'POST /v3/auth/tokens' "$os_log/keystone.log" || true)
    echo "$nova $neutron $glance $cinder $keystone $lists"
}

# --- PostgreSQL and escd -----------------------------------------------------------------------
log "starting PostgreSQL"
start_postgres 1
psql_ -d postgres -c "CREATE DATABASE $db"
start_receiver
log "starting escd (openstack.poll_ms $POLL_MS)"
start_escd --openstack.poll_ms="$POLL_MS"

api() {
    local method=$1 path=$2 body=${3:-} code
    code=$(curl -s -o "$work/api.out" -w '%{http_code}' -u "admin:$admin_password" -X "$method" \
        -H 'Content-Type: application/xml' -H "Callback: $seed_callback" -d "$body" "$base/$path")
    [[ $code == 200 ]] || { cat "$work/api.out" >&2; die "$method $path answered $code"; }
}
sql() { psql_ -d "$db" -At -c "$1"; }
wait_until() {
    for _ in $(seq 1200); do
        [[ $(sql "$1") == "$2" ]] && return 0
        sleep 0.1
    done
    die "timed out waiting for $3 (got '$(sql "$1")', want '$2')"
}

log "registering the OpenStack VIM and seeding: tenant, network, subnet, flavor, image"
prop() { echo "<property><name>$1</name><value>$2</value></property>"; }
api POST vims "<vim_connector><id>os</id><type>OPENSTACK</type><properties>
    $(prop os_auth_url "$ESCD_TEST_OS_AUTH_URL") $(prop os_project_name "$ESCD_TEST_OS_PROJECT")
    $(prop os_project_domain_name "$ESCD_TEST_OS_PROJECT_DOMAIN")
    $(prop os_user_domain_name "$ESCD_TEST_OS_USER_DOMAIN")</properties></vim_connector>"
api POST vims/os/vim_users "<vim_user><id>$ESCD_TEST_OS_USER</id><credentials><properties>
    $(prop os_password "$ESCD_TEST_OS_PASSWORD")</properties></credentials></vim_user>"
api POST vims/default_vim_connector \
    '<default_vim_connector><defaultVimConnectorId>os</defaultVimConnectorId></default_vim_connector>'
suffix=$$
api POST "tenants/bench$suffix" "<tenant><name>bench$suffix</name></tenant>"
wait_until "SELECT state FROM resources WHERE internal_id = 'bench$suffix'" ACTIVE "the tenant"
api POST "bench$suffix/networks/net$suffix" "<network><name>net</name></network>"
wait_until "SELECT state FROM resources WHERE internal_id = 'net$suffix'" ACTIVE "the network"
api POST "bench$suffix/subnets/sub$suffix" "<subnet><name>sub</name>
    <internal_network_id>net$suffix</internal_network_id><cidr>192.0.2.0/24</cidr></subnet>"
api POST "flavors/fl$suffix" '<flavor><name>f</name><vcpus>1</vcpus><memory_mb>256</memory_mb></flavor>'
head -c 1048576 /dev/zero >"$data_dir/files/bench.img"
api POST "images/img$suffix" "<image><name>img</name><src>file://$data_dir/files/bench.img</src>
    <disk_format>raw</disk_format></image>"
wait_until "SELECT count(*) FROM resources WHERE internal_id IN
    ('sub$suffix', 'fl$suffix', 'img$suffix') AND state = 'ACTIVE'" 3 "subnet, flavor, image"
wait_until "SELECT count(*) FROM outbox WHERE state = 'PENDING'" 0 "the seeding callbacks"

cat >"$work/deployment.xml" <<EOF
<esc_datamodel xmlns="http://www.cisco.com/esc/esc"><tenants><tenant><name>bench$suffix</name>
<deployments><deployment><name>@ID@</name>
<vm_group><name>g1</name><image>img$suffix</image><flavor>fl$suffix</flavor>
<bootup_time>300</bootup_time>
<interfaces><interface><nicid>0</nicid><network>net$suffix</network></interface></interfaces>
<scaling><min_active>$vms_per_deployment</min_active><max_active>$vms_per_deployment</max_active>
<elastic>false</elastic></scaling>
</vm_group></deployment></deployments></tenant></tenants></esc_datamodel>
EOF

# --- the run -------------------------------------------------------------------------------------
read -r nova0 neutron0 glance0 cinder0 keystone0 lists0 <<<"$(requests)"
window_start_ms=$(date +%s%3N)
escd_cpu_before=$(cpu_ticks "$escd_pid")
log "posting $COUNT deployments of $vms_per_deployment VMs"
deploy_status=0
"$deploy_bin" --port "$port" --password "$admin_password" --template "$work/deployment.xml" \
    --count "$COUNT" --connections "$CONNS" --prefix "os$suffix-" --timeout-s "$TIMEOUT" \
    --csv "$work/receipts.csv" >"$work/deploy.out" 2>"$work/deploy.err" || deploy_status=$?
escd_cpu_after=$(cpu_ticks "$escd_pid")
read -r nova1 neutron1 glance1 cinder1 keystone1 lists1 <<<"$(requests)"
window_ms=$(($(date +%s%3N) - window_start_ms))
cat "$work/deploy.out"
if ((deploy_status != 0)); then
    cat "$work/deploy.err" >&2
    tail -n 30 "$work/escd.out" "$work/escd.err" >&2
    die "escd_bench_deploy failed (exit $deploy_status)"
fi
result=$(grep -m1 '^RESULT ' "$work/deploy.out") || die "escd_bench_deploy printed no RESULT"
elapsed_s=$(field elapsed_s "$result")
vms=$((COUNT * vms_per_deployment))
calls=$(((nova1 - nova0) + (neutron1 - neutron0) + (glance1 - glance0) + (cinder1 - cinder0) +
    (keystone1 - keystone0)))
hz=$(getconf CLK_TCK)

log "undeploying"
for i in $(seq 0 $((COUNT - 1))); do api DELETE "deployments/os$suffix-$i"; done
wait_until "SELECT count(*) FROM vms" 0 "every VM undeployed"
for path in "images/img$suffix" "flavors/fl$suffix" "bench$suffix/subnets/sub$suffix"; do
    api DELETE "$path"
done
wait_until "SELECT count(*) FROM resources WHERE internal_id = 'sub$suffix'" 0 "the subnet"
api DELETE "bench$suffix/networks/net$suffix"
wait_until "SELECT count(*) FROM resources WHERE internal_id = 'net$suffix'" 0 "the network"
api DELETE "tenants/bench$suffix"

echo
echo "SUMMARY deployments=$COUNT vms=$vms elapsed_s=$elapsed_s"
per_vm=$(calc 'printf "%.2f", calls / vms' calls="$calls" vms="$vms")
echo "SUMMARY api_calls=$calls per_vm=$per_vm" \
    "nova=$((nova1 - nova0)) neutron=$((neutron1 - neutron0)) glance=$((glance1 - glance0))" \
    "cinder=$((cinder1 - cinder0)) keystone_tokens=$((keystone1 - keystone0))"
escd_ticks=$((escd_cpu_after - escd_cpu_before))
echo "SUMMARY escd_cpu_s=$(calc 'printf "%.2f", ticks / hz' ticks="$escd_ticks" hz="$hz")" \
    "per_vm_ms=$(calc 'printf "%.1f", ticks * 1000 / hz / vms' ticks="$escd_ticks" hz="$hz" vms="$vms")"
# The lifecycle loop lists once per POLL_MS of the counting window; the waiters' lists share its
# rounds, so only the lists beyond one a round are the VMs' own.
lists=$((lists1 - lists0))
poll_rounds=$((window_ms / POLL_MS + 1))
poll_calls=$((lists < poll_rounds ? lists : poll_rounds))
own_per_vm=$(calc 'printf "%.2f", (calls - poll) / vms' calls="$calls" poll="$poll_calls" vms="$vms")
echo "SUMMARY server_lists=$lists lifecycle_poll_calls=$poll_calls" \
    "(one per ${POLL_MS} ms of the ${window_ms} ms counted) per_vm_beyond_poll=$own_per_vm"
verdict=$(calc 'print (own <= 6) ? "PASS" : "FAIL"' own="$own_per_vm")
echo "TARGET OpenStack API calls per VM beyond the lifecycle poll <= 6: $verdict ($own_per_vm)"
