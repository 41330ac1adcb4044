#!/usr/bin/env python3
"""test_ladder.py - --ladder on every capture: every packet drawn or counted in a fold, widths, --ascii, --flow.

For each capture the ladders must account for every packet exactly once: an arrow is one
packet (or N with "xN in T s"), a folded line counts its data segments, acks and
keepalive pairs; the sum must equal the packet count in each connection's title, and the
titles must be the connections of the JSON flow records. Every line fits COLUMNS, counted
in terminal cells, at 40 (the narrowest ladder drawn), 60, 80, 100 and 200 columns, in
both styles, and the labels wrapped onto further lines are all there. Then the options
around it.
"""
import json
import os
import re
import subprocess
import sys
import unicodedata

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import ENV, check, finish, run, tcpnote_and_pcaps  # noqa: E402

TITLE = re.compile(r'^connection (\d+): client (\S+) (?:\u2192|->) server (\S+), (\d+) packets?')
TIMES = '[\u00d7x]'


def ladder(t, path, extra=(), columns='80'):
    env = dict(ENV, COLUMNS=columns)
    p = subprocess.run([t, '--ladder'] + list(extra) + ['-r', path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=120)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


HEADER = re.compile(r'^ +client +server$')
FOLD = re.compile(r'^ [\u22ee:] %s\d+ ' % TIMES)
SAME = re.compile(r'(?:^| )%s(\d+) in -?[\d.]+ s$' % TIMES)
WIDTHS = ('40', '60', '80', '100', '200')
# Labels of packets that a fold may stand for: they show in its summary, not one by one.
FOLDABLE = {'data', 'ack', 'keepalive', 'keepalive ack', 'window update'}


def cells(text):
    """The terminal cells a text takes, as wcwidth counts them."""
    n = 0
    for c in text:
        if unicodedata.combining(c) or unicodedata.category(c) in ('Me', 'Cf', 'Cc'):
            continue
        n += 2 if unicodedata.east_asian_width(c) in ('W', 'F') else 1
    return n


def bare(text):
    """A text without its spaces: the same before and after wrapping, wherever it broke.
    Dup acks without their number: a run of them is one arrow "dup ack #1 xN"."""
    return ''.join(re.sub(r'(dup ack) #\d+', r'\1', text).split())


def rows(lines):
    """[(kind, line, notes)] of one ladder's lines: 'arrow' or 'fold', with the notes after
    the server column and those wrapped onto the lines below (after the server column, or
    between the columns in a ladder too narrow for that) joined."""
    if not lines:
        return []
    bar = lines[0][12]
    right = lines[0].index(bar, 13)
    out = []
    for line in lines:
        mid, after = line[13:right], line[right + 1:].strip()
        if line[:12].strip() or FOLD.match(mid):
            out.append(['arrow' if line[:12].strip() else 'fold', line, [after] if after else []])
        elif out:
            out[-1][2].append((mid + ' ' + after).strip())
        else:
            out.append(['?', line, []])
    return [(k, line, ' '.join(n)) for k, line, n in out]


def accounted(lines):
    """How many packets the lines of one ladder stand for."""
    n = 0
    for kind, line, notes in rows(lines):
        if kind == 'fold':
            m = re.search(r'[\u22ee:] %s(\d+) keepalive' % TIMES, line)
            if m:
                n += 2 * int(m.group(1))
                continue
            m = re.search(r'[\u22ee:] %s(\d+) data [^,|\u2502]*(?:, %s(\d+) ack)?' % (TIMES, TIMES), line)
            if m:
                n += int(m.group(1)) + int(m.group(2) or 0)
        elif kind == 'arrow':
            m = SAME.search(notes)
            n += int(m.group(1)) if m else 1
    return n


def split(out):
    """[(title match, [lines])] per connection; a title wrapped onto further lines joined back."""
    conns, title = [], None
    for line in out.splitlines():
        if title is not None:
            if HEADER.match(line):
                conns.append((TITLE.match(title), []))
                title = None
            else:
                title += ' ' + line.strip()
        elif line.startswith('connection '):
            title = line
        elif conns and line.strip():
            conns[-1][1].append(line)
    return conns


def notes_of(out):
    """[(kind, notes)] of every row of every ladder in out."""
    return [(k, n) for _, lines in split(out) for k, _, n in rows(lines)]


def text_notes(t, path):
    """The labels and hints of each packet in the text output (numeric: -n)."""
    rc, out, _ = run([t, '-n', '-r', path])
    return [m.group(1) for m in (re.search(r'  # (.*)$', line) for line in out.splitlines()) if m]


def check_widths(t, name, path):
    """Every line within COLUMNS, and nothing lost to wrapping, in both styles."""
    labels = text_notes(t, path)
    must = {bare(n) for n in labels if not set(n.split(', ')) <= FOLDABLE}
    folded = {bare(l) for n in labels for l in n.split(', ') if l in FOLDABLE}
    for style in ([], ['--ascii']):
        what = '%s%s' % (name, ' --ascii' if style else '')
        wide = [(k, bare(n)) for k, n in notes_of(ladder(t, path, style, columns='1000')[1])]
        for columns in WIDTHS:
            rc, out, err = ladder(t, path, style, columns=columns)
            over = [line for line in out.splitlines() if cells(line) > int(columns)]
            check('%s at %s columns: every line fits' % (what, columns), rc == 0 and not over,
                  (rc, err[-200:], max(map(cells, over), default=0), over[:2]))
            got = notes_of(out)
            shown = {bare(SAME.sub('', n)) for k, n in got if k == 'arrow'}
            alltext = ''.join(bare(n) for _, n in got)
            check('%s at %s columns: every row and label there, wrapped or not' % (what, columns),
                  [(k, bare(n)) for k, n in got] == wide and must <= shown and
                  all(f in alltext for f in folded),
                  ([x for x in zip(got, wide) if bare(x[0][1]) != x[1][1]][:2], sorted(must - shown)[:3],
                   sorted(f for f in folded if f not in alltext)))


SEED_200 = '\n'.join([
    'connection 1: client 127.0.0.1:35482 -> server 127.0.0.1:7070, 14 packets',
    '         client                                                                    server',
    '   0.000000 |- S seq 0 ------------------------------------------------------------->|  handshake 1/3',
    '  +0.000021 |<------------------------------------------------------ S. seq 0 ack 1 -|  handshake 2/3',
    '  +0.000018 |- . seq 1 ack 1 ------------------------------------------------------->|  handshake 3/3',
    '  +0.000065 |- P. seq 1:79 ack 1 len 78 -------------------------------------------->|  data, http request GET /',
    '  +0.000009 |<------------------------------------------------------ . seq 1 ack 79 -|  ack',
    '            | : x3 keepalive -> ack <-                                               |  keepalive, keepalive ack: every 1.0 s',
    '  +0.933412 |- F. seq 79 ack 1 ----------------------------------------------------->|  close 1/4',
    '  +0.000191 |<----------------------------------------------------- F. seq 1 ack 80 -|  FIN merged',
    '  +0.000036 |- . seq 80 ack 2 ------------------------------------------------------>|  close 4/4',
    '', ''])


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
        check_widths(t, name, path)

    seed = os.path.join(a.pcaps, 'seed-keepalive.pcap')
    rc, out, err = ladder(t, seed, ['--ascii'])
    check('--ascii: plain ASCII only', rc == 0 and all(ord(c) < 0x80 for c in out) and '|' in out)
    rc, out, err = ladder(t, seed)
    check('Unicode box drawing by default', '\u2502' in out and '\u25b6' in out and '\u25c0' in out)
    check('the keepalive pairs are one line with a count',
          [n for k, line, n in rows(split(out)[0][1])
           if k == 'fold' and '\u22ee \u00d73 keepalive' in line and n.endswith('every 1.0 s')], out)
    check('the time since the previous arrow', re.search(r'^ +\+0\.93341\d \u2502', out, re.M), out)

    def arrow_width(text):
        line = [l for l in text.splitlines() if '\u25b6\u2502' in l][0]
        return len(line.split('\u2502')[1])

    # The seed's longest arrow text is 24 cells (+ 4 round it + 2 strokes) and its widest
    # notes 37: at 100 columns and less the arrows narrow to make room for them.
    widths = {c: arrow_width(ladder(t, seed, columns=c)[1]) for c in ('60', '80', '110', '150', '300')}
    check('the arrows stretch with COLUMNS, narrowed (down to their text) to leave the labels room',
          widths['60'] == widths['80'] == 30 < widths['110'] < widths['150'] == widths['300'] == 72, widths)
    rc, out, err = ladder(t, seed, ['--ascii'], columns='200')
    check('a ladder that fits is drawn as it always was (200 columns)', out == SEED_200, out)
    rc, out, err = ladder(t, seed, ['--ascii'], columns='60')
    check('60 columns: the title and the labels wrap, under the server column',
          out.splitlines()[:2] == ['connection 1: client 127.0.0.1:35482 -> server',
                                   '  127.0.0.1:7070, 14 packets'] and
          '  +0.000065 |- P. seq 1:79 ack 1 len 78 -->|  data, http\n'
          '            |                              |  request GET /\n' in out, out)
    rc, out, err = ladder(t, os.path.join(a.pcaps, 'loss-both.pcap'), columns='60')
    check('60 columns, arrow text too long for labels beside it: they go under the arrow',
          '  +0.000068 \u2502\u25c0\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500\u2500 . seq 81089:82537 ack 12 len 1448 '
          '\u2500\u2502\n            \u2502  previous segment not captured' + ' ' * 15 + '\u2502\n' in out, out)
    for env, want in (({'COLUMNS': '20'}, 40), ({'COLUMNS': 'wide'}, 80), ({'COLUMNS': ''}, 80),
                      ({'COLUMNS': '5000'}, 1000)):
        p = subprocess.run([t, '--ladder', '--ascii', '-r', seed], stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL, env=dict(ENV, **env), timeout=60)
        lines = p.stdout.decode().splitlines()
        # The width drawn for shows in the column header: "server" ends at the width or, with
        # room to spare, over the server column (shaft = width - 38 within 34..72, or narrower).
        check('COLUMNS=%r draws for %d columns' % (env['COLUMNS'], want),
              max(map(len, lines)) <= want and lines[1] == ladder(t, seed, ['--ascii'], str(want))[1].splitlines()[1],
              lines[:3])

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
