#!/bin/bash
# A fleet of emulated IOS XR devices for the CSM benchmark, in ONE network namespace: one sshd
# for all of them, one address per device, and the device picked by the address a connection
# came to (sshd `Match LocalAddress` -> `ForceCommand escd-xr-device --state <its dir>`). Each
# device has its own state directory (hostname, packages, operations, sessions).
#
# Addresses (198.18.0.0/15, the RFC 2544 benchmark range, never routed; its upper half
# 198.19.0.0/16 so that netns-device.sh's 198.18.N.0/24 never meet these):
#   root namespace  198.19.0.1/16 on veth xrcsmh  (escd connects from here)
#   repository      198.19.0.2/16 in the namespace: tftpd-hpa serving $FLEET_ROOT/srv (/repo)
#   device i        198.19.(1+(i-1)/250).(1+(i-1)%250)/32 in the namespace: ssh on 22
# Nothing is routed anywhere else; nothing listens outside the namespace.
#
# Usage:
#   fleet.sh up N [--op-seconds S] [--reload-seconds S] [--reload-delay S] [--prefix P]
#                 [--platform P] [--version V] [--image-kb K] [--conf KEY=VALUE]...
#   fleet.sh down             stop everything, remove the namespace, the files, the user
#   fleet.sh reset            factory-reset every device, empty the command log (no session open)
#   fleet.sh status           devices, open sessions, processes, devices reloading
#   fleet.sh env | hosts      the fleet's variables | "<hostname> <address>" per device
#   fleet.sh cpu              CPU seconds the fleet used so far (sshd, emulators, workers, tftpd)
# Requires root. Files under $FLEET_ROOT (default /run/escd-csm).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
xr=$(cd "$here/../../tools/xr-device" && pwd)
root=${FLEET_ROOT:-/run/escd-csm}
ns=xrcsm
veth_host=xrcsmh
veth_ns=xrcsmd
user=xrfleet
pass=xrfleet
repo_addr=198.19.0.2
host_addr=198.19.0.1
ipset_name=xrfleet-reloading
cg_name=escd-csm-fleet

die() {
    echo "fleet.sh: $*" >&2
    exit 1
}

need_root() {
    [[ $(id -u) -eq 0 ]] || die "must run as root"
}

# Address of device i (1-based).
device_addr() {
    local i=$1
    echo "198.19.$((1 + (i - 1) / 250)).$((1 + (i - 1) % 250))"
}

# The cgroup that accounts the fleet's CPU (cgroup v1 cpuacct, or v2); empty when neither can
# be made. Every process the fleet starts is in it, and so are their children, double-forked
# install workers included (membership is inherited, whoever reaps them).
cgroup_dir() {
    if [[ -w /sys/fs/cgroup/cpuacct ]] && [[ -f /sys/fs/cgroup/cpuacct/cpuacct.usage ]]; then
        echo "/sys/fs/cgroup/cpuacct/$cg_name"
    elif [[ -f /sys/fs/cgroup/cgroup.controllers ]] && [[ -w /sys/fs/cgroup ]]; then
        echo "/sys/fs/cgroup/$cg_name"
    fi
}

# CPU nanoseconds used by the fleet's cgroup.
cgroup_cpu_ns() {
    local cg=$1
    if [[ -f $cg/cpuacct.usage ]]; then
        cat "$cg/cpuacct.usage"
    elif [[ -f $cg/cpu.stat ]]; then
        echo $(($(awk '$1 == "usage_usec" {print $2}' "$cg/cpu.stat") * 1000))
    else
        echo 0
    fi
}

# Starts "$@" in the namespace, detached, in the fleet's cgroup; records its pid in $1.pid.
start_daemon() {
    local pidname=$1 cg
    shift
    cg=$(cat "$root/cgroup" 2>/dev/null || true)
    (
        if [[ -n $cg ]]; then echo "$BASHPID" >"$cg/cgroup.procs"; fi
        exec ip netns exec "$ns" setsid "$@" </dev/null
    ) &
    echo $! >"$root/$pidname.pid"
}

# True when the installed sshd is OpenSSH MAJOR.MINOR or later.
sshd_at_least() {
    local v major minor
    v=$(/usr/sbin/sshd -V 2>&1 | sed -n 's/^OpenSSH_\([0-9]*\)\.\([0-9]*\).*/\1 \2/p' | head -1)
    [[ -n $v ]] || return 1
    read -r major minor <<<"$v"
    ((major > $1 || (major == $1 && minor >= $2)))
}

write_sshd_config() {
    local n=$1 i name addr
    {
        cat <<EOF
# Written by bench/csm/fleet.sh: one sshd for every device of the fleet.
Port 22
ListenAddress 0.0.0.0
HostKey $root/ssh/ssh_host_ed25519_key
HostKey $root/ssh/ssh_host_ecdsa_key
HostKey $root/ssh/ssh_host_rsa_key
PidFile $root/ssh/sshd.pid
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication no
PermitRootLogin no
AllowUsers $user
PrintMotd no
PrintLastLog no
UseDNS no
StrictModes no
DisableForwarding yes
PermitUserEnvironment no
LogLevel ${FLEET_SSHD_LOGLEVEL:-INFO}
# Each device would have its own sshd: this one must not refuse logins that N devices would
# all accept at once (the default 10:30:100 drops 30% of the handshakes beyond ten).
MaxStartups $((n + 100))
# An address that is no device's (the repository's): no shell.
ForceCommand /bin/false
EOF
        # OpenSSH 9.8 and later penalise a source address whose connections end before they
        # authenticate: every connection here comes from 198.19.0.1, escd's.
        if sshd_at_least 9 8; then echo "PerSourcePenalties no"; fi
        while read -r name addr; do
            printf 'Match LocalAddress %s\n    ForceCommand exec %s --state %s --command-log %s\n' \
                "$addr" "$root/bin/escd-xr-device" "$root/dev/$name/state" "$root/commands.log"
        done <"$root/hosts"
    } >"$root/ssh/sshd_config"
}

# The reload hook: a device's reload_command writes "<address> <state dir>" into ctl/reload.fifo
# (as the fleet user); this loop (root, in the namespace) puts the address into an ipset with a
# timeout until the device's reload_until, and an iptables rule answers new ssh connections to it
# with a TCP reset ("Connection refused", as netns-device.sh's stopped sshd). The kernel drops the
# entry when the timeout passes; connections already open are ended by the emulator itself.
reload_daemon() {
    local addr state now until secs
    declare -A known=()
    while read -r _ addr; do known[$addr]=1; done <"$root/hosts"
    exec 3<>"$root/ctl/reload.fifo"
    while read -r -u 3 addr state; do
        [[ -n ${known[$addr]:-} ]] || continue
        printf -v now '%(%s)T' -1
        until=$(sed -n 's/^reload_until=//p' "$state/db/system" 2>/dev/null || true)
        secs=1
        if [[ $until =~ ^[0-9]+$ ]] && ((until > now)); then secs=$((until - now)); fi
        ipset -exist add "$ipset_name" "$addr" timeout "$secs"
        echo "$(date -u +%FT%T.%3NZ) $addr reloading: ssh refused for ${secs}s"
    done
}

cmd_up() {
    need_root
    local n=${1:-}
    if ! [[ $n =~ ^[0-9]+$ ]] || ((n < 1 || n > 5000)); then die "usage: up N (1..5000) [options]"; fi
    shift
    local op_seconds=2 reload_seconds=10 reload_delay=1 prefix=xr platform="IOS-XRv 9000"
    local version=6.1.3 image_kb=0
    local -a extra=()
    while [[ $# -gt 0 ]]; do
        case $1 in
        --op-seconds) op_seconds=$2; shift 2 ;;
        --reload-seconds) reload_seconds=$2; shift 2 ;;
        --reload-delay) reload_delay=$2; shift 2 ;;
        --prefix) prefix=$2; shift 2 ;;
        --platform) platform=$2; shift 2 ;;
        --version) version=$2; shift 2 ;;
        --image-kb) image_kb=$2; shift 2 ;;
        --conf) extra+=("$2"); shift 2 ;;
        *) die "unknown option $1" ;;
        esac
    done
    [[ $prefix =~ ^[a-z][a-z0-9-]{0,20}$ ]] || die "--prefix: a-z, then a-z 0-9 -"
    [[ -e $root ]] && die "$root exists: a fleet is up (run: down)"
    ip netns list | grep -qw "$ns" && die "namespace $ns exists (run: down)"
    for tool in /usr/sbin/sshd /usr/sbin/in.tftpd ipset iptables curl; do
        command -v "$tool" >/dev/null 2>&1 || die "missing $tool (tools/xr-device/install-deps.sh; ipset)"
    done

    local bin=$xr/build/escd-xr-device
    if [[ ! -x $bin ]] || [[ -n $(find "$xr/src" -newer "$bin" -print -quit) ]]; then
        "$xr/build.sh" --static >/dev/null
    fi

    mkdir -p "$root"/{bin,ssh,log,ctl,dev,srv/repo}
    chmod 755 "$root" "$root/bin" "$root/dev" "$root/srv" "$root/srv/repo"
    if ! id "$user" >/dev/null 2>&1; then
        useradd -M -d "$root/home" -s /bin/sh "$user"
        touch "$root/created-user"
    fi
    # SHA-512 crypt (5000 rounds, ~2 ms) rather than Debian 12's yescrypt default (chpasswd goes
    # through PAM: ~20 ms of CPU per login), since every device's logins run on escd's cores.
    if command -v openssl >/dev/null 2>&1; then
        usermod -p "$(openssl passwd -6 "$pass")" "$user"
    else
        echo "$user:$pass" | chpasswd
    fi
    install -d -o "$user" -g "$user" -m 755 "$root/home"
    install -m 755 "$bin" "$root/bin/escd-xr-device"

    local cg
    cg=$(cgroup_dir)
    if [[ -n $cg ]] && mkdir -p "$cg" 2>/dev/null; then echo "$cg" >"$root/cgroup"; fi

    # Devices: hosts file, state directories with device.conf.
    local width=${#n} i name addr
    ((width < 3)) && width=3
    : >"$root/hosts"
    for ((i = 1; i <= n; i++)); do
        printf -v name '%s%0*d' "$prefix" "$width" "$i"
        addr=$(device_addr "$i")
        echo "$name $addr" >>"$root/hosts"
        mkdir -p "$root/dev/$name/state"
        {
            echo "hostname=$name"
            echo "platform=$platform"
            echo "version=$version"
            echo "username=$user"
            echo "password=$pass"
            echo "op_seconds=$op_seconds"
            echo "reload_seconds=$reload_seconds"
            echo "reload_delay=$reload_delay"
            echo "reload_command=echo $addr \"\$XR_DEVICE_STATE\" >$root/ctl/reload.fifo"
            local kv
            for kv in "${extra[@]}"; do echo "$kv"; done
        } >"$root/dev/$name/state/device.conf"
    done
    chown -R "$user:" "$root/dev"
    : >"$root/commands.log"
    chown "$user:" "$root/commands.log"
    chmod 664 "$root/commands.log"
    mkfifo -m 620 "$root/ctl/reload.fifo"
    chown "root:$user" "$root/ctl/reload.fifo"

    # The factory state of every device, made now rather than by its first login.
    while read -r name _; do
        "$root/bin/escd-xr-device" --state "$root/dev/$name/state" -c "show clock" >/dev/null
    done <"$root/hosts"

    # Repository: an image of release 6.2.1 (reload on activation) and two rpms of it.
    local repo=$root/srv/repo
    {
        echo "version=6.2.1"
        if ((image_kb > 0)); then head -c $((image_kb * 1024)) /dev/zero | tr '\0' 'x'; fi
    } >"$repo/xrv9k-mini-x-6.2.1.iso"
    printf 'fleet rpm\n' >"$repo/xrv9k-mgbl-3.0.0.0-r621.x86_64.rpm"
    printf 'fleet rpm\n' >"$repo/xrv9k-k9sec-3.1.0.0-r621.x86_64.rpm"
    chmod 644 "$repo"/*

    ssh-keygen -q -t ed25519 -N '' -f "$root/ssh/ssh_host_ed25519_key"
    ssh-keygen -q -t ecdsa -N '' -f "$root/ssh/ssh_host_ecdsa_key"
    ssh-keygen -q -t rsa -b 2048 -N '' -f "$root/ssh/ssh_host_rsa_key"
    write_sshd_config "$n"
    mkdir -p /run/sshd

    # Network: one namespace, one veth pair, every device address on the namespace's end.
    ip netns add "$ns"
    ip link add "$veth_host" type veth peer name "$veth_ns"
    ip link set "$veth_ns" netns "$ns"
    ip addr add "$host_addr/16" dev "$veth_host"
    ip link set "$veth_host" up
    {
        echo "link set lo up"
        echo "addr add $repo_addr/16 dev $veth_ns"
        while read -r _ addr; do echo "addr add $addr/32 dev $veth_ns"; done <"$root/hosts"
        echo "link set $veth_ns up"
    } | ip -n "$ns" -batch -
    ip netns exec "$ns" ipset create "$ipset_name" hash:ip timeout 0 maxelem 65536
    ip netns exec "$ns" iptables -w -A INPUT -p tcp --dport 22 --syn \
        -m set --match-set "$ipset_name" dst -j REJECT --reject-with tcp-reset

    cat >"$root/fleet.env" <<EOF
FLEET_ROOT=$root
FLEET_NETNS=$ns
FLEET_SIZE=$n
FLEET_HOSTS=$root/hosts
FLEET_USER=$user
FLEET_PASSWORD=$pass
FLEET_HOST_ADDR=$host_addr
FLEET_REPO_ADDR=$repo_addr
FLEET_TFTP_URL=tftp://$repo_addr/repo
FLEET_REPO=$repo
FLEET_COMMAND_LOG=$root/commands.log
FLEET_OP_SECONDS=$op_seconds
FLEET_RELOAD_SECONDS=$reload_seconds
FLEET_RELOAD_DELAY=$reload_delay
FLEET_IMAGE=xrv9k-mini-x-6.2.1.iso
FLEET_RPMS="xrv9k-mgbl-3.0.0.0-r621.x86_64.rpm xrv9k-k9sec-3.1.0.0-r621.x86_64.rpm"
EOF

    start_daemon reloadd "$here/fleet.sh" _reloadd "$root"
    start_daemon tftpd /usr/sbin/in.tftpd -L -a "$repo_addr:69" -s "$root/srv" -u "$user" \
        2>>"$root/log/tftpd.log"
    # -r: no re-exec per connection (the child is a fork of the listener, config and host keys
    # already loaded): ~10 ms less CPU per login. OpenSSH 9.8 and later re-exec regardless.
    start_daemon sshd /usr/sbin/sshd -r -D -f "$root/ssh/sshd_config" -E "$root/log/sshd.log"

    local first
    first=$(device_addr 1)
    for _ in $(seq 1 100); do
        if bash -c "exec 3<>/dev/tcp/$first/22" 2>/dev/null; then
            cat "$root/fleet.env"
            return 0
        fi
        sleep 0.1
    done
    die "the fleet's sshd did not come up (see $root/log)"
}

# True while a process runs. A zombie does not: the daemons' parent is init once up has
# returned, and an init that reaps seldom (a container's) leaves them as zombies for seconds.
running() {
    local state
    state=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1)
    [[ -n $state && $state != Z ]]
}

stop_pidfile() {
    local f=$1 pid
    [[ -f $f ]] || return 0
    pid=$(cat "$f")
    if [[ $pid =~ ^[0-9]+$ ]] && running "$pid"; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 30); do
            running "$pid" || break
            sleep 0.1
        done
    fi
    rm -f "$f"
}

cmd_down() {
    need_root
    stop_pidfile "$root/sshd.pid"
    stop_pidfile "$root/tftpd.pid"
    stop_pidfile "$root/reloadd.pid"
    # What still runs in the namespace was started for the fleet: sessions, install workers,
    # a reload's hook, curl.
    if ip netns list | grep -qw "$ns"; then
        local pids
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        if [[ -n $pids ]]; then
            # shellcheck disable=SC2086
            kill $pids 2>/dev/null || true
            sleep 0.3
            pids=$(for p in $(ip netns pids "$ns" 2>/dev/null); do running "$p" && echo "$p"; done)
            # shellcheck disable=SC2086
            [[ -z $pids ]] || kill -KILL $pids 2>/dev/null || true
        fi
        ip netns del "$ns"
    fi
    ip link del "$veth_host" 2>/dev/null || true
    local cg
    cg=$(cat "$root/cgroup" 2>/dev/null || true)
    if [[ -n $cg ]] && [[ -d $cg ]]; then
        # Busy while a killed process is a zombie not yet reaped (see running).
        for _ in $(seq 1 100); do
            rmdir "$cg" 2>/dev/null && break
            sleep 0.1
        done
        [[ -d $cg ]] && echo "fleet.sh: cgroup $cg left behind (processes in it)" >&2
    fi
    if [[ -f $root/created-user ]] && id "$user" >/dev/null 2>&1; then
        remove_user
    fi
    rm -rf "$root"
}

# Removes the fleet user (made by up) once none of its processes is left: the user exists only
# for the fleet, so any process of it is the fleet's.
remove_user() {
    local pids
    for _ in $(seq 1 20); do
        pids=$(ps -o pid=,stat= -u "$user" 2>/dev/null | awk '$2 !~ /^Z/ {print $1}' || true)
        [[ -z $pids ]] && break
        # shellcheck disable=SC2086
        kill $pids 2>/dev/null || true
        sleep 0.1
    done
    userdel "$user" 2>/dev/null || echo "fleet.sh: could not remove user $user" >&2
}

cmd_reset() {
    need_root
    [[ -f $root/hosts ]] || die "no fleet is up"
    local name open=0 s
    while read -r name _; do
        for s in "$root/dev/$name/state/sessions"/*; do
            [[ -e $s ]] && [[ -d /proc/$(basename "$s") ]] && open=$((open + 1))
        done
    done <"$root/hosts"
    ((open == 0)) || die "$open sessions are open"
    while read -r name _; do
        "$root/bin/escd-xr-device" --state "$root/dev/$name/state" --factory-reset
        "$root/bin/escd-xr-device" --state "$root/dev/$name/state" -c "show clock" >/dev/null
    done <"$root/hosts"
    ip netns exec "$ns" ipset flush "$ipset_name"
    : >"$root/commands.log"
}

cmd_status() {
    [[ -f $root/hosts ]] || die "no fleet is up"
    local devices sessions=0 emus=0 sshds=0 procs=0 p comm reloading
    devices=$(wc -l <"$root/hosts")
    for p in $(ip netns pids "$ns" 2>/dev/null); do
        procs=$((procs + 1))
        comm=$(cat "/proc/$p/comm" 2>/dev/null || true)
        [[ $comm == escd-xr-device ]] && emus=$((emus + 1))
        [[ $comm == sshd ]] && sshds=$((sshds + 1))
    done
    for p in "$root"/dev/*/state/sessions/*; do
        [[ -e $p ]] && [[ -d /proc/$(basename "$p") ]] && sessions=$((sessions + 1))
    done
    reloading=$(ip netns exec "$ns" ipset list "$ipset_name" 2>/dev/null |
        sed -n '/^Members:/,$p' | grep -c timeout || true)
    echo "devices=$devices sessions=$sessions processes=$procs sshd=$sshds emulators=$emus reloading=$reloading commands_logged=$(wc -l <"$root/commands.log")"
}

cmd_cpu() {
    local cg
    cg=$(cat "$root/cgroup" 2>/dev/null || true)
    [[ -n $cg ]] || die "no cgroup accounts this fleet"
    awk -v ns="$(cgroup_cpu_ns "$cg")" 'BEGIN {printf "%.3f\n", ns / 1e9}'
}

case ${1:-} in
up) shift; cmd_up "$@" ;;
down) cmd_down ;;
reset) cmd_reset ;;
status) cmd_status ;;
env) cat "$root/fleet.env" ;;
hosts) cat "$root/hosts" ;;
cpu) cmd_cpu ;;
_reloadd) root=$2; reload_daemon >>"$root/log/reloadd.log" 2>&1 ;;
*) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
