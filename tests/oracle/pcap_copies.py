#!/usr/bin/env python3
"""pcap_copies.py - which frames of a capture are a second copy of a packet, found without tcpnote's rule.

A capture that sees each packet twice (a bridge, a bond, the Linux "any" device)
records the same IP packet once per interface. Here a copy is a frame whose IP packet
(TTL or hop limit and the IPv4 header checksum aside, which a router changes) equals
an earlier, not yet paired frame's from another interface (LINUX_SLL2's interface
index): no time window, no digest. A capture of one interface (EN10MB) has none.
"""
import struct
import sys


def second_copies(path):
    """Frame numbers of the second copies in a pcap file: the same IP packet (TTL or hop limit and
    IPv4 header checksum aside) as an earlier, not yet paired frame captured on another interface
    (LINUX_SLL2's interface index). A capture of one interface has none."""
    data = open(path, 'rb').read()
    order = '<' if data[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    link = struct.unpack(order + 'I', data[20:24])[0]
    if link not in (1, 276):
        raise ValueError('%s: link type %d' % (path, link))
    unpaired, copies, off, frame = {}, set(), 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack(order + 'I', data[off + 8:off + 12])[0]
        pkt = bytearray(data[off + 16:off + 16 + incl])
        off += 16 + incl
        frame += 1
        if link == 1:
            ifindex, ip = None, pkt[14:]
        else:
            ifindex, ip = pkt[4:8], pkt[20:]
        if ip[:1] and ip[0] >> 4 == 4 and len(ip) >= 20:
            ip[8] = ip[10] = ip[11] = 0
        elif ip[:1] and ip[0] >> 4 == 6 and len(ip) >= 40:
            ip[7] = 0
        key = bytes(ip)
        waiting = unpaired.setdefault(key, [])
        other = [w for w in waiting if w != ifindex]
        if ifindex is not None and other:
            waiting.remove(other[0])
            copies.add(frame)
        else:
            waiting.append(ifindex)
    return copies


if __name__ == '__main__':
    for path in sys.argv[1:]:
        print(path, sorted(second_copies(path)))
