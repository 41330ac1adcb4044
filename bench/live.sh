#!/usr/bin/env bash
# live.sh - live capture under load: packets received and dropped by the kernel, tcpdump beside tcpnote.
# Usage: sudo bench/live.sh [TCPNOTE] [SECONDS]   (default build/tcpnote, 5 s per run)
#        RATES="400M 1.6G" sudo bench/live.sh ...  other offered rates (iperf3 -b)
#
# Makes its own network namespace (removed at the end), loopback up with its offloads
# off (ethtool -K: no TSO, GSO, GRO, so each segment is one packet), an iperf3 server
# in it, and for each offered rate runs iperf3 -c -M 536 (MSS 536) once per tool,
# the tool capturing "-n -i lo tcp port 5201" with its text to /dev/null (tcpnote also
# with --json, with --summary and with --immediate-mode at 1.6G). The table shows each tool's own end-of-capture
# counters (packets received by filter, dropped by kernel). Not part of the tests:
# the numbers depend on the machine and its load. Needs root, iperf3, tcpdump, ethtool.
set -euo pipefail
cd "$(dirname "$0")/.."
TCPNOTE=$(realpath "${1:-build/tcpnote}")
SECONDS_PER_RUN=${2:-5}
RATES=${RATES:-400M 800M 1.6G 2.4G}
NS=tn_livebench_$$
TMP=$(mktemp -d)
if [[ $(id -u) != 0 ]]; then
	echo "live.sh: needs root (a network namespace, capture rights)" >&2
	exit 1
fi
for tool in iperf3 tcpdump ethtool; do
	command -v "$tool" >/dev/null || { echo "live.sh: $tool is not installed (apt-get install $tool)" >&2; exit 1; }
done
cleanup() {
	ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null || true
	ip netns del "$NS" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
ip netns add "$NS"
in_ns() { ip netns exec "$NS" "$@"; }
in_ns ip link set lo up
in_ns ethtool -K lo tso off gso off gro off 2>/dev/null || in_ns ethtool -K lo tso off gso off
in_ns iperf3 -s -B 127.0.0.1 -p 5201 -D --logfile "$TMP/iperf3-server.log"
for _ in $(seq 50); do in_ns bash -c 'exec 3<>/dev/tcp/127.0.0.1/5201' 2>/dev/null && break; sleep 0.1; done

# run NAME RATE CAPTURE-COMMAND...: one capture during one iperf3 run; prints a table row.
run() {
	local name=$1 rate=$2 pid recv drop i
	shift 2
	: >"$TMP/err"
	# Not through in_ns: $! must be the capture itself (ip netns exec execs it), for its Ctrl-C.
	ip netns exec "$NS" "$@" -n -i lo tcp port 5201 >/dev/null 2>"$TMP/err" &
	pid=$!
	for i in $(seq 100); do grep -q '^listening on' "$TMP/err" && break; sleep 0.05; done
	in_ns iperf3 -c 127.0.0.1 -p 5201 -b "$rate" -M 536 -t "$SECONDS_PER_RUN" -J >"$TMP/client.json" || true
	sleep 0.5 # the last packets reach the capture
	kill -INT "$pid"
	wait "$pid" || true
	recv=$(sed -n 's/^\([0-9]*\) packets\{0,1\} received by filter$/\1/p' "$TMP/err")
	drop=$(sed -n 's/^\([0-9]*\) packets\{0,1\} dropped by kernel$/\1/p' "$TMP/err")
	python3 - "$name" "$rate" "${recv:-0}" "${drop:-0}" "$TMP/client.json" <<'PY'
import json, sys
name, rate, recv, drop, client = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
try:
    bps = json.load(open(client))['end']['sum_sent']['bits_per_second']
except (ValueError, KeyError, OSError):
    bps = 0
print('%-7s %-24s %12.0f %12d %12d %8.3f' % (rate, name, bps / 1e6, recv, drop, 100.0 * drop / recv if recv else 0))
PY
}

printf '%-7s %-24s %12s %12s %12s %8s\n' offered tool "sent Mbit/s" received dropped "drop %"
for rate in $RATES; do
	run "tcpdump" "$rate" tcpdump
	run "tcpnote" "$rate" "$TCPNOTE"
	if [[ $rate == 1.6G ]]; then
		run "tcpnote --json" "$rate" "$TCPNOTE" --json
		run "tcpnote --summary" "$rate" "$TCPNOTE" --summary
		run "tcpnote --immediate-mode" "$rate" "$TCPNOTE" --immediate-mode
	fi
done
