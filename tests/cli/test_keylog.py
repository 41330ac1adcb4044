#!/usr/bin/env python3
"""test_keylog.py - --keylog on the command line: errors, hostile key logs, secrets never printed, no change without it.

Usage: test_keylog.py --tcpnote BIN --pcaps DIR
"""
import argparse
import os
import struct
import subprocess
import sys
import tempfile

FAILS = []


def check(cond, what):
    print('%s %s' % ('ok  ' if cond else 'FAIL', what))
    if not cond:
        FAILS.append(what)


def run(a, *args):
    p = subprocess.run([a.tcpnote, '-n'] + list(args), capture_output=True)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def drop_frame(src, dst, number):
    """Copy a little-endian classic pcap without frame `number` (1-based): a capture gap."""
    data = open(src, 'rb').read()
    out, off, n = [data[:24]], 24, 0
    while off + 16 <= len(data):
        incl = struct.unpack('<I', data[off + 8:off + 12])[0]
        n += 1
        if n != number:
            out.append(data[off:off + 16 + incl])
        off += 16 + incl
    open(dst, 'wb').write(b''.join(out))


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

    # Without --keylog nothing changes: the same as with no TLS session in the key log,
    # minus the "cannot decrypt" hints.
    rc, plain, _ = run(a, '-r', pcap)
    check('tls finished' not in plain and 'cannot decrypt' not in plain, 'without --keylog: no decryption')
    print('keylog: %d failed' % len(FAILS))
    return 1 if FAILS else 0


if __name__ == '__main__':
    sys.exit(main())
