#!/usr/bin/env python3
"""test_live_behind.py - live, the output stops (a pipe nobody reads): the capture goes on.

tcpnote -i lo -w FILE (two threads) in a network namespace of the test's own, its
standard output a pipe the test does not read while 64 MiB go through one TCP
connection on that namespace's loopback (thousands of segments, up to 64 KiB each with
loopback's offloads: far more than the output ring's 16 MiB can hold; sent 64 KiB a
millisecond, so that the capture, not the output, keeps up). The capture must not wait
for the output: every packet it captured is in the -w file, the tracker saw the
connection (--expect flows=1), and every packet is either a line on standard output
(read once the capture is stopped) or counted in the "lines not printed" message, and
some are counted. No timing is asserted. Needs root (network namespace, capture
rights); without it the test reports itself skipped (exit 77).
"""
import argparse
import os
import re
import struct
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cli'))
from checks import ENV, check, finish, interrupt, make_netns  # noqa: E402

NS = 'tn_behind_%d' % os.getpid()
MIB = 64
# One connection on the namespace's loopback: the server reads to the end, the client sends MIB MiB.
TRAFFIC = r'''
import socket, threading, time
srv = socket.socket(); srv.bind(('127.0.0.1', 0)); srv.listen(1)
def serve():
    c, _ = srv.accept()
    while c.recv(1 << 20):
        pass
    c.close()
t = threading.Thread(target=serve); t.start()
cl = socket.create_connection(srv.getsockname())
chunk = b'x' * (1 << 16)
for _ in range(%d * 16):
    cl.sendall(chunk)
    time.sleep(0.001)
cl.close(); t.join()
''' % MIB


def in_ns(cmd):
    return ['ip', 'netns', 'exec', NS] + cmd


def pcap_records(path):
    with open(path, 'rb') as f:
        data = f.read()
    n, off = 0, 24
    while off + 16 <= len(data):
        n += 1
        off += 16 + struct.unpack('<I', data[off + 8:off + 12])[0]
    return n


def behind(t, tmp):
    wfile = os.path.join(tmp, 'all.pcap')
    p = subprocess.Popen(in_ns([t, '-n', '--threads', '2', '-i', 'lo', '-w', wfile, '--expect', 'flows=1',
                                'tcp']), stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    first = p.stderr.readline().decode('utf-8', 'replace')  # "listening on lo, ...": capturing
    check('tcpnote is listening in the namespace', first.startswith('listening on lo'), first)
    sent = subprocess.run(in_ns([sys.executable, '-c', TRAFFIC]), timeout=120)
    check('%d MiB sent over one connection on the namespace\'s loopback' % MIB, sent.returncode == 0)
    rc, out, err = interrupt(p, timeout=60)  # its standard output is read only now
    out, err = out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')
    lines = len(re.findall(r'^\d\d:\d\d:\d\d\.\d{6} ', out, re.M))
    captured = re.search(r'^(\d+) packets? captured$', err, re.M)
    captured = int(captured.group(1)) if captured else -1
    behind_m = re.search(r'^tcpnote: (\d+) lines? not printed: the output fell behind the capture '
                         r'\(every packet still went to the tracker and -w\)$', err, re.M)
    not_printed = int(behind_m.group(1)) if behind_m else -1
    saved = pcap_records(wfile)
    check('exit 0: the tracker counted the one connection (--expect flows=1)', rc == 0, (rc, err))
    check('the -w file has every packet captured (%d)' % captured, captured > 1000 and saved == captured,
          (saved, captured, err))
    check('some lines were not printed, and it is said on stderr (%d)' % not_printed, not_printed > 0, err)
    check('every packet is a line or counted as not printed (%d + %d = %d)' % (lines, not_printed, captured),
          lines + not_printed == captured, (lines, not_printed, captured))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    a = ap.parse_args()
    skipped = make_netns(NS)
    if skipped is not None:
        return skipped
    tmp = tempfile.mkdtemp()
    try:
        subprocess.run(in_ns(['ip', 'link', 'set', 'lo', 'mtu', '1500', 'up']), check=True)
        behind(a.tcpnote, tmp)
    finally:
        subprocess.run(['ip', 'netns', 'del', NS])
        for f in os.listdir(tmp):
            os.unlink(os.path.join(tmp, f))
        os.rmdir(tmp)
    return finish('live_behind')


if __name__ == '__main__':
    sys.exit(main())
