#!/usr/bin/env python3
"""test_malformed.py - one test per kind of malformed input: the exact line or message, and the exit code.

Files are built here byte by byte. Each case states what tcpnote must print (with
-t, so without a timestamp) or say on stderr, and its exit status; where tcpdump
decodes the same packet, its line is checked to be the same (the tcpdump part).
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'oracle'))
from truncate_compare import ipv4_header, write_pcap  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import ENV, check, finish  # noqa: E402

A, B = '10.0.0.1', '10.0.0.2'


def tcp(flags=0x10, doff=5, opts=b'', payload=b'', seq=3, ack=4, win=5):
    return struct.pack('>HHIIBBHHH', 1, 2, seq, ack, doff << 4, flags, win, 0, 0) + opts + payload


def run(tcpnote, path, *flags):
    p = subprocess.run([tcpnote, '-n', '-t'] + list(flags) + ['-r', path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=ENV, timeout=60)
    out = [l.split('  # ')[0] for l in p.stdout.decode().splitlines()]
    return p.returncode, out, p.stdout.decode(), p.stderr.decode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    a = ap.parse_args()
    t = a.tcpnote
    tmp = tempfile.mkdtemp()

    def f(name, data):
        path = os.path.join(tmp, name)
        open(path, 'wb').write(data)
        return path

    def raw(name, *frames, wire=None):
        path = os.path.join(tmp, name)
        write_pcap(path, 101, [(1, i, fr, wire[i] if wire else len(fr)) for i, fr in enumerate(frames)])
        return path

    good = ipv4_header(20) + tcp()
    good_line = 'IP %s.1 > %s.2: Flags [.], ack 4, win 5, length 0' % (A, B)

    # --- files ---
    rc, out, so, err = run(t, f('empty.pcap', b''))
    check('empty file: exit 1, libpcap says it is truncated', rc == 1 and
          'truncated dump file; tried to read 4 file header bytes, only got 0' in err, err)
    rc, out, so, err = run(t, f('hdr.pcap', struct.pack('<IHH', 0xa1b2c3d4, 2, 4)))
    check('truncated file header: exit 1', rc == 1 and
          'tried to read 24 file header bytes, only got 4' in err, err)
    one = raw('one.pcap', good)
    data = open(one, 'rb').read()
    rc, out, so, err = run(t, f('cutrec.pcap', data + data[24:24 + 16 + 10]))
    check('truncated record: the whole packets, then exit 1', rc == 1 and out == [good_line] and
          'tried to read 40 captured bytes, only got 10' in err, (out, err))
    rc, out, so, err = run(t, raw('caplen.pcap', good, wire=[30]))
    check('record caplen larger than its len: tcpdump\'s invalid-header line, exit 0',
          rc == 0 and out == ['[Invalid header: len(30) < caplen(40)]'], (out, err))
    hdr = struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 32, 101)
    rc, out, so, err = run(t, f('snap.pcap', hdr + struct.pack('<IIII', 1, 0, 40, 40) + good))
    # libpcap cuts such a record to the snapshot length: 20 IP + 12 TCP bytes.
    check('record caplen larger than the snapshot length: cut to it, exit 0',
          rc == 0 and out == ['IP %s.1 > %s.2:  [|tcp]' % (A, B)], (out, err))
    rc, out, so, err = run(t, f('random.pcap', bytes((i * 37 + 11) % 256 for i in range(300))))
    check('random bytes: exit 1, unknown file format', rc == 1 and 'unknown file format' in err, err)
    # pcapng: SHB, an unknown block type (0x0BADBEEF), IDB (RAW), EPB with the good packet.
    def block(btype, body):
        body += b'\0' * (-len(body) % 4)
        n = 12 + len(body)
        return struct.pack('<II', btype, n) + body + struct.pack('<I', n)
    ng = block(0x0A0D0D0A, struct.pack('<IHHq', 0x1A2B3C4D, 1, 0, -1)) + \
        block(0x0BADBEEF, b'hello, unknown block') + \
        block(1, struct.pack('<HHI', 101, 0, 65535)) + \
        block(6, struct.pack('<IIIII', 0, 0, 1000000, len(good), len(good)) + good)
    rc, out, so, err = run(t, f('unknown-block.pcapng', ng))
    check('pcapng with an unknown block type: skipped, packet printed, exit 0',
          rc == 0 and out == [good_line], (out, err))
    path = os.path.join(tmp, 'dlt147.pcap')
    write_pcap(path, 147, [(1, 0, good, len(good))])
    rc, out, so, err = run(t, path)
    check('unsupported link type: exit 1 naming it', rc == 1 and 'link-type 147' in err and
          'not supported' in err, err)

    # --- IPv4 ---
    cases = [
        ('IPv4 header length under 20', ipv4_header(20)[:0] + bytes([0x44]) + ipv4_header(20)[1:] + tcp(),
         ['IP bad-hlen 16']),
        ('IPv4 header length beyond the packet',
         bytes([0x4f]) + ipv4_header(20)[1:2] + struct.pack('>H', 60) + ipv4_header(20)[4:] + tcp(),
         ['IP truncated-ip - 20 bytes missing!  [remaining caplen(40) < header length(60)] [|ip]']),
        ('IPv4 total length shorter than its header',
         ipv4_header(20)[:2] + struct.pack('>H', 12) + ipv4_header(20)[4:] + tcp(), ['IP bad-len 12']),
        ('IPv4 total length longer than the capture',
         ipv4_header(20)[:2] + struct.pack('>H', 50) + ipv4_header(20)[4:] + tcp(),
         ['IP truncated-ip - 10 bytes missing! %s.1 > %s.2: Flags [.], seq 3:13, ack 4, win 5, '
          'length 10' % (A, B)]),
        ('TCP data offset under 5', ipv4_header(20) + tcp(doff=4),
         ['IP %s.1 > %s.2:  tcp 4 [bad hdr length 16 - too short, < 20]' % (A, B)]),
        ('TCP data offset beyond the packet', ipv4_header(20) + tcp(doff=15),
         ['IP %s.1 > %s.2: Flags [.] [bad hdr length 60 - too long, > 20]' % (A, B)]),
        ('TCP option of length 0', ipv4_header(24) + tcp(doff=6, opts=bytes([2, 0, 0, 0])),
         ['IP %s.1 > %s.2: Flags [.], ack 4, win 5, options [[bad opt]' % (A, B)]),
        ('TCP option of length 1', ipv4_header(24) + tcp(doff=6, opts=bytes([1, 8, 1, 0])),
         ['IP %s.1 > %s.2: Flags [.], ack 4, win 5, options [nop,[bad opt]]' % (A, B)]),
        ('TCP option overrunning the header', ipv4_header(24) + tcp(doff=6, opts=bytes([1, 2, 10, 5])),
         ['IP %s.1 > %s.2: Flags [.], ack 4, win 5, options [nop,[bad opt]]' % (A, B)]),
        ('IPv4 later fragment', ipv4_header(8, off=0x0003) + tcp()[:8],
         ['IP %s > %s: ip-proto-6' % (A, B)]),
        ('IPv4 first fragment', ipv4_header(20, off=0x2000) + tcp(), [good_line]),
        ('RST with payload', ipv4_header(25) + tcp(flags=0x14, payload=b'\x01bye\xff'),
         ['IP %s.1 > %s.2: Flags [R.], seq 3:8, ack 4, win 5, length 5' % (A, B)]),
    ]
    for name, frame, want in cases:
        path = raw(name.replace(' ', '_') + '.pcap', frame)
        rc, out, so, err = run(t, path)
        check('%s: %s' % (name, want[0]), rc == 0 and out == want, (rc, out, err))
        td = subprocess.run(['tcpdump', '-n', '-t', '-r', path], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=ENV).stdout.decode().splitlines()
        check('%s: tcpdump prints the same' % name, [l[:len(w)] for l, w in zip(td, want)] == want,
              td)
    path = raw('rst-v.pcap', ipv4_header(25) + tcp(flags=0x14, payload=b'\x01bye\xff'))
    rc, out, so, err = run(t, path, '-v')
    check('RST payload under -v is shown escaped, as tcpdump: [RST ^AbyeM-^?]',
          rc == 0 and out[-1].endswith('length 5 [RST ^AbyeM-^?]'), out)

    # --- sequence numbers wrapping across 2^32 ---
    wrap = raw('wrap.pcap',
               ipv4_header(20) + tcp(flags=0x02, seq=0xffffffff, ack=0),
               ipv4_header(20)[:12] + ipv4_header(20)[16:20] + ipv4_header(20)[12:16] +
               struct.pack('>HHIIBBHHH', 2, 1, 7, 0, 0x50, 0x12, 5, 0, 0),
               ipv4_header(25) + tcp(flags=0x18, seq=0, ack=8, payload=b'hello'))
    rc, out, so, err = run(t, wrap, '-S')
    check('sequence numbers across 2^32: the data after a SYN at 4294967295 starts at 0',
          rc == 0 and out[0].endswith('Flags [S], seq 4294967295, win 5, length 0') and
          out[2].endswith('Flags [P.], seq 0:5, ack 8, win 5, length 5'), out)
    # The server offered a 5-byte window (no scaling): the 5 bytes fill it exactly.
    check('...and it completes the handshake, is new data and fills the window',
          so.splitlines()[2].endswith('# handshake 3/3, data, window full'), so)

    # --- IPv6 extension headers ---
    src6, dst6 = bytes(15) + b'\x01', bytes(15) + b'\x02'

    def ip6(nxt, payload):
        return struct.pack('>IHBB', 0x60000000, len(payload), nxt, 64) + src6 + dst6 + payload
    chain = b''.join(bytes([60, 0, 1, 4, 0, 0, 0, 0]) for _ in range(20)) + bytes([6, 0, 1, 4, 0, 0, 0, 0])
    rc, out, so, err = run(t, raw('ext-loop.pcap', ip6(60, chain + tcp())))
    check('IPv6 extension-header chain too long to follow: not shown, counted, exit 0',
          rc == 0 and out == [] and '1 non-TCP packet not shown' in err, (out, err))
    over = bytes([6, 200, 1, 4, 0, 0, 0, 0])  # says 1608 bytes long
    rc, out, so, err = run(t, raw('ext-over.pcap', ip6(60, over + tcp())))
    check('IPv6 extension header overrunning the packet: not shown, counted, exit 0',
          rc == 0 and out == [] and '1 non-TCP packet not shown' in err, (out, err))
    rc, out, so, err = run(t, raw('frag6.pcap', ip6(44, struct.pack('>BBHI', 6, 0, 0x0008, 9) + tcp())))
    check('IPv6 later fragment: tcpdump\'s frag line', rc == 0 and
          out == ['IP6 ::1 > ::2: frag (8|20)'], (out, err))

    return finish('malformed')


if __name__ == '__main__':
    sys.exit(main())
