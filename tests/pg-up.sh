#!/usr/bin/env bash
# Starts a throw-away PostgreSQL 15 cluster on a free loopback port and prints shell exports:
#   eval "$(tests/pg-up.sh)"   ->  ESCD_TEST_PG_DSN, ESCD_TEST_PG_DIR, ESCD_TEST_PG_PORT
# Stop it with tests/pg-down.sh "$ESCD_TEST_PG_DIR". Works as root (initdb/postgres run as the
# `postgres` user through runuser, since PostgreSQL refuses root) and as an ordinary user.
# The cluster trades durability for speed (fsync=off): it only ever holds test data.
set -euo pipefail

bindir=/usr/lib/postgresql/15/bin
[[ -x $bindir/initdb ]] || { echo "pg-up: $bindir/initdb not found (run deploy/install-deps.sh)" >&2; exit 1; }

dir=$(mktemp -d /tmp/escd-pg.XXXXXX)
chmod 0755 "$dir"
as_pg=()
if [[ $(id -u) -eq 0 ]]; then
    chown postgres: "$dir"
    as_pg=(runuser -u postgres --)
fi

"${as_pg[@]}" "$bindir/initdb" -D "$dir/data" -U postgres --auth=trust --no-sync -E UTF8 \
    --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }

port_in_use() { grep -qi ":$(printf '%04X' "$1") " /proc/net/tcp /proc/net/tcp6 2>/dev/null; }

started=0
for _ in 1 2 3 4 5 6 7 8; do
    port=$((20000 + RANDOM % 30000))
    port_in_use "$port" && continue
    # pg_ctl fails when the port was taken in the meantime; then try another one.
    if "${as_pg[@]}" "$bindir/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 start \
        -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
        >/dev/null 2>&1; then
        started=1
        break
    fi
done
((started)) || { echo "pg-up: could not start postgres (see $dir/postgres.log)" >&2; cat "$dir/postgres.log" >&2; exit 1; }

echo "export ESCD_TEST_PG_DIR='$dir'"
echo "export ESCD_TEST_PG_PORT='$port'"
echo "export ESCD_TEST_PG_DSN='host=127.0.0.1 port=$port user=postgres dbname=postgres'"
