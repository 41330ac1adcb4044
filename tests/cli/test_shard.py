#!/usr/bin/env python3
"""test_shard.py - --shard K/N: three shards run by GNU parallel give, together, the single run's
JSON record for record on every capture of pcaps/; each packet record is in exactly one shard; the README's jq recipe gives
the whole capture's verdict from the shards' flow records; K/N is checked.

Flow numbers count each shard's own connections, so records are compared with "flow" replaced
by the identity of the connection it names (client, server, tunnel, first_ts), which no two
flow records of one run share. Every shard must get some connections over the captures (a hash
that sent everything to one shard would pass the union trivially).
"""
import collections
import json
import os
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish, run, tcpnote_and_pcaps  # noqa: E402

N = 3
# The README's whole-capture verdict: no connection reset, every handshake complete.
VERDICT = ('[.[] | select(.type == "flow")] '
           '| all(.labels.reset == null and .handshake_rtt_ms != null)')
# And its tally of the connections.
TALLY = ('[.[] | select(.type == "flow")] | {connections: length, resets: map(select(.labels.reset)) '
         '| length, incomplete_handshakes: map(select(.handshake_rtt_ms == null)) | length, '
         'states: (group_by(.state) | map({(.[0].state): length}) | add)}')


def records(text):
    """The JSON records, with each "flow" number replaced by its connection's identity."""
    recs = [json.loads(line) for line in text.splitlines()]
    ident = {r['flow']: [r['client'], r['server'], r.get('tunnel', ''), r['first_ts']]
             for r in recs if r['type'] == 'flow'}
    for r in recs:
        if 'flow' in r:
            r['flow'] = ident.get(r['flow']) if r['flow'] else None
    return recs


def strip_flow(text):
    """The flow records of several runs without their numbers (each run counts its own)."""
    recs = [json.loads(line) for line in text.splitlines()]
    for r in recs:
        r.pop('flow', None)
    return recs


def canon(recs):
    """The records as a multiset of canonical JSON strings."""
    return collections.Counter(json.dumps(r, sort_keys=True) for r in recs)


def jq_verdict(path, program=VERDICT):
    """jq -s -e -c PROGRAM on the file: 'true', 'false' (VERDICT), the tally, or the error."""
    status, out, err = run(['jq', '-s', '-e', '-c', program, path])
    return out.strip() if status in (0, 1) else 'jq failed: ' + err


def main():
    a = tcpnote_and_pcaps()
    tmp = tempfile.mkdtemp(prefix='tcpnote-shard-')
    flows_in = [0] * N
    verdicts = set()
    fragments = [0]
    try:
        check('GNU parallel and jq are installed (scripts/setup.sh)',
              shutil.which('parallel') and shutil.which('jq'))
        # Every capture of pcaps/: port reuse, tunnel tenants sharing an inner 5-tuple, Zeek's
        # timers ending records, IPv6, resets, TLS facts, records with more captured than sent.
        # And real TCP fragmented by a router (pcaps/fragments/): later fragments follow their first.
        for name in sorted(n for n in os.listdir(a.pcaps) if n.endswith('.pcap')) + \
                ['fragments/tcp-ip-fragments.pcap']:
            pcap = os.path.join(a.pcaps, name)
            status, whole, err = run([a.tcpnote, '-n', '--json', '-r', pcap])
            check('%s: single run' % name, status == 0, err)
            out = os.path.join(tmp, os.path.basename(name) + '.shard')
            # The README's recipe for all cores of one machine, with N = 3.
            status, _, err = run(['parallel', a.tcpnote, '-n', '--json', '--shard', '{}/%d' % N,
                                  '-r', pcap, '>', out + '{}'] + [':::'] + [str(k) for k in range(N)])
            check('%s: parallel ran %d shards' % (name, N), status == 0, err)
            shards = []
            for k in range(N):
                with open(out + str(k), encoding='utf-8') as f:
                    shards.append(records(f.read()))
                flows_in[k] += sum(r['type'] == 'flow' for r in shards[k])
            single = records(whole)
            union = canon(r for s in shards for r in s)
            check('%s: the shards\' records together are the single run\'s (%d)' % (name, len(single)),
                  union == canon(single),
                  'only in the shards: %s; only in the single run: %s'
                  % (list(union - canon(single))[:2], list(canon(single) - union)[:2]))
            frames = collections.Counter(r['frame'] for s in shards for r in s if 'frame' in r)
            check('%s: each packet record in exactly one shard' % name,
                  all(v == 1 for v in frames.values()) and
                  len(frames) == sum('frame' in r for r in single),
                  [f for f, v in frames.items() if v != 1][:5])
            # A later IP fragment (no ports) is in the shard of its datagram's first fragment:
            # the nearest earlier packet with ports between the same addresses.
            where = {r['frame']: k for k, sh in enumerate(shards) for r in sh if 'frame' in r}
            pk = [r for r in single if r['type'] == 'packet']
            apart = []
            for i, r in enumerate(pk):
                if 'sport' in r:
                    continue
                first = next((f for f in reversed(pk[:i]) if 'sport' in f and
                              (f['src'], f['dst']) == (r['src'], r['dst'])), None)
                if first is not None:
                    fragments[0] += 1
                    if where[r['frame']] != where[first['frame']]:
                        apart.append(r['frame'])
            if any('sport' not in r for r in pk):
                check('%s: later fragments in their first fragment\'s shard' % name, not apart, apart)
            # The whole-capture verdict from the shards' flow records, as from the single run.
            status, _, err = run(['sh', '-c', 'cat "$1"0 "$1"1 "$1"2 > "$1"all', 'sh', out])
            whole_file = os.path.join(tmp, os.path.basename(name) + '.whole')
            with open(whole_file, 'w', encoding='utf-8') as f:
                f.write(whole)
            v_shards, v_whole = jq_verdict(out + 'all'), jq_verdict(whole_file)
            check('%s: jq verdict from the shards (%s) is the single run\'s' % (name, v_shards),
                  v_shards == v_whole and v_whole in ('true', 'false'), v_whole)
            verdicts.add(v_whole)
            t_shards, t_whole = jq_verdict(out + 'all', TALLY), jq_verdict(whole_file, TALLY)
            check('%s: jq tally from the shards is the single run\'s' % name,
                  t_shards == t_whole and t_whole.startswith('{"connections":'), (t_shards, t_whole))
        check('every shard got connections %s' % flows_in, all(flows_in), flows_in)
        check('%d later fragments followed their first' % fragments[0], fragments[0] >= 12, fragments)
        # The same for N = 2 to 8 (with 3 shards the three connections of the capture may share one
        # shard with the one their addresses alone pick, and prove nothing).
        pcap = os.path.join(a.pcaps, 'fragments', 'tcp-ip-fragments.pcap')
        pk = [r for r in records(run([a.tcpnote, '-n', '--json', '-r', pcap])[1]) if r['type'] == 'packet']
        apart, split = [], 0
        for n in range(2, 9):
            where = {}
            for k in range(n):
                for r in records(run([a.tcpnote, '-n', '--json', '--shard', '%d/%d' % (k, n), '-r', pcap])[1]):
                    where.setdefault(r.get('frame'), k)
            split += len(set(where[r['frame']] for r in pk if 'sport' in r)) > 1
            for i, r in enumerate(pk):
                first = next((f for f in reversed(pk[:i]) if 'sport' in f), None)
                if 'sport' not in r and where[r['frame']] != where[first['frame']]:
                    apart.append('N=%d frame %d' % (n, r['frame']))
        check('fragments: later fragments follow their first for N = 2..8 (connections split '
              'between shards for %d of the 7)' % split, not apart and split >= 3, apart[:5])
        check('the verdict is true on some captures and false on others', verdicts == {'true', 'false'},
              verdicts)
        # --quiet --summary of a shard speaks for it: its connections, no others.
        pcap = os.path.join(a.pcaps, 'zeek-timers.pcap')
        counted = 0
        for k in range(N):
            status, out, err = run([a.tcpnote, '-n', '--quiet', '--shard', '%d/%d' % (k, N),
                                    '--expect', 'flows=0', '-r', pcap])
            words = err.split('counted ')[-1].split()
            counted += int(words[0]) if status == 3 and words[0].isdigit() else 0
        status, out, err = run([a.tcpnote, '-n', '--quiet', '--expect', 'flows=0', '-r', pcap])
        total = err.split('counted ')[-1].split()[0]
        check('--expect flows= of the shards adds up to the whole capture\'s (%s)' % total,
              str(counted) == total, (counted, err))
        # Many hosts: parallel --sshlogin (':' is this machine, without ssh) over absolute paths.
        names = ['port-reuse.pcap', 'tunnel-vxlan.pcap', 'zeek-timers.pcap']
        paths = [os.path.abspath(os.path.join(a.pcaps, n)) for n in names]
        direct = ''.join(run([a.tcpnote, '-n', '--quiet', '--json', '-r', p])[1] for p in paths)
        status, out, err = run(['parallel', '--sshlogin', ':', '--keep-order',
                                os.path.abspath(a.tcpnote), '-n', '--quiet', '--json', '-r', '{}', ':::']
                               + paths)
        check('parallel --sshlogin: one file a job, the flow records of each', status == 0 and
              out == direct and out.count('"type":"flow"') >= 3, (status, err))
        # Spark's RDD.pipe / Hadoop streaming: paths (and K/N) in, JSON Lines out, through a pipe.
        pipe = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'scripts',
                            'tcpnote-pipe.sh')
        env = dict(os.environ, TCPNOTE=os.path.abspath(a.tcpnote), TZ='UTC', LC_ALL='C')
        lines = ''.join('%s\n' % p for p in paths)
        status, out, err = run([pipe], stdin=lines.encode(), env=env)
        check('tcpnote-pipe.sh: a path a line, their flow records in order', status == 0 and out == direct,
              (status, err))
        lines = ''.join('%s %d/%d\n' % (p, k, N) for p in paths for k in range(N))
        status, out, err = run([pipe], stdin=lines.encode(), env=env)
        check('tcpnote-pipe.sh: "PATH K/N" lines, the shards together are the whole files',
              status == 0 and out and canon(strip_flow(out)) == canon(strip_flow(direct)),
              (status, err))
        lines = '%s\n/nonexistent/x.pcap\n%s\n' % (paths[0], paths[1])
        status, out, err = run([pipe], stdin=lines.encode(), env=env)
        want = ''.join(run([a.tcpnote, '-n', '--quiet', '--json', '-r', p])[1] for p in paths[:2])
        check('tcpnote-pipe.sh: a missing file is said, the next still read, exit 1',
              status == 1 and out == want and '/nonexistent/x.pcap' in err, (status, err))
        # K/N: a usage error with a clear message, exit 2.
        for bad in ['3/3', '0/0', '-1/3', 'a/3', '1/', '1/3x', '1/99999999999999999999']:
            status, out, err = run([a.tcpnote, '-n', '--shard', bad, '-r',
                                    os.path.join(a.pcaps, 'refused.pcap')])
            check('--shard %s: usage error' % bad, status == 2 and '--shard' in err, (status, err))
        status, out, err = run([a.tcpnote, '-n', '--shard', '0/2', '-w', os.path.join(tmp, 'x.pcap'),
                                '-r', os.path.join(a.pcaps, 'refused.pcap')])
        check('--shard with -w: usage error', status == 2 and '-w' in err, (status, err))
        status, out, err = run([a.tcpnote, '-n', '--shard', '0/1', '--json', '-r',
                                os.path.join(a.pcaps, 'refused.pcap')])
        status2, out2, _ = run([a.tcpnote, '-n', '--json', '-r', os.path.join(a.pcaps, 'refused.pcap')])
        check('--shard 0/1 is the whole capture', status == 0 and out == out2, err)
    finally:
        shutil.rmtree(tmp)
    return finish('shard')


if __name__ == '__main__':
    sys.exit(main())
