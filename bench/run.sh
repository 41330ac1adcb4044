#!/usr/bin/env bash
# run.sh - benchmarks tcpnote's modes against tcpdump and tshark on the generated captures, in one run.
# Usage: bench/run.sh [TCPNOTE] [RUNS]   (default build/tcpnote, 3 runs; captures in bench/data/)
#        SHAPES="a b" bench/run.sh ...   to leave out the 4,000,000-packet capture (c)
#        TCPDUMP_RUNS=1 bench/run.sh ...  tcpdump's own runs (default RUNS): it is the slow one
#        TCPDUMP_LIMIT=600 bench/run.sh ... stop tcpdump after 600 s (its time, and the ratios
#                                          against it, are then lower bounds, marked ">")
set -euo pipefail
cd "$(dirname "$0")/.."
TCPNOTE=${1:-build/tcpnote}
RUNS=${2:-3}
TCPDUMP_RUNS=${TCPDUMP_RUNS:-$RUNS}
declare -A TEXT_SECONDS
mkdir -p bench/data
SHAPES=${SHAPES:-a b c}
for s in $SHAPES; do
	[[ -s bench/data/$s.pcap ]] || python3 bench/gen.py "$s" "bench/data/$s.pcap"
done
count() { python3 -c "import sys; d=open(sys.argv[1],'rb').read(); import struct; n=0; o=24
while o+16<=len(d): n+=1; o+=16+struct.unpack('<I',d[o+8:o+12])[0]
print(n)" "$1"; }
printf '%-5s %-28s %10s %12s %10s %10s %9s\n' file mode seconds packets/s "x tcpdump" "x tshark" "RSS MiB"
for s in $SHAPES; do
	f=bench/data/$s.pcap
	n=$(count "$f")
	read -r td_t td_rss td_cut < <(MEASURE_TIMEOUT=${TCPDUMP_LIMIT:-0} python3 bench/measure.py "$TCPDUMP_RUNS" tcpdump -n -S -r "$f")
	read -r ts_t ts_rss _ < <(python3 bench/measure.py 1 tshark -n -r "$f")
	gt=""; [[ $td_cut == cut ]] && gt=">"
	cat "$f" >/dev/null # back in the page cache after tshark's gigabytes
	# -n in every tcpnote mode, as tcpdump's: names cost a resolver lookup per address.
	for mode in "-n -r" "-n -S -r" "-n --json -r" "-n --quiet --summary -r"; do
		# shellcheck disable=SC2086
		read -r t rss _ < <(python3 bench/measure.py "$RUNS" "$TCPNOTE" $mode "$f")
		[[ $mode == "-n -r" ]] && TEXT_SECONDS[$s]=$t
		python3 -c "import sys; n,t,td,ts,rss=map(float,sys.argv[1:6]); print('%-5s %-28s %10.3f %12.0f %10s %10.1f %9.1f' % ('$s', 'tcpnote $mode', t, n/t, '$gt%.1f' % (td/t), ts/t, rss/1024))" "$n" "$t" "$td_t" "$ts_t" "$rss"
	done
	python3 -c "import sys; n,t,rss=map(float,sys.argv[1:4]); print('%-5s %-28s %10s %12s %10s %10s %9.1f' % ('$s', 'tcpdump -n -S -r', '$gt%.3f' % t, '%.0f' % (n/t) if '$gt' == '' else '<%.0f' % (n/t), '1.0', '', rss/1024))" "$n" "$td_t" "$td_rss"
	python3 -c "import sys; n,t,rss=map(float,sys.argv[1:4]); print('%-5s %-28s %10.3f %12.0f %10s %10s %9.1f' % ('$s', 'tshark -n -r', t, n/t, '', '1.0', rss/1024))" "$n" "$ts_t" "$ts_rss"
done
# Linear: (c) has four times the packets of (a), in the same shape.
if [[ -n ${TEXT_SECONDS[a]:-} && -n ${TEXT_SECONDS[c]:-} ]]; then
	python3 -c "import sys; a,c=map(float,sys.argv[1:3]); print('linear: tcpnote -n -r on (c) takes %.2f x its time on (a) (4 x the packets; target <= 4.4)' % (c/a))" "${TEXT_SECONDS[a]}" "${TEXT_SECONDS[c]}"
fi
