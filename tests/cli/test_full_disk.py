#!/usr/bin/env python3
"""test_full_disk.py - a disk that fills up halfway: -w, text, --json, --explain and --svg on a small tmpfs.

Each output runs out of room partway on a tmpfs mounted in the test's own mount namespace
(unshare -m). tcpnote must exit 1 with one message naming the file and the reason, stop
reading, and leave a -w file that tcpdump and tshark read to its last whole packet, the
first packets of the input. Live (in a network namespace of its own, unshare -n): -w lands
packet by packet, and a full disk ends the capture. /dev/full and a closed pipe need no
root; the rest does (mount): without it the test reports itself skipped (exit 77).

Usage: test_full_disk.py --tcpnote BIN --pcaps DIR
"""
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import (ENV, RESULTS, can_unshare, check, finish, rerun_unshared, run,  # noqa: E402
                    tcpnote_and_pcaps)

INSIDE = 'TCPNOTE_FULL_DISK_NAMESPACE'
ENOSPC = 'No space left on device'
MIB = 1 << 20
# Ethernet captures recorded by the real stack; twenty rounds of them make a 20 MB, 21,000-packet input.
INPUTS = ['loss-both', 'loss-receiver-view', 'loss-sender-view', 'reorder', 'zero-window', 'sack']


def messages(err):
    """tcpnote's own messages on stderr (not the 'reading from file' line nor the counters)."""
    return [line for line in err.splitlines() if line.startswith('tcpnote: ')]


def clean(err):
    """True when no sanitizer said anything."""
    return 'Sanitizer' not in err and 'runtime error' not in err


def failed_once(rc, err, name):
    """Exit 1 and exactly one message: 'tcpnote: NAME: No space left on device'."""
    return rc == 1 and messages(err) == ['tcpnote: %s: %s' % (name, ENOSPC)] and clean(err)


def tcpdump_lines(path):
    """(exit status, packet lines, stderr) of tcpdump -r PATH -n -tt."""
    rc, out, err = run(['tcpdump', '-r', path, '-n', '-tt'])
    return rc, out.splitlines(), err


def valid_capture(path):
    """None when tcpdump and tshark read the file to its end without a complaint, else what they said."""
    rc, _, err = tcpdump_lines(path)
    if rc != 0 or 'truncated' in err:
        return 'tcpdump: %d %s' % (rc, err)
    rc, _, err = run(['tshark', '-n', '-r', path])
    said = [l for l in err.splitlines() if 'cut short' in l or 'appears' in l or 'isn\'t' in l]
    if rc != 0 or said:
        return 'tshark: %d %s' % (rc, said)
    return None


def run_into(args, path):
    """(exit status, stderr) of a command whose standard output goes to the file PATH."""
    with open(path, 'wb') as out:
        p = subprocess.run(args, stdout=out, stderr=subprocess.PIPE, env=ENV, timeout=120)
    return p.returncode, p.stderr.decode('utf-8', 'replace')


@contextlib.contextmanager
def tmpfs(folder, size):
    """A tmpfs of SIZE bytes on FOLDER for the duration of the block."""
    subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%d' % size, 'tmpfs', folder], check=True)
    try:
        yield folder
    finally:
        subprocess.run(['umount', folder], check=True)


def without_root(t, tmp, seed, total):
    """/dev/full and closed pipes: what any user can try."""
    rc, _, err = run([t, '-r', seed, '--quiet', '-w', '/dev/full'])
    check('-w /dev/full: exit 1, named, before any packet', failed_once(rc, err, '/dev/full'), (rc, err))
    rc, err = run_into([t, '-n', '-r', seed], '/dev/full')
    check('standard output on /dev/full: exit 1, named', failed_once(rc, err, 'standard output'),
          (rc, err))
    rc, _, err = run([t, '-r', seed, '--quiet', '--svg', '/dev/full'])
    check('--svg /dev/full: exit 1, named', failed_once(rc, err, '/dev/full'), (rc, err))
    rc, err = run_into([t, '--version'], '/dev/full')
    check('--version on /dev/full: exit 1, named', failed_once(rc, err, 'standard output'), (rc, err))

    # tcpnote -r F | head: SIGPIPE ends it without a word, as before; with SIGPIPE ignored, the
    # pipe's error is said like any other and reading stops.
    for ignored in (False, True):
        copy = os.path.join(tmp, 'pipe-copy.pcap')
        p = subprocess.Popen([t, '-n', '-r', seed, '-w', copy], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, env=ENV,
                             preexec_fn=(lambda: signal.signal(signal.SIGPIPE, signal.SIG_IGN))
                             if ignored else None)
        p.stdout.read(100)
        p.stdout.close()
        err = p.stderr.read().decode()
        rc = p.wait(timeout=60)
        if ignored:
            n = len(tcpdump_lines(copy)[1])
            check('a closed pipe, SIGPIPE ignored: exit 1, "Broken pipe", reading stopped',
                  rc == 1 and messages(err) == ['tcpnote: standard output: Broken pipe'] and
                  0 < n < total, (rc, err, n))
        else:
            check('a closed pipe: SIGPIPE, nothing said', rc == -signal.SIGPIPE and
                  messages(err) == [], (rc, err))


def make_input(pcaps, tmp):
    """A 20 MB capture of the Ethernet captures of pcaps/, twenty times over (mergecap -a), and
    tcpdump's lines for it."""
    big = os.path.join(tmp, 'big.pcap')
    subprocess.run(['mergecap', '-F', 'pcap', '-a', '-w', big] +
                   [os.path.join(pcaps, n + '.pcap') for n in INPUTS] * 20, check=True)
    return big, tcpdump_lines(big)[1]


def savefile_case(t, big, disk, size, every):
    """-w onto SIZE bytes: two 1 MiB blocks land, the third does not fit."""
    out = os.path.join(disk, 'out.pcap')
    with tmpfs(disk, size):
        rc, _, err = run([t, '-r', big, '--quiet', '-w', out])
        check('-w on a full disk (%d KiB): exit 1, one message naming it' % (size // 1024),
              failed_once(rc, err, out), (rc, err))
        bad = valid_capture(out)
        check('-w on a full disk: tcpdump and tshark read the file without a complaint', bad is None,
              bad)
        rc, got, _ = tcpdump_lines(out)
        check('-w on a full disk: whole packets, the first %d of the input, and blocks before them'
              % len(got), 0 < len(got) < len(every) and got == every[:len(got)] and
              os.path.getsize(out) > 2 * MIB, (len(got), os.path.getsize(out)))


def stdout_case(t, big, tmp, disk, size, flags, full, total):
    """Standard output onto SIZE bytes: a 1 MiB block lands, the next does not fit."""
    out = os.path.join(disk, 'out.txt')
    copy = os.path.join(tmp, 'copy.pcap')  # beside the tmpfs: how far tcpnote read
    what = ' '.join(flags) or 'text'
    with tmpfs(disk, size):
        rc, err = run_into([t, '-n'] + flags + ['-r', big, '-w', copy], out)
        check('%s on a full disk: exit 1, one message "standard output: %s"' % (what, ENOSPC),
              failed_once(rc, err, 'standard output'), (rc, err))
        data = open(out, 'rb').read().decode('utf-8', 'replace')
        check('%s on a full disk: what was written is the start of the output' % what,
              MIB <= len(data) < len(full) and full.startswith(data), (len(data), len(full)))
    n = len(tcpdump_lines(copy)[1])
    check('%s on a full disk: reading stopped there (%d of %d packets read)' % (what, n, total),
          0 < n < total * 0.9, n)


def svg_case(t, big, tmp, disk):
    """--svg FILE onto half its size."""
    full = os.path.join(tmp, 'full.svg')
    rc, _, err = run([t, '--quiet', '-r', big, '--svg', full])
    size = os.path.getsize(full) // 2
    out = os.path.join(disk, 'out.svg')
    with tmpfs(disk, size):
        rc, _, err = run([t, '--quiet', '-r', big, '--svg', out])
        check('--svg on a full disk: exit 1, one message naming it', failed_once(rc, err, out),
              (rc, err))
        data = open(out, 'rb').read()
        check('--svg on a full disk: what was written is the start of the SVG',
              0 < len(data) < os.path.getsize(full) and open(full, 'rb').read().startswith(data),
              len(data))


def both_case(t, big, disk):
    """-w and the text on the same full disk: the first failure alone is said."""
    with tmpfs(disk, 3 * MIB):
        rc, err = run_into([t, '-n', '-r', big, '-w', os.path.join(disk, 'out.pcap')],
                           os.path.join(disk, 'out.txt'))
        check('-w and text on one full disk: exit 1, one message', rc == 1 and
              len(messages(err)) == 1 and ENOSPC in err and clean(err), (rc, err))
        bad = valid_capture(os.path.join(disk, 'out.pcap'))
        check('-w and text on one full disk: the capture is still whole', bad is None, bad)


class Sender:
    """TCP over 127.0.0.1 in this network namespace: bulk data until stopped (or a few packets)."""

    def __init__(self, bulk):
        self.stopped = threading.Event()
        self.listener = socket.socket()
        self.listener.bind(('127.0.0.1', 0))
        self.listener.listen(1)
        self.port = self.listener.getsockname()[1]
        self.threads = [threading.Thread(target=self.sink, daemon=True),
                        threading.Thread(target=self.send, args=(bulk,), daemon=True)]
        for th in self.threads:
            th.start()

    def sink(self):
        conn, _ = self.listener.accept()
        while conn.recv(1 << 16):
            pass
        conn.close()

    def send(self, bulk):
        c = socket.create_connection(('127.0.0.1', self.port))
        chunk = b'x' * (1 << 16)
        deadline = time.monotonic() + 30
        if bulk:
            while not self.stopped.is_set() and time.monotonic() < deadline:
                c.sendall(chunk)
        else:
            c.sendall(b'hello')
            self.stopped.wait(30)
        c.close()

    def stop(self):
        self.stopped.set()
        for th in self.threads:
            th.join(timeout=10)
        self.listener.close()


def live_capture(t, args):
    """tcpnote -i lo ARGS, once it says it is listening."""
    p = subprocess.Popen([t, '-i', 'lo', '--quiet'] + args + ['tcp'], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, env=ENV)
    first = p.stderr.readline().decode()
    return p, first


def live_cases(t, tmp, disk):
    """Live: each packet lands in the -w file at once; a full disk ends the capture by itself."""
    subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
    saved = os.path.join(tmp, 'live.pcap')
    p, first = live_capture(t, ['-w', saved])
    sender = Sender(bulk=False)
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and os.path.getsize(saved) <= 24:
        time.sleep(0.05)
    landed = os.path.getsize(saved)
    check('live -w: packets land in the file while the capture runs', first.startswith('listening on')
          and landed > 24 and p.poll() is None, (first, landed))
    p.send_signal(signal.SIGINT)
    err = p.stderr.read().decode()
    rc = p.wait(timeout=10)
    sender.stop()
    check('live -w: Ctrl-C exits 0, the file is whole', rc == 0 and messages(err) == [] and
          valid_capture(saved) is None, (rc, err))

    out = os.path.join(disk, 'live.pcap')
    with tmpfs(disk, MIB):
        p, first = live_capture(t, ['-w', out])
        sender = Sender(bulk=True)
        try:
            rc = p.wait(timeout=30)
        except subprocess.TimeoutExpired:
            p.kill()
            rc = p.wait()
        sender.stop()
        err = p.stderr.read().decode()
        check('live -w on a full disk: the capture stops by itself, exit 1, one message',
              failed_once(rc, err, out), (rc, err))
        bad = valid_capture(out)
        n = len(tcpdump_lines(out)[1])
        check('live -w on a full disk: tcpdump and tshark read its %d packets without a complaint'
              % n, bad is None and n > 0, bad)


def in_namespace(a):
    """Everything that mounts: run in a mount and network namespace of its own."""
    tmp = tempfile.mkdtemp(prefix='tcpnote-full-disk.')
    disk = os.path.join(tmp, 'disk')
    os.mkdir(disk)
    try:
        t = a.tcpnote
        big, every = make_input(a.pcaps, tmp)
        savefile_case(t, big, disk, 2 * MIB + 600 * 1024, every)
        for flags in ([], ['--json'], ['--explain']):
            rc, full, err = run([t, '-n'] + flags + ['-r', big])
            check('%s: the whole output (%d bytes) for comparison' % (' '.join(flags) or 'text',
                                                                       len(full)),
                  rc == 0 and len(full) > 3 * MIB // 2, (rc, err))
            stdout_case(t, big, tmp, disk, 3 * MIB // 2, flags, full, len(every))
        svg_case(t, big, tmp, disk)
        both_case(t, big, disk)
        live_cases(t, tmp, disk)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return finish('full disk (namespace)')


def main():
    a = tcpnote_and_pcaps()
    if os.environ.get(INSIDE) == '1':
        return in_namespace(a)
    tmp = tempfile.mkdtemp(prefix='tcpnote-full-disk.')
    try:
        big, every = make_input(a.pcaps, tmp)
        without_root(a.tcpnote, tmp, big, len(every))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if not can_unshare():
        print('SKIPPED: mounting a small tmpfs needs root (unshare -m)')
        return 77 if all(RESULTS) else finish('full disk')
    ns = rerun_unshared(__file__, ['--tcpnote', a.tcpnote, '--pcaps', a.pcaps], INSIDE, 600)
    check('the tmpfs cases passed (in their own mount and network namespace)', ns == 0, ns)
    return finish('full disk')


if __name__ == '__main__':
    sys.exit(main())
