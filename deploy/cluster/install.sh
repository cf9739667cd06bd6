#!/usr/bin/env bash
# Installs what deploy/cluster/up.sh needs from Debian 12 packages: patroni (3.0.2), etcd-server
# (3.4) and haproxy (2.6); PostgreSQL 15 itself comes from deploy/install-deps.sh.
# The recipe starts its own etcd, Patroni and HAProxy processes in a throw-away directory, so the
# system services these packages ship must neither run nor start at boot: the install runs under
# a policy-rc.d that forbids starting daemons, and the units are disabled afterwards (a system
# etcd or haproxy would hold ports and data nobody asked for).
# Idempotent: when everything is present and disabled it prints nothing and returns quickly.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# python3-etcd: Patroni's etcd3 DCS module imports it (and dnspython through it), but the patroni
# package only depends on "python3-etcd | python3-consul | python3-kazoo | ...", so a machine
# that already has kazoo would get a Patroni that cannot talk to etcd.
packages=(patroni python3-etcd etcd-server haproxy postgresql-15 postgresql-client-15)

"$here/../apt-install-missing.sh" cluster-install --no-service-start "${packages[@]}"

# System units of those packages (patroni@ is a template: never enabled by the package itself,
# but a leftover instance would start a Patroni against /etc/patroni at boot).
units=(etcd.service haproxy.service patroni.service)
sudo_cmd=()
[[ $(id -u) -ne 0 ]] && sudo_cmd=(sudo)

if command -v systemctl >/dev/null; then
    booted=0
    [[ -d /run/systemd/system ]] && booted=1 # systemd is PID 1 (not so in most containers)
    for u in "${units[@]}"; do
        # is-enabled reads the unit files directly, so it works without a running systemd too.
        state=$(systemctl is-enabled "$u" 2>/dev/null || true)
        if [[ $state == enabled ]]; then
            echo "cluster-install: disabling system $u" >&2
            "${sudo_cmd[@]}" systemctl disable --quiet "$u" >/dev/null 2>&1 || true
        fi
        if ((booted)) && systemctl is-active --quiet "$u" 2>/dev/null; then
            echo "cluster-install: stopping system $u" >&2
            "${sudo_cmd[@]}" systemctl stop "$u"
        fi
    done
fi

# Without systemd as init, a package's sysv script could still have started a daemon (only if
# some policy-rc.d allowed it). Those write pid files under /run; stop exactly those pids.
for pidfile in /run/etcd.pid /run/haproxy.pid /run/patroni.pid; do
    [[ -r $pidfile ]] || continue
    pid=$(cat "$pidfile" 2>/dev/null || true)
    if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        echo "cluster-install: stopping daemon $pid from $pidfile" >&2
        "${sudo_cmd[@]}" kill "$pid" || true
    fi
done
exit 0
