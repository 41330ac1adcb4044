#!/usr/bin/env bash
# Records pcaps/fragments/tcp-ip-fragments.pcap: real Linux TCP whose segments a router namespace fragments.
#
# Usage: sudo pcaps/record-fragments.sh [PATH-TO-TCPNOTE]   (default: ../build/tcpnote)
#
# Three namespaces: a client (10.91.1.2), a router (10.91.1.1 and 10.91.2.1, forwarding) and
# a server (10.91.2.2), joined by two veth pairs; the router's link to the server has an MTU
# of 700. The client turns path MTU discovery off (net.ipv4.ip_no_pmtu_disc=1: its TCP
# segments leave without DF) and segmentation offloads off, so its 1448-byte segments are
# split by the router into a first fragment (the TCP header and ports) and later ones (no
# ports). curl POSTs 3000 bytes to socat on the server, which answers "ok", three times; tcpnote -w records the
# server's side (the fragments as they arrive, before the kernel reassembles them).
# Every namespace and process is removed on exit; rerunnable.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TCPNOTE=${1:-$HERE/../build/tcpnote}
[[ -x $TCPNOTE ]] || { echo "record-fragments.sh: tcpnote binary not found: $TCPNOTE" >&2; exit 2; }
OUT=$HERE/fragments/tcp-ip-fragments.pcap
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcpnote-record-fragments.XXXXXX")
C=tcpnote-frag-c R=tcpnote-frag-r S=tcpnote-frag-s
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	for n in $C $R $S; do ip netns del "$n" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT
cleanup_ns() { for n in $C $R $S; do ip netns del "$n" 2>/dev/null || true; done; }
cleanup_ns

for n in $C $R $S; do ip netns add "$n"; done
ip link add tnf-c type veth peer name tnf-rc
ip link add tnf-rs type veth peer name tnf-s
ip link set tnf-c netns $C
ip link set tnf-rc netns $R
ip link set tnf-rs netns $R
ip link set tnf-s netns $S
ip -n $C addr add 10.91.1.2/24 dev tnf-c
ip -n $R addr add 10.91.1.1/24 dev tnf-rc
ip -n $R addr add 10.91.2.1/24 dev tnf-rs
ip -n $S addr add 10.91.2.2/24 dev tnf-s
for pair in $C:tnf-c $R:tnf-rc $R:tnf-rs $S:tnf-s; do
	ip -n "${pair%%:*}" link set "${pair#*:}" up
	ip netns exec "${pair%%:*}" ethtool -K "${pair#*:}" tso off gso off gro off >/dev/null 2>&1 || true
done
ip -n $C link set lo up
ip -n $S link set lo up
ip -n $R link set tnf-rs mtu 700
ip -n $C route add default via 10.91.1.1
ip -n $S route add default via 10.91.2.1
ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
ip netns exec $C sysctl -qw net.ipv4.ip_no_pmtu_disc=1

ip netns exec $S "$TCPNOTE" -n -i tnf-s -U -w "$OUT" tcp >/dev/null 2>&1 &
PIDS+=($!)
ip netns exec $S socat TCP-LISTEN:8080,reuseaddr,fork SYSTEM:'head -c 3000 >/dev/null; echo ok' &
PIDS+=($!)
sleep 1
head -c 3000 /dev/zero | tr '\0' a >"$WORK/body"
for _ in 1 2 3; do
	ip netns exec $C curl -s -m 5 -o /dev/null --data-binary @"$WORK/body" http://10.91.2.2:8080/ || true # "ok" is no HTTP reply
done
sleep 1
kill "${PIDS[0]}"
wait "${PIDS[0]}" 2>/dev/null || true
n=$("$TCPNOTE" -n -r "$OUT" 2>/dev/null | grep -c 'ip-proto-6' || true)
echo "record-fragments.sh: $n later fragments in $OUT"
