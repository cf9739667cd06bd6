#!/bin/bash
# Runs one emulated IOS XR device in its own network namespace, reachable from the root
# namespace over a veth pair with addresses from 198.18.0.0/15 (RFC 2544 benchmark range, never
# routed): host side 198.18.N.1/24, device side 198.18.N.2/24.
#
# In the namespace: OpenSSH sshd (port 22; user cisco lands in the emulator's CLI through
# ForceCommand, user xfer gets sftp/scp), busybox telnetd (port 23, Username:/Password: asked by
# the emulator), tftpd-hpa (69/udp) and vsftpd (21) serving the repository directory
# $run/srv/repo. A supervisor loop restarts sshd and telnetd after a device reload.
#
# Usage:
#   netns-device.sh up NAME [--index N] [--platform P] [--version V] [--hostname H]
#                           [--reload-seconds S] [--op-seconds S] [--conf KEY=VALUE]...
#                           [--os exr|classic]   (classic: 32-bit IOS XR, default ASR9K 5.3.3)
#   netns-device.sh down NAME
#   netns-device.sh env NAME      print the shell variables of a running device
#   netns-device.sh list
# Requires root. State: /run/escd-xr/NAME (override the root with XR_RUN_ROOT).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
run_root=${XR_RUN_ROOT:-/run/escd-xr}
device_user=cisco
device_pass=cisco
xfer_user=xfer
xfer_pass=xfer

die() {
    echo "netns-device.sh: $*" >&2
    exit 1
}

need_root() {
    [[ $(id -u) -eq 0 ]] || die "must run as root"
}

# Creates a local account with a password unless it exists (the device login and the
# file-transfer login of the repository servers).
ensure_user() {
    local user=$1 pass=$2
    if ! id "$user" >/dev/null 2>&1; then
        useradd -m -s /bin/sh "$user"
    fi
    echo "$user:$pass" | chpasswd
}

pick_index() {
    local n used
    for n in $(seq 1 254); do
        used=0
        for f in "$run_root"/*/index; do
            [[ -f $f ]] && [[ $(cat "$f") == "$n" ]] && used=1
        done
        ip link show "xrd${n}h" >/dev/null 2>&1 && used=1
        if [[ $used -eq 0 ]]; then
            echo "$n"
            return
        fi
    done
    die "no free index"
}

write_env() {
    local name=$1 run=$2 idx=$3 addr="198.18.$3.2"
    cat >"$run/env" <<EOF
XR_NAME=$name
XR_NETNS=xrd-$name
XR_INDEX=$idx
XR_ADDR=$addr
XR_HOST_ADDR=198.18.$idx.1
XR_USER=$device_user
XR_PASSWORD=$device_pass
XR_XFER_USER=$xfer_user
XR_XFER_PASSWORD=$xfer_pass
XR_RUN=$run
XR_STATE=$run/state
XR_REPO=$run/srv/repo
XR_TFTP_URL=tftp://$addr/repo
XR_FTP_URL=ftp://$xfer_user@$addr/repo
XR_SFTP_URL=sftp://$xfer_user@$addr$run/srv/repo
XR_SCP_SOURCE=$xfer_user@$addr:$run/srv/repo
EOF
}

write_sshd_config() {
    local run=$1
    cat >"$run/ssh/sshd_config" <<EOF
Port 22
ListenAddress 0.0.0.0
HostKey $run/ssh/ssh_host_ed25519_key
HostKey $run/ssh/ssh_host_ecdsa_key
HostKey $run/ssh/ssh_host_rsa_key
PidFile $run/ssh/sshd.pid
UsePAM no
PasswordAuthentication yes
KbdInteractiveAuthentication no
PubkeyAuthentication yes
PermitRootLogin no
AllowUsers $device_user $xfer_user
PrintMotd no
PrintLastLog no
UseDNS no
StrictModes no
# sshd's default (10:30:100) drops 30% of the handshakes beyond ten at once; the tests and the
# benchmark log in to one device twenty and more at a time.
MaxStartups 200
Subsystem sftp internal-sftp
Match User $device_user
    ForceCommand exec $run/bin/escd-xr-device --state $run/state
    DisableForwarding yes
EOF
}

write_vsftpd_config() {
    local run=$1
    printf '%s\n' "$xfer_user" "$device_user" >"$run/ftp-users"
    cat >"$run/vsftpd.conf" <<EOF
listen=YES
listen_ipv6=NO
background=NO
anonymous_enable=NO
local_enable=YES
write_enable=NO
local_root=$run/srv
pam_service_name=vsftpd
secure_chroot_dir=/var/run/vsftpd/empty
userlist_enable=YES
userlist_deny=NO
userlist_file=$run/ftp-users
seccomp_sandbox=NO
pasv_enable=YES
pasv_min_port=30000
pasv_max_port=30100
xferlog_enable=YES
vsftpd_log_file=$run/log/vsftpd.log
EOF
}

# The supervisor runs inside the namespace as root. It owns sshd and telnetd: a reload of the
# device (reload_command writes ctl/reload.request) stops both, waits, and starts them again.
supervise() {
    local run=$1 sshd_pid="" telnetd_pid=""
    start_servers() {
        /usr/sbin/sshd -D -f "$run/ssh/sshd_config" -E "$run/log/sshd.log" &
        sshd_pid=$!
        busybox telnetd -F -K -p 23 -f "$run/issue.net" -l "$run/bin/telnet-login" \
            >>"$run/log/telnetd.log" 2>&1 &
        telnetd_pid=$!
    }
    stop_servers() {
        local p
        for p in $sshd_pid $telnetd_pid; do
            kill "$p" 2>/dev/null || true
        done
        for p in $sshd_pid $telnetd_pid; do
            wait "$p" 2>/dev/null || true
        done
        sshd_pid=""
        telnetd_pid=""
    }
    trap 'stop_servers; exit 0' TERM INT
    start_servers
    while true; do
        if [[ -f $run/ctl/reload.request ]]; then
            local secs
            secs=$(cat "$run/ctl/reload.request" 2>/dev/null || echo 10)
            rm -f "$run/ctl/reload.request"
            [[ $secs =~ ^[0-9]+$ ]] || secs=10
            echo "$(date -u +%FT%TZ) reload: servers down for ${secs}s" >>"$run/log/supervisor.log"
            stop_servers
            sleep "$secs" &
            wait $! || true
            start_servers
            echo "$(date -u +%FT%TZ) reload: servers up" >>"$run/log/supervisor.log"
        fi
        sleep 0.3 &
        wait $! || true
    done
}

cmd_up() {
    need_root
    local name=${1:-}
    [[ -n $name ]] || die "usage: up NAME [options]"
    shift
    local idx="" platform="" version="" hostname="" reload_seconds=20 op_seconds=3 os=""
    local -a extra=()
    while [[ $# -gt 0 ]]; do
        case $1 in
        --index) idx=$2; shift 2 ;;
        --platform) platform=$2; shift 2 ;;
        --version) version=$2; shift 2 ;;
        --hostname) hostname=$2; shift 2 ;;
        --reload-seconds) reload_seconds=$2; shift 2 ;;
        --op-seconds) op_seconds=$2; shift 2 ;;
        --conf) extra+=("$2"); shift 2 ;;
        --os) os=$2; shift 2 ;;
        *) die "unknown option $1" ;;
        esac
    done
    case $os in
    "" | exr) [[ -n $platform ]] || platform="IOS-XRv 9000"; [[ -n $version ]] || version=6.1.3 ;;
    classic) [[ -n $platform ]] || platform="ASR9K Series"; [[ -n $version ]] || version=5.3.3 ;;
    *) die "--os: exr or classic" ;;
    esac
    [[ $name =~ ^[a-z0-9][a-z0-9-]{0,10}$ ]] || die "NAME: 1-11 chars of a-z 0-9 -"
    local run=$run_root/$name ns=xrd-$name
    [[ -e $run ]] && die "device $name exists (run: down $name)"
    [[ -n $idx ]] || idx=$(pick_index)
    [[ -n $hostname ]] || hostname=$name

    local bin=$here/build/escd-xr-device
    if [[ ! -x $bin ]] || [[ -n $(find "$here/src" -newer "$bin" -print -quit) ]]; then
        "$here/build.sh" --static >/dev/null
    fi
    for tool in sshd in.tftpd vsftpd busybox curl; do
        command -v "$tool" >/dev/null 2>&1 || [[ -x /usr/sbin/$tool ]] || die "missing $tool (see README.md)"
    done
    busybox telnetd --help >/dev/null 2>&1 || die "busybox has no telnetd (install busybox-static)"
    ensure_user "$device_user" "$device_pass"
    ensure_user "$xfer_user" "$xfer_pass"

    mkdir -p "$run"/{bin,ssh,log,ctl,state,srv/repo}
    chmod 755 "$run_root" "$run" "$run/bin" "$run/srv" "$run/srv/repo"
    echo "$idx" >"$run/index"
    install -m 755 "$bin" "$run/bin/escd-xr-device"
    printf '#!/bin/sh\nexec %s --login --state %s\n' "$run/bin/escd-xr-device" "$run/state" \
        >"$run/bin/telnet-login"
    chmod 755 "$run/bin/telnet-login"
    : >"$run/issue.net"
    {
        echo "hostname=$hostname"
        [[ -z $os ]] || echo "os=$os"
        echo "platform=$platform"
        echo "version=$version"
        echo "username=$device_user"
        echo "password=$device_pass"
        echo "reload_seconds=$reload_seconds"
        echo "op_seconds=$op_seconds"
        echo "reload_command=echo \"\$XR_RELOAD_SECONDS\" > $run/ctl/reload.request"
        local kv
        for kv in "${extra[@]}"; do echo "$kv"; done
    } >"$run/state/device.conf"
    chown -R "$device_user:" "$run/state" "$run/ctl"
    chmod 775 "$run/ctl"

    ssh-keygen -q -t ed25519 -N '' -f "$run/ssh/ssh_host_ed25519_key"
    ssh-keygen -q -t ecdsa -N '' -f "$run/ssh/ssh_host_ecdsa_key"
    ssh-keygen -q -t rsa -b 2048 -N '' -f "$run/ssh/ssh_host_rsa_key"
    write_sshd_config "$run"
    write_vsftpd_config "$run"
    mkdir -p /run/sshd /var/run/vsftpd/empty

    ip netns add "$ns"
    ip link add "xrd${idx}h" type veth peer name "xrd${idx}d"
    ip link set "xrd${idx}d" netns "$ns"
    ip addr add "198.18.$idx.1/24" dev "xrd${idx}h"
    ip link set "xrd${idx}h" up
    ip -n "$ns" link set lo up
    ip -n "$ns" addr add "198.18.$idx.2/24" dev "xrd${idx}d"
    ip -n "$ns" link set "xrd${idx}d" up
    ip -n "$ns" route add default via "198.18.$idx.1"

    ip netns exec "$ns" setsid "$here/netns-device.sh" _supervise "$run" </dev/null >>"$run/log/supervisor.log" 2>&1 &
    echo $! >"$run/supervisor.pid"
    ip netns exec "$ns" setsid /usr/sbin/in.tftpd -L -a 0.0.0.0:69 -s "$run/srv" -u "$xfer_user" \
        </dev/null >>"$run/log/tftpd.log" 2>&1 &
    echo $! >"$run/tftpd.pid"
    ip netns exec "$ns" setsid /usr/sbin/vsftpd "$run/vsftpd.conf" </dev/null >>"$run/log/vsftpd.out" 2>&1 &
    echo $! >"$run/vsftpd.pid"

    write_env "$name" "$run" "$idx"
    # Wait until the device answers on ssh and telnet ports.
    for _ in $(seq 1 50); do
        if ip netns exec "$ns" bash -c 'exec 3<>/dev/tcp/127.0.0.1/22 && exec 4<>/dev/tcp/127.0.0.1/23' 2>/dev/null; then
            cat "$run/env"
            return 0
        fi
        sleep 0.2
    done
    die "device $name did not come up (see $run/log)"
}

stop_pidfile() {
    local f=$1 pid
    [[ -f $f ]] || return 0
    pid=$(cat "$f")
    if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
        kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 20); do
            kill -0 "$pid" 2>/dev/null || break
            sleep 0.1
        done
    fi
    rm -f "$f"
}

cmd_down() {
    need_root
    local name=${1:-}
    [[ -n $name ]] || die "usage: down NAME"
    local run=$run_root/$name ns=xrd-$name idx=""
    [[ -f $run/index ]] && idx=$(cat "$run/index")
    stop_pidfile "$run/supervisor.pid"
    stop_pidfile "$run/tftpd.pid"
    stop_pidfile "$run/vsftpd.pid"
    # Whatever still runs in the namespace was started for this device (sessions, workers).
    if ip netns list | grep -qw "$ns"; then
        local pids
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        if [[ -n $pids ]]; then
            # shellcheck disable=SC2086
            kill $pids 2>/dev/null || true
        fi
        ip netns del "$ns"
    fi
    if [[ -n $idx ]]; then
        ip link del "xrd${idx}h" 2>/dev/null || true
    fi
    # Background install workers of this device run as the device user outside the namespace
    # bookkeeping; their pids are in the operation files.
    if [[ -d $run/state/db/ops ]]; then
        local meta pid
        for meta in "$run"/state/db/ops/*.meta; do
            [[ -f $meta ]] || continue
            pid=$(sed -n 's/^worker_pid=//p' "$meta")
            if [[ $pid =~ ^[0-9]+$ ]] && [[ $pid -gt 0 ]] && grep -qs escd-xr-device "/proc/$pid/cmdline"; then
                kill "$pid" 2>/dev/null || true
            fi
        done
    fi
    rm -rf "$run"
}

case ${1:-} in
up) shift; cmd_up "$@" ;;
down) shift; cmd_down "$@" ;;
env) cat "$run_root/${2:?NAME}/env" ;;
list) ls "$run_root" 2>/dev/null || true ;;
_supervise) supervise "$2" ;;
*) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
