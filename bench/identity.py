#!/usr/bin/env python3
"""identity.py - two tcpnote binaries (before and after a change) on every capture, in every output mode: same bytes?

    bench/identity.py OLD NEW [--new-opts '--threads 2'] DIR...

Each capture (*.pcap, *.pcapng) in each DIR and its subdirectories is read by both binaries in each
mode of MODES; standard output, standard error and the exit status must be the
same. Prints the runs and the differences; exits 1 when there is one.
"""
import argparse
import concurrent.futures
import os
import shlex
import subprocess
import sys

MODES = [[], ['-S'], ['-v'], ['-vv', '-K'], ['-e'], ['-q'], ['-#', '-ttt'], ['-ttttt'],
         ['-tttt', '--nano'], ['-x'], ['-X'], ['-XX', '-e'], ['-A'], ['--json'],
         ['--json', '-v', '--summary'], ['--summary'], ['--quiet', '--summary'], ['--explain'],
         ['--explain', '-v', '--lang', 'zh'], ['--ladder', '--ascii'], ['--color=always', '-v'],
         ['--max-flows', '3', '--idle-timeout', '1']]


def run(binary, extra, opts, path):
    env = dict(os.environ, TZ='UTC', ASAN_OPTIONS='detect_leaks=0')
    p = subprocess.run([binary, '-n'] + extra + opts + ['-r', path], stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, env=env, timeout=120)
    return p.returncode, p.stdout, p.stderr


def compare(old, new, extra, opts, path):
    a = run(old, [], opts, path)
    b = run(new, extra, opts, path)
    return path, opts, a == b, len(a[1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('old')
    ap.add_argument('new')
    ap.add_argument('--new-opts', default='', help='options given to NEW only')
    ap.add_argument('-j', type=int, default=2)
    ap.add_argument('dirs', nargs='+')
    a = ap.parse_args()
    files = []
    for d in a.dirs:  # and their subdirectories (pcaps/fragments, pcaps/hrr, ...)
        for root, subdirs, names in os.walk(d):
            subdirs.sort()
            files += sorted(os.path.join(root, f) for f in names
                            if f.endswith('.pcap') or f.endswith('.pcapng'))
    extra = shlex.split(a.new_opts)
    runs = diffs = out_bytes = 0
    with concurrent.futures.ThreadPoolExecutor(a.j) as ex:
        jobs = [ex.submit(compare, a.old, a.new, extra, m, f) for f in files for m in MODES]
        for j in jobs:
            path, opts, same, n = j.result()
            runs += 1
            out_bytes += n
            if not same:
                diffs += 1
                print('DIFF %s %s' % (' '.join(opts), path))
    print('identity: %d files, %d modes, %d runs, %d bytes of output each side, %d differences'
          % (len(files), len(MODES), runs, out_bytes, diffs))
    return 1 if diffs or not files else 0


if __name__ == '__main__':
    sys.exit(main())
