#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# netns_check.sh - hv-netd and hv-netfilter together on the build host's
# kernel, in two network namespaces joined by a veth pair (one end plays
# the server's tap in dom0, the other the guest): the guest gets its /32,
# option 121 routes, resolvers and lease from busybox udhcpc, and its
# SLAAC address and default router fe80::1 from the advertisement; when
# the "tap" goes, hv-netd exits.  Needs root, busybox, and the two
# programs built (make hv-netd hv-netfilter).  Exit status 0: all seen.
#
#     sudo dom0-image/netd/tests/netns_check.sh
set -eu
B=${BUILD:-build}/dom0
D=nd-dom0-$$ G=nd-guest-$$
OUT=$(mktemp) SCRIPT=$(mktemp)
cleanup() { ip netns del $D 2>/dev/null || true; ip netns del $G 2>/dev/null || true;
            rm -f "$OUT" "$SCRIPT"; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }

printf '#!/bin/sh\necho "$1 ip=$ip subnet=$subnet router=$router dns=$dns lease=$lease staticroutes=$staticroutes" >> %s\n' "$OUT" > "$SCRIPT"
chmod +x "$SCRIPT"
ip netns add $D
ip netns add $G
ip link add vA netns $D type veth peer name vB netns $G
MAC=$(ip netns exec $G cat /sys/class/net/vB/address)
ip netns exec $D sysctl -qw net.ipv6.conf.all.forwarding=1
ip netns exec $G sysctl -qw net.ipv6.conf.vB.accept_ra=2
ip netns exec $G ip link set vB up
ip netns exec $D "$B/hv-netfilter" apply --if vA --mac "$MAC" --ipv4 192.0.2.10/32 \
	--ipv6 2001:db8:1:2::/64
ip netns exec $D "$B/hv-netd" --if vA --mac "$MAC" --ipv4 192.0.2.10 \
	--ipv6 2001:db8:1:2::/64 --dns 192.0.2.53 --dns 2001:db8::53 --lease 600
ip netns exec $G timeout 20 busybox udhcpc -i vB -n -q -f -s "$SCRIPT" -t 3 -T 2
grep -q "^bound ip=192.0.2.10 subnet=255.255.255.255 router=169.254.0.1 dns=192.0.2.53 lease=600 staticroutes=169.254.0.1/32 0.0.0.0 0.0.0.0/0 169.254.0.1$" "$OUT" ||
	fail "DHCP: $(cat "$OUT")"
for i in 1 2 3 4 5 6 7 8 9 10; do
	ip netns exec $G ip -6 route show default | grep -q "via fe80::1" && break
	sleep 1
done
ip netns exec $G ip -6 addr show dev vB | grep -q "inet6 2001:db8:1:2:" || fail "no SLAAC address"
ip netns exec $G ip -6 route show default | grep -q "via fe80::1 dev vB proto ra" ||
	fail "no default router from the advertisement"
PID=$(cat /run/hv-netd/vA.pid)
ip netns exec $D ip link del vA
sleep 3
grep -q "the tap is gone" /run/hv-netd/vA.log || fail "hv-netd $PID did not notice its tap went"
echo "OK: DHCP, SLAAC and the default router from hv-netd behind hv-netfilter"
