#!/usr/bin/env python3
"""truncate_compare.py - tcpnote against tcpdump on every truncation and on damaged headers.

From real packets in pcaps/ it writes captures in which each packet appears cut at
every capture length from 1 byte to its full length, and captures in which header
fields are damaged (IP header length, total length, TCP data offset, option kinds and
lengths, flags), then checks that tcpnote's lines equal tcpdump -n's, record for record
(plain, -v, -x and -X -v: a dump starts where tcpdump's does, at the link header where
tcpdump gave up), and that tcpnote exits 0 without a sanitizer report.
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tcpdump_compare  # noqa: E402


# Each with and without -v; with a dump, whose start tells where tcpdump gave up early.
FLAGSETS = ([], ['-v'], ['-x'], ['-X', '-v'])


def read_pcap(path):
    data = open(path, 'rb').read()
    magic = struct.unpack('<I', data[:4])[0]
    if magic in (0xa1b2c3d4, 0xa1b23c4d):
        e = '<'
    elif magic in (0xd4c3b2a1, 0x4d3cb2a1):
        e = '>'
    else:
        raise ValueError('%s: not a classic pcap file' % path)
    linktype = struct.unpack(e + 'I', data[20:24])[0]
    off = 24
    pkts = []
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + 'IIII', data[off:off + 16])
        off += 16
        pkts.append((sec, frac, data[off:off + incl], orig))
        off += incl
    return linktype, pkts


def write_pcap(path, linktype, records):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, linktype))
        for (sec, usec, data, orig) in records:
            f.write(struct.pack('<IIII', sec, usec, len(data), orig))
            f.write(data)


def l3_offset(linktype, pkt):
    return {1: 14, 113: 16, 276: 20, 0: 4, 108: 4, 101: 0, 12: 0, 228: 0, 229: 0}.get(linktype)


def tcp_offsets(linktype, pkt):
    """(ip offset, ip version, tcp offset) of a plain IPv4/IPv6 TCP packet, or None."""
    l3 = l3_offset(linktype, pkt)
    if l3 is None or len(pkt) < l3 + 40:
        return None
    v = pkt[l3] >> 4
    if v == 4 and pkt[l3 + 9] == 6:
        return l3, 4, l3 + (pkt[l3] & 15) * 4
    if v == 6 and pkt[l3 + 6] == 6:
        return l3, 6, l3 + 40
    return None


def damaged(linktype, pkt):
    """Variants of one packet with one header field damaged."""
    o = tcp_offsets(linktype, pkt)
    if o is None:
        return []
    ip, v, tcp = o
    out = []
    b = bytearray(pkt)
    for doff in range(16):
        c = bytearray(b)
        c[tcp + 12] = (doff << 4) | (c[tcp + 12] & 15)
        out.append(bytes(c))
    for flags in (0x00, 0xff, 0x03, 0x05, 0x29, 0xc2):
        c = bytearray(b)
        c[tcp + 13] = flags
        out.append(bytes(c))
    hlen = (b[tcp + 12] >> 4) * 4
    for i in range(tcp + 20, min(tcp + hlen, len(b))):
        for val in (0, 1, 2, 3, 5, 8, 30, 40, 255):
            c = bytearray(b)
            c[i] = val
            out.append(bytes(c))
    if v == 4:
        for ihl in (0, 4, 5, 6, 15):
            c = bytearray(b)
            c[ip] = 0x40 | ihl
            out.append(bytes(c))
        for tot in (0, 19, 20, 39, 40, len(b) - ip - 1, len(b) - ip + 10, 65535):
            c = bytearray(b)
            c[ip + 2:ip + 4] = struct.pack('>H', max(0, tot) & 0xffff)
            out.append(bytes(c))
        for off in (0x2000, 0x0001, 0x4001, 0x8000):
            c = bytearray(b)
            c[ip + 6:ip + 8] = struct.pack('>H', off)
            out.append(bytes(c))
    else:
        for plen in (0, 1, 19, 20, len(b) - ip - 40 + 10, 65535):
            c = bytearray(b)
            c[ip + 4:ip + 6] = struct.pack('>H', plen & 0xffff)
            out.append(bytes(c))
    return out


def ipv4_header(payload_len, opts=b'', proto=6, off=0, ident=1):
    ihl = 5 + len(opts) // 4
    h = struct.pack('>BBHHHBBH4s4s', 0x40 | ihl, 0, ihl * 4 + payload_len, ident, off, 64, proto, 0,
                    bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + opts
    s = sum(struct.unpack('>%dH' % (len(h) // 2), h))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return h[:10] + struct.pack('>H', ~s & 0xffff) + h[12:]


def synthetic():
    """Hand-made frames for what a capture of the kernel will not show: IPv6
    extension headers, IPv4 options and fragments, VLAN tags, BSD loopback
    link types. A BPF 'tcp' filter skips most of them, so they are compared
    without a filter. Returns [(linktype, [frames])]."""
    tcp = struct.pack('>HHIIBBHHH', 1234, 80, 1000, 2000, 0x50, 0x18, 512, 0, 0) + b'hello'
    tcp_opts = struct.pack('>HHIIBBHHH', 1234, 80, 1000, 2000, 0x80, 0x02, 512, 0, 0) + \
        bytes([2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7])
    src6, dst6 = bytes(15) + b'\x01', bytes(15) + b'\x02'

    def ip6(nxt, payload, flow=0x60000000):
        return struct.pack('>IHBB', flow, len(payload), nxt, 64) + src6 + dst6 + payload

    def eth(p, et=b'\x86\xdd'):
        return b'\x00' * 12 + et + p

    pad = bytes([1, 4, 0, 0, 0, 0])
    v6 = [ip6(0, bytes([6, 0]) + pad + tcp), ip6(60, bytes([6, 0]) + pad + tcp),
          ip6(0, bytes([6, 0, 0, 1, 0, 0, 0, 0]) + tcp),
          ip6(0, bytes([6, 0, 5, 2, 0, 0, 1, 0]) + tcp),
          ip6(0, bytes([6, 0, 0x1e, 2, 0, 0, 0, 0]) + tcp),
          ip6(44, struct.pack('>BBHI', 6, 0, 0x0001, 0x12345678) + tcp),
          ip6(44, struct.pack('>BBHI', 6, 0, 0x0008, 0x12345678) + tcp),
          ip6(43, bytes([6, 2, 0, 1]) + bytes(4) + bytes(15) + b'\x03' + tcp),
          ip6(0, bytes([60, 0]) + pad + bytes([44, 0]) + pad +
              struct.pack('>BBHI', 6, 0, 0x0001, 7) + tcp_opts),
          ip6(6, tcp_opts, flow=0x6abcdef1), ip6(6, tcp, flow=0x6e000000)]
    rr = bytes([7, 11, 4]) + bytes([1, 2, 3, 4, 5, 6, 7, 8]) + bytes([1])
    lsrr = bytes([0x83, 11, 12]) + bytes([9, 9, 9, 9]) + bytes([10, 0, 0, 2]) + bytes([0])
    ts = bytes([0x44, 12, 5, 0]) + struct.pack('>II', 111, 222)
    ts_addr = bytes([0x44, 20, 13, 0x31]) + bytes([10, 0, 0, 9]) + struct.pack('>I', 5) + bytes(8)
    ts_bad = bytes([0x44, 10, 7, 0x02]) + bytes(6) + bytes(2)
    ra = bytes([0x94, 4, 0, 0])
    v4 = [ipv4_header(len(tcp), bytes([1, 1, 1, 0])) + tcp,
          ipv4_header(len(tcp), rr) + tcp, ipv4_header(len(tcp), lsrr) + tcp,
          ipv4_header(len(tcp), ts) + tcp, ipv4_header(len(tcp), ra) + tcp,
          ipv4_header(len(tcp), ts_addr) + tcp, ipv4_header(len(tcp), ts_bad) + tcp,
          ipv4_header(len(tcp), bytes([0x94, 4, 1, 2])) + tcp,
          ipv4_header(len(tcp), bytes([0x99, 4, 1, 2])) + tcp,
          ipv4_header(len(tcp), bytes([0x44, 2, 0, 0])) + tcp,
          ipv4_header(len(tcp), off=0x2000) + tcp, ipv4_header(8, off=0x0002) + tcp[:8],
          ipv4_header(len(tcp_opts)) + tcp_opts]
    vlan = [b'\x00' * 12 + b'\x81\x00\x00\x64' + b'\x08\x00' + p for p in v4[:2]] + \
        [b'\x00' * 12 + b'\x88\xa8\x00\x0a\x81\x00\x00\x64\x86\xdd' + v6[-2]]
    return [(1, [eth(p) for p in v6] + [eth(p, b'\x08\x00') for p in v4] + vlan),
            (0, [struct.pack('<I', 2) + v4[0], struct.pack('>I', 2) + v4[1],
                 struct.pack('<I', 28) + v6[-1], struct.pack('<I', 30) + v6[-2]]),
            (108, [struct.pack('>I', 2) + v4[0], struct.pack('>I', 24) + v6[-1]]),
            (101, v4 + v6)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    ap.add_argument('--pcaps', required=True)
    ap.add_argument('--per-file', type=int, default=6, help='packets taken from each capture')
    a = ap.parse_args()
    files = sorted(f for f in os.listdir(a.pcaps) if f.endswith('.pcap'))
    if not files:
        print('truncation: no captures in %s' % a.pcaps)
        return 1
    env = dict(os.environ, TZ='UTC', LC_ALL='C')
    failures = 0
    compared = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in files:
            linktype, pkts = read_pcap(os.path.join(a.pcaps, name))
            chosen = [p for p in pkts if tcp_offsets(linktype, p[2])][:a.per_file]
            cut, bad = [], []
            for (sec, usec, data, orig) in chosen:
                for n in range(1, len(data) + 1):
                    cut.append((sec, usec, data[:n], orig))
                for d in damaged(linktype, data):
                    bad.append((sec, usec, d, len(d)))
            for kind, recs in (('cut', cut), ('damaged', bad)):
                if not recs:
                    continue
                path = os.path.join(tmp, '%s-%s.pcap' % (name, kind))
                write_pcap(path, linktype, recs)
                for flags in FLAGSETS:
                    r = tcpdump_compare.compare(a.tcpnote, path, flags, env)
                    compared += r['records']
                    if r['tcpnote_rc'] != 0 or 'runtime error' in r['tcpnote_err'] \
                            or 'Sanitizer' in r['tcpnote_err']:
                        failures += 1
                        print('FAIL %s %s %s: exit %d %s' % (name, kind, ' '.join(flags),
                                                             r['tcpnote_rc'], r['tcpnote_err'][-500:]))
                    if r['diffs']:
                        failures += 1
                        print('FAIL %s %s [%s]: %d of %d records differ' % (
                            name, kind, ' '.join(flags), len(r['diffs']), r['records']))
                        for (i, tn, td) in r['diffs'][:4]:
                            print('   #%d tcpnote: %s' % (i, tn.replace('\n', '\\n')))
                            print('   #%d tcpdump: %s' % (i, td.replace('\n', '\\n')))
        for linktype, frames in synthetic():
            path = os.path.join(tmp, 'synthetic-%d.pcap' % linktype)
            write_pcap(path, linktype, [(1, i, f, len(f)) for i, f in enumerate(frames)])
            for flags in FLAGSETS:
                r = tcpdump_compare.compare(a.tcpnote, path, flags, env, bpf=())
                compared += r['records']
                if r['diffs'] or r['tcpnote_rc'] != 0:
                    failures += 1
                    print('FAIL synthetic link-type %d [%s]: %d of %d records differ, exit %d' % (
                        linktype, ' '.join(flags), len(r['diffs']), r['records'], r['tcpnote_rc']))
                    for (i, tn, td) in r['diffs'][:6]:
                        print('   #%d tcpnote: %s' % (i, tn.replace('\n', '\\n')))
                        print('   #%d tcpdump: %s' % (i, td.replace('\n', '\\n')))
    print('truncation: %d records compared, %d failing file/flag combinations' % (compared, failures))
    if compared == 0:
        print('truncation: nothing was compared')
        return 1
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
