#!/bin/bash
# Builds escd-xr-device with g++ directly (no cmake needed) into tools/xr-device/build/.
# Usage: build.sh [--static]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$here/build"
extra=()
if [[ "${1:-}" == "--static" ]]; then
    extra=(-static)
fi
g++ -std=c++20 -O2 -Wall -Wextra "${extra[@]}" -o "$here/build/escd-xr-device" "$here"/src/*.cpp
echo "$here/build/escd-xr-device"
