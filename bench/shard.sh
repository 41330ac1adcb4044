#!/usr/bin/env bash
# shard.sh - N --shard processes side by side (GNU parallel) against one process: --quiet --summary on (a).
# Usage: bench/shard.sh [TCPNOTE] [RUNS]   (default build/tcpnote, 5 runs; capture in bench/data/)
#        SHARDS=4 bench/shard.sh ...        shards run at once (default 2: this machine's cores)
#        SHAPE=b bench/shard.sh ...         another capture of gen.py (default a)
# Prints the median seconds of each, the median of the rounds' ratios (target for 2 shards on 2
# cores: <= 0.7) and the load average before and after: other work on the machine slows the
# shards, which need every core.
set -euo pipefail
cd "$(dirname "$0")/.."
TCPNOTE=${1:-build/tcpnote}
RUNS=${2:-5}
N=${SHARDS:-2}
SHAPE=${SHAPE:-a}
f=bench/data/$SHAPE.pcap
mkdir -p bench/data
[[ -s $f ]] || python3 bench/gen.py "$SHAPE" "$f"
command -v parallel >/dev/null || { echo "shard.sh: needs GNU parallel (scripts/setup.sh)" >&2; exit 1; }
cat "$f" >/dev/null # in the page cache: both sides read it from memory
echo "cores $(nproc), load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
# Rounds, each timing the three ways once in turn: this VM's speed drifts by 20-40% within
# a minute, so medians taken one way after another compare different machines; the
# ratio is the median of each round's own ratio.
ones=() manys=() bares=() rss1=0 rssn=0
for ((r = 0; r < RUNS; r++)); do
	read -r t rss _ < <(python3 bench/measure.py 1 "$TCPNOTE" -n --quiet --summary -r "$f")
	ones+=("$t")
	((rss > rss1)) && rss1=$rss
	# shellcheck disable=SC2046
	read -r t rss _ < <(python3 bench/measure.py 1 parallel -j "$N" "$TCPNOTE" -n --quiet --summary \
		--shard "{}/$N" -r "$f" ::: $(seq 0 $((N - 1))))
	manys+=("$t")
	((rss > rssn)) && rssn=$rss
	# The same without GNU parallel (its Perl start costs ~0.15 s of CPU): the shards as background jobs.
	# shellcheck disable=SC2016 # the inner script expands its own arguments
	read -r t _ _ < <(python3 bench/measure.py 1 bash -c 'for k in $(seq 0 $(($2 - 1))); do
		"$1" -n --quiet --summary --shard "$k/$2" -r "$3" & done; wait' _ "$TCPNOTE" "$N" "$f")
	bares+=("$t")
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$N" "$rss1" "$rssn" "${ones[*]}" "${manys[*]}" "${bares[*]}" <<'PY'
import statistics, sys
n, r1, rn = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
one, many, bare = ([float(x) for x in a.split()] for a in sys.argv[4:7])
med = statistics.median
print('%-44s %8.3f s  peak RSS %7.1f MiB' % ('one process: --quiet --summary', med(one), r1 / 1024))
print('%-44s %8.3f s  peak RSS %7.1f MiB' % (n + ' shards side by side (parallel -j ' + n + ')', med(many), rn / 1024))
print('%-44s %8.3f s' % (n + ' shards side by side (shell jobs, wait)', med(bare)))
print('ratio %.2f with parallel, %.2f without (median of %d rounds; target for 2 shards: <= 0.70)' %
      (med([m / o for m, o in zip(many, one)]), med([b / o for b, o in zip(bare, one)]), len(one)))
PY
