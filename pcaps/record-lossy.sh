#!/usr/bin/env bash
# Records the lossy, reordered, stalled and duplicated captures in pcaps/: real Linux TCP in private network namespaces, saved by tcpnote's own -w.
#
# Usage: pcaps/record-lossy.sh [PATH-TO-TCPNOTE [SCENARIO...]]
#        (default tcpnote: ../build/tcpnote beside this script; default: every
#        scenario; SCENARIO is a capture name without .pcap, e.g. sack)
#
# Needs root: it creates network namespaces named tcpnote-*, veth pairs and a
# bridge inside them, nftables rules and tc qdiscs, all inside those
# namespaces (nothing is configured in, and no packet leaves to, the initial
# namespace). Every namespace and background process is removed on exit.
# Rerunnable: every .pcap is recorded from scratch into a temporary
# directory and replaces the one in pcaps/ only when its scenario succeeded;
# namespaces left behind by an interrupted run are deleted first.
#
# Offloads are off on every interface (ethtool -K tso off gso off gro off),
# so what is captured are real MSS-sized segments (MTU 1500: 1448 bytes of
# data next to the timestamp option). Random drops use nftables
# `numgen random`; a scenario whose random rule happened to drop fewer than
# two packets (of each kind) is rerun, up to 5 times, as is one whose check
# fails or whose capture lost packets, so every capture shows what it is for.
#
# Where a drop happens matters. A drop by a netfilter hook of the *sending*
# host (OUTPUT/POSTROUTING) is no loss at all: the hook's verdict is returned
# to TCP as a local transmit error and the segment is simply sent again later
# (and the OUTPUT hook sees whole GSO super-packets, not segments). So:
#   - sender's view: one namespace, drop in the receiver's INPUT hook, i.e.
#     after the loopback capture point (capture shows original + retransmit);
#   - receiver's view / both directions: the drop happens in a router
#     namespace between server and client (nft forward hook), and the
#     capture is taken after that router (a real lossy path).
# pcaps/README.md, section "Lossy, reordered and stalled transfers", says
# what each capture holds.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TCPNOTE=${1:-$HERE/../build/tcpnote}
[[ -x $TCPNOTE ]] || { echo "record-lossy.sh: tcpnote binary not found: $TCPNOTE" >&2; exit 2; }
TCPNOTE=$(cd "$(dirname "$TCPNOTE")" && pwd)/$(basename "$TCPNOTE")
shift $(($# > 0 ? 1 : 0))
ALL=(loss-receiver-view loss-sender-view loss-both reorder zero-window sack duplicate-capture
	loss-ipv6 duplicate-capture-ipv6)
if (($# > 0)); then SCENARIOS=("$@"); else SCENARIOS=("${ALL[@]}"); fi
OUT=$HERE
T=10 # seconds any single configuration command may take

for cmd in ip nft tc ethtool ss python3 timeout; do
	command -v "$cmd" >/dev/null || { echo "record-lossy.sh: $cmd not found" >&2; exit 2; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcpnote-record-lossy.XXXXXX")
PIDS=()
NSES=()

# every namespace this script may create (deleted on exit and before a run)
NS_ALL=(tcpnote-lrv-srv tcpnote-lrv-rtr tcpnote-lrv-cli tcpnote-lsv
	tcpnote-lb-srv tcpnote-lb-r1 tcpnote-lb-r2 tcpnote-lb-cli tcpnote-reorder
	tcpnote-zwin tcpnote-sack tcpnote-dup-srv tcpnote-dup-br tcpnote-dup-cli
	tcpnote-l6-srv tcpnote-l6-rtr tcpnote-l6-cli tcpnote-dup6-srv tcpnote-dup6-br
	tcpnote-dup6-cli)

kill_all() {
	local pid
	for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]+"${PIDS[@]}"}"; do
		wait "$pid" 2>/dev/null || true
	done
	PIDS=()
}

# del_ns NS...: delete namespaces if they exist
del_ns() {
	local ns
	for ns in "$@"; do
		if [[ -e /run/netns/$ns ]]; then
			timeout $T ip netns del "$ns" 2>/dev/null || true
		fi
	done
}

cleanup() {
	kill_all
	del_ns "${NSES[@]+"${NSES[@]}"}"
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

die() { echo "record-lossy.sh: $*" >&2; exit 1; }

forget() {
	local keep=() pid
	for pid in "${PIDS[@]}"; do
		[[ $pid == "$1" ]] || keep+=("$pid")
	done
	PIDS=("${keep[@]+"${keep[@]}"}")
}

# ---------------------------------------------------------------- peers --
cat >"$WORK/peers.py" <<'PY'
import socket, sys, time

def family(host):
    return socket.AF_INET6 if ":" in host else socket.AF_INET

def listener(host, port):
    s = socket.socket(family(host), socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(1)
    return s

def payload(n):
    line = b"tcpnote lossy transfer 0123456789abcdefghijklmnopqrstuvwxyz\n"
    return (line * (n // len(line) + 1))[:n]

# bulk_server HOST PORT NBYTES: accept one connection, read the one-line
# request, send NBYTES as fast as the socket takes them, close first
def bulk_server(host, port, n):
    s = listener(host, port)
    c, _ = s.accept()
    req = b""
    while not req.endswith(b"\n"):
        chunk = c.recv(1)
        if not chunk:
            break
        req += chunk
    c.sendall(payload(n))
    c.close()

# bulk_client HOST PORT NBYTES [RCVBUF CHUNK PAUSE CYCLES]: send a one-line
# request, read everything to EOF and check that NBYTES arrived. With RCVBUF,
# SO_RCVBUF is set before connect() and the first CYCLES reads take CHUNK
# bytes each, PAUSE seconds apart (a slow reader); the rest is read at once.
def bulk_client(host, port, n, rcvbuf=0, chunk=0, pause=0.0, cycles=0):
    c = socket.socket(family(host), socket.SOCK_STREAM)
    if rcvbuf:
        c.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    c.connect((host, port))
    c.sendall(b"GET %d\n" % n)
    got = 0
    for _ in range(cycles):
        time.sleep(pause)
        want = chunk
        while want:
            b = c.recv(want)
            if not b:
                break
            got += len(b)
            want -= len(b)
    while True:
        b = c.recv(65536)
        if not b:
            break
        got += len(b)
    c.close()
    if got != n:
        sys.exit("bulk_client: got %d bytes, expected %d" % (got, n))

# reach HOST: until a UDP datagram to HOST's port 9 comes back refused (ICMP),
# so every neighbour on the path is resolved before a capture starts. Over
# IPv6 a fresh path first held the SYN for a second or two and then let it
# go together with its retransmissions (three SYNs sent 1 s apart, captured
# within 11 us, each answered: resends as alike as copies).
def reach(host):
    s = socket.socket(family(host), socket.SOCK_DGRAM)
    s.settimeout(0.2)
    s.connect((host, 9))
    for _ in range(50):
        try:
            s.send(b"reach")
            s.recv(1)
        except ConnectionRefusedError:
            return
        except OSError:
            pass
    sys.exit("reach: no answer from %s" % host)

# ---- checks on a saved capture (pcap, link type EN10MB or LINUX_SLL2) ----
def packets(path):
    import struct
    data = open(path, "rb").read()
    magic = data[:4]
    order = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    linktype = struct.unpack(order + "I", data[20:24])[0]
    off = 24
    while off + 16 <= len(data):
        _, _, incl, _ = struct.unpack(order + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        if linktype == 1:        # EN10MB
            ifindex, pkttype, ip = None, None, frame[14:]
        elif linktype == 276:    # LINUX_SLL2
            ifindex, pkttype, ip = (struct.unpack(">I", frame[4:8])[0], frame[10],
                                    frame[20:])
        else:
            sys.exit("unexpected link type %d" % linktype)
        if ip[0] >> 4 == 4 and ip[9] == 6:
            ihl = (ip[0] & 15) * 4
            tot = struct.unpack(">H", ip[2:4])[0] - ihl
            ipid, src, dst = ip[4:6], ip[12:16], ip[16:20]
        elif ip[0] >> 4 == 6 and ip[6] == 6:   # no extension headers here
            ihl, tot = 40, struct.unpack(">H", ip[4:6])[0]
            ipid, src, dst = None, ip[8:24], ip[24:40]
        else:
            continue
        tcp = ip[ihl:]
        sport, dport, seq, ack = struct.unpack(">HHII", tcp[:12])
        thl = (tcp[12] >> 4) * 4
        yield dict(ifindex=ifindex, pkttype=pkttype, ipid=ipid, src=src,
                   dst=dst, sport=sport, dport=dport, seq=seq, ack=ack,
                   flags=tcp[13], win=struct.unpack(">H", tcp[14:16])[0],
                   opts=tcp[20:thl], length=tot - thl)

# check_twice FILE: every packet is there exactly twice (same IP ID on IPv4,
# ports, seq, ack, flags, window, TCP options, length), the two copies on
# different interfaces
def check_twice(path):
    seen = {}
    for p in packets(path):
        key = (p["ipid"], p["src"], p["dst"], p["sport"], p["dport"], p["seq"],
               p["ack"], p["flags"], p["win"], p["opts"], p["length"])
        seen.setdefault(key, []).append(p["ifindex"])
    bad = [k for k, v in seen.items() if len(v) != 2 or v[0] == v[1]]
    print("%d distinct packets, %d not seen exactly twice on two interfaces"
          % (len(seen), len(bad)))
    sys.exit(1 if bad or not seen else 0)

# count_late FILE PORT: data segments from PORT that arrive after a segment
# with a higher sequence number (reordered, or retransmitted)
def count_late(path, port):
    top, late = None, 0
    for p in packets(path):
        if p["sport"] != port or p["length"] == 0:
            continue
        if top is not None and (p["seq"] - top) % 2**32 > 2**31:
            late += 1
        end = (p["seq"] + p["length"]) % 2**32
        if top is None or (end - top) % 2**32 < 2**31:
            top = end
    print(late)

# count_zero_window FILE PORT: segments to PORT advertising a zero window
def count_zero_window(path, port):
    print(sum(1 for p in packets(path) if p["dport"] == port and p["win"] == 0
              and not p["flags"] & 0x07))

def arg(v):
    for t in (int, float):
        try:
            return t(v)
        except ValueError:
            pass
    return v

ROLES = {f.__name__: f for f in (bulk_server, bulk_client, reach, check_twice, count_late,
                                 count_zero_window)}
ROLES[sys.argv[1]](*map(arg, sys.argv[2:]))
PY

# ------------------------------------------------------------- helpers --
# nsx NS CMD...: run a configuration command inside NS, $T seconds at most
nsx() {
	local ns=$1
	shift
	timeout $T ip netns exec "$ns" "$@"
}

# mkns NS: fresh namespace with loopback up, MTU 1500, offloads off
mkns() {
	del_ns "$1"
	timeout $T ip netns add "$1"
	NSES+=("$1")
	nsx "$1" ip link set lo up
	nsx "$1" ip link set lo mtu 1500
	nsx "$1" ethtool -K lo tso off gso off gro off >/dev/null
}

# rmns NS...: delete namespaces created by mkns
rmns() {
	local keep=() ns n
	del_ns "$@"
	for ns in "${NSES[@]+"${NSES[@]}"}"; do
		for n in "$@"; do
			[[ $ns == "$n" ]] && continue 2
		done
		keep+=("$ns")
	done
	NSES=("${keep[@]+"${keep[@]}"}")
}

# [INDEX=N] link NS1 IF1 ADDR1 NS2 IF2 ADDR2: veth pair between two
# namespaces, offloads off, up; ADDRn ('-' for none) is CIDR; INDEX, if set,
# is IF1's interface index. An IPv6 address is added with nodad, so it can be
# used at once.
link() {
	nsx "$1" ip link add "$2" ${INDEX:+index "$INDEX"} type veth peer name "$5" netns "$4"
	local ns ifc addr ns_if
	for ns_if in "$1 $2 $3" "$4 $5 $6"; do
		read -r ns ifc addr <<<"$ns_if"
		nsx "$ns" ethtool -K "$ifc" tso off gso off gro off >/dev/null
		if [[ $addr == *:* ]]; then
			nsx "$ns" ip -6 addr add "$addr" dev "$ifc" nodad
		elif [[ $addr != - ]]; then
			nsx "$ns" ip addr add "$addr" dev "$ifc"
		fi
		nsx "$ns" ip link set "$ifc" up
	done
}

# spawn CMD...: run in the background, remember the PID in SPAWNED
spawn() {
	"$@" &
	SPAWNED=$!
	PIDS+=("$SPAWNED")
}

# server NS HOST PORT NBYTES: background bulk_server, 40 s at most
server() {
	spawn timeout 40 ip netns exec "$1" python3 "$WORK/peers.py" bulk_server "$2" "$3" "$4"
	SRV=$SPAWNED
	wait_listen "$1" "$3"
}

# client NS ARGS...: bulk_client, 40 s at most; waited for with `wait`, which
# a signal interrupts (a foreground command would delay the trap until it ends)
client() {
	local ns=$1
	shift
	spawn timeout 40 ip netns exec "$ns" python3 "$WORK/peers.py" bulk_client "$@"
	reap "$SPAWNED"
}

# wait_listen NS PORT: until something listens on PORT in NS (checked with
# ss, never by connecting, so no extra traffic ends up in the capture)
wait_listen() {
	for _ in $(seq 50); do
		if [[ -n $(nsx "$1" ss -Hltn "sport = :$2") ]]; then
			return 0
		fi
		sleep 0.1
	done
	die "nothing listens on port $2 in $1"
}

# reap PID: wait for a peer and forget it; a peer's failure is fatal
reap() {
	local rc=0
	wait "$1" || rc=$?
	forget "$1"
	((rc == 0)) || die "peer (pid $1) exited with status $rc"
}

# start_capture NS IFACE FILE PORT: tcpnote -i IFACE -w FILE 'tcp port PORT' in NS;
# FILE is written in $WORK and moved to pcaps/ only once the scenario has
# succeeded, so an interrupted or failed run leaves the committed file alone.
# -s 2048: in immediate mode libpcap sizes each ring frame to the snapshot
# length, so the default 262144 leaves room for only ~8 frames in the 2 MB
# ring and bursts are lost (seen as "packets dropped by kernel"); 2048 holds
# any frame here (MTU 1500) and gives ~1000 frames.
start_capture() {
	local ns=$1 iface=$2 file=$WORK/$3 port=$4
	rm -f "$file"
	CAP_FILE=$file
	CAP_ERR=$WORK/$3.stderr
	: >"$CAP_ERR"
	spawn timeout -s INT -k 5 90 ip netns exec "$ns" "$TCPNOTE" -s 2048 -i "$iface" -w "$file" \
		"tcp port $port" >"$WORK/$3.stdout" 2>"$CAP_ERR"
	CAP_PID=$SPAWNED
	for _ in $(seq 100); do
		grep -q "listening on" "$CAP_ERR" && return 0
		kill -0 "$CAP_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$CAP_ERR" >&2
	die "tcpnote did not start listening on $iface in $ns"
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
	CAP_DROPS=$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$CAP_ERR")
	[[ -n $CAP_DROPS ]] || die "no 'packets dropped by kernel' line from tcpnote"
	if ((CAP_DROPS > 0)); then
		echo "record-lossy.sh: the capture lost $CAP_DROPS packets (kernel ring full)" >&2
		AGAIN=1
	fi
}

# check ROLE ARGS...: run one of peers.py's capture checks
check() {
	timeout 30 python3 "$WORK/peers.py" "$@"
}

# report: packet count of the capture just written (and what was done to it)
report() {
	printf '%-26s %3d packets  %s\n' "$(basename "$CAP_FILE")" \
		"$("$TCPNOTE" -r "$CAP_FILE" 2>/dev/null | wc -l)" "$*"
}

# nft_count NS FAMILY TABLE COUNTER: packets counted by a named counter
nft_count() {
	nsx "$1" nft list counter "$2" "$3" "$4" | sed -n 's/.*packets \([0-9]*\).*/\1/p'
}

# in_line SRV SRV_ADDR RTR RTR_SRV_ADDR RTR_CLI_ADDR CLI CLI_ADDR: server --
# router -- client in three namespaces joined by veth pairs (server eth0 to
# router eth0, router eth1 to client eth0), each end's default route through
# the router, forwarding on in the router; addresses in CIDR, IPv6 when they
# hold a ':'
in_line() {
	local srv=$1 srv_a=$2 rtr=$3 rtr_s=$4 rtr_c=$5 cli=$6 cli_a=$7
	local ip=(ip) fwd=net.ipv4.ip_forward
	if [[ $srv_a == *:* ]]; then
		ip=(ip -6)
		fwd=net.ipv6.conf.all.forwarding
	fi
	mkns "$srv"; mkns "$rtr"; mkns "$cli"
	link "$srv" eth0 "$srv_a" "$rtr" eth0 "$rtr_s"
	link "$rtr" eth1 "$rtr_c" "$cli" eth0 "$cli_a"
	nsx "$srv" "${ip[@]}" route add default via "${rtr_s%/*}"
	nsx "$cli" "${ip[@]}" route add default via "${rtr_c%/*}"
	nsx "$rtr" sysctl -qw "$fwd=1"
	nsx "$cli" python3 "$WORK/peers.py" reach "${srv_a%/*}"
}

# drop_random NS SADDR PORT: NS's forward hook drops about 1 in 25 of the
# data segments SADDR sends from PORT (counted by "dropped" in table inet lossy)
drop_random() {
	local family=ip
	[[ $2 == *:* ]] && family=ip6
	nsx "$1" nft -f - <<-EOF
		table inet lossy {
			counter dropped { }
			chain lossy_forward {
				type filter hook forward priority 0; policy accept;
				$family saddr $2 tcp sport $3 meta length > 100 numgen random mod 25 == 0 counter name dropped drop
			}
		}
	EOF
}

# lossy_line PORT NS SRV_ADDR RTR_SRV_ADDR RTR_CLI_ADDR CLI_ADDR AT FILE:
# in_line with namespaces NS-srv, NS-rtr and NS-cli, the router's drop_random
# of the server's data segments, and a 150 000-byte transfer captured on
# NS-AT's eth0 (AT "cli": after the router; "rtr": on the server's side of
# the router, before the forward hook drops); sets DROPPED
lossy_line() {
	local port=$1 srv=$2-srv rtr=$2-rtr cli=$2-cli host=${3%/*}
	in_line "$srv" "$3" "$rtr" "$4" "$5" "$cli" "$6"
	drop_random "$rtr" "$host" "$port"
	server "$srv" "$host" "$port" 150000
	start_capture "$2-$7" eth0 "$8" "$port"
	client "$cli" "$host" "$port" 150000
	reap "$SRV"
	stop_capture
	DROPPED=$(nft_count "$rtr" inet lossy dropped)
}

# doubled PORT NS SRV_ADDR CLI_ADDR INDEX FILE NBYTES: server NS-srv and
# client NS-cli, each attached by a veth to the bridge br0 in NS-br (ports
# port-srv and port-cli, interface indexes INDEX and INDEX + 1); an NBYTES
# transfer captured there on the "any" device, so every packet is seen
# twice, as check_twice then makes sure
doubled() {
	local port=$1 srv=$2-srv br=$2-br cli=$2-cli host=${3%/*}
	mkns "$srv"; mkns "$br"; mkns "$cli"
	nsx "$br" ip link add br0 type bridge
	nsx "$br" ip link set br0 up
	INDEX=$5 link "$br" port-srv - "$srv" eth0 "$3"
	INDEX=$(($5 + 1)) link "$br" port-cli - "$cli" eth0 "$4"
	nsx "$br" ip link set port-srv master br0
	nsx "$br" ip link set port-cli master br0
	server "$srv" "$host" "$port" "$7"
	start_capture "$br" any "$6" "$port"
	client "$cli" "$host" "$port" "$7"
	reap "$SRV"
	stop_capture
	DESC=$(check check_twice "$CAP_FILE") || AGAIN=1
}

# ------------------------------------------------------------ scenarios --

# 1. loss-receiver-view: server -- router -- client; the router drops ~4% of
#    the server's data segments; captured on the client's interface, after the
#    router, so the dropped segments are never seen (a receiver's view)
loss_receiver_view() {
	lossy_line 7080 tcpnote-lrv 192.0.2.1/24 192.0.2.254/24 198.51.100.254/24 198.51.100.1/24 \
		cli loss-receiver-view.pcap
	DESC="router dropped $DROPPED data segments"
	((DROPPED >= 2)) || AGAIN=1
}

# 2. loss-sender-view: one namespace, loopback; the INPUT hook drops ~4% of
#    the server's data segments after the capture point, so the capture shows
#    each dropped segment and later its retransmission (a sender's view)
loss_sender_view() {
	local port=7081 ns=tcpnote-lsv
	mkns $ns
	nsx $ns nft -f - <<-EOF
		table inet lossy {
			counter dropped { }
			chain lossy_input {
				type filter hook input priority 0; policy accept;
				tcp sport $port meta length > 100 numgen random mod 25 == 0 counter name dropped drop
			}
		}
	EOF
	server $ns 127.0.0.1 $port 150000
	start_capture $ns lo loss-sender-view.pcap $port
	client $ns 127.0.0.1 $port 150000
	reap "$SRV"
	stop_capture
	DROPPED=$(nft_count $ns inet lossy dropped)
	DESC="INPUT hook dropped $DROPPED data segments"
	((DROPPED >= 2)) || AGAIN=1
}

# 3. loss-both: server -- r1 -- r2 -- client; r1 drops ~4% of the data
#    segments (server to client), r2 drops ~12% of the client's pure ACKs;
#    captured on r1's interface toward r2, between the two drop points, so
#    neither kind of dropped packet is ever seen
loss_both() {
	local port=7082 srv=tcpnote-lb-srv r1=tcpnote-lb-r1 r2=tcpnote-lb-r2 cli=tcpnote-lb-cli
	mkns $srv; mkns $r1; mkns $r2; mkns $cli
	link $srv eth0 192.0.2.1/24 $r1 eth0 192.0.2.254/24
	link $r1 eth1 203.0.113.1/24 $r2 eth0 203.0.113.2/24
	link $r2 eth1 198.51.100.254/24 $cli eth0 198.51.100.1/24
	nsx $srv ip route add default via 192.0.2.254
	nsx $r1 ip route add 198.51.100.0/24 via 203.0.113.2
	nsx $r2 ip route add 192.0.2.0/24 via 203.0.113.1
	nsx $cli ip route add default via 198.51.100.254
	nsx $r1 sysctl -qw net.ipv4.ip_forward=1
	nsx $r2 sysctl -qw net.ipv4.ip_forward=1
	drop_random $r1 192.0.2.1 $port
	nsx $r2 nft -f - <<-EOF
		table inet lossy {
			counter dropped { }
			chain lossy_forward {
				type filter hook forward priority 0; policy accept;
				ip saddr 198.51.100.1 tcp dport $port tcp flags & (fin | syn | rst) == 0 meta length < 100 numgen random mod 8 == 0 counter name dropped drop
			}
		}
	EOF
	server $srv 192.0.2.1 $port 150000
	start_capture $r1 eth1 loss-both.pcap $port
	client $cli 192.0.2.1 $port 150000
	reap "$SRV"
	stop_capture
	local data acks
	data=$(nft_count $r1 inet lossy dropped)
	acks=$(nft_count $r2 inet lossy dropped)
	DESC="r1 dropped $data data segments, r2 dropped $acks ACKs"
	((data >= 2 && acks >= 2)) || AGAIN=1
}

# 4. reorder: with netem (CONFIG_NET_SCH_NETEM) `netem delay 5ms reorder 20%
#    50%` on lo. Kernels without netem (the Firecracker kernel the committed
#    file was recorded on has none) get HTB instead: two classes under one
#    100 Mbit/s parent, a fast one (prio 0, the default) and a slow one (prio
#    7); nftables puts ~1 in 6 of the server's data segments into the slow
#    class (meta priority 1:20), where each waits until the fast class has
#    nothing queued, so later segments overtake it. gso_max_segs 1 makes TCP
#    hand single segments, not GSO super-packets, to the hook and the qdisc.
#    The loopback capture point is after the qdisc, so the capture shows the
#    order the receiver gets.
reorder() {
	local port=7083 ns=tcpnote-reorder
	mkns $ns
	nsx $ns ip link set dev lo gso_max_segs 1
	if nsx $ns tc qdisc add dev lo root netem delay 5ms reorder 20% 50% 2>/dev/null; then
		server $ns 127.0.0.1 $port 150000
		start_capture $ns lo reorder.pcap $port
		client $ns 127.0.0.1 $port 150000
		reap "$SRV"
		stop_capture
		DESC="netem delay 5ms reorder 20% 50%"
		return 0
	fi
	nsx $ns tc qdisc add dev lo root handle 1: htb default 10 r2q 100000
	nsx $ns tc class add dev lo parent 1: classid 1:1 htb rate 100mbit ceil 100mbit burst 3000 cburst 3000
	nsx $ns tc class add dev lo parent 1:1 classid 1:10 htb rate 100mbit ceil 100mbit prio 0 burst 3000 cburst 3000
	nsx $ns tc class add dev lo parent 1:1 classid 1:20 htb rate 8kbit ceil 100mbit prio 7 burst 1 cburst 1600
	nsx $ns nft -f - <<-EOF
		table inet lossy {
			counter slowed { }
			chain lossy_output {
				type filter hook output priority 0; policy accept;
				tcp sport $port meta length > 100 numgen random mod 6 == 0 counter name slowed meta priority set 1:20
			}
		}
	EOF
	server $ns 127.0.0.1 $port 150000
	start_capture $ns lo reorder.pcap $port
	client $ns 127.0.0.1 $port 150000
	reap "$SRV"
	stop_capture
	SLOWED=$(nft_count $ns inet lossy slowed)
	LATE=$(check count_late "$CAP_FILE" $port)
	RETRANS=$(nsx $ns nstat -az TcpRetransSegs | awk '$1 == "TcpRetransSegs" { print $2 }')
	DESC="no netem: $SLOWED data segments through the slow HTB class, $LATE arrive late, sender retransmitted $RETRANS"
	((LATE > 0)) || AGAIN=1
}

# 5. zero-window: a slow reader with SO_RCVBUF 4096 (set before connect);
#    the server sends 200 KB as fast as it can, the client reads 2048 bytes
#    every 0.6 s, 8 times (zero window, probes, window updates), then reads
#    the rest at once
zero_window() {
	local port=7084 ns=tcpnote-zwin
	mkns $ns
	server $ns 127.0.0.1 $port 200000
	start_capture $ns lo zero-window.pcap $port
	client $ns 127.0.0.1 $port 200000 4096 2048 0.6 8
	reap "$SRV"
	stop_capture
	ZERO=$(check count_zero_window "$CAP_FILE" $port)
	DESC="SO_RCVBUF 4096, 8 x (sleep 0.6 s, read 2048): $ZERO zero-window ACKs"
	((ZERO > 0)) || AGAIN=1
}

# 6. sack: SACK on (the default); the INPUT hook drops the server's 20th and
#    23rd data segments (numgen inc counts the data segments it sees), so the
#    client's duplicate ACKs carry one and then two SACK blocks
sack() {
	local port=7085 ns=tcpnote-sack
	mkns $ns
	[[ $(nsx $ns sysctl -n net.ipv4.tcp_sack) == 1 ]] || die "net.ipv4.tcp_sack is off"
	nsx $ns nft -f - <<-EOF
		table inet lossy {
			counter dropped { }
			chain lossy_input {
				type filter hook input priority 0; policy accept;
				tcp sport $port meta length > 100 numgen inc mod 100000 { 19, 22 } counter name dropped drop
			}
		}
	EOF
	server $ns 127.0.0.1 $port 100000
	start_capture $ns lo sack.pcap $port
	client $ns 127.0.0.1 $port 100000
	reap "$SRV"
	stop_capture
	DROPPED=$(nft_count $ns inet lossy dropped)
	DESC="INPUT hook dropped data segments 20 and 23 ($DROPPED)"
	((DROPPED == 2)) || AGAIN=1
}

# 7. duplicate-capture: server and client in their own namespaces, each
#    attached by a veth to a bridge in a third namespace; captured there on
#    the "any" device, so every packet is seen twice: coming in on one bridge
#    port and going out on the other. A LINUX_SLL2 record holds the interface
#    index, and tcpdump (and tcpnote) print the name that index has on the
#    host *reading* the file (if_indextoname), so the bridge ports get
#    indexes no host has (2000000001, 2000000002): both print "?".
duplicate_capture() {
	doubled 7086 tcpnote-dup 192.0.2.1/24 192.0.2.2/24 2000000001 duplicate-capture.pcap 8000
}

# 8. loss-ipv6: loss-receiver-view's line over IPv6 (server 2001:db8:1::1 --
#    router -- client 2001:db8:2::1); the router's forward hook drops ~4% of the
#    server's data segments. Captured on the router's eth0, the server's side:
#    a packet is captured as it arrives, before the forward hook, so every
#    dropped original is in the capture, then the client's duplicate ACKs with
#    SACK, then the retransmission, usually with the same timestamp value (the
#    clock ticks once a millisecond). IPv6 has no IP ID, so such a fast
#    retransmission is byte for byte its original again, a few hundred
#    microseconds later: the case `duplicate` must not take for a copy.
loss_ipv6() {
	lossy_line 7088 tcpnote-l6 2001:db8:1::1/64 2001:db8:1::fe/64 2001:db8:2::fe/64 \
		2001:db8:2::1/64 rtr loss-ipv6.pcap
	DESC="router dropped $DROPPED data segments (captured before the drop)"
	((DROPPED >= 4)) || AGAIN=1
}

# 9. duplicate-capture-ipv6: duplicate-capture over IPv6 (server
#    2001:db8::1, client 2001:db8::2 on the bridge in tcpnote-dup6-br), the
#    same "any" capture, so every packet is seen twice; bridge port indexes
#    2000000003 and 2000000004 (printed "?", see duplicate-capture).
#    DUP6_BYTES=N transfers N bytes instead of 8000: the gaps between copies
#    under load that tcp_analysis.c's `duplicate` window was checked on were
#    measured on DUP6_BYTES=2000000 (not committed)
duplicate_capture_ipv6() {
	doubled 7089 tcpnote-dup6 2001:db8::1/64 2001:db8::2/64 2000000003 \
		duplicate-capture-ipv6.pcap "${DUP6_BYTES:-8000}"
}

# ------------------------------------------------------------------ main --
for name in "${SCENARIOS[@]}"; do
	[[ " ${ALL[*]} " == *" $name "* ]] || die "unknown scenario: $name (one of: ${ALL[*]})"
done
del_ns "${NS_ALL[@]}"
for name in "${SCENARIOS[@]}"; do
	fn=${name//-/_}
	for attempt in 1 2 3 4 5; do
		DESC=
		AGAIN=0
		"$fn"
		kill_all
		rmns "${NSES[@]+"${NSES[@]}"}"
		if ((!AGAIN)); then
			report "$DESC"
			mv -f "$CAP_FILE" "$OUT/"
			break
		fi
		echo "record-lossy.sh: $name: $DESC; recording again (attempt $attempt)" >&2
		((attempt < 5)) || die "$name: gave up after 5 attempts"
	done
done

echo "record-lossy.sh: captures written to $OUT"
