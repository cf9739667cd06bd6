#!/bin/bash
# A jump host for the device session tests: OpenSSH's sshd in the root network namespace,
# listening on 127.0.0.1 only, with its own configuration, host key and log in DIR, a local
# account allowed to open direct-tcpip channels (AllowTcpForwarding) and nothing else (no shell,
# no pty). The emulated devices (tools/xr-device/netns-device.sh) are reachable from here.
#
# Usage:
#   jump-sshd.sh up DIR PORT USER PASSWORD [password|kbdint]
#       starts sshd in the background (pid in DIR/sshd.pid) and waits until it listens.
#       password: password authentication only; kbdint: keyboard-interactive only (through PAM,
#       as IOS XR's jump servers often offer it).
#   jump-sshd.sh down DIR
#       stops it and removes DIR (the account stays: other runs reuse it).
# Requires root (it creates the account and runs sshd).
set -euo pipefail

die() {
    echo "jump-sshd.sh: $*" >&2
    exit 1
}

cmd_up() {
    local dir=${1:?DIR} port=${2:?PORT} user=${3:?USER} password=${4:?PASSWORD}
    local auth=${5:-password}
    [[ $(id -u) -eq 0 ]] || die "must run as root"
    [[ -x /usr/sbin/sshd ]] || die "missing /usr/sbin/sshd (openssh-server)"
    [[ $port =~ ^[0-9]+$ ]] || die "PORT must be a number"
    [[ $user =~ ^[a-z][a-z0-9-]{0,30}$ ]] || die "USER: lower-case letters, digits, -"
    local password_auth=yes kbdint_auth=no use_pam=no
    case $auth in
    password) ;;
    kbdint) password_auth=no kbdint_auth=yes use_pam=yes ;;
    *) die "auth must be password or kbdint" ;;
    esac

    if ! id "$user" >/dev/null 2>&1; then
        useradd -M -d /nonexistent -s /usr/sbin/nologin "$user"
    fi
    echo "$user:$password" | chpasswd

    mkdir -p "$dir"
    chmod 700 "$dir"
    rm -f "$dir/host_key" "$dir/host_key.pub"
    ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key"
    mkdir -p /run/sshd
    cat >"$dir/sshd_config" <<EOF
Port $port
ListenAddress 127.0.0.1
HostKey $dir/host_key
PidFile $dir/sshd.pid
UsePAM $use_pam
PasswordAuthentication $password_auth
KbdInteractiveAuthentication $kbdint_auth
PubkeyAuthentication no
PermitRootLogin no
AllowUsers $user
AllowTcpForwarding yes
PermitTTY no
X11Forwarding no
AllowAgentForwarding no
ForceCommand /bin/false
PrintMotd no
UseDNS no
StrictModes no
LogLevel VERBOSE
EOF
    /usr/sbin/sshd -t -f "$dir/sshd_config" || die "sshd rejects the configuration"
    # Its output goes to files (-E, sshd.out), never to ours: a caller reading our output to its end
    # would otherwise wait for sshd to exit.
    /usr/sbin/sshd -D -f "$dir/sshd_config" -E "$dir/sshd.log" </dev/null >>"$dir/sshd.out" 2>&1 &
    echo $! >"$dir/sshd.pid"
    local _
    for _ in $(seq 1 50); do
        if bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null; then
            return 0
        fi
        sleep 0.1
    done
    die "sshd did not listen on 127.0.0.1:$port (see $dir/sshd.log)"
}

cmd_down() {
    local dir=${1:?DIR} pid
    if [[ -f $dir/sshd.pid ]]; then
        pid=$(cat "$dir/sshd.pid")
        if [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null; then
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 20); do
                kill -0 "$pid" 2>/dev/null || break
                sleep 0.1
            done
        fi
    fi
    rm -rf "$dir"
}

case ${1:-} in
up) shift; cmd_up "$@" ;;
down) shift; cmd_down "$@" ;;
*) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
esac
