# shellcheck shell=bash disable=SC2154,SC2034
# Classic IOS XR part of selftest.sh (sourced by it: uses its xr, check, check_not, wait_idle,
# wait_up, xr_idle, reload_and_wait, op_of, $work, $here, $classic_name). Brings up an ASR9K
# running 5.3.3 (--os classic), checks discovery, adds pies over TFTP, FTP and SFTP (password in
# the URL) and a tar, activates without and with a reload (prompt-level none async), commits,
# reloads, checks that an uncommitted activation reverts, removes packages, and reads the install
# log as CSM/escd do.

echo "== classic IOS XR: discovery"
"$here/netns-device.sh" down "$classic_name" >/dev/null 2>&1 || true
"$here/netns-device.sh" up "$classic_name" --os classic --reload-seconds 6 --op-seconds 1 \
    --hostname xr-classic --conf initial_packages=asr9k-mpls-px-5.3.3 >"$work/env"
# shellcheck source=/dev/null
source "$work/env"
idle_command="admin show install request"
idle_text="There are no install requests in operation\."
up_command="admin show platform"

# Test packages: pies carry their release in the name; the mini pie is the boot image.
printf 'test pie\n' >"$XR_REPO/asr9k-mgbl-px.pie-5.3.3"
printf 'test smu\n' >"$XR_REPO/asr9k-px-5.3.3.CSCuy12345.pie"
printf 'version=6.1.3\n' >"$XR_REPO/asr9k-mini-px.pie-6.1.3"
printf 'test pie\n' >"$XR_REPO/asr9k-mpls-px.pie-6.1.3"
mkdir -p "$work/tar"
printf 'test pie\n' >"$work/tar/asr9k-k9sec-px.pie-6.1.3"
printf 'readme\n' >"$work/tar/README-asr9k-k9-6.1.3.txt"
tar -C "$work/tar" -cf "$XR_REPO/asr9k-k9sec-px-6.1.3.tar" asr9k-k9sec-px.pie-6.1.3 \
    README-asr9k-k9-6.1.3.txt
chmod 644 "$XR_REPO"/*
ftp_url="ftp://$XR_XFER_USER:$XR_XFER_PASSWORD@$XR_ADDR/repo"
sftp_url="sftp://$XR_XFER_USER:$XR_XFER_PASSWORD@$XR_ADDR$XR_RUN/srv/repo"

out=$(xr ssh "show version" "show inventory" "admin show platform" \
    "admin show install active summary" "admin show install inactive summary")
check "classic: show version banner" "$out" "^Cisco IOS XR Software, Version 5\.3\.3\[Default\]$"
check "classic: platform line" "$out" "^cisco ASR9K Series \(Intel 686 F6M14S4\) processor with"
check_not "classic: no eXR build information" "$out" "Build Information|XR Admin Software"
check "classic: exec prompt" "$out" "^RP/0/RSP0/CPU0:xr-classic#"
check "classic: inventory chassis record" "$out" '^NAME: "chassis ASR-9006-AC", DESCR: "ASR 9006'
check "classic: inventory chassis PID" "$out" "^PID: ASR-9006-AC, VID: V01, SN: FOX"
check "classic: admin show platform header" "$out" \
    "^Node            Type                      State            Config State$"
check "classic: admin show platform RSP" "$out" \
    "^0/RSP0/CPU0     A9K-RSP440-SE\(Active\)     IOS XR RUN       PWR,NSHUT,MON$"
check "classic: active summary" "$out" "^  Active Packages:$"
check "classic: factory packages" "$out" "^    disk0:asr9k-mpls-px-5\.3\.3$"
check "classic: nothing inactive" "$out" "^    No packages\.$"
out=$(xr telnet "admin" "show install request" "show install committed summary" "exit" \
    "install commit")
check "classic: telnet admin mode prompt" "$out" "^RP/0/RSP0/CPU0:xr-classic\(admin\)#"
check "classic: no install request" "$out" "^There are no install requests in operation\.$"
check "classic: committed summary" "$out" "^    disk0:asr9k-mini-px-5\.3\.3$"
check "classic: install is an admin command" "$out" "% Invalid input detected at '\^' marker\."

echo "== classic IOS XR: install add (TFTP, FTP and SFTP with the password in the URL, tar)"
out=$(xr ssh "admin install add source $XR_TFTP_URL asr9k-mgbl-px.pie-5.3.3 \
asr9k-px-5.3.3.CSCuy12345.pie async" "admin show install request" "admin install commit" "@sleep 3")
add=$(op_of "$out")
check "classic add: started line" "$out" \
    "^Install operation $add '\(admin\) install add source tftp://[0-9.]+/repo asr9k-mgbl-px\.pie-5\.3\.3 asr9k-px-5\.3\.3\.CSCuy12345\.pie async' started by user 'cisco' via CLI at [0-9:]{8} UTC [A-Z][a-z]{2} [A-Z][a-z]{2} [0-9]{2} [0-9]{4}\.$"
check "classic add: continues asynchronously" "$out" \
    "^The install operation will continue asynchronously\.$"
check "classic add: progress" "$out" "^The operation is [0-9]+% complete$"
check "classic add: one operation at a time" "$out" \
    "^Error:    Cannot proceed with the operation as another install command is$"
check "classic add: async end in the session" "$out" \
    "Install operation $add completed successfully at [0-9:]{8} UTC"
wait_idle
out=$(xr ssh "admin install add source $ftp_url asr9k-mini-px.pie-6.1.3 asr9k-mpls-px.pie-6.1.3 async")
ftp_add=$(op_of "$out")
check_not "classic ftp add: no Password: question" "$out" "^Password:"
check_not "classic ftp add: password not in the started line" "$out" \
    "^Install operation [0-9]+ '.*$XR_XFER_USER:$XR_XFER_PASSWORD@"
wait_idle
out=$(xr ssh "admin install add source $sftp_url asr9k-k9sec-px-6.1.3.tar async")
tar_add=$(op_of "$out")
wait_idle
out=$(xr ssh "admin show install log $add detail" "admin show install log $ftp_add detail" \
    "admin show install log $tar_add detail" "admin show install inactive summary")
check "classic add: log completed" "$out" "^Install operation $add completed successfully at "
check "classic add: log info lines" "$out" "^    Info:         disk0:asr9k-px-5\.3\.3\.CSCuy12345-1\.0\.0$"
check "classic add: log package list (escd's package_change_list)" \
    "$(sed -n '/^Packages added:$/,/^$/p' <<<"$out")" "^    disk0:asr9k-mgbl-px-5\.3\.3$"
check "classic ftp add: completed" "$out" "^Install operation $ftp_add completed successfully at "
check "classic sftp tar add: pie of the tar" "$out" "^    disk0:asr9k-k9sec-px-6\.1\.3$"
check_not "classic sftp tar add: no readme" "$out" "README"
check "classic inactive: pie" "$out" "^    disk0:asr9k-mgbl-px-5\.3\.3$"
check "classic inactive: SMU with its version" "$out" "^    disk0:asr9k-px-5\.3\.3\.CSCuy12345-1\.0\.0$"
check "classic inactive: mini pie" "$out" "^    disk0:asr9k-mini-px-6\.1\.3$"
out=$(xr ssh "admin install add source $XR_TFTP_URL asr9k-nosuch-px.pie-5.3.3 async")
bad=$(op_of "$out")
wait_idle
out=$(xr ssh "admin show install log $bad detail")
check "classic missing file: failed" "$out" "^Install operation $bad failed at "
check "classic missing file: error line" "$out" "Error:    Cannot copy file 'asr9k-nosuch-px\.pie-5\.3\.3'"

echo "== classic IOS XR: activate without and with a reload"
out=$(xr ssh "admin install activate disk0:asr9k-mgbl-px-5.3.3 asr9k-px-5.3.3.CSCuy12345.pie \
prompt-level none async" "@sleep 3")
act=$(op_of "$out")
check_not "classic activate: no reload" "$out" "reload the following nodes"
check "classic activate: async end" "$out" "Install operation $act completed successfully at "
out=$(xr ssh "admin show install active summary" "admin show install log $act detail")
check "classic activate: pie active" "$out" "^    disk0:asr9k-mgbl-px-5\.3\.3$"
check "classic activate: process restart" "$out" "Info:     Install Method: Parallel Process Restart"
check "classic activate: package list" "$(sed -n '/^Package list:$/,/^$/p' <<<"$out")" \
    "^    disk0:asr9k-px-5\.3\.3\.CSCuy12345-1\.0\.0$"
out=$(XR_TIMEOUT=40 xr ssh "admin install activate id $ftp_add prompt-level none async" "@wait-eof")
up=$(op_of "$out")
check "classic reload activate: nodes to reload" "$out" \
    "^Info:     This operation will reload the following nodes in parallel:$"
check_not "classic reload activate: prompt-level none asks nothing" "$out" "\(y/n\)"
check "classic reload activate: completed before the reload" "$out" \
    "Install operation $up completed successfully at "
check "classic reload activate: session dropped by the reload" "$out" "USER_RESET"
wait_up
out=$(xr ssh "show version" "admin show install active summary" "admin show install log $up detail")
check "classic after reload: version 6.1.3" "$out" "^Cisco IOS XR Software, Version 6\.1\.3\[Default\]$"
check "classic after reload: mini active" "$out" "^    disk0:asr9k-mini-px-6\.1\.3$"
check "classic after reload: mpls 6.1.3 active" "$out" "^    disk0:asr9k-mpls-px-6\.1\.3$"
check_not "classic after reload: 5.3.3 packages gone" \
    "$(sed -n '/Active Packages/,/^$/p' <<<"$out")" "5\.3\.3"
check "classic reload activate: log says parallel reload" "$out" \
    "Info:     Install Method: Parallel Reload"

echo "== classic IOS XR: commit, reload, uncommitted activation reverts"
out=$(xr ssh "admin install commit" "admin show install committed summary")
commit=$(op_of "$out")
check "classic commit: started" "$out" "^Install operation $commit '\(admin\) install commit' started by user 'cisco'"
check "classic commit: synchronous end" "$out" "^Install operation $commit completed successfully at "
check "classic commit: committed" "$out" "^    disk0:asr9k-mini-px-6\.1\.3$"
xr_idle "admin install activate asr9k-k9sec-px.pie-6.1.3 prompt-level none async"
out=$(xr ssh "admin show install active summary")
check "classic: uncommitted pie active" "$out" "^    disk0:asr9k-k9sec-px-6\.1\.3$"
reload_and_wait
out=$(xr ssh "show version" "admin show install active summary" "admin show install inactive summary")
check "classic after reload: committed 6.1.3 runs" "$out" "Version 6\.1\.3\[Default\]"
check_not "classic after reload: uncommitted pie reverted" \
    "$(sed -n '/Active Packages/,/^$/p' <<<"$out")" "k9sec"
check "classic after reload: reverted pie inactive" "$out" "^    disk0:asr9k-k9sec-px-6\.1\.3$"

echo "== classic IOS XR: remove, remove inactive, install log"
out=$(XR_ANSWER_YESNO=no xr ssh "admin install activate disk0:asr9k-mini-px-5.3.3 async")
no=$(op_of "$out")
check "classic: reload question without prompt-level none" "$out" \
    "Proceed with this install operation \(y/n\)\? \[y\]"
check "classic: answered no, failed" "$out" "^Install operation $no failed at "
out=$(xr ssh "admin install remove disk0:asr9k-mini-px-6.1.3 prompt-level none async" \
    "admin install remove asr9k-px-5.3.3.CSCuy12345-1.0.0 prompt-level none async")
check "classic remove: active package refused" "$out" "Error:    The package disk0:asr9k-mini-px-6\.1\.3 is active"
check "classic remove: started" "$out" "^Info:         disk0:asr9k-px-5\.3\.3\.CSCuy12345-1\.0\.0$"
wait_idle
out=$(xr ssh "admin install remove inactive async")
check "classic remove inactive: asks" "$out" "Proceed with removing these packages\? \[confirm\]"
check "classic remove inactive: continues" "$out" "^The install operation will continue asynchronously\.$"
last=$(op_of "$out")
wait_idle
out=$(xr ssh "admin show install inactive summary" "admin show install log $last detail" \
    'admin show install log reverse | utility egrep "Install operation [0-9]+ started"')
check "classic remove inactive: nothing inactive" "$out" "^    No packages\.$"
check "classic remove inactive: completed" "$out" "^Install operation $last completed successfully at "
check "classic log reverse egrep: newest first" \
    "$(grep -m1 '^Install operation' <<<"$(sed -n '/utility egrep/,$p' <<<"$out")")" \
    "^Install operation $last started by user 'cisco' via CLI at "
check "classic log reverse egrep: one line per operation" \
    "$(sed -n '/utility egrep/,$p' <<<"$out" | grep -c "^Install operation [0-9]* started by user")" \
    "^$last$"
"$here/netns-device.sh" down "$classic_name" >/dev/null 2>&1 || true
