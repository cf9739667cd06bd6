#!/usr/bin/env bash
# Stops the qemu VIM started by tests/qemu/up.sh and removes what escd left on it:
#   tests/qemu/down.sh "$ESCD_TEST_QEMU_DIR"
# - domains that carry escd's metadata (or are named escd-*): destroyed and undefined;
# - networks escd-*: destroyed and undefined (their bridges and dnsmasq go with them);
# - storage pools escd and escd-*: their volumes deleted, the pool stopped and undefined;
# then virtlogd and libvirtd are stopped, whatever else still runs in the namespace (only what
# libvirtd started there) is ended, and the namespace is deleted. A second host (up.sh with
# ESCD_TEST_QEMU_HOSTS=2) is cleaned and stopped the same way, in its own namespace; its private
# directories (below DIR) go with DIR, the veth pairs between the hosts with the namespaces.
# Objects that are not escd's are left alone: libvirt's configuration is machine-wide.
# Safe to run twice; never fails the caller.
set -uo pipefail

dir=${1:?usage: down.sh DIR}
[[ -d $dir ]] || exit 0
uri=qemu:///system
metadata_ns=https://escd.dev/xmlns/vim-object/1

as_root=()
[[ $(id -u) -ne 0 ]] && as_root=(sudo)
say() { echo "qemu/down: $*" >&2; }
vsh() { timeout 60 virsh -q -c "$uri" "$@"; }

ns=$(cat "$dir/netns" 2>/dev/null || true)
ns2=$(cat "$dir/netns2" 2>/dev/null || true)
# Host 1's daemons; host 2's write their pid files in its /run/libvirt. up.sh, stopping what an
# earlier run left, names them in "pids" and "pids2" instead.
# (A pid file has no final newline: each is read on its own.)
read_pids() {
    local file
    for file in "$@"; do [[ -s $file ]] && echo "$(<"$file")"; done
    return 0
}
pids=$(read_pids "$dir/libvirtd.pid" "$dir/virtlogd.pid" "$dir/pids")
pids2=$(read_pids "$dir/host2/run/libvirtd.pid" "$dir/host2/run/virtlogd.pid" "$dir/pids2")

alive() { [[ -n $1 ]] && [[ -e /proc/$1 ]] && ! grep -q '^[^)]*) Z' "/proc/$1/stat" 2>/dev/null; }

# Stops pid $1 (named $2): SIGTERM, then SIGKILL after 20 s.
stop() {
    local pid=$1 name=$2
    alive "$pid" || return 0
    "${as_root[@]}" kill -TERM "$pid" 2>/dev/null
    local deadline=$((SECONDS + 20))
    while alive "$pid" && ((SECONDS < deadline)); do sleep 0.1; done
    if alive "$pid"; then
        say "$name (pid $pid) ignored SIGTERM; killing it"
        "${as_root[@]}" kill -KILL "$pid" 2>/dev/null
    fi
}

# Removes escd's objects from the libvirtd at $uri.
clean() {
    vsh version >/dev/null 2>&1 || return 0
    while read -r domain; do
        [[ -n $domain ]] || continue
        if [[ $domain == escd-* ]] || vsh dumpxml "$domain" 2>/dev/null | grep -q "$metadata_ns"; then
            say "removing leftover domain $domain${1:+ ($1)}"
            vsh destroy "$domain" >/dev/null 2>&1
            vsh undefine "$domain" >/dev/null 2>&1
        fi
    done < <(vsh list --all --name 2>/dev/null)
    while read -r network; do
        [[ $network == escd-* ]] || continue
        say "removing leftover network $network${1:+ ($1)}"
        vsh net-destroy "$network" >/dev/null 2>&1
        vsh net-undefine "$network" >/dev/null 2>&1
    done < <(vsh net-list --all --name 2>/dev/null)
    while read -r pool; do
        [[ $pool == escd || $pool == escd-* ]] || continue
        say "removing leftover storage pool $pool${1:+ ($1)}"
        vsh pool-start "$pool" >/dev/null 2>&1  # volumes can only be listed in an active pool
        while read -r volume; do
            [[ -n $volume ]] && vsh vol-delete --pool "$pool" "$volume" >/dev/null 2>&1
        done < <(vsh vol-list --pool "$pool" 2>/dev/null | awk '{ print $1 }')
        vsh pool-destroy "$pool" >/dev/null 2>&1
        vsh pool-delete "$pool" >/dev/null 2>&1  # removes its directory, now empty
        vsh pool-undefine "$pool" >/dev/null 2>&1
    done < <(vsh pool-list --all --name 2>/dev/null)
}

# Stops the daemons $2.. of namespace $1, then whatever they left there, and deletes it.
stop_host() {
    local namespace=$1 pid
    shift
    for pid in "$@"; do stop "$pid" "$(cat "/proc/$pid/comm" 2>/dev/null)"; done
    [[ -n $namespace ]] && "${as_root[@]}" ip netns list | grep -qw "^$namespace" || return 0
    # libvirtd does not stop its guests or dnsmasq when it exits; in this namespace they can
    # only be its children, started for objects that were not escd's.
    for pid in $("${as_root[@]}" ip netns pids "$namespace" 2>/dev/null); do
        say "ending $(cat "/proc/$pid/comm" 2>/dev/null) (pid $pid) left in $namespace"
        stop "$pid" "pid $pid"
    done
    "${as_root[@]}" ip netns delete "$namespace"
}

# Only a libvirtd of this run is cleaned: qemu:///system may be another one's by now.
for pid in $pids; do
    if alive "$pid" && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == libvirtd ]]; then
        clean
        break
    fi
done
if [[ -S $dir/host2/run/libvirt-sock ]]; then
    uri="qemu+unix:///system?socket=$dir/host2/run/libvirt-sock"
    clean "host 2"
fi
# shellcheck disable=SC2086 # one pid a word
stop_host "$ns" $pids
# shellcheck disable=SC2086
stop_host "$ns2" $pids2
rm -rf "$dir"
exit 0
