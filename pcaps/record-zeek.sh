#!/usr/bin/env bash
# Records the captures for Zeek's connection states and Wireshark's SYN rule in pcaps/: real Linux TCP between two network namespaces, saved by tcpnote's own -w.
#
# Usage: pcaps/record-zeek.sh [PATH-TO-TCPNOTE [SCENARIO...]]
#        (default tcpnote: ../build/tcpnote beside this script; default: every
#        scenario; SCENARIO is a capture name without .pcap)
#
# Needs root. Creates the namespaces tcpnote-zk-srv and tcpnote-zk-cli joined
# by a veth pair (10.77.0.1 server, 10.77.0.2 client; offloads off), shapes
# both directions with an HTB class of 20 Mbit/s (a real queue, not loopback),
# and deletes both namespaces and every process it started on exit. The
# capture is taken on the server's interface. nftables rules in the client's
# namespace drop what a scenario needs the client not to receive (after the
# capture point, so the capture still shows it):
#   syn-retry-same-isn  the server has no listener; its RSTs are dropped at
#                       the client, which therefore sends its SYN again with
#                       the same ISN after each RST (1 s, 3 s): on the wire
#                       what Windows does when it retries a refused connect
#   rst-after-fins      the server sends 6 bytes and its FIN; the client,
#                       without reading them, sends its FIN; the server's ACK
#                       of that FIN is dropped, so the client is still in
#                       LAST-ACK when it closes with unread data: a RST
#                       after both FINs
#   half-close-rst      two connections: the client sends a request and
#                       half-closes (FIN); (1) the server closes without
#                       reading it, with SO_LINGER 0: a RST answers the
#                       half-close; (2) the server answers, the client aborts
#                       (SO_LINGER 0) after its own FIN: the closer's RST
#   midstream-server    two connections whose handshake is over before the
#                       capture starts; the server speaks first after it:
#                       (1) on port 8080 (a port Zeek knows a server on),
#                       (2) on port 7700 (one it does not)
#   content-gap         two connections, each: the client sends three
#                       segments ("part one", "GAP! ...", "part three"), the
#                       server answers "ok", both close. (1) port 8084: the
#                       capture's filter leaves out the segment whose payload
#                       starts "GAP!" (a tap that lost it): the server gets
#                       and ACKs bytes the capture never shows; (2) port
#                       8085: the client's egress queue loses that segment's
#                       first sending (a tc u32 filter on its payload to an
#                       HTB class whose qdisc is blackhole, removed 50 ms
#                       later: blackhole drops it and tells the sender's TCP
#                       it was sent, as with loss on a link; the capture
#                       point is after it): the capture shows "part three",
#                       then the retransmission
# pcaps/README.md, section "Zeek's connection states", says what each holds.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TCPNOTE=${1:-$HERE/../build/tcpnote}
[[ -x $TCPNOTE ]] || { echo "record-zeek.sh: tcpnote binary not found: $TCPNOTE" >&2; exit 2; }
TCPNOTE=$(cd "$(dirname "$TCPNOTE")" && pwd)/$(basename "$TCPNOTE")
shift $(($# > 0 ? 1 : 0))
ALL=(syn-retry-same-isn rst-after-fins half-close-rst midstream-server content-gap)
if (($# > 0)); then SCENARIOS=("$@"); else SCENARIOS=("${ALL[@]}"); fi
SRV=tcpnote-zk-srv
CLI=tcpnote-zk-cli
T=10

for cmd in ip nft tc ethtool python3 timeout; do
	command -v "$cmd" >/dev/null || { echo "record-zeek.sh: $cmd not found" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcpnote-record-zeek.XXXXXX")
PIDS=()

del_ns() {
	local ns
	for ns in "$SRV" "$CLI"; do
		[[ -e /run/netns/$ns ]] && timeout $T ip netns del "$ns" 2>/dev/null || true
	done
}

# stop what is still running (every child of this shell was started by it), then clean up
cleanup() {
	local pid
	for pid in "${PIDS[@]+"${PIDS[@]}"}"; do kill -TERM "$pid" 2>/dev/null || true; done
	wait 2>/dev/null || true
	del_ns
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

die() { echo "record-zeek.sh: $*" >&2; exit 1; }
ns() { local n=$1; shift; timeout $T ip netns exec "$n" "$@"; }

setup() {
	local n dev
	del_ns
	ip netns add $SRV
	ip netns add $CLI
	ip link add zk-s netns $SRV type veth peer name zk-c netns $CLI
	ns $SRV ip addr add 10.77.0.1/24 dev zk-s
	ns $CLI ip addr add 10.77.0.2/24 dev zk-c
	for n in $SRV $CLI; do
		dev=zk-s; [[ $n == "$CLI" ]] && dev=zk-c
		ns $n ip link set lo up
		ns $n ip link set $dev up
		ns $n ethtool -K $dev tso off gso off gro off >/dev/null 2>&1 || true
		ns $n tc qdisc add dev $dev root handle 1: htb default 10 r2q 100
		ns $n tc class add dev $dev parent 1: classid 1:10 htb rate 20mbit ceil 20mbit
	done
	ns $CLI nft add table inet zk
	ns $CLI nft add chain inet zk input '{ type filter hook input priority 0; }'
}

cat >"$WORK/peers.py" <<'PY'
import socket, struct, subprocess, sys, time

SRV = "10.77.0.1"
LINGER0 = struct.pack("ii", 1, 0)

def drop_from(port):
    # in the client's namespace: drop everything the server sends from now on
    subprocess.run(["nft", "add", "rule", "inet", "zk", "input", "tcp", "sport", str(port), "drop"],
                   check=True)

def listener(port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((SRV, port))
    s.listen(4)
    return s

role, port = sys.argv[1], int(sys.argv[2])
if role == "retry-client":
    c = socket.socket()
    c.settimeout(3.5)
    try:
        c.connect((SRV, port))
    except OSError:
        pass
elif role == "fins-server":
    s = listener(port)
    print("ready", flush=True)
    a, _ = s.accept()
    a.sendall(b"hello\n")
    a.shutdown(socket.SHUT_WR)
    time.sleep(1.5)
    a.close()
elif role == "fins-client":
    c = socket.create_connection((SRV, port))
    time.sleep(0.4)           # the 6 bytes and the FIN arrive; not read
    drop_from(port)           # the server's ACK of our FIN will not arrive
    c.shutdown(socket.SHUT_WR)
    time.sleep(0.1)
    c.close()                 # LAST-ACK with unread data: RST
elif role == "halfrst-server":
    s = listener(port)
    print("ready", flush=True)
    a, _ = s.accept()         # 1: the request is not read; abort
    time.sleep(0.4)
    a.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER0)
    a.close()
    a, _ = s.accept()         # 2: read the request, answer it
    a.recv(100)
    a.sendall(b"response\n")
    time.sleep(1.0)
    a.close()
elif role == "halfrst-client":
    c = socket.create_connection((SRV, port))
    c.sendall(b"request\n")
    c.shutdown(socket.SHUT_WR)
    time.sleep(0.8)
    c.close()
    c = socket.create_connection((SRV, port))
    c.sendall(b"request\n")
    c.shutdown(socket.SHUT_WR)
    time.sleep(0.4)           # the response arrives; abort without reading it
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, LINGER0)
    c.close()
elif role == "gap-server":
    s = listener(port)
    print("ready", flush=True)
    a, _ = s.accept()
    got = b""
    while got.count(b"\n") < 3:
        got += a.recv(1000)
    a.sendall(b"ok\n")
    a.recv(100)               # the client's FIN
    a.close()
elif role == "gap-client":
    c = socket.create_connection((SRV, port))
    c.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    c.sendall(b"part one\n")
    time.sleep(0.2)
    c.sendall(b"GAP! the segment the capture does not see\n")
    time.sleep(0.05)
    c.sendall(b"part three\n")
    if port == 8085:          # the loss filter goes: the retransmission passes
        subprocess.run(["tc", "filter", "del", "dev", "zk-c", "parent", "1:", "prio", "1"],
                       check=True)
    got = b""
    while not got.endswith(b"ok\n"):
        got += c.recv(100)
    time.sleep(0.2)
    c.close()
elif role == "mid-server":
    s = listener(port)
    print("ready", flush=True)
    a, _ = s.accept()
    time.sleep(1.5)           # the capture starts meanwhile
    for i in range(3):
        a.sendall(b"banner line %d\n" % i)
        time.sleep(0.05)
    a.recv(100)
    a.close()
elif role == "mid-client":
    c = socket.create_connection((SRV, port))
    got = b""
    while got.count(b"\n") < 3:
        got += c.recv(100)
    c.sendall(b"thanks\n")
    time.sleep(0.3)
    c.close()
PY

spawn() { "$@" & SPAWNED=$!; PIDS+=("$SPAWNED"); }
reap() { wait "$1" 2>/dev/null || true; }

# server ROLE PORT: start a peer in the server namespace and wait for "ready"
server() {
	spawn ns $SRV python3 "$WORK/peers.py" "$1" "$2" >"$WORK/srv.out"
	SRVPID=$SPAWNED
	for _ in $(seq 100); do
		grep -q ready "$WORK/srv.out" && return 0
		sleep 0.05
	done
	die "server $1 did not start"
}

# start_capture NAME PORT [FILTER]: capture "tcp port PORT" (and FILTER) to NAME.pcap
start_capture() {
	local file=$WORK/$1.pcap
	CAP_ERR=$WORK/$1.stderr
	: >"$CAP_ERR"
	spawn ns $SRV timeout -s INT -k 5 30 "$TCPNOTE" -n -i zk-s -w "$file" "tcp port $2${3:+ and $3}" \
		>/dev/null 2>"$CAP_ERR"
	CAP_PID=$SPAWNED
	for _ in $(seq 100); do
		grep -q "listening on" "$CAP_ERR" && return 0
		sleep 0.05
	done
	cat "$CAP_ERR" >&2
	die "tcpnote did not start listening"
}

stop_capture() {
	sleep 0.5
	kill -INT "$CAP_PID" 2>/dev/null || true
	reap "$CAP_PID"
	[[ -s $WORK/$1.pcap ]] || die "empty capture: $1"
	cp "$WORK/$1.pcap" "$HERE/$1.pcap"
	printf '%-26s %3d packets\n' "$1.pcap" "$("$TCPNOTE" -n -r "$HERE/$1.pcap" 2>/dev/null | wc -l)"
}

# join_pcaps OUT IN...: one file, the captures one after the other (their own timestamps)
join_pcaps() {
	python3 - "$@" <<'PY'
import sys
out = open(sys.argv[1], "wb")
for i, name in enumerate(sys.argv[2:]):
    data = open(name, "rb").read()
    out.write(data if i == 0 else data[24:])
PY
}

for sc in "${SCENARIOS[@]}"; do
	setup
	case $sc in
	syn-retry-same-isn)
		ns $CLI nft add rule inet zk input tcp sport 8081 'tcp flags & rst == rst' drop
		start_capture "$sc" 8081
		ns $CLI python3 "$WORK/peers.py" retry-client 8081
		stop_capture "$sc"
		;;
	rst-after-fins)
		server fins-server 8082
		start_capture "$sc" 8082
		ns $CLI python3 "$WORK/peers.py" fins-client 8082
		reap "$SRVPID"
		stop_capture "$sc"
		;;
	half-close-rst)
		server halfrst-server 8083
		start_capture "$sc" 8083
		ns $CLI python3 "$WORK/peers.py" halfrst-client 8083
		reap "$SRVPID"
		stop_capture "$sc"
		;;
	midstream-server)
		: >"$WORK/mid.pcap.list"
		for port in 8080 7700; do
			server mid-server $port
			spawn ns $CLI python3 "$WORK/peers.py" mid-client $port
			CLIPID=$SPAWNED
			sleep 0.5 # the handshake is over: capture from here
			start_capture "$sc-$port" $port
			reap "$CLIPID"
			reap "$SRVPID"
			sleep 0.5
			kill -INT "$CAP_PID" 2>/dev/null || true
			reap "$CAP_PID"
			echo "$WORK/$sc-$port.pcap" >>"$WORK/mid.pcap.list"
		done
		join_pcaps "$HERE/$sc.pcap" $(cat "$WORK/mid.pcap.list")
		printf '%-26s %3d packets\n' "$sc.pcap" "$("$TCPNOTE" -n -r "$HERE/$sc.pcap" 2>/dev/null | wc -l)"
		;;
	content-gap)
		: >"$WORK/gap.pcap.list"
		for port in 8084 8085; do
			setup
			server gap-server $port
			if [[ $port == 8084 ]]; then
				# the tap misses the segment whose payload starts "GAP!"
				# (a shorter payload is tested first: a load past the end rejects)
				start_capture "$sc-$port" $port \
					'(ip[2:2] - ((ip[0] & 0xf) << 2) - ((tcp[12] & 0xf0) >> 2) < 4 or tcp[((tcp[12] & 0xf0) >> 2):4] != 0x47415021)'
			else
				# a payload starting "GAP!" after IPv4 (20) and TCP with timestamps (32)
				ns $CLI tc class add dev zk-c parent 1: classid 1:20 htb rate 20mbit
				ns $CLI tc qdisc add dev zk-c parent 1:20 handle 20: blackhole
				ns $CLI tc filter add dev zk-c parent 1: protocol ip prio 1 u32 \
					match u32 0x47415021 0xffffffff at 52 flowid 1:20
				start_capture "$sc-$port" $port
			fi
			ns $CLI python3 "$WORK/peers.py" gap-client $port
			reap "$SRVPID"
			sleep 0.5
			kill -INT "$CAP_PID" 2>/dev/null || true
			reap "$CAP_PID"
			echo "$WORK/$sc-$port.pcap" >>"$WORK/gap.pcap.list"
		done
		join_pcaps "$HERE/$sc.pcap" $(cat "$WORK/gap.pcap.list")
		printf '%-26s %3d packets\n' "$sc.pcap" "$("$TCPNOTE" -n -r "$HERE/$sc.pcap" 2>/dev/null | wc -l)"
		;;
	*) die "unknown scenario $sc" ;;
	esac
	del_ns
done
