#!/usr/bin/env bash
# Starts the escd half of the cluster recipe on the database half that up.sh started:
#   eval "$(deploy/cluster/up.sh)" && eval "$(deploy/cluster/escd-up.sh)"
# ESCD_NODES escd processes (nodes escd-1, escd-2, ...; docs/cluster.md) on one database `escd`
# of the Patroni pair, reached through the database HAProxy (CLUSTER_DSN) or, with
# ESCD_DSN_MODE=multihost, through libpq's multi-host DSN (CLUSTER_MULTIHOST_DSN); and a second
# HAProxy, in HTTP mode, spreading clients over the nodes round robin. Everything on 127.0.0.1,
# on free ports, under $CLUSTER_DIR/escd/. Stop it with escd-down.sh "$CLUSTER_DIR" (down.sh
# also does, first thing).
#
# Reads: CLUSTER_DIR, CLUSTER_DSN, CLUSTER_MULTIHOST_DSN (the exports of up.sh), and
#   ESCD_BIN            the escd binary (build/release/server/escd of this tree)
#   ESCD_NODES          how many nodes (3; 1-9)
#   ESCD_DSN_MODE       haproxy (default: CLUSTER_DSN) or multihost (CLUSTER_MULTIHOST_DSN)
#   ESCD_DB             the database escd uses, made when missing (escd)
#   ESCD_CONNECT_TIMEOUT  libpq connect_timeout added to escd's DSN, seconds (2; 0 = none)
#   ESCD_STANDBY_READS  1 (default): database.standby_dsn is CLUSTER_STANDBY_DSN, so reads go
#                       on while no primary answers; 0: reads wait for the primary as writes do
#   ESCD_ADMIN_PASSWORD the admin password (default: a random one, printed in the exports)
#   ESCD_HEARTBEAT_MS, ESCD_LEASE_MS   cluster.heartbeat_ms (500) and cluster.lease_ms (3000)
#   ESCD_LOG_LEVEL      log.level of the nodes (INFO)
#   ESCD_ARGS           extra escd flags for every node; ESCD_ARGS_<i>: for node escd-<i> only
#   ESCD_UP_TIMEOUT     seconds to wait for everything (60)
#
# Exports (printed): ESCD_DIR, ESCD_URL (the HTTP front; escd's API is under /ESCManager/v0 and
# /v0), ESCD_NODE_URLS, ESCD_NODE_NAMES, ESCD_PIDS (space-separated, node order),
# ESCD_PID_FILES, ESCD_HAPROXY_PID_FILE, ESCD_FRONT_PORT, ESCD_ADMIN_PASSWORD, ESCD_DSN,
# ESCD_HEARTBEAT_MS, ESCD_LEASE_MS.
#
# The nodes run as the calling user (root too: escd needs no other user with an external
# database); the password reaches them through their environment, not their command line.
set -euo pipefail
started_at=$(date +%s)
started_ms=$(date +%s%3N)

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
escd_bin=${ESCD_BIN:-$root/build/release/server/escd}
nodes=${ESCD_NODES:-3}
dsn_mode=${ESCD_DSN_MODE:-haproxy}
db=${ESCD_DB:-escd}
connect_timeout=${ESCD_CONNECT_TIMEOUT:-2}
heartbeat_ms=${ESCD_HEARTBEAT_MS:-500}
lease_ms=${ESCD_LEASE_MS:-3000}
log_level=${ESCD_LOG_LEVEL:-INFO}
up_timeout=${ESCD_UP_TIMEOUT:-60}

die() { echo "escd-up: $*" >&2; exit 1; }
# shellcheck source=deploy/cluster/lib.sh
source "$here/lib.sh"
[[ -n ${CLUSTER_DIR:-} && -n ${CLUSTER_DSN:-} ]] ||
    die "CLUSTER_DIR and CLUSTER_DSN are not set: eval \"\$(deploy/cluster/up.sh)\" first"
[[ $CLUSTER_DIR == /tmp/escd-cluster.* && -d $CLUSTER_DIR/run ]] || die "$CLUSTER_DIR is not a cluster dir of up.sh"
[[ -x $escd_bin ]] || die "$escd_bin not found (build escd, or set ESCD_BIN)"
for b in /usr/sbin/haproxy /usr/bin/curl /usr/bin/psql /usr/bin/base64; do
    [[ -x $b ]] || die "$b not found (run deploy/cluster/install.sh)"
done
[[ $nodes =~ ^[1-9]$ ]] || die "ESCD_NODES must be 1-9"
for var in heartbeat_ms lease_ms up_timeout; do
    [[ ${!var} =~ ^[0-9]+$ && ${!var} -gt 0 ]] || die "$var must be a positive integer"
done
[[ $connect_timeout =~ ^[0-9]+$ ]] || die "ESCD_CONNECT_TIMEOUT must be a non-negative integer"
((lease_ms > 2 * heartbeat_ms)) || die "ESCD_LEASE_MS must be more than 2 * ESCD_HEARTBEAT_MS"
[[ $db =~ ^[a-z_][a-z0-9_]*$ ]] || die "ESCD_DB must be a plain lower-case identifier"
case $dsn_mode in
    haproxy) base_dsn=$CLUSTER_DSN ;;
    multihost)
        [[ -n ${CLUSTER_MULTIHOST_DSN:-} ]] || die "CLUSTER_MULTIHOST_DSN is not set"
        base_dsn=$CLUSTER_MULTIHOST_DSN
        ;;
    *) die "ESCD_DSN_MODE must be haproxy or multihost" ;;
esac
# escd's DSN: the cluster's, on database $db (libpq takes the last of a repeated keyword, but
# one of each is clearer to read in ps and the logs), with a bound on each connection attempt
# (libpq waits forever by default; with the multi-host DSN the bound is per host).
dsn="$(sed -E 's/(^| )(dbname|connect_timeout)=[^ ]*//g' <<<"$base_dsn") dbname=$db"
((connect_timeout > 0)) && dsn+=" connect_timeout=$connect_timeout"
standby_args=()
if [[ ${ESCD_STANDBY_READS:-1} == 1 && -n ${CLUSTER_STANDBY_DSN:-} ]]; then
    standby_dsn="$(sed -E 's/(^| )(dbname|connect_timeout)=[^ ]*//g' <<<"$CLUSTER_STANDBY_DSN") dbname=$db"
    ((connect_timeout > 0)) && standby_dsn+=" connect_timeout=$connect_timeout"
    standby_args=(--database.standby_dsn="$standby_dsn")
fi
admin_password=${ESCD_ADMIN_PASSWORD:-escd-$(od -An -tx1 -N8 /dev/urandom | tr -d ' \n')}
[[ $admin_password != *[[:space:]]* ]] || die "ESCD_ADMIN_PASSWORD must not contain white space"

dir=$CLUSTER_DIR/escd
[[ -e $dir ]] && die "$dir exists: escd is up already (stop it with deploy/cluster/escd-down.sh \"\$CLUSTER_DIR\")"
mkdir -p "$dir/run" "$dir/log"
chmod 0700 "$dir" # the HAProxy configuration holds the admin password's Basic header

ok=0
cleanup() {
    ((ok)) && return
    echo "escd-up: failed; logs:" >&2
    log_tails "$dir"
    "$here/escd-down.sh" "$CLUSTER_DIR" >&2 || true
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP # so that the EXIT trap also runs on Ctrl-C or kill

# --- ports (as up.sh: random in 20000-49999, not listened on now) ------------------------------
ports=()
for i in $(seq 1 "$nodes"); do
    p=$(pick_port); taken+="$p "
    ports+=("$p")
done
front_port=$(pick_port); taken+="$front_port "


# --- the database --------------------------------------------------------------------------------
# CREATE DATABASE cannot run in a transaction block, hence the two statements; a concurrent
# escd-up on the same cluster could race here, and then fails with "already exists" (run again).
exists=$(psql "$CLUSTER_DSN connect_timeout=2" -XAtq -v ON_ERROR_STOP=1 \
    -c "select count(*) from pg_database where datname = '$db'") || die "cannot reach the database through CLUSTER_DSN"
[[ $exists == 1 ]] || psql "$CLUSTER_DSN connect_timeout=2" -XAtq -v ON_ERROR_STOP=1 \
    -c "create database $db" >/dev/null || die "cannot create database $db"
# Usable through escd's own DSN. With the multi-host DSN this waits for the replica too: libpq
# tries the hosts in order and gives up at the first one that refuses the database (a replica
# that has flushed the CREATE DATABASE but not replayed it yet), rather than trying the next;
# escd would then exit at start.
wait_for "database $db through escd's DSN" psql "$dsn" -XAtq -c "select 1"

# --- the nodes -------------------------------------------------------------------------------------
names=() urls=()
for i in $(seq 1 "$nodes"); do
    name=escd-$i
    names+=("$name")
    urls+=("http://127.0.0.1:${ports[i - 1]}")
    mkdir -p "$dir/$name/files"
    extra_var=ESCD_ARGS_$i
    # shellcheck disable=SC2086 # ESCD_ARGS and ESCD_ARGS_<i> are lists of flags
    spawn "$name" env ESCD_ADMIN_PASSWORD="$admin_password" "$escd_bin" \
        --database.dsn="$dsn" --server.listen_address=127.0.0.1 \
        --server.http_port="${ports[i - 1]}" --server.https_port=-1 --csm.http_port=0 \
        --general.data_dir="$dir/$name" --log.level="$log_level" \
        --callbacks.allowed_cidrs=127.0.0.0/8 --files.allowed_cidrs=127.0.0.0/8 \
        --server.ready_file="$dir/run/$name.ready" --cluster.node_name="$name" \
        --cluster.heartbeat_ms="$heartbeat_ms" --cluster.lease_ms="$lease_ms" \
        "${standby_args[@]}" ${ESCD_ARGS:-} ${!extra_var:-}
done

pids=()
for i in $(seq 1 "$nodes"); do
    name=escd-$i
    # The ready file (http=<port> https=-1 csm=...) is written once the listeners are bound and the node
    # has joined; a node that exits first (bad flag, migration failure) fails the start at once.
    until grep -q "^http=${ports[i - 1]} https=-1 " "$dir/run/$name.ready" 2>/dev/null; do
        pid=$(cat "$dir/run/$name.pid" 2>/dev/null || true)
        [[ -z $pid ]] || kill -0 "$pid" 2>/dev/null || die "$name exited before it was ready"
        (($(date +%s) - started_at < up_timeout)) || die "timed out waiting for $name to be ready"
        sleep 0.1
    done
    pids+=("$(cat "$dir/run/$name.pid")")
done

# Every node of ours listed ALIVE (rows of earlier runs on this database are STOPPED or LOST).
all_alive() {
    local summary name
    summary=" $(nodes_summary "${urls[0]}" "$admin_password") " || return 1
    for name in "${names[@]}"; do
        [[ $summary == *" $name=ALIVE("* ]] || return 1
    done
}
wait_for "all nodes listed ALIVE by GET /v0/nodes" all_alive

# --- the HTTP front --------------------------------------------------------------------------------
# Round robin over the nodes. The health check is an authenticated GET /v0/nodes (it reads the
# database, so it also proves the node's pool works) every 500 ms; a node is in rotation while it
# answers 200 or 503: 503 is escd's answer while the database is away (a failover), the same on
# every node, and taking every node out would only replace escd's 503 (with Retry-After and the
# reason) by HAProxy's own. Two failed checks (refused, reset, 1 s without an answer, any other
# status) take a node out and cut its sessions (on-marked-down shutdown-sessions); one passing
# check brings it back. A request whose connection to a node is refused is sent to another node
# (retries 3, redispatch at every retry): such a request never reached escd, so this is safe for
# POSTs; a request already sent is never re-sent (HAProxy's default retry-on is conn-failure).
# Health checks that change a node's check state are logged (log-health-checks), with the
# requests that did not end well (dontlog-normal), in log/haproxy.log.
# X-Escd-Node names the node that answered. HAProxy's own error answers (no node available, a
# node that died with the request) carry X-Escd-Front: <status>, and the 503 Retry-After: 5
# like escd's, in escd's error document.
auth_header="Basic $(printf 'admin:%s' "$admin_password" | base64 -w0)"
for code in 502 503 504; do
    case $code in
        502) reason="Bad Gateway"; message="the escd node closed the connection without an answer (escd-front)" ;;
        503) reason="Service Unavailable"; message="no escd node available (escd-front)" ;;
        504) reason="Gateway Timeout"; message="the escd node did not answer in time (escd-front)" ;;
    esac
    body="<?xml version=\"1.0\"?>
<error><status>$code</status><message>$message</message></error>
"
    {
        printf 'HTTP/1.1 %s %s\r\n' "$code" "$reason"
        printf 'Content-Type: application/xml\r\nCache-Control: no-cache\r\nConnection: close\r\n'
        printf 'X-Escd-Front: %s\r\n' "$code"
        [[ $code == 503 ]] && printf 'Retry-After: 5\r\n'
        printf 'Content-Length: %s\r\n\r\n%s' "${#body}" "$body"
    } >"$dir/front-$code.http"
done
{
    cat <<EOF
global
    maxconn 400
    log stderr format raw local0 info
defaults
    mode http
    log global
    option httplog
    option dontlog-normal
    retries 3
    option redispatch 1
    timeout connect 1s
    timeout client 60s
    timeout server 60s
    timeout http-request 10s
    timeout http-keep-alive 10s
    timeout check 1s
    errorfile 502 $dir/front-502.http
    errorfile 503 $dir/front-503.http
    errorfile 504 $dir/front-504.http
frontend escd_front
    bind 127.0.0.1:$front_port
    default_backend escd_nodes
backend escd_nodes
    balance roundrobin
    option httpchk
    option log-health-checks
    http-check send meth GET uri /v0/nodes ver HTTP/1.1 hdr Host 127.0.0.1 hdr Authorization "$auth_header"
    http-check expect rstatus ^(200|503)\$
    http-response set-header X-Escd-Node %[srv_name]
    default-server inter 500ms fastinter 500ms downinter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
EOF
    for i in $(seq 1 "$nodes"); do
        echo "    server escd-$i 127.0.0.1:${ports[i - 1]} check"
    done
} >"$dir/haproxy.cfg"
/usr/sbin/haproxy -c -q -f "$dir/haproxy.cfg" || die "$dir/haproxy.cfg invalid"
spawn haproxy /usr/sbin/haproxy -db -f "$dir/haproxy.cfg"

front=http://127.0.0.1:$front_port
# Through the front, nodes in turn: done when every node has answered one GET /v0/nodes (so
# every server is up in HAProxy, and round robin reaches each).
front_reaches_all() {
    local seen=" " node name
    for _ in $(seq 1 $((2 * nodes))); do
        node=$(curl -fsS --max-time 2 -o /dev/null -D - -u "admin:$admin_password" "$front/v0/nodes" |
            sed -n 's/^X-Escd-Node: *//Ip' | tr -d '\r') || return 1
        seen+="$node "
    done
    for name in "${names[@]}"; do
        [[ $seen == *" $name "* ]] || return 1
    done
}
wait_for "the HTTP front to reach every node" front_reaches_all

ok=1
ms=$(($(date +%s%3N) - started_ms))
echo "escd-up: $nodes node(s) ready in $((ms / 1000)).$(printf %03d $((ms % 1000))) s: $(nodes_summary "$front" "$admin_password")" >&2
pid_files=()
for name in "${names[@]}"; do pid_files+=("$dir/run/$name.pid"); done
# In single quotes, as up.sh prints them (a quote inside becomes '\'').
export_var() { printf "export %s='%s'\n" "$1" "${2//\'/\'\\\'\'}"; }
export_var ESCD_DIR "$dir"
export_var ESCD_URL "$front"
export_var ESCD_NODE_URLS "${urls[*]}"
export_var ESCD_NODE_NAMES "${names[*]}"
export_var ESCD_PIDS "${pids[*]}"
export_var ESCD_PID_FILES "${pid_files[*]}"
export_var ESCD_HAPROXY_PID_FILE "$dir/run/haproxy.pid"
export_var ESCD_FRONT_PORT "$front_port"
export_var ESCD_ADMIN_PASSWORD "$admin_password"
export_var ESCD_DSN "$dsn"
export_var ESCD_HEARTBEAT_MS "$heartbeat_ms"
export_var ESCD_LEASE_MS "$lease_ms"
