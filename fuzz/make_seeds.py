#!/usr/bin/env python3
"""make_seeds.py - seed corpora for the fuzz harnesses from the captures in pcaps/."""
import os
import struct
import sys

LINKS = {1: 0, 113: 1, 276: 2, 0: 3, 108: 4, 101: 5, 228: 6, 229: 7}


def main():
    src, out = sys.argv[1], sys.argv[2]
    for h in ('fuzz_packet', 'fuzz_file'):
        os.makedirs(os.path.join(out, h), exist_ok=True)
    os.makedirs(os.path.join(os.path.dirname(out), 'corpus-fuzz_packet'), exist_ok=True)
    os.makedirs(os.path.join(os.path.dirname(out), 'corpus-fuzz_file'), exist_ok=True)
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
    print('seeds: %d packet seeds, file seeds from %s' % (n, src))
    return 0


if __name__ == '__main__':
    sys.exit(main())
