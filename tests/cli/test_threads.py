#!/usr/bin/env python3
"""test_threads.py - --threads 2 writes what --threads 1 writes, byte for byte, and --threads takes 1 or 2.

Every capture of pcaps/ in the modes whose lines the output thread formats (text with
-S -v -e -x -X -A -# -ttt, --json, with --summary and flow records), once with each
--threads: standard output, standard error and the exit status must be the same. The
same holds for the whole corpus in more modes between two builds (bench/identity.py).
"""
import os
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish, run, tcpnote_and_pcaps  # noqa: E402

MODES = [[], ['-S', '-v'], ['-e', '-x'], ['-X', '-#', '-ttt'], ['-A', '-vv', '-ttttt'],
         ['--json', '--summary'], ['--summary', '--max-flows', '2']]


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
    return finish('threads')


if __name__ == '__main__':
    sys.exit(main())
