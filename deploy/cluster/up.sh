#!/usr/bin/env bash
# Starts a throw-away replicated PostgreSQL 15 on 127.0.0.1 and prints shell exports:
#   eval "$(deploy/cluster/up.sh)"
# One etcd (the DCS), two Patroni nodes (each runs and supervises one PostgreSQL; one is primary,
# the other a synchronous streaming replica) and one HAProxy whose port always leads to the node
# that Patroni's REST API reports as primary. Everything lives in a new directory under /tmp;
# stop it with deploy/cluster/down.sh "$CLUSTER_DIR". Install the packages with install.sh first.
#
# Exports: CLUSTER_DIR, CLUSTER_DSN (through HAProxy), CLUSTER_MULTIHOST_DSN (both PostgreSQL
# ports, target_session_attrs=read-write), CLUSTER_STANDBY_DSN (both ports, any server: what
# escd's reads fall back to while no primary answers), CLUSTER_PATRONI_URLS (space-separated) and
# CLUSTER_PATRONI1_URL/CLUSTER_PATRONI2_URL, CLUSTER_ETCD_URL, CLUSTER_HAPROXY_PORT,
# CLUSTER_PG_PORTS (comma-separated, node1 first).
#
# Works as root (every daemon runs as `postgres` through runuser: PostgreSQL refuses root, and
# Patroni must be the same user as the PostgreSQL it starts; etcd and HAProxy need no root either)
# and as an ordinary user. Authentication is `trust` for 127.0.0.1 only: nothing listens
# anywhere else, and the cluster holds only throw-away data.
#
# Timing settings can be overridden from the environment (see README.md for why these defaults):
# CLUSTER_TTL (8), CLUSTER_LOOP_WAIT (1), CLUSTER_RETRY_TIMEOUT (3),
# CLUSTER_MAX_LAG (1048576 bytes), CLUSTER_FSYNC (off), CLUSTER_UP_TIMEOUT (90 s).
set -euo pipefail
started_at=$(date +%s)
started_ms=$(date +%s%3N)

here=$(cd "$(dirname "$0")" && pwd)
bindir=/usr/lib/postgresql/15/bin
ttl=${CLUSTER_TTL:-8}
loop_wait=${CLUSTER_LOOP_WAIT:-1}
retry_timeout=${CLUSTER_RETRY_TIMEOUT:-3}
max_lag=${CLUSTER_MAX_LAG:-1048576}
fsync=${CLUSTER_FSYNC:-off}
up_timeout=${CLUSTER_UP_TIMEOUT:-90}

die() { echo "cluster-up: $*" >&2; exit 1; }
# shellcheck source=deploy/cluster/lib.sh
source "$here/lib.sh"
for b in "$bindir/initdb" /usr/bin/patroni /usr/bin/etcd /usr/sbin/haproxy /usr/bin/curl /usr/bin/psql; do
    [[ -x $b ]] || die "$b not found (run deploy/cluster/install.sh)"
done
# Patroni's own rule: a primary that cannot reach the DCS must give up the lock before its ttl
# runs out, i.e. loop_wait + 2 * retry_timeout <= ttl.
((loop_wait + 2 * retry_timeout <= ttl)) || die "need loop_wait + 2*retry_timeout <= ttl"

dir=$(mktemp -d /tmp/escd-cluster.XXXXXX)
chmod 0755 "$dir"
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$dir"
    as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" mkdir -p "$dir/run" "$dir/log" "$dir/etcd" "$dir/node1" "$dir/node2"

# From here on a failure tears down whatever was started, so nothing is left behind.
ok=0
cleanup() {
    ((ok)) && return
    echo "cluster-up: failed; logs:" >&2
    log_tails "$dir"
    "$here/down.sh" "$dir" >&2 || true
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP # so that the EXIT trap also runs on Ctrl-C or kill

# --- ports -------------------------------------------------------------------------------------
# Seven distinct ports that nothing listens on right now (pick_port, lib.sh).
etcd_client=$(pick_port); taken+="$etcd_client "
etcd_peer=$(pick_port); taken+="$etcd_peer "
rest1=$(pick_port); taken+="$rest1 "
rest2=$(pick_port); taken+="$rest2 "
pg1=$(pick_port); taken+="$pg1 "
pg2=$(pick_port); taken+="$pg2 "
haproxy_port=$(pick_port); taken+="$haproxy_port "
etcd_url=http://127.0.0.1:$etcd_client

spawn_as=("${as_pg[@]}") # lib.sh's spawn: the daemons run as postgres

# --- etcd --------------------------------------------------------------------------------------
# A single member (a quorum of one: no DCS redundancy, enough for testing the database side).
# The v3 API is what Patroni's `etcd3` module uses; metrics and v2 stay off.
spawn etcd /usr/bin/etcd --name etcd1 --data-dir "$dir/etcd/data" \
    --listen-client-urls "$etcd_url" --advertise-client-urls "$etcd_url" \
    --listen-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
    --initial-cluster "etcd1=http://127.0.0.1:$etcd_peer" \
    --initial-cluster-state new --initial-cluster-token "escd-$(basename "$dir")" \
    --log-level warn
wait_for etcd sh -c "curl -sf --max-time 1 '$etcd_url/health' | grep -q '\"health\":\"true\"'"

# --- Patroni -----------------------------------------------------------------------------------
# Both nodes get the same bootstrap section; only the one that wins the initialize race in etcd
# runs initdb and writes it to the DCS, the other clones the primary with pg_basebackup.
write_patroni_config() {
    local n=$1 rest=$2 pg=$3
    cat <<EOF
scope: escd
namespace: /escd/
name: node$n
log:
  level: INFO
restapi:
  listen: 127.0.0.1:$rest
  connect_address: 127.0.0.1:$rest
etcd3:
  hosts: 127.0.0.1:$etcd_client
  protocol: http
bootstrap:
  dcs:
    ttl: $ttl
    loop_wait: $loop_wait
    retry_timeout: $retry_timeout
    maximum_lag_on_failover: $max_lag
    synchronous_mode: true
    synchronous_mode_strict: false
    postgresql:
      use_pg_rewind: false
      use_slots: true
      parameters:
        wal_level: replica
        hot_standby: "on"
        max_wal_senders: 5
        max_replication_slots: 5
        wal_keep_size: 64MB
        wal_receiver_status_interval: 1s
        synchronous_commit: "on"
        fsync: "$fsync"
        max_connections: 300
  initdb:
    - encoding: UTF8
    - locale: C.UTF-8
    - no-sync
postgresql:
  listen: 127.0.0.1:$pg
  connect_address: 127.0.0.1:$pg
  data_dir: $dir/node$n/data
  bin_dir: $bindir
  pgpass: $dir/node$n/pgpass
  authentication:
    superuser:
      username: postgres
    replication:
      username: replicator
  parameters:
    unix_socket_directories: $dir/node$n
  pg_hba:
    - local all all trust
    - host all all 127.0.0.1/32 trust
    - host replication replicator 127.0.0.1/32 trust
  basebackup:
    - checkpoint: fast
tags:
  nofailover: false
  noloadbalance: false
  clonefrom: false
  nosync: false
watchdog:
  mode: off
EOF
}
write_patroni_config 1 "$rest1" "$pg1" | "${as_pg[@]}" tee "$dir/node1.yml" >/dev/null
write_patroni_config 2 "$rest2" "$pg2" | "${as_pg[@]}" tee "$dir/node2.yml" >/dev/null
spawn patroni1 /usr/bin/patroni "$dir/node1.yml"
spawn patroni2 /usr/bin/patroni "$dir/node2.yml"

# --- HAProxy -----------------------------------------------------------------------------------
# TCP proxy to PostgreSQL; the health check asks each node's Patroni REST API for /primary, which
# answers 200 only on the node holding the leader lock. OPTIONS rather than GET: same status code,
# but Patroni sends no JSON body, whereas after a GET HAProxy resets the connection as soon as it
# has the status line and Patroni logs a ConnectionResetError traceback every few seconds. Checks every 500 ms; two failures mark a
# server down and then cut its client connections, so clients reconnect to the new primary
# instead of hanging on a dead or demoted one.
cat <<EOF | "${as_pg[@]}" tee "$dir/haproxy.cfg" >/dev/null
global
    maxconn 400
    log stderr format raw local0 info
defaults
    mode tcp
    log global
    retries 2
    timeout connect 1s
    timeout client 30m
    timeout server 30m
    timeout check 1s
listen postgres_primary
    bind 127.0.0.1:$haproxy_port
    option httpchk OPTIONS /primary
    http-check expect status 200
    default-server inter 500ms fastinter 500ms downinter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
    server node1 127.0.0.1:$pg1 maxconn 200 check port $rest1
    server node2 127.0.0.1:$pg2 maxconn 200 check port $rest2
EOF
"${as_pg[@]}" /usr/sbin/haproxy -c -q -f "$dir/haproxy.cfg" || die "haproxy.cfg invalid"
# -db: stay in the foreground (no daemon fork), so the recorded pid is HAProxy's.
spawn haproxy /usr/sbin/haproxy -db -f "$dir/haproxy.cfg"

# --- wait until usable ---------------------------------------------------------------------------
dsn="host=127.0.0.1 port=$haproxy_port user=postgres dbname=postgres"
q() { psql "$dsn connect_timeout=2" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
# The primary is behind HAProxy and writable (txid_current() forces a real transaction id).
wait_for "a writable primary behind HAProxy" \
    sh -c "[ \"\$(psql '$dsn connect_timeout=2' -XAtq -c 'select pg_is_in_recovery()' 2>/dev/null)\" = f ]"
# The replica streams and PostgreSQL counts it as synchronous: commits now wait for its flush.
wait_for "a synchronous streaming replica" \
    sh -c "[ \"\$(psql '$dsn connect_timeout=2' -XAtq -c \"select count(*) from pg_stat_replication where state = 'streaming' and sync_state = 'sync'\" 2>/dev/null)\" = 1 ]"
# A committed write through HAProxy, now acknowledged by the replica as well.
q "select txid_current()" >/dev/null || die "write through HAProxy failed"

ok=1
ms=$(($(date +%s%3N) - started_ms))
echo "cluster-up: ready in $((ms / 1000)).$(printf %03d $((ms % 1000))) s" >&2
echo "export CLUSTER_DIR='$dir'"
echo "export CLUSTER_DSN='$dsn'"
echo "export CLUSTER_MULTIHOST_DSN='host=127.0.0.1,127.0.0.1 port=$pg1,$pg2 user=postgres dbname=postgres target_session_attrs=read-write'"
echo "export CLUSTER_STANDBY_DSN='host=127.0.0.1,127.0.0.1 port=$pg1,$pg2 user=postgres dbname=postgres target_session_attrs=any'"
echo "export CLUSTER_PATRONI1_URL='http://127.0.0.1:$rest1'"
echo "export CLUSTER_PATRONI2_URL='http://127.0.0.1:$rest2'"
echo "export CLUSTER_PATRONI_URLS='http://127.0.0.1:$rest1 http://127.0.0.1:$rest2'"
echo "export CLUSTER_ETCD_URL='$etcd_url'"
echo "export CLUSTER_HAPROXY_PORT='$haproxy_port'"
echo "export CLUSTER_PG_PORTS='$pg1,$pg2'"
