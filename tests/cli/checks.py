"""checks.py - the small harness the script tests share: run a command, record a check, close with a count."""
import argparse
import os
import subprocess

ENV = dict(os.environ, TZ='UTC', LC_ALL='C')
RESULTS = []


def run(args, stdin=None, timeout=120):
    """(exit status, stdout, stderr) of a command, with TZ=UTC and the C locale."""
    p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV,
                       timeout=timeout)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def check(name, cond, detail=''):
    """Record one check and print it; the detail is shown only when it fails."""
    RESULTS.append(bool(cond))
    print('%s %s%s' % ('ok  ' if cond else 'FAIL', name, '' if cond else ': ' + str(detail)[:800]))


def finish(word):
    """Print 'WORD: N passed, N failed' (the line CI reads) and return the exit status."""
    passed = sum(RESULTS)
    print('%s: %d passed, %d failed' % (word, passed, len(RESULTS) - passed))
    return 0 if RESULTS and passed == len(RESULTS) else 1


def tcpnote_and_pcaps():
    """The --tcpnote binary and the --pcaps folder every script test is given."""
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    ap.add_argument('--pcaps', required=True)
    return ap.parse_args()
