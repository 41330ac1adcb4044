#!/usr/bin/env python3
"""test_threads.py - --threads 2 writes what --threads 1 writes, byte for byte, and --threads takes 1 or 2.

Every capture of pcaps/ in the modes whose lines the output thread formats (text with
-S -v -e -x -X -A -# -ttt, --json, with --summary and flow records), once with each
--threads: standard output, standard error and the exit status must be the same. The
same holds for the whole corpus in more modes between two builds (bench/identity.py).
Also several -r (each capture split by editcap -c, and three files of three link types:
the output thread decodes each frame with its own file's link type) and --shard K/3
(packets of other shards left on the reading thread, before any tracking or batching).
"""
import os
import sys
import tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish, run, tcpnote_and_pcaps  # noqa: E402
from test_multi import split  # noqa: E402

MODES = [[], ['-S', '-v'], ['-e', '-x'], ['-X', '-#', '-ttt'], ['-A', '-vv', '-ttttt'],
         ['--json', '--summary'], ['--summary', '--max-flows', '2']]
MULTI_MODES = [[], ['-v', '-e'], ['--json', '--summary']]
SHARD_MODES = [['--json', '--shard', '0/3'], ['--json', '--shard', '1/3'], ['--json', '--shard', '2/3'],
               ['-v', '--summary', '--shard', '1/3']]


def same_both_ways(tcpnote, cases):
    """[(what, args)] run with --threads 1 and 2: the cases whose outputs differ, and how many printed."""
    differ, printed = [], 0
    for what, args in cases:
        one = run([tcpnote, '-n', '--threads', '1'] + args)
        two = run([tcpnote, '-n', '--threads', '2'] + args)
        printed += one[1] != ''
        if one != two or one[0] != 0:
            differ.append((what, one[0], two[0]))
    return differ, printed


def multi_and_shard(a, files):
    """Several -r (split captures, mixed link types) and --shard: the output thread's output is the same."""
    with tempfile.TemporaryDirectory() as work:
        cases = []
        for path in files:
            pieces, _ = split(path, 'c', work)
            if len(pieces) < 2:
                continue
            for mode in MULTI_MODES:
                cases.append((' '.join(mode + ['split'] + [os.path.basename(p) for p in pieces]),
                              mode + [arg for p in reversed(pieces) for arg in ('-r', p)]))
        differ, printed = same_both_ways(a.tcpnote, cases)
        check('several -r: --threads 2 prints what --threads 1 prints: %d runs on split captures'
              % len(cases), len(cases) > 100 and printed == len(cases) and not differ, differ[:10])
    mixed = [os.path.join(a.pcaps, f) for f in ('any-device.pcap', 'sack.pcap', 'tunnel-vxlan.pcap')]
    cases = [(' '.join(mode), mode + [arg for p in mixed for arg in ('-r', p)])
             for mode in ([], ['-e', '-x'], ['-e', '-v', '-S'], ['--json'])]
    differ, printed = same_both_ways(a.tcpnote, cases)
    got = run([a.tcpnote, '-n', '--threads', '2', '-e', '-r', mixed[0], '-r', mixed[1]])
    check('link types SLL2 + EN10MB + VXLAN in one stream: the same with 2 threads, each frame its link type',
          not differ and printed == len(cases) and ' In ' in got[1] and 'ethertype IPv4' in got[1],
          (differ, got[2][-300:]))
    cases = [(' '.join(mode + [os.path.basename(path)]), mode + ['-r', path])
             for path in files for mode in SHARD_MODES]
    differ, printed = same_both_ways(a.tcpnote, cases)
    check('--shard K/3: --threads 2 prints what --threads 1 prints: %d runs' % len(cases),
          not differ and printed > len(cases) // 2, differ[:10])


def main():
    a = tcpnote_and_pcaps()
    files = sorted(os.path.join(a.pcaps, f) for f in os.listdir(a.pcaps) if f.endswith('.pcap'))
    differ = []
    runs = 0
    for path in files:
        for mode in MODES:
            one = run([a.tcpnote, '-n', '--threads', '1'] + mode + ['-r', path])
            two = run([a.tcpnote, '-n', '--threads', '2'] + mode + ['-r', path])
            runs += 1
            if one != two:
                differ.append(' '.join(mode + [os.path.basename(path)]))
    check('--threads 2 prints what --threads 1 prints: %d captures, %d modes, %d runs'
          % (len(files), len(MODES), runs), files and not differ, differ[:10])
    for bad in ('0', '3', 'two', ''):
        rc, out, err = run([a.tcpnote, '-n', '--threads', bad, '-r', files[0]])
        check('--threads %r: usage error' % bad, rc == 2 and err == 'tcpnote: --threads takes 1 or 2\n'
              and out == '', (rc, err))
    multi_and_shard(a, files)
    return finish('threads')


if __name__ == '__main__':
    sys.exit(main())
