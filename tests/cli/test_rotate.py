#!/usr/bin/env python3
"""test_rotate.py - -C, -G, -W and -z against tcpdump 4.99: the same file names, the same files, each whole.

Replaying a 4 MB capture (pcaps/ four times over, mergecap -a), tcpnote and tcpdump split
it with -C 1 -W 3, -C 1 and -G 3600 -C 1 -W 3 (a strftime name): the same names, and each
file byte for byte the same. -z runs on the same closed files as tcpdump's -z (and never on
the last). Usage errors, and a split that would land on the -r file. As root: -z runs as
the -Z user, who creates every file; then live on lo, in a network namespace of its own
(unshare -n), beside tcpdump with the same flags: -C 1 -W 3 under bulk TCP, -G 1 and
-G 1 -W 2 under a trickle of packets: the same names (-C), names that are strftime of the
seconds the capture ran (-G), -W 2 stopping by itself, every file whole and every packet
in one; and -C 1 onto a small tmpfs (unshare -m): the files before whole, the one that
fills the disk cut to its whole packets, exit 1. Without root those parts report the test
skipped (77).

Usage: test_rotate.py --tcpnote BIN --pcaps DIR
"""
import os
import pwd
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import (ENV, RESULTS, can_unshare, check, finish, rerun_unshared, run,  # noqa: E402
                    tcpnote_and_pcaps)

INSIDE = 'TCPNOTE_ROTATE_NAMESPACE'


def ethernet(path):
    """True for a little-endian pcap file of link type EN10MB (the Linux cooked ones are left out)."""
    with open(path, 'rb') as f:
        head = f.read(24)
    return len(head) == 24 and struct.unpack('<I', head[20:24])[0] == 1


def make_input(pcaps, tmp):
    """pcaps/' Ethernet captures four times over: about 4 MB, several files at -C 1."""
    names = sorted(n for n in os.listdir(pcaps)
                   if n.endswith('.pcap') and ethernet(os.path.join(pcaps, n)))
    big = os.path.join(tmp, 'big.pcap')
    subprocess.run(['mergecap', '-F', 'pcap', '-a', '-w', big] +
                   [os.path.join(pcaps, n) for n in names] * 4, check=True)
    return big


def valid_capture(path):
    """None when tcpdump reads the file to its end without a complaint (no cut record), else what it said."""
    rc, _, err = run(['tcpdump', '-n', '-r', path])
    return None if rc == 0 and 'truncated' not in err else (rc, err)


def folder(tmp, name, mode=0o755):
    path = os.path.join(tmp, name)
    os.mkdir(path)
    os.chmod(path, mode)
    return path


def split(t, big, flags, where, name, tool):
    """Replay BIG through TOOL (tcpnote or tcpdump) with FLAGS and -w WHERE/NAME: (exit, stderr, files)."""
    w = os.path.join(where, name)
    if tool == 'tcpdump':
        args = ['tcpdump', '-Z', 'root', '-r', big] + flags + ['-w', w]
    else:
        args = [t, '-n', '-r', big] + flags + ['-w', w]
    p = subprocess.run(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV, timeout=120)
    files = sorted(f for f in os.listdir(where) if not f.endswith('.sh') and f != 'log')
    return p.returncode, p.stderr.decode('utf-8', 'replace'), files


def same_split(t, big, tmp, flags, name):
    """The same names and byte-identical files from tcpnote and tcpdump; the names."""
    what = ' '.join(flags)
    for _ in range(2):  # a strftime name may see the date turn between the two runs: once more
        mine, theirs = folder(tmp, 'mine'), folder(tmp, 'theirs')
        rc1, err1, f1 = split(t, big, flags, mine, name, 'tcpnote')
        rc2, err2, f2 = split(t, big, flags, theirs, name, 'tcpdump')
        if f1 == f2:
            break
        shutil.rmtree(mine)
        shutil.rmtree(theirs)
    check('%s: exit 0 as tcpdump' % what, rc1 == 0 and rc2 == 0 and 'Sanitizer' not in err1,
          (rc1, err1, rc2, err2))
    check('%s: the names tcpdump makes (%s)' % (what, ' '.join(f2)), f1 == f2 and len(f2) >= 3,
          (f1, f2))
    differ = [f for f in f1 if f in f2 and open(os.path.join(mine, f), 'rb').read() !=
              open(os.path.join(theirs, f), 'rb').read()]
    check('%s: each file byte for byte tcpdump\'s' % what, f1 == f2 and not differ, differ)
    bad = [(f, valid_capture(os.path.join(mine, f))) for f in f1]
    check('%s: each file reads back whole' % what, all(b is None for _, b in bad), bad)
    shutil.rmtree(mine)
    shutil.rmtree(theirs)
    return f2


def recorder(where):
    """A -z script that appends "FILE USER" to WHERE/log."""
    script = os.path.join(where, 'rec.sh')
    with open(script, 'w') as f:
        f.write('#!/bin/sh\necho "$(basename "$1") $(id -un)" >> %s/log\n' % where)
    os.chmod(script, 0o755)
    return script


def logged(where, n):
    """The sorted lines of WHERE/log once it has N (the commands run beside the capture)."""
    path = os.path.join(where, 'log')
    lines = []
    for _ in range(100):
        lines = open(path).read().splitlines() if os.path.exists(path) else []
        if len(lines) >= n:
            break
        time.sleep(0.05)
    time.sleep(0.2)  # one more would be one too many
    return sorted(open(path).read().splitlines() if os.path.exists(path) else [])


def command_case(t, big, tmp, user, closed):
    """-z (and -Z USER when given): the same closed files as tcpdump's, run as the same user."""
    got = {}
    for tool in ('tcpnote', 'tcpdump'):
        where = folder(tmp, 'z-' + tool, 0o777)
        flags = ['-C', '1', '-W', '3', '-z', recorder(where)]
        if tool == 'tcpdump':
            args = ['tcpdump', '-Z', user or 'root', '-r', big] + flags
        else:
            args = [t, '-n', '-r', big] + flags + (['-Z', user] if user else [])
        p = subprocess.run(args + ['-w', os.path.join(where, 'out')], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, env=ENV, timeout=120)
        owners = sorted({pwd.getpwuid(os.stat(os.path.join(where, f)).st_uid).pw_name
                         for f in os.listdir(where) if f.startswith('out')})
        got[tool] = (p.returncode, logged(where, closed), owners)
        shutil.rmtree(where)
    who = user or pwd.getpwuid(os.geteuid()).pw_name
    mine, theirs = got['tcpnote'], got['tcpdump']
    what = '-z' + (' with -Z ' + user if user else '')
    check('%s: run on each closed file, not the last, as tcpdump\'s (%s)' % (what, ', '.join(mine[1])),
          mine[0] == 0 and mine[1] == theirs[1] and len(mine[1]) == closed, (mine, theirs))
    check('%s: the command runs as %s, who owns every file' % (what, who),
          all(line.endswith(' ' + who) for line in mine[1]) and mine[2] == [who], mine)


def refusals(t, big, tmp):
    """Usage errors (2), and a split that would land on the file being read (1)."""
    for flags, why in ((['-C', '0'], 'a size of 0'), (['-C', '1k'], 'a size with a unit (4.99.3 has none)'),
                       (['-G', '-1'], 'negative seconds'), (['-W', '0', '-C', '1'], '-W 0'),
                       (['-z', '', '-C', '1'], 'an empty -z')):
        rc, _, err = run([t, '-n', '-r', big] + flags + ['-w', os.path.join(tmp, 'x')])
        check('%s is a usage error (2)' % why, rc == 2 and 'tcpnote: ' in err, (rc, err))
    rc, _, err = run([t, '-n', '-r', big, '-C', '1'])
    check('-C without -w is a usage error (2)', rc == 2 and '-w' in err, (rc, err))
    rc, _, err = run([t, '-n', '-r', big, '-W', '3', '-w', os.path.join(tmp, 'x')])
    check('-W without -C or -G is a usage error (2)', rc == 2 and '-C or -G' in err, (rc, err))
    rc, _, err = run([t, '-n', '-r', big, '-C', '1', '-z'])
    check('-z without its command is a usage error (2)', rc == 2 and 'needs an argument' in err, err)
    # The second file would be cap1, the capture being read: refused there, cap1 untouched.
    where = folder(tmp, 'input')
    shutil.copy(big, os.path.join(where, 'cap1'))
    rc, _, err = run([t, '-n', '-r', os.path.join(where, 'cap1'), '-C', '1', '-w',
                      os.path.join(where, 'cap')])
    kept = open(os.path.join(where, 'cap1'), 'rb').read() == open(big, 'rb').read()
    check('a split onto the -r file is refused (1) and the file kept', rc == 1 and kept and
          'cap1: -w would overwrite the file being read' in err, (rc, err))
    shutil.rmtree(where)


def as_root(t, big, tmp, closed):
    """-Z: the files are made by the -Z user, so a folder only root may write is refused at once."""
    command_case(t, big, tmp, 'nobody', closed)
    where = folder(tmp, 'rootonly')
    rc, _, err = run([t, '-n', '-r', big, '-Z', 'nobody', '-C', '1', '-w', os.path.join(where, 'out')])
    rc2, _, err2 = run(['tcpdump', '-Z', 'nobody', '-r', big, '-C', '1', '-w', os.path.join(where, 'o')])
    check('-Z nobody -C: a folder only root may write is refused before any packet, as tcpdump',
          rc == 1 and 'Permission denied' in err and rc2 == 1 and os.listdir(where) == [],
          (rc, err, rc2, err2))


def start(args):
    """A capture on lo, once it says it is listening."""
    p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=ENV)
    first = p.stderr.readline().decode()
    return p, first


def stop(p):
    """Ctrl-C (unless it has ended by itself), then its exit status and what it said on stderr."""
    if p.poll() is None:
        p.send_signal(signal.SIGINT)
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
    return p.returncode, p.stderr.read().decode()


def whole(where):
    """{file: problem} for the files of WHERE that do not read back complete."""
    return {f: b for f, b in ((f, valid_capture(os.path.join(where, f))) for f in os.listdir(where))
            if b is not None}


def packets(where):
    """How many packets the files of WHERE hold (tcpdump's lines)."""
    return sum(len(run(['tcpdump', '-n', '-r', os.path.join(where, f)])[1].splitlines())
               for f in os.listdir(where))


def captured(err):
    """N of tcpnote's "N packets captured"."""
    lines = [l for l in err.splitlines() if l.endswith(' packets captured')]
    return int(lines[0].split()[0]) if len(lines) == 1 else None


class Talk:
    """TCP over 127.0.0.1 to a sink of its own: CHUNK bytes every PAUSE seconds, COUNT times."""

    def __init__(self):
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]

    def sink(self):
        conn, _ = self.listener.accept()
        while conn.recv(1 << 16):
            pass
        conn.close()

    def run(self, chunk, pause, count):
        th = threading.Thread(target=self.sink, daemon=True)
        th.start()
        c = socket.create_connection(('127.0.0.1', self.port))
        for _ in range(count):
            c.sendall(chunk)
            time.sleep(pause)
        c.close()
        th.join(timeout=10)
        self.listener.close()


def live_size(t, tmp):
    """-C 1 -W 3 beside tcpdump while 5 MB go by: out0 out1 out2, come round, each whole."""
    mine, theirs = folder(tmp, 'live-mine'), folder(tmp, 'live-theirs')
    talk = Talk()
    filt = ['tcp', 'port', str(talk.port)]
    pt, ft = start([t, '-n', '-i', 'lo', '-C', '1', '-W', '3', '-w', os.path.join(mine, 'out')] + filt)
    pd, _ = start(['tcpdump', '-Z', 'root', '-i', 'lo', '-C', '1', '-W', '3', '-w',
                   os.path.join(theirs, 'out')] + filt)
    talk.run(b'x' * 65536, 0.002, 80)
    time.sleep(0.5)
    rc, err = stop(pt)
    stop(pd)
    f1, f2 = sorted(os.listdir(mine)), sorted(os.listdir(theirs))
    check('live -C 1 -W 3: listening, Ctrl-C exits 0', ft.startswith('listening on lo') and rc == 0,
          (ft, rc, err))
    check('live -C 1 -W 3: the names tcpdump makes (%s)' % ' '.join(f1),
          f1 == f2 == ['out0', 'out1', 'out2'], (f1, f2))
    kept = packets(mine)
    check('live -C 1 -W 3: each file whole, the ring come round (%s packets captured, %d kept)'
          % (captured(err), kept), not whole(mine) and captured(err) is not None and
          captured(err) > kept > 0, (whole(mine), err))


def seconds_names(files, prefix, start_t, end_t):
    """True when the names are PREFIX + %H%M%S of consecutive seconds while the capture ran: with
    a packet every 50 ms, the first of each second starts its file."""
    stamps = [time.strftime(prefix + '%H%M%S.pcap', time.gmtime(s))
              for s in range(int(start_t) - 1, int(end_t) + 2)]
    return bool(files) and files[0] in stamps and \
        files == stamps[stamps.index(files[0]):stamps.index(files[0]) + len(files)]


def live_time(t, tmp):
    """-G 1 for 3.5 s and -G 1 -W 2, each beside tcpdump's, under a packet every 50 ms."""
    dirs = {k: folder(tmp, k) for k in ('g-mine', 'g-theirs', 'w-mine', 'w-theirs')}
    talk = Talk()
    filt = ['tcp', 'port', str(talk.port)]
    start_t = time.time()
    procs = {}
    for k in dirs:
        name = os.path.join(dirs[k], k[0] + '-%H%M%S.pcap')
        limit = ['-W', '2'] if k[0] == 'w' else []
        args = [t, '-n'] if k.endswith('mine') else ['tcpdump', '-Z', 'root']
        procs[k] = start(args + ['-i', 'lo', '-G', '1'] + limit + ['-w', name] + filt)[0]
    talk.run(b'tick', 0.05, 70)
    ended = {k: procs[k].poll() for k in ('w-mine', 'w-theirs')}
    got = {k: stop(p) for k, p in procs.items()}
    end_t = time.time()
    files = {k: sorted(os.listdir(d)) for k, d in dirs.items()}
    rc, err = got['g-mine']
    check('live -G 1: Ctrl-C exits 0, a file for each second (%s)' % ' '.join(files['g-mine']),
          rc == 0 and len(files['g-mine']) >= 3 and
          seconds_names(files['g-mine'], 'g-', start_t, end_t), (rc, err, files['g-mine']))
    check('live -G 1: as many files as tcpdump, give or take the second each started in (%d, %d)'
          % (len(files['g-mine']), len(files['g-theirs'])),
          abs(len(files['g-mine']) - len(files['g-theirs'])) <= 1 and
          seconds_names(files['g-theirs'], 'g-', start_t, end_t), files)
    n = packets(dirs['g-mine'])
    check('live -G 1: every file whole, every packet captured in one of them (%d)' % n,
          not whole(dirs['g-mine']) and captured(err) == n > 0, (whole(dirs['g-mine']), err, n))
    rc, err = got['w-mine']
    rc2, err2 = got['w-theirs']
    check('live -G 1 -W 2: stops by itself, exit 0, "Maximum file limit reached: 2", as tcpdump',
          ended == {'w-mine': 0, 'w-theirs': 0} and
          'Maximum file limit reached: 2\n' in err and 'Maximum file limit reached: 2\n' in err2,
          (ended, err, err2))
    check('live -G 1 -W 2: two files of consecutive seconds, whole, as tcpdump (%s)' % ' '.join(files['w-mine']),
          len(files['w-mine']) == 2 == len(files['w-theirs']) and
          seconds_names(files['w-mine'], 'w-', start_t, end_t) and not whole(dirs['w-mine']), files)


def full_disk(t, big, tmp):
    """-C 1 onto a 2.5 MiB tmpfs: two files whole, the third cut to its whole packets, exit 1."""
    ref, disk = folder(tmp, 'ref'), folder(tmp, 'disk')
    split(t, big, ['-C', '1'], ref, 'out', 'tcpnote')
    subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%d' % (5 << 19), 'tmpfs', disk], check=True)
    try:
        rc, err, files = split(t, big, ['-C', '1'], disk, 'out', 'tcpnote')
        said = [l for l in err.splitlines() if l.startswith('tcpnote: ') and 'evicted' not in l]
        check('-C 1 on a full disk: exit 1, one message naming the third file',
              rc == 1 and said == ['tcpnote: %s/out2: No space left on device' % disk], (rc, err))
        data = {f: open(os.path.join(disk, f), 'rb').read() for f in files}
        want = {f: open(os.path.join(ref, f), 'rb').read() for f in ('out', 'out1', 'out2')}
        check('-C 1 on a full disk: out and out1 complete, out2 the start of its packets, whole',
              files == ['out', 'out1', 'out2'] and data['out'] == want['out'] and
              data['out1'] == want['out1'] and 0 < len(data['out2']) < len(want['out2']) and
              want['out2'].startswith(data['out2']) and not whole(disk), (files, whole(disk)))
    finally:
        subprocess.run(['umount', disk], check=True)


def in_namespace(a):
    """The live cases, on the lo of a network namespace of this test's own; a small tmpfs in its
    mount namespace."""
    subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
    tmp = tempfile.mkdtemp(prefix='tcpnote-rotate.')
    try:
        full_disk(a.tcpnote, make_input(a.pcaps, tmp), tmp)
        live_size(a.tcpnote, tmp)
        live_time(a.tcpnote, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish('rotate (namespace)')


def main():
    a = tcpnote_and_pcaps()
    if os.environ.get(INSIDE) == '1':
        return in_namespace(a)
    tmp = tempfile.mkdtemp(prefix='tcpnote-rotate.')
    os.chmod(tmp, 0o755)
    try:
        big = make_input(a.pcaps, tmp)
        same_split(a.tcpnote, big, tmp, ['-C', '1', '-W', '3'], 'out')
        closed = len(same_split(a.tcpnote, big, tmp, ['-C', '1'], 'out')) - 1
        same_split(a.tcpnote, big, tmp, ['-G', '3600', '-C', '1', '-W', '3'], 'rot-%Y%m%d-')
        refusals(a.tcpnote, big, tmp)
        command_case(a.tcpnote, big, tmp, None, closed)
        root = can_unshare()
        if root:
            as_root(a.tcpnote, big, tmp, closed)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not root:
        print('SKIPPED: -Z, live captures and a full disk need root (unshare -m -n)')
        return 77 if all(RESULTS) else finish('rotate')
    ns = rerun_unshared(__file__, ['--tcpnote', a.tcpnote, '--pcaps', a.pcaps], INSIDE, 120)
    check('the live and full-disk cases passed (in their own namespaces)', ns == 0, ns)
    return finish('rotate')


if __name__ == '__main__':
    sys.exit(main())
