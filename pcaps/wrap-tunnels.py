#!/usr/bin/env python3
"""wrap-tunnels.py - wraps real TCP packets in the tunnel headers the recording kernel has no driver for.

Input: an Ethernet capture of real TCP (record-tunnels.sh records one IPv4 and
one IPv6 connection, curl to python3 http.server, between two namespaces).
Each packet keeps its timestamp, MAC addresses and inner bytes; only the outer
headers are built here, with correct IPv4 header checksums:

  tunnel-ipip.pcap    IPv4 connection in IPv4 (4in4, proto 4), IPv6 connection
                      in IPv4 (6in4, proto 41)
  tunnel-ip6ip.pcap   the same in IPv6 (4in6 and 6in6, next header 4 and 41)
  tunnel-gre.pcap     GREv0 with key and sequence number over IPv4: the IPv4
                      connection twice, keys 42 and 43 (two tenants, the same
                      inner 5-tuple), the IPv6 one with key 42
  tunnel-geneve.pcap  Geneve (UDP 6081) over IPv4, Ethernet inside: the IPv4
                      connection twice, VNI 1 and VNI 2
  tunnel-mpls.pcap    MPLS over Ethernet: the IPv4 connection under two labels
                      (100, then 200 at the bottom of the stack), the IPv6 one
                      under one (300)
  tunnel-pppoe.pcap   PPPoE session (ethertype 0x8864, PPP protocol 0x0021 or
                      0x0057): the IPv4 connection in session 0x1 on plain
                      Ethernet, the IPv6 one in session 0x2 under QinQ (802.1ad
                      tag, VLAN 100, then 802.1Q, VLAN 200)
  tunnel-erspan.pcap  ERSPAN over GREv0 over IPv4, the whole frame inside: the
                      IPv4 connection twice in type II (GRE 0x88be with
                      sequence numbers), sessions 1 and 2 (the second with its
                      original 802.1Q VLAN 100 noted), the IPv6 one twice, in
                      type III (GRE 0x22eb) session 3 (the server's packets
                      with the platform-specific subheader) and in type I (GRE
                      0x88be, no sequence number, no ERSPAN header)
  tunnel-pbb.pcap     802.1ah PBB (I-TAG, ethertype 0x88e7) between two backbone
                      MAC addresses: the IPv4 connection twice, I-SIDs 1000 and
                      1001, the IPv6 one with I-SID 1002 under a backbone VLAN
                      tag (802.1ad, VLAN 10)
  tunnel-vntag.pcap   VN-Tag (ethertype 0x8926): both connections, the client's
                      packets from source VIF 5, the server's to destination
                      VIF 7
  tunnel-teredo.pcap  Teredo (UDP 3544) over IPv4: the IPv6 connection; the
                      client's SYN with an authentication header, each of the
                      server's packets with an origin indication
  tunnel-gtp.pcap     GTP-U (UDP 2152) over IPv4: the IPv4 connection twice,
                      TEIDs 1 and 2, the IPv6 one in TEID 3 with sequence
                      numbers, the server's packets with a PDU session
                      container extension header

The captures before tunnel-erspan.pcap come out byte for byte as committed;
the later ones use outer IP identifications of their own (class Outer).

Usage: python3 pcaps/wrap-tunnels.py PLAIN.pcap OUTDIR
       python3 pcaps/wrap-tunnels.py --unwrap pcaps/tunnel-ipip.pcap PLAIN.pcap
         (gives back the plain capture, which record-tunnels.sh does not keep)
"""
import os
import struct
import sys

U1, U2 = bytes([10, 201, 0, 1]), bytes([10, 201, 0, 2])
U1_6, U2_6 = bytes.fromhex('fd000201' + '0' * 23 + '1'), bytes.fromhex('fd000201' + '0' * 23 + '2')


def read_pcap(path):
    data = open(path, 'rb').read()
    magic = struct.unpack('<I', data[:4])[0]
    e = '<' if magic in (0xa1b2c3d4, 0xa1b23c4d) else '>'
    off, out = 24, []
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + 'IIII', data[off:off + 16])
        out.append((sec, frac, data[off + 16:off + 16 + incl]))
        off += 16 + incl
    return out


def write_pcap(path, frames):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 262144, 1))
        for sec, frac, b in frames:
            f.write(struct.pack('<IIII', sec, frac, len(b), len(b)) + b)


def csum(data):
    s = sum(struct.unpack('>%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


class Outer:
    """Outer IPv4 or IPv6 headers between two fixed endpoints, one IP id counter per side."""

    def __init__(self):
        self.ident = [0x1000, 0x2000]

    def ip4(self, client, proto, payload):
        src, dst = (U1, U2) if client else (U2, U1)
        i = 0 if client else 1
        self.ident[i] += 1
        h = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), self.ident[i], 0x4000, 64,
                        proto, 0, src, dst)
        return h[:10] + struct.pack('>H', csum(h)) + h[12:] + payload

    def ip6(self, client, nxt, payload):
        src, dst = (U1_6, U2_6) if client else (U2_6, U1_6)
        return struct.pack('>IHBB', 0x60000000, len(payload), nxt, 64) + src + dst + payload


def split(frame):
    """(ethernet header, IP version, IP packet, from the client) of a plain frame."""
    eth, ip = frame[:14], frame[14:]
    v = ip[0] >> 4
    sport = struct.unpack('>H', ip[(20 if v == 4 else 40):][:2])[0]
    return eth, v, ip, sport != 8080


def unwrap(ipip, plain):
    """The plain capture again: each frame of tunnel-ipip.pcap without its outer IPv4 header."""
    frames = []
    for sec, frac, frame in read_pcap(ipip):
        inner = frame[34:]
        frames.append((sec, frac, frame[:12] + (b'\x08\x00' if inner[0] >> 4 == 4 else b'\x86\xdd') +
                       inner))
    write_pcap(plain, frames)


def pppoe(eth, v, ip, session, tags):
    """A PPPoE session frame (RFC 2516): version and type 1, code 0, session id, length; PPP protocol."""
    ppp = struct.pack('>H', 0x0021 if v == 4 else 0x0057) + ip
    tagged = b''.join(struct.pack('>HH', tpid, tci) for tpid, tci in tags)
    return eth[:12] + tagged + b'\x88\x64' + struct.pack('>BBHH', 0x11, 0, session, len(ppp)) + ppp


def erspan(eth, ip, kind, session, seq, o, client, platform=False):
    """GREv0 and an ERSPAN header (draft-foschiano-erspan-03) of type 1, 2 or 3 around the whole frame."""
    frame = eth + ip
    if kind == 1:
        g = struct.pack('>HH', 0x0000, 0x88be)
    elif kind == 2:
        en_vlan = (2 << 11) | (100 << 16) if session == 2 else 0
        g = struct.pack('>HHIII', 0x1000, 0x88be, seq, (1 << 28) | en_vlan | session, seq & 0xfffff)
    else:
        g = struct.pack('>HHIIIHH', 0x1000, 0x22eb, seq, (2 << 28) | session, seq * 1000, 0,
                        (1 if platform else 0))
        if platform:
            g += struct.pack('>II', (3 << 26) | 7, seq * 1000)
    return eth[:12] + b'\x08\x00' + o.ip4(client, 47, g + frame)


def pbb(eth, ip, isid, btag):
    """An 802.1ah frame: backbone addresses, optional B-TAG, I-TAG with the I-SID, the customer frame."""
    bda, bsa = (b'\x02\x00\x00\x00\x0b\x02', b'\x02\x00\x00\x00\x0b\x01')
    if eth[6:12] > eth[0:6]:
        bda, bsa = bsa, bda
    tag = struct.pack('>HH', 0x88a8, 10) if btag else b''
    return bda + bsa + tag + struct.pack('>HI', 0x88e7, isid) + eth + ip


def teredo(eth, ip, client, first, o):
    """IPv6 in UDP 3544 (RFC 4380): an authentication header on the client's first packet, an origin
    indication on the server's."""
    hdr = b''
    if client and first:
        hdr = struct.pack('>HBB', 1, 0, 0) + bytes(range(1, 9)) + b'\x00'
    if not client:
        hdr = struct.pack('>HH4s', 0, 40002 ^ 0xffff, bytes(b ^ 0xff for b in (192, 0, 2, 1)))
    d = hdr + ip
    sport, dport = (40002, 3544) if client else (3544, 40002)
    return eth[:12] + b'\x08\x00' + o.ip4(client, 17, struct.pack('>HHHH', sport, dport, 8 + len(d), 0) + d)


def gtpu(eth, ip, teid, seq, client, o):
    """A GTPv1-U T-PDU (3GPP TS 29.281): sequence numbers when seq is given, a PDU session container
    extension header on the server's packets then."""
    if seq is None:
        rest = b''
        flags = 0x30
    elif client:
        rest = struct.pack('>HBB', seq, 0, 0)
        flags = 0x32
    else:
        rest = struct.pack('>HBB', seq, 0, 0x85) + struct.pack('>BBBB', 1, 0x00, 0x09, 0)
        flags = 0x36
    g = struct.pack('>BBHI', flags, 0xff, len(rest) + len(ip), teid) + rest + ip
    return eth[:12] + b'\x08\x00' + o.ip4(client, 17, struct.pack('>HHHH', 2152, 2152, 8 + len(g), 0) + g)


def more(pkts):
    """The captures added with ERSPAN, PBB, VN-Tag, Teredo and GTP-U."""
    o = Outer()
    ers, pb, vn, ter, gtp = [], [], [], [], []
    seqs = {}
    first6 = True
    for sec, frac, eth, v, ip, client in pkts:
        runs = ((2, 1), (2, 2)) if v == 4 else ((3, 3), (1, 0))
        for n, (kind, session) in enumerate(runs):
            seqs[session] = seqs.get(session, 0) + 1
            ers.append((sec, frac + n, erspan(eth, ip, kind, session, seqs[session], o, client,
                                              platform=not client)))
        for n, isid in enumerate((1000, 1001) if v == 4 else (1002,)):
            pb.append((sec, frac + n, pbb(eth, ip, isid, v == 6)))
        tag = (5 if client else (1 << 31) | (7 << 16))
        vn.append((sec, frac, eth[:12] + struct.pack('>HIH', 0x8926, tag, 0x0800 if v == 4 else 0x86dd) + ip))
        if v == 6:
            ter.append((sec, frac, teredo(eth, ip, client, first6, o)))
            first6 = False
            seqs['gtp'] = seqs.get('gtp', 0) + 1
            gtp.append((sec, frac, gtpu(eth, ip, 3, seqs['gtp'], client, o)))
        else:
            for n, teid in enumerate((1, 2)):
                gtp.append((sec, frac + n, gtpu(eth, ip, teid, None, client, o)))
    return (('tunnel-erspan.pcap', ers), ('tunnel-pbb.pcap', pb), ('tunnel-vntag.pcap', vn),
            ('tunnel-teredo.pcap', ter), ('tunnel-gtp.pcap', gtp))


def main():
    if sys.argv[1] == '--unwrap':
        unwrap(sys.argv[2], sys.argv[3])
        return
    plain, out = sys.argv[1], sys.argv[2]
    pkts = []
    for sec, frac, frame in read_pcap(plain):
        if frame[12:14] in (b'\x08\x00', b'\x86\xdd'):
            pkts.append((sec, frac) + split(frame))
    v4 = [p for p in pkts if p[3] == 4]
    o = Outer()
    ipip, ip6ip, gre, gnv, mpls, ppoe = [], [], [], [], [], []
    gre_seq = [0, 0]
    for sec, frac, eth, v, ip, client in pkts:
        e4 = eth[:12] + b'\x08\x00'
        e6 = eth[:12] + b'\x86\xdd'
        ipip.append((sec, frac, e4 + o.ip4(client, 4 if v == 4 else 41, ip)))
        ip6ip.append((sec, frac, e6 + o.ip6(client, 4 if v == 4 else 41, ip)))
        keys = (42, 43) if v == 4 else (42,)
        for n, key in enumerate(keys):
            gre_seq[n] += 1
            g = struct.pack('>HHII', 0x3000, 0x0800 if v == 4 else 0x86dd, key, gre_seq[n])
            gre.append((sec, frac + n, e4 + o.ip4(client, 47, g + ip)))
        if v == 4:
            for n, vni in enumerate((1, 2)):
                g = struct.pack('>BBHI', 0, 0, 0x6558, vni << 8) + eth + ip
                udp = struct.pack('>HHHH', 50000 + vni, 6081, 8 + len(g), 0) + g
                gnv.append((sec, frac + n, e4 + o.ip4(client, 17, udp)))
            labels = struct.pack('>II', (100 << 12) | 63, (200 << 12) | 0x100 | 63)
        else:
            labels = struct.pack('>I', (300 << 12) | 0x100 | 63)
        mpls.append((sec, frac, eth[:12] + b'\x88\x47' + labels + ip))
        if v == 4:
            ppoe.append((sec, frac, pppoe(eth, v, ip, 1, ())))
        else:
            ppoe.append((sec, frac, pppoe(eth, v, ip, 2, ((0x88a8, 100), (0x8100, 200)))))
    assert v4, 'no IPv4 packet in the plain capture'
    for name, frames in (('tunnel-ipip.pcap', ipip), ('tunnel-ip6ip.pcap', ip6ip),
                         ('tunnel-gre.pcap', gre), ('tunnel-geneve.pcap', gnv),
                         ('tunnel-mpls.pcap', mpls), ('tunnel-pppoe.pcap', ppoe)) + more(pkts):
        write_pcap(os.path.join(out, name), frames)


if __name__ == '__main__':
    main()
