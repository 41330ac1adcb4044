#!/usr/bin/env bash
# Records the reference captures in pcaps/: real Linux TCP on loopback, saved by tcpnote's own -w.
#
# Usage: pcaps/record.sh [PATH-TO-TCPNOTE]     (default: ../build/tcpnote beside this script)
#
# Needs root (or CAP_NET_RAW) for the live capture.  Only loopback (127.0.0.1,
# ::1) is ever contacted.  Each scenario uses its own port, starts
# `tcpnote -i lo -w OUT.pcap 'tcp port PORT'` in the background, waits for
# "listening on" on its stderr, runs real peers (python3, curl), sleeps 0.3 s,
# stops the capture with SIGINT and waits for it.  Rerunnable: every .pcap is
# rewritten from scratch.  pcaps/README.md describes what each capture holds.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TCPNOTE=${1:-$HERE/../build/tcpnote}
[[ -x $TCPNOTE ]] || { echo "record.sh: tcpnote binary not found: $TCPNOTE" >&2; exit 2; }
TCPNOTE=$(cd "$(dirname "$TCPNOTE")" && pwd)/$(basename "$TCPNOTE")
OUT=$HERE

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcpnote-record.XXXXXX")
PIDS=()

cleanup() {
	local pid
	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

die() { echo "record.sh: $*" >&2; exit 1; }

# forget PID $1 (it has been waited for)
forget() {
	local keep=() pid
	for pid in "${PIDS[@]}"; do
		[[ $pid == "$1" ]] || keep+=("$pid")
	done
	PIDS=("${keep[@]+"${keep[@]}"}")
}

# ---------------------------------------------------------------- peers --
# All hand-written peers live in one small python3 file: peers.py ROLE PORT...
cat >"$WORK/peers.py" <<'PY'
import socket, sys, time, struct

REQ = b"GET / HTTP/1.0\r\nHost: 127.0.0.1\r\nUser-Agent: record.sh\r\n\r\n"
RESP = (b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n"
        b"Content-Length: 6\r\nConnection: close\r\n\r\nhello\n")

def listener(port, host="127.0.0.1"):
    s = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((host, port))
    s.listen(8)
    return s

def read_request(c):
    buf = b""
    while b"\r\n\r\n" not in buf:
        chunk = c.recv(65536)
        if not chunk:
            break
        buf += chunk
    return buf

def read_line(c):
    buf = b""
    while not buf.endswith(b"\n"):
        chunk = c.recv(1)
        if not chunk:
            break
        buf += chunk
    return buf

def read_to_eof(c):
    buf = b""
    while True:
        chunk = c.recv(65536)
        if not chunk:
            return buf
        buf += chunk

def connect(port, sport=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if sport is not None:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(("127.0.0.1", sport))
    s.connect(("127.0.0.1", port))
    return s

# seed-keepalive: read the request, never answer; close as soon as EOF is read
def silent_server(port, host="127.0.0.1"):
    s = listener(port, host)
    c, _ = s.accept()
    while c.recv(65536):
        pass
    c.close()

# seed-keepalive-ipv6: the same on [::]
def silent_server6(port):
    silent_server(port, "::")

# http-server-closes: HTTP/1.0 response, then the server closes first
def http10_server(port):
    s = listener(port)
    c, _ = s.accept()
    read_request(c)
    c.sendall(RESP)
    c.close()

# http-server-closes: read to EOF, ack the FIN, close only 0.2 s later
def lazy_client(port):
    c = connect(port)
    c.sendall(REQ)
    read_to_eof(c)
    time.sleep(0.2)
    c.close()

# rst-abort: one line each way, then an abortive close (SO_LINGER {1, 0})
def line_server(port):
    s = listener(port)
    c, _ = s.accept()
    read_line(c)
    c.sendall(b"pong\n")
    try:
        read_to_eof(c)
    except ConnectionResetError:
        pass
    c.close()

def abort_client(port):
    c = connect(port)
    c.sendall(b"ping\n")
    read_line(c)
    time.sleep(0.1)
    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    c.close()

# half-close: the server answers only after it has read EOF
def half_close_server(port):
    s = listener(port)
    c, _ = s.accept()
    read_to_eof(c)
    time.sleep(0.1)
    c.sendall(RESP)
    c.close()

def half_close_client(port):
    c = connect(port)
    c.sendall(REQ)
    c.shutdown(socket.SHUT_WR)
    read_to_eof(c)
    c.close()

# port-reuse: two connections, same 4-tuple; the server closes first each time
def reuse_server(port):
    s = listener(port)
    for _ in range(2):
        c, _ = s.accept()
        read_line(c)
        c.sendall(b"bye\n")
        c.close()

def reuse_client(port, sport):
    for i in range(2):
        c = connect(port, sport)
        c.sendall(b"conn %d\n" % (i + 1))
        read_to_eof(c)
        c.close()
        time.sleep(0.3)

ROLES = {f.__name__: f for f in (silent_server, silent_server6, http10_server, lazy_client,
        line_server, abort_client, half_close_server, half_close_client,
        reuse_server, reuse_client)}
ROLES[sys.argv[1]](*map(int, sys.argv[2:]))
PY

mkdir -p "$WORK/www"
printf 'first\n' >"$WORK/www/a.txt"
printf 'second\n' >"$WORK/www/b.txt"
printf 'hello\n' >"$WORK/www/hello.txt"

# spawn CMD...: run in the background, remember the PID in SPAWNED
spawn() {
	"$@" &
	SPAWNED=$!
	PIDS+=("$SPAWNED")
}

# peer ROLE PORT...: background python3 peer (servers), 20 s at most
peer() {
	spawn timeout 20 python3 "$WORK/peers.py" "$@"
}

# wait_listen PORT: until something listens on PORT (checked with ss, never by
# connecting, so no extra traffic ends up in the capture)
wait_listen() {
	local i
	for i in $(seq 50); do
		if [[ -n $(ss -Hltn "sport = :$1") ]]; then
			return 0
		fi
		sleep 0.1
	done
	die "nothing listens on port $1"
}

# reap PID: wait for a peer and forget it; a peer's failure is fatal
reap() {
	local rc=0
	wait "$1" || rc=$?
	forget "$1"
	((rc == 0)) || die "peer (pid $1) exited with status $rc"
}

# stop PID: terminate a server that would serve forever (http.server)
stop() {
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	forget "$1"
}

# start_capture IFACE FILE PORT: tcpnote -i IFACE -w FILE 'tcp port PORT'
start_capture() {
	local iface=$1 file=$OUT/$2 port=$3 i
	rm -f "$file"
	CAP_FILE=$file
	CAP_ERR=$WORK/$2.stderr
	: >"$CAP_ERR"
	spawn timeout -s INT -k 5 60 "$TCPNOTE" -i "$iface" -w "$file" "tcp port $port" \
		>"$WORK/$2.stdout" 2>"$CAP_ERR"
	CAP_PID=$SPAWNED
	for i in $(seq 100); do
		grep -q "listening on" "$CAP_ERR" && return 0
		kill -0 "$CAP_PID" 2>/dev/null || break
		sleep 0.05
	done
	cat "$CAP_ERR" >&2
	die "tcpnote did not start listening on $iface"
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
		"$("$TCPNOTE" -r "$CAP_FILE" 2>/dev/null | wc -l)"
}

CURL=(timeout 10 curl -sS --noproxy '*' -o /dev/null)

# ------------------------------------------------------------ scenarios --

# seed_keepalive ROLE PORT FILE URL: the silent server ROLE on PORT, and curl
# with 1 s keepalive, giving up after 4 s, to URL
seed_keepalive() {
	local role=$1 port=$2 file=$3 url=$4 rc=0
	peer "$role" "$port"; SRV=$SPAWNED
	wait_listen "$port"
	start_capture lo "$file" "$port"
	"${CURL[@]}" -g --keepalive-time 1 --max-time 4 "$url" 2>/dev/null || rc=$?
	((rc == 28)) || die "$file: curl exited $rc, expected 28 (timeout)"
	reap "$SRV"
	stop_capture
}

# 1. seed-keepalive: silent server, curl with 1 s keepalive gives up after 4 s
seed_keepalive silent_server 7070 seed-keepalive.pcap http://127.0.0.1:7070/

# 2. http-server-closes: HTTP/1.0 server closes first, client FINs 0.2 s later
PORT=7071
peer http10_server $PORT; SRV=$SPAWNED
wait_listen $PORT
start_capture lo http-server-closes.pcap $PORT
timeout 10 python3 "$WORK/peers.py" lazy_client $PORT
reap "$SRV"
stop_capture

# 3. refused: nothing listens, the kernel answers the SYN with RST+ACK
PORT=7072
[[ -z $(ss -Hltn "sport = :$PORT") ]] || die "port $PORT is in use"
start_capture lo refused.pcap $PORT
rc=0
"${CURL[@]}" "http://127.0.0.1:$PORT/" 2>/dev/null || rc=$?
((rc == 7)) || die "refused: curl exited $rc, expected 7 (connection refused)"
stop_capture

# 4. rst-abort: ping/pong, then the client closes with SO_LINGER {1, 0}
PORT=7073
peer line_server $PORT; SRV=$SPAWNED
wait_listen $PORT
start_capture lo rst-abort.pcap $PORT
timeout 10 python3 "$WORK/peers.py" abort_client $PORT
reap "$SRV"
stop_capture

# 5. half-close: request + shutdown(SHUT_WR); the response follows the FIN
PORT=7074
peer half_close_server $PORT; SRV=$SPAWNED
wait_listen $PORT
start_capture lo half-close.pcap $PORT
timeout 10 python3 "$WORK/peers.py" half_close_client $PORT
reap "$SRV"
stop_capture

# 6. ipv6: python3 http.server on ::1, curl over IPv6
PORT=7075
spawn timeout 30 python3 -m http.server --bind ::1 --directory "$WORK/www" $PORT \
	>"$WORK/http6.log" 2>&1
SRV=$SPAWNED
wait_listen $PORT
start_capture lo ipv6.pcap $PORT
"${CURL[@]}" -g "http://[::1]:$PORT/"
stop_capture
stop "$SRV"

# 7. port-reuse: same source port 20777 twice; the server closes first, so
#    the server holds the TIME_WAIT and accepts the second SYN (new ISN)
PORT=7076
SPORT=20777
peer reuse_server $PORT; SRV=$SPAWNED
wait_listen $PORT
start_capture lo port-reuse.pcap $PORT
timeout 10 python3 "$WORK/peers.py" reuse_client $PORT $SPORT
reap "$SRV"
stop_capture

# 8. any-device: the same kind of curl exchange, captured on the "any" device
PORT=7077
spawn timeout 30 python3 -m http.server --bind 127.0.0.1 --directory "$WORK/www" $PORT \
	>"$WORK/http-any.log" 2>&1
SRV=$SPAWNED
wait_listen $PORT
start_capture any any-device.pcap $PORT
"${CURL[@]}" "http://127.0.0.1:$PORT/hello.txt"
stop_capture
stop "$SRV"

# 9. http-keepalive-exchange: two GETs over one HTTP/1.1 connection
PORT=7078
spawn timeout 30 python3 -m http.server --protocol HTTP/1.1 --bind 127.0.0.1 \
	--directory "$WORK/www" $PORT >"$WORK/http11.log" 2>&1
SRV=$SPAWNED
wait_listen $PORT
start_capture lo http-keepalive-exchange.pcap $PORT
timeout 10 curl -sS --noproxy '*' -o /dev/null -o /dev/null \
	"http://127.0.0.1:$PORT/a.txt" "http://127.0.0.1:$PORT/b.txt"
stop_capture
stop "$SRV"

# 10. seed-keepalive-ipv6: the seed scenario over IPv6, as curl to localhost
#     often goes: the silent server on [::]:7087, curl to http://[::1]:7087/
seed_keepalive silent_server6 7087 seed-keepalive-ipv6.pcap 'http://[::1]:7087/'

echo "record.sh: captures written to $OUT"
