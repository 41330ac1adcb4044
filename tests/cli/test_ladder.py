#!/usr/bin/env python3
"""test_ladder.py - --ladder on every capture: every packet drawn or counted in a fold, widths, --ascii, --flow.

For each capture the ladders must account for every packet exactly once: an arrow is one
packet (or N with "xN in T s"), a folded line counts its data segments, acks and
keepalive pairs; the sum must equal the packet count in each connection's title, and the
titles must be the connections of the JSON flow records. Then the options around it.
"""
import json
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import ENV, check, finish, run, tcpnote_and_pcaps  # noqa: E402

TITLE = re.compile(r'^connection (\d+): client (\S+) (?:\u2192|->) server (\S+), (\d+) packets?')
TIMES = '[\u00d7x]'


def ladder(t, path, extra=(), columns='80'):
    env = dict(ENV, COLUMNS=columns)
    p = subprocess.run([t, '--ladder'] + list(extra) + ['-r', path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=120)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def accounted(lines):
    """How many packets the lines of one ladder stand for."""
    n = 0
    for line in lines:
        m = re.search(r'[\u22ee:] %s(\d+) keepalive' % TIMES, line)
        if m:
            n += 2 * int(m.group(1))
            continue
        m = re.search(r'[\u22ee:] %s(\d+) data [^,|\u2502]*(?:, %s(\d+) ack)?' % (TIMES, TIMES), line)
        if m:
            n += int(m.group(1)) + int(m.group(2) or 0)
            continue
        if re.search(r'[\u25b6\u25c0<>][\u2502|]|[\u2502|][\u25c0<]', line):
            m = re.search(r' %s(\d+) in [\d.]+ s$' % TIMES, line)
            n += int(m.group(1)) if m else 1
    return n


def split(out):
    """[(title match, [lines])] per connection."""
    conns = []
    for line in out.splitlines():
        m = TITLE.match(line)
        if m:
            conns.append((m, []))
        elif conns and line.strip():
            conns[-1][1].append(line)
    return conns


def main():
    a = tcpnote_and_pcaps()
    t = a.tcpnote
    for name in sorted(f for f in os.listdir(a.pcaps) if f.endswith('.pcap')):
        path = os.path.join(a.pcaps, name)
        rc, out, err = ladder(t, path)
        conns = split(out)
        rc2, js, _ = run([t, '--json', '-r', path])
        flows = [r for r in map(json.loads, js.splitlines()) if r['type'] == 'flow']
        check('%s: a ladder for each connection (%d)' % (name, len(flows)),
              rc == 0 and [int(m.group(1)) for m, _ in conns] == [f['flow'] for f in flows] and
              [(m.group(2), m.group(3)) for m, _ in conns] == [(f['client'], f['server']) for f in flows],
              (rc, err[-200:], [m.group(0) for m, _ in conns][:5]))
        check('%s: every packet drawn or counted in a fold' % name,
              all(accounted(lines) == int(m.group(4)) for m, lines in conns) and
              sum(int(m.group(4)) for m, _ in conns) == sum(sum(f['packets']) for f in flows),
              [(m.group(0), accounted(lines)) for m, lines in conns if accounted(lines) != int(m.group(4))][:3])

    seed = os.path.join(a.pcaps, 'seed-keepalive.pcap')
    rc, out, err = ladder(t, seed, ['--ascii'])
    check('--ascii: plain ASCII only', rc == 0 and all(ord(c) < 0x80 for c in out) and '|' in out)
    rc, out, err = ladder(t, seed)
    check('Unicode box drawing by default', '\u2502' in out and '\u25b6' in out and '\u25c0' in out)
    check('the keepalive pairs are one line with a count',
          re.search(r'\u22ee \u00d73 keepalive .*every 1\.0 s', out), out)
    check('the time since the previous arrow', re.search(r'^ +\+0\.93341\d \u2502', out, re.M), out)

    def arrow_width(text):
        line = [l for l in text.splitlines() if '\u25b6\u2502' in l][0]
        return len(line.split('\u2502')[1])

    widths = {c: arrow_width(ladder(t, seed, columns=c)[1]) for c in ('60', '80', '110', '300')}
    check('the arrows stretch with COLUMNS (and stay within bounds)',
          widths['60'] < widths['80'] < widths['110'] <= widths['300'], widths)

    reuse = os.path.join(a.pcaps, 'port-reuse.pcap')
    rc, out, err = ladder(t, reuse, ['--flow', '2'])
    titles = [m.group(1) for m, _ in split(out)]
    check('--flow 2 draws connection 2 only', rc == 0 and titles == ['2'], titles)
    rc, out, err = ladder(t, reuse, ['--flow', '99'])
    check('--flow with no such connection draws nothing', rc == 0 and out == '', out)
    for args, what in ((['--ladder', '--json'], '--ladder with --json'),
                       (['--ladder', '--explain'], '--ladder with --explain'),
                       (['--ascii'], '--ascii without --ladder'),
                       (['--flow', '1'], '--flow without --ladder or --svg'),
                       (['--ladder', '--flow', '0'], '--flow 0')):
        rc, out, err = run([t] + args + ['-r', seed])
        check('%s is a usage error (exit 2)' % what, rc == 2 and err.startswith('tcpnote:'), (rc, err))
    rc, out, err = ladder(t, seed, ['--summary'])
    check('--ladder --summary: the ladders, then the table', rc == 0 and out.index('connection 1:') <
          out.index('connections: 1'))
    return finish('ladder')


if __name__ == '__main__':
    sys.exit(main())
