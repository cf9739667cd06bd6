#!/usr/bin/env bash
# Installs what is missing, builds escd (Release) and runs it in the foreground on its embedded
# defaults: HTTP 8080 and HTTPS 8443 on 127.0.0.1, a private PostgreSQL under ./var/pg, and the
# libvirt test:///default VIM. Extra arguments are passed to escd (e.g. --log.level=DEBUG).
set -euo pipefail
cd "$(dirname "$0")/.."

./deploy/install-deps.sh
cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release -DESCD_BUILD_TESTS=OFF -DESCD_BUILD_BENCH=OFF >/dev/null
cmake --build build/release -j"$(nproc)" --target escd

data_dir=$PWD/var
mkdir -p "$data_dir"
if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$data_dir"; then
    # PostgreSQL runs as `postgres` when escd is root; it must be able to reach the data dir.
    data_dir=/var/lib/escd
    echo "run.sh: $PWD/var is not reachable by the postgres user; using $data_dir" >&2
    mkdir -p "$data_dir"
fi

# The admin password: generated once, kept (mode 0600) next to the data, given to escd through
# the environment (not argv, which `ps` shows). escd stores only its PBKDF2 hash.
password_file=$data_dir/admin-password
if [[ ! -s $password_file ]]; then
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 20 >"$password_file")
fi
export ESCD_ADMIN_PASSWORD
ESCD_ADMIN_PASSWORD=$(cat "$password_file")

cat <<MSG
escd admin credentials: admin / $ESCD_ADMIN_PASSWORD   (kept in $password_file; a password
set later through /v0/authentication/setpassword replaces it until this file changes)
Try, once escd says "ready":
  curl -u admin:$ESCD_ADMIN_PASSWORD -X POST -H 'Content-Type: application/xml' \\
       -H 'Callback: http://127.0.0.1:9010/' \\
       -d '<tenant xmlns="urn:ietf:params:xml:ns:netconf:base:1.0"><name>example-tenant</name></tenant>' \\
       http://127.0.0.1:8080/ESCManager/v0/tenants/tentest
  curl -u admin:$ESCD_ADMIN_PASSWORD http://127.0.0.1:8080/ESCManager/v0/tenants
MSG

exec ./build/release/server/escd --config=deploy/escd.conf --general.data_dir="$data_dir" "$@"
