#!/usr/bin/env bash
# Runs the cluster checks: deploy/cluster/escd-check.sh (docs/cluster.md, "Tests and
# benchmark") with the escd of BUILD_DIR, on the recipe's real parts: a Patroni pair with etcd
# and HAProxy in front of the database, three escd nodes behind an HTTP HAProxy, all on loopback.
#   tests/run-cluster.sh BUILD_DIR [scenario...]     (tests/run.sh calls it after CTest)
# Scenarios (all by default): a, a node SIGKILLed under load; b, the PostgreSQL primary SIGKILLed
# under load; c, deployments on a VIM the nodes share, a node SIGKILLed, a VM of its monitoring
# healed by a survivor. They run one after the other and alone, not beside the CTest tests: each
# has time bounds (a takeover within lease + 2 s, escd answering again within 15 s of a failover)
# that a machine busy with other tests would blur.
# Installs what the checks need first (deploy/cluster/install.sh: Patroni, etcd, HAProxy;
# tests/qemu/install.sh: the libvirtd that serves scenario c's shared VIM). Exits non-zero when
# a check fails; the check keeps its working directory and logs then, and prints where.
set -euo pipefail
cd "$(dirname "$0")/.."

build=${1:?usage: tests/run-cluster.sh BUILD_DIR [scenario...]}
shift
escd=$build/server/escd
[[ -x $escd ]] || {
    echo "run-cluster: $escd is not built" >&2
    exit 1
}
scenarios=${*:-a b c}

deploy/cluster/install.sh
tests/qemu/install.sh

CHECK_SCENARIOS=$scenarios ESCD_BIN=$(realpath "$escd") exec deploy/cluster/escd-check.sh
