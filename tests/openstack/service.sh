#!/usr/bin/env bash
# Stops or starts ONE service of the control plane that tests/openstack/up.sh started, the way
# up.sh starts it: the same command, in a session of its own (setsid), its pid (= its process
# group) in DIR/pid/NAME.pid, its output appended to DIR/log/NAME.log.
#   tests/openstack/service.sh stop|start|restart NAME [DIR]
# DIR defaults to $ESCD_TEST_OS_DIR. NAME is one of up.sh's long-running services: keystone,
# placement, glance, cinder-api, cinder-scheduler, cinder-volume, neutron, nova-api,
# nova-conductor, nova-scheduler, nova-compute (not mariadb, rabbitmq or epmd: every service
# needs them, and they are not stopped by tests).
#
# stop: SIGTERM to the service's process group, SIGKILL to what is left after 10 s; returns once
#   no process of the group is left and (for an API) its port has no listener. A service that
#   is not running is left as it is (exit 0).
# start: returns once the API answers (any status but a connection error or a 5xx, as up.sh
#   waits), at most 120 s; others once they have stayed up for 2 s. A service that is running
#   already is left as it is. A failure exits 1 with the reason (and the log's tail) on stderr.
# Each action holds DIR/lock/service-NAME.lock, so two callers do not start one service twice.
#
# The plane is shared by every test that runs meanwhile: a test that stops a service starts it
# again itself, also when it fails (tests/openstack/os_service.hpp does so from a destructor).
set -euo pipefail

# The caller's descriptors (a test's sockets and database connections) must not live on in a
# service started here: every one above stderr is closed first.
for fd in "/proc/$$/fd/"*; do
    fd=${fd##*/}
    if [[ $fd =~ ^[0-9]+$ ]] && ((fd > 2)); then eval "exec $fd>&-" 2>/dev/null || true; fi
done

say() { echo "openstack/service: $*" >&2; }
die() {
    say "$*"
    exit 1
}
usage="usage: service.sh stop|start|restart NAME [DIR]"
action=${1:?$usage}
name=${2:?$usage}
dir=${3:-${ESCD_TEST_OS_DIR:-}}
[[ -n $dir && -d $dir/pid ]] || die "no control plane directory (give DIR or set ESCD_TEST_OS_DIR)"
py=/usr/bin/python3 # as up.sh: the OpenStack libraries are Debian's

# What up.sh runs for NAME (keep in step with its "the other services" section), and the URL
# its API answers on ("" for a service without an API).
url=""
case $name in
keystone)
    cmd=(uwsgi --ini "$dir/etc/keystone/uwsgi.ini")
    url=http://127.0.0.1:5000/v3
    ;;
placement)
    cmd=(uwsgi --ini "$dir/etc/placement/uwsgi.ini")
    url=http://127.0.0.1:8778/
    ;;
glance)
    cmd=(glance-api --config-file "$dir/etc/glance/glance-api.conf")
    url=http://127.0.0.1:9292/
    ;;
cinder-api)
    cmd=(cinder-api --config-file "$dir/etc/cinder/cinder.conf")
    url=http://127.0.0.1:8776/
    ;;
cinder-scheduler) cmd=(cinder-scheduler --config-file "$dir/etc/cinder/cinder.conf") ;;
cinder-volume)
    cmd=("$py" -c 'import sys; from cinder.cmd.volume import main; sys.exit(main())'
        --config-file "$dir/etc/cinder/cinder.conf")
    ;;
neutron)
    cmd=(env PYTHONPATH="$dir/pylib" neutron-server --config-file "$dir/etc/neutron/neutron.conf"
        --config-file "$dir/etc/neutron/ml2_conf.ini")
    url=http://127.0.0.1:9696/
    ;;
nova-api)
    cmd=(nova-api --config-file "$dir/etc/nova/nova.conf")
    url=http://127.0.0.1:8774/
    ;;
nova-conductor) cmd=(nova-conductor --config-file "$dir/etc/nova/nova.conf") ;;
nova-scheduler) cmd=(nova-scheduler --config-file "$dir/etc/nova/nova.conf") ;;
nova-compute)
    cmd=("$py" -c 'import sys; from nova.cmd.compute import main; sys.exit(main())'
        --config-file "$dir/etc/nova/nova-compute.conf")
    ;;
*) die "unknown service '$name' ($usage)" ;;
esac
port=""
[[ -z $url ]] || port=$(sed -E 's#^http://[^:]+:([0-9]+).*#\1#' <<<"$url")

pid_file=$dir/pid/$name.pid
log=$dir/log/$name.log
mkdir -p "$dir/lock"
exec {lock}>"$dir/lock/service-$name.lock"
flock "$lock"

# Pids of the live (not zombie) processes of process group $1 (as down.sh counts them).
members() { ps -e -o pgid=,pid=,stat= | awk -v g="$1" '$1 == g && $3 !~ /^Z/ { print $2 }'; }
group() {
    local pgid
    pgid=$(cat "$pid_file" 2>/dev/null) || return 0
    [[ $pgid =~ ^[0-9]+$ ]] && echo "$pgid"
}
running() {
    local pgid
    pgid=$(group)
    [[ -n $pgid && -n $(members "$pgid") ]]
}
listening() { [[ -n $port && -n $(ss -Hltn "sport = :$port") ]]; }
answers() {
    local code
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$url" || true)
    [[ $code =~ ^[234] ]]
}

stop() {
    local pgid deadline
    pgid=$(group)
    if [[ -z $pgid || -z $(members "$pgid") ]]; then
        say "$name is not running"
        return 0
    fi
    kill -TERM -- "-$pgid" 2>/dev/null || true
    deadline=$((SECONDS + 10))
    while [[ -n $(members "$pgid") ]] && ((SECONDS < deadline)); do sleep 0.1; done
    if [[ -n $(members "$pgid") ]]; then
        say "$name (process group $pgid) ignored SIGTERM for 10 s; killing it"
        kill -KILL -- "-$pgid" 2>/dev/null || true
        for _ in $(seq 50); do
            [[ -z $(members "$pgid") ]] && break
            sleep 0.1
        done
        [[ -z $(members "$pgid") ]] || die "$name (process group $pgid) survived SIGKILL"
    fi
    deadline=$((SECONDS + 10))
    while listening; do
        ((SECONDS < deadline)) || die "port $port of $name still has a listener after it stopped"
        sleep 0.1
    done
    say "$name stopped"
}

start() {
    local pid deadline
    if running; then
        say "$name is running already"
        return 0
    fi
    listening && die "port $port of $name is taken by another process: $(ss -Hltnp "sport = :$port")"
    echo "--- started again by service.sh at $(date -u +%FT%TZ) ---" >>"$log"
    # Without the lock's descriptor: a service holding it would block every later call.
    setsid "${cmd[@]}" >>"$log" 2>&1 </dev/null {lock}>&- &
    pid=$!
    echo "$pid" >"$pid_file"
    if [[ -z $url ]]; then
        sleep 2
        kill -0 "$pid" 2>/dev/null || { tail -n 15 "$log" >&2; die "$name exited while starting (log: $log)"; }
        say "$name started"
        return 0
    fi
    deadline=$((SECONDS + 120))
    until answers; do
        kill -0 "$pid" 2>/dev/null || { tail -n 15 "$log" >&2; die "$name exited while starting (log: $log)"; }
        ((SECONDS < deadline)) || die "$name did not answer on $url within 120 s (log: $log)"
        sleep 0.2
    done
    say "$name answers on $url"
}

case $action in
stop) stop ;;
start) start ;;
restart)
    stop
    start
    ;;
*) die "unknown action '$action' ($usage)" ;;
esac
