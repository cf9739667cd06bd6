# shellcheck shell=bash
# The sourcing scripts set smoke, ns, dir and guest_mac, and read guest_ip, pressed and gone.
# shellcheck disable=SC2034,SC2154
# What smoke.sh and device-smoke.sh share (sourced; developer checks, not run by CI): messages,
# the network namespace with the tap the guest's NIC is on, qemu started as escd attaches the
# image, QMP, and the cleanup of all of it on any exit.
#
# The sourcing script sets first: `smoke` (its name in messages), `ns` (the namespace to make),
# `dir` (its temporary directory), `guest_mac`; then calls smoke_init after its own checks.
# Addresses are of 192.0.2.0/24 (TEST-NET-1) inside the namespace only, so no guest packet can
# reach any address of this host.

host_ip=192.0.2.1
guest_ip=192.0.2.10
memory=${ESCD_VNF_SMOKE_MEMORY:-128}
qemu_pid=
# Processes the script started in the namespace besides qemu (ping, tftpd): killed on exit.
helper_pids=()

say() { echo "$smoke: $*" >&2; }
die() {
    say "FAIL: $*"
    if [[ -s ${dir:-}/console.log ]]; then
        say "console (last lines):"
        tail -n 25 "$dir/console.log" | tr -d '\r' | sed 's/^/  | /' >&2
    fi
    exit 1
}
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", b - a }'; }
in_ns() { ip netns exec "$ns" "$@"; }

smoke_cleanup() {
    local pid
    for pid in "${helper_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    if [[ -n $qemu_pid ]] && kill -0 "$qemu_pid" 2>/dev/null; then
        kill "$qemu_pid" 2>/dev/null
        wait "$qemu_pid" 2>/dev/null
    fi
    ip netns del "$ns" 2>/dev/null
    rm -rf "$dir"
    return 0
}

# The namespace, its loopback and tap0 with the host's address; the cleanup armed.
smoke_init() {
    trap smoke_cleanup EXIT
    trap 'exit 1' INT TERM HUP
    ip netns add "$ns"
    ip -n "$ns" link set lo up
    ip -n "$ns" tuntap add dev tap0 mode tap
    ip -n "$ns" addr add "$host_ip/24" dev tap0
    ip -n "$ns" link set tap0 up
}

# qemu (TCG) in the namespace as escd attaches the image: the read-only boot disk, the
# read-only config drive $dir/day0.tar, then each writable raw disk given, a virtio NIC on
# tap0, QMP on $dir/qmp.sock; the console to $dir/console.log (emptied first).
smoke_start_qemu() { # IMAGE [DISK...]
    local image=$1 disk
    shift
    local drives=(-drive "file=$image,if=virtio,readonly=on,format=raw"
        -drive "file=$dir/day0.tar,if=virtio,readonly=on,format=raw")
    for disk in "$@"; do drives+=(-drive "file=$disk,if=virtio,format=raw"); done
    : >"$dir/console.log"
    # Not through a function: $! must be qemu itself (ip netns exec execs it), not a subshell.
    ip netns exec "$ns" qemu-system-x86_64 -accel tcg -m "$memory" -nographic "${drives[@]}" \
        -netdev tap,id=net0,ifname=tap0,script=no,downscript=no \
        -device "virtio-net-pci,netdev=net0,mac=$guest_mac" \
        -qmp "unix:$dir/qmp.sock,server=on,wait=off" \
        </dev/null >"$dir/console.log" 2>&1 &
    qemu_pid=$!
}

smoke_qmp() { # COMMAND
    printf '%s\n' '{"execute":"qmp_capabilities"}' "{\"execute\":\"$1\"}" |
        socat - "UNIX-CONNECT:$dir/qmp.sock" >/dev/null
}

# Presses the ACPI power button and waits (10 s at most) for qemu to exit: sets `pressed` and
# `gone` (now's times).
smoke_power_off() {
    pressed=$(now)
    smoke_qmp system_powerdown
    while kill -0 "$qemu_pid" 2>/dev/null; do
        (($(date +%s) - ${pressed%.*} <= 10)) || die "qemu still runs 10 s after the power button"
        sleep 0.05
    done
    gone=$(now)
    wait "$qemu_pid" 2>/dev/null || true
    qemu_pid=
}
