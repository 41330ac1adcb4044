#!/usr/bin/env python3
"""tshark_agree.py - tcpnote's analysis labels against tshark's tcp.analysis flags, frame by frame.

For every capture it reads tshark's analysis fields for each TCP frame and tcpnote's
labels for the same packets (both print TCP packets in file order), and tallies, per
label, the frames both flag, only tcpnote flags and only tshark flags. Frames tcpnote
calls `duplicate` (a second copy of a packet, which tshark takes for a retransmission)
are counted apart when pcap_copies.py finds them second copies too; a `duplicate` on
any other frame fails, and the frame is compared like the rest. Each label must agree on at least 99% of the frames tshark flags, with no more
than 1% extra, unless the difference is listed in --known with its reason; on a capture
named with --exact, on every frame.
"""
import argparse
import collections
import os
import re
import struct
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pcap_copies import second_copies  # noqa: E402
from tcpdump_compare import VXLAN_OUTER  # noqa: E402

# tshark field -> tcpnote label
FIELDS = [
    ('tcp.analysis.zero_window_probe', 'zero window probe'),
    ('tcp.analysis.zero_window', 'zero window'),
    ('tcp.analysis.lost_segment', 'previous segment not captured'),
    ('tcp.analysis.window_update', 'window update'),
    ('tcp.analysis.window_full', 'window full'),
    ('tcp.analysis.zero_window_probe_ack', 'zero window probe ack'),
    ('tcp.analysis.duplicate_ack_num', 'dup ack'),
    ('tcp.analysis.ack_lost_segment', 'acked unseen segment'),
    ('tcp.analysis.spurious_retransmission', 'spurious retransmission'),
    ('tcp.analysis.fast_retransmission', 'fast retransmission'),
    ('tcp.analysis.out_of_order', 'out-of-order'),
    ('tcp.analysis.retransmission', 'retransmission'),
    ('tcp.analysis.keep_alive', 'keepalive'),
    ('tcp.analysis.keep_alive_ack', 'keepalive ack'),
    ('tcp.analysis.reused_ports', 'port reuse'),
]
LABELS = [l for _, l in FIELDS]


def tshark_flags(path):
    cmd = ['tshark', '-n', '-r', path, '-Y', 'tcp', '-T', 'fields', '-E', 'separator=|',
           '-e', 'frame.number']
    for f, _ in FIELDS:
        cmd += ['-e', f]
    out = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=True,
                         timeout=300).stdout.decode()
    frames = []
    for line in out.splitlines():
        cols = line.split('|')
        flags = {}
        for (field, label), val in zip(FIELDS, cols[1:]):
            if val != '':
                flags[label] = val
        # tshark adds its retransmission flag to fast and spurious ones too.
        if 'fast retransmission' in flags or 'spurious retransmission' in flags:
            flags.pop('retransmission', None)
        frames.append((int(cols[0]), flags))
    return frames


def tcpnote_labels(tcpnote, path):
    out = subprocess.run([tcpnote, '-n', '-t', '-r', path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=300,
                         env=dict(os.environ, TZ='UTC')).stdout.decode()
    frames = []
    for line in out.splitlines():
        if line.startswith('    ') or line.startswith('\t') or VXLAN_OUTER.search(line):
            continue
        m = re.search(r'  # (.*)$', line)
        labels = {}
        if m:
            for l in m.group(1).split(', '):
                dm = re.fullmatch(r'dup ack #(\d+)', l)
                if dm:
                    labels['dup ack'] = dm.group(1)
                else:
                    labels[l] = ''
        frames.append(labels)
    return frames


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    ap.add_argument('--dir', required=True)
    ap.add_argument('--known', help='"capture<TAB>frame<TAB>label<TAB>reason" lines: allowed differences')
    ap.add_argument('--exact', action='append', default=[],
                    help='a capture on which every label must agree on every frame (repeatable)')
    ap.add_argument('--show', type=int, default=5)
    a = ap.parse_args()
    known = {}
    if a.known:
        for line in open(a.known):
            line = line.rstrip('\n')
            if line and not line.startswith('#'):
                cap, frame, label, reason = line.split('\t')
                known[(cap, int(frame), label)] = reason
    files = sorted(f for f in os.listdir(a.dir) if f.endswith('.pcap') or f.endswith('.pcapng'))
    for name in a.exact:
        if name not in files:
            print('FAIL %s: named with --exact, not in %s' % (name, a.dir))
            return 1
    if not files:
        print('agreement: no captures in %s' % a.dir)
        return 1
    total = collections.defaultdict(lambda: [0, 0, 0, 0])  # both, only tcpnote, only tshark, known
    failures = 0
    duplicates = 0
    for name in files:
        path = os.path.join(a.dir, name)
        try:
            ts = tshark_flags(path)
        except subprocess.CalledProcessError as e:
            print('FAIL %s: tshark cannot read it (%s)' % (name, e.stderr.decode().strip()[:100]))
            failures += 1
            continue
        tn = tcpnote_labels(a.tcpnote, path)
        if len(ts) != len(tn):
            print('FAIL %s: tshark shows %d TCP frames, tcpnote %d' % (name, len(ts), len(tn)))
            failures += 1
            continue
        per = collections.defaultdict(lambda: [0, 0, 0, 0])
        shown = collections.Counter()
        try:
            copies = second_copies(path)
        except (ValueError, struct.error):
            copies = set()  # a link type or file format pcap_copies.py does not read: no copies known
        for (frame, tsf), tnf in zip(ts, tn):
            if 'duplicate' in tnf and frame in copies:
                duplicates += 1
                continue
            if 'duplicate' in tnf:
                failures += 1
                print('FAIL %s frame %d: `duplicate`, but no second copy of a packet (tshark: %s)'
                      % (name, frame, sorted(tsf.items())))
            for label in LABELS:
                in_ts, in_tn = label in tsf, label in tnf
                if label == 'dup ack' and in_ts and in_tn and tsf[label] != tnf[label]:
                    in_tn = False  # a different count is a disagreement
                if not in_ts and not in_tn:
                    continue
                k = (name, frame, label)
                if in_ts and in_tn:
                    per[label][0] += 1
                elif k in known:
                    per[label][3] += 1
                else:
                    per[label][1 if in_tn else 2] += 1
                    if shown[label] < a.show:
                        shown[label] += 1
                        print('   %s frame %d %s: tcpnote %s, tshark %s' % (
                            name, frame, label, sorted(tnf.items()), sorted(tsf.items())))
        for label, (both, only_tn, only_ts, kn) in sorted(per.items()):
            for i, v in enumerate((both, only_tn, only_ts, kn)):
                total[label][i] += v
            flagged = both + only_ts
            ok = (flagged == 0 or both >= 0.99 * flagged) and only_tn <= 0.01 * max(flagged, 1)
            if name in a.exact:
                ok = only_tn == 0 and only_ts == 0
            if not ok:
                failures += 1
                print('FAIL %s %s: both %d, only tcpnote %d, only tshark %d' % (
                    name, label, both, only_tn, only_ts))
    print()
    print('| label | both | only tcpnote | only tshark | listed differences |')
    print('|---|---|---|---|---|')
    for label in LABELS:
        if label in total:
            b, n, s, k = total[label]
            print('| %s | %d | %d | %d | %d |' % (label, b, n, s, k))
    print('| duplicate (tcpnote only, by design) | - | %d | - | - |' % duplicates)
    checks = len(files)
    print('agreement: %d passed, %d failed' % (max(checks - failures, 0), failures))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
