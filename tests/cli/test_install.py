#!/usr/bin/env python3
"""test_install.py - cmake --install puts tcpnote and its man page in place; the page covers every option."""
import argparse
import gzip
import os
import re
import subprocess
import sys
import tempfile


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', required=True)
    a = ap.parse_args()
    ok = fail = 0
    with tempfile.TemporaryDirectory() as prefix:
        p = subprocess.run(['cmake', '--install', a.build, '--prefix', prefix],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        binary = os.path.join(prefix, 'bin', 'tcpnote')
        page = os.path.join(prefix, 'share', 'man', 'man1', 'tcpnote.1.gz')
        for name, cond in (('cmake --install succeeds', p.returncode == 0),
                           ('bin/tcpnote is installed', os.access(binary, os.X_OK)),
                           ('share/man/man1/tcpnote.1.gz is installed', os.path.isfile(page))):
            print('%s %s' % ('ok  ' if cond else 'FAIL', name))
            ok, fail = ok + cond, fail + (not cond)
        if os.path.isfile(page) and os.access(binary, os.X_OK):
            help_text = subprocess.run([binary, '--help'], stdout=subprocess.PIPE).stdout.decode()
            man = gzip.open(page, 'rt').read().replace('\\-', '-')
            for opt in sorted(set(re.findall(r'(?<![\w-])(--?[a-zA-Z][a-zA-Z]*)', help_text))):
                cond = opt in man
                print('%s the man page documents %s' % ('ok  ' if cond else 'FAIL', opt))
                ok, fail = ok + cond, fail + (not cond)
    print('install: %d passed, %d failed' % (ok, fail))
    return 1 if fail else 0


if __name__ == '__main__':
    sys.exit(main())
