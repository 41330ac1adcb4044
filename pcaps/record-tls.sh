#!/usr/bin/env bash
# Records the TLS and HTTP/1.1 captures in pcaps/ that the protocol hints are
# checked on (tests/oracle/tshark_hints.py): real openssl/curl/python3 peers on
# loopback, saved by tcpnote's own -w, as pcaps/record.sh does.
#
# Usage: pcaps/record-tls.sh [PATH-TO-TCPNOTE] [keylog|lossy|resumed|starttls]
#        (default: ../build/tcpnote beside this script; "keylog": only the
#        decryption captures of steps 7 and 8, each NAME.pcap with its key log
#        NAME.keys; "lossy": only step 8's; "resumed": only the resumed sessions
#        of steps 7j and 7k; "starttls": only step 9, TLS after a cleartext
#        prefix, with key logs too)
#
# Needs root (live capture, network namespaces of its own for the split
# ClientHello and the lossy path, and running PostgreSQL as its own user for
# step 9).  Only 127.0.0.1 is contacted on the host: ports 7079, 7443-7446,
# 7448-7458 and 7470-7479 on its lo; port 7447 on the lo of the namespace
# tcpnote-rec-PID (MTU 576); ports 7457-7458 between the namespaces
# tcpnote-rec-PID-srv, -rtr and -cli (documentation addresses only; their own
# network stacks, so no clash with lo's 7457-7458).  The script creates and
# deletes every namespace.  A throwaway self-signed certificate (CN
# tcpnote.test) is made in the work directory on every run.  Step 9 needs
# Debian's postgresql package (its server runs from a cluster made in the work
# directory and is stopped at the end).  Rerunnable: every .pcap is rewritten
# from scratch.  pcaps/README.md describes the files.
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
PG_UP=
PGBIN=
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
	[[ -n $PG_UP ]] && runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PG_UP" -m immediate -w \
		stop >/dev/null 2>&1 || true
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

if [[ $WHICH == all || $WHICH == keylog ]]; then
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

if [[ $WHICH == all || $WHICH == keylog || $WHICH == lossy ]]; then
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

if [[ $WHICH == all || $WHICH == keylog || $WHICH == resumed ]]; then
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

if [[ $WHICH == all || $WHICH == starttls ]]; then
# 9. TLS that starts after a cleartext prefix (issue 14), each NAME.pcap with the key
#    log its client wrote (NAME.keys).  Servers: the python3 peers below speak the
#    cleartext part of SMTP, IMAP, POP3, FTP, XMPP, IRC and MySQL, then hand the
#    socket to python3's ssl module; PostgreSQL is Debian's own server, run from a
#    throwaway cluster in the work directory; the CONNECT tunnel goes through a
#    python3 proxy to openssl s_server -www.  Clients: openssl s_client -starttls
#    PROTO -keylogfile, and curl -p -x for the tunnel.  Ports 7470-7479, never the
#    protocols' own: tcpdump would print SMTP, FTP, ... there (tcpnote prints TCP
#    only), and tshark is told which protocol each port carries (-d).
cat >"$WORK/starttls.py" <<'PY'
import socket, ssl, struct, sys, threading

def listen(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(('127.0.0.1', port))
    s.listen(4)
    return s

class Conn:
    """A socket read up to a delimiter, or a count, until ssl takes it over."""
    def __init__(self, sock):
        self.sock, self.buf = sock, b''
    def fill(self, most=4096):
        data = self.sock.recv(most)
        if not data:
            raise EOFError
        self.buf += data
    def until(self, delim):
        while delim not in self.buf:
            self.fill()
        i = self.buf.index(delim) + len(delim)
        out, self.buf = self.buf[:i], self.buf[i:]
        return out
    def exactly(self, n):
        # never past n: a MySQL client sends its ClientHello right behind the SSL request
        while len(self.buf) < n:
            self.fill(n - len(self.buf))
        out, self.buf = self.buf[:n], self.buf[n:]
        return out
    def send(self, data):
        self.sock.sendall(data)
    def upgrade(self, ctx):
        assert self.buf == b'', 'cleartext after the switch'
        self.sock = ctx.wrap_socket(self.sock, server_side=True)

def smtp(c):
    c.send(b'220 mail.tcpnote.test ESMTP tcpnote test\r\n')
    while True:
        cmd = c.until(b'\r\n').strip().upper()
        if cmd.startswith(b'EHLO'):
            c.send(b'250-mail.tcpnote.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n'
                   b'250-STARTTLS\r\n250 8BITMIME\r\n')
        elif cmd == b'STARTTLS':
            c.send(b'220 2.0.0 Ready to start TLS\r\n')
            return
        else:
            c.send(b'502 5.5.2 Error: command not recognized\r\n')

def smtp_tls(c):
    while True:
        cmd = c.until(b'\r\n').strip().upper()
        if cmd.startswith(b'EHLO'):
            c.send(b'250-mail.tcpnote.test\r\n250-PIPELINING\r\n250 AUTH PLAIN\r\n')
        elif cmd == b'QUIT':
            c.send(b'221 2.0.0 Bye\r\n')
            return

def imap(c):
    c.send(b'* OK [CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED] tcpnote test ready\r\n')
    while True:
        tag, cmd = c.until(b'\r\n').split(b' ', 1)
        cmd = cmd.strip().upper()
        if cmd == b'CAPABILITY':
            c.send(b'* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\n' + tag +
                   b' OK CAPABILITY completed\r\n')
        elif cmd == b'STARTTLS':
            c.send(tag + b' OK Begin TLS negotiation now\r\n')
            return
        else:
            c.send(tag + b' BAD unknown command\r\n')

def imap_tls(c):
    tag = c.until(b'\r\n').split(b' ', 1)[0]
    c.send(b'* BYE tcpnote test logging out\r\n' + tag + b' OK LOGOUT completed\r\n')

def pop3(c):
    c.send(b'+OK tcpnote test POP3 ready\r\n')
    while c.until(b'\r\n').strip().upper() != b'STLS':
        c.send(b'-ERR unknown command\r\n')
    c.send(b'+OK Begin TLS negotiation\r\n')

def pop3_tls(c):
    c.until(b'\r\n')
    c.send(b'+OK tcpnote test POP3 signing off\r\n')

def ftp(c):
    c.send(b'220-tcpnote test FTP\r\n220 ready\r\n')
    while c.until(b'\r\n').strip().upper() not in (b'AUTH TLS', b'AUTH SSL'):
        c.send(b'500 unknown command\r\n')
    c.send(b'234 AUTH TLS successful\r\n')

def ftp_tls(c):
    c.until(b'\r\n')
    c.send(b'221 Goodbye\r\n')

def xmpp(c):
    c.until(b'>')  # the client's <stream:stream ...>
    c.send(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
           b"xmlns:stream='http://etherx.jabber.org/streams' id='tcpnote1' "
           b"from='tcpnote.test' version='1.0'><stream:features>"
           b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
           b"<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN"
           b"</mechanism></mechanisms></stream:features>")
    el = c.until(b'>')
    assert el.startswith(b'<starttls'), el
    c.send(b"<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")

def xmpp_tls(c):
    c.until(b'>')
    c.send(b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' "
           b"xmlns:stream='http://etherx.jabber.org/streams' id='tcpnote2' "
           b"from='tcpnote.test' version='1.0'></stream:stream>")

def irc(c):
    # a numeric notice at once, as UnrealIRCd sends (s_client skips numerics until 670)
    c.send(b':irc.tcpnote.test 020 * :Please wait while we process your connection.\r\n')
    while c.until(b'\r\n').strip().upper() != b'STARTTLS':
        c.send(b':irc.tcpnote.test 421 * :Unknown command\r\n')
    c.send(b':irc.tcpnote.test 670 * :STARTTLS successful, go ahead with TLS handshake\r\n')

def irc_tls(c):
    c.until(b'\r\n')
    c.send(b'ERROR :Closing link: (tcpnote) [Quit]\r\n')

def mysql(c):
    # MariaDB 10.11's protocol-10 greeting, CLIENT_SSL (0x0800) among its capabilities
    body = (b'\x0a5.5.5-10.11.6-MariaDB-0+deb12u1\x00' + struct.pack('<I', 42) +
            b'tcpnote!\x00' + struct.pack('<HBHH', 0xfffe, 0x2d, 0x0002, 0x81ff) +
            b'\x15' + b'\x00' * 6 + struct.pack('<I', 0x1d) +
            b'tcpnote-test\x00mysql_native_password\x00')
    c.send(struct.pack('<I', len(body))[:3] + b'\x00' + body)
    hdr = c.exactly(4)
    req = c.exactly(hdr[0] | hdr[1] << 8 | hdr[2] << 16)
    assert len(req) == 32 and struct.unpack('<I', req[:4])[0] & 0x0800, req

def mysql_tls(c):
    hdr = c.exactly(4)
    c.exactly(hdr[0] | hdr[1] << 8 | hdr[2] << 16)
    c.send(b'\x07\x00\x00\x02\x00\x00\x00\x02\x00\x00\x00')  # OK

PROTOS = {'smtp': (smtp, smtp_tls), 'imap': (imap, imap_tls), 'pop3': (pop3, pop3_tls),
          'ftp': (ftp, ftp_tls), 'xmpp': (xmpp, xmpp_tls), 'irc': (irc, irc_tls),
          'mysql': (mysql, mysql_tls)}

def serve(proto, port, cert, key, version):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    if version == 'tls12':
        ctx.maximum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_ciphers('ECDHE-RSA-AES128-GCM-SHA256')
    sock, _ = listen(port).accept()
    c = Conn(sock)
    clear, inside = PROTOS[proto]
    clear(c)
    c.upgrade(ctx)
    inside(c)
    try:
        c.sock.unwrap()
    except (ssl.SSLError, OSError):
        pass
    c.sock.close()

def relay(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
        b.shutdown(socket.SHUT_WR)
    except OSError:
        pass

def connect_proxy(port, upstream):
    """One HTTP CONNECT tunnel, to 127.0.0.1:upstream whatever host the client names."""
    sock, _ = listen(port).accept()
    c = Conn(sock)
    assert c.until(b'\r\n\r\n').startswith(b'CONNECT ')
    up = socket.create_connection(('127.0.0.1', upstream))
    c.send(b'HTTP/1.1 200 Connection established\r\n\r\n')
    t = threading.Thread(target=relay, args=(up, sock))
    t.start()
    relay(sock, up)
    t.join()

if __name__ == '__main__':
    if sys.argv[1] == 'connect':
        connect_proxy(int(sys.argv[2]), int(sys.argv[3]))
    else:
        serve(sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5])
PY

# served PID: a peer that serves one connection must have ended well
served() {
	local rc=0
	wait "$1" || rc=$?
	forget "$1"
	((rc == 0)) || die "server for $CAP_FILE exited with status $rc"
}

# logged NAME CMD...: run CMD (stdin as given) with its output in NAME.out and NAME.err;
# if it fails, show NAME.err and stop
logged() {
	local name=$1 rc=0
	shift
	"$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || rc=$?
	((rc == 0)) || { cat "$WORK/$name.err" >&2; die "$1 exited $rc while recording $name"; }
}

# starttls_client NAME PORT PROTO INPUT OPTIONS...: capture NAME.pcap while openssl
# s_client -starttls PROTO sends INPUT (printf %b) once TLS is up, keys into NAME.keys
starttls_client() {
	local name=$1 port=$2 proto=$3 input=$4
	shift 4
	start_capture "$name.pcap" "$port"
	rm -f "$OUT/$name.keys"
	printf '%b' "$input" | logged "$name" timeout 10 openssl s_client -quiet \
		-starttls "$proto" -connect "127.0.0.1:$port" -servername tcpnote.test \
		-keylogfile "$OUT/$name.keys" "$@"
	stop_capture
	[[ -s $OUT/$name.keys ]] || die "no key log written for $name"
}

# starttls_case NAME PORT PROTO VERSION INPUT OPTIONS...: a python3 peer above
# (VERSION tls12: TLS 1.2 ECDHE-RSA-AES128-GCM-SHA256, else its default, TLS 1.3)
starttls_case() {
	local name=$1 port=$2 proto=$3 version=$4 input=$5
	shift 5
	spawn timeout 30 python3 "$WORK/starttls.py" "$proto" "$port" "$WORK/cert.pem" \
		"$WORK/key.pem" "$version" >"$WORK/$name.log" 2>&1
	SRV=$SPAWNED
	wait_listen "$port"
	starttls_client "$name" "$port" "$proto" "$input" "$@"
	served "$SRV"
}

starttls_case starttls-smtp-keylog 7470 smtp tls13 'EHLO client.tcpnote.test\nQUIT\n' \
	-crlf -name client.tcpnote.test
starttls_case starttls-imap-keylog 7471 imap tls13 'a1 LOGOUT\n' -crlf
starttls_case starttls-pop3-keylog 7472 pop3 tls12 'QUIT\n' -crlf
starttls_case starttls-ftp-keylog 7473 ftp tls13 'QUIT\n' -crlf
starttls_case starttls-xmpp-keylog 7474 xmpp tls13 \
	"<stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' to='tcpnote.test' version='1.0'>" \
	-xmpphost tcpnote.test
starttls_case starttls-irc-keylog 7475 irc tls13 'QUIT\n' -crlf
# MySQL: inside TLS, the rest of a handshake response (capabilities, max packet, charset, filler)
starttls_case starttls-mysql-keylog 7477 mysql tls12 \
	'\x20\x00\x00\x02\x85\xa6\x3f\x20\x00\x00\x00\x01\x21\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00'

# PostgreSQL: Debian's server on a cluster of its own (trust, hostssl only), then
# inside TLS a StartupMessage, one query and Terminate.  Its TLS 1.3 key share is
# P-256 only (ssl_ecdh_curve): a client offering X25519 first gets a
# HelloRetryRequest, kept in hrr/ (see 7i); the capture in pcaps/ offers P-256.
PORT=7476
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
[[ -x $PGBIN/postgres ]] || die "PostgreSQL is not installed (apt-get install postgresql)"
chmod 711 "$WORK"
PGDIR=$WORK/pg
mkdir -m 700 "$PGDIR"
cp "$WORK/cert.pem" "$WORK/key.pem" "$PGDIR/"
chown -R postgres: "$PGDIR"
runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -A trust -U postgres >/dev/null
printf 'hostssl all all 127.0.0.1/32 trust\n' >"$PGDIR/data/pg_hba.conf"
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -o \
	"-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$PGDIR -c ssl=on -c ssl_cert_file=$PGDIR/cert.pem -c ssl_key_file=$PGDIR/key.pem" \
	start >/dev/null
PG_UP=$PGDIR/data
python3 - "$WORK/pg.in" <<'PY'
import struct, sys
def msg(t, body):
    return t + struct.pack('>I', len(body) + 4) + body
start = struct.pack('>I', 3 << 16) + b'user\0postgres\0database\0postgres\0application_name\0tcpnote\0\0'
with open(sys.argv[1], 'wb') as f:
    f.write(msg(b'', start) + msg(b'Q', b'SELECT 1\0') + msg(b'X', b''))
PY
# pg_case NAME GROUPS: one connection of openssl s_client -starttls postgres
pg_case() {
	start_capture "$1.pcap" $PORT
	rm -f "$OUT/$1.keys"
	logged "$(basename "$1")" timeout 10 openssl s_client -quiet -starttls postgres \
		-connect 127.0.0.1:$PORT -servername tcpnote.test -groups "$2" \
		-keylogfile "$OUT/$1.keys" <"$WORK/pg.in"
	stop_capture
}
pg_case starttls-postgres-keylog P-256
mkdir -p "$OUT/hrr" "$WORK/hrr"
pg_case hrr/starttls-postgres-hrr-keylog X25519:P-256
runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -w stop >/dev/null
PG_UP=

# CONNECT: curl through a python3 proxy on 7478 to openssl s_server -www on 7479; only
# the client's connection to the proxy is captured
PORT=7478
tls_server 7479
spawn timeout 30 python3 "$WORK/starttls.py" connect $PORT 7479 >"$WORK/connect.log" 2>&1
PROXY=$SPAWNED
wait_listen $PORT
start_capture connect-tunnel-keylog.pcap $PORT
rm -f "$OUT/connect-tunnel-keylog.keys"
expect_rc 0 env SSLKEYLOGFILE="$OUT/connect-tunnel-keylog.keys" timeout 10 curl -sS \
	-o /dev/null -k --http1.1 -p -x http://127.0.0.1:$PORT https://tcpnote.test:7479/tunnel
stop_capture
served "$PROXY"
stop "$SRV"
fi

echo "record-tls.sh: captures written to $OUT"
