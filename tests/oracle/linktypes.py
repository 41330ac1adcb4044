#!/usr/bin/env python3
"""linktypes.py - writes captures of every link type tcpnote decodes, in the variants -e shows.

The captures in pcaps/ and tcpdump's corpus are EN10MB with zero MAC addresses, LINUX_SLL,
LINUX_SLL2 from lo, a few NULL, RAW, IPV4 and IPV6 files: no VLAN tag, no LOOP, no
802.1ad. These are made byte by byte, every packet a TCP segment with correct checksums,
for the tcpdump oracle (tcpdump_compare.py) to compare `-e` and the timestamps on:

  en10mb.pcap     Ethernet: IPv4 and IPv6; 802.1Q tags with every priority, DEI and
                  VLAN 0 and 4095; 802.1ad (0x88a8), 0x9100 and 0x9200 outer tags;
                  three tags; broadcast and MAC addresses from tcpdump's OUI table
                  (names without -n);
                  an IPv6 packet behind the IPv4 ethertype; headers cut short
  sll.pcap        LINUX_SLL: every packet type and an unknown one, address lengths
                  6, 0 and 4, IPv6, an 802.1Q tag inside
  sll2.pcap       LINUX_SLL2 ("any"): interface 1 (lo) and one that does not exist,
                  packet types, address lengths, IPv6, an 802.1Q tag
  null.pcap       NULL: AF_INET and the three BSD AF_INET6 values, in both byte orders
  loop.pcap       LOOP: the same families in network order, and AF_INET the other way
  raw.pcap, raw12.pcap, ipv4.pcap, ipv6.pcap   RAW (linktype 101 and 12), IPV4, IPV6

Every file is written with nanosecond timestamps (magic 0xa1b23c4d) whose last three
digits are not zero, and one packet a little earlier than the one before it (-ttt shows
a negative delta); --micro writes microsecond files instead. times.pcap (IPV4) holds
the timestamps print.c treats apart: zero (no -ttt reference), deltas of more than a
day, fractions of a second or more (invalid, read as signed 32-bit numbers), a time
with bit 31 set, and a record whose caplen exceeds its length (no timestamp at all).

Run: python3 tests/oracle/linktypes.py DIR [--micro]
"""
import os
import struct
import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'pcaps'))
from craft import csum  # noqa: E402  (the Internet checksum, RFC 1071)

A4, B4 = bytes([192, 0, 2, 1]), bytes([198, 51, 100, 7])  # TEST-NET-1 and -2
A6 = bytes.fromhex('20010db8000000000000000000000001')
B6 = bytes.fromhex('20010db8000000000000000000000abc')
ETH_IP4, ETH_IP6 = 0x0800, 0x86dd


def tcp(src, dst, pseudo_len_fmt, sport, dport, seq, flags=0x02, payload=b''):
    opts = struct.pack('>BBH', 2, 4, 1460) + b'\x01\x01\x04\x02'
    hl = 20 + len(opts)
    seg = struct.pack('>HHIIBBHHH', sport, dport, seq, 0, (hl // 4) << 4, flags, 64240, 0, 0)
    seg += opts + payload
    pseudo = src + dst + pseudo_len_fmt(len(seg))
    return seg[:16] + struct.pack('>H', csum(pseudo + seg)) + seg[18:]


def ipv4(sport=40000, dport=80, seq=1000, payload=b''):
    seg = tcp(A4, B4, lambda n: struct.pack('>BBH', 0, 6, n), sport, dport, seq,
              0x18 if payload else 0x02, payload)
    hdr = struct.pack('>BBHHHBBH4s4s', 0x45, 0, 20 + len(seg), 4242, 0x4000, 64, 6, 0, A4, B4)
    hdr = hdr[:10] + struct.pack('>H', csum(hdr)) + hdr[12:]
    return hdr + seg


def ipv6(sport=40001, dport=443, seq=2000, src=A6):
    seg = tcp(src, B6, lambda n: struct.pack('>IxxxB', n, 6), sport, dport, seq)
    return struct.pack('>IHBB16s16s', 0x60012345, len(seg), 6, 64, src, B6) + seg


def ether(dst, src, types_and_tcis, payload):
    """types_and_tcis: [(tpid, tci), ...] then the final ethertype as an int."""
    out = bytes.fromhex(dst.replace(':', '')) + bytes.fromhex(src.replace(':', ''))
    for tpid, tci in types_and_tcis[:-1]:
        out += struct.pack('>HH', tpid, tci)
    return out + struct.pack('>H', types_and_tcis[-1]) + payload


def sll(pkttype, halen, addr, proto, payload, hatype=1):
    return struct.pack('>HHH8sH', pkttype, hatype, halen, addr.ljust(8, b'\0'), proto) + payload


def sll2(ifindex, pkttype, halen, addr, proto, payload, hatype=1):
    return struct.pack('>HHIHBB8s', proto, 0, ifindex, hatype, pkttype, halen,
                       addr.ljust(8, b'\0')) + payload


MAC = bytes.fromhex('0242ac110002')


def tci(vid, pcp=0, dei=0):
    return (pcp << 13) | (dei << 12) | vid


def frames_en10mb():
    z = '00:00:00:00:00:00'
    out = [ether('ff:ff:ff:ff:ff:ff', '02:42:ac:11:00:02', [ETH_IP4], ipv4()),
           ether(z, z, [ETH_IP6], ipv6())]
    for pcp in range(8):
        out.append(ether('02:42:ac:11:00:03', '02:42:ac:11:00:02',
                         [(0x8100, tci(100 + pcp, pcp, pcp & 1)), ETH_IP4], ipv4(seq=pcp)))
    out += [
        ether(z, z, [(0x8100, tci(0)), ETH_IP6], ipv6()),
        ether(z, z, [(0x8100, tci(4095, 7, 1)), ETH_IP4], ipv4()),
        ether(z, z, [(0x88a8, tci(10, 3)), (0x8100, tci(20, 5)), ETH_IP4], ipv4()),
        ether(z, z, [(0x9100, tci(30)), (0x8100, tci(40)), ETH_IP6], ipv6()),
        ether(z, z, [(0x9200, tci(50)), ETH_IP4], ipv4()),
        ether(z, z, [(0x88a8, tci(1)), (0x8100, tci(2)), (0x8100, tci(3)), ETH_IP4], ipv4()),
        # IPv6 behind the IPv4 ethertype, its byte 9 (where IPv4 has the protocol) 6.
        ether(z, z, [ETH_IP4], ipv6(src=bytes.fromhex('20060db8') + A6[4:])),
    ]
    # Addresses whose OUI tcpdump names without -n (oui.c), and some it does not.
    ouis = ['00:00:0c', '00:00:5e', '00:00:81', '00:00:f8', '00:80:c2', '00:a0:3e',
            '00:e0:2f', '08:00:07', '00:90:69', '08:00:09', '00:12:0f', '00:12:bb',
            '00:1b:21', '00:23:20', '5c:16:c7', 'b0:d2:f5', '00:24:81', '00:04:ea',
            '74:87:71', 'a4:23:05', '00:04:9f', '00:15:ad', '00:10:18', '00:e0:04',
            'd0:f0:db', 'ff:ff:ff', '01:00:5e', '33:33:00', 'ab:cd:ef']
    for i in range(0, len(ouis), 2):
        dst = ouis[i] + ':01:02:03'
        src = (ouis[i + 1] if i + 1 < len(ouis) else ouis[0]) + ':0a:0b:0c'
        out.append(ether(dst, src, [ETH_IP4], ipv4(seq=7000 + i)))
    # Cut short by the snapshot length behind a whole link header: the TCP header, the
    # IPv4 header after its protocol byte, the IPv6 header.
    out.append((ether(z, z, [(0x8100, tci(7)), ETH_IP4], ipv4()), 14 + 4 + 20 + 10))
    out.append((ether(z, z, [ETH_IP4], ipv4()), 14 + 12))
    out.append((ether(z, z, [ETH_IP6], ipv6()), 14 + 30))
    return out


def frames_sll():
    out = []
    for pt in (0, 1, 2, 3, 4, 7):
        out.append(sll(pt, 6, MAC, ETH_IP4, ipv4(seq=pt)))
    out += [sll(0, 0, b'', ETH_IP4, ipv4()),
            sll(4, 4, b'\x0a\x00\x00\x01', ETH_IP6, ipv6()),
            sll(0, 6, MAC, ETH_IP6, ipv6(), hatype=772),
            sll(0, 6, MAC, 0x8100, struct.pack('>HH', tci(12, 2, 1), ETH_IP4) + ipv4()),
            sll(4, 6, MAC, 0x8100, struct.pack('>HH', tci(13), 0x8100) +
                struct.pack('>HH', tci(14), ETH_IP6) + ipv6())]
    return out


def frames_sll2():
    out = []
    for pt in (0, 1, 2, 3, 4, 7):
        out.append(sll2(1, pt, 6, MAC, ETH_IP4, ipv4(seq=pt)))
    out += [sll2(987654, 0, 6, MAC, ETH_IP4, ipv4()),
            sll2(1, 4, 0, b'', ETH_IP6, ipv6()),
            sll2(1, 0, 4, b'\x0a\x00\x00\x01', ETH_IP4, ipv4()),
            sll2(1, 0, 6, MAC, 0x8100, struct.pack('>HH', tci(15, 6), ETH_IP4) + ipv4())]
    return out


def frames_null(order):
    out = []
    for af, pkt in ((2, ipv4()), (24, ipv6()), (28, ipv6()), (30, ipv6())):
        out.append(struct.pack(order + 'I', af) + pkt)
    return out


def frames_loop():
    out = [struct.pack('>I', af) + pkt
           for af, pkt in ((2, ipv4()), (24, ipv6()), (28, ipv6()), (30, ipv6()))]
    return out + [struct.pack('<I', 2) + ipv4()]


def stamps(n, nano):
    """Steps of 1.000001001 s, with the third packet 2 ms before the second."""
    t = 1700000000 * 10**9 + 123456789
    for i in range(n):
        t += 1000001001 if i != 2 else -2000000
        sec, ns = divmod(t, 10**9)
        yield sec, ns if nano else ns // 1000


def frames_times(nano):
    """Timestamps as print.c sees them: (seconds, fraction as written, frame)."""
    one = 10**9 if nano else 10**6
    # A microsecond fraction read with --nano is multiplied by 1000 in a long; tcpnote
    # keeps 32 bits of it, so the invalid ones here stay within 2^31 once multiplied.
    big, minus = (2**31, 2**32 - 5) if nano else (2147483, 2**32 - 2000000)
    out = [(0, 0), (5, 0), (7, 0), (0, 0), (9, 1),            # a zero time is no reference
           (1000, 5), (1000 + 49 * 3600 + 61, 7),              # hours of the day only
           (1418145369, one - 1), (1418145370, one),           # fractions of a second or more,
           (1418145370, big), (1418145371, minus),             # read as 32-bit signed numbers
           (0x90000000, 1), (0x10, 2),                          # a negative 32-bit time
           (2**31 - 1, one - 1)]
    frames = [(sec, frac, ipv4(seq=i)) for i, (sec, frac) in enumerate(out)]
    # A record claiming more captured than sent bytes: no timestamp, no new reference.
    frames.insert(8, (1418145370, 3, (ipv4(), 48, 40)))
    return frames


def write(path, linktype, frames, nano, times=None):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b23c4d if nano else 0xa1b2c3d4, 2, 4, 0, 0, 262144,
                            linktype))
        if times is None:
            times = [(sec, frac, fr) for (sec, frac), fr in zip(stamps(len(frames), nano), frames)]
        for sec, frac, fr in times:
            # A frame: its bytes, or (bytes, caplen), or (bytes, caplen, length on the wire).
            if isinstance(fr, bytes):
                fr = (fr, len(fr))
            data, caplen, wire = fr if len(fr) == 3 else (fr[0], fr[1], len(fr[0]))
            f.write(struct.pack('<IIII', sec, frac, caplen, wire) + data[:caplen])


def main():
    args = [a for a in sys.argv[1:] if not a.startswith('--')]
    if len(args) != 1:
        print(__doc__)
        return 2
    d = args[0]
    nano = '--micro' not in sys.argv
    os.makedirs(d, exist_ok=True)
    write(os.path.join(d, 'en10mb.pcap'), 1, frames_en10mb(), nano)
    write(os.path.join(d, 'sll.pcap'), 113, frames_sll(), nano)
    write(os.path.join(d, 'sll2.pcap'), 276, frames_sll2(), nano)
    write(os.path.join(d, 'null.pcap'), 0, frames_null('<') + frames_null('>'), nano)
    write(os.path.join(d, 'loop.pcap'), 108, frames_loop(), nano)
    write(os.path.join(d, 'raw.pcap'), 101, [ipv4(), ipv6()], nano)
    write(os.path.join(d, 'raw12.pcap'), 12, [ipv4(), ipv6()], nano)
    write(os.path.join(d, 'ipv4.pcap'), 228, [ipv4(), ipv4(dport=7070, seq=5, payload=b'hello')],
          nano)
    write(os.path.join(d, 'ipv6.pcap'), 229, [ipv6(), ipv6(seq=9)], nano)
    write(os.path.join(d, 'times.pcap'), 228, None, nano, frames_times(nano))
    return 0


if __name__ == '__main__':
    sys.exit(main())
