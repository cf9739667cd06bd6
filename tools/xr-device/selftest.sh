#!/bin/bash
# End-to-end test of the IOS XR device emulator: brings a device up in a network namespace,
# logs in over SSH and telnet, adds packages over TFTP, FTP and SFTP (and scp + harddisk:),
# activates an image with a reload, commits, reloads, and checks that an uncommitted activation
# reverts at the next reload; then the same for a classic IOS XR device (--os classic).
# Needs root and the packages listed in README.md.
# Usage: selftest.sh [-v] [--exr|--classic]   (-v prints every transcript; --exr / --classic run
#        only the IOS XR 64-bit / the classic part)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
name=selftest
classic_name=selftest-cl
verbose=0
parts="exr classic"
for arg in "$@"; do
    case $arg in
    -v) verbose=1 ;;
    --exr) parts=exr ;;
    --classic) parts=classic ;;
    *) echo "usage: selftest.sh [-v] [--exr|--classic]" >&2; exit 2 ;;
    esac
done
passed=0
failed=0
work=$(mktemp -d /tmp/xr-selftest.XXXXXX)

cleanup() {
    "$here/netns-device.sh" down "$name" >/dev/null 2>&1 || true
    "$here/netns-device.sh" down "$classic_name" >/dev/null 2>&1 || true
    rm -rf "$work"
}
trap cleanup EXIT

"$here/build.sh" --static >/dev/null

# One CLI session: xr ssh|telnet COMMAND...; the transcript goes to stdout.
xr() {
    local proto=$1
    shift
    local rc=0
    XR_ANSWER_PASSWORD=$XR_XFER_PASSWORD "$here/xr-cli.exp" "$proto" "$XR_ADDR" "$XR_USER" \
        "$XR_PASSWORD" "terminal exec prompt no-timestamp" "$@" >"$work/raw" 2>&1 || rc=$?
    tr -d '\r' <"$work/raw" >"$work/last"
    if [[ $verbose -eq 1 ]]; then
        sed 's/^/    | /' "$work/last" >&2
    fi
    cat "$work/last"
    return $rc
}

check() {  # check DESCRIPTION TEXT REGEX
    if grep -Eq -- "$3" <<<"$2"; then
        echo "PASS  $1"
        passed=$((passed + 1))
    else
        echo "FAIL  $1 (no match for: $3)"
        printf '    | %s\n' "${2//$'\n'/$'\n'    | }"
        failed=$((failed + 1))
    fi
}

check_not() {  # check_not DESCRIPTION TEXT REGEX
    if grep -Eq -- "$3" <<<"$2"; then
        echo "FAIL  $1 (unexpected: $3)"
        printf '    | %s\n' "${2//$'\n'/$'\n'    | }"
        failed=$((failed + 1))
    else
        echo "PASS  $1"
        passed=$((passed + 1))
    fi
}

# How the device says it is idle / up (the classic part sets its own).
idle_command="show install request"
idle_text="No install operation in progress"
up_command="show platform"

wait_idle() {  # until no install operation runs
    local out
    for _ in $(seq 1 60); do
        out=$(xr ssh "$idle_command" || true)
        grep -q "$idle_text" <<<"$out" && return 0
        sleep 0.5
    done
    echo "FAIL  install operation did not end"
    failed=$((failed + 1))
}

wait_up() {  # until the device accepts logins again and all nodes run
    local out
    for _ in $(seq 1 120); do
        out=$(xr ssh "$up_command" 2>/dev/null || true)
        grep -q "IOS XR RUN" <<<"$out" && return 0
        sleep 1
    done
    echo "FAIL  device did not come back after reload"
    failed=$((failed + 1))
}

# One ssh session (xr ssh ARGS...), its transcript in $out; then until no install operation runs.
xr_idle() {
    out=$(xr ssh "$@")
    wait_idle
}

reload_and_wait() {  # reloads the device, until it is back
    xr ssh "reload" "@wait-eof" >/dev/null || true
    sleep 2
    wait_up
}

# The id of the last classic operation an output started: Install operation N '...' started
op_of() {
    sed -n "s/^Install operation \([0-9]*\) '.*' started by user .*/\1/p" <<<"$1" | tail -1
}

# --- The IOS XR 64-bit part (body kept at the top level).
if [[ $parts == *exr* ]]; then
"$here/netns-device.sh" down "$name" >/dev/null 2>&1 || true
"$here/netns-device.sh" up "$name" --reload-seconds 6 --op-seconds 1 --hostname xr-selftest \
    >"$work/env"
# shellcheck source=/dev/null
source "$work/env"

# Test packages: small files; an image carries its release, an rpm its release tag.
printf 'test rpm\n' >"$XR_REPO/xrv9k-mgbl-3.0.0.0-r621.x86_64.rpm"
printf 'test rpm\n' >"$XR_REPO/xrv9k-k9sec-3.1.0.0-r621.x86_64.rpm"
printf 'version=6.2.1\n' >"$XR_REPO/xrv9k-mini-x-6.2.1.iso"
printf 'version=6.3.1\n' >"$XR_REPO/xrv9k-mini-x-6.3.1.iso"
chmod 644 "$XR_REPO"/*

echo "== login and discovery"
out=$(xr ssh "show version" "show inventory" "admin" "show inventory chassis" "exit")
check "ssh: show version is eXR 6.1.3" "$out" "Cisco IOS XR Software, Version 6\.1\.3"
check "ssh: show version has Build Information" "$out" "^Build Information:"
check "ssh: platform line" "$out" "^cisco IOS-XRv 9000 \(\) processor"
check "ssh: inventory chassis block" "$out" 'NAME: "Rack 0", DESCR: "Cisco IOS-XRv 9000 Centralized Virtual Router"'
check "ssh: admin plane prompt" "$out" "sysadmin-vm:0_RP0# "
check "ssh: admin inventory PID" "$out" "PID: R-IOSXRV9000-CC"
out=$(xr telnet "show version" "show platform")
check "telnet: Username/Password login" "$out" "^Username: "
check "telnet: XR prompt" "$out" "^RP/0/RP0/CPU0:xr-selftest#"
check "telnet: show version" "$out" "Cisco IOS XR Software, Version 6\.1\.3"
check "telnet: show platform" "$out" "0/RP0/CPU0 +R-IOSXRV9000-RP-C\(Active\) +IOS XR RUN +NSHUT"
rc=0
XR_TIMEOUT=10 "$here/xr-cli.exp" telnet "$XR_ADDR" "$XR_USER" wrong >"$work/bad" 2>&1 || rc=$?
check "telnet: wrong password refused" "$(cat "$work/bad")" "% Authentication failed"
check "telnet: no prompt after wrong password" "rc=$rc" "^rc=5$"
out=$(xr ssh "show foo" "show version brief" "sh ver | include ^Cisco")
check "parser: invalid input caret" "$out" "% Invalid input detected at '\^' marker\."
check "parser: abbreviations and pipes" "$out" "^Cisco IOS XR Software, Version 6\.1\.3"

echo "== install add over TFTP, FTP, SFTP"
out=$(xr ssh "install add source $XR_TFTP_URL xrv9k-mgbl-3.0.0.0-r621.x86_64.rpm" \
    "show install request" "install commit")
check "tftp add: started" "$out" "Install operation 1 started by cisco:"
check "tftp add: continues in background" "$out" "Install operation will continue in the background"
check "tftp add: progress while running" "$out" "The install operation 1 is [0-9]+% complete"
check "one operation at a time" "$out" "Could not start this install operation\. Install operation 1 is still in progress"
wait_idle
out=$(xr ssh "install add source $XR_FTP_URL xrv9k-k9sec-3.1.0.0-r621.x86_64.rpm")
check "ftp add: asks Password:" "$out" "^Password: "
wait_idle
out=$(xr ssh "install add source $XR_SFTP_URL xrv9k-mini-x-6.2.1.iso")
check "sftp add: asks Password:" "$out" "^Password: "
wait_idle
out=$(xr ssh "show install log 1 detail" "show install log 2 detail" "show install log 3 detail" \
    "show install inactive")
check "tftp add finished" "$out" "Install operation 1 finished successfully"
check "ftp add finished" "$out" "Install operation 2 finished successfully"
check "sftp add finished" "$out" "Install operation 3 finished successfully"
check "log lists added packages" "$out" "Packages added:"
check "inactive: rpm without .rpm" "$out" "^    xrv9k-mgbl-3\.0\.0\.0-r621$"
check "inactive: image" "$out" "^    xrv9k-mini-x-6\.2\.1$"

echo "== errors"
xr_idle "install add source $XR_TFTP_URL xrv9k-nosuch-1.0.0.0-r621.x86_64.rpm"
out=$(xr ssh "show install log 4 detail")
check "missing file: add aborted" "$out" "Install operation 4 aborted"
check "missing file: error line" "$out" "Error:    Failed to copy"
xr_idle "install add source ftp://xfer:xfer@$XR_HOST_ADDR/repo xrv9k-mgbl-3.0.0.0-r621.x86_64.rpm"
out=$(xr ssh "show install log 5")
check "unreachable repository: add aborted" "$out" "Install operation 5 aborted"
out=$(xr ssh "install activate xrv9k-notadded-1.0.0.0-r621")
check "activate of a package not added: aborted" "$out" "Install operation 6 aborted"

echo "== activate with reload"
out=$(XR_TIMEOUT=40 xr ssh "install activate xrv9k-mini-x-6.2.1 xrv9k-mgbl-3.0.0.0-r621" "@wait-eof")
check "activate: reload question" "$out" "This install operation will reload the system, continue\?"
check "activate: finished before reload" "$out" "Install operation 7 finished successfully"
check "activate: session dropped by reload" "$out" "USER_RESET"
rc=0
XR_TIMEOUT=5 "$here/xr-cli.exp" ssh "$XR_ADDR" "$XR_USER" "$XR_PASSWORD" >/dev/null 2>&1 || rc=$?
check "device unreachable while reloading" "rc=$rc" "rc=[23]"
wait_up
out=$(xr ssh "show version" "show install active")
check "after reload: version 6.2.1" "$out" "Cisco IOS XR Software, Version 6\.2\.1"
check "after reload: image active" "$out" "xrv9k-xr-6\.2\.1 version=6\.2\.1 \[Boot image\]"
check "after reload: rpm active" "$out" "^        xrv9k-mgbl-3\.0\.0\.0-r621$"

echo "== commit, reload, commit survives"
xr_idle "install commit"
out=$(xr ssh "show install committed summary")
check "commit: image committed" "$out" "xrv9k-xr-6\.2\.1 version=6\.2\.1"
out=$(XR_TIMEOUT=20 xr ssh "reload" "@wait-eof")
check "reload: confirm question" "$out" "Proceed with reload\? \[confirm\]"
sleep 2
wait_up
out=$(xr ssh "show version")
check "after reload: committed 6.2.1 still runs" "$out" "Version 6\.2\.1"

echo "== uncommitted activations revert at reload"
out=$(xr ssh "install activate xrv9k-k9sec-3.1.0.0-r621")
check_not "non-reload activate: no reload question" "$out" "reload the system"
wait_idle
out=$(xr ssh "show install active summary")
check "uncommitted rpm active" "$out" "^        xrv9k-k9sec-3\.1\.0\.0-r621$"
reload_and_wait
out=$(xr ssh "show install active summary" "show install inactive")
check_not "after reload: uncommitted rpm no longer active" \
    "$(sed -n '/Active Packages/,/inactive/p' <<<"$out")" "^        xrv9k-k9sec"
check "after reload: uncommitted rpm inactive again" "$out" "^    xrv9k-k9sec-3\.1\.0\.0-r621$"
out=$(xr ssh "scp $XR_SCP_SOURCE/xrv9k-mini-x-6.3.1.iso harddisk:" "dir harddisk:" \
    "install add source harddisk: xrv9k-mini-x-6.3.1.iso")
check "scp: copied to harddisk:" "$out" "Transferred [0-9]+ Bytes"
wait_idle
out=$(XR_TIMEOUT=40 xr ssh "install activate xrv9k-mini-x-6.3.1" "@wait-eof")
check "activate 6.3.1: reload question" "$out" "reload the system"
sleep 2
wait_up
out=$(xr ssh "show version")
check "uncommitted 6.3.1 runs after its activation reload" "$out" "Version 6\.3\.1"
reload_and_wait
out=$(xr ssh "show version")
check "after plain reload: reverted to committed 6.2.1" "$out" "Version 6\.2\.1"

echo "== install log, remove inactive"
out=$(xr ssh 'show install log reverse | utility egrep "Install operation [0-9]+ started"')
check "log reverse egrep" "$out" "^[A-Z][a-z]{2} [0-9]{2} [0-9:]{8} Install operation [0-9]+ started by cisco:"
xr_idle "install remove inactive all"
out=$(xr ssh "show install inactive" "show install log reverse")
check "remove inactive all: finished" "$out" "Install operation [0-9]+ finished successfully"
check "remove inactive all: nothing inactive left" "$out" "No inactive package\(s\) in software repository"

echo "== command log"
bin=$here/build/escd-xr-device
clog=$work/commands.log
"$bin" --state "$work/state" --command-log "$clog" -c $'show clock\nsh ver | include Version' \
    >/dev/null
printf 'terminal length 0\n\nexit\n' | XR_COMMAND_LOG=$clog "$bin" --state "$work/state" >/dev/null
"$bin" --state "$work/state" -c "show clock" >/dev/null  # no log asked: nothing written
many=$(printf 'show clock %04d\n' $(seq 1 50))
for _ in $(seq 1 20); do
    "$bin" --state "$work/state" --command-log "$clog" -c "$many" >/dev/null &
done
wait
out=$(cat "$clog")
check "command log: -c lines with µs stamp, hostname, pid" "$out" "^[0-9]{16} ios [0-9]+ show clock$"
check "command log: pipes kept" "$out" "^[0-9]{16} ios [0-9]+ sh ver \| include Version$"
check "command log: session lines, empty ones too" \
    "$(sed -n 3,5p "$clog" | cut -d' ' -f4- | tr '\n' '|')" "^terminal length 0\|\|exit\|$"
check "command log: 1005 whole lines from 20 concurrent writers" \
    "$(grep -Ec '^[0-9]{16} ios [0-9]+ (show clock [0-9]{4}|show clock|sh ver.*|terminal length 0|exit|)$' "$clog")/$(wc -l <"$clog")" \
    "^1005/1005$"
stamp=$(head -c 10 "$clog")
check "command log: stamped now" "$(( stamp > $(date +%s) - 600 && stamp <= $(date +%s) ))" "^1$"

echo "== --boot: a VM's reboot after a reload, a restart without one"
vm=$work/vm-state
mkdir -p "$vm/harddisk"
printf 'version=6.2.1\n' >"$vm/harddisk/xrv9k-mini-x-6.2.1.iso"
printf 'hostname=vm\nop_seconds=0\nreload_delay=0\nreload_seconds=0\nreload_command=true\n' \
    >"$vm/device.conf"
"$bin" --state "$vm" --boot
check "--boot on a new state directory: factory state" "$(cat "$vm/db/system")" "^reloading=0$"
"$bin" --state "$vm" -c "install add source harddisk: xrv9k-mini-x-6.2.1.iso" >/dev/null
for _ in $(seq 1 50); do
    "$bin" --state "$vm" -c "show install request" | grep -q "No install operation in progress" && break
    sleep 0.2
done
echo yes | "$bin" --state "$vm" -c "install activate xrv9k-mini-x-6.2.1" >/dev/null
for _ in $(seq 1 50); do
    grep -q '^reloading=1' "$vm/db/system" && break
    sleep 0.2
done
check "a reload marks the db reloading" "$(cat "$vm/db/system")" "^reloading=1$"
sleep 2  # the reloader's pause and reload_command
"$bin" --state "$vm" --boot
out=$("$bin" --state "$vm" -c "show version")
check "--boot after a reload: the reload's image runs" "$out" "Version 6\.2\.1"
check "--boot after a reload: reloading cleared" "$(cat "$vm/db/system")" "^reloading=0$"
check "--boot after a reload: uptime from the boot" "$out" "uptime is 0 minutes"
"$bin" --state "$vm" --boot
out=$("$bin" --state "$vm" -c "show version")
check "--boot without a reload: the uncommitted image reverts" "$out" "Version 6\.1\.3"
check "--boot without a reload: logged as a revert" "$("$bin" --state "$vm" -c "show logging")" \
    "ACTIVE_SOFTWARE_REVERTED"
echo yes | "$bin" --state "$vm" -c "install activate xrv9k-mini-x-6.2.1" >/dev/null
for _ in $(seq 1 50); do
    grep -q '^reloading=1' "$vm/db/system" && break
    sleep 0.2
done
sleep 2
"$bin" --state "$vm" --boot
"$bin" --state "$vm" -c "install commit" >/dev/null
for _ in $(seq 1 50); do
    "$bin" --state "$vm" -c "show install request" | grep -q "No install operation in progress" && break
    sleep 0.2
done
"$bin" --state "$vm" --boot
out=$("$bin" --state "$vm" -c "show version")
check "--boot without a reload: a committed image stays" "$out" "Version 6\.2\.1"

echo "== without curl: TFTP through busybox tftp, other schemes refused"
nocurl=$work/nocurl-bin
mkdir -p "$nocurl"
for tool in sh tftp; do ln -sf "$(command -v busybox)" "$nocurl/$tool"; done
vm_add() {  # SOURCE FILE: one install add without curl, until it ends
    PATH=$nocurl "$bin" --state "$vm" -c "install add source $1 $2" >/dev/null
    for _ in $(seq 1 100); do
        "$bin" --state "$vm" -c "show install request" | grep -q "No install operation in progress" && break
        sleep 0.2
    done
}
vm_add "$XR_TFTP_URL" xrv9k-k9sec-3.1.0.0-r621.x86_64.rpm
vm_add "$XR_TFTP_URL" no-such-file.rpm
vm_add "ftp://$XR_XFER_USER:$XR_XFER_PASSWORD@$XR_ADDR/repo" xrv9k-mgbl-3.0.0.0-r621.x86_64.rpm
out=$("$bin" --state "$vm" -c "show install log")
check "no curl: tftp add through busybox tftp" "$out" "Install operation 5 finished successfully"
check "no curl: the package added" "$("$bin" --state "$vm" -c "show install inactive")" \
    "^    xrv9k-k9sec-3\.1\.0\.0-r621$"
check "no curl: a missing tftp file aborts the add" "$out" "Install operation 6 aborted"
check "no curl: ftp refused" "$out" "curl is not installed on this device: only tftp:// and local sources work"

"$here/netns-device.sh" down "$name" >/dev/null 2>&1 || true
fi  # part

if [[ $parts == *classic* ]]; then
# shellcheck source=selftest-classic.sh
source "$here/selftest-classic.sh"
fi  # part

echo
echo "selftest: $passed passed, $failed failed"
[[ $failed -eq 0 ]]
