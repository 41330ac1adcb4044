"""checks.py - the small harness the script tests share: run a command, record a check, close with a count."""
import argparse
import os
import signal
import subprocess
import sys

ENV = dict(os.environ, TZ='UTC', LC_ALL='C')
RESULTS = []


def run(args, stdin=None, timeout=120, cwd=None, env=None):
    """(exit status, stdout, stderr) of a command, with TZ=UTC and the C locale."""
    p = subprocess.run(args, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       env=env or ENV, timeout=timeout, cwd=cwd)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def check(name, cond, detail=''):
    """Record one check and print it; the detail is shown only when it fails. Returns cond."""
    RESULTS.append(bool(cond))
    print('%s %s%s' % ('ok  ' if cond else 'FAIL', name, '' if cond else ': ' + str(detail)[:800]))
    return bool(cond)


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


def cmake_build(source, build, settings, cc=None, target=None, timeout=900):
    """Configure SOURCE into the fresh folder BUILD with -D SETTINGS (a dict), build TARGET (all
    when None) on two cores: (exit status, what both steps printed). Make's jobserver settings of
    an outer make are dropped, so the build is as a user types it."""
    env = {k: v for k, v in ENV.items() if k not in ('MAKEFLAGS', 'MFLAGS', 'MAKELEVEL')}
    if cc:
        env['CC'] = cc
    configure = ['cmake', '-S', source, '-B', build] + ['-D%s=%s' % kv for kv in settings.items()]
    status, out, err = run(configure, timeout=timeout, env=env)
    if status != 0:
        return status, out + err
    step = ['cmake', '--build', build, '-j2'] + (['--target', target] if target else [])
    status, out2, err2 = run(step, timeout=timeout, env=env)
    return status, out + err + out2 + err2


def can_unshare():
    """Root, and allowed to make mount and network namespaces (unshare -m -n)."""
    return os.geteuid() == 0 and subprocess.run(['unshare', '-m', '-n', 'true']).returncode == 0


def make_netns(name):
    """A network namespace NAME of the test's own (ip netns add): None, or 77 (the
    skip status, said on stdout) when not root or no namespace can be made. The caller deletes it."""
    if os.geteuid() != 0:
        print('SKIPPED: needs root (network namespaces and capture rights)')
        return 77
    if subprocess.run(['ip', 'netns', 'add', name], stderr=subprocess.PIPE).returncode != 0:
        print('SKIPPED: cannot make a network namespace')
        return 77
    return None


def rerun_unshared(script, args, marker, timeout):
    """Runs script with args again in a mount and network namespace of its own, with
    marker=1 in its environment (so it knows it is inside); its exit status."""
    return subprocess.run(['unshare', '-m', '-n', sys.executable, os.path.abspath(script)] + args,
                          env=dict(os.environ, **{marker: '1'}), timeout=timeout).returncode


def interrupt(p, timeout=10):
    """Ctrl-C for p (unless it has ended by itself), then (exit status, stdout, stderr) as
    bytes; killed when it has not stopped within timeout seconds."""
    if p.poll() is None:
        p.send_signal(signal.SIGINT)
    try:
        out, err = p.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        out, err = p.communicate()
    return p.returncode, out or b'', err or b''
