#!/bin/bash
# Installs the Debian packages the device harness (netns-device.sh, selftest.sh) needs, those
# missing only; quiet when all are there. Their daemons are not started by the install: the
# harness runs its own, inside each device's network namespace. busybox-static because Debian's
# plain busybox has no telnetd applet.
set -euo pipefail
exec "$(dirname "$0")/../../deploy/apt-install-missing.sh" xr-device --no-service-start \
    openssh-server openssh-client busybox-static tftpd-hpa vsftpd curl iproute2 expect sshpass
