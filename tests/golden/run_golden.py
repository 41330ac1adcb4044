#!/usr/bin/env python3
"""run_golden.py - golden tests: each capture in pcaps/ printed by tcpnote equals its expected file.

tests/golden/LIST has one line per case: capture, flags ('-' for none) and the expected
output file under tests/golden/expected/, separated by tabs. tests/golden/SEQUENCES
states, per capture, a regular expression over the packets' label texts joined by ';'
(unlabeled packets and the TLS/HTTP/STARTTLS hints left out), so the lifecycle a scenario must show is written down
independently of the golden text. Run with --update to rewrite the expected files
(then read the diff before committing it).
"""
import argparse
import difflib
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run_tcpnote(tcpnote, pcap, flags):
    # COLUMNS fixed: --ladder stretches to the terminal's width.
    env = dict(os.environ, TZ='UTC', LC_ALL='C', COLUMNS='80')
    p = subprocess.run([tcpnote, '-n'] + flags + ['-r', pcap], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=60)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def label_sequence(out):
    seq = []
    for line in out.splitlines():
        m = re.search(r'  # (.*)$', line)
        if m:
            tcp = [l for l in m.group(1).split(', ') if not l.startswith(('tls ', 'http ', 'starttls '))]
            if tcp:
                seq.append(', '.join(tcp))
    return ';'.join(seq)


def parse_table(path, ncols):
    rows = []
    for n, line in enumerate(open(path), 1):
        line = line.rstrip('\n')
        if not line or line.startswith('#'):
            continue
        cols = line.split('\t')
        if len(cols) != ncols:
            sys.exit('%s:%d: expected %d tab-separated columns' % (path, n, ncols))
        rows.append(cols)
    return rows


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    ap.add_argument('--list', default=os.path.join(HERE, 'LIST'))
    ap.add_argument('--sequences', default=os.path.join(HERE, 'SEQUENCES'))
    ap.add_argument('--pcaps', required=True)
    ap.add_argument('--update', action='store_true')
    a = ap.parse_args()
    failed = 0
    cases = parse_table(a.list, 3)
    listed = {c[0] for c in cases}
    on_disk = {f for f in os.listdir(a.pcaps) if f.endswith('.pcap') or f.endswith('.pcapng')}
    for missing in sorted(on_disk - listed):
        print('FAIL %s: capture in pcaps/ without a golden case in LIST' % missing)
        failed += 1
    for pcap, flags, expected in cases:
        # {pcaps} in the flags is the captures' directory (for --keylog pcaps/NAME.keys).
        fl = [] if flags == '-' else flags.replace('{pcaps}', a.pcaps).split()
        rc, out, err = run_tcpnote(a.tcpnote, os.path.join(a.pcaps, pcap), fl)
        path = os.path.join(HERE, 'expected', expected)
        if rc != 0:
            print('FAIL %s %s: exit %d: %s' % (pcap, flags, rc, err.strip()))
            failed += 1
            continue
        if a.update:
            os.makedirs(os.path.dirname(path), exist_ok=True)
            open(path, 'w').write(out)
            print('updated %s' % expected)
            continue
        want = open(path).read() if os.path.exists(path) else ''
        if out != want:
            failed += 1
            print('FAIL %s %s: output differs from %s' % (pcap, flags, expected))
            sys.stdout.writelines(list(difflib.unified_diff(
                want.splitlines(True), out.splitlines(True), 'expected', 'tcpnote'))[:40])
        else:
            print('ok   %s %s (%d lines)' % (pcap, flags, out.count('\n')))
    for pcap, pattern in parse_table(a.sequences, 2):
        rc, out, err = run_tcpnote(a.tcpnote, os.path.join(a.pcaps, pcap), [])
        seq = label_sequence(out)
        if re.fullmatch(pattern, seq) is None:
            failed += 1
            print('FAIL %s: labels %r do not match %r' % (pcap, seq, pattern))
        else:
            print('ok   %s lifecycle: %s' % (pcap, seq))
    print('golden: %d passed, %d failed' % (len(cases) + len(parse_table(a.sequences, 2)) - failed,
                                           failed))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
