#!/usr/bin/env python3
"""test_names.py - names without -n: escaped for a terminal, one per address, numbers with -n.

Runs in a network and mount namespace of its own (as the oracle's --resolve does), with
its own /etc/hosts: one hostile name holding terminal escape sequences, and no network,
so a name not in the file fails at once and the address stays numeric. Needs root;
without it the test reports itself skipped (exit 77).
"""
import argparse
import os
import shutil
import struct
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'oracle'))
from checks import check, finish, run  # noqa: E402
import tcpdump_compare  # noqa: E402

HOSTILE = b'evil\x1b]0;owned\x07\x1b[2Jname'
HOSTS = (b'127.0.0.1\tlocalhost\n'
         b'192.0.2.1\t' + HOSTILE + b'\n'
         b'192.0.2.2\tclient.tcpnote.test\n')


def tcp_frame(src, dst, sport, dport, seq):
    """An IPv4 SYN (raw IP link type), checksums left 0: tcpnote and tcpdump print it anyway."""
    tcp = struct.pack('!HHIIBBHHH', sport, dport, seq, 0, 5 << 4, 0x02, 65535, 0, 0)
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, src, dst)
    return ip + tcp


def write_pcap(path, frames):
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))  # LINKTYPE_RAW
        for i, fr in enumerate(frames):
            f.write(struct.pack('<IIII', 1700000000 + i, 0, len(fr), len(fr)))
            f.write(fr)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    ap.add_argument('--pcaps', required=True)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix='tcpnote-names-')
    hosts = os.path.join(tmp, 'hosts')
    if os.environ.get('TCPNOTE_ORACLE_NS') != '1':
        with open(hosts, 'wb') as f:
            f.write(HOSTS)
        try:
            return tcpdump_compare.in_own_namespace(hosts, __file__)
        finally:
            shutil.rmtree(tmp)
    t = a.tcpnote
    seed = os.path.join(a.pcaps, 'seed-keepalive.pcap')

    rc, out, err = run([t, '-r', seed])
    check('without -n: localhost.PORT > localhost.7070', rc == 0 and
          'IP localhost.35482 > localhost.7070: Flags [S]' in out, out[:300])
    rc, out, err = run([t, '-n', '-r', seed])
    check('-n: numbers', rc == 0 and 'IP 127.0.0.1.35482 > 127.0.0.1.7070: Flags [S]' in out and
          'localhost' not in out, out[:300])
    rc, out, err = run([t, '-nn', '-r', seed])
    check('-nn: numbers, as tcpdump -nn', rc == 0 and 'localhost' not in out, out[:300])
    for mode in (['--json'], ['--quiet', '--summary'], ['--ladder', '--ascii']):
        rc, out, err = run([t] + mode + ['-r', seed])
        check('%s stays numeric without -n' % ' '.join(mode),
              rc == 0 and '127.0.0.1' in out and 'localhost' not in out, out[:300])

    # Port names from the services database, numbers where it has none (as tcpdump).
    frames = [tcp_frame(b'\xc0\x00\x02\x02', b'\xc0\x00\x02\x01', 40000, 443, 1),
              tcp_frame(b'\xc0\x00\x02\x02', b'\xc0\x00\x02\x01', 40001, 7070, 2)]
    small = os.path.join(tmp, 'small.pcap')
    write_pcap(small, frames)
    rc, out, err = run([t, '-t', '-r', small])
    lines = out.splitlines()
    check('a hostile name is escaped, never sent to the terminal raw',
          rc == 0 and len(lines) == 2 and '\x1b' not in out and '\x07' not in out and
          'client.tcpnote.test.40000 > evil\\x1b]0;owned\\x07\\x1b[2Jname.https:' in lines[0],
          lines)
    check('a port without a services name stays a number',
          len(lines) == 2 and 'client.tcpnote.test.40001 > evil' in lines[1] and
          lines[1].split(': Flags')[0].endswith('name.7070'), lines)
    rc, out, err = run([t, '-t', '-N', '-r', small])
    check('-N: a name up to its first dot (tcpdump\'s addrtoname.c), an undotted one whole',
          rc == 0 and out.startswith('IP client.40000 > evil\\x1b]0;owned\\x07\\x1b[2Jname.https:'),
          out)
    rc, out, err = run([t, '-t', '-n', '-r', small])
    check('-n: the same lines in numbers',
          rc == 0 and out.startswith('IP 192.0.2.2.40000 > 192.0.2.1.443: Flags [S]'), out)

    # 3,000 addresses without a name: each looked up (and failed) once, all numeric,
    # the table growing well past its first size under the sanitizers.
    many = [tcp_frame(bytes([198, 18, i >> 8, i & 255]), b'\xc0\x00\x02\x02', 40000, 7070, i)
            for i in range(3000)]
    big = os.path.join(tmp, 'many.pcap')
    write_pcap(big, many)
    rc1, named, err1 = run([t, '-t', '-r', big])
    rc2, numeric, err2 = run([t, '-t', '-n', '-r', big])
    check('3,000 addresses without names print as -n would, port names aside',
          rc1 == 0 and rc2 == 0 and named.count('\n') == 3000 and
          named == numeric.replace('192.0.2.2.7070', 'client.tcpnote.test.7070'),
          (err1, named[:200], numeric[:200]))
    rc3, short, err3 = run([t, '-t', '-N', '-r', big])
    check('-N leaves the dots of an address without a name',
          rc3 == 0 and short == named.replace('client.tcpnote.test.7070', 'client.7070'), err3)
    shutil.rmtree(tmp)
    return finish('names')


if __name__ == '__main__':
    sys.exit(main())
