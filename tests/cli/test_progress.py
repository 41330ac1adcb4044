#!/usr/bin/env python3
"""test_progress.py - the progress line on a terminal's stderr while files are read, through a pseudo-terminal.

A long capture (loss-both.pcap's packets over and over, each round a little later) is
read with standard error on a pseudo-terminal and standard output in a file: a line
rewritten in place (carriage return, erase) saying files done of all, bytes and packets
read, the rate and the time left, at most a few times a second, erased at the end. It is
never written with --no-progress, when standard error is not a terminal, or when standard
output is one too.

Usage: test_progress.py --tcpnote BIN --pcaps DIR
"""
import os
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import ENV, check, finish, tcpnote_and_pcaps  # noqa: E402

ERASE = b'\r\x1b[K'
ROUNDS = 1000


def long_capture(src, out, rounds):
    """src's packets rounds times over, each round one second after the last ended: (path, packets)."""
    with open(src, 'rb') as f:
        data = f.read()
    head, recs, at = data[:24], [], 24
    while at + 16 <= len(data):
        sec, usec, incl, orig = struct.unpack('<IIII', data[at:at + 16])
        recs.append((sec, usec, data[at + 8:at + 16 + incl]))
        at += 16 + incl
    span = recs[-1][0] - recs[0][0] + 1
    with open(out, 'wb') as f:
        f.write(head)
        for r in range(rounds):
            f.write(b''.join(struct.pack('<II', sec + r * span, usec) + rest for sec, usec, rest in recs))
    return out, rounds * len(recs)


def on_tty(args, stdout_tty=False):
    """Run args with stderr on a pseudo-terminal (and stdout too, or a file): (status, what the terminal got, seconds)."""
    master, slave = pty.openpty()
    out_master = out_slave = None
    if stdout_tty:
        out_master, out_slave = pty.openpty()
    sink = tempfile.TemporaryFile()
    start = time.monotonic()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=out_slave if stdout_tty else sink,
                         stderr=slave, env=ENV)
    os.close(slave)
    if out_slave is not None:
        os.close(out_slave)
    got = b''
    fds = [master] + ([out_master] if out_master is not None else [])
    while fds:
        ready, _, _ = select.select(fds, [], [], 60)
        if not ready:
            break
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except OSError:  # EIO: the other end closed
                chunk = b''
            if not chunk:
                fds.remove(fd)
            elif fd == master:
                got += chunk
    status = p.wait(timeout=60)
    seconds = time.monotonic() - start
    os.close(master)
    if out_master is not None:
        os.close(out_master)
    return status, got, seconds


def main():
    a = tcpnote_and_pcaps()
    work = tempfile.mkdtemp(prefix='tcpnote-progress-')
    try:
        big, packets = long_capture(os.path.join(a.pcaps, 'loss-both.pcap'), os.path.join(work, 'long.pcap'), ROUNDS)
        half = os.path.join(work, 'half.pcap')
        subprocess.run(['editcap', '-F', 'pcap', '-c', str(packets // 2), big, half], check=True)
        halves = sorted(os.path.join(work, f) for f in os.listdir(work) if f.startswith('half_'))

        status, tty, secs = on_tty([a.tcpnote, '-n', '--quiet', '--summary', '-r', big])
        lines = [x for x in tty.split(ERASE)[1:] if x]
        check('one file: exit 0', status == 0, tty[-300:])
        check('one file (%.1f s): the line shown, rewritten in place (%d times)' % (secs, len(lines)),
              len(lines) >= 1 and all(re.match(rb'[01]/1 files, [0-9.]+ [kMG]?B of [0-9.]+ [kMG]?B, '
                                               rb'\d+ packets, [0-9.]+ [kMG]?B/s, (\d+:)?\d+:\d\d left$', x)
                                      for x in lines), tty[-600:])
        check('one file: at most %d updates a second' % 4, len(lines) <= 4 * secs + 1, (len(lines), secs))
        check('one file: erased at the end (the last thing written)', tty.endswith(ERASE), tty[-100:])
        total = os.path.getsize(big)
        check('one file: the whole size stated', lines and ('of %.1f MB' % (total / 1e6)).encode() in lines[-1],
              (total, lines[-1:]))

        status, tty, secs = on_tty([a.tcpnote, '-n', '--quiet', '-r', halves[1], '-r', halves[0]])
        lines = [x for x in tty.split(ERASE)[1:] if x]
        check('two files: the line counts files of 2', status == 0 and lines and
              all(re.match(rb'[0-2]/2 files, ', x) for x in lines) and tty.endswith(ERASE), tty[-600:])

        for what, args, stdout_tty in (
                ('--no-progress', [a.tcpnote, '-n', '--quiet', '--no-progress', '-r', big], False),
                ('standard output a terminal too', [a.tcpnote, '-n', '--quiet', '-r', big], True)):
            status, tty, secs = on_tty(args, stdout_tty)
            check('%s: no progress line (%.1f s)' % (what, secs),
                  status == 0 and b'\x1b[K' not in tty and b'files,' not in tty, tty[-300:])

        p = subprocess.run([a.tcpnote, '-n', '--quiet', '-r', big], stdout=subprocess.DEVNULL,
                           stderr=subprocess.PIPE, env=ENV, timeout=120)
        check('standard error not a terminal: no progress line, stderr clean',
              p.returncode == 0 and b'\x1b' not in p.stderr and b'\r' not in p.stderr, p.stderr[-300:])
        status, tty, secs = on_tty(['sh', '-c', '"$0" -n --quiet -r - < "$1"', a.tcpnote, big])
        check('standard input: no progress line (its size is unknown)', status == 0 and b'\x1b[K' not in tty,
              tty[-300:])
    finally:
        shutil.rmtree(work)
    return finish('progress')


if __name__ == '__main__':
    sys.exit(main())
