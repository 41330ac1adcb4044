#!/bin/sh
# tcpnote-pipe.sh - a worker for Spark's RDD.pipe and Hadoop streaming: pcap paths in, JSON Lines out.
#
# Each input line is a capture's path, optionally followed by a space and K/N (that file's
# --shard K/N). For each line, tcpnote's --quiet --json flow records (TCPNOTE_FLAGS replaces
# "--quiet --json", e.g. "--json" for the packet records too) go to standard output, in input
# order; tcpnote's messages go to standard error (the engine's task log). A file that fails is
# said there and the next line is read; the exit status is then 1, so the engine sees the task
# failed. TCPNOTE names the program (default: tcpnote on PATH).
set -u
TCPNOTE=${TCPNOTE:-tcpnote}
FLAGS=${TCPNOTE_FLAGS:---quiet --json}
status=0
while IFS= read -r line || [ -n "$line" ]; do
	[ -n "$line" ] || continue
	path=$line
	shard=
	case $line in
	*" "[0-9]*/[0-9]*)
		shard=${line##* }
		path=${line% *}
		case $shard in
		*[!0-9/]* | */*/*) shard='' path=$line ;; # not K/N: part of the path
		esac
		;;
	esac
	# shellcheck disable=SC2086 # FLAGS is a list of options
	if [ -n "$shard" ]; then
		"$TCPNOTE" -n $FLAGS --shard "$shard" -r "$path" || status=1
	else
		"$TCPNOTE" -n $FLAGS -r "$path" || status=1
	fi
done
exit $status
