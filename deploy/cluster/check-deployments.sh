# shellcheck shell=bash disable=SC2154 # sourced by escd-check.sh, whose variables it reads
# Scenario c of escd-check.sh (sourced by it; uses its helpers): deployments on a VIM the nodes
# share, one node SIGKILLed while they are accepted, and a VM of the dead node's monitoring
# stopped behind escd's back afterwards.
#
# The shared VIM is libvirt's test driver served by a libvirtd of the scenario's own: each node
# connects to test+unix:///default on its socket, and libvirtd keeps one test driver state for
# all its connections while one stays open (the scenario holds one from start to end). The
# libvirtd runs in a network namespace made and removed here, with private /etc/libvirt,
# /var/lib/libvirt and /run/libvirt bind-mounted over the host's, so nothing of it reaches the
# host's network or libvirt (tests/qemu/up.sh does the same for the VNF tests).
#
# Checks: CHECK_DEPLOYMENTS (100) deployments of one VM each, POSTed through the HTTP front
# CHECK_CONCURRENCY at a time, escd-3 SIGKILLed once a third are answered; every deployment
# answered 200 ends SERVICE_ALIVE with its callbacks in order (VM_DEPLOYED, VM_ALIVE,
# SERVICE_ALIVE; a resend after a takeover repeats a suffix); each VM escd records is one domain
# on the VIM and every domain is a VM escd records; then, after the survivors took over the dead
# node's monitoring, a VM of a deployment escd-3 monitored is destroyed on the VIM and must be
# recovered (VM_RECOVERY_COMPLETE with status 200) within CHECK_HEAL_S (30) s.

vim_ns='' vim_dir='' vim_uri='' vim_holder=''

# shared_vim_up: the libvirtd and the held connection; sets vim_uri.
shared_vim_up() {
    local as_root=() t0
    [[ $(id -u) -ne 0 ]] && as_root=(sudo -n)
    for tool in ip libvirtd virsh; do
        command -v "$tool" >/dev/null || die "c: $tool not found (deploy/install-deps.sh installs libvirt)"
    done
    vim_dir=$work/vim
    mkdir -p "$vim_dir"/{run,lib,etc,state}
    cat >"$vim_dir/libvirtd.conf" <<EOF
unix_sock_dir = "$vim_dir/run"
unix_sock_rw_perms = "0770"
auth_unix_rw = "none"
auth_unix_ro = "none"
listen_tls = 0
listen_tcp = 0
log_outputs = "3:file:$vim_dir/libvirtd.log"
EOF
    vim_ns=escd-vim-$$
    "${as_root[@]}" ip netns add "$vim_ns" || die "c: cannot make network namespace $vim_ns (needs root)"
    t0=$(now)
    # shellcheck disable=SC2016 # expanded by the inner shell
    "${as_root[@]}" ip netns exec "$vim_ns" sh -c '
        mkdir -p /run/libvirt /var/lib/libvirt /etc/libvirt &&
        mount --bind "$1/state" /run/libvirt && mount --bind "$1/lib" /var/lib/libvirt &&
        mount --bind "$1/etc" /etc/libvirt &&
        exec libvirtd -d --config "$1/libvirtd.conf" -p "$1/libvirtd.pid"' sh "$vim_dir" ||
        die "c: libvirtd did not start"
    vim_uri="test+unix:///default?socket=$vim_dir/run/libvirt-sock"
    local deadline=$((SECONDS + 30))
    until virsh -c "$vim_uri" uri >/dev/null 2>&1; do
        ((SECONDS < deadline)) || die "c: libvirtd does not answer on $vim_uri: $(tail -n 5 "$vim_dir/libvirtd.log" 2>/dev/null)"
        sleep 0.1
    done
    # The held connection: an idle virsh reading a FIFO nobody writes to.
    mkfifo "$vim_dir/hold"
    virsh -c "$vim_uri" <"$vim_dir/hold" >/dev/null 2>&1 &
    vim_holder=$!
    exec 8>"$vim_dir/hold"
    say "c: shared VIM (libvirt test driver in libvirtd pid $(cat "$vim_dir/libvirtd.pid")," \
        "namespace $vim_ns) up in $(secs "$t0" "$(now)") s: $vim_uri"
}

shared_vim_down() {
    local as_root=() pid
    [[ -n $vim_ns ]] || return 0
    [[ $(id -u) -ne 0 ]] && as_root=(sudo -n)
    [[ -n $vim_holder ]] && { kill "$vim_holder" 2>/dev/null || true; exec 8>&-; }
    pid=$(cat "$vim_dir/libvirtd.pid" 2>/dev/null || true)
    if [[ $pid =~ ^[0-9]+$ ]]; then
        "${as_root[@]}" kill "$pid" 2>/dev/null || true
        for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
        "${as_root[@]}" kill -KILL "$pid" 2>/dev/null || true
    fi
    "${as_root[@]}" ip netns del "$vim_ns" 2>/dev/null || true
    vim_ns=''
}

vim_domains() { virsh -c "$vim_uri" list --all --name | sed '/^$/d' | sort; }

# api_wait PATH BODY ID: POSTs a seed object through the front and waits (60 s) until its
# resource is ACTIVE.
api_wait() {
    local code
    code=$(curl -sS -o "$work/c.api" -w '%{http_code}' -u "admin:$ESCD_ADMIN_PASSWORD" -X POST \
        -H 'Content-Type: application/xml' -H 'Expect:' -H "Callback: $callback_url" \
        --data-binary "$2" "$ESCD_URL/ESCManager/v0/$1") || true
    [[ $code == 200 ]] || die "c: POST $1 answered $code: $(cat "$work/c.api")"
    local deadline=$((SECONDS + 60))
    until [[ $(sql "select state from resources where internal_id = '$3'") == ACTIVE ]]; do
        ((SECONDS < deadline)) || die "c: $3 not ACTIVE 60 s after its POST"
        sleep 0.1
    done
}

# post_deployment ID FILE: a deployment of `deployment_xml` through the front (post_front).
post_deployment() { post_front "$1" "$2" "deployments/$1" "${deployment_xml//@ID@/$1}"; }

# === c. deployments on a shared VIM, a node killed =================================================
scenario_c() {
    local victim=escd-3 victim_pid victim_id k answered res codes n200 tenant=c$run
    say "c: $n_deployments deployments of one VM on a shared VIM through the front, $concurrency at a time; SIGKILL of $victim after $((n_deployments / 3)) answers"
    shared_vim_up
    mkdir -p "$work/files"
    head -c 65536 /dev/zero >"$work/files/c.img"
    ESCD_ARGS="--vim.uri=$vim_uri --files.root=$work/files" escd_up
    victim_pid=${node_pids[2]}
    victim_id=$(sql "select node_id from nodes where name = '$victim' and stopped_at is null
                     order by started_at desc limit 1")
    [[ -n $victim_id ]] || die "c: no node row for $victim"

    api_wait tenants/"$tenant" "<tenant xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>$tenant</name></tenant>" "$tenant"
    api_wait "$tenant/networks/net-$tenant" "<network xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>net-$tenant</name><shared>false</shared><admin_state_up>true</admin_state_up></network>" "net-$tenant"
    api_wait "$tenant/subnets/sub-$tenant" "<subnet xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>sub-$tenant</name><internal_network_id>net-$tenant</internal_network_id><cidr>127.42.0.0/24</cidr></subnet>" "sub-$tenant"
    api_wait flavors/"fl-$tenant" "<flavor xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>fl-$tenant</name><vcpus>1</vcpus><memory_mb>256</memory_mb></flavor>" "fl-$tenant"
    api_wait images/"img-$tenant" "<image xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>img-$tenant</name><src>file://$work/files/c.img</src></image>" "img-$tenant"
    # One VM, alive when the VIM runs it (no KPI: the VIM's word and its lifecycle events).
    deployment_xml="<esc_datamodel xmlns=\"http://www.cisco.com/esc/esc\"><tenants><tenant><name>$tenant</name>
<deployments><deployment><name>@ID@</name><vm_group><name>g</name><image>img-$tenant</image>
<flavor>fl-$tenant</flavor><bootup_time>60</bootup_time><recovery_wait_time>0</recovery_wait_time>
<interfaces><interface><nicid>0</nicid><network>net-$tenant</network></interface></interfaces>
<scaling><min_active>1</min_active><max_active>1</max_active><elastic>false</elastic></scaling>
</vm_group></deployment></deployments></tenant></tenants></esc_datamodel>"

    # shellcheck disable=SC2034 # set by post_spread, read by collect_answers
    local workers
    post_spread c "$n_deployments" post_deployment
    await_answers c $((n_deployments / 3))
    kill -KILL "$victim_pid"
    # What it monitored and ran at its death (nobody claims a lease before it has passed).
    sql "select unit_id from leases where unit_kind = 'deployment_monitor' and owner = '$victim_id'
         and unit_id like 'c$run-%'" >"$work/c.monitored" || die "c: cannot read the leases of $victim"
    local running
    running=$(sql "select count(*) from leases where unit_kind = 'transaction' and owner = '$victim_id'")
    say "c: killed $victim after $answered answers; it held the monitoring of $(grep -c . "$work/c.monitored" || true)" \
        "deployment(s) and $running transaction lease(s)"
    collect_answers c
    n200=$(count_of ok "$codes")
    for k in s500 other hang ok_no_tx escd_503_ra escd_503_no_ra front_503 front_504; do
        local n
        n=$(count_of "$k" "$codes")
        ((n == 0)) || fail "c: $n answer(s) of kind $k"
    done
    awk '$4 != 200 { print "    " $0 }' "$res"
    awk '$4 == 200 && $6 != "-" { print $6 }' "$res" | sort -u >"$work/c.tx"
    check_transactions c "$work/c.tx"
    # A request that died with the node may have been accepted all the same (committed, not
    # answered): whatever was accepted completes, answered or not.
    local accepted undone deadline=$((SECONDS + drain_s))
    accepted=$(sql "select count(*) from operations where target_id like 'c$run-%' and kind = 'CREATE_DEPLOYMENT'")
    while :; do
        undone=$(sql "select count(*) from operations where target_id like 'c$run-%'
                      and (finished_at is null or status_code <> 200)")
        [[ $undone == 0 ]] && break
        ((SECONDS < deadline)) || break
        sleep 0.2
    done
    say "c: deployments accepted (in operations): $accepted, of which not completed with 200: $undone"
    [[ $undone == 0 ]] || fail "c: $undone deployment operation(s) accepted and not completed with 200"

    # -- the callbacks of each deployment, in order
    local order
    order=$(awk -F'\t' 'NR == FNR { want[$1] = 1; next }
        ($4 in want) && $7 != "-" { n[$4]++; seq[$4, n[$4]] = $7 }
        END {
            rank["VM_DEPLOYED"] = 1; rank["VM_ALIVE"] = 2; rank["SERVICE_ALIVE"] = 3
            for (t in want) {
                # Received in order, a resend repeating a suffix of what came before it.
                top = 0; ok = (n[t] > 0); seen_service = 0
                for (i = 1; i <= n[t]; i++) {
                    r = rank[seq[t, i]]
                    if (r == 0) { ok = 0; break }
                    if (r > top + 1) { ok = 0; break }
                    if (r > top) top = r
                    if (r == 3) seen_service = 1
                }
                if (!ok || !seen_service) bad++; else if (n[t] > 3) resent++
            }
            print bad + 0, resent + 0
        }' "$work/c.tx" "$work/callbacks.tsv")
    read -r bad_order resent <<<"$order"
    say "c: deployments whose callbacks came out of order or incomplete: $bad_order; with a callback received again (a takeover's resend): $resent"
    [[ $bad_order == 0 ]] || fail "c: $bad_order deployment(s) without VM_DEPLOYED, VM_ALIVE, SERVICE_ALIVE in order"

    # -- each VM once
    sql "select vm_name from vms where deployment_id like 'c$run-%' order by 1" >"$work/c.vms"
    vim_domains | grep "^c$run-" >"$work/c.domains" || true # not the test driver's own "test"
    local n_vms n_domains extra missing
    n_vms=$(grep -c . "$work/c.vms" || true)
    n_domains=$(grep -c . "$work/c.domains" || true)
    extra=$(comm -13 "$work/c.vms" "$work/c.domains" | wc -l)
    missing=$(comm -23 "$work/c.vms" "$work/c.domains" | wc -l)
    say "c: VMs escd records: $n_vms (deployments accepted: $accepted, answered 200: $n200); domains on the VIM: $n_domains;" \
        "domains escd has no VM for: $extra; VMs without a domain: $missing"
    # Accepted, not answered: a request that died with its node may have been committed; it is
    # deployed all the same (above), with its VM.
    ((n_vms == accepted)) || fail "c: $n_vms VMs recorded for $accepted accepted deployments of one VM"
    local uneven
    uneven=$(sql "select count(*) from (select deployment_id from vms where deployment_id like 'c$run-%'
                  group by deployment_id having count(*) <> 1) d")
    [[ $uneven == 0 ]] || fail "c: $uneven deployment(s) with other than one VM"
    ((extra == 0 && missing == 0)) || fail "c: the VIM and escd disagree ($extra extra domain(s), $missing missing)"

    # -- the dead node's monitoring, taken over: a VM stopped behind escd's back is healed
    local target vm owner t_stop heal_s=${CHECK_HEAL_S:-30}
    target=$(comm -12 <(sort "$work/c.monitored") <(sql "select target_id from operations o
              where target_id like 'c$run-%' and finished_at is not null and status_code = 200
              and kind = 'CREATE_DEPLOYMENT'" | sort) | head -n 1)
    if [[ -z $target ]]; then
        fail "c: $victim monitored no deployment it had finished: nothing shows the monitoring moved"
    else
        deadline=$((SECONDS + (lease_ms / 1000) + 10))
        while :; do
            owner=$(sql "select n.name from leases l join nodes n on n.node_id = l.owner
                         where l.unit_kind = 'deployment_monitor' and l.unit_id = '$target'")
            [[ -n $owner && $owner != "$victim" ]] && break
            ((SECONDS < deadline)) || break
            sleep 0.1
        done
        [[ -n $owner && $owner != "$victim" ]] || fail "c: the monitoring of $target was not taken over"
        vm=$(sql "select vm_name from vms where deployment_id = '$target'")
        t_stop=$(now)
        virsh -c "$vim_uri" destroy "$vm" >/dev/null || fail "c: cannot stop $vm on the VIM"
        say "c: stopped $vm of $target (monitored by $victim at its death, by $owner now) on the VIM"
        deadline=$((SECONDS + heal_s))
        local healed=''
        while :; do
            healed=$(awk -F'\t' -v d="$target" '$8 == d && $7 == "VM_RECOVERY_COMPLETE" { print $5; exit }' "$work/callbacks.tsv")
            [[ -n $healed ]] && break
            ((SECONDS < deadline)) || break
            sleep 0.1
        done
        if [[ $healed == 200 ]]; then
            say "c: healed: VM_RECOVERY_COMPLETE (200) $(secs "$t_stop" "$(now)") s after the stop; the VIM runs it: $(virsh -c "$vim_uri" domstate "$vm" 2>&1 | head -n 1)"
        else
            fail "c: $vm was not recovered within $heal_s s (VM_RECOVERY_COMPLETE: ${healed:-none})"
            say "c: its lease: $(sql "select owner, epoch, claimed_at from leases where unit_id = '$target'")," \
                "its service: $(sql "select state from services where deployment_id = '$target'" 2>&1)," \
                "its VM: $(sql "select state, monitoring from vms where vm_name = '$vm'" 2>&1)"
        fi
    fi

    say "c: nodes now: $(nodes_summary "$ESCD_URL" "$ESCD_ADMIN_PASSWORD" || echo '(GET /v0/nodes failed)')"
    ((${#failures[@]} == 0)) || escd_log_excerpt
    save_logs c
    escd_down
    shared_vim_down
}
