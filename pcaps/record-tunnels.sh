#!/usr/bin/env bash
# Records the tunnel captures in pcaps/: real Linux TCP between network namespaces, VXLAN by the kernel, the rest wrapped by wrap-tunnels.py.
#
# Usage: sudo pcaps/record-tunnels.sh [PATH-TO-TCPNOTE]   (default: ../build/tcpnote)
#
# Two underlay namespaces (tcpnote-tun-u1, tcpnote-tun-u2) joined by a veth pair
# (10.200.0.1/24 and 10.200.0.2/24, offloads off). VXLAN (UDP 4789): two tenants,
# VNI 1 and VNI 2, each a pair of namespaces (tcpnote-tun-a1/a2, tcpnote-tun-b1/b2)
# holding a vxlan device created in the underlay namespace and moved into the
# tenant's (its socket stays in the underlay); both tenants use the same inner
# addresses (192.168.50.1 and .2) and the same ports (curl --local-port 40000 to
# a python3 http.server on 8080), so the inner 5-tuples are identical and only
# the VNI tells the connections apart. tcpnote -w records the underlay veth.
#
# The kernel this was written on (a Firecracker guest) has no gre, ipip, sit,
# ip6tnl or geneve drivers, so for those the script records plain TCP (IPv4 and
# IPv6, curl to http.server, the same namespaces) and wrap-tunnels.py wraps each
# real packet in the outer headers, byte by byte (see pcaps/README.md).
# Every namespace and process is removed on exit; rerunnable.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TCPNOTE=${1:-$HERE/../build/tcpnote}
[[ -x $TCPNOTE ]] || { echo "record-tunnels.sh: tcpnote binary not found: $TCPNOTE" >&2; exit 2; }
TCPNOTE=$(cd "$(dirname "$TCPNOTE")" && pwd)/$(basename "$TCPNOTE")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcpnote-record-tunnels.XXXXXX")
NSES=(tcpnote-tun-u1 tcpnote-tun-u2 tcpnote-tun-a1 tcpnote-tun-a2 tcpnote-tun-b1 tcpnote-tun-b2)
PIDS=()

cleanup() {
	local pid ns
	for pid in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
	for pid in "${PIDS[@]+"${PIDS[@]}"}"; do wait "$pid" 2>/dev/null || true; done
	for ns in "${NSES[@]}"; do
		[[ -e /run/netns/$ns ]] && ip netns del "$ns" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
cleanup_ns() { local ns; for ns in "${NSES[@]}"; do [[ -e /run/netns/$ns ]] && ip netns del "$ns" || true; done; }
cleanup_ns
mkdir -p "$WORK"
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

for ns in "${NSES[@]}"; do ip netns add "$ns"; nsx "$ns" ip link set lo up; done
# no IPv6 in the tenants: their vxlan devices would send MLD reports, which are not TCP
for ns in tcpnote-tun-a1 tcpnote-tun-a2 tcpnote-tun-b1 tcpnote-tun-b2; do
	nsx "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
done
ip -n tcpnote-tun-u1 link add veth0 type veth peer name veth0 netns tcpnote-tun-u2
for i in 1 2; do
	nsx tcpnote-tun-u$i ip addr add 10.200.0.$i/24 dev veth0
	nsx tcpnote-tun-u$i ip addr add fd00:200::$i/64 dev veth0 nodad
	nsx tcpnote-tun-u$i ip link set veth0 up
	nsx tcpnote-tun-u$i ethtool -K veth0 tso off gso off gro off tx off >/dev/null
done
# VXLAN: tenant a (VNI 1) and tenant b (VNI 2), identical inner addresses.
for t in a b; do
	vni=$([[ $t == a ]] && echo 1 || echo 2)
	for i in 1 2; do
		peer=$((3 - i))
		ip -n tcpnote-tun-u$i link add vx$t type vxlan id "$vni" local 10.200.0.$i \
			remote 10.200.0.$peer dstport 4789 dev veth0
		ip -n tcpnote-tun-u$i link set vx$t netns tcpnote-tun-$t$i
		nsx tcpnote-tun-$t$i ip link set vx$t address 02:00:00:00:0$vni:0$i
		nsx tcpnote-tun-$t$i ip addr add 192.168.50.$i/24 dev vx$t
		nsx tcpnote-tun-$t$i ip link set vx$t up
		nsx tcpnote-tun-$t$i ethtool -K vx$t tso off gso off gro off tx off >/dev/null 2>&1 || true
	done
	# static neighbours: no ARP inside the tunnel
	nsx tcpnote-tun-${t}1 ip neigh replace 192.168.50.2 lladdr 02:00:00:00:0$vni:02 dev vx$t
	nsx tcpnote-tun-${t}2 ip neigh replace 192.168.50.1 lladdr 02:00:00:00:0$vni:01 dev vx$t
done
sleep 1

serve() { # serve NS: python3 http.server on 8080 in NS, from an empty folder
	mkdir -p "$WORK/www"
	echo "tcpnote tunnel capture" >"$WORK/www/index.html"
	nsx "$1" python3 -m http.server --bind "$2" --directory "$WORK/www" 8080 >/dev/null 2>&1 &
	PIDS+=($!)
	for _ in $(seq 100); do
		[[ -n $(nsx "$1" ss -Hltn "sport = :8080") ]] && return 0
		sleep 0.05
	done
	echo "record-tunnels.sh: http.server did not start in $1" >&2; exit 1
}
capture() { # capture FILE FILTER: tcpnote -w on the underlay of tcpnote-tun-u1
	# timeout passes the SIGINT on: a background job of a script ignores SIGINT itself
	timeout -s INT -k 5 60 ip netns exec tcpnote-tun-u1 "$TCPNOTE" -n -i veth0 -w "$WORK/$1" "$2" \
		>/dev/null 2>"$WORK/$1.err" &
	CAP=$!
	for _ in $(seq 100); do grep -q "listening on" "$WORK/$1.err" && return 0; sleep 0.05; done
	cat "$WORK/$1.err" >&2; exit 1
}
stop_capture() {
	sleep 0.3
	kill -INT "$CAP"
	wait "$CAP" || { cat "$WORK"/*.err >&2; exit 1; }
}

# 1. VXLAN, two tenants, one request each, the same client port.
serve tcpnote-tun-a2 192.168.50.2
serve tcpnote-tun-b2 192.168.50.2
capture tunnel-vxlan.pcap 'udp port 4789'
for t in a b; do
	nsx tcpnote-tun-${t}1 curl -s --max-time 5 -o /dev/null --local-port 40000 http://192.168.50.2:8080/
	sleep 0.2
done
stop_capture

# 2. Plain IPv4 and IPv6 TCP on the underlay, for wrap-tunnels.py.
serve tcpnote-tun-u2 '::'
capture plain.pcap 'tcp port 8080'
nsx tcpnote-tun-u1 curl -s --max-time 5 -o /dev/null --local-port 40001 http://10.200.0.2:8080/
sleep 0.2
nsx tcpnote-tun-u1 curl -s --max-time 5 -o /dev/null --local-port 40002 'http://[fd00:200::2]:8080/'
stop_capture

cp "$WORK/tunnel-vxlan.pcap" "$HERE/tunnel-vxlan.pcap"
python3 "$HERE/wrap-tunnels.py" "$WORK/plain.pcap" "$HERE"
for f in "$HERE"/tunnel-*.pcap; do
	printf '%s: %s packets\n' "$(basename "$f")" "$(tcpdump -n -r "$f" 2>/dev/null | grep -c 'Flags \[')"
done
