#!/usr/bin/env python3
"""test_live_link.py - live -e and --nano on lo and any, against tcpdump -r of tcpnote's -w file.

On lo (EN10MB) and the "any" device (LINUX_SLL2) tcpnote captures a refused connection
(SYN, then the kernel's RST) with `--nano -e -tt -w FILE`: the lines carry the link-level
header and nine-digit fractions that are libpcap's own (not microseconds times 1000), the
-w file is a nanosecond pcap, and `tcpdump --nano -e -tt -n -r FILE` prints the same
tcpdump part. Needs root (or CAP_NET_RAW); without it the test reports itself skipped
(exit 77), never passed.
"""
import argparse
import os
import re
import socket
import struct
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cli'))
from checks import check, finish  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'oracle'))
import tcpdump_compare  # noqa: E402
from test_live import free_port  # noqa: E402  (a loopback port nobody listens on)

PCAP_NANO_MAGIC = 0xa1b23c4d


def refused(port, times):
    for _ in range(times):
        c = socket.socket()
        try:
            c.connect(('127.0.0.1', port))
        except OSError:
            pass
        c.close()
        time.sleep(0.05)


def capture(tcpnote, iface, saved):
    """tcpnote --nano -e -tt on iface while three connections are refused: (rc, lines, stderr)."""
    port = free_port()
    tn = subprocess.Popen([tcpnote, '-n', '--nano', '-e', '-tt', '-i', iface, '-c', '6',
                           '-w', saved, 'tcp', 'port', str(port)], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=dict(os.environ, TZ='UTC'))
    tn.stderr.readline()  # "listening on ...": the capture is open
    refused(port, 3)
    try:
        out, err = tn.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        tn.kill()
        out, err = tn.communicate()
    return tn.returncode, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    a = ap.parse_args()
    if os.geteuid() != 0:
        print('live_link: SKIPPED: capturing needs root')
        return 77
    tmp = tempfile.mkdtemp()
    prefix = {'lo': r'00:00:00:00:00:00 > 00:00:00:00:00:00, ethertype IPv4 \(0x0800\), '
                    r'length (74|54): 127\.0\.0\.1\.',
              'any': r'lo    (In |Out) ifindex \d+ 00:00:00:00:00:00 ethertype IPv4 \(0x0800\), '
                     r'length (80|60): 127\.0\.0\.1\.'}
    for iface in ('lo', 'any'):
        saved = os.path.join(tmp, iface + '.pcap')
        rc, out, err = capture(a.tcpnote, iface, saved)
        lines = [l for l in out.split('\n') if l]
        check('-i %s --nano -e -c 6: exit 0, six lines' % iface, rc == 0 and len(lines) == 6,
              (rc, out, err))
        stamps = [re.match(r'(\d+)\.(\d+) ', l) for l in lines]
        check('-i %s: nine-digit fractions' % iface,
              stamps and all(m and len(m.group(2)) == 9 for m in stamps), lines)
        check('-i %s: nanoseconds from libpcap, not microseconds times 1000' % iface,
              any(m and not m.group(2).endswith('000') for m in stamps), lines)
        check('-i %s: the link-level header' % iface,
              lines and all(re.match(r'\d+\.\d+ ' + prefix[iface], l) for l in lines), lines)
        with open(saved, 'rb') as f:
            magic = struct.unpack('<I', f.read(4))[0]
        check('-i %s -w: a nanosecond pcap' % iface, magic == PCAP_NANO_MAGIC, hex(magic))
        r = tcpdump_compare.compare(a.tcpnote, saved, ['--nano', '-e', '-tt'],
                                    dict(os.environ, TZ='UTC', LC_ALL='C'), bpf=())
        live = [tcpdump_compare.LABELS.sub('', l) for l in lines]
        td = tcpdump_compare.records(r['tcpdump_text'])
        check('-i %s: tcpdump --nano -e -tt -r FILE prints the lines tcpnote printed live' % iface,
              live == td and len(td) == 6, (live, td))
    return finish('live_link')


if __name__ == '__main__':
    sys.exit(main())
