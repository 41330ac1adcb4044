#!/usr/bin/env python3
"""test_corpus_modes.py - every capture in ../shared/corpus and pcaps/, in every output mode, on the sanitizer build.

tcpdump's own test captures include fuzzed files and crash reproducers. Each is read
in every output mode; tcpnote must exit 0, or 1 with a 'tcpnote:' message, never
crash, hang or let AddressSanitizer/UBSan report anything.
"""
import argparse
import os
import subprocess
import sys

# (options, filter words after the file)
MODES = [([], []), (['-v'], []), (['-S', '-v', '-tttt'], []), (['--json'], []),
         (['--quiet', '--summary'], []), (['--json', '-v', '--summary', '--color=always'], []),
         (['-ttt'], ['tcp']), (['--explain', '-v', '--lang', 'zh'], []),
         (['--ladder', '--ascii', '--summary'], []), (['--ladder', '--svg', '/dev/null'], []),
         (['--quiet', '--svg', '-', '--flow', '1'], [])]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    ap.add_argument('dirs', nargs='+')
    a = ap.parse_args()
    files = []
    for d in a.dirs:
        if not os.path.isdir(d):
            print('FAIL no such folder: %s' % d)
            return 1
        files += sorted(os.path.join(d, f) for f in os.listdir(d)
                        if f.endswith('.pcap') or f.endswith('.pcapng'))
    env = dict(os.environ, TZ='UTC', ASAN_OPTIONS='detect_leaks=1:abort_on_error=0',
               UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1')
    ok = fail = 0
    exits = {0: 0, 1: 0}
    for path in files:
        for opts, bpf in MODES:
            mode = opts + bpf
            try:
                p = subprocess.run([a.tcpnote, '-n'] + opts + ['-r', path] + bpf, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.PIPE, env=env, timeout=60)
            except subprocess.TimeoutExpired:
                print('FAIL %s %s: no exit within 60 s' % (path, ' '.join(mode)))
                fail += 1
                continue
            err = p.stderr.decode('utf-8', 'replace')
            good = p.returncode in (0, 1) and 'Sanitizer' not in err and 'runtime error' not in err
            if p.returncode == 1:
                good = good and 'tcpnote: ' in err
            if good:
                ok += 1
                exits[p.returncode] += 1
            else:
                fail += 1
                print('FAIL %s %s: exit %d\n%s' % (path, ' '.join(mode), p.returncode, err[-1500:]))
    print('corpus: %d files, %d runs: %d exit 0, %d exit 1 with a message' % (
        len(files), ok + fail, exits[0], exits[1]))
    print('corpus: %d passed, %d failed' % (ok, fail))
    return 1 if fail or not files else 0


if __name__ == '__main__':
    sys.exit(main())
