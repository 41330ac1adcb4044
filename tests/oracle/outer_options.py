#!/usr/bin/env python3
"""outer_options.py - copies of Ethernet captures whose tunnels' outer IPv4 headers carry IPv4 options.

No kernel tunnel driver puts options in the outer header, so they are added here to real
captures: in every Ethernet frame whose IPv4 header carries IP-in-IP (4, 41), GRE (47) or
UDP (17) and has no options, OPTIONS (8 bytes: router alert, a timestamp option with one
empty slot) goes after the fixed header; header length, total length and header checksum
are fixed, the frame's captured and wire lengths grow by 8. The UDP checksum stays right:
its pseudo-header has the same addresses and UDP length.

Usage: outer_options.py IN.pcap OUT.pcap   (writes how many frames it changed)
"""
import struct
import sys

# RA (RFC 2113), then TS (RFC 791 3.1, "Internet Timestamp"): length 4, pointer 5, flag 0 (TSONLY)
OPTIONS = bytes([0x94, 0x04, 0x00, 0x00, 0x44, 0x04, 0x05, 0x00])


def csum(data):
    s = sum(struct.unpack('>%dH' % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff


def with_options(frame):
    """The frame with OPTIONS in its outer IPv4 header, or None when it has no such header."""
    if len(frame) < 34 or frame[12:14] != b'\x08\x00' or frame[14] != 0x45 or frame[23] not in (4, 17, 41, 47):
        return None
    ip = bytearray(frame[14:34]) + OPTIONS
    ip[0] = 0x45 + len(OPTIONS) // 4
    ip[2:4] = struct.pack('>H', struct.unpack('>H', ip[2:4])[0] + len(OPTIONS))
    ip[10:12] = b'\0\0'
    ip[10:12] = struct.pack('>H', csum(bytes(ip)))
    return frame[:14] + bytes(ip) + frame[34:]


def copy_with_options(src, dst):
    """Writes the copy of src to dst: the number of frames changed, or None when src is not an
    Ethernet capture (nothing written)."""
    data = open(src, 'rb').read()
    e = '<' if data[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    if data[:4] not in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1', b'\xa1\xb2\xc3\xd4', b'\xa1\xb2\x3c\x4d') \
            or struct.unpack(e + 'I', data[20:24])[0] != 1:
        return None
    out, off, changed = [data[:24]], 24, 0
    while off + 16 <= len(data):
        sec, frac, incl, orig = struct.unpack(e + 'IIII', data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        new = with_options(frame)
        if new is not None:
            changed += 1
            incl, orig, frame = incl + len(OPTIONS), orig + len(OPTIONS), new
        out.append(struct.pack(e + 'IIII', sec, frac, incl, orig) + frame)
    open(dst, 'wb').write(b''.join(out))
    return changed


def main():
    n = copy_with_options(sys.argv[1], sys.argv[2])
    if n is None:
        sys.exit('outer_options.py: %s is not an Ethernet pcap file' % sys.argv[1])
    print(n)


if __name__ == '__main__':
    main()
