#!/usr/bin/env bash
# Self-test of the cluster recipe: up.sh, then a writer commits rows through HAProxy, then the
# primary node is killed outright (SIGKILL to its PostgreSQL postmaster and to its Patroni, so no
# one is left to release the leader lock, answer the REST check or restart PostgreSQL), and then:
#   - the failover time: from the kill to the first write through HAProxy that commits again;
#   - no lost commits: every row whose commit the writer saw acknowledged before the kill is on
#     the new primary (that is what synchronous_mode promises);
#   - the new primary is the other node and is reachable through CLUSTER_MULTIHOST_DSN too.
# Ends with down.sh whatever happens. Exit status 0 = passed. Prints a summary on stdout.
# CHECK_ROWS (default 200): acknowledged rows to have before the kill.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
rows_before=${CHECK_ROWS:-200}
fail() { echo "failover-check: FAIL: $*" >&2; exit 1; }
now() { echo "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

t_up=$(now)
env_out=$("$here/up.sh")
eval "$env_out"
t_ready=$(now)
work=$(mktemp -d /tmp/escd-failover-check.XXXXXX)
writer=
finish() {
    [[ -n $writer ]] && kill "$writer" 2>/dev/null
    "$here/down.sh" "$CLUSTER_DIR" || true
    rm -rf "$work"
}
trap finish EXIT
trap 'exit 1' INT TERM HUP # so that the EXIT trap also runs on Ctrl-C or kill
echo "failover-check: cluster up in $(secs "$t_up" "$t_ready") s ($CLUSTER_DIR)"

sql() { psql "$CLUSTER_DSN connect_timeout=2" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
sql "create table failover_check (id bigint primary key, at timestamptz not null default clock_timestamp())"

# --- writer --------------------------------------------------------------------------------------
# One psql session, autocommit, one row per statement, about 100 commits/s (the pg_sleep keeps
# the CPU use low). psql prints an id only after the server acknowledged its commit, and -oL
# line-buffering makes every acknowledged id reach the file at once.
: >"$work/acked" # exists before the writer starts: the wait below reads it at once
(
    seq 1 1000000 | sed 's/.*/insert into failover_check (id) select & from pg_sleep(0.01) returning id;/' |
        stdbuf -oL psql "$CLUSTER_DSN connect_timeout=2" -XAtq -v ON_ERROR_STOP=1 \
            >"$work/acked" 2>"$work/writer.err" || true
) &
writer=$!

deadline=$((SECONDS + 60))
until (($(wc -l <"$work/acked") >= rows_before)); do
    ((SECONDS < deadline)) || fail "writer did not reach $rows_before rows: $(cat "$work/writer.err")"
    sleep 0.1
done

# --- kill the primary ----------------------------------------------------------------------------
primary=
for n in 1 2; do
    url_var=CLUSTER_PATRONI${n}_URL
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "${!url_var}/primary" || true)
    [[ $code == 200 ]] && primary=$n
done
[[ -n $primary ]] || fail "no node reports itself primary"
survivor=$((3 - primary))
patroni_pid=$(cat "$CLUSTER_DIR/run/patroni$primary.pid")
postmaster_pid=$(head -n 1 "$CLUSTER_DIR/node$primary/data/postmaster.pid")
[[ $patroni_pid =~ ^[0-9]+$ && $postmaster_pid =~ ^[0-9]+$ ]] || fail "cannot read the primary's pids"

t_kill=$(now)
kill -KILL "$patroni_pid" "$postmaster_pid"
echo "failover-check: killed node$primary (patroni $patroni_pid, postmaster $postmaster_pid) with $(wc -l <"$work/acked") rows acknowledged so far"

# --- wait for the first successful write -------------------------------------------------------
survivor_url_var=CLUSTER_PATRONI${survivor}_URL
t_promoted=
deadline=$((SECONDS + 120))
until psql "$CLUSTER_DSN connect_timeout=1" -XAtq -v ON_ERROR_STOP=1 \
    -c "insert into failover_check (id) values (-1)" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || fail "no write through HAProxy within 120 s of the kill"
    if [[ -z $t_promoted ]] &&
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "${!survivor_url_var}/primary" || true) == 200 ]]; then
        t_promoted=$(now)
    fi
    sleep 0.1
done
t_write=$(now)
[[ -n $t_promoted ]] || t_promoted=$t_write

# The writer's session died with the old primary (HAProxy cuts it: on-marked-down
# shutdown-sessions); wait for its psql to exit so that its output is complete.
for _ in $(seq 1 100); do kill -0 "$writer" 2>/dev/null || break; sleep 0.1; done
kill -0 "$writer" 2>/dev/null && fail "writer still running after the failover"
writer=

# --- checks --------------------------------------------------------------------------------------
survivor_port=$(echo "$CLUSTER_PG_PORTS" | cut -d, -f"$survivor")
[[ $(sql "select inet_server_port()") == "$survivor_port" ]] || fail "HAProxy does not lead to node$survivor"
[[ $(sql "select pg_is_in_recovery()") == f ]] || fail "the new primary is in recovery"
[[ $(psql "$CLUSTER_MULTIHOST_DSN connect_timeout=2" -XAtq -c "select inet_server_port()") == "$survivor_port" ]] ||
    fail "CLUSTER_MULTIHOST_DSN does not lead to the new primary"

sort -n "$work/acked" >"$work/acked.sorted"
sql "select id from failover_check where id > 0 order by id" >"$work/present"
acked=$(wc -l <"$work/acked.sorted")
present=$(wc -l <"$work/present")
# comm needs lexical order; both lists are compared as text.
missing=$(comm -23 <(sort "$work/acked.sorted") <(sort "$work/present") | wc -l)
extra=$(comm -13 <(sort "$work/acked.sorted") <(sort "$work/present") | wc -l)
((acked >= rows_before)) || fail "only $acked acknowledged rows"
((missing == 0)) || fail "$missing of $acked acknowledged rows are missing on the new primary"

echo "failover-check: rows acknowledged before the kill: $acked, present on node$survivor: $present" \
    "(not acknowledged but committed: $extra; lost: 0)"
echo "failover-check: node$survivor reports primary $(secs "$t_kill" "$t_promoted") s after the kill"
echo "failover-check: PASS: failover time $(secs "$t_kill" "$t_write") s (SIGKILL of node$primary -> first write through HAProxy committed)"
