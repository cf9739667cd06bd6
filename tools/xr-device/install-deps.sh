#!/bin/bash
# Installs the Debian packages the device harness (netns-device.sh, selftest.sh) needs.
# busybox-static is used because Debian's plain busybox has no telnetd applet.
set -euo pipefail
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
    openssh-server openssh-client busybox-static tftpd-hpa vsftpd curl iproute2 expect sshpass
