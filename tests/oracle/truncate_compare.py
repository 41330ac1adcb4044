#!/usr/bin/env python3
"""truncate_compare.py - tcpnote against tcpdump on every truncation and on damaged headers.

From real packets in pcaps/ it writes captures in which each packet appears cut at
every capture length from 1 byte to its full length, and captures in which header
fields are damaged (IP header length, total length, TCP data offset, option kinds and
lengths, flags), then checks that tcpnote's lines equal tcpdump -n's, record for record
(with and without -v), and that tcpnote exits 0 without a sanitizer report.
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tcpdump_compare  # noqa: E402


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
                for flags in ([], ['-v']):
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
    print('truncation: %d records compared, %d failing file/flag combinations' % (compared, failures))
    if compared == 0:
        print('truncation: nothing was compared')
        return 1
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
