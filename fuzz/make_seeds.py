#!/usr/bin/env python3
"""make_seeds.py - seed corpora for the fuzz harnesses from the captures in pcaps/."""
import os
import struct
import sys

LINKS = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 101: 5, 228: 6, 229: 7, 9: 8, 242: 9, 129: 10, 178: 11}


def tcp_of(frame):
    """(src, sport, dst, dport, flags, payload) of an Ethernet/IPv4-or-IPv6/TCP frame, or None."""
    if len(frame) < 14:
        return None
    kind = struct.unpack('>H', frame[12:14])[0]
    ip = frame[14:]
    if kind == 0x0800 and len(ip) >= 20 and ip[9] == 6:
        hl = (ip[0] & 15) * 4
        end = min(len(ip), struct.unpack('>H', ip[2:4])[0])
        src, dst, tcp = ip[12:16], ip[16:20], ip[hl:end]
    elif kind == 0x86dd and len(ip) >= 40 and ip[6] == 6:
        src, dst, tcp = ip[8:24], ip[24:40], ip[40:40 + struct.unpack('>H', ip[4:6])[0]]
    else:
        return None
    if len(tcp) < 20:
        return None
    sport, dport = struct.unpack('>HH', tcp[:4])
    return src, sport, dst, dport, tcp[13], tcp[(tcp[12] >> 4) * 4:]


def app_seeds(frames, path, prefix=b'', options=1, tracked=False):
    """Each connection's payloads in capture order, as fuzz_app reads them (anchored: options
    bit 0; fuzz_tls reads bits 1-7 too; tracked: fuzz_app's bit 1, the tracker's path)."""
    conns = {}
    for f in frames:
        t = tcp_of(f)
        if t is None:
            continue
        src, sport, dst, dport, flags, payload = t
        key = tuple(sorted([(src, sport), (dst, dport)]))
        c = conns.setdefault(key, {'client': None, 'segs': []})
        if flags & 0x12 == 0x02 and c['client'] is None:
            c['client'] = (src, sport)
        if payload:
            c['segs'].append(((src, sport), payload))
    for i, c in enumerate(conns.values()):
        if not c['segs']:
            continue
        segs = b''.join(bytes([0x80 if who == c['client'] else 0]) + struct.pack('>H', len(p)) + p
                        for who, p in c['segs'])
        open('%s-%d' % (path, i), 'wb').write(prefix + bytes([options]) + segs)
        if tracked:
            # the same through the tracker's path (fuzz_app's options bit 1): STARTTLS and its kin
            open('%s-%d-tracked' % (path, i), 'wb').write(prefix + bytes([options | 2]) + segs)


def kafka_seeds(frames, path):
    """Each Kafka message of a capture as fuzz_kafka reads it: mode, key, version, 0, message.

    Each direction is reassembled in sequence order; a direction whose first message
    has a valid-looking request header (key < 96, version < 24) carries requests, and
    the other direction's messages are answered by correlation id."""
    dirs, pending, n = {}, {}, 0
    for f in frames:
        t = tcp_of(f)
        if t is None:
            continue
        src, sport, dst, dport, flags, payload = t
        d = dirs.setdefault((src, sport, dst, dport), {'buf': b'', 'req': None})
        if not payload:
            continue
        d['buf'] += payload
        while len(d['buf']) >= 4:
            size = struct.unpack('>I', d['buf'][:4])[0]
            if len(d['buf']) < 4 + size:
                break
            msg, d['buf'] = d['buf'][4:4 + size], d['buf'][4 + size:]
            if d['req'] is None:
                key, ver = struct.unpack('>hh', msg[:4]) if len(msg) >= 4 else (-1, -1)
                d['req'] = 0 <= key < 96 and 0 <= ver < 24 and (dst, dport) not in \
                    {(s, p) for (s, p, _, _), v in dirs.items() if v['req']}
            conn = tuple(sorted([(src, sport), (dst, dport)]))
            if d['req'] and len(msg) >= 8:
                key, ver, corr = struct.unpack('>hhi', msg[:8])
                pending[(conn, corr)] = (key, ver)
                seed = bytes([0, key % 256, ver % 256, 255]) + msg
            elif len(msg) >= 4 and (conn, struct.unpack('>i', msg[:4])[0]) in pending:
                key, ver = pending.pop((conn, struct.unpack('>i', msg[:4])[0]))
                seed = bytes([1, key % 256, ver % 256, 255]) + msg
            else:
                continue
            open('%s-%d' % (path, n), 'wb').write(seed)
            n += 1


def tunnel_seeds(path):
    """fuzz_packet seeds for what pcaps/ has no capture of: GRE nested past the depth bound,
    an MPLS stack without a bottom, Geneve with options (one longer than the rest), VXLAN
    inside GRE (Ethernet inside), BCM-LI's shim (IP by version, Ethernet), PPPoE with a lying
    length, a one-byte PPP protocol, inside GRE and under a tag; ERSPAN type III with its
    subheader and PBB inside, an IP frame type, an unknown version; PBB nested past the depth
    bound, VN-Tag inside PBB; Teredo with lying authentication lengths, IPv4 inside; GTP-U with a
    chain of extension headers past the bound, a zero-length one, a lying length."""
    tcp = struct.pack('>HHIIBBHHH', 1234, 80, 1, 0, 0x50, 0x02, 512, 0, 0)

    def ip4(proto, payload):
        return struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(payload), 1, 0, 64, proto, 0,
                           bytes([10, 0, 0, 1]), bytes([10, 0, 0, 2])) + payload

    def eth(kind, payload):
        return bytes(12) + struct.pack('>H', kind) + payload

    def udp(dport, payload, sport=40000):
        return struct.pack('>HHHH', sport, dport, 8 + len(payload), 0) + payload

    inner = ip4(6, tcp)
    nested = inner
    for i in range(6):
        nested = ip4(47, struct.pack('>HHI', 0x2000, 0x0800, i) + nested)
    frames = {
        'gre-nested': eth(0x0800, nested),
        'mpls-no-bottom': eth(0x8847, b''.join(struct.pack('>I', (16 + i) << 12 | 63)
                                               for i in range(9)) + inner),
        'mpls-null': eth(0x8847, struct.pack('>I', 0x100 | 63) + inner),
        'geneve-options': eth(0x0800, ip4(17, udp(6081, bytes([2, 0x40, 0x65, 0x58, 0, 0, 1, 0]) +
                                                  bytes(8) + eth(0x0800, inner)))),
        'geneve-bad-option': eth(0x0800, ip4(17, udp(6081, bytes([2, 0, 0x08, 0, 0, 0, 1, 0]) +
                                                     bytes([1, 0x32, 0x81, 0x1f]) + bytes(4) + inner))),
        'bcm-li-ip': eth(0x0800, ip4(17, udp(49153, struct.pack('>I', 0x68000001) + inner, 49152))),
        'bcm-li-ether': eth(0x0800, ip4(17, udp(49153, struct.pack('>I', 0x4e000001) +
                                                 eth(0x0800, inner), 49152))),
        'vxlan-in-gre': eth(0x0800, ip4(47, struct.pack('>HH', 0, 0x0800) + ip4(17, udp(
            4789, bytes([8, 0, 0, 0, 0, 0, 5, 0]) + eth(0x0800, inner))))),
    }
    def pppoe(length, ppp):
        return struct.pack('>BBHH', 0x11, 0, 1, length) + ppp

    frames.update({
        'pppoe-long': eth(0x8864, pppoe(4000, b'\x00\x21' + inner)),
        'pppoe-pfc': eth(0x8864, pppoe(1 + len(inner), b'\x21' + inner)),
        'pppoe-in-gre': eth(0x0800, ip4(47, struct.pack('>HH', 0, 0x6558) + eth(0x8864, pppoe(
            2 + len(inner), b'\x00\x21' + inner)))),
        'pppoe-tagged-mpls': eth(0x8100, struct.pack('>HH', 5, 0x8864) + pppoe(
            6 + len(inner), b'\xff\x03\x02\x81' + struct.pack('>I', 0x100 | 63) + inner)),
    })
    def erspan3(last, payload):
        return ip4(47, struct.pack('>HHIIIHH', 0x1000, 0x22eb, 1, 2 << 28 | 3, 0, 0, last) +
                   (bytes(8) if last & 1 else b'') + payload)

    pbb_nested = eth(0x0800, inner)
    for i in range(6):
        pbb_nested = eth(0x88e7, struct.pack('>I', i) + pbb_nested)

    def gtp(flags, length, rest):
        return ip4(17, udp(2152, struct.pack('>BBHI', flags, 0xff, length, 7) + rest))

    frames.update({
        'erspan3-platform-pbb': eth(0x0800, erspan3(1, eth(0x88e7, struct.pack('>I', 5) +
                                                            eth(0x0800, inner)))),
        'erspan3-frame-ip': eth(0x0800, erspan3(2 << 10, inner)),
        'erspan2-version-3': eth(0x0800, ip4(47, struct.pack('>HHIII', 0x1000, 0x88be, 1,
                                                              3 << 28, 0) + eth(0x0800, inner))),
        'pbb-nested': pbb_nested,
        'vntag-in-pbb': eth(0x88e7, struct.pack('>I', 9) + eth(0x8926, struct.pack(
            '>IH', 5, 0x0800) + inner)),
        'teredo-auth-long': eth(0x0800, ip4(17, udp(3544, struct.pack('>HBB', 1, 250, 250) +
                                                    bytes(9) + inner))),
        'teredo-ipv4': eth(0x0800, ip4(17, udp(3544, bytes(8) + inner))),
        'gtp-ext-chain': eth(0x0800, gtp(0x34, 4 + 4 * 10 + len(inner), struct.pack(
            '>HBB', 0, 0, 0x85) + struct.pack('>BBBB', 1, 0, 0, 0x85) * 10 + inner)),
        'gtp-ext-zero': eth(0x0800, gtp(0x34, 8 + len(inner), struct.pack('>HBB', 0, 0, 0x85) +
                                        bytes(4) + inner)),
        'gtp-length-long': eth(0x0800, gtp(0x30, 4000, inner)),
    })
    for name, f in frames.items():
        open('%s-%s' % (path, name), 'wb').write(bytes([0]) + struct.pack('>H', len(f)) + f)
    # JUNIPER_ETHER (selector 11): the magic, the extension flag, 4 bytes of TLVs, Ethernet.
    jnx = b'MGC\x80' + struct.pack('>H', 4) + bytes([3, 1, 1, 0]) + eth(0x0800, inner)
    open(path + '-juniper-ether', 'wb').write(bytes([11]) + struct.pack('>H', len(jnx)) + jnx)
    return len(frames) + 1


def main():
    src, out = sys.argv[1], sys.argv[2]
    for h in ('fuzz_packet', 'fuzz_file', 'fuzz_app', 'fuzz_tls', 'fuzz_kafka'):
        os.makedirs(os.path.join(out, h), exist_ok=True)
        os.makedirs(os.path.join(os.path.dirname(out), 'corpus-' + h), exist_ok=True)
    n = 0
    for name in sorted(os.listdir(src)):
        if not name.endswith('.pcap'):
            continue
        data = open(os.path.join(src, name), 'rb').read()
        open(os.path.join(out, 'fuzz_file', name), 'wb').write(data)
        e = '<' if struct.unpack('<I', data[:4])[0] in (0xa1b2c3d4, 0xa1b23c4d) else '>'
        link = struct.unpack(e + 'I', data[20:24])[0]
        frames, off = [], 24
        while off + 16 <= len(data):
            incl = struct.unpack(e + 'I', data[off + 8:off + 12])[0]
            frames.append(data[off + 16:off + 16 + incl])
            off += 16 + incl
        # One seed per connection-sized run of frames (at most 16), with the link selector.
        for i in range(0, len(frames), 16):
            seed = bytes([LINKS.get(link, 0)]) + b''.join(
                struct.pack('>H', min(len(f), 65535)) + f[:65535] for f in frames[i:i + 16])
            open(os.path.join(out, 'fuzz_packet', '%s-%d' % (name, i)), 'wb').write(seed)
            n += 1
        if link == 1:
            app_seeds(frames, os.path.join(out, 'fuzz_app', name), tracked=True)
        if link == 1 and name.startswith('kafka-'):
            kafka_seeds(frames, os.path.join(out, 'fuzz_kafka', name))
        # fuzz_tls: the key log (2-byte length first), then the segments as for fuzz_app.
        keys = os.path.join(src, name[:-len('.pcap')] + '.keys')
        if link == 1 and os.path.exists(keys):
            kl = open(keys, 'rb').read()[:65535]
            app_seeds(frames, os.path.join(out, 'fuzz_tls', name), struct.pack('>H', len(kl)) + kl)
            # Live: the key log comes after the fourth segment (past the server's first flight).
            app_seeds(frames, os.path.join(out, 'fuzz_tls', 'live-' + name),
                      struct.pack('>H', len(kl)) + kl, options=1 | 2 | 4 << 2)
    n += tunnel_seeds(os.path.join(out, 'fuzz_packet', 'tunnel'))
    print('seeds: %d packet seeds, file seeds from %s' % (n, src))
    return 0


if __name__ == '__main__':
    sys.exit(main())
