#!/usr/bin/env bash
# apt-install-missing.sh LABEL [--no-service-start] PACKAGE...
# Installs those of the Debian PACKAGEs that are not installed yet, as root or through sudo.
# Idempotent and quiet: when everything is present it prints nothing and exits 0.
# --no-service-start keeps packages' init scripts from starting their daemons while installing
# (a policy-rc.d that forbids it, removed again whatever the install does).
set -euo pipefail

label=$1
shift
keep_services=0
if [[ ${1:-} == --no-service-start ]]; then
    keep_services=1
    shift
fi

missing=()
for p in "$@"; do
    status=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$p")
done
((${#missing[@]} == 0)) && exit 0

echo "$label: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || {
        echo "$label: need root or sudo to install: ${missing[*]}" >&2
        exit 1
    }
    sudo_cmd=(sudo)
fi

policy=/usr/sbin/policy-rc.d
if ((keep_services)) && [[ ! -e $policy ]]; then
    # Exit 101 = "action forbidden" for invoke-rc.d.
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
    "${sudo_cmd[@]}" chmod 0755 "$policy"
    trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
fi

export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
