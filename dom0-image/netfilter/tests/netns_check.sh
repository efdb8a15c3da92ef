#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
#
# netns_check.sh - hv-netfilter's port forward and inbound firewall on the
# build host's kernel, in three network namespaces: "dom0" (an uplink
# 10.0.2.15 and the server's "tap"), the "guest" behind the tap, and a
# "client" on the uplink (10.0.2.2, as QEMU's user network is).  A TCP
# connection from the client to dom0's port 22003 reaches the guest's port
# 22; with "--inbound deny" it is dropped (rx_dropped counts it); with
# "--allow tcp:22" it goes through again; each change is a live re-apply.
# Needs root and busybox; make hv-netfilter first.  Exit status 0: all seen.
#
#     sudo dom0-image/netfilter/tests/netns_check.sh
set -eu
NF=${BUILD:-build}/dom0/hv-netfilter
D=nf-dom0-$$ G=nf-guest-$$ C=nf-client-$$
cleanup() { for n in $D $G $C; do ip netns del $n 2>/dev/null || true; done; }
trap cleanup EXIT
fail() { echo "FAIL: $*"; exit 1; }
for n in $D $G $C; do ip netns add $n; ip netns exec $n ip link set lo up; done
ip link add vA netns $D type veth peer name vB netns $G
ip link add up0 netns $D type veth peer name upc netns $C
MAC=$(ip netns exec $G cat /sys/class/net/vB/address)
ip netns exec $D ip addr add 10.0.2.15/24 dev up0
ip netns exec $D ip link set up0 up
ip netns exec $C ip addr add 10.0.2.2/24 dev upc
ip netns exec $C ip link set upc up
ip netns exec $D "$NF" uplink --if up0 --masquerade
apply() { ip netns exec $D "$NF" apply --if vA --mac "$MAC" --ipv4 192.0.2.10/32 \
	--forward 22003:22 "$@"; }
apply
ip netns exec $G ip link set vB up
ip netns exec $G ip addr add 192.0.2.10/32 dev vB
ip netns exec $G ip route add 169.254.0.1 dev vB
ip netns exec $G ip route add default via 169.254.0.1
# connect: what the client read from dom0's port 22003 ("" if nothing)
connect() {
	ip netns exec $G sh -c "echo $1 | timeout 6 busybox nc -l -p 22" >/dev/null 2>&1 &
	sleep 0.5
	ip netns exec $C timeout 3 busybox nc 10.0.2.15 22003 </dev/null 2>/dev/null || true
	ip netns pids $G | xargs -r kill 2>/dev/null || true
	wait 2>/dev/null || true
}
[ "$(connect open)" = open ] || fail "no connection through the forward"
apply --inbound deny
[ -z "$(connect denied)" ] || fail "connected although inbound is denied"
ip netns exec $D "$NF" counters --if vA --json | grep -q '"rx_dropped_packets": *[1-9]' ||
	fail "the refused SYNs were not counted: $(ip netns exec $D "$NF" counters --if vA)"
apply --allow tcp:22
got=$(connect allowed)
[ "$got" = allowed ] || fail "no connection with tcp:22 allowed (read: $got)"
apply --allow tcp:80
[ -z "$(connect port80)" ] || fail "connected to 22 with only tcp:80 allowed"
echo "OK: port forward, inbound deny, allow list, each applied live"
