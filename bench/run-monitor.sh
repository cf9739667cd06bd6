#!/usr/bin/env bash
# Monitoring benchmark of escd (issue 6; see bench/README.md). From the repo root, after
#   cmake -S . -B build/release -DCMAKE_BUILD_TYPE=Release && cmake --build build/release -j2
# run
#   bench/run-monitor.sh
#
# 20,000 VMs (1,000 deployments of 20 on the libvirt test driver, each VM on its own address
# in 127.64.0.0/17, which the host's loopback answers) are deployed through the API, then
# escd watches them all with an ICMPPing VM_ALIVE KPI every 3 s for 60 s: its CPU and memory.
# Then 5 VMs are made unreachable (an iptables rule on loopback; root only) and the delay to
# each one's VM_RECOVERY_INIT is measured. It prints
#   TARGET escd CPU watching 20000 VMs < 50% of one core: PASS|FAIL
#   TARGET down -> VM_RECOVERY_INIT < 2 polls + recovery_wait_time: PASS|FAIL
# The KPI declares a VM down after one missed poll (metric_occurrences_false 1), so that "two
# poll periods" bounds the detection; recovery_wait_time is 0.
# Everything run-deploy.sh reads from the environment applies; these are its defaults here.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export COUNT=${COUNT:-1000} VMS=${VMS:-20} SUBNET=${SUBNET:-127.64.0.0/17}
export POLL_S=${POLL_S:-3} OCC_FALSE=${OCC_FALSE:-1} RECOVERY_WAIT_S=${RECOVERY_WAIT_S:-0}
export MONITOR_S=${MONITOR_S:-60} DOWN_VMS=${DOWN_VMS:-5} RUN_PGBENCH=${RUN_PGBENCH:-0}
export CONNS=${CONNS:-16} TIMEOUT=${TIMEOUT:-900} STATS_SETTLE=${STATS_SETTLE:-2}
exec "$here/run-deploy.sh"
