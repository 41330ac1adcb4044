#!/usr/bin/env bash
# shard.sh - N --shard processes side by side (GNU parallel) against one process: --quiet --summary on (a).
# Usage: bench/shard.sh [TCPNOTE] [RUNS]   (default build/tcpnote, 5 runs; capture in bench/data/)
#        SHARDS=4 bench/shard.sh ...        shards run at once (default 2: this machine's cores)
#        SHAPE=b bench/shard.sh ...         another capture of gen.py (default a)
# Prints the median seconds of each, their ratio (target for 2 shards on 2 cores: <= 0.7) and the
# load average before and after: other work on the machine slows the shards, which need every core.
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
read -r one rss1 _ < <(python3 bench/measure.py "$RUNS" "$TCPNOTE" -n --quiet --summary -r "$f")
# shellcheck disable=SC2046
read -r many rssn _ < <(python3 bench/measure.py "$RUNS" parallel -j "$N" "$TCPNOTE" -n --quiet --summary \
	--shard "{}/$N" -r "$f" ::: $(seq 0 $((N - 1))))
# The same without GNU parallel (its Perl start costs ~0.15 s of CPU): the shards as background jobs.
# shellcheck disable=SC2016 # the inner script expands its own arguments
read -r bare _ _ < <(python3 bench/measure.py "$RUNS" bash -c 'for k in $(seq 0 $(($2 - 1))); do
	"$1" -n --quiet --summary --shard "$k/$2" -r "$3" & done; wait' _ "$TCPNOTE" "$N" "$f")
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 -c "import sys; one, many, r1, rn, bare = map(float, sys.argv[1:6]); n = sys.argv[6]
print('%-44s %8.3f s  peak RSS %7.1f MiB' % ('one process: --quiet --summary', one, r1 / 1024))
print('%-44s %8.3f s  peak RSS %7.1f MiB' % (n + ' shards side by side (parallel -j ' + n + ')', many, rn / 1024))
print('%-44s %8.3f s' % (n + ' shards side by side (shell jobs, wait)', bare))
print('ratio %.2f with parallel, %.2f without (target for 2 shards: <= 0.70)' % (many / one, bare / one))" \
	"$one" "$many" "$rss1" "$rssn" "$bare" "$N"
