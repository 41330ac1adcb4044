#!/usr/bin/env python3
"""tshark_community_id.py - every JSON packet record's community_id against tshark 4.0's, frame by
frame, and every flow record's against its packets'.

tshark -n -r F -o ip.defragment:FALSE --enable-protocol communityid -T fields -e frame.number
-e communityid computes
Corelight's Community ID v1 (seed 0, base64) from the innermost IP addresses and transport ports
of each frame, as tcpnote does (inside tunnels too). Each packet record of tcpnote --json must
carry tshark's value for its frame, unless tests/oracle/community_id_known.tsv gives the frame
and why they differ (none does today). Each flow record's community_id must be the one its packet records carry
(they are the same 5-tuple). A capture without any packet record fails: nothing was compared.
"""
import argparse
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cli'))
from checks import ENV, check, finish, run  # noqa: E402


def known_frames(path):
    """{(capture name, frame): reason} from the known-differences file (# comments)."""
    known = {}
    if path:
        with open(path, encoding='utf-8') as f:
            for line in f:
                if line.strip() and not line.startswith('#'):
                    name, frame, reason = line.rstrip('\n').split('\t', 2)
                    known[(name, int(frame))] = reason
    return known


def tshark_ids(path):
    """{frame: community id} as tshark computes it ('' where it gives none)."""
    # Without IP reassembly, as tcpnote reads fragments (reassembling, tshark gives the first
    # fragment of a datagram the port-less ID and the last the reassembled segment's).
    out = subprocess.run(['tshark', '-n', '-r', path, '-o', 'ip.defragment:FALSE',
                          '--enable-protocol', 'communityid',
                          '-T', 'fields', '-e', 'frame.number', '-e', 'communityid'],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=ENV,
                         check=True).stdout.decode()
    ids = {}
    for line in out.splitlines():
        frame, _, cid = line.partition('\t')
        ids[int(frame)] = cid
    return ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    ap.add_argument('--known')
    ap.add_argument('pcaps', nargs='+')
    args = ap.parse_args()
    known = known_frames(args.known)
    agreed = listed = 0
    for path in args.pcaps:
        name = os.path.basename(path)
        status, out, err = run([args.tcpnote, '-n', '--json', '-r', path])
        if not check('%s: tcpnote --json' % name, status == 0, err):
            continue
        records = [json.loads(line) for line in out.splitlines()]
        packets = [r for r in records if r['type'] == 'packet']
        flows = {r['flow']: r for r in records if r['type'] == 'flow'}
        ts = tshark_ids(path)
        bad = []
        for r in packets:
            want = ts.get(r['frame'], '') or None
            if r['community_id'] == want:
                agreed += 1
            elif (name, r['frame']) in known:
                listed += 1
            else:
                bad.append('frame %d: tcpnote %s, tshark %s' % (r['frame'], r['community_id'], want))
        check('%s: %d packet records, community_id as tshark\'s' % (name, len(packets)),
              packets and not bad, '; '.join(bad[:5]))
        mismatch = ['frame %d (flow %d): %s, flow record %s' % (r['frame'], r['flow'], r['community_id'],
                                                              flows[r['flow']]['community_id'])
                    for r in packets if r['flow'] and r['community_id'] != flows[r['flow']]['community_id']]
        check('%s: %d flow records, community_id as their packets\'' % (name, len(flows)),
              not mismatch, '; '.join(mismatch[:5]))
    print('community_id: %d packet records as tshark, %d listed in the known differences'
          % (agreed, listed))
    return finish('tshark_community_id')


if __name__ == '__main__':
    sys.exit(main())
