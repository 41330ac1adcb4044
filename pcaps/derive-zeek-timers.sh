#!/usr/bin/env bash
# Derives pcaps/zeek-timers.pcap (Zeek's timers end connection records) and pcaps/syn-synack-reversal.pcap (a SYN captured after its SYN+ACK) from captures of record-zeek.sh by moving packet times (editcap -t).
#
# Usage: pcaps/derive-zeek-timers.sh
#
# Needs editcap and mergecap (Wireshark). No packet is changed but its time;
# packets are picked by frame number and the parts joined one after the other:
#   1. syn-retry-same-isn.pcap frames 1, 3, 5 (the client's SYNs, its RSTs left
#      out: no answer) and frame 7 (the same SYN again) 3 s later, 6.05 s after
#      the first SYN: past tcp_attempt_delay (5 s);
#   2. rst-after-fins.pcap frames 1-9 and frame 10 (the client's RST) 6 s later,
#      6.10 s after the second FIN: past tcp_close_delay (5 s);
#   3. half-close-rst.pcap frames 1-6 (its first connection, up to the client's
#      FIN) and frames 7-8 (the server's ACK and RST) 299.9597 s later: the ACK
#      comes exactly 300 s after the client's FIN, tcp_inactivity_timeout.
# syn-synack-reversal.pcap: rst-after-fins.pcap frame 2 (the SYN+ACK), then
# frame 1 (the SYN) 20 us later, 1 us after the SYN+ACK and 11 us before frame
# 3 (the third packet of the handshake), then frames 3-10: what a capture on
# two interfaces ("any") or two merged taps can show.
# pcaps/README.md, section "Zeek's connection states", says what Zeek makes of it.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
for cmd in editcap mergecap; do
	command -v "$cmd" >/dev/null || { echo "derive-zeek-timers.sh: $cmd not found" >&2; exit 2; }
done
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcpnote-zeek-timers.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

# part NAME FRAMES SHIFT: the frames of pcaps/NAME.pcap, their times moved by SHIFT seconds
n=0
part() {
	n=$((n + 1))
	editcap -F pcap -r "$HERE/$1.pcap" "$WORK/sel$n.pcap" $2
	editcap -F pcap -t "$3" "$WORK/sel$n.pcap" "$WORK/part$n.pcap"
}
part syn-retry-same-isn "1 3 5" 0
part syn-retry-same-isn "7" 3
part rst-after-fins "1-9" 0
part rst-after-fins "10" 6
part half-close-rst "1-6" 0
part half-close-rst "7-8" 299.959700
mergecap -F pcap -a -w "$HERE/zeek-timers.pcap" "$WORK"/part{1,2,3,4,5,6}.pcap
echo "zeek-timers.pcap written"
part rst-after-fins "2" 0
part rst-after-fins "1" 0.000020
part rst-after-fins "3-10" 0
mergecap -F pcap -a -w "$HERE/syn-synack-reversal.pcap" "$WORK"/part{7,8,9}.pcap
echo "syn-synack-reversal.pcap written"
