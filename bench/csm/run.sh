#!/usr/bin/env bash
# The CSM job engine benchmark (bench/csm/README.md): DEVICES emulated IOS XR devices
# (bench/csm/fleet.sh), one five-job upgrade each (Pre-Upgrade, Add, Activate, Post-Upgrade,
# Commit) scheduled at one whole minute through escd's CSM REST API, run by escd with N jobs in
# parallel, for each N of PARALLEL. From the repo root, as root, after a Release build:
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release -j2 --target escd
#   bench/csm/run.sh                       # 200 devices, N = 10 then N = 50 (~11 minutes)
#   bench/csm/run.sh -d 20 -n 5            # a quick trial: 20 devices, N = 5
#
# Per N: a fresh database and escd (--csm.max_parallel_jobs=N --csm.poll_s=1), the fleet in its
# factory state; the inventory is POSTed (repository, region, the DEVICES hosts in one request),
# escd discovers the new hosts in the background (the script waits until no host's os_type is
# "Unknown"), the command log is emptied, then one POST /api/v1/install per host with the five
# jobs at the first whole minute at least LEAD s ahead (utc_offset +00:00). The script waits
# until every job has ended and reports (bench/csm/report.py --jobs):
#   - jobs per minute: completed jobs / (last end - scheduled time);
#   - escd's CPU per job: utime + stime of escd (/proc/PID/stat) from 1 s before the scheduled
#     minute to the last end, divided by the jobs that ran; PostgreSQL's and the fleet's alongside;
#   - escd's memory per open device session: VmRSS, Pss and RssAnon sampled every SAMPLE_S
#     with the number of escd's established TCP connections to the devices (/proc/net/tcp):
#     (median with the most sessions open - median while idle before the run) / sessions, and
#     (peak in the discovery - before any session) / the most sessions then;
#   - (a) the dispatch delay: from the moment a job could start (the latest of its scheduled time,
#     its dependency's end and a slot freed) to its session's first command on the device, from
#     the jobs' times in PostgreSQL (µs) and the fleet's command log; (b) for the first N jobs,
#     the plain scheduled time -> first command. Target: p99 < 1 s.
#   - failed jobs (their status_message, trace and escd's log lines), and the machine's load.
# Results stay in OUT (per N: report.txt, per-job.txt, jobs.tsv, commands.log, mem.txt, escd's
# output and session logs); the fleet, escd and PostgreSQL are removed at exit.
#
# Options (or the environment variable in brackets):
#   -d, --devices D        devices [DEVICES=200]
#   -n, --parallel "N..."  the N values, space or comma separated [PARALLEL="10 50"]
#   --op-seconds S         each install operation on a device [OP_SECONDS=1]
#   --reload-seconds S     a device's reload [RELOAD_SECONDS=5]
#   --reload-delay S       from an activation's end to its reload [RELOAD_DELAY=1]
#   --lead S               the scheduled minute is at least S s after the POSTs start [LEAD=20]
#   -o, --out DIR          results [OUT=/tmp/escd-bench-csm.<time>]
# Environment: BUILD_DIR (build/release), BENCH_DURABLE (1: fsync on), LOG_LEVEL (INFO),
# SAMPLE_S (0.5), DISCOVERY_TIMEOUT (300), RUN_TIMEOUT (0: 300 + DEVICES * 75 / N s),
# RELOAD_TIMEOUT (120: escd's csm.reload_timeout_s), ESCD_READY_TIMEOUT (60).
# Exit status: 0 when every run ran and every job completed; 1 otherwise.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
here=$root/bench/csm
BUILD_DIR=${BUILD_DIR:-build/release}
DEVICES=${DEVICES:-200}
PARALLEL=${PARALLEL:-"10 50"}
OP_SECONDS=${OP_SECONDS:-1}
RELOAD_SECONDS=${RELOAD_SECONDS:-5}
RELOAD_DELAY=${RELOAD_DELAY:-1}
LEAD=${LEAD:-20}
OUT=${OUT:-}
BENCH_DURABLE=${BENCH_DURABLE:-1}
LOG_LEVEL=${LOG_LEVEL:-INFO}
SAMPLE_S=${SAMPLE_S:-0.5}
DISCOVERY_TIMEOUT=${DISCOVERY_TIMEOUT:-300}
RUN_TIMEOUT=${RUN_TIMEOUT:-0}
RELOAD_TIMEOUT=${RELOAD_TIMEOUT:-120}
ESCD_READY_TIMEOUT=${ESCD_READY_TIMEOUT:-60}
while [[ $# -gt 0 ]]; do
    case $1 in
    -d | --devices) DEVICES=$2; shift 2 ;;
    -n | --parallel) PARALLEL=$2; shift 2 ;;
    --op-seconds) OP_SECONDS=$2; shift 2 ;;
    --reload-seconds) RELOAD_SECONDS=$2; shift 2 ;;
    --reload-delay) RELOAD_DELAY=$2; shift 2 ;;
    --lead) LEAD=$2; shift 2 ;;
    -o | --out) OUT=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (--help)" >&2; exit 2 ;;
    esac
done
PARALLEL=${PARALLEL//,/ }

bench_name=csm/run.sh
pgbin=/usr/lib/postgresql/15/bin
escd_bin=$BUILD_DIR/server/escd
admin_password=benchpass
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

[[ $(id -u) -eq 0 ]] || die "run as root (the fleet needs a namespace, iptables, a user)"
if ! [[ $DEVICES =~ ^[1-9][0-9]*$ ]]; then die "--devices: a number >= 1"; fi
for n in $PARALLEL; do
    if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then die "--parallel: numbers >= 1"; fi
done
[[ -x $escd_bin ]] || die "$escd_bin not found: build first (see the header)"
for tool in jq curl python3; do command -v "$tool" >/dev/null || die "$tool is missing"; done
build_type=$(sed -n 's/^CMAKE_BUILD_TYPE:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null || true)
build_src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:[A-Z]*=//p' "$BUILD_DIR/CMakeCache.txt" 2>/dev/null || true)
[[ $build_type == Release ]] || echo "$bench_name: warning: $BUILD_DIR is a '${build_type:-unknown}' build, not Release" >&2
grep -aq max_parallel_jobs "$escd_bin" ||
    die "$escd_bin has no CSM job engine (csm.max_parallel_jobs): rebuild it"

[[ -n $OUT ]] || OUT=/tmp/escd-bench-csm.$(date -u +%Y%m%dT%H%M%S)
mkdir -p "$OUT"
out=$(cd "$OUT" && pwd)
chmod 755 "$out"

escd_pid='' sampler_pid='' pg_dir='' fleet_up=0
cleanup() {
    local status=$?
    trap - EXIT
    stop_pid "$sampler_pid"
    stop_pid "$escd_pid"
    ((fleet_up)) && bash "$here/fleet.sh" down
    [[ -n $pg_dir ]] && "$root/tests/pg-down.sh" "$pg_dir"
    exit "$status"
}
trap cleanup EXIT

ncpu=$(nproc)
{
    echo "bench/csm/run.sh $(date -u +%FT%TZ): $DEVICES devices, N = $PARALLEL"
    echo "escd: $escd_bin (${build_type:-?} build of ${build_src:-?}$(
        [[ -n $build_src ]] && git -C "$build_src" rev-parse --short HEAD 2>/dev/null | sed 's/^/ at /'
    ); built $(date -u -r "$escd_bin" +%FT%TZ))"
    echo "devices: --op-seconds $OP_SECONDS --reload-seconds $RELOAD_SECONDS --reload-delay $RELOAD_DELAY"
    echo "machine: $ncpu cores, load average $(cut -d' ' -f1-3 /proc/loadavg) before the fleet"
} | tee "$out/setup.txt"

log "the fleet: $DEVICES devices"
start_s=$SECONDS
bash "$here/fleet.sh" up "$DEVICES" --op-seconds "$OP_SECONDS" --reload-seconds "$RELOAD_SECONDS" \
    --reload-delay "$RELOAD_DELAY" >"$out/fleet.env"
fleet_up=1
# shellcheck source=/dev/null
source "$out/fleet.env"
echo "fleet up in $((SECONDS - start_s)) s: $FLEET_ROOT (command log $FLEET_COMMAND_LOG)"

start_postgres "$BENCH_DURABLE" >"$out/postgres.txt"
tee -a "$out/setup.txt" <"$out/postgres.txt"

# The file holding the fleet's CPU nanoseconds (cgroup v1) or microseconds (v2).
fleet_cg=$(cat "$FLEET_ROOT/cgroup" 2>/dev/null || true)
fleet_cpu_file=/dev/null
if [[ -f $fleet_cg/cpuacct.usage ]]; then fleet_cpu_file=$fleet_cg/cpuacct.usage
elif [[ -f $fleet_cg/cpu.stat ]]; then fleet_cpu_file=$fleet_cg/cpu.stat; fi
# sample PHASE: one line "PHASE epoch_s rss_kb pss_kb anon_kb sessions escd_ticks fleet_ns
# busy_jiffies total_jiffies", one awk for all of it: escd's VmRSS, RssAnon (its heap and stacks:
# what it allocated, whatever other processes map the same libraries), Pss (smaps_rollup),
# utime + stime; its open device sessions (established TCP connections to port 22 of
# 198.19.0.0/16 in /proc/net/tcp: escd is the only client of the fleet); the fleet's CPU; the
# machine's busy and total jiffies (/proc/stat).
sample() {
    awk -v phase="$1" -v now="$EPOCHREALTIME" '
        FILENAME ~ /status$/ && $1 == "VmRSS:" { rss = $2 }
        FILENAME ~ /status$/ && $1 == "RssAnon:" { anon = $2 }
        FILENAME ~ /smaps_rollup$/ && $1 == "Pss:" { pss = $2 }
        FILENAME ~ /[0-9]\/stat$/ { sub(/^.*\) /, ""); ticks = $12 + $13 }
        FILENAME == "/proc/stat" && $1 == "cpu" {
            t = 0; for (i = 2; i <= 9; i++) t += $i; busy = t - $5 - $6; total = t }
        FILENAME == "/proc/net/tcp" && $4 == "01" && $3 ~ /13C6:0016$/ { sessions++ }
        FILENAME ~ /cpuacct.usage$/ { fleet = $1 }
        FILENAME ~ /cpu.stat$/ && $1 == "usage_usec" { fleet = $2 * 1000 }
        END { printf "%s %.3f %d %d %d %d %d %.0f %d %d\n", phase, now, rss, pss, anon,
                     sessions, ticks, fleet, busy, total }
    ' "/proc/$escd_pid/status" "/proc/$escd_pid/smaps_rollup" "/proc/$escd_pid/stat" /proc/stat \
        /proc/net/tcp "$fleet_cpu_file" 2>/dev/null || true
}
sessions() { sample x | cut -d' ' -f6; }
# start_sampler PHASE: samples every SAMPLE_S into $work/mem.txt until stop_sampler.
start_sampler() {
    (
        while :; do
            sample "$1"
            sleep "$SAMPLE_S"
        done
    ) >>"$work/mem.txt" &
    sampler_pid=$!
}
stop_sampler() {
    stop_pid "$sampler_pid"
    sampler_pid=''
}
# Busy and total jiffies of the machine (/proc/stat's cpu line).
machine_ticks() { awk '$1 == "cpu" {t = 0; for (i = 2; i <= 9; i++) t += $i; print t - $5 - $6, t}' /proc/stat; }

# csm_call METHOD PATH [BODY_FILE]: the answer in $work/answer.json; prints the HTTP status.
csm_call() {
    local args=(-s -o "$work/answer.json" -w '%{http_code}' -u "admin:$admin_password" -X "$1")
    [[ -n ${3:-} ]] && args+=(-H 'Content-Type: application/json' --data-binary "@$3")
    curl "${args[@]}" "$csm$2" || echo 000
}
csm_post() {
    local code
    code=$(csm_call POST "$1" "$2")
    [[ $code == 200 ]] || { cat "$work/answer.json" >&2; die "POST $1: HTTP $code"; }
}

failures=0
summary=()
run_one() {
    local n=$1 db=escd_csm_n$1 code unknown failed_discovery deadline at now jobs counts
    local cpu0 cpu1 pg0 pg1 fleet0 fleet1 m0 m1 load0 load1 t0 t1 timeout result
    work=$out/n$n
    mkdir -p "$work"
    log "N = $n: escd with max_parallel_jobs=$n, a fresh database"
    psql_ -d postgres -c "CREATE DATABASE $db"
    start_escd --csm.http_port=0 --csm.device_allowed_cidrs=198.19.0.0/16 \
        --csm.max_parallel_jobs="$n" --csm.poll_s=1 --csm.reload_timeout_s="$RELOAD_TIMEOUT"
    csm_port=$(sed -n 's/.* csm=\([0-9]*\).*/\1/p' "$work/ready")
    [[ -n $csm_port ]] || die "no csm= port in escd's ready file: $(cat "$work/ready")"
    csm=http://127.0.0.1:$csm_port/api/v1
    echo "escd pid $escd_pid, CSM face on $csm"

    python3 "$here/bodies.py" --out "$work/bodies" --hosts "$DEVICES" >/dev/null
    csm_post /server_repositories "$work/bodies/server_repositories.json"
    csm_post /regions "$work/bodies/regions.json"
    # escd before it ever opened a device session, then during the discovery.
    : >"$work/mem.txt"
    wait_idle "$escd_pid" 30
    for _ in $(seq 10); do
        sample pre >>"$work/mem.txt"
        sleep "$SAMPLE_S"
    done
    start_sampler discovery
    start_s=$SECONDS
    csm_post /hosts "$work/bodies/hosts.json"
    [[ $(jq '[.api_response.host_list[] | select(.status == "SUCCESS")] | length' "$work/answer.json") == "$DEVICES" ]] ||
        die "POST /hosts: not every host was created (see $work/answer.json)"

    log "discovery of the $DEVICES new hosts (escd, in the background)"
    deadline=$((SECONDS + DISCOVERY_TIMEOUT))
    while :; do
        code=$(csm_call GET /hosts)
        [[ $code == 200 ]] || die "GET /hosts: HTTP $code"
        unknown=$(jq '[.api_response.host_list[] | select(.os_type == "Unknown")] | length' "$work/answer.json")
        failed_discovery=$(cat "$work/escd.out" "$work/escd.err" | grep -c 'discovery of .* failed' || true)
        ((unknown <= failed_discovery)) && break
        if ((SECONDS >= deadline)); then
            echo "$bench_name: warning: $unknown hosts still Unknown after ${DISCOVERY_TIMEOUT} s" >&2
            break
        fi
        sleep 1
    done
    echo "discovery: $((DEVICES - unknown)) of $DEVICES hosts discovered in $((SECONDS - start_s)) s" \
        "(from the POST), $failed_discovery failed" | tee "$work/discovery.txt"
    if ((failed_discovery > 0)); then
        cat "$work/escd.out" "$work/escd.err" | grep 'discovery of .* failed' | head -5 | tee -a "$work/discovery.txt"
    fi
    for _ in $(seq 60); do (($(sessions) == 0)) && break; sleep 0.5; done
    stop_sampler
    wait_idle "$escd_pid" 60
    : >"$FLEET_COMMAND_LOG"

    # The jobs: at the first whole minute at least LEAD s ahead.
    at=$((($(date +%s) + LEAD + 59) / 60 * 60))
    python3 "$here/bodies.py" --out "$work/bodies" --hosts "$DEVICES" --at "$at" >/dev/null
    log "POST /api/v1/install: $DEVICES requests of five jobs, scheduled at $(date -u -d "@$at" +%T) UTC"
    start_s=$SECONDS
    local host
    while read -r host _; do
        code=$(csm_call POST /install "$work/bodies/install/$host.json")
        [[ $code == 200 ]] || { cat "$work/answer.json" >&2; die "POST /install for $host: HTTP $code"; }
    done < <(head -n "$DEVICES" "$FLEET_HOSTS")
    now=$(date +%s)
    echo "posted in $((SECONDS - start_s)) s, $((at - now)) s before the scheduled minute"
    ((now < at - 1)) || die "the POSTs ended after the scheduled minute: raise --lead"
    jobs=$(psql_ -d "$db" -At -c "SELECT count(*) FROM csm_install_jobs")
    ((jobs == DEVICES * 5)) || die "$jobs jobs in the database, not $((DEVICES * 5))"

    # Idle: escd's memory until a second before the minute, then the counters.
    while (($(date +%s) < at - 2)); do
        sample idle >>"$work/mem.txt"
        sleep "$SAMPLE_S"
    done
    sleep "$(calc 'd = a - 1 - b; print (d > 0 ? d : 0)' a="$at" b="$(date +%s.%N)")"
    cpu0=$(cpu_ticks "$escd_pid")
    pg0=$(pg_ticks)
    fleet0=$(bash "$here/fleet.sh" cpu)
    m0=$(machine_ticks)
    t0=$(date +%s.%N)
    load0=$(cut -d' ' -f1 /proc/loadavg)
    start_sampler run

    timeout=$RUN_TIMEOUT
    ((timeout > 0)) || timeout=$((300 + DEVICES * 75 / n))
    log "waiting for the $jobs jobs to end (at most $timeout s after the scheduled minute)"
    deadline=$((at + timeout))
    local last_print=0
    while :; do
        counts=$(psql_ -d "$db" -At -F' ' -c "SELECT
            count(*) FILTER (WHERE status = 'scheduled'), count(*) FILTER (WHERE status = 'in-progress'),
            count(*) FILTER (WHERE status = 'completed'), count(*) FILTER (WHERE status = 'failed')
            FROM csm_install_jobs")
        read -r c_sched c_run c_done c_failed <<<"$counts"
        ((c_sched + c_run == 0)) && break
        if ((SECONDS - last_print >= 30)); then
            echo "$(date -u +%T) scheduled $c_sched, in progress $c_run, completed $c_done, failed $c_failed; sessions $(sessions), load $(cut -d' ' -f1 /proc/loadavg)"
            last_print=$SECONDS
        fi
        if (($(date +%s) >= deadline)); then
            echo "$bench_name: TIMEOUT: $c_sched scheduled and $c_run in progress after $timeout s" >&2
            break
        fi
        kill -0 "$escd_pid" 2>/dev/null || { echo "$bench_name: escd died" >&2; break; }
        sleep 1
    done
    t1=$(date +%s.%N)
    cpu1=$(cpu_ticks "$escd_pid")
    pg1=$(pg_ticks)
    fleet1=$(bash "$here/fleet.sh" cpu)
    m1=$(machine_ticks)
    load1=$(cut -d" " -f1-3 /proc/loadavg)
    stop_sampler
    for _ in $(seq 6); do
        sample after >>"$work/mem.txt"
        sleep 0.5
    done
    echo "scheduled $c_sched, in progress $c_run, completed $c_done, failed $c_failed"

    # What escd's database and its REST API say.
    psql_ -d "$db" -At -F $'\t' -c "SELECT j.id, h.hostname, j.action,
            (extract(epoch FROM j.scheduled_time) * 1000000)::bigint,
            coalesce(j.dependency::text, '-'),
            coalesce(((extract(epoch FROM j.start_time) * 1000000)::bigint)::text, '-'),
            coalesce(((extract(epoch FROM j.status_time) * 1000000)::bigint)::text, '-'), j.status
        FROM csm_install_jobs j JOIN csm_hosts h ON h.id = j.host_id ORDER BY j.id" >"$work/jobs.tsv"
    cp "$FLEET_COMMAND_LOG" "$work/commands.log"
    code=$(csm_call GET '/install?status=completed')
    cp "$work/answer.json" "$work/install-completed.json"
    local api_done api_failed
    api_done=$(jq '.api_response.install_job_list | length' "$work/install-completed.json" 2>/dev/null || echo "?")
    code=$(csm_call GET '/install?status=failed')
    cp "$work/answer.json" "$work/install-failed.json"
    api_failed=$(jq '.api_response.install_job_list | length' "$work/install-failed.json" 2>/dev/null || echo "?")
    echo "GET /api/v1/install: $api_done completed, $api_failed failed"

    if ((c_failed + c_sched + c_run > 0)); then
        failures=$((failures + 1))
        {
            echo "== jobs not completed (status_message; trace's first lines; escd's log lines)"
            psql_ -d "$db" -At -F' | ' -c "SELECT j.id, h.hostname, j.action, j.status,
                    j.status_message, left(replace(j.trace, E'\n', ' / '), 300)
                FROM csm_install_jobs j JOIN csm_hosts h ON h.id = j.host_id
                WHERE j.status <> 'completed' ORDER BY j.id LIMIT 40"
            local id
            for id in $(psql_ -d "$db" -At -c "SELECT id FROM csm_install_jobs
                    WHERE status = 'failed' AND start_time IS NOT NULL ORDER BY id LIMIT 10"); do
                echo "-- escd's log, job $id:"
                cat "$work/escd.out" "$work/escd.err" | grep -E "install job ${id}[^0-9]" | head -8
            done
        } | tee "$work/failed.txt"
    fi
    echo "== escd's warnings and errors during the run (distinct, first 10)"
    cat "$work/escd.out" "$work/escd.err" | grep -E ' (WARN|ERROR|WARNING)[ :]' |
        sed -E 's/^[^ ]+ //; s/[0-9]+/#/g' | sort | uniq -c | sort -rn | head -10 >"$work/warnings.txt" || true
    cat "$work/warnings.txt"

    log "N = $n: figures"
    python3 "$here/report.py" --commands "$work/commands.log" --jobs "$work/jobs.tsv" \
        --slots "$n" --mem "$work/mem.txt" --per-job "$work/per-job.txt" | tee "$work/report.txt"
    result=$(grep '^RESULT ' "$work/report.txt" || true)
    local ran
    ran=$(awk -F'\t' '$6 != "-"' "$work/jobs.tsv" | wc -l)
    local escd_ms pg_ms fleet_ms busy_pct cores_escd cores_pg cores_fleet cores_all wall
    wall=$(calc 'printf "%.1f", b - a' a="$t0" b="$t1")
    escd_ms=$(calc 'printf "%.1f", (b - a) / hz * 1000 / j' a="$cpu0" b="$cpu1" hz="$ticks_per_s" j="$ran")
    pg_ms=$(calc 'printf "%.1f", (b - a) / hz * 1000 / j' a="$pg0" b="$pg1" hz="$ticks_per_s" j="$ran")
    fleet_ms=$(calc 'printf "%.1f", (b - a) * 1000 / j' a="$fleet0" b="$fleet1" j="$ran")
    read -r mb0 mt0 <<<"$m0"
    read -r mb1 mt1 <<<"$m1"
    busy_pct=$(calc 'printf "%.0f", 100 * (b1 - b0) / (t1 - t0)' b0="$mb0" b1="$mb1" t0="$mt0" t1="$mt1")
    cores_all=$(calc 'printf "%.2f", c * (b1 - b0) / (t1 - t0)' c="$ncpu" b0="$mb0" b1="$mb1" t0="$mt0" t1="$mt1")
    cores_escd=$(calc 'printf "%.2f", (b - a) / hz / w' a="$cpu0" b="$cpu1" hz="$ticks_per_s" w="$wall")
    cores_pg=$(calc 'printf "%.2f", (b - a) / hz / w' a="$pg0" b="$pg1" hz="$ticks_per_s" w="$wall")
    cores_fleet=$(calc 'printf "%.2f", (b - a) / w' a="$fleet0" b="$fleet1" w="$wall")
    {
        echo "CPU from 1 s before the scheduled minute to the last end ($wall s, $ran jobs ran):" \
            "escd $escd_ms ms per job, PostgreSQL $pg_ms ms, the fleet $fleet_ms ms (sshd, emulators, workers)"
        echo "machine ($ncpu cores) during the run: ${busy_pct}% busy = $cores_all cores: escd $cores_escd," \
            "PostgreSQL $cores_pg, fleet $cores_fleet, the rest $(calc 'printf "%.2f", a - e - p - f' a="$cores_all" e="$cores_escd" p="$cores_pg" f="$cores_fleet");" \
            "load average (1 min) $load0 at the start; 1/5/15 min $load1 at the end"
    } | tee -a "$work/report.txt"
    summary+=("$(printf '%4s %6s %6s %6s %8s %8s | %7s %7s %7s | %8s %8s %8s %7s %7s | %8s %8s %8s | %8s %8s | %5s' \
        "$n" "$(field completed "$result")" "$(field failed "$result")" "$(field elapsed_s "$result")" \
        "$(field jobs_per_min "$result")" "$(field unfinished "$result")" \
        "$escd_ms" "$pg_ms" "$fleet_ms" \
        "$(field idle_rss_mib "$result")" "$(field busy_rss_mib "$result")" \
        "$(field busy_sessions "$result")" "$(field session_rss_kib "$result")" \
        "$(field session_anon_kib "$result")" \
        "$(field dispatch_p50_ms "$result")" "$(field dispatch_p99_ms "$result")" \
        "$(field dispatch_max_ms "$result")" \
        "$(field first_p99_ms "$result")" "$(field first_max_ms "$result")" "$cores_all")")
    [[ $(field missing "$result") == 0 ]] || failures=$((failures + 1))

    stop_pid "$escd_pid"
    escd_pid=''
}

first=1
for n in $PARALLEL; do
    if ((!first)); then
        log "the fleet back to its factory state"
        for _ in $(seq 30); do bash "$here/fleet.sh" reset 2>/dev/null && break; sleep 1; done
        bash "$here/fleet.sh" reset
    fi
    first=0
    run_one "$n"
done

{
    echo
    echo "== bench/csm/run.sh: $DEVICES devices x 5 jobs; device op ${OP_SECONDS} s, reload ${RELOAD_SECONDS} s, reload delay ${RELOAD_DELAY} s; escd poll_s 1; PostgreSQL $durability"
    printf '%4s %6s %6s %6s %8s %8s | %7s %7s %7s | %8s %8s %8s %7s %7s | %8s %8s %8s | %8s %8s | %5s\n' \
        N 'done' failed wall_s jobs/min unfinish escd_ms pg_ms fleet_ms idle_MiB busy_MiB sessions \
        rss/ses anon/ses disp_p50 disp_p99 disp_max 1st_p99 1st_max cores
    printf '%s\n' "${summary[@]}"
    echo "(escd/pg/fleet_ms: CPU per job; idle/busy_MiB: escd VmRSS idle and with 'sessions' open;"
    echo " rss/anon/ses: escd's VmRSS and RssAnon per open session, KiB; disp: could start -> first command;"
    echo " 1st: scheduled -> first command of the first N jobs, ms; cores: the machine's busy cores)"
    for n in $PARALLEL; do
        grep -h '^TARGET' "$out/n$n/report.txt" 2>/dev/null | sed "s/^/  N = $n: /" || true
    done
    echo "results in $out"
} | tee "$out/summary.txt"
((failures == 0))
