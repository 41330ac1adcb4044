#!/usr/bin/env bash
# Records the Kafka captures in pcaps/ (kafka-*.pcap): librdkafka's mock broker and kcat
# clients in a network namespace of our own, saved by tcpnote's own -w, as record.sh does.
#
# Usage: pcaps/record-kafka.sh [PATH-TO-TCPNOTE]     (default: ../build/tcpnote beside this script)
#
# Needs root: apt-get (librdkafka-dev and kcat, installed if missing; only this script
# needs them, the tests read the committed captures), a network namespace and a live
# capture.  Debian has no Kafka broker; pcaps/kafka-mock.c, compiled here, runs
# librdkafka's mock cluster (one broker) on 127.0.0.1 of the namespace tcpnote-kafka-PID,
# which the script creates and deletes: no traffic on the host's interfaces, no port taken
# from anyone.  The mock binds an ephemeral port, which it prints; each capture is
# `tcpnote -n -i lo -w FILE 'tcp port PORT'` on that port.  The broker keeps its log between
# scenarios (the seed's 17 messages are there for the group and the error scenarios).
# Rerunnable: every kafka-*.pcap is rewritten from scratch; ports, client ports, member
# ids, timestamps and the number of empty Fetch round trips change from run to run.
# pcaps/README.md describes what each capture holds.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TCPNOTE=${1:-$HERE/../build/tcpnote}
[[ -x $TCPNOTE ]] || { echo "record-kafka.sh: tcpnote binary not found: $TCPNOTE" >&2; exit 2; }
TCPNOTE=$(cd "$(dirname "$TCPNOTE")" && pwd)/$(basename "$TCPNOTE")
OUT=$HERE

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcpnote-record-kafka.XXXXXX")
NS=tcpnote-kafka-$$
NS_MADE=0
PIDS=()

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	((NS_MADE)) && ip netns delete "$NS" 2>/dev/null || true
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

die() { echo "record-kafka.sh: $*" >&2; exit 1; }

forget() {
	local keep=() pid
	for pid in "${PIDS[@]}"; do
		[[ $pid == "$1" ]] || keep+=("$pid")
	done
	PIDS=("${keep[@]+"${keep[@]}"}")
}

# spawn CMD...: run in the background, remember the PID in SPAWNED
spawn() {
	"$@" &
	SPAWNED=$!
	PIDS+=("$SPAWNED")
}

# reap PID: wait for a client and forget it; its failure is fatal
reap() {
	local rc=0
	wait "$1" || rc=$?
	forget "$1"
	((rc == 0)) || die "client (pid $1) exited with status $rc"
}

# expect_rc WANT CMD...: run CMD, which must exit with status WANT
expect_rc() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	((rc == want)) || die "$* exited $rc, expected $want"
}

# ------------------------------------------------------------- tools --
need=()
for p in librdkafka-dev kcat gcc pkg-config ethtool; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if ((${#need[@]})); then
	echo "record-kafka.sh: installing ${need[*]}"
	env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
		"${need[@]}" >/dev/null || die "apt-get install ${need[*]} failed"
fi
gcc -std=c11 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -O1 -o "$WORK/kafka-mock" \
	"$HERE/kafka-mock.c" $(pkg-config --cflags --libs rdkafka) || die "cannot build kafka-mock"
echo "record-kafka.sh: kcat $(kcat -V 2>&1 | sed -n "s/^Version \([^ ]*\).*\(librdkafka [^ ]*\).*/\1, \2/p")"

ip netns add "$NS"
NS_MADE=1
IN=(ip netns exec "$NS")
ip -n "$NS" link set lo up
# No segmentation offload: the capture sees the segments as sent (they matter for
# kafka-large, recorded with MTU 1500).
"${IN[@]}" ethtool -K lo tso off gso off >/dev/null 2>&1 || die "ethtool -K lo failed"

# start_mock NAME ARGS...: kafka-mock ARGS in the namespace; its bootstrap string in
# BOOT, its port in PORT, and in KCAT the command for Debian's kcat against it (in the
# namespace, 20 s at most).  Its standard input is a FIFO held open on our file
# descriptor 9, so it stops by itself when we close it, or when the script ends,
# however it ends.
start_mock() {
	local name=$1 i
	shift
	mkfifo "$WORK/$name.in"
	# Read-write, so that neither open blocks; the mock gets it read-only, without ours.
	exec 9<>"$WORK/$name.in"
	# Not through spawn: an asynchronous command's standard input is /dev/null unless
	# the command itself redirects it (POSIX, shells without job control).
	timeout 120 "${IN[@]}" "$WORK/kafka-mock" "$@" <"$WORK/$name.in" \
		>"$WORK/$name.out" 2>"$WORK/$name.err" 9>&- &
	MOCK_PID=$!
	PIDS+=("$MOCK_PID")
	for i in $(seq 100); do
		BOOT=$(head -n1 "$WORK/$name.out")
		[[ $BOOT == 127.0.0.1:* ]] && break
		kill -0 "$MOCK_PID" 2>/dev/null || break
		sleep 0.05
	done
	[[ $BOOT == 127.0.0.1:* ]] || { cat "$WORK/$name.err" >&2; die "kafka-mock did not start"; }
	PORT=${BOOT#127.0.0.1:}
	KCAT=(timeout 20 "${IN[@]}" kcat -b "$BOOT")
}

# stop_mock: close its standard input and wait for it
stop_mock() {
	exec 9>&-
	reap "$MOCK_PID"
}

# start_capture FILE: tcpnote -n -i lo -w FILE 'tcp port PORT' in the namespace
start_capture() {
	local file=$OUT/$1 i
	rm -f "$file"
	CAP_FILE=$file
	CAP_ERR=$WORK/$1.stderr
	: >"$CAP_ERR"
	spawn timeout -s INT -k 5 60 "${IN[@]}" "$TCPNOTE" -n -i lo -w "$file" "tcp port $PORT" \
		>"$WORK/$1.stdout" 2>"$CAP_ERR"
	CAP_PID=$SPAWNED
	for i in $(seq 100); do
		grep -q "listening on" "$CAP_ERR" && return 0
		kill -0 "$CAP_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$CAP_ERR" >&2
	die "tcpnote did not start listening on lo"
}

# stop_capture: let the last segments arrive, then SIGINT and wait
stop_capture() {
	local rc=0
	sleep 0.3
	kill -INT "$CAP_PID"
	wait "$CAP_PID" || rc=$?
	forget "$CAP_PID"
	if ((rc != 0)); then
		cat "$CAP_ERR" >&2
		die "tcpnote exited with status $rc while recording $CAP_FILE"
	fi
	[[ -s $CAP_FILE ]] || die "empty capture: $CAP_FILE"
	printf '%-30s %3d packets\n' "$(basename "$CAP_FILE")" \
		"$("$TCPNOTE" -n -r "$CAP_FILE" 2>/dev/null | wc -l)"
}

# Group consumers: heartbeats and offset commits every 200 ms, so a short run shows them.
GROUP=(-X heartbeat.interval.ms=200 -X auto.commit.interval.ms=200 -X auto.offset.reset=earliest)

# consume_produce TOPIC CAPTURE: the seed's 0 -> 17.  A consumer starts on the empty
# partition TOPIC/0 and fetches (high watermark 0, an empty answer after the broker's
# fetch wait of 500 ms) while nothing is there; 1.5 s later a producer writes 17 messages;
# the consumer's next Fetch returns them with high watermark 17, and it exits (-c 17).
consume_produce() {
	local topic=$1 cons
	start_capture "$2"
	spawn "${KCAT[@]}" -X client.id=tcpnote-consumer -C -t "$topic" -p 0 -o beginning -c 17 \
		>"$WORK/$topic-consumed.txt" 2>"$WORK/$topic-consumer.err"
	cons=$SPAWNED
	sleep 1.5
	for i in $(seq 17); do echo "message $i"; done |
		expect_rc 0 "${KCAT[@]}" -X client.id=tcpnote-producer -P -t "$topic" -p 0
	reap "$cons"
	[[ $(wc -l <"$WORK/$topic-consumed.txt") == 17 ]] || die "$2: the consumer did not get 17 messages"
}

# ------------------------------------------------------------ scenarios --

# The broker as librdkafka's clients meet it by default: the newest versions that both
# the mock (librdkafka 2.0.2) and kcat implement.
start_mock mock seed:1 big:1 'nosuch!'

# 1. kafka-seed: the seed's high watermark 0 -> 17
consume_produce seed kafka-seed.pcap
stop_capture

# 2. kafka-group: a consumer group (kcat -G) reads the 17 messages of "seed":
#    FindCoordinator, JoinGroup, SyncGroup, OffsetFetch (nothing committed yet: -1,
#    so auto.offset.reset=earliest and a ListOffsets), Fetch, Heartbeat, OffsetCommit
#    (offset 17) and, on exit, LeaveGroup
start_capture kafka-group.pcap
expect_rc 0 "${KCAT[@]}" -X client.id=tcpnote-group -G tcpnote-group "${GROUP[@]}" -c 17 seed \
	>"$WORK/group.txt" 2>"$WORK/group.err"
stop_capture

# 3. kafka-errors: the error paths.  Metadata for an unknown topic (kcat -C, which gives
#    up with status 1, then kcat -L): UNKNOWN_TOPIC_OR_PARTITION; a Fetch from offset
#    100 of "seed", which holds 17 messages: OFFSET_OUT_OF_RANGE, then ListOffsets
#    (latest: 17) and a Fetch from 17 that reaches the end (-e)
start_capture kafka-errors.pcap
expect_rc 1 "${KCAT[@]}" -X client.id=tcpnote-errors -C -t nosuch -p 0 -e >/dev/null 2>&1
expect_rc 0 "${KCAT[@]}" -X client.id=tcpnote-errors -L -t nosuch >/dev/null 2>&1
expect_rc 0 "${KCAT[@]}" -X client.id=tcpnote-errors -C -t seed -p 0 -o 100 -e >/dev/null 2>&1
stop_capture

# 4. kafka-large: with the namespace's lo at MTU 1500, three 4000-byte messages: the
#    Produce request and the Fetch response each span several segments
ip -n "$NS" link set lo mtu 1500
start_capture kafka-large.pcap
python3 -c 'import sys
for c in "abc": sys.stdout.write(c * 4000 + "\n")' |
	expect_rc 0 "${KCAT[@]}" -X client.id=tcpnote-large -P -t big -p 0
expect_rc 0 "${KCAT[@]}" -X client.id=tcpnote-large -C -t big -p 0 -o beginning -e \
	>"$WORK/big.txt" 2>/dev/null
[[ $(wc -c <"$WORK/big.txt") == 12003 ]] || die "kafka-large: the consumer did not get 3 x 4000 bytes"
stop_capture
ip -n "$NS" link set lo mtu 65536
stop_mock

# 5. kafka-old: a broker that offers only old versions (as an old Kafka would, through
#    the mock's ApiVersions answer), so the same clients fall back to Produce v3,
#    Fetch v4, ListOffsets v1, Metadata v0, OffsetCommit v2, OffsetFetch v1 and v0 of
#    FindCoordinator, JoinGroup, Heartbeat, LeaveGroup, SyncGroup and ApiVersions:
#    the seed's 0 -> 17 and the group again
start_mock mock-old old:1 0=3:3 1=4:4 2=1:1 3=0:0 8=2:2 9=1:1 10=0:0 11=0:0 12=0:0 \
	13=0:0 14=0:0 18=0:0
consume_produce old kafka-old.pcap
expect_rc 0 "${KCAT[@]}" -X client.id=tcpnote-group -G tcpnote-group-old "${GROUP[@]}" -c 17 old \
	>"$WORK/group-old.txt" 2>"$WORK/group-old.err"
stop_capture
stop_mock

echo "record-kafka.sh: captures written to $OUT"
