#!/usr/bin/env python3
"""gen.py - writes the benchmark captures: deterministic Ethernet/IPv4/TCP traffic with valid checksums.

  gen.py a OUT.pcap   1,000,000 packets, ~45,000 connections between many hosts, 2,000 open at a time
  gen.py b OUT.pcap   1,000,000 packets, 10 connections open at a time, one client and one server host
  gen.py c OUT.pcap   4,000,000 packets shaped like (a)

Each connection: handshake, a request and its ACK, a response in several segments and
ACKs, sometimes keepalive probes and answers, sometimes a retransmission, then a
FIN-merged, four-way or reset close. The same seed gives the same bytes.
"""
import array
import random
import struct
import sys

SHAPES = {'a': (1000000, 2000, True), 'b': (1000000, 10, False), 'c': (4000000, 2000, True)}
FIN, SYN, RST, PSH, ACK = 0x01, 0x02, 0x04, 0x08, 0x10
ETH = b'\x02\x00\x00\x00\x00\x02\x02\x00\x00\x00\x00\x01\x08\x00'
PAYLOAD = bytes(range(256)) * 6


def csum(data):
    if len(data) % 2:
        data += b'\0'
    a = array.array('H', data)
    if sys.byteorder == 'little':
        a.byteswap()
    s = sum(a)
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


class Conn:
    def __init__(self, rng, n, many_hosts):
        self.rng = rng
        if many_hosts:
            self.cip = struct.pack('>I', 0x0a000000 | rng.randrange(1, 1 << 22))
            self.sip = struct.pack('>I', 0xc0a80000 | rng.randrange(1, 200))
        else:
            self.cip, self.sip = b'\x0a\x00\x00\x01', b'\xc0\xa8\x00\x01'
        self.cport = 1024 + (n * 7919) % 60000
        self.sport = rng.choice((80, 443, 8080, 5432))
        self.ipid = [rng.randrange(65536), rng.randrange(65536)]
        self.steps = self.script()

    def pkt(self, client, flags, seq, ack, plen=0, win=501):
        src, dst = (self.cip, self.sip) if client else (self.sip, self.cip)
        sp, dp = (self.cport, self.sport) if client else (self.sport, self.cport)
        payload = PAYLOAD[:plen]
        tcp = struct.pack('>HHIIBBHHH', sp, dp, seq & 0xffffffff, ack & 0xffffffff, 0x50, flags,
                          win, 0, 0) + payload
        tcp = tcp[:16] + struct.pack('>H', csum(src + dst + struct.pack('>BBH', 0, 6, len(tcp)) +
                                                 tcp)) + tcp[18:]
        i = 0 if client else 1
        self.ipid[i] = (self.ipid[i] + 1) & 0xffff
        ip = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), self.ipid[i], 0x4000, 64, 6, 0,
                         src, dst)
        ip = ip[:10] + struct.pack('>H', csum(ip)) + ip[12:]
        return ETH + ip + tcp

    def script(self):
        r = self.rng
        c, s = r.randrange(1 << 32), r.randrange(1 << 32)
        yield self.pkt(True, SYN, c, 0, win=64240)
        yield self.pkt(False, SYN | ACK, s, c + 1, win=65160)
        c += 1
        s += 1
        yield self.pkt(True, ACK, c, s)
        req = r.randrange(60, 400)
        yield self.pkt(True, PSH | ACK, c, s, req)
        c += req
        yield self.pkt(False, ACK, s, c)
        for i in range(r.randrange(3, 13)):
            n = r.randrange(200, 1448)
            yield self.pkt(False, PSH | ACK if i % 2 else ACK, s, c, n)
            if r.random() < 0.05:
                yield self.pkt(False, ACK, s, c, n)          # retransmission
            s += n
            if i % 2:
                yield self.pkt(True, ACK, c, s)
        yield self.pkt(True, ACK, c, s)
        for _ in range(r.choice((0, 0, 0, 1, 2))):
            yield self.pkt(True, ACK, c - 1, s)               # keepalive
            yield self.pkt(False, ACK, s, c)                  # keepalive ack
        kind = r.random()
        if kind < 0.1:
            yield self.pkt(True, RST | ACK, c, s, win=0)
        elif kind < 0.6:
            yield self.pkt(True, FIN | ACK, c, s)
            yield self.pkt(False, FIN | ACK, s, c + 1)        # FIN merged
            yield self.pkt(True, ACK, c + 1, s + 1)
        else:
            yield self.pkt(False, FIN | ACK, s, c)
            yield self.pkt(True, ACK, c, s + 1)
            yield self.pkt(True, FIN | ACK, c, s + 1)
            yield self.pkt(False, ACK, s + 1, c + 1)


def main():
    shape, out = sys.argv[1], sys.argv[2]
    total, open_at_once, many = SHAPES[shape]
    rng = random.Random(20261125 + ord(shape))
    t = 1764000000.0
    n = 0
    active = [Conn(rng, i, many) for i in range(open_at_once)]
    started = open_at_once
    with open(out, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        buf = []
        i = 0
        while n < total:
            i = (i + 1) % len(active)
            frame = next(active[i].steps, None)
            if frame is None:
                active[i] = Conn(rng, started, many)
                started += 1
                continue
            t += 0.00001
            sec = int(t)
            buf.append(struct.pack('<IIII', sec, int((t - sec) * 1e6), len(frame), len(frame)) + frame)
            n += 1
            if len(buf) >= 8192:
                f.write(b''.join(buf))
                buf = []
        f.write(b''.join(buf))
    print('%s: %d packets, %d connections' % (out, n, started))


if __name__ == '__main__':
    main()
