#!/bin/sh
# libvirt's network hook (/etc/libvirt/hooks/network) of the two qemu hosts of the VNF tests
# (tests/qemu/up.sh with ESCD_TEST_QEMU_HOSTS=2): joins the bridges that the two libvirtds make for
# one escd network into one L2 segment, as a cloud's network spans its compute hosts.
#   network NETWORK_NAME OPERATION SUB_OPERATION EXTRA   (the network's XML on stdin)
#
# Each host's libvirtd runs in a network namespace of its own and makes its own bridge for a
# network (escd defines it on every host, with one UUID). When a host starts one, this hook puts
# one end of a veth pair named after the network's UUID into that host's bridge; the first host
# to start the network creates the pair with the other end in the peer host's namespace, where
# the peer's hook finds it. The pair is left when a network stops (a restarted bridge takes its
# end back) and goes with the namespaces (tests/qemu/down.sh).
#
# The configuration is escd-link, next to this hook: "PEER_NETNS SIDE GATEWAY", SIDE a or b (the
# suffix of this host's end), GATEWAY keep or drop. escd gives the bridge the subnet's gateway
# address on every host; on a shared segment only one may answer ARP for it, or a guest sends its
# replies to escd's pings to the other host's bridge, where nothing sent them. Host 2 drops it:
# its bridge is a plain switch, and the gateway is host 1's bridge, in the namespace of escd.
#
# libvirt fails the network's start when a hook exits non-zero: anything this hook cannot do is
# reported on stderr (libvirtd's log) and the network starts unjoined; the tests then see
# unanswered pings.
PATH=/usr/sbin:/usr/bin:/sbin:/bin
export PATH

name=$1 operation=$2
case $name in escd-*) ;; *) exit 0 ;; esac
[ "$operation" = started ] || exit 0

say() { echo "escd network hook: $name: $*" >&2; }
conf=$(dirname "$0")/escd-link
read -r peer side gateway <"$conf" || {
    say "cannot read $conf"
    exit 0
}
xml=$(cat)
bridge=$(echo "$xml" | sed -n "s/.*<bridge name='\([^']*\)'.*/\1/p" | head -n1)
uuid=$(echo "$xml" | sed -n 's/.*<uuid>\([0-9a-f-]*\)<\/uuid>.*/\1/p' | head -n1)
if [ -z "$bridge" ] || [ -z "$uuid" ]; then
    say "no bridge or UUID in the network's XML"
    exit 0
fi
# Interface names have at most 15 characters: "ej", 12 hex digits of the UUID, the side.
link=ej$(echo "$uuid" | tr -d - | cut -c1-12)
case $side in a) other=b ;; *) other=a ;; esac

if ! ip link show "$link$side" >/dev/null 2>&1; then
    if ! ip netns list | grep -qw "^$peer"; then
        say "peer network namespace $peer is gone: bridge $bridge not joined"
        exit 0
    fi
    ip link add "$link$side" type veth peer name "$link$other" netns "$peer" ||
        say "cannot create veth pair $link$side/$link$other"
fi
ip link set "$link$side" master "$bridge" up || say "cannot join $link$side to $bridge"
# libvirt turns on the kernel's STP (delay 0, which the kernel raises to its 2 s minimum): a
# port forwards only after 2 s listening and 2 s learning. A live migration's target port is
# made when the migration starts; a small guest migrates in about a second, so it would resume
# on a port that drops its traffic for about 3 s more. The segment of two bridges and one link
# has no loop for STP to break.
ip link set "$bridge" type bridge stp_state 0 || say "cannot turn off STP on $bridge"
if [ "$gateway" = drop ]; then
    ip -4 addr flush dev "$bridge" || say "cannot remove the addresses of $bridge"
fi
exit 0
