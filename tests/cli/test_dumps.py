#!/usr/bin/env python3
"""test_dumps.py - -x/-X/-A dumps, -#, -K as the terminal and the other outputs see them.

Hostile payload bytes (ESC, BEL, bytes >= 0x80 in crafted-hostile-hints.pcap) never reach
the terminal raw under any dump flag; --explain's lines come after the dump; a 256 KiB
frame's dump is whole and equal to tcpdump's; -# counts the frames tcpnote does not show
(as tcpdump counts them) and numbers tcpdump's invalid-header line; -K keeps --explain
from speaking of checksums; --json and --summary do not change with these flags. The
byte-for-byte comparison on every capture is the oracle's (tcpdump_compare.py).
"""
import os
import re
import struct
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import ENV, check, finish, run, tcpnote_and_pcaps  # noqa: E402

DUMPS = (['-A'], ['-AA'], ['-x'], ['-xx'], ['-X'], ['-XX'], ['-X', '-A'])
HEX_LINE = re.compile(rb'^\t0x[0-9a-f]{4,}:  ')
LABELS = re.compile(rb'  # [^\n]*\n')


def raw(args):
    """(exit status, stdout bytes, stderr text): the bytes exactly as a terminal would get them."""
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV, timeout=120)
    return p.returncode, p.stdout, p.stderr.decode('utf-8', 'replace')


def write_pcap(path, frames, linktype=1, snaplen=262144):
    """frames: [(bytes, wire length)], one second apart."""
    with open(path, 'wb') as f:
        f.write(struct.pack('<IHHiIII', 0xa1b2c3d4, 2, 4, 0, 0, snaplen, linktype))
        for i, (data, wire) in enumerate(frames):
            f.write(struct.pack('<IIII', 1700000000 + i, 0, len(data), wire))
            f.write(data)


def ipv4(proto, payload, tot=None):
    return struct.pack('>BBHHHBBH4s4s', 0x45, 0, tot or 20 + len(payload), 1, 0, 64, proto, 0,
                       b'\xc0\x00\x02\x01', b'\xc0\x00\x02\x02') + payload


def tcp(seq, flags=0x18, data=b''):
    return struct.pack('>HHIIBBHHH', 40000, 7070, seq, 1, 0x50, flags, 512, 0, 0) + data


def eth(packet):
    return b'\x02\x00\x00\x00\x00\x01\x02\x00\x00\x00\x00\x02\x08\x00' + packet


def main():
    a = tcpnote_and_pcaps()
    t = a.tcpnote
    hostile = os.path.join(a.pcaps, 'crafted-hostile-hints.pcap')
    check('the hostile capture holds ESC, BEL and bytes >= 0x80 to dump',
          all(b in open(hostile, 'rb').read()[24:] for b in (b'\x1b', b'\x07', b'\xff')))
    for flags in DUMPS:
        rc, out, err = raw([t, '-n', '--color=never'] + flags + ['-r', hostile])
        controls = sorted(set(b for b in out if b < 0x20 or b >= 0x7f) - {0x0a, 0x09})
        tabs_inside = [ln for ln in out.split(b'\n') if b'\t' in ln and
                       not (HEX_LINE.match(ln) and b'\t' not in ln[1:])]
        check('%s: no control byte but newline and tab, nothing >= 0x7f' % ' '.join(flags),
              rc == 0 and out.count(b'\n') > 20 and not controls, (rc, controls, err))
        if flags[0] != '-A' and flags[0] != '-AA':
            check('%s: a tab only where a dump line starts' % ' '.join(flags), not tabs_inside,
                  tabs_inside[:2])

    # --explain: each labeled line, its dump, then the sentences.
    rst = os.path.join(a.pcaps, 'rst-abort.pcap')
    for flags in (['-X'], ['-A'], ['-xx', '-v']):
        rc, out, err = run([t, '-n', '--explain'] + flags + ['-r', rst])
        shape = ''.join('E' if ln.startswith('    # ') else 'D' if ln.startswith('\t') else
                        'H' if '  # ' in ln else 'C' if ln.startswith('    ') else '.'
                        for ln in out.split('\n')[:-1])
        if flags[0] == '-A':
            good = re.fullmatch(r'(H[.CD]+E+)+', shape)  # -A lines are the packet's own text
        else:  # under -v the labels end the packet's second line
            good = re.fullmatch(r'(\.HD+E+)+' if '-v' in flags else r'(HD+E+)+', shape)
        check('--explain %s: each packet line, then its dump, then the explanation' %
              ' '.join(flags), rc == 0 and good, shape[:80])

    with tempfile.TemporaryDirectory() as tmp:
        # A frame as large as a capture holds: every byte dumped, as tcpdump does.
        big = os.path.join(tmp, 'big.pcap')
        body = bytes((i * 7 + 3) % 256 for i in range(262144 - 14 - 40))
        frame = eth(ipv4(6, tcp(1, data=body[:65495]), tot=65535)) + body[65495:]
        write_pcap(big, [(frame, len(frame))])
        for flags in (['-X'], ['-xx'], ['-A']):
            rc, mine, err = raw([t, '-n'] + flags + ['-r', big])
            p = subprocess.run(['tcpdump', '-n'] + flags + ['-r', big], stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL, env=ENV)
            check('%s of a 262144-byte frame: all of it, tcpdump\'s bytes' % ' '.join(flags),
                  rc == 0 and len(mine) > 262144 and LABELS.sub(b'\n', mine, 1) == p.stdout,
                  (rc, len(mine), len(p.stdout), err))

        # -#: tcpdump's count of the frames the filter passed, shown or not.
        mixed = os.path.join(tmp, 'mixed.pcap')
        frames = [eth(ipv4(6, tcp(1))), eth(ipv4(17, b'\x00\x35\x00\x35\x00\x08\x00\x00')),
                  eth(ipv4(6, tcp(2, data=b'hi')))]
        write_pcap(mixed, [(f, len(f)) for f in frames[:2]] + [(frames[0], 20), (frames[2], 56)])
        for opt in ('-#', '--number'):
            rc, out, err = run([t, '-n', '-t', opt, '-r', mixed])
            lines = out.split('\n')
            check('%s: numbers skip the UDP frame tcpnote does not show; the invalid record '
                  'is numbered' % opt, rc == 0 and len(lines) == 4 and
                  lines[0].startswith('    1  IP 192.0.2.1.40000 > ') and
                  lines[1] == '    3  [Invalid header: len(20) < caplen(54)]' and
                  lines[2].startswith('    4  IP 192.0.2.1.40000 > '), lines)
        # tcpdump prints no timestamp on an invalid record, and -ttt's next delta is from
        # the packet before it.
        rc, out, err = run([t, '-n', '-#', '-ttt', '-r', mixed, 'tcp'])
        p = subprocess.run(['tcpdump', '-n', '-#', '-ttt', '-r', mixed, 'tcp'],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV)
        check('-# -ttt around an invalid record: tcpdump\'s lines',
              rc == 0 and re.sub(r'  # [^\n]*', '', out) == p.stdout.decode() and
              '    2  [Invalid header' in out and '    3   00:00:03.000000 IP' in out,
              (out, p.stdout))
        rc, out, err = run([t, '-n', '-#', '-r', mixed, 'udp'])
        check('-# with a filter that passes nothing tcpnote shows: no line', rc == 0 and out == '',
              out)

    # -K: no checksum verified, so --explain says nothing of one.
    rc, out, err = run([t, '-n', '-v', '--explain', '-r', rst])
    rc2, out2, err2 = run([t, '-n', '-v', '-K', '--explain', '-r', rst])
    check('-v --explain speaks of the loopback checksums; with -K, neither line nor sentence does',
          rc == 0 and rc2 == 0 and 'cksum incorrect' in out and 'cksum' not in out2 and
          out2.count('\n') == out.count('\n') - 1, (out2[:300], err2))

    # The display flags leave --json and --summary as they are.
    seed = os.path.join(a.pcaps, 'seed-keepalive.pcap')
    rc, plain, err = run([t, '-n', '--json', '-r', seed])
    rc2, dumped, err2 = run([t, '-n', '--json', '-X', '-A', '-#', '-K', '-N', '-r', seed])
    check('--json is the same with -X -A -# -K -N', rc == 0 and rc2 == 0 and plain == dumped,
          err2)
    rc, plain, err = run([t, '-n', '--summary', '-r', seed])
    rc2, dumped, err2 = run([t, '-n', '--summary', '-XX', '-#', '-r', seed])
    table = plain[plain.find('\nconnections:'):]
    check('--summary\'s table is the same after -XX -# lines', rc == 0 and rc2 == 0 and
          len(table) > 20 and dumped.endswith(table) and '\t0x0000:' in dumped, dumped[-300:])
    return finish('dumps')


if __name__ == '__main__':
    sys.exit(main())
