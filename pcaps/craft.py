#!/usr/bin/env python3
"""craft.py - writes the hand-made captures in pcaps/: TCP cases a Linux kernel will not produce on demand.

Everything else in pcaps/ is recorded from the real stack (record.sh,
record-lossy.sh). These few are built byte by byte, with correct IPv4 and TCP
checksums, because the kernel does not send them when asked:

  crafted-zero-window-probe.pcap  a 1-byte zero window probe at the next
                                  sequence number (Linux probes with seq-1),
                                  its ack, then the window update
  crafted-wrap-spurious.pcap      sequence numbers that cross 2^32, a spurious
                                  retransmission of acknowledged bytes, a
                                  segment the capture missed and its ack
                                  (acked unseen segment), out-of-order
  crafted-simultaneous.pcap       simultaneous open and simultaneous close
  crafted-hostile-hints.pcap      an HTTP request and a TLS ClientHello whose
                                  path, server name and ALPN hold terminal
                                  escapes, quotes, backslashes and bytes >= 0x80
                                  (what a hostile peer can send; tcpnote must
                                  print them escaped, in text and in JSON)

Run: python3 pcaps/craft.py (it rewrites the four files beside it).
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
A, B = bytes([192, 0, 2, 1]), bytes([192, 0, 2, 2])  # TEST-NET-1, never on the wire
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10


def csum(data):
    if len(data) % 2:
        data += b'\0'
    s = sum(struct.unpack('>%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


class Conn:
    """One TCP connection between A:ap (client) and B:bp (server)."""

    def __init__(self, ap, bp):
        self.ap, self.bp = ap, bp
        self.ipid = [100, 5000]
        self.frames = []
        self.t = 1700000000.0

    def seg(self, from_client, flags, seq, ack, payload=b'', win=512, opts=b'', dt=0.001):
        self.t += dt
        src, dst = (A, B) if from_client else (B, A)
        sp, dp = (self.ap, self.bp) if from_client else (self.bp, self.ap)
        hl = 20 + len(opts)
        tcp = struct.pack('>HHIIBBHHH', sp, dp, seq & 0xffffffff, ack & 0xffffffff, (hl // 4) << 4,
                          flags, win, 0, 0) + opts + payload
        pseudo = src + dst + struct.pack('>BBH', 0, 6, len(tcp))
        tcp = tcp[:16] + struct.pack('>H', csum(pseudo + tcp)) + tcp[18:]
        i = 0 if from_client else 1
        self.ipid[i] += 1
        ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), self.ipid[i], 0x4000, 64, 6, 0,
                         src, dst)
        ip = ip[:10] + struct.pack('>H', csum(ip)) + ip[12:]
        eth = b'\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00'
        self.frames.append((self.t, eth + ip + tcp))

    def write(self, name):
        with open(os.path.join(HERE, name), 'wb') as f:
            f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
            for t, data in self.frames:
                sec = int(t)
                usec = int(round((t - sec) * 1e6))
                f.write(struct.pack('<IIII', sec, usec, len(data), len(data)))
                f.write(data)


WS = bytes([1, 3, 3, 0])          # nop, wscale 0: window scaling on, factor 1
MSS = bytes([2, 4, 5, 0xb4])


def zero_window_probe():
    c, s = 1000, 9000
    k = Conn(40001, 8001)
    k.seg(True, SYN, c, 0, opts=MSS + WS, win=1024)
    k.seg(False, SYN | ACK, s, c + 1, opts=MSS + WS, win=1024)
    k.seg(True, ACK, c + 1, s + 1, win=1024)
    k.seg(True, PSH | ACK, c + 1, s + 1, b'x' * 512, win=1024)
    k.seg(True, PSH | ACK, c + 513, s + 1, b'x' * 512, win=1024)   # window full
    k.seg(False, ACK, s + 1, c + 1025, win=0, dt=0.01)             # zero window
    k.seg(True, ACK, c + 1025, s + 1, b'y', win=1024, dt=0.2)      # zero window probe
    k.seg(False, ACK, s + 1, c + 1025, win=0)                      # zero window probe ack
    k.seg(True, ACK, c + 1025, s + 1, b'y', win=1024, dt=0.4)      # zero window probe
    k.seg(False, ACK, s + 1, c + 1025, win=0)                      # zero window probe ack
    k.seg(False, ACK, s + 1, c + 1025, win=1024, dt=0.3)           # window update
    k.seg(True, PSH | ACK, c + 1025, s + 1, b'z' * 100, win=1024)
    k.seg(False, ACK, s + 1, c + 1125, win=1024)
    k.seg(True, FIN | ACK, c + 1125, s + 1, win=1024)
    k.seg(False, FIN | ACK, s + 1, c + 1126, win=1024)
    k.seg(True, ACK, c + 1126, s + 2, win=1024)
    k.write('crafted-zero-window-probe.pcap')


def wrap_spurious():
    c, s = 0xfffffc00, 0xffffffff - 50    # both sides cross 2^32 during the transfer
    k = Conn(40002, 8002)
    k.seg(True, SYN, c, 0, opts=MSS, win=8192)
    k.seg(False, SYN | ACK, s, c + 1, opts=MSS, win=8192)
    k.seg(True, ACK, c + 1, s + 1, win=8192, dt=0.02)              # handshake RTT ~ 21 ms
    for i in range(4):                                             # 4 x 500 bytes, across 2^32
        k.seg(True, PSH | ACK, c + 1 + 500 * i, s + 1, b'd' * 500, win=8192)
    k.seg(False, PSH | ACK, s + 1, c + 2001, b'r' * 100, win=8192, dt=0.02)  # server data crosses 2^32
    k.seg(True, PSH | ACK, c + 1, s + 101, b'd' * 500, win=8192, dt=0.05)    # spurious retransmission
    k.seg(True, ACK, c + 2001, s + 101, win=8192)
    # The capture misses the client's next segment (2001..2501); the next one shows the gap,
    k.seg(True, PSH | ACK, c + 2501, s + 101, b'e' * 500, win=8192, dt=0.01)
    # and the server acknowledges both: bytes the capture never saw.
    k.seg(False, ACK, s + 101, c + 3001, win=8192, dt=0.01)
    # Reordered on the way: 3501.. arrives 1 ms before 3001..
    k.seg(True, PSH | ACK, c + 3501, s + 101, b'g' * 500, win=8192, dt=0.01)
    k.seg(True, PSH | ACK, c + 3001, s + 101, b'f' * 500, win=8192)
    k.seg(False, ACK, s + 101, c + 4001, win=8192, dt=0.01)
    # A segment the server does not acknowledge, resent long after: a plain retransmission.
    k.seg(True, PSH | ACK, c + 4001, s + 101, b'h' * 500, win=8192, dt=0.01)
    k.seg(True, PSH | ACK, c + 4001, s + 101, b'h' * 500, win=8192, dt=0.5)
    k.seg(False, ACK, s + 101, c + 4501, win=8192)
    k.seg(True, RST | ACK, c + 4501, s + 101, win=0, dt=0.01)
    k.write('crafted-wrap-spurious.pcap')


def simultaneous():
    a, b = 7000, 3000
    k = Conn(5001, 5002)
    k.seg(True, SYN, a, 0, win=1000)
    k.seg(False, SYN, b, 0, win=1000)                  # the other side opens too
    k.seg(True, SYN | ACK, a, b + 1, win=1000)
    k.seg(False, SYN | ACK, b, a + 1, win=1000)
    k.seg(True, PSH | ACK, a + 1, b + 1, b'hello', win=1000)
    k.seg(False, ACK, b + 1, a + 6, win=1000)
    k.seg(True, FIN | ACK, a + 6, b + 1, win=1000, dt=0.1)
    k.seg(False, FIN | ACK, b + 1, a + 6, win=1000)    # sent before it saw the FIN above
    k.seg(True, ACK, a + 7, b + 2, win=1000)
    k.seg(False, ACK, b + 2, a + 7, win=1000)
    k.write('crafted-simultaneous.pcap')


def client_hello(sni, alpn):
    """A minimal TLS 1.2 ClientHello record offering TLS_AES_128_GCM_SHA256, with SNI and ALPN."""
    name = struct.pack('>BH', 0, len(sni)) + sni
    ext_sni = struct.pack('>HHH', 0, len(name) + 2, len(name)) + name
    protos = b''.join(struct.pack('>B', len(a)) + a for a in alpn)
    ext_alpn = struct.pack('>HHH', 16, len(protos) + 2, len(protos)) + protos
    exts = ext_sni + ext_alpn
    body = (b'\x03\x03' + bytes(range(32)) + b'\x00' + struct.pack('>HH', 2, 0x1301) + b'\x01\x00' +
            struct.pack('>H', len(exts)) + exts)
    hs = struct.pack('>B', 1) + len(body).to_bytes(3, 'big') + body
    return struct.pack('>BHH', 22, 0x0301, len(hs)) + hs


def hostile_hints():
    k = Conn(40003, 8003)
    c, s = 5000, 60000
    path = b'/\x1b[2J\x1b]0;owned\x07"quote"\\back\xff\xfe'
    req = b'GET ' + path + b' HTTP/1.1\r\nHost: x\r\n\r\n'
    k.seg(True, SYN, c, 0, opts=MSS, win=1024)
    k.seg(False, SYN | ACK, s, c + 1, opts=MSS, win=1024)
    k.seg(True, ACK, c + 1, s + 1, win=1024)
    k.seg(True, PSH | ACK, c + 1, s + 1, req, win=1024)
    resp = b'HTTP/1.1 404 \x1b[31mNot Found\r\n\r\n'
    k.seg(False, PSH | ACK, s + 1, c + 1 + len(req), resp, win=1024)
    k.seg(True, RST | ACK, c + 1 + len(req), s + 1 + len(resp), win=0)
    hello = client_hello(b'evil\x1b]0;title\x07"\\.example', [b'h2', b'\x1b[5m"x\\', b'\xc3\xa9'])
    k2 = Conn(40004, 8443)
    k2.t = k.t + 1
    k2.seg(True, SYN, c, 0, opts=MSS, win=1024)
    k2.seg(False, SYN | ACK, s, c + 1, opts=MSS, win=1024)
    k2.seg(True, ACK, c + 1, s + 1, win=1024)
    k2.seg(True, PSH | ACK, c + 1, s + 1, hello, win=1024)
    k2.seg(True, RST | ACK, c + 1 + len(hello), s + 1, win=0)
    k.frames += k2.frames
    k.write('crafted-hostile-hints.pcap')


if __name__ == '__main__':
    zero_window_probe()
    wrap_spurious()
    simultaneous()
    hostile_hints()
