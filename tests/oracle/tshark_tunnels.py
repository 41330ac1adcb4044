#!/usr/bin/env python3
"""tshark_tunnels.py - the inner TCP of the tunnels tcpdump 4.99 does not decapsulate, against tshark.

tcpdump 4.99.3 prints no TCP line inside ERSPAN, PBB, VN-Tag, Teredo and GTP-U, so the
tcpdump oracle cannot check what tcpnote prints there; tshark 4.0 decodes all five. For each
capture given, frame by frame, the inner IP addresses, TCP ports, raw sequence and
acknowledgment numbers, flags and payload length that tshark reads (`-T fields`) must equal
tcpnote's --json packet record; the tunnel's number that tshark reads (ERSPAN session id,
GTP-U TEID, PBB I-SID; none for VN-Tag and Teredo) must be the one named by the "tunnel" of
tcpnote's flow record; and the packets of one inner connection and one tunnel number must be
exactly the packets of one tcpnote flow (two tenants with the same inner 5-tuple stay apart).
A capture on which tshark finds no TCP fails: nothing would have been compared.
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tshark_hints import tshark  # noqa: E402

FIELDS = ['frame.number', 'frame.protocols', 'ip.src', 'ip.dst', 'ipv6.src', 'ipv6.dst',
          'tcp.srcport', 'tcp.dstport', 'tcp.seq_raw', 'tcp.ack_raw', 'tcp.flags', 'tcp.len',
          'erspan.spanid', 'gtp.teid', 'ieee8021ah.isid']
# tcpdump's flag letters (print-tcp.c's tcp_flag_values), ACK's "." last
FLAG_LETTERS = [(0x01, 'F'), (0x02, 'S'), (0x04, 'R'), (0x08, 'P'), (0x20, 'U'), (0x40, 'E'),
                (0x80, 'W'), (0x10, '.')]


def flag_string(bits):
    s = ''.join(c for b, c in FLAG_LETTERS if bits & b)
    return s or 'none'


def tunnel_name(row):
    """tcpnote's name for the tunnel tshark reads in a frame."""
    protos = row['frame.protocols'].split(':')
    if 'erspan' in protos:
        sid = row['erspan.spanid']
        return 'erspan session %d' % int(sid, 0) if sid else 'erspan type1'
    if 'gtp' in protos:
        return 'gtp-u teid %d' % int(row['gtp.teid'], 0)
    if row['ieee8021ah.isid']:  # behind a B-TAG the protocol is called ieee8021ad
        return 'pbb isid %d' % int(row['ieee8021ah.isid'], 0)
    if 'teredo' in protos:
        return 'teredo'
    if 'vntag' in protos:
        return 'vntag'
    return None


def tshark_frames(path):
    cmd = ['-r', path, '-Y', 'tcp', '-T', 'fields', '-E', 'separator=|', '-E', 'occurrence=l']
    for f in FIELDS:
        cmd += ['-e', f]
    rows = []
    for line in tshark(cmd).decode().splitlines():
        row = dict(zip(FIELDS, line.split('|')))
        protos = row['frame.protocols'].split(':')
        inner = [p for p in protos[:protos.index('tcp')] if p in ('ip', 'ipv6')][-1]
        rows.append({
            'frame': int(row['frame.number']),
            'src': row[inner + '.src'], 'dst': row[inner + '.dst'],
            'sport': int(row['tcp.srcport']), 'dport': int(row['tcp.dstport']),
            'seq': int(row['tcp.seq_raw']), 'ack': int(row['tcp.ack_raw']),
            'flags': flag_string(int(row['tcp.flags'], 0)), 'len': int(row['tcp.len']),
            'tunnel': tunnel_name(row),
        })
    return rows


def tcpnote_records(tcpnote, path):
    out = subprocess.run([tcpnote, '-n', '--json', '-r', path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=300, check=True).stdout.decode()
    packets, flows = [], {}
    for line in out.splitlines():
        rec = json.loads(line)
        if rec.get('type') == 'packet':
            packets.append(rec)
        elif rec.get('type') == 'flow':
            flows[rec['flow']] = rec
    return packets, flows


def check(tcpnote, path):
    """(frames compared, frames that agree on every field, messages)"""
    name = os.path.basename(path)
    ts = tshark_frames(path)
    tn, flows = tcpnote_records(tcpnote, path)
    msgs = []
    if not ts:
        return 0, 0, ['FAIL %s: tshark finds no TCP' % name]
    if [r['frame'] for r in ts] != [r['frame'] for r in tn]:
        return len(ts), 0, ['FAIL %s: tshark shows TCP in frames %s, tcpnote in %s' % (
            name, [r['frame'] for r in ts], [r['frame'] for r in tn])]
    agree = 0
    conn_flows = {}  # (inner endpoints, tunnel) -> tcpnote flows
    flow_conns = {}
    for a, b in zip(ts, tn):
        tunnel = flows.get(b['flow'], {}).get('tunnel')
        diffs = [k for k in ('src', 'dst', 'sport', 'dport', 'seq', 'ack', 'flags', 'len')
                 if a[k] != b.get(k)]
        if a['tunnel'] != tunnel:
            diffs.append('tunnel')
        if diffs:
            msgs.append('   %s frame %d: %s: tshark %s, tcpnote %s' % (
                name, a['frame'], ', '.join(diffs), [a.get(k) for k in diffs],
                [b.get(k) if k != 'tunnel' else tunnel for k in diffs]))
        else:
            agree += 1
        conn = (frozenset([(a['src'], a['sport']), (a['dst'], a['dport'])]), a['tunnel'])
        conn_flows.setdefault(conn, set()).add(b['flow'])
        flow_conns.setdefault(b['flow'], set()).add(conn)
    for conn, fl in conn_flows.items():
        if len(fl) != 1:
            msgs.append('   %s: one connection (%s) in tcpnote flows %s' % (name, conn[1], sorted(fl)))
    for fl, conns in flow_conns.items():
        if len(conns) != 1:
            msgs.append('   %s: tcpnote flow %d holds %d connections' % (name, fl, len(conns)))
    msgs.append('%s %s: %d of %d TCP frames agree on every field, %d connections, %d flows' % (
        'ok  ' if agree == len(ts) and len(conn_flows) == len(flow_conns) and not
        any(m.startswith('   ') for m in msgs) else 'FAIL', name, agree, len(ts),
        len(conn_flows), len(flow_conns)))
    return len(ts), agree, msgs


def main():
    if len(sys.argv) < 3:
        print('usage: tshark_tunnels.py TCPNOTE CAPTURE...')
        return 2
    tcpnote = sys.argv[1]
    total = agree = 0
    failed = False
    for path in sys.argv[2:]:
        n, ok, msgs = check(tcpnote, path)
        total += n
        agree += ok
        for m in msgs:
            print(m)
        failed = failed or any(m.startswith('FAIL') for m in msgs)
    print('tshark tunnels: %d of %d TCP frames agree (%.2f%%)' % (
        agree, total, 100.0 * agree / total if total else 0.0))
    return 1 if failed or total == 0 else 0


if __name__ == '__main__':
    sys.exit(main())
