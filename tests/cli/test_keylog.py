#!/usr/bin/env python3
"""test_keylog.py - --keylog on the command line: errors, hostile key logs, secrets never printed, no change without it.

Usage: test_keylog.py --tcpnote BIN --pcaps DIR
"""
import argparse
import json
import os
import struct
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'pcaps'))
from craft import csum  # noqa: E402  (the Internet checksum, RFC 1071)

FAILS = []


def check(cond, what):
    print('%s %s' % ('ok  ' if cond else 'FAIL', what))
    if not cond:
        FAILS.append(what)


def run(a, *args):
    p = subprocess.run([a.tcpnote, '-n'] + list(args), capture_output=True)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def records(path):
    """A little-endian classic pcap: its file header and its records (record header + frame)."""
    data = open(path, 'rb').read()
    recs, off = [], 24
    while off + 16 <= len(data):
        incl = struct.unpack('<I', data[off + 8:off + 12])[0]
        recs.append(data[off:off + 16 + incl])
        off += 16 + incl
    return data[:24], recs


def write(path, head, recs):
    open(path, 'wb').write(head + b''.join(recs))


def drop_frame(src, dst, number):
    """Copy a capture without frame `number` (1-based): a capture gap."""
    head, recs = records(src)
    write(dst, head, recs[:number - 1] + recs[number:])


def resend(rec, seq, payload, ip_id):
    """The record of an Ethernet/IPv4/TCP frame sent again with other payload bytes at
    sequence number seq: a new IP ID, the same ports, ACK, flags and time, checksums right."""
    frame = rec[16:]
    ihl = (frame[14] & 15) * 4
    doff = (frame[14 + ihl + 12] >> 4) * 4
    ip = bytearray(frame[14:14 + ihl])
    tcp = bytearray(frame[14 + ihl:14 + ihl + doff])
    ip[2:4] = struct.pack('!H', ihl + doff + len(payload))
    ip[4:6] = struct.pack('!H', ip_id)
    ip[10:12] = b'\0\0'
    ip[10:12] = struct.pack('!H', csum(bytes(ip)))
    tcp[4:8] = struct.pack('!I', seq)
    tcp[16:18] = b'\0\0'
    pseudo = bytes(ip[12:20]) + struct.pack('!BBH', 0, 6, doff + len(payload))
    tcp[16:18] = struct.pack('!H', csum(pseudo + bytes(tcp) + payload))
    frame = frame[:14] + bytes(ip) + bytes(tcp) + payload
    return rec[:8] + struct.pack('<II', len(frame), len(frame)) + frame


def payload(rec):
    frame = rec[16:]
    ihl = (frame[14] & 15) * 4
    return frame[14 + ihl + (frame[14 + ihl + 12] >> 4) * 4:]


HINT_WORDS = ('tls ', 'http ')


def packets(a, pcap, keys):
    """tcpnote --json --keylog: each packet record, its labels cut to the TLS and HTTP hints."""
    rc, out, err = run(a, '--json', '-r', pcap, '--keylog', keys)
    pkts = [json.loads(line) for line in out.splitlines()]
    pkts = [p for p in pkts if p.get('type') == 'packet']
    for p in pkts:
        p['hints'] = [h for h in p['labels'] if h.startswith(HINT_WORDS)]
    return rc, pkts


def held_pair(pkts):
    """Two frames in a row (0-based i, i + 1), server data in sequence, the first with no hint
    and the second completing a record with an HTTP response: the pair to reorder."""
    server = pkts[0]['dport']
    for i in range(len(pkts) - 1):
        x, y = pkts[i], pkts[i + 1]
        if (x['sport'] == y['sport'] == server and x['len'] > 1 and y['len'] > 1 and
                (x['seq'] + x['len']) % 2**32 == y['seq'] and x['labels'] == ['data'] and
                any(h.startswith('http response') for h in y['hints'])):
            return i
    return None


def reordered(a, d):
    """The lossy capture's frames reordered and sent again: held, then read once, in order."""
    pcap = os.path.join(a.pcaps, 'tls13-lossy-keylog.pcap')
    keys = pcap[:-5] + '.keys'
    rc, orig = packets(a, pcap, keys)
    hints = [p['hints'] for p in orig]
    i = held_pair(orig)
    check(rc == 0 and i is not None, 'lossy capture: two server segments in a row to reorder')
    if i is None:
        return
    head, recs = records(pcap)
    swapped = os.path.join(d, 'swapped.pcap')
    write(swapped, head, recs[:i] + [recs[i + 1], recs[i]] + recs[i + 2:])
    rc, got = packets(a, swapped, keys)
    want = hints[:i] + [hints[i], hints[i + 1]] + hints[i + 2:]
    check(rc == 0 and [p['hints'] for p in got] == want,
          'two segments swapped: the later one held, its hints on the frame that fills the gap '
          '(frame %d): %r' % (i + 2, got[i + 1]['hints']))

    # Before the pair: a retransmission of the first's second half and the second's first
    # half (held); after it, the first again whole (old). Each byte is read once.
    x, y = payload(recs[i]), payload(recs[i + 1])
    seq = (orig[i]['seq'] + len(x) // 2) % 2**32
    over = resend(recs[i], seq, x[len(x) // 2:] + y[:len(y) // 2], 0x4242)
    again = resend(recs[i], orig[i]['seq'], x, 0x4243)
    overlap = os.path.join(d, 'overlap.pcap')
    write(overlap, head, recs[:i] + [over, recs[i], recs[i + 1], again] + recs[i + 2:])
    rc, got = packets(a, overlap, keys)
    g = [p['hints'] for p in got]
    check(rc == 0 and g[:i] == hints[:i] and g[i + 4:] == hints[i + 2:] and g[i] == [] and
          g[i + 3] == [] and sorted(g[i + 1] + g[i + 2]) == sorted(hints[i] + hints[i + 1]),
          'an overlapping retransmission held before the pair, a whole one after it: the '
          'same hints, none twice: %r' % g[i:i + 4])
    check(not any('cannot decrypt' in h for p in got for h in p['hints']), 'nothing lost')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    ap.add_argument('--pcaps', required=True)
    a = ap.parse_args()
    pcap = os.path.join(a.pcaps, 'tls13-aes128-keylog.pcap')
    keys = os.path.join(a.pcaps, 'tls13-aes128-keylog.keys')
    secrets = [line.split()[2] for line in open(keys) if len(line.split()) == 3]

    rc, out, err = run(a, '-r', pcap, '--keylog', '/nonexistent/keys')
    check(rc == 1 and '/nonexistent/keys' in err and out == '',
          'a key log that cannot be opened: exit 1, named')
    rc, out, err = run(a, '-r', pcap, '--keylog')
    check(rc == 2, '--keylog without a file: usage error')

    rc, out, err = run(a, '-r', pcap, '--keylog', keys)
    check(rc == 0 and 'tls finished' in out and 'http request GET /' in out and
          'http response 200' in out and 'skipped' not in err, 'the key log decrypts')
    check(not any(s in out + err or s.upper() in out + err for s in secrets),
          'no secret in the output')

    with tempfile.TemporaryDirectory() as d:
        hostile = os.path.join(d, 'hostile.keys')
        with open(hostile, 'wb') as f:
            f.write(b'\x1b[2J\x1b]0;owned\x07 garbage\n')
            f.write(b'CLIENT_RANDOM zz \x1b[31mred\n')
            f.write(b'A' * 100000 + b'\n')
            f.write(b'bad\x00line\n')
            f.write(b'# a comment\n\n')
            f.write(open(keys, 'rb').read())
        rc, out, err = run(a, '-r', pcap, '--keylog', hostile)
        check(rc == 0 and '4 lines skipped' in err, 'hostile lines counted once: %r' % err.strip())
        check('\x1b' not in err and 'owned' not in err and 'garbage' not in err and
              'AAAA' not in err, 'nothing of the key log echoed')
        check('tls finished' in out, 'the good lines still decrypt')

        wrong = os.path.join(d, 'wrong.keys')
        with open(wrong, 'w') as f:
            for line in open(keys):
                label, rnd, sec = line.split()
                # flip the secret's first digit: a wrong key of the right length
                sec = ('1' if sec[0] == '0' else '0') + sec[1:]
                f.write('%s %s %s\n' % (label, rnd, sec))
        rc, out, err = run(a, '-r', pcap, '--keylog', wrong)
        check(rc == 0 and out.count('tls cannot decrypt (authentication failed)') == 2 and
              'tls finished' not in out and 'http request' not in out,
              'a wrong key: cannot decrypt once per direction, nothing decrypted shown')

        empty = os.path.join(d, 'empty.keys')
        open(empty, 'w').close()
        rc, out, err = run(a, '-r', pcap, '--keylog', empty)
        check(rc == 0 and out.count('tls cannot decrypt (no key)') == 2, 'no key: said once per direction')

        # A server segment lost from the capture (frame 18, the second answer's body): the
        # records after it cannot be put in order; said once, and nothing decrypted after.
        ka = os.path.join(a.pcaps, 'tls13-keepalive-keylog.pcap')
        gap = os.path.join(d, 'gap.pcap')
        drop_frame(ka, gap, 18)
        rc, out, err = run(a, '-r', gap, '--keylog', ka[:-5] + '.keys')
        check(rc == 0 and out.count('tls cannot decrypt (capture gap)') == 1 and
              out.count('http response 200') == 2 and out.count('http request GET') == 5,
              'a capture gap: said once, the client side still decrypted')
        # ... on the client's ACK of the missing bytes, which tcpnote calls "acked unseen segment"
        gap_line = [l for l in out.splitlines() if 'capture gap' in l]
        check(len(gap_line) == 1 and 'acked unseen segment' in gap_line[0],
              'the capture gap is said where the peer acknowledges the missing bytes')

        reordered(a, d)

    # Without --keylog nothing changes: the same as with no TLS session in the key log,
    # minus the "cannot decrypt" hints.
    rc, plain, _ = run(a, '-r', pcap)
    check('tls finished' not in plain and 'cannot decrypt' not in plain, 'without --keylog: no decryption')
    print('keylog: %d failed' % len(FAILS))
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main())
