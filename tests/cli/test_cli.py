#!/usr/bin/env python3
"""test_cli.py - tcpnote's command line: options, exit codes, messages, -w, -r -, -c, bad files."""
import os
import re
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'oracle'))
import truncate_compare  # noqa: E402  (pcap reader and writer)
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import ENV, check, finish, run, tcpnote_and_pcaps  # noqa: E402


def main():
    a = tcpnote_and_pcaps()
    t = a.tcpnote
    seed = os.path.join(a.pcaps, 'seed-keepalive.pcap')
    if not os.path.exists(seed):
        print('FAIL the seed capture %s is missing' % seed)
        return 1
    tmp = tempfile.mkdtemp()

    rc, out, err = run([t, '-n', '--help'])
    check('--help exits 0 and shows usage', rc == 0 and 'Usage: tcpnote' in out, err)
    rc, out, err = run([t, '-n', '-h'])
    check('-h is --help', rc == 0 and '-r FILE' in out)
    rc, out, err = run([t, '-n', '--version'])
    check('--version names tcpnote and libpcap', rc == 0 and out.startswith('tcpnote ') and 'libpcap' in out)
    rc, out, err = run([t, '-n', '-r', seed, '-i', 'lo'])
    check('-r with -i is a usage error (2)', rc == 2, err)
    rc, out, err = run([t, '-n', '-k', '-r', seed])
    check('unknown option is a usage error (2)', rc == 2 and 'unknown option' in err, err)
    rc, out, err = run([t, '-n', '-r'])
    check('missing argument is a usage error (2)', rc == 2 and 'needs an argument' in err, err)
    rc, out, err = run([t, '-n', '-c', 'zero', '-r', seed])
    check('bad -c is a usage error (2)', rc == 2, err)
    rc, out, err = run([t, '-n', '-r', seed, 'tcp', 'port', 'and'])
    check('bad filter is a usage error (2) naming the expression', rc == 2 and 'tcp port and' in err, err)
    rc, out, err = run([t, '-n', '-r', os.path.join(tmp, 'nonexistent.pcap')])
    check('unreadable file is a runtime error (1)', rc == 1 and 'nonexistent.pcap' in err, err)
    garbage = os.path.join(tmp, 'garbage.pcap')
    open(garbage, 'wb').write(b'this is not a capture file at all' * 4)
    rc, out, err = run([t, '-n', '-r', garbage])
    check('a file that is not pcap is a runtime error (1)', rc == 1 and 'tcpnote:' in err, err)

    # Reference output and -c, -r -.
    rc, full, err = run([t, '-n', '-r', seed])
    check('reads the seed capture', rc == 0 and full.count('\n') >= 10, err)
    rc, out, err = run([t, '-n', '-c', '3', '-r', seed])
    check('-c 3 prints the first 3 packets', rc == 0 and out.splitlines() == full.splitlines()[:3], out)
    rc, out, err = run([t, '-n', '-r', '-'], stdin=open(seed, 'rb').read())
    check('-r - reads standard input', rc == 0 and out == full, err)
    rc, out, err = run([t, '-n', '-l', '-r', seed])
    check('-n and -l are accepted and change nothing', rc == 0 and out == full, err)
    rc, out, err = run([t, '-n', '-r', seed, 'tcp', 'and', 'src', 'port', '7070'])
    check('trailing words are a BPF filter', rc == 0 and 0 < out.count('\n') < full.count('\n') and
          all('127.0.0.1.7070 >' in l for l in out.splitlines()), out)
    rc, out, err = run([t, '-n', '-S', '-r', seed])
    check('-S prints absolute acks', rc == 0 and ', ack 1,' not in out and ', ack 1,' in full)

    # -w saves every packet unchanged; never over the file being read.
    saved = os.path.join(tmp, 'saved.pcap')
    rc, out, err = run([t, '-n', '-r', seed, '-w', saved])
    lt1, p1 = truncate_compare.read_pcap(seed)
    lt2, p2 = truncate_compare.read_pcap(saved) if os.path.exists(saved) else (None, [])
    check('-w saves every packet, bytes and timestamps unchanged', rc == 0 and out == full and
          lt1 == lt2 and [(p[0], p[1], p[2], p[3]) for p in p1] == [(p[0], p[1], p[2], p[3]) for p in p2],
          err)
    copy = os.path.join(tmp, 'copy.pcap')
    open(copy, 'wb').write(open(seed, 'rb').read())
    before = open(copy, 'rb').read()
    rc, out, err = run([t, '-n', '-r', copy, '-w', copy])
    check('-w onto the -r file is refused and the file kept', rc == 1 and open(copy, 'rb').read() == before
          and 'overwrite' in err, err)
    rc, out, err = run([t, '-n', '-r', seed, '-w', '-'])
    check('-w - is refused (2)', rc == 2, err)

    # Unsupported link type: refused with its name, exit 1.
    arc = os.path.join(tmp, 'dlt160.pcap')
    truncate_compare.write_pcap(arc, 147, [(1, 0, b'\x00' * 40, 40)])
    rc, out, err = run([t, '-n', '-r', arc])
    check('an unsupported link type is refused by name (1)', rc == 1 and 'link-type' in err and
          'not supported' in err, err)

    # A capture cut in the middle of a record: what was read is printed, then exit 1.
    data = open(seed, 'rb').read()
    cut = os.path.join(tmp, 'cut.pcap')
    open(cut, 'wb').write(data[:len(data) - 10])
    rc, out, err = run([t, '-n', '-r', cut])
    check('a truncated file prints what it has, then exits 1', rc == 1 and
          out.splitlines() == full.splitlines()[:len(out.splitlines())] and
          len(out.splitlines()) == len(full.splitlines()) - 1 and 'truncated' in err, err)

    # Non-TCP packets are counted on stderr, not printed.
    udp = os.path.join(tmp, 'udp.pcap')
    ip = bytes.fromhex('4500001c00010000401100007f0000017f000001') + struct.pack('>HHHH', 1, 2, 8, 0)
    truncate_compare.write_pcap(udp, 101, [(1, 0, ip, len(ip)), (2, 0, ip, len(ip))])
    rc, out, err = run([t, '-n', '-r', udp])
    check('non-TCP packets are counted on stderr only', rc == 0 and out == '' and
          '2 non-TCP packets not shown' in err, err + out)

    # Timestamp formats, byte for byte against tcpdump.
    for tf in ('-t', '-tt', '-ttt', '-tttt', '-ttttt'):
        rc1, o1, e1 = run(['tcpdump', '-n', tf, '-r', seed])
        rc2, o2, e2 = run([t, '-n', tf, '-r', seed])
        stripped = '\n'.join(l.split('  # ')[0] for l in o2.splitlines()) + '\n'
        check('%s timestamps equal tcpdump %s' % (tf, tf), rc2 == 0 and stripped == o1,
              '\n' + o1[:300] + '\n' + stripped[:300])
    rc, out, err = run([t, '-n', '-tttttt', '-r', seed])
    check('six -t is a usage error', rc == 2)

    # Timestamp precision, spelt as tcpdump spells it.
    rc, nano, err = run([t, '-n', '-tt', '--nano', '-r', seed])
    check('--nano: nine digits, a microsecond file\'s ending in 000',
          rc == 0 and re.match(r'^\d+\.\d{6}000 ', nano), nano[:200])
    for spelling in (['--time-stamp-precision=nano'], ['--time-stamp-precision', 'nano']):
        rc, out, err = run([t, '-n', '-tt'] + spelling + ['-r', seed])
        check('%s is --nano' % ' '.join(spelling), rc == 0 and out == nano, err)
    for spelling in (['--micro'], ['--time-stamp-precision=micro'], ['--nano', '--micro']):
        rc, out, err = run([t, '-n', '-tt'] + spelling + ['-r', seed])
        check('%s: microseconds' % ' '.join(spelling),
              rc == 0 and re.match(r'^\d+\.\d{6} ', out), out[:200])
    rc, out, err = run([t, '-n', '--time-stamp-precision=pico', '-r', seed])
    check('--time-stamp-precision takes micro or nano (2)', rc == 2 and 'micro or nano' in err, err)

    return finish('cli')


if __name__ == '__main__':
    sys.exit(main())
