#!/usr/bin/env bash
# Stops and removes a cluster started by tests/pg-up.sh.
set -uo pipefail
dir=${1:?usage: pg-down.sh DIR}
[[ -d $dir/data ]] || exit 0
as_pg=()
[[ $(id -u) -eq 0 ]] && as_pg=(runuser -u postgres --)
"${as_pg[@]}" /usr/lib/postgresql/15/bin/pg_ctl -D "$dir/data" -m immediate -w stop >/dev/null 2>&1
rm -rf "$dir"
