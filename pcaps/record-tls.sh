#!/usr/bin/env bash
# Records the TLS and HTTP/1.1 captures in pcaps/ that the protocol hints are
# checked on (tests/oracle/tshark_hints.py): real openssl/curl/python3 peers on
# loopback, saved by tcpnote's own -w, as pcaps/record.sh does.
#
# Usage: pcaps/record-tls.sh [PATH-TO-TCPNOTE] [keylog|lossy|resumed]
#        (default: ../build/tcpnote beside this script; "keylog": only the
#        decryption captures of steps 7 and 8, each NAME.pcap with its key log
#        NAME.keys; "lossy": only step 8's; "resumed": only the resumed sessions
#        of steps 7j and 7k)
#
# Needs root (live capture, and network namespaces of its own for the split
# ClientHello and the lossy path).  Only 127.0.0.1 is contacted on the host:
# ports 7079, 7443-7446 and 7448-7458 on its lo; port 7447 on the lo of the
# namespace tcpnote-rec-PID (MTU 576); ports 7457-7458 between the namespaces
# tcpnote-rec-PID-srv, -rtr and -cli (documentation addresses only; their own
# network stacks, so no clash with lo's 7457-7458).  The script creates and
# deletes every namespace.  A throwaway self-signed certificate (CN
# tcpnote.test) is made in the work directory on every run.  Rerunnable:
# every .pcap is rewritten from scratch.  pcaps/README.md describes the files.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TCPNOTE=${1:-$HERE/../build/tcpnote}
[[ -x $TCPNOTE ]] || { echo "record-tls.sh: tcpnote binary not found: $TCPNOTE" >&2; exit 2; }
TCPNOTE=$(cd "$(dirname "$TCPNOTE")" && pwd)/$(basename "$TCPNOTE")
OUT=$HERE
WHICH=${2:-all}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tcpnote-record-tls.XXXXXX")
NS=tcpnote-rec-$$
NS_MADE=0
NSES=() # step 8's namespaces, deleted on exit
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
	for pid in "${NSES[@]+"${NSES[@]}"}"; do
		ip netns delete "$pid" 2>/dev/null || true
	done
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM HUP

die() { echo "record-tls.sh: $*" >&2; exit 1; }

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

# IN: command prefix for the namespace in use (empty: the host)
IN=()

# wait_listen PORT: until something listens on PORT (ss, never a connection)
wait_listen() {
	local i
	for i in $(seq 50); do
		[[ -n $("${IN[@]}" ss -Hltn "sport = :$1") ]] && return 0
		sleep 0.1
	done
	die "nothing listens on port $1"
}

# stop PID: terminate a server that would serve forever
stop() {
	kill -TERM "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	forget "$1"
}

# start_capture FILE PORT [IFACE [OPTION...]]: tcpnote -n -i IFACE (lo) -w FILE
# 'tcp port PORT' (in IN)
start_capture() {
	local file=$OUT/$1 port=$2 iface=${3:-lo} i
	rm -f "$file"
	CAP_FILE=$file
	CAP_ERR=$WORK/$(basename "$1").stderr
	: >"$CAP_ERR"
	spawn timeout -s INT -k 5 60 "${IN[@]}" "$TCPNOTE" -n -i "$iface" "${@:4}" -w "$file" \
		"tcp port $port" >"$WORK/$(basename "$1").stdout" 2>"$CAP_ERR"
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

# tls_server PORT OPTIONS...: openssl s_server -www on 127.0.0.1:PORT (in IN)
tls_server() {
	local port=$1
	shift
	spawn timeout 30 "${IN[@]}" openssl s_server -quiet -accept "127.0.0.1:$port" \
		-cert "$WORK/cert.pem" -key "$WORK/key.pem" -www "$@" \
		</dev/null >"$WORK/s_server-$port.log" 2>&1
	SRV=$SPAWNED
	wait_listen "$port"
}

# expect_rc WANT CMD...: run CMD, which must exit with status WANT
expect_rc() {
	local want=$1 rc=0
	shift
	"$@" || rc=$?
	((rc == want)) || die "$* exited $rc, expected $want"
}

openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=tcpnote.test -days 3650 \
	-keyout "$WORK/key.pem" -out "$WORK/cert.pem" 2>/dev/null
mkdir -p "$WORK/www"
printf 'first\n' >"$WORK/www/a.txt"
printf 'second\n' >"$WORK/www/b.txt"

CURL=(timeout 10 curl -sS --noproxy '*' -o /dev/null)

# curl_keys NAME ARGS...: curl writing NAME.keys through SSLKEYLOGFILE (in IN)
curl_keys() {
	local name=$1
	shift
	rm -f "$OUT/$name.keys"
	expect_rc 0 "${IN[@]}" env SSLKEYLOGFILE="$OUT/$name.keys" "${CURL[@]}" "$@"
	[[ -s $OUT/$name.keys ]] || die "no key log written for $name"
}

# https11.py PORT ROOT CERT KEY [HOST [whole]]: HTTP/1.1 over TLS on HOST (127.0.0.1);
# "whole" sends each answer (status line, headers, file) in one write, so the status
# line shares its TLS record with the body's start
cat >"$WORK/https11.py" <<'PY'
import http.server, socket, ssl, sys
port, root, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
host = sys.argv[5] if len(sys.argv) > 5 else '127.0.0.1'
whole = sys.argv[6:] == ['whole']
class H(http.server.SimpleHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def __init__(self, *a, **k):
        super().__init__(*a, directory=root, **k)
    def log_message(self, *a):
        pass
    def end_headers(self):
        if whole:
            self._headers_buffer.append(b'\r\n')
        else:
            super().end_headers()
    def copyfile(self, src, dst):
        if whole:
            dst.write(b''.join(self._headers_buffer) + src.read())
            self._headers_buffer = []
        else:
            super().copyfile(src, dst)
class S(http.server.HTTPServer):
    address_family = socket.AF_INET6 if ':' in host else socket.AF_INET
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(cert, key)
srv = S((host, port), H)
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
PY

if [[ $WHICH == all ]]; then
# 1. tls13: TLS 1.3, curl offers SNI tcpnote.test and ALPN h2,http/1.1
PORT=7443
tls_server $PORT
start_capture tls13.pcap $PORT
expect_rc 0 "${CURL[@]}" -k --resolve tcpnote.test:$PORT:127.0.0.1 "https://tcpnote.test:$PORT/"
stop_capture
stop "$SRV"

# 2. tls12: TLS 1.2 with ECDHE-RSA-AES256-GCM-SHA384: Certificate and
#    ChangeCipherSpec in cleartext
PORT=7444
tls_server $PORT -tls1_2 -cipher ECDHE-RSA-AES256-GCM-SHA384
start_capture tls12.pcap $PORT
expect_rc 0 "${CURL[@]}" -k --tls-max 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384 \
	--resolve tcpnote.test:$PORT:127.0.0.1 "https://tcpnote.test:$PORT/"
stop_capture
stop "$SRV"

# 3. tls-alert-unknown-ca: curl without -k (TLS 1.2, so the alert is in
#    cleartext) rejects the self-signed certificate: fatal unknown_ca
PORT=7445
tls_server $PORT
start_capture tls-alert-unknown-ca.pcap $PORT
expect_rc 60 "${CURL[@]}" --tls-max 1.2 --resolve tcpnote.test:$PORT:127.0.0.1 \
	"https://tcpnote.test:$PORT/" 2>/dev/null
stop_capture
stop "$SRV"

# 4. tls-alert-version: TLS 1.3-only server, TLS 1.2-at-most client: the
#    server answers the ClientHello with fatal protocol_version
PORT=7446
tls_server $PORT -tls1_3
start_capture tls-alert-version.pcap $PORT
expect_rc 35 "${CURL[@]}" -k --tls-max 1.2 --resolve tcpnote.test:$PORT:127.0.0.1 \
	"https://tcpnote.test:$PORT/" 2>/dev/null
stop_capture
stop "$SRV"

# 5. http-keepalive-two: two GETs over one HTTP/1.1 connection
PORT=7079
spawn timeout 30 python3 -m http.server --protocol HTTP/1.1 --bind 127.0.0.1 \
	--directory "$WORK/www" $PORT >"$WORK/http11.log" 2>&1
SRV=$SPAWNED
wait_listen $PORT
start_capture http-keepalive-two.pcap $PORT
expect_rc 0 "${CURL[@]}" -o /dev/null "http://127.0.0.1:$PORT/a.txt" "http://127.0.0.1:$PORT/b.txt"
stop_capture
stop "$SRV"

# 6. tls-split-hello: in a namespace of our own whose lo has MTU 576 (and no
#    segmentation offload, so the capture sees wire-sized segments), a
#    ClientHello with a long ALPN list (about 1 KB) spans two TCP segments
PORT=7447
ip netns add "$NS"
NS_MADE=1
IN=(ip netns exec "$NS")
ip -n "$NS" link set lo mtu 576 up
"${IN[@]}" ethtool -K lo tso off gso off >/dev/null 2>&1 || die "ethtool -K lo failed"
ALPN=http/1.1
for i in $(seq -w 1 24); do
	ALPN+=,tcpnote-test-protocol-$i-padding
done
tls_server $PORT
start_capture tls-split-hello.pcap $PORT
printf 'GET / HTTP/1.0\r\n\r\n' | expect_rc 0 timeout 10 "${IN[@]}" openssl s_client -quiet \
	-connect 127.0.0.1:$PORT -servername tcpnote.test -alpn "$ALPN" -ign_eof \
	>/dev/null 2>"$WORK/s_client.log"
stop_capture
stop "$SRV"
IN=()
fi

if [[ $WHICH != lossy && $WHICH != resumed ]]; then
# 7. Decryption with a key log (issue 14): each capture NAME.pcap has the key
#    log its client wrote (SSLKEYLOGFILE for curl, -keylogfile for openssl
#    s_client) beside it as NAME.keys.  Throwaway keys: they protect nothing.
#    A three-level chain (root, intermediate, leaf tcpnote.test) is made here.
openssl req -x509 -newkey rsa:2048 -nodes -subj "/CN=tcpnote test root" -days 3650 \
	-keyout "$WORK/root.key" -out "$WORK/root.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=tcpnote test intermediate" \
	-keyout "$WORK/inter.key" -out "$WORK/inter.csr" 2>/dev/null
printf 'basicConstraints=critical,CA:true\nkeyUsage=keyCertSign,cRLSign\n' >"$WORK/ca.ext"
openssl x509 -req -in "$WORK/inter.csr" -CA "$WORK/root.pem" -CAkey "$WORK/root.key" \
	-CAcreateserial -days 3650 -extfile "$WORK/ca.ext" -out "$WORK/inter.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj /CN=tcpnote.test -keyout "$WORK/leaf.key" \
	-out "$WORK/leaf.csr" 2>/dev/null
printf 'subjectAltName=DNS:tcpnote.test\n' >"$WORK/leaf.ext"
openssl x509 -req -in "$WORK/leaf.csr" -CA "$WORK/inter.pem" -CAkey "$WORK/inter.key" \
	-CAcreateserial -days 3650 -extfile "$WORK/leaf.ext" -out "$WORK/leaf.pem" 2>/dev/null

# 7a. tls13-aes128-keylog: TLS_AES_128_GCM_SHA256, curl, s_server -www
PORT=7448
tls_server $PORT -tls1_3 -ciphersuites TLS_AES_128_GCM_SHA256
start_capture tls13-aes128-keylog.pcap $PORT
curl_keys tls13-aes128-keylog -k --http1.1 --resolve tcpnote.test:$PORT:127.0.0.1 \
	"https://tcpnote.test:$PORT/"
stop_capture
stop "$SRV"

# 7b. tls13-chacha-keylog: TLS_CHACHA20_POLY1305_SHA256, openssl s_client -keylogfile
PORT=7449
tls_server $PORT -tls1_3 -ciphersuites TLS_CHACHA20_POLY1305_SHA256
start_capture tls13-chacha-keylog.pcap $PORT
rm -f "$OUT/tls13-chacha-keylog.keys"
printf 'GET /chacha HTTP/1.0\r\n\r\n' | expect_rc 0 timeout 10 openssl s_client -quiet \
	-connect 127.0.0.1:$PORT -servername tcpnote.test -keylogfile "$OUT/tls13-chacha-keylog.keys" \
	-ign_eof >/dev/null 2>"$WORK/s_client-chacha.log"
stop_capture
stop "$SRV"

# 7c. tls13-chain-keylog: the server sends leaf and intermediate (chain=2 of the three)
PORT=7450
spawn timeout 30 openssl s_server -quiet -accept "127.0.0.1:$PORT" -cert "$WORK/leaf.pem" \
	-key "$WORK/leaf.key" -cert_chain "$WORK/inter.pem" -www -tls1_3 \
	</dev/null >"$WORK/s_server-$PORT.log" 2>&1
SRV=$SPAWNED
wait_listen $PORT
start_capture tls13-chain-keylog.pcap $PORT
curl_keys tls13-chain-keylog --cacert "$WORK/root.pem" --http1.1 \
	--resolve tcpnote.test:$PORT:127.0.0.1 "https://tcpnote.test:$PORT/chain"
stop_capture
stop "$SRV"

# 7d. tls12-ecdhe-rsa-gcm-keylog: TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256 (CLIENT_RANDOM)
PORT=7451
tls_server $PORT -tls1_2 -cipher ECDHE-RSA-AES128-GCM-SHA256
start_capture tls12-ecdhe-rsa-gcm-keylog.pcap $PORT
curl_keys tls12-ecdhe-rsa-gcm-keylog -k --http1.1 --tls-max 1.2 \
	--ciphers ECDHE-RSA-AES128-GCM-SHA256 --resolve tcpnote.test:$PORT:127.0.0.1 \
	"https://tcpnote.test:$PORT/tls12"
stop_capture
stop "$SRV"

# 7e. tls13-keepalive-keylog: HTTP/1.1 keep-alive over TLS 1.3 (python3's ssl), five GETs
#     with 4 KB headers and 8 KB answers: both directions pass 16 KiB on one connection
PORT=7452
for i in 1 2 3 4 5; do
	head -c 8192 /dev/zero | tr '\0' "$i" >"$WORK/www/f$i.txt"
done
spawn timeout 30 python3 "$WORK/https11.py" $PORT "$WORK/www" "$WORK/cert.pem" "$WORK/key.pem" \
	>"$WORK/https11.log" 2>&1
SRV=$SPAWNED
wait_listen $PORT
PAD=$(head -c 4000 /dev/zero | tr '\0' x)
start_capture tls13-keepalive-keylog.pcap $PORT
curl_keys tls13-keepalive-keylog -k --http1.1 -H "X-Pad: $PAD" \
	--resolve tcpnote.test:$PORT:127.0.0.1 "https://tcpnote.test:$PORT/f[1-5].txt"
stop_capture
stop "$SRV"

# 7f. tls13-keyupdate-keylog: openssl s_client's "k" command sends a KeyUpdate, then a GET
#     under the updated keys (no -quiet: it would turn the commands off)
PORT=7453
tls_server $PORT -tls1_3
start_capture tls13-keyupdate-keylog.pcap $PORT
rm -f "$OUT/tls13-keyupdate-keylog.keys"
(printf 'k\n'; sleep 0.3; printf 'GET /after-key-update HTTP/1.0\r\n\r\n'; sleep 1) |
	expect_rc 0 timeout 10 openssl s_client -connect 127.0.0.1:$PORT \
	-keylogfile "$OUT/tls13-keyupdate-keylog.keys" >/dev/null 2>"$WORK/s_client-ku.log"
stop_capture
stop "$SRV"

# 7g. tls12-chacha-keylog: TLS 1.2 ECDHE-RSA-CHACHA20-POLY1305 (RFC 7905 nonces)
PORT=7454
tls_server $PORT -tls1_2 -cipher ECDHE-RSA-CHACHA20-POLY1305
start_capture tls12-chacha-keylog.pcap $PORT
curl_keys tls12-chacha-keylog -k --http1.1 --tls-max 1.2 \
	--ciphers ECDHE-RSA-CHACHA20-POLY1305 --resolve tcpnote.test:$PORT:127.0.0.1 \
	"https://tcpnote.test:$PORT/chacha12"
stop_capture
stop "$SRV"

# 7h. tls12-ecdsa-gcm-keylog: TLS 1.2 ECDHE-ECDSA-AES256-GCM-SHA384 with a P-256 certificate
PORT=7455
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=tcpnote.test \
	-days 3650 -keyout "$WORK/ec-key.pem" -out "$WORK/ec-cert.pem" 2>/dev/null
spawn timeout 30 openssl s_server -quiet -accept "127.0.0.1:$PORT" -cert "$WORK/ec-cert.pem" \
	-key "$WORK/ec-key.pem" -www -tls1_2 -cipher ECDHE-ECDSA-AES256-GCM-SHA384 \
	</dev/null >"$WORK/s_server-$PORT.log" 2>&1
SRV=$SPAWNED
wait_listen $PORT
start_capture tls12-ecdsa-gcm-keylog.pcap $PORT
curl_keys tls12-ecdsa-gcm-keylog -k --http1.1 --tls-max 1.2 \
	--ciphers ECDHE-ECDSA-AES256-GCM-SHA384 --resolve tcpnote.test:$PORT:127.0.0.1 \
	"https://tcpnote.test:$PORT/ecdsa"
stop_capture
stop "$SRV"

# 7i. tls13-hrr-keylog: the server wants P-256, the client's key share is X25519: a
#     HelloRetryRequest, a second ClientHello (same random), then the real ServerHello
PORT=7456
tls_server $PORT -tls1_3 -groups P-256
mkdir -p "$OUT/hrr" "$WORK/hrr"
start_capture hrr/tls13-hrr-keylog.pcap $PORT
rm -f "$OUT/hrr/tls13-hrr-keylog.keys"
printf 'GET /hrr HTTP/1.0\r\n\r\n' | expect_rc 0 timeout 10 openssl s_client -quiet \
	-connect 127.0.0.1:$PORT -groups X25519:P-256 -keylogfile "$OUT/hrr/tls13-hrr-keylog.keys" \
	-ign_eof >/dev/null 2>"$WORK/s_client-hrr.log"
stop_capture
stop "$SRV"
fi

if [[ $WHICH != resumed ]]; then
# 8. Lossy and reordered (issue 14: segments past a gap are held until it fills): the
#    server, a router and the client in three namespaces of our own (NS-srv, NS-rtr,
#    NS-cli) joined by veth pairs, offloads off, so segments are wire-sized (1448 bytes).
#    The router's forward hook drops about 1 in 25 segments with data (either way) and
#    sends about 1 in 6 of the server's through a slow HTB class on its interface toward
#    the client, so later segments overtake them (the loss and reordering netem would
#    make; this kernel has no netem, see record-lossy.sh).  Captured on the client's
#    interface, after the router: a segment the router dropped is never seen, and its
#    retransmission comes after the segments sent behind it.  The client's receive
#    buffer is at most 16 KiB (net.ipv4.tcp_rmem), so no more than one TLS record's
#    worth is ever sent past a loss: what tcpnote holds.  HTTP/1.1 keep-alive
#    (https11.py "whole": each status line in the record that starts its body), eight
#    GETs of 20000-byte files.  A capture is kept when the router dropped at least two
#    of the server's segments, at least two gaps filled after later segments and the
#    capture lost nothing; otherwise it is recorded again (5 attempts).

# held.py PCAP PORT: the gaps in PORT's data that later segments filled, and the
#    most bytes captured past one; exit 1 when fewer than two, or more than 18432
cat >"$WORK/held.py" <<'PY'
import struct, sys
data, port = open(sys.argv[1], 'rb').read(), int(sys.argv[2])
off, base, nxt, held, filled, most = 24, None, 0, [], 0, 0
while off + 16 <= len(data):
    n = struct.unpack('<I', data[off + 8:off + 12])[0]
    ip, off = data[off + 30:off + 16 + n], off + 16 + n  # after the Ethernet header
    if ip[0] >> 4 == 4:
        hl, tot = (ip[0] & 15) * 4, struct.unpack('>H', ip[2:4])[0]
    else:
        hl, tot = 40, 40 + struct.unpack('>H', ip[4:6])[0]
    sport, seq = struct.unpack('>HxxI', ip[hl:hl + 8])
    size = tot - hl - (ip[hl + 12] >> 4) * 4
    if sport != port or size == 0:
        continue
    base = seq if base is None else base
    lo = (seq - base) % 2**32
    hi = lo + size
    if hi <= nxt:
        continue
    if lo > nxt:  # past a gap: held
        held.append((lo, hi))
        most = max(most, hi - nxt)
        continue
    nxt, jumped = hi, False
    for a, b in sorted(held):
        if a <= nxt < b:
            nxt, jumped = b, True
    held = [(a, b) for a, b in held if b > nxt]
    filled += jumped
print('%d gaps filled behind held segments, at most %d bytes past a gap' % (filled, most))
sys.exit(0 if filled >= 2 and most <= 18432 else 1)
PY

# lossy_path SRV RTR_SRV RTR_CLI CLI: the namespaces of step 8 with these addresses (CIDR)
lossy_path() {
	local s=$NS-srv r=$NS-rtr c=$NS-cli ip=(ip) fwd=net.ipv4.ip_forward fam=ip n i a x
	if [[ $1 == *:* ]]; then
		ip=(ip -6) fwd=net.ipv6.conf.all.forwarding fam=ip6
	fi
	for n in "$s" "$r" "$c"; do
		ip netns add "$n"
		NSES+=("$n")
		ip -n "$n" link set lo up
	done
	ip -n "$s" link add eth0 type veth peer name eth0 netns "$r"
	ip -n "$r" link add eth1 type veth peer name eth0 netns "$c"
	for x in "$s eth0 $1" "$r eth0 $2" "$r eth1 $3" "$c eth0 $4"; do
		read -r n i a <<<"$x"
		ip netns exec "$n" ethtool -K "$i" tso off gso off gro off >/dev/null
		ip -n "$n" addr add "$a" dev "$i" $([[ $a == *:* ]] && echo nodad)
		ip -n "$n" link set "$i" up
	done
	"${ip[@]}" -n "$s" route add default via "${2%/*}"
	"${ip[@]}" -n "$c" route add default via "${3%/*}"
	ip netns exec "$r" sysctl -qw "$fwd=1"
	ip netns exec "$c" sysctl -qw net.ipv4.tcp_rmem="4096 16384 16384"
	# HTB: a fast class (the default) and a slow one that waits while the fast has work
	ip netns exec "$r" tc qdisc add dev eth1 root handle 1: htb default 10
	ip netns exec "$r" tc class add dev eth1 parent 1: classid 1:1 htb rate 100mbit \
		quantum 1514 burst 3000 cburst 3000
	ip netns exec "$r" tc class add dev eth1 parent 1:1 classid 1:10 htb rate 100mbit prio 0 \
		quantum 1514 burst 3000 cburst 3000
	ip netns exec "$r" tc class add dev eth1 parent 1:1 classid 1:20 htb rate 8kbit \
		ceil 100mbit prio 7 quantum 1514 burst 1 cburst 1600
	ip netns exec "$r" nft -f - <<-EOF
		table inet lossy {
			counter dropped { }
			chain lossy_forward {
				type filter hook forward priority 0; policy accept;
				meta length > 100 numgen random mod 25 == 0 $fam saddr ${1%/*} counter name dropped drop
				meta length > 100 numgen random mod 25 == 0 $fam saddr ${4%/*} drop
				$fam saddr ${1%/*} meta length > 100 numgen random mod 6 == 0 meta priority set 1:20
			}
		}
	EOF
}

# lossy NAME PORT SRV RTR_SRV RTR_CLI CLI CURL_ARGS...: step 8's capture NAME.pcap
lossy() {
	local name=$1 port=$2 host=${3%/*} attempt drops kernel desc
	local url=$host
	[[ $host == *:* ]] && url=[$host]
	for attempt in 1 2 3 4 5; do
		lossy_path "$3" "$4" "$5" "$6"
		IN=(ip netns exec "$NS-srv")
		spawn timeout 30 "${IN[@]}" python3 "$WORK/https11.py" "$port" "$WORK/www" \
			"$WORK/cert.pem" "$WORK/key.pem" "$host" whole >"$WORK/https11-$port.log" 2>&1
		SRV=$SPAWNED
		wait_listen "$port"
		IN=(ip netns exec "$NS-cli")
		# Once first (refused, before the capture): a fresh IPv6 path held the first
		# SYN for seconds (see record-lossy.sh's reach)
		"${IN[@]}" curl -s --connect-timeout 10 "http://$url:9/" || true
		start_capture "$name.pcap" "$port" eth0 -s 2048
		curl_keys "$name" -k --http1.1 --fail-early --resolve "tcpnote.test:$port:$url" "${@:7}" \
			"https://tcpnote.test:$port/g[1-8].txt"
		stop_capture
		stop "$SRV"
		IN=()
		drops=$(ip netns exec "$NS-rtr" nft list counter inet lossy dropped |
			sed -n 's/.*packets \([0-9]*\).*/\1/p')
		kernel=$(sed -n 's/^\([0-9]*\) packets dropped by kernel$/\1/p' "$CAP_ERR")
		desc=$(python3 "$WORK/held.py" "$CAP_FILE" "$port") && ((drops >= 2 && kernel == 0)) &&
			break
		echo "record-tls.sh: $name: router dropped $drops, $desc, capture lost $kernel;" \
			"recording again" >&2
		((attempt < 5)) || die "$name: gave up after 5 attempts"
		for n in "$NS-srv" "$NS-rtr" "$NS-cli"; do
			ip netns delete "$n"
		done
		NSES=()
	done
	echo "    router dropped $drops of the server's segments, $desc"
	for n in "$NS-srv" "$NS-rtr" "$NS-cli"; do
		ip netns delete "$n"
	done
	NSES=()
}

for i in 1 2 3 4 5 6 7 8; do
	for j in $(seq 400); do
		printf 'lossy transfer %d line %03d 0123456789abcdefghijklmnopqrstuvwxyz\n' "$i" "$j"
	done >"$WORK/www/g$i.txt"
	truncate -s 20000 "$WORK/www/g$i.txt"
done

# 8a. tls13-lossy-keylog: TLS 1.3 (TLS_AES_256_GCM_SHA384) over IPv4
lossy tls13-lossy-keylog 7457 192.0.2.1/24 192.0.2.254/24 198.51.100.254/24 198.51.100.1/24

# 8b. tls12-lossy-ipv6-keylog: TLS 1.2 ECDHE-RSA-AES256-GCM-SHA384 (the PRF with SHA-384) over IPv6
lossy tls12-lossy-ipv6-keylog 7458 2001:db8:1::1/64 2001:db8:1::fe/64 2001:db8:2::fe/64 \
	2001:db8:2::1/64 --tls-max 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384
fi

if [[ $WHICH != lossy ]]; then
# resumed NAME PORT VERSION-OPTION [SERVER-OPTIONS...]: two openssl s_client connections to
#     one s_server; the first saves its session (-sess_out), the second offers it (-sess_in)
#     and must be told "Reused"; both write their secrets to NAME.keys (-keylogfile appends).
#     The clients offer ALPN h2,http/1.1, the server selects http/1.1.
resumed() {
	local name=$1 port=$2 version=$3 i
	shift 3
	tls_server "$port" "$version" -alpn http/1.1 "$@"
	start_capture "$name.pcap" "$port"
	rm -f "$OUT/$name.keys" "$WORK/$name.sess"
	for i in 1 2; do
		printf 'GET /%s HTTP/1.0\r\n\r\n' "$([[ $i == 1 ]] && echo first || echo resumed)" |
			expect_rc 0 timeout 10 openssl s_client -connect 127.0.0.1:"$port" "$version" \
			-servername tcpnote.test -alpn h2,http/1.1 -keylogfile "$OUT/$name.keys" -ign_eof \
			"$([[ $i == 1 ]] && echo -sess_out || echo -sess_in)" "$WORK/$name.sess" \
			>"$WORK/$name-$i.out" 2>"$WORK/$name-$i.log"
	done
	stop_capture
	stop "$SRV"
	grep -q '^New,' "$WORK/$name-1.out" || die "$name: the first connection was not a new session"
	grep -q '^Reused,' "$WORK/$name-2.out" || die "$name: the second connection did not resume"
}

# 7j. tls13-resumed-keylog: TLS 1.3, the second connection resumes with the first one's
#     ticket (a PSK, with a fresh key exchange: psk_dhe_ke), so no certificate.  The
#     first one's certificate is Ed25519 with DNS and IP subjectAltNames (for cert_chain).
openssl req -x509 -newkey ed25519 -nodes -subj /CN=tcpnote.test -days 3650 \
	-addext "subjectAltName=DNS:tcpnote.test,DNS:*.tcpnote.test,IP:127.0.0.1,IP:::1" \
	-keyout "$WORK/ed-key.pem" -out "$WORK/ed-cert.pem" 2>/dev/null
resumed tls13-resumed-keylog 7457 -tls1_3 -cert "$WORK/ed-cert.pem" -key "$WORK/ed-key.pem"

# 7k. tls12-resumed-keylog: TLS 1.2 ECDHE-RSA-AES128-GCM, the second connection resumes with
#     the ticket (RFC 5077) and the session ID the server echoes: an abbreviated handshake
resumed tls12-resumed-keylog 7458 -tls1_2
fi

echo "record-tls.sh: captures written to $OUT"
