#!/usr/bin/env python3
"""test_multi.py - several -r read as one stream in packet-time order, as mergecap merges them.

Every capture in pcaps/ is split with editcap -c N and with editcap -i SECONDS (at least
two pieces each); the pieces, named in a shuffled order, must give byte for byte what the
whole capture gives, in text, -S, -v, --json, --summary, --expect (failing, with its
frame numbers on stderr), --ladder (and --keylog where the capture has its key log). When
mergecap's merge of the pieces is not the capture itself (equal times across a cut: of
equal times mergecap takes the file named last), the reference is tcpnote on mergecap's
merge, and mergecap's order is checked on pieces shifted to start together. Also: files of
different link types, a damaged file in the middle (named on stderr, exit 1, the rest
read), -w onto an input (by another name too) refused, -r - among files, -c over the
stream, a shell glob (the README's rotated-files recipe).

Usage: test_multi.py --tcpnote BIN --pcaps DIR
"""
import concurrent.futures
import glob
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish, run, tcpnote_and_pcaps  # noqa: E402

EXPECT = ['--expect', 'flows=0', '--expect', 'retransmission=0', '--expect', 'state:SF=0',
          '--expect', '!data', '--expect', 'ack<=1']
MODES = [[], ['-S'], ['-v'], ['--json'], ['--summary'], EXPECT, ['--ladder']]


def records(path):
    """The packet records of a pcap file: [(ts_sec, ts_frac, bytes of header and data)]."""
    with open(path, 'rb') as f:
        data = f.read()
    end = '<' if data[:4] in (b'\xd4\xc3\xb2\xa1', b'\x4d\x3c\xb2\xa1') else '>'
    out, at = [], 24
    while at + 16 <= len(data):
        sec, frac, incl, _ = struct.unpack(end + 'IIII', data[at:at + 16])
        out.append((sec, frac, data[at:at + 16 + incl]))
        at += 16 + incl
    return out


def without_sources(err):
    """stderr without tcpdump's 'reading from file' lines (one per file read)."""
    return ''.join(line for line in err.splitlines(True) if not line.startswith('reading from file'))


def outcome(tcpnote, files, opts, stdin=None):
    """(exit status, stdout, stderr without the source lines) of tcpnote -n OPTS -r F1 -r F2 ..."""
    args = [tcpnote, '-n'] + opts
    for f in files:
        args += ['-r', f]
    status, out, err = run(args, stdin=stdin)
    return status, out, without_sources(err)


def split(pcap, how, work):
    """The pieces of pcap by editcap -c N or -i SECONDS, about three of them."""
    recs = records(pcap)
    if how == 'c':
        arg = str(max(1, (len(recs) + 2) // 3))
    else:
        dur = (recs[-1][0] + recs[-1][1] / 1e6) - (recs[0][0] + recs[0][1] / 1e6)
        arg = '%.6f' % max(dur / 3, 1e-6)
    base = os.path.join(work, '%s-%s.pcap' % (os.path.basename(pcap)[:-5], how))
    subprocess.run(['editcap', '-F', 'pcap', '-' + how, arg, pcap, base], check=True,
                   stdout=subprocess.DEVNULL)
    return sorted(glob.glob(base[:-5] + '_*.pcap')), arg


def mergecap(files, out):
    subprocess.run(['mergecap', '-F', 'pcap', '-w', out] + files, check=True)
    return out


def one_capture(tcpnote, pcap, work, rng):
    """The checks for one capture: [(name, holds, detail)]."""
    name = os.path.basename(pcap)
    keys = pcap[:-5] + '.keys'
    extra = ['--keylog', keys] if os.path.exists(keys) else []
    results = []
    whole = [outcome(tcpnote, [pcap], extra + m) for m in MODES]
    for how in ('c', 'i'):
        pieces, arg = split(pcap, how, work)
        rng.shuffle(pieces)
        label = '%s editcap -%s %s (%d pieces)' % (name, how, arg, len(pieces))
        results.append(('%s: at least two pieces' % label, len(pieces) >= 2, pieces))
        merged = mergecap(pieces, os.path.join(work, '%s-%s-merged.pcap' % (name, how)))
        same_order = [r[2] for r in records(merged)] == [r[2] for r in records(pcap)]
        ref = whole if same_order else [outcome(tcpnote, [merged], extra + m) for m in MODES]
        for mode, want in zip(MODES, ref):
            got = outcome(tcpnote, pieces, extra + mode)
            what = ' '.join(mode) or 'text'
            results.append(('%s %s: as %s' % (label, what, 'the whole capture' if same_order
                                               else "mergecap's merge"),
                            got == want and want[0] in (0, 3),
                            'exit %d/%d\n%s' % (got[0], want[0], first_difference(got, want))))
    return results


def first_difference(got, want):
    for a, b, what in ((got[1], want[1], 'stdout'), (got[2], want[2], 'stderr')):
        la, lb = a.splitlines(), b.splitlines()
        for i in range(max(len(la), len(lb))):
            x = la[i] if i < len(la) else '<none>'
            y = lb[i] if i < len(lb) else '<none>'
            if x != y:
                return '%s line %d:\n got  %s\n want %s' % (what, i + 1, x, y)
    return ''


def identity(a, work):
    """Every capture, both splits, every mode."""
    pcaps = sorted(glob.glob(os.path.join(a.pcaps, '*.pcap')) + glob.glob(os.path.join(a.pcaps, '*', '*.pcap')))
    rng = random.Random(18)
    seeds = [rng.randrange(1 << 30) for _ in pcaps]
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        jobs = [pool.submit(one_capture, a.tcpnote, p, work, random.Random(s)) for p, s in zip(pcaps, seeds)]
        merged_refs = 0
        for job in jobs:
            for name, holds, detail in job.result():
                merged_refs += "mergecap's merge" in name
                check(name, holds, detail)
    print('identity: %d captures; %d mode runs compared with mergecap\'s merge (equal times across a cut)'
          % (len(pcaps), merged_refs))
    check('identity: every capture of pcaps/ (%d)' % len(pcaps), len(pcaps) >= 60)


def shift_to(path, start, out):
    """path's packets moved in time so that the first is at start (seconds): editcap -t."""
    first = records(path)[0]
    delta = start - (first[0] + first[1] / 1e6)
    subprocess.run(['editcap', '-F', 'pcap', '-t', '%.6f' % delta, path, out], check=True)
    return out


def ties(a, work):
    """Pieces moved to start at the same instant: equal times everywhere; mergecap's pick of them."""
    pieces, _ = split(os.path.join(a.pcaps, 'sack.pcap'), 'c', work)
    moved = [shift_to(p, 1700000000.0, os.path.join(work, 'tie%d.pcap' % i)) for i, p in enumerate(pieces)]
    equal = sum(1 for r in records(moved[0]) if any(r[:2] == s[:2] for s in records(moved[1])))
    check('ties: the moved pieces share timestamps', equal > 0, equal)
    for order in (moved, moved[::-1], [moved[1], moved[2], moved[0]]):
        ref = mergecap(order, os.path.join(work, 'tie-merged.pcap'))
        for mode in (['-x', '-tt'], ['--json']):
            got, want = outcome(a.tcpnote, order, mode), outcome(a.tcpnote, [ref], mode)
            check('ties: %s %s: the order mergecap merges them in' % (
                ' '.join(os.path.basename(p) for p in order), ' '.join(mode)),
                got == want and got[0] == 0, first_difference(got, want))
    # 109 files of one packet each: the heap several levels deep, in a shuffled order
    base = os.path.join(work, 'one.pcap')
    subprocess.run(['editcap', '-F', 'pcap', '-c', '1', os.path.join(a.pcaps, 'sack.pcap'), base], check=True,
                   stdout=subprocess.DEVNULL)
    singles = glob.glob(os.path.join(work, 'one_*.pcap'))
    random.Random(1).shuffle(singles)
    got = outcome(a.tcpnote, singles, ['--json'])
    want = outcome(a.tcpnote, [os.path.join(a.pcaps, 'sack.pcap')], ['--json'])
    check('%d files of one packet each, shuffled: as the whole capture' % len(singles),
          got == want and len(singles) == len(records(os.path.join(a.pcaps, 'sack.pcap'))),
          first_difference(got, want))
    # more files than the soft limit of open files allows: tcpnote raises it (toward the hard one)
    status, out, err = run(['sh', '-c', 'ulimit -Sn 40 && exec "$@"', 'sh', a.tcpnote, '-n', '--json']
                           + [w for f in singles for w in ('-r', f)])
    check('%d files with a soft limit of 40 descriptors: read all the same' % len(singles),
          status == 0 and out == want[1], err[-400:])


def link_types(a, work):
    """Files of three link types read together: each frame decoded by its own; a filter compiled per file."""
    files = [os.path.join(a.pcaps, f) for f in ('any-device.pcap', 'sack.pcap', 'tunnel-vxlan.pcap')]
    dlts = set(struct.unpack('<I', open(f, 'rb').read()[20:24])[0] for f in files)
    check('link types: the files have %d link types' % len(dlts), len(dlts) >= 2, dlts)
    for bpf in ([], ['tcp', 'and', 'not', 'port', '4789']):
        got = run([a.tcpnote, '-n', '-tt', '-S', '-r', files[0], '-r', files[1], '-r', files[2]] + bpf)
        each = [run([a.tcpnote, '-n', '-tt', '-S', '-r', f] + bpf) for f in files]
        lines = got[1].splitlines()
        packets = [ln for ln in lines if ln[:1].isdigit()]
        want = sorted(ln for r in each for ln in r[1].splitlines() if ln[:1].isdigit())
        check('link types %s: every file\'s packet lines, in time order' % (' '.join(bpf) or 'no filter'),
              got[0] == 0 and sorted(packets) == want and packets == sorted(packets, key=lambda x: float(x.split()[0]))
              and len(packets) > 0, got[2][-600:])
        check('link types %s: a source line per file, with its link type' % (' '.join(bpf) or 'no filter'),
              all(('reading from file %s, link-type' % f) in got[2] for f in files)
              and 'LINUX_SLL2' in got[2] and 'EN10MB' in got[2], got[2])


def damaged(a, work):
    """A truncated file and a file that is no capture, in the middle: named, the rest read, exit 1."""
    pieces, _ = split(os.path.join(a.pcaps, 'loss-both.pcap'), 'c', work)
    recs = records(pieces[1])
    cut = os.path.join(work, 'cut.pcap')
    with open(pieces[1], 'rb') as f:
        data = f.read()
    with open(cut, 'wb') as f:
        f.write(data[:-10])  # the last record loses its last 10 bytes
    whole_first = os.path.join(work, 'cut-good.pcap')
    subprocess.run(['editcap', '-F', 'pcap', '-r', pieces[1], whole_first, '1-%d' % (len(recs) - 1)],
                   check=True)
    for mode in ([], ['--json'], ['--summary']):
        got = outcome(a.tcpnote, [pieces[2], cut, pieces[0]], mode)
        want = outcome(a.tcpnote, [pieces[2], whole_first, pieces[0]], mode)
        check('damaged middle file %s: exit 1, the file named on stderr' % ' '.join(mode),
              got[0] == 1 and ('tcpnote: %s: truncated dump file' % cut) in got[2], got[2])
        check('damaged middle file %s: every packet before the damage and of the other files' % ' '.join(mode),
              got[1] == want[1] and want[0] == 0, first_difference(got, want))
    junk = os.path.join(work, 'junk.pcap')
    with open(junk, 'wb') as f:
        f.write(b'this is not a capture file at all\n' * 4)
    got = outcome(a.tcpnote, [pieces[0], junk, pieces[1], pieces[2]], ['--json'])
    want = outcome(a.tcpnote, [os.path.join(a.pcaps, 'loss-both.pcap')], ['--json'])
    check('not a capture, in the middle: named on stderr, exit 1, the rest read',
          got[0] == 1 and ('tcpnote: %s: ' % junk) in got[2] and got[1] == want[1], got[2])
    got = outcome(a.tcpnote, [pieces[0], os.path.join(work, 'missing.pcap')], ['--quiet', '--summary'])
    check('a missing file among them: named, exit 1, the other read',
          got[0] == 1 and 'missing.pcap: No such file' in got[2] and 'connections: 1' in got[1], got)
    got = outcome(a.tcpnote, [junk, os.path.join(work, 'missing.pcap')], [])
    check('no file readable: exit 1, each named', got[0] == 1 and 'missing.pcap' in got[2] and junk in got[2], got)


def refusals(a, work):
    """-w onto any input (also by another name: a hard link), -r - twice."""
    pieces, _ = split(os.path.join(a.pcaps, 'sack.pcap'), 'c', work)
    before = open(pieces[1], 'rb').read()
    link = os.path.join(work, 'other-name.pcap')
    os.link(pieces[1], link)
    for target in (pieces[1], link):
        status, out, err = run([a.tcpnote, '-n', '-r', pieces[0], '-r', pieces[1], '-r', pieces[2], '-w', target])
        check('-w %s, an input by %s name: refused' % (os.path.basename(target),
                                                        'its' if target == pieces[1] else 'another'),
              status == 1 and 'overwrite' in err and open(pieces[1], 'rb').read() == before, (status, err))
    status, out, err = run([a.tcpnote, '-n', '-r', '-', '-r', pieces[0], '-r', '-'])
    check('-r - twice: a usage error', status == 2 and 'once' in err, (status, err))
    svg = run([a.tcpnote, '-n', '-r', pieces[0], '-r', link, '--svg', pieces[1]])
    check('--svg onto an input: refused', svg[0] == 2 and open(pieces[1], 'rb').read() == before, svg)
    dlt = run([a.tcpnote, '-n', '-r', pieces[0], '-r', os.path.join(a.pcaps, 'any-device.pcap'),
               '-w', os.path.join(work, 'mixed.pcap')])
    check('-w with files of two link types: refused (a pcap file has one)',
          dlt[0] == 1 and 'new dlt does not match original' in dlt[2], dlt)
    # -C 1: the second file made would be cap1, which is being read (as the second -r, or in -V's list)
    loss = os.path.join(a.pcaps, 'loss-both.pcap')
    cap1 = mergecap([loss] * 8, os.path.join(work, 'cap1'))
    before = open(cap1, 'rb').read()
    split_onto = run([a.tcpnote, '-n', '--quiet', '-r', loss, '-r', cap1, '-C', '1', '-w', os.path.join(work, 'cap')])
    check('-C 1 -w cap, cap1 the second -r (%d bytes): refused when cap1 would be made, kept' % len(before),
          split_onto[0] == 1 and 'cap1: -w would overwrite the file being read' in split_onto[2]
          and open(cap1, 'rb').read() == before, split_onto)
    split_onto = run([a.tcpnote, '-n', '--quiet', '-V', '-', '-C', '1', '-w', os.path.join(work, 'cap')],
                     stdin=('%s\n%s\n' % (loss, cap1)).encode())
    check('-C 1 -w cap, cap1 in -V\'s list: refused, kept',
          split_onto[0] == 1 and 'cap1: -w would overwrite the file being read' in split_onto[2]
          and open(cap1, 'rb').read() == before, split_onto)
    out = os.path.join(work, 'saved.pcap')
    saved = run([a.tcpnote, '-n', '-q', '-r', pieces[2], '-r', pieces[0], '-r', pieces[1], '-w', out])
    check('-w of the merged stream: the whole capture\'s packets in order',
          saved[0] == 0 and [r[2] for r in records(out)] == [r[2] for r in records(os.path.join(a.pcaps, 'sack.pcap'))],
          saved)


def stdin_and_count(a, work):
    pcap = os.path.join(a.pcaps, 'tls13-lossy-keylog.pcap')
    pieces, _ = split(pcap, 'c', work)
    with open(pieces[1], 'rb') as f:
        middle = f.read()
    got = outcome(a.tcpnote, [pieces[2], '-', pieces[0]], ['--json'], stdin=middle)
    want = outcome(a.tcpnote, [pcap], ['--json'])
    check('-r - among files: as the whole capture', got == want and got[0] == 0, first_difference(got, want))
    got = outcome(a.tcpnote, [pieces[2], pieces[0], pieces[1]], ['-c', '100', '--json'])
    want = outcome(a.tcpnote, [pcap], ['-c', '100', '--json'])
    check('-c 100 counts over the whole stream', got == want and got[1].count('"type":"packet"') == 100,
          first_difference(got, want))


def recipe(a, work):
    """README: tcpnote -q --json -r trace-*.pcap, through the shell, on files named as tcpdump -G names them."""
    pcap = os.path.join(a.pcaps, 'kafka-group.pcap')
    pieces, _ = split(pcap, 'i', work)
    d = os.path.join(work, 'rotated')
    os.mkdir(d)
    for i, p in enumerate(pieces):
        shutil.copy(p, os.path.join(d, 'trace-2026-12-01-%02d.pcap' % i))
    status, out, err = run(['sh', '-c', '"$0" -n -q --json -r trace-*.pcap', a.tcpnote], cwd=d)
    want = run([a.tcpnote, '-n', '-q', '--json', '-r', pcap])
    check('recipe: tcpnote -q --json -r trace-*.pcap (%d files): the whole capture\'s flow records' % len(pieces),
          status == 0 and out == want[1] and out.count('"type":"flow"') > 0 and len(pieces) >= 2, err)
    status, out, err = run([a.tcpnote, '-n', '-q', '-r', pieces[0], 'tcp', 'port', '9092'])
    check('words after -r that are not all files: still the filter', status == 0, err)
    status, out, err = run([a.tcpnote, '-n', '-q', '-r', pieces[0], pieces[1], os.path.join(d, 'typo.pcap')])
    check('a file and a typo after -r: a filter that does not compile (2), and why',
          status == 2 and ("'%s' is a file" % pieces[1]) in err and 'its own -r' in err, (status, err))


def main():
    a = tcpnote_and_pcaps()
    a.tcpnote, a.pcaps = os.path.abspath(a.tcpnote), os.path.abspath(a.pcaps)
    for tool in ('editcap', 'mergecap'):
        if shutil.which(tool) is None:
            check('%s is installed (Debian: wireshark-common)' % tool, False)
            return finish('multi')
    work = tempfile.mkdtemp(prefix='tcpnote-multi-')
    try:
        for part in (ties, link_types, damaged, refusals, stdin_and_count, recipe, identity):
            sub = os.path.join(work, part.__name__)
            os.mkdir(sub)
            part(a, sub)
    finally:
        shutil.rmtree(work)
    return finish('multi')


if __name__ == '__main__':
    sys.exit(main())
