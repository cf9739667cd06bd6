#!/usr/bin/env bash
# Self-test of the escd half of the cluster recipe, on the failure scenarios of docs/cluster.md:
#   a. node killed: CHECK_REQUESTS (100) tenant creates through the HTTP front, CHECK_CONCURRENCY
#      (8) at a time; one escd node SIGKILLed once a third of them are answered. Every request
#      answered 200 must end with its operation finished (operations.finished_at, read through
#      psql) and at least one callback with ESC-Status-Code 200 received for its transaction; a
#      request that died with the node may fail at the HTTP level (HAProxy's 502, a reset), never
#      with a 500. The dead node's transactions (its leases at the kill) must be finished by a
#      survivor within lease + 2 s of the kill.
#   b. primary killed under load: CHECK_WRITERS (4) clients POST tenant creates through the front
#      without pause; the PostgreSQL primary's postmaster and its Patroni are SIGKILLed (as
#      failover-check.sh does) and the clients keep POSTing for CHECK_AFTER_S (25) s. Every
#      answer's status is recorded. Pass: every transaction answered 200 (before, during or after
#      the switch) is in `operations` afterwards (zero loss; they must also all finish and get
#      their callback); every other answer is a 503 with Retry-After or a connection-level
#      failure, never a 500 and never a request hanging CHECK_MAX_TIME (10) s (curl --max-time);
#      escd answers 200 again within CHECK_RECOVERY_S (15) s of the kill, its processes the same.
#      A reader GETs a tenant every 0.1 s meanwhile: every read is answered 200, from the standby
#      while no primary answers (ESCD_STANDBY_READS=0 turns the standby off and this check too).
#   c. deployments on a shared VIM, a node killed (check-deployments.sh): CHECK_DEPLOYMENTS
#      (100) deployments of one VM through the front, one node SIGKILLed once a third are
#      answered; every deployment completes with its callbacks in order, each VM exists once on
#      the VIM, and a VM the dead node monitored, stopped on the VIM after the takeover, is
#      recovered. Needs root (or sudo) for the shared VIM's libvirtd and its network namespace.
# Runs up.sh, escd-up.sh (started afresh for each scenario, three nodes), a callback receiver
# (callback-receiver.py) and ends with down.sh whatever happens. Prints the measured figures on
# stdout; exit status 0 = every check passed. The working directory (results of every request,
# the callbacks received, copies of the escd and HAProxy logs) is kept when a check failed, or
# with CHECK_KEEP=1, and its path printed.
#
# Environment: CHECK_SCENARIOS ("a b c"), CHECK_REQUESTS, CHECK_DEPLOYMENTS, CHECK_HEAL_S, CHECK_CONCURRENCY, CHECK_WRITERS,
# CHECK_AFTER_S, CHECK_RECOVERY_S, CHECK_MAX_TIME (above); CHECK_BEFORE (50: 200s before the
# primary is killed); CHECK_DRAIN_S (30: how long accepted work may take to finish after a
# scenario); CHECK_VICTIM_PAUSED (1: the node killed in (a) runs with
# --engine.paused_for_test=true, so that every tenant create it accepted is still unfinished when
# it dies; a tenant create otherwise finishes within milliseconds, and a takeover would have
# nothing to do; 0: the victim runs normally); ESCD_HEARTBEAT_MS (500), ESCD_LEASE_MS (3000),
# ESCD_DSN_MODE and the other settings of escd-up.sh and up.sh.
set -euo pipefail
export LC_ALL=C # $EPOCHREALTIME and awk with a decimal point

here=$(cd "$(dirname "$0")" && pwd)
scenarios=${CHECK_SCENARIOS:-"a b c"}
n_requests=${CHECK_REQUESTS:-100}
n_deployments=${CHECK_DEPLOYMENTS:-100}
concurrency=${CHECK_CONCURRENCY:-8}
victim_paused=${CHECK_VICTIM_PAUSED:-1}
writers=${CHECK_WRITERS:-4}
before=${CHECK_BEFORE:-50}
after_s=${CHECK_AFTER_S:-25}
recovery_s=${CHECK_RECOVERY_S:-15}
max_time=${CHECK_MAX_TIME:-10}
drain_s=${CHECK_DRAIN_S:-30}
keep=${CHECK_KEEP:-0}
export ESCD_HEARTBEAT_MS=${ESCD_HEARTBEAT_MS:-500} ESCD_LEASE_MS=${ESCD_LEASE_MS:-3000}

say() { echo "escd-check: $*"; }
die() { echo "escd-check: ERROR: $*" >&2; exit 2; }
# shellcheck source=deploy/cluster/lib.sh
source "$here/lib.sh"
# shellcheck source=deploy/cluster/check-deployments.sh
source "$here/check-deployments.sh"
failures=()
# check CONDITION-STATUS MESSAGE: records MESSAGE as a failure unless the status is 0.
fail() { failures+=("$1"); echo "escd-check: FAIL: $1" >&2; }
now() { echo "$EPOCHREALTIME"; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

for var in n_requests n_deployments concurrency writers before after_s recovery_s max_time drain_s; do
    [[ ${!var} =~ ^[0-9]+$ && ${!var} -gt 0 ]] || die "$var must be a positive integer"
done
for s in $scenarios; do [[ $s =~ ^[abc]$ ]] || die "CHECK_SCENARIOS: unknown scenario '$s'"; done
command -v python3 >/dev/null || die "python3 is needed for the callback receiver"
lease_ms=$ESCD_LEASE_MS

work=$(mktemp -d /tmp/escd-check.XXXXXX)
mkdir -p "$work/http"
receiver_pid='' bg_pids=() CLUSTER_DIR=''
finish() {
    local status=$? pid
    trap - EXIT
    for pid in "${bg_pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    shared_vim_down
    if [[ -n $CLUSTER_DIR && -d $CLUSTER_DIR ]]; then
        save_logs final
        "$here/down.sh" "$CLUSTER_DIR" || true
    fi
    if [[ -n $receiver_pid ]]; then
        kill "$receiver_pid" 2>/dev/null || true
        wait "$receiver_pid" 2>/dev/null || true
    fi
    if ((status == 0 && ${#failures[@]} == 0)) && [[ $keep != 1 ]]; then
        rm -rf "$work"
    else
        echo "escd-check: results and logs kept in $work" >&2
    fi
    exit "$status"
}
trap finish EXIT
trap 'exit 1' INT TERM HUP
# An unexpected failure (set -e) names its line; -E: in functions and subshells too.
set -E
trap 'echo "escd-check: ERROR: line $LINENO: a command failed (status $?)" >&2' ERR

# save_logs NAME: copies the escd and HAProxy logs of the running cluster to $work/logs-NAME.
save_logs() {
    local to=$work/logs-$1
    mkdir -p "$to"
    [[ -d $CLUSTER_DIR/escd/log ]] && cp -r "$CLUSTER_DIR/escd/log" "$to/escd"
    [[ -d $CLUSTER_DIR/log ]] && cp -r "$CLUSTER_DIR/log" "$to/database"
    return 0
}

# --- the cluster, the receiver ---------------------------------------------------------------------
t_up=$(now)
env_out=$("$here/up.sh") || die "up.sh failed"
eval "$env_out"
say "database half up in $(secs "$t_up" "$(now)") s ($CLUSTER_DIR)"

: >"$work/receiver.out" # exists before the wait below reads it
python3 "$here/callback-receiver.py" --out "$work/callbacks.tsv" >"$work/receiver.out" 2>&1 &
receiver_pid=$!
for _ in $(seq 1 50); do grep -q '^PORT ' "$work/receiver.out" && break; sleep 0.1; done
cb_port=$(sed -n 's/^PORT \([0-9]*\)$/\1/p' "$work/receiver.out")
[[ -n $cb_port ]] || die "callback receiver did not start: $(cat "$work/receiver.out")"
callback_url=http://127.0.0.1:$cb_port/cb

node_pids=() node_names=()
escd_up() {
    local out t0
    t0=$(now)
    out=$("$here/escd-up.sh") || die "escd-up.sh failed"
    eval "$out"
    read -ra node_pids <<<"$ESCD_PIDS"
    read -ra node_names <<<"$ESCD_NODE_NAMES"
    say "escd half up in $(secs "$t0" "$(now)") s: ${#node_pids[@]} nodes, front $ESCD_URL," \
        "heartbeat $ESCD_HEARTBEAT_MS ms, lease $ESCD_LEASE_MS ms, database through ${ESCD_DSN_MODE:-haproxy}"
}
escd_down() { "$here/escd-down.sh" "$CLUSTER_DIR"; }

sql() { psql "$ESCD_DSN" -XAtq -v ON_ERROR_STOP=1 -c "$1"; }
# sql_tx FILE QUERY: QUERY with a temporary table acc(tx uuid) holding the ids of FILE (one a
# line); read through stdin, as thousands of ids do not fit in one argument.
sql_tx() {
    psql "$ESCD_DSN" -XAtq -v ON_ERROR_STOP=1 <<EOF
create temp table acc (tx uuid);
\copy acc from '$1'
$2
EOF
}


# post_front ID FILE PATH BODY: POSTs BODY to escd's PATH (below /ESCManager/v0/) through the
# front, with the receiver as Callback and Callback-ESC-Events, and appends one line to FILE:
#   id start end status curl-exit transaction-id retry-after node front
# (times: $EPOCHREALTIME; status 000: no HTTP answer; node: X-Escd-Node, the node HAProxy sent it
# to; front: X-Escd-Front, set when HAProxy answered itself; `-` when absent). The answer of a
# non-200 is kept under $work/http.
post_front() {
    local id=$1 file=$2 t0 t1 code rc=0 h=$work/http/$1.headers b=$work/http/$1.body tx ra node front
    t0=$EPOCHREALTIME
    code=$(curl -sS -o "$b" -D "$h" -w '%{http_code}' --max-time "$max_time" \
        -u "admin:$ESCD_ADMIN_PASSWORD" -X POST -H 'Content-Type: application/xml' -H 'Expect:' \
        -H "Callback: $callback_url" -H "Callback-ESC-Events: $callback_url" \
        --data-binary "$4" "$ESCD_URL/ESCManager/v0/$3" 2>"$b.curl") || rc=$?
    t1=$EPOCHREALTIME
    [[ $code =~ ^[0-9]{3}$ ]] || code=000
    read -r tx ra node front < <(awk -F': *' '
        { sub(/\r$/, ""); k = tolower($1) }
        k == "esc-transaction-id" { tx = $2 } k == "retry-after" { ra = $2 }
        k == "x-escd-node" { node = $2 } k == "x-escd-front" { front = $2 }
        END { print (tx == "" ? "-" : tx), (ra == "" ? "-" : ra), (node == "" ? "-" : node), (front == "" ? "-" : front) }' \
        "$h" 2>/dev/null || echo "- - - -")
    echo "$id $t0 $t1 $code $rc $tx $ra $node $front" >>"$file"
    [[ $code == 200 ]] && rm -f "$h" "$b" "$b.curl"
    return 0
}
# post_tenant ID FILE: a tenant create through the front (post_front).
post_tenant() {
    post_front "$1" "$2" "tenants/$1" \
        "<tenant xmlns=\"urn:ietf:params:xml:ns:netconf:base:1.0\"><name>$1</name></tenant>"
}

# post_spread PHASE COUNT POSTER: POSTER ID FILE for the ids PHASE$run-1 .. PHASE$run-COUNT,
# `concurrency` workers at once in the background (sets `workers`), each appending to
# $work/PHASE.part<k>.
post_spread() {
    local phase=$1 count=$2 poster=$3 k
    workers=()
    for k in $(seq 0 $((concurrency - 1))); do
        (
            for ((i = k + 1; i <= count; i += concurrency)); do
                "$poster" "$phase$run-$i" "$work/$phase.part$k"
            done
        ) &
        workers+=($!)
        bg_pids+=($!)
    done
}
# await_answers PHASE N: waits (120 s at most) until N requests of PHASE are answered; sets
# `answered`.
await_answers() {
    local deadline=$((SECONDS + 120))
    while :; do
        answered=$(cat "$work/$1".part* 2>/dev/null | wc -l || true) # no file yet: 0
        ((answered >= $2)) && return 0
        ((SECONDS < deadline)) || die "$1: only $answered answers after 120 s"
        sleep 0.02
    done
}

# classify RESULTS: counts of the answers by kind, as "name=count" lines:
#   ok (200 with a transaction id), ok_no_tx (200 without one), escd_503_ra (escd's 503 with
#   Retry-After), escd_503_no_ra, front_<status> (HAProxy answered itself), s500 (a 500 from
#   escd), other (any other status from escd), conn (no HTTP answer, curl failed otherwise than
#   by its timeout), hang (curl --max-time expired).
classify() {
    awk '{ code = $4; rc = $5; ra = $7; front = $9
           if (code == "000") k = (rc == 28 ? "hang" : "conn")
           else if (front != "-") k = "front_" code
           else if (code == "200") k = ($6 == "-" ? "ok_no_tx" : "ok")
           else if (code == "503") k = (ra == "-" ? "escd_503_no_ra" : "escd_503_ra")
           else if (code == "500") k = "s500"
           else k = "other"
           n[k]++ }
         END { for (k in n) print k "=" n[k] }' "$1" | sort
}
# collect_answers PHASE: waits for the phase's writers (`workers`), merges their results into
# $work/PHASE.results (sets `res`) in start order, classifies them (sets `codes`) and says how
# many of each.
collect_answers() {
    wait "${workers[@]}" || true
    bg_pids=()
    res=$work/$1.results
    cat "$work/$1".part* | sort -k2,2n >"$res"
    codes=$(classify "$res")
    say "$1: answers: $(tr '\n' ' ' <<<"$codes")(of $(wc -l <"$res") requests)"
}
count_of() { sed -n "s/^$1=//p" <<<"$2" | grep . || echo 0; }

# check_transactions TAG TXFILE: every transaction of TXFILE (one id a line) has exactly one
# operation, finished, with status 200, a DELIVERED outbox row, and a callback with
# ESC-Status-Code 200 at the receiver. Waits up to drain_s for the work to finish, and for every
# callback of those transactions to be delivered (a dead node's undelivered ones are sent again
# by the node that takes its work over, after its lease: what the receiver's file says of their
# order is read only then). Records failures; prints a summary line.
check_transactions() {
    local tag=$1 txfile=$2 total deadline row missing unfinished not200 undelivered pending no_cb dup_cb
    total=$(wc -l <"$txfile")
    deadline=$((SECONDS + drain_s))
    while :; do
        row=$(sql_tx "$txfile" "select count(*) filter (where o.transaction_id is null),
                   count(*) filter (where o.finished_at is null),
                   count(*) filter (where o.finished_at is not null and o.status_code is distinct from 200),
                   count(*) filter (where not exists (select 1 from outbox b where b.transaction_id = a.tx
                                                      and b.state = 'DELIVERED')),
                   count(*) filter (where exists (select 1 from outbox b where b.transaction_id = a.tx
                                                  and b.state = 'PENDING'))
            from acc a left join operations o on o.transaction_id = a.tx") || row="? ? ? ? ?"
        IFS='|' read -r missing unfinished not200 undelivered pending <<<"$row"
        # A missing row never appears later; wait only for what is still under way.
        [[ $unfinished == 0 && $undelivered == 0 && $pending == 0 ]] && break
        ((SECONDS < deadline)) || break
        sleep 0.5
    done
    # The receiver's side: transactions without a callback with ESC-Status-Code 200, and the
    # callbacks received more than once (at least once delivery allows it across a takeover).
    # (A callback is the same one again when its transaction, event and stage are.)
    read -r no_cb dup_cb < <(awk -F'\t' 'NR == FNR { if ($5 == "200") ok[$4]++; n[$4]++; if (++same[$4, $6, $7] == 2) again[$4] = 1; next }
        { if (!($1 in ok)) none++; if ($1 in again) dup++ }
        END { print none + 0, dup + 0 }' "$work/callbacks.tsv" "$txfile")
    say "$tag: of $total transaction(s) answered 200: not in operations: $missing; unfinished" \
        "${drain_s} s later: $unfinished; finished other than 200: $not200; without a DELIVERED" \
        "callback row: $undelivered; with a callback still pending: $pending; without a callback" \
        "received with ESC-Status-Code 200: $no_cb; with a callback received more than once: $dup_cb"
    [[ $missing == 0 ]] || fail "$tag: $missing transaction(s) answered 200 are not in operations (lost)"
    [[ $unfinished == 0 ]] || fail "$tag: $unfinished operation(s) answered 200 never finished"
    [[ $not200 == 0 ]] || fail "$tag: $not200 operation(s) finished with a status other than 200"
    [[ $undelivered == 0 ]] || fail "$tag: $undelivered transaction(s) without a DELIVERED callback"
    [[ $no_cb == 0 ]] || fail "$tag: $no_cb transaction(s) without a callback received with ESC-Status-Code 200"
    return 0
}

# show_failed_answers RESULTS: one sample answer of each failed kind (status, headers, body).
show_failed_answers() {
    local id
    for id in $(awk '$4 != "200" && !seen[$4 "/" $9]++ { print $1 }' "$1" | head -n 6); do
        echo "---- $(grep "^$id " "$1")" >&2
        tr -d '\r' <"$work/http/$id.headers" 2>/dev/null | head -n 12 >&2
        head -c 400 "$work/http/$id.body" 2>/dev/null >&2
        cat "$work/http/$id.body.curl" 2>/dev/null >&2
        echo >&2
    done
}

# escd_log_excerpt: the warnings and errors the escd nodes logged (first lines of each).
escd_log_excerpt() {
    local f
    for f in "$CLUSTER_DIR"/escd/log/escd-*.log; do
        echo "---- $(basename "$f"): $(grep -c -E ' (WARN|ERROR)' "$f" || true) warning/error line(s); first ones:" >&2
        grep -E ' (WARN|ERROR)' "$f" | head -n 8 >&2 || true
    done
}

run=$(date +%H%M%S)

# === a. a node killed ================================================================================
scenario_a() {
    local victim victim_pid victim_id k answered t_kill held_file res codes n200 last_hb_ms
    say "a: $n_requests tenant creates through the front, $concurrency at a time; SIGKILL of one node after $((n_requests / 3)) answers"
    if [[ $victim_paused == 1 ]]; then
        ESCD_ARGS_3="--engine.paused_for_test=true" escd_up
    else
        escd_up
    fi
    victim=escd-3
    victim_pid=${node_pids[2]}
    victim_id=$(sql "select node_id from nodes where name = '$victim' and stopped_at is null
                     order by started_at desc limit 1")
    [[ -n $victim_id ]] || die "no node row for $victim"
    [[ $victim_paused == 1 ]] && say "a: $victim runs with its engine paused: it accepts and runs nothing"

    local workers
    post_spread a "$n_requests" post_tenant
    await_answers a $((n_requests / 3))
    t_kill=$(now)
    kill -KILL "$victim_pid"
    say "a: killed $victim (pid $victim_pid) after $answered answers"
    # Its transactions: the leases it held at its death (nobody can claim them before its lease
    # has passed, so reading them just after the kill is reading them at the kill).
    held_file=$work/a.held
    sql "select unit_id from leases where unit_kind = 'transaction' and owner = '$victim_id'" >"$held_file" ||
        die "a: cannot read the leases of $victim"
    last_hb_ms=$(sql "select round(extract(epoch from heartbeat_at) * 1000)::bigint from nodes where node_id = '$victim_id'") ||
        die "a: cannot read the heartbeat of $victim"
    collect_answers a
    n200=$(count_of ok "$codes")
    say "a: answered 200 per node: $(awk '$4 == 200 { n[$8]++ } END { for (k in n) printf "%s=%d ", k, n[k] }' "$res")"
    (($(wc -l <"$res") == n_requests)) || fail "a: $(wc -l <"$res") results for $n_requests requests"
    for k in s500 other hang ok_no_tx escd_503_ra escd_503_no_ra front_503 front_504; do
        local c
        c=$(count_of "$k" "$codes")
        ((c == 0)) || fail "a: $c answer(s) of kind $k (allowed besides 200: HAProxy's 502 and connection failures of requests to the dying node)"
    done
    local lost_conn
    lost_conn=$(($(count_of front_502 "$codes") + $(count_of conn "$codes")))
    say "a: requests that died with $victim (HAProxy 502 or no HTTP answer): $lost_conn; 500s: $(count_of s500 "$codes")"
    awk '$4 != 200 { print "    " $0 }' "$res"
    ((n200 + lost_conn < n_requests)) && show_failed_answers "$res"

    # -- every 200: finished, callback received
    awk '$4 == 200 && $6 != "-" { print $6 }' "$res" | sort -u >"$work/a.tx"
    (($(wc -l <"$work/a.tx") == n200)) || fail "a: $n200 answers 200 but $(wc -l <"$work/a.tx") distinct transaction ids"
    check_transactions a "$work/a.tx"
    say "a: in order per transaction: a tenant create has one callback (CREATE_TENANT), so the order is trivially kept;" \
        "events received: $(awk -F'\t' '{ n[$6]++ } END { for (k in n) printf "%s=%d ", k, n[k] }' "$work/callbacks.tsv")"
    local left
    left=$(sql "select count(*) from operations where finished_at is null")
    [[ $left == 0 ]] || fail "a: $left operation(s) in the database still unfinished (accepted but answered otherwise, or never taken over)"

    # -- the takeover
    # Of the transactions it held: those whose operation was unfinished at the kill, those with
    # a callback not yet delivered at the kill; when the last of each finished (database clock,
    # the same host's), and when the receiver got the last of their callbacks.
    local n_held=0 stats ops_pending=0 first='' last='' cbs_pending=0 cb_last='' unfinished=0 kill_ms received limit
    kill_ms=$(awk -v t="$t_kill" 'BEGIN { printf "%.0f", t * 1000 }')
    n_held=$(grep -c . "$held_file" || true)
    if ((n_held > 0)); then
        stats=$(sql_tx "$held_file" "
            select count(*) filter (where o.finished_at is null or o.finished_at > to_timestamp($t_kill)),
                   coalesce(round(extract(epoch from min(o.finished_at) filter (where o.finished_at > to_timestamp($t_kill))) * 1000)::bigint::text, ''),
                   coalesce(round(extract(epoch from max(o.finished_at) filter (where o.finished_at > to_timestamp($t_kill))) * 1000)::bigint::text, ''),
                   count(*) filter (where exists (select 1 from outbox b where b.transaction_id = a.tx
                                                  and (b.finished_at is null or b.finished_at > to_timestamp($t_kill)))),
                   (select coalesce(round(extract(epoch from max(b.finished_at)) * 1000)::bigint::text, '')
                      from outbox b join acc a2 on b.transaction_id = a2.tx
                     where b.state = 'DELIVERED' and b.finished_at > to_timestamp($t_kill)),
                   count(*) filter (where o.finished_at is null)
            from acc a left join operations o on o.transaction_id = a.tx")
        IFS='|' read -r ops_pending first last cbs_pending cb_last unfinished <<<"$stats"
        received=$(awk -F'\t' -v k="$t_kill" 'NR == FNR { held[$1] = 1; next }
            ($4 in held) && $5 == "200" && $1 > k && (!($4 in first) || $1 < first[$4]) { first[$4] = $1 }
            END { for (t in first) if (first[t] > last) last = first[t]; if (last != "") printf "%.0f ms", (last - k) * 1000; else print "-" }' \
            "$held_file" "$work/callbacks.tsv")
        ms_after() { [[ -n $1 ]] && echo "$(($1 - kill_ms)) ms" || echo -; }
        say "a: $victim (last heartbeat $((kill_ms - last_hb_ms)) ms before the kill) held $n_held transaction" \
            "lease(s) at its death: $ops_pending with the operation unfinished, $cbs_pending with a callback" \
            "not delivered; kill -> first of those operations finished: $(ms_after "$first"), the last:" \
            "$(ms_after "$last"); kill -> last callback DELIVERED (outbox.finished_at): $(ms_after "$cb_last")," \
            "received: $received (lease $lease_ms ms, heartbeat $ESCD_HEARTBEAT_MS ms)"
    fi
    limit=$((lease_ms + 2000))
    if ((n_held > 0 && ops_pending + cbs_pending > 0)); then
        local what=operation end=$last
        ((ops_pending > 0)) || { what=callback; end=$cb_last; }
        if [[ $unfinished != 0 || -z $end ]]; then
            fail "a: the dead node's work never finished ($unfinished operation(s) unfinished)"
        elif ((end - kill_ms < limit)); then
            say "a: takeover (kill -> the dead node's last $what finished) within lease + 2 s: PASS ($((end - kill_ms)) ms < $limit ms)"
        else
            fail "a: takeover: kill -> the dead node's last $what finished $((end - kill_ms)) ms, not under lease + 2 s ($limit ms)"
        fi
        grep -h 'taken over:' "$CLUSTER_DIR"/escd/log/escd-*.log | sed 's/^/    /' || fail "a: no survivor logged 'taken over:'"
    elif [[ $victim_paused == 1 ]]; then
        fail "a: the paused $victim held no unfinished transaction at its death (nothing accepted by it?)"
    else
        say "a: $victim held nothing unfinished at its death: nothing to take over (a tenant create finishes" \
            "within milliseconds; CHECK_VICTIM_PAUSED=1 makes the takeover measurable)"
    fi

    # -- the survivors
    local i
    for i in "${!node_pids[@]}"; do
        [[ ${node_names[$i]} == "$victim" ]] && continue
        kill -0 "${node_pids[$i]}" 2>/dev/null || fail "a: ${node_names[$i]} (pid ${node_pids[$i]}) is no longer running"
    done
    say "a: nodes now: $(nodes_summary "$ESCD_URL" "$ESCD_ADMIN_PASSWORD" || echo '(GET /v0/nodes failed)')"
    ((${#failures[@]} == 0)) || escd_log_excerpt
    save_logs a
    escd_down
}

# === b. the primary killed under load =================================================================
scenario_b() {
    local w res codes t_kill primary survivor patroni_pid postmaster_pid n_reads bad_reads slowest_read
    say "b: $writers writers POSTing tenant creates through the front; SIGKILL of the PostgreSQL primary after $before answers 200"
    escd_up
    rm -f "$work/b.stop"
    # A reader: GETs one tenant through the front every 0.1 s, before, during and after the
    # switch; "start end status" per request.
    post_tenant "b$run-read" "$work/b.seed"
    [[ $(awk '{ print $4 }' "$work/b.seed") == 200 ]] || die "b: the reader's tenant was not accepted"
    (
        while [[ ! -e $work/b.stop ]]; do
            t0=$EPOCHREALTIME
            code=$(curl -s -o /dev/null -w '%{http_code}' --max-time "$max_time" \
                -u "admin:$ESCD_ADMIN_PASSWORD" "$ESCD_URL/ESCManager/v0/tenants/b$run-read") || true
            echo "$t0 $EPOCHREALTIME ${code:-000}" >>"$work/b.reads"
            sleep 0.1
        done
    ) &
    local reader=$!
    bg_pids+=($!)
    local workers=()
    for w in $(seq 1 "$writers"); do
        (
            i=0
            while [[ ! -e $work/b.stop ]]; do
                i=$((i + 1))
                post_tenant "b$run-$w-$i" "$work/b.part$w"
            done
        ) &
        workers+=($!)
        bg_pids+=($!)
    done
    local deadline=$((SECONDS + 120))
    until (($(cat "$work"/b.part* 2>/dev/null | awk '$4 == 200' | wc -l || true) >= before)); do
        ((SECONDS < deadline)) || die "b: fewer than $before answers 200 after 120 s"
        sleep 0.1
    done

    primary=''
    for n in 1 2; do
        local url_var=CLUSTER_PATRONI${n}_URL
        [[ $(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "${!url_var}/primary" || true) == 200 ]] && primary=$n
    done
    [[ -n $primary ]] || die "b: no node reports itself primary"
    survivor=$((3 - primary))
    patroni_pid=$(cat "$CLUSTER_DIR/run/patroni$primary.pid")
    postmaster_pid=$(head -n 1 "$CLUSTER_DIR/node$primary/data/postmaster.pid")
    [[ $patroni_pid =~ ^[0-9]+$ && $postmaster_pid =~ ^[0-9]+$ ]] || die "b: cannot read the primary's pids"
    t_kill=$(now)
    kill -KILL "$patroni_pid" "$postmaster_pid"
    say "b: killed PostgreSQL node$primary (patroni $patroni_pid, postmaster $postmaster_pid) after" \
        "$(cat "$work"/b.part* | awk '$4 == 200' | wc -l) answers 200; writing on for $after_s s"
    sleep "$after_s"
    touch "$work/b.stop"
    wait "$reader" || true
    collect_answers b
    # -- reads: answered from the standby while no primary is there (database.standby_dsn)
    local reads
    reads=$(awk -v k="$t_kill" '$1 >= k { n++; if ($3 != 200) bad++; d = $2 - $1; if (d > max) max = d }
        END { printf "%d %d %.3f", n, bad, max }' "$work/b.reads")
    read -r n_reads bad_reads slowest_read <<<"$reads"
    say "b: reads after the kill: $n_reads, answered other than 200: $bad_reads, slowest: $slowest_read s" \
        "($(awk -v k="$t_kill" '$1 >= k && $3 != 200 { n[$3]++ } END { for (c in n) printf "%s=%d ", c, n[c] }' "$work/b.reads"))"
    if [[ ${ESCD_STANDBY_READS:-1} == 1 ]]; then
        ((bad_reads == 0)) || fail "b: $bad_reads read(s) after the kill not answered 200 (reads go to the standby while no primary answers)"
    fi
    for k in s500 other hang ok_no_tx escd_503_no_ra front_504; do
        local c
        c=$(count_of "$k" "$codes")
        ((c == 0)) || fail "b: $c answer(s) of kind $k (allowed besides 200: 503 with Retry-After, connection failures)"
    done
    # Allowed: escd's 503 with Retry-After; HAProxy's 503 (no node passed its health check: it
    # carries Retry-After too); connection-level failures: no HTTP answer at all, or HAProxy's
    # 502 (the connection to the node ended without an answer: reset by escd, or cut by HAProxy
    # when it marked the node down). All are counted apart in the figures.
    local c503 cfront cconn c502
    c503=$(count_of escd_503_ra "$codes") cfront=$(count_of front_503 "$codes")
    cconn=$(count_of conn "$codes") c502=$(count_of front_502 "$codes")
    say "b: escd's 503s (with Retry-After): $c503; HAProxy's own 503s (no node up): $cfront;" \
        "connection-level failures: $((cconn + c502)) (no answer: $cconn, HAProxy 502: $c502)"
    ((c503 + cfront + cconn + c502 + $(count_of ok "$codes") < $(wc -l <"$res"))) && show_failed_answers "$res"
    ((c503 > 0)) && {
        local sample
        sample=$(awk '$4 == 503 && $9 == "-" { print $1; exit }' "$res")
        say "b: a 503 of escd: Retry-After $(awk -v id="$sample" '$1 == id { print $7 }' "$res"), body: $(tr -d '\n' <"$work/http/$sample.body" | head -c 300)"
    }

    # -- the timing, as the clients saw it
    local timing
    # Failed answers after the kill; "back": the first 200 to a request begun after the kill and
    # after the last failed request began; the longest time between two consecutive answers 200
    # (by the time they arrived) that spans or follows the kill.
    timing=$(awk -v k="$t_kill" '
        FILENAME == ARGV[1] { ends[++m] = $1; next }
        $4 != 200 && $3 >= k { nf++; if (ff == "" || $3 < ff) ff = $3; if (fs0 == "" || $2 < fs0) fs0 = $2
                               if ($2 > lf) lf = $2; if ($3 > lfe) lfe = $3 }
        { lat = $3 - $2; if (lat > maxlat) maxlat = lat }
        $4 == 200 { okstart[++n] = $2; okend[n] = $3 }
        END {
            ref = (lf > k ? lf : k); back = ""
            for (i = 1; i <= n; i++) if (okstart[i] > ref && (back == "" || okend[i] < back)) back = okend[i]
            gap = 0; gs = ""
            for (i = 2; i <= m; i++) if (ends[i] >= k && ends[i] - ends[i - 1] > gap) { gap = ends[i] - ends[i - 1]; gs = ends[i - 1] }
            printf "%d %s %s %s %s %.3f %.3f %s\n", nf, (ff == "" ? "-" : sprintf("%+.3f", ff - k)),
                (lfe == "" ? "-" : sprintf("%+.3f", lfe - k)), (back == "" ? "-" : sprintf("%+.3f", back - k)),
                (fs0 == "" ? "-" : sprintf("%+.3f", fs0 - k)), maxlat, gap, (gs == "" ? "-" : sprintf("%+.3f", gs - k))
        }' <(awk '$4 == 200 { print $3, $4 }' "$res" | sort -n) "$res")
    local nfail first_fail last_fail back first_fail_start maxlat gap gap_start
    read -r nfail first_fail last_fail back first_fail_start maxlat gap gap_start <<<"$timing"
    say "b: after the kill (times from the kill): $nfail failed answer(s), the first at $first_fail s, the last at" \
        "$last_fail s; escd answered 200 again (the first 200 to a request begun after the last failed one)" \
        "at $back s; longest time without an answer 200: $gap s (from $gap_start s); slowest request: $maxlat s"
    if [[ $back == - ]]; then
        fail "b: escd never answered 200 again after the kill (within $after_s s)"
    elif awk -v b="$back" -v r="$recovery_s" 'BEGIN { exit !(b <= r) }'; then
        say "b: escd back within ${recovery_s} s: PASS ($back s)"
    else
        fail "b: escd answered 200 again only $back s after the kill (bound $recovery_s s)"
    fi
    say "b: the switch as seen by escd's clients: $(awk -v a="$first_fail_start" -v b="$back" \
        'BEGIN { if (a == "-" || b == "-") print "-"; else printf "%.2f s", b - a }') (first failed request's start -> first 200 after the last failure)"
    local hlog=$CLUSTER_DIR/escd/log/haproxy.log
    # (HAProxy -db writes each such event twice: as its log line, and as a [WARNING] on stderr.)
    say "b: HTTP front: $(grep -c '^Health check for server .* failed' "$hlog" || true) failed health check(s)," \
        "$(grep -c '^Server .* is DOWN' "$hlog" || true) node(s) marked DOWN, $(grep -c '^Server .* is UP' "$hlog" || true) UP during the run"
    grep -E '^(Health check for server .* failed|Server .* is (DOWN|UP))' "$hlog" | sed 's/^/    /' | head -n 12 || true

    # -- zero loss, and the work finishes
    awk '$4 == 200 && $6 != "-" { print $6 }' "$res" | sort -u >"$work/b.tx"
    local n200
    n200=$(count_of ok "$codes")
    (($(wc -l <"$work/b.tx") == n200)) || fail "b: $n200 answers 200 but $(wc -l <"$work/b.tx") distinct transaction ids"
    check_transactions b "$work/b.tx"
    local lost
    lost=$(sql_tx "$work/b.tx" "select count(*) from acc a where not exists (select 1 from operations o where o.transaction_id = a.tx)")
    say "b: loss: $lost of $n200 transaction(s) answered 200 (before: $(awk -v k="$t_kill" '$4 == 200 && $3 < k' "$res" | wc -l), after the kill: $(awk -v k="$t_kill" '$4 == 200 && $3 >= k' "$res" | wc -l))"
    # Accepted in the database but not answered 200 (the answer was a 503 or lost): they are
    # fine either way, but they must not be left unfinished.
    local left
    left=$(sql "select count(*) from operations where finished_at is null")
    [[ $left == 0 ]] || fail "b: $left operation(s) in the database still unfinished"

    # -- escd was not restarted
    local i
    for i in "${!node_pids[@]}"; do
        kill -0 "${node_pids[$i]}" 2>/dev/null || fail "b: ${node_names[$i]} (pid ${node_pids[$i]}) is no longer running"
    done
    say "b: PostgreSQL primary now node$survivor; escd nodes: $(nodes_summary "$ESCD_URL" "$ESCD_ADMIN_PASSWORD" || echo '(GET /v0/nodes failed)')"
    for i in "${!node_names[@]}"; do
        say "b: ${node_names[$i]}: $(grep -c 'missed its lease' "$CLUSTER_DIR/escd/log/${node_names[$i]}.log" || true) rejoin(s)," \
            "$(grep -c 'heartbeat of node .* failed' "$CLUSTER_DIR/escd/log/${node_names[$i]}.log" || true) failed heartbeat(s)," \
            "$(grep -c -E ' (WARN|ERROR)' "$CLUSTER_DIR/escd/log/${node_names[$i]}.log" || true) warning/error line(s)"
    done
    ((${#failures[@]} == 0)) || escd_log_excerpt
    save_logs b
    escd_down
}

for s in $scenarios; do "scenario_$s"; done

if ((${#failures[@]})); then
    say "FAIL: ${#failures[@]} check(s) failed:"
    for f in "${failures[@]}"; do echo "    $f"; done
    exit 1
fi
say "PASS"
