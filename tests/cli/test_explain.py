#!/usr/bin/env python3
"""test_explain.py - --explain: every sentence's numbers on the seed capture, worked out from tshark, in English and Chinese.

The numbers in each explanation line (sequence numbers, byte counts, times) are checked
against what tshark reports for the same frame: relative and raw seq/ack, payload length,
times. The Chinese line for a packet must carry the same numbers, in the same order, as
the English one, and actually be Chinese. With --keylog, on every key-log capture: each
decrypted hint names the key-log label that read it (never a secret of the file), the
ticket lifetime and signature scheme are tshark's, the chain is the flow record's, and
"tls resumed" and "tls cannot decrypt" say why. Then the options: --lang, the language
from the environment, and the combinations that are usage errors.
"""
import collections
import glob
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import ENV, check, finish, run, tcpnote_and_pcaps  # noqa: E402

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'oracle'))
from cleartext_prefix import View  # noqa: E402
from tshark_kafka import tshark_pdus  # noqa: E402

import subprocess  # noqa: E402

NUM = re.compile(r'(?<![\w.])\d+(?:\.\d+)?')
CJK = re.compile('[\u4e00-\u9fff]')


def tshark_frames(path):
    """frame -> dict of the fields the sentences use, from tshark (relative numbers as tcpdump's)."""
    fields = ['frame.number', 'tcp.stream', 'tcp.srcport', 'tcp.seq', 'tcp.ack', 'tcp.seq_raw',
              'tcp.ack_raw', 'tcp.len', 'frame.time_epoch', 'tcp.flags.syn', 'tcp.flags.ack']
    out = subprocess.run(['tshark', '-n', '-r', path, '-T', 'fields'] + sum((['-e', f] for f in fields), []),
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=120, env=ENV).stdout
    frames = {}
    for line in out.decode().splitlines():
        v = dict(zip(fields, line.split('\t')))
        frames[int(v['frame.number'])] = {
            'stream': v['tcp.stream'], 'port': int(v['tcp.srcport']), 'seq': int(v['tcp.seq']),
            'ack': int(v['tcp.ack']), 'seq_raw': int(v['tcp.seq_raw']), 'ack_raw': int(v['tcp.ack_raw']),
            'len': int(v['tcp.len']), 't': float(v['frame.time_epoch']),
            'syn': v['tcp.flags.syn'] in ('1', 'True'), 'ackf': v['tcp.flags.ack'] in ('1', 'True')}
    return frames


def explained(out):
    """[(frame number, [(label, sentence)])] from tcpnote --explain text (one packet line each)."""
    packets = []
    for line in out.splitlines():
        m = re.match(r'    # ([^:]+): (.*)$', line)
        if m:
            packets[-1][1].append((m.group(1), m.group(2)))
        elif not line.startswith(' '):
            packets.append((len(packets) + 1, []))
    return packets


def numbers(sentence):
    return [float(x) if '.' in x else int(x) for x in NUM.findall(sentence)]


def in_order(want, got):
    """want appears in got in this order (the sentence's own constants, like "+ 1", may sit between)."""
    it = iter(got)
    return all(any(w == g for g in it) for w in want)


def expected(label, f, frames, n):
    """The numbers the sentence for label on frame n must carry, from tshark alone."""
    prev_same = [frames[i] for i in range(1, n) if frames[i]['stream'] == f['stream']]
    mine = [g for g in prev_same if g['port'] == f['port']]
    if label == 'handshake 1/3':
        return [f['seq_raw']]
    if label == 'handshake 2/3':
        syn = prev_same[-1]
        return [f['ack_raw'], syn['seq_raw'], f['seq_raw']]
    if label == 'handshake 3/3':
        synack = [g for g in prev_same if g['syn'] and g['ackf']][-1]
        syn = [g for g in prev_same if g['syn'] and not g['ackf']][0]
        return [f['ack'], synack['seq_raw'], round((f['t'] - syn['t']) * 1e3, 3)]
    if label == 'data':
        return [f['len'], f['seq'], f['seq'] + f['len']]
    if label == 'ack':
        last = [g for g in mine if g['ackf']][-1]
        return [f['ack'], f['ack'] - last['ack']]
    if label == 'keepalive':
        return [f['seq'], f['seq'] + 1, round(f['t'] - prev_same[-1]['t'], 1)]
    if label == 'keepalive ack':
        return [f['ack']]
    if label in ('close 1/4', 'close 3/4'):
        return [f['seq'] + f['len']]
    if label in ('close 2/4', 'FIN merged', 'close 4/4'):
        return [f['ack'], f['ack'] - 1]
    return None


# The hints a key log gives, and which secret reads each in TLS 1.3 (the rest: *_TRAFFIC_SECRET_0).
DECRYPTED = ('tls encrypted extensions', 'tls certificate', 'tls certificate verify', 'tls finished',
             'tls new session ticket', 'tls key update', 'http request', 'http response')
HANDSHAKE_KEYS = ('tls encrypted extensions', 'tls certificate', 'tls certificate verify',
                  'tls finished')
SIG_SCHEMES = {0x0403: 'ecdsa_secp256r1_sha256', 0x0804: 'rsa_pss_rsae_sha256', 0x0807: 'ed25519'}
ARROW = ' \u2190 '


def tshark_tls(pcap, keys):
    """frame -> (ticket lifetime, signature scheme, server hello session ID) as tshark decrypts them
    (TLS on the server's port, or after the cleartext prefix tshark follows: cleartext_prefix.py)."""
    fields = ['frame.number', 'tls.handshake.session_ticket_lifetime_hint', 'tls.handshake.sig_hash_alg',
              'tls.handshake.type', 'tls.handshake.session_id']
    with tempfile.TemporaryDirectory() as tmp:
        view = View(pcap, tmp)
        out = subprocess.run(['tshark', '-n', '-r', view.path, '-o', 'tls.keylog_file:' + keys]
                             + view.args + ['-T', 'fields', '-E', 'occurrence=f']
                             + sum((['-e', f] for f in fields), []), stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, timeout=120, env=ENV).stdout.decode()
    frames = {}
    for line in out.splitlines():
        v = dict(zip(fields, line.split('\t')))
        frames[view.frame(int(v['frame.number']))] = v
    return frames


def chain_text(chain):
    """{c} as tcpnote's JSON cert_chain says it should read: subjects, then the last issuer."""
    text = ARROW.join(c['subject_cn'] for c in chain)
    if chain[-1]['issuer_cn'] not in ('', chain[-1]['subject_cn']):
        text += ARROW + chain[-1]['issuer_cn']
    return text


def keylog_checks(t, pcap):
    """--explain with --keylog on one capture: each decrypted hint explained in both languages,
    with the key-log label that read it, its own facts (against tshark), and no secret."""
    name = os.path.basename(pcap)
    keys = pcap[:-len('.pcap')] + '.keys'
    secrets = [line.split()[2] for line in open(keys) if len(line.split()) == 3]
    rc, js, _ = run([t, '-n', '--json', '--keylog', keys, '-r', pcap])
    recs = [json.loads(line) for line in js.splitlines()]
    flows = {r['flow']: r for r in recs if r['type'] == 'flow'}
    packets = {r['frame']: r for r in recs if r['type'] == 'packet'}
    port = int(next(iter(flows.values()))['server'].rsplit(':', 1)[1])
    ts = tshark_tls(pcap, keys)
    # the first ClientHello of each flow: HTTP before it (a CONNECT and its answer) is cleartext
    hello = {}
    for r in sorted(packets.values(), key=lambda r: r['frame']):
        if any(lb.startswith('tls client hello') for lb in r.get('labels', [])):
            hello.setdefault(r['flow'], r['frame'])
    outs = {lang: run([t, '-n', '--explain', '--lang', lang, '--keylog', keys, '-r', pcap])
            for lang in ('en', 'zh')}
    check('%s --keylog --explain runs in both languages' % name,
          all(rc == 0 for rc, _, _ in outs.values()) and rc == 0)
    en, zh = explained(outs['en'][1]), explained(outs['zh'][1])
    check('%s: no secret of the key log in the output' % name,
          not any(x in o[1] + o[2] or x.upper() in o[1] + o[2] for x in secrets for o in outs.values()))
    seen = set()
    updates = collections.Counter()  # (flow, side) -> KeyUpdates sent so far
    for (n, en_s), (_, zh_s) in zip(en, zh):
        pkt = packets[n]
        flow = flows[pkt['flow']]
        side = 'SERVER' if pkt['sport'] == port else 'CLIENT'
        for (label, s_en), (label_zh, s_zh) in zip(en_s, zh_s):
            kind = next((k for k in DECRYPTED if label == k), None)
            if kind in ('http request', 'http response') and n < hello.get(pkt['flow'], 0):
                continue  # cleartext, before TLS started (an HTTP CONNECT)
            if kind is None and label != 'tls resumed':
                continue
            seen.add(label)
            where = '%s frame %d %s' % (name, n, label)
            check('%s: explained in Chinese too, with the same numbers' % where,
                  label == label_zh and CJK.search(s_zh) and not CJK.search(s_en) and
                  numbers(s_en) == numbers(s_zh), (s_en, s_zh))
            if kind == 'tls certificate' and flow['tls_version'] == 'TLSv1.2':
                check('%s: cleartext in TLS 1.2, so no key named' % where,
                      'key log' not in s_en and '密钥日志' not in s_zh, (s_en, s_zh))
            elif kind is not None:
                if flow['tls_version'] == 'TLSv1.2':
                    want = 'CLIENT_RANDOM'
                elif kind in HANDSHAKE_KEYS:
                    want = side + '_HANDSHAKE_TRAFFIC_SECRET'
                else:
                    want = side + '_TRAFFIC_SECRET_0'
                check('%s: read with the key log\'s %s' % (where, want),
                      "key log's %s line" % want in s_en and ' %s ' % want in s_zh, (s_en, s_zh))
                u = updates[pkt['flow'], side]
                check('%s: after %d KeyUpdates of the %s' % (where, u, side.lower()),
                      re.findall(r'\((\d+) so far\)', s_en) == ([str(u)] if u else []), s_en)
                if kind == 'tls key update':
                    updates[pkt['flow'], side] += 1
            f = ts.get(n, {})
            if label == 'tls new session ticket':
                check('%s: the ticket lifetime is tshark\'s (%s s)' % (where, f.get('tls.handshake.session_ticket_lifetime_hint')),
                      'valid %s s' % f.get('tls.handshake.session_ticket_lifetime_hint') in s_en, s_en)
            if label == 'tls certificate verify':
                scheme = SIG_SCHEMES.get(int(f.get('tls.handshake.sig_hash_alg') or '0', 16), '?')
                check('%s: the signature scheme is tshark\'s (%s)' % (where, scheme),
                      '(%s)' % scheme in s_en and scheme in s_zh, s_en)
            if label == 'tls certificate' and flow.get('cert_chain') and 'key log' in s_en:
                chain = chain_text(flow['cert_chain'])
                check('%s: the chain leaf first (%s)' % (where, chain), chain in s_en and chain in s_zh,
                      (s_en, s_zh))
            if label == 'tls resumed':
                sid = f.get('tls.handshake.session_id', '').replace(':', '')
                check('%s: resumption told (%s)' % (where, flow['tls_version']),
                      'pre-shared key' in s_en if flow['tls_version'] == 'TLSv1.3'
                      else bool(sid) and 'session ID %s ' % sid in s_en, s_en)
    return seen


def undecryptable_checks(t, pcaps):
    """tls cannot decrypt: a wrong secret and a missing one, each explained with its label."""
    pcap = os.path.join(pcaps, 'tls13-chain-keylog.pcap')
    lines = open(pcap[:-len('.pcap')] + '.keys').read().splitlines()
    with tempfile.TemporaryDirectory() as d:
        for what, keep, want, words in (
                ('a wrong secret', lambda l: l, 'SERVER_TRAFFIC_SECRET_0', 'did not authenticate'),
                ('a missing secret', lambda l: None if l.startswith('SERVER_HANDSHAKE') else l,
                 'SERVER_HANDSHAKE_TRAFFIC_SECRET', 'has no')):
            path = os.path.join(d, 'keys')
            with open(path, 'w') as f:
                for line in lines:
                    line = keep(line)
                    if line and line.startswith('SERVER_TRAFFIC_SECRET_0') and what == 'a wrong secret':
                        label, rnd, sec = line.split()
                        line = ' '.join((label, rnd, ('1' if sec[0] == '0' else '0') + sec[1:]))
                    if line:
                        f.write(line + '\n')
            got = {}
            for lang in ('en', 'zh'):
                rc, out, err = run([t, '-n', '--explain', '--lang', lang, '--keylog', path, '-r', pcap])
                got[lang] = [s for _, ss in explained(out) for l, s in ss if l == 'tls cannot decrypt']
            check('tls cannot decrypt with %s: explained with %s, in both languages' % (what, want),
                  got['en'] and len(got['en']) == len(got['zh']) and
                  all(want in s and words in s for s in got['en'][:1]) and
                  all(want in s and CJK.search(s) for s in got['zh'][:1]), got)


def kafka_fetch_expected(pdus):
    """frame -> the numbers of its Fetch response's sentence, worked out from tshark's messages:
    high watermark, records, the offset the request with the same correlation id asked for and
    the lag, the previous high watermark of the partition on the connection (then this one),
    the last stable and log start offsets. Frames with one single-partition Fetch response only."""
    asked, last, want = {}, {}, {}
    for num in sorted(pdus):
        for f in pdus[num]:
            conn = f['client_port']
            if f['api'] != 1:
                continue
            if f['direction'] == 'request':
                asked[(conn, f['correlation_id'])] = dict(f['offsets'])
                continue
            if len(f['offsets']) != 1 or len(pdus[num]) != 1:
                continue
            (tp, hw), = f['offsets'].items()
            nums = [hw, f['records'][tp]]
            off = asked.get((conn, f['correlation_id']), {}).get(tp)
            if off is not None:
                nums += [off, hw - off] if hw >= off else [off]  # "lag 0" says its 0
            if (conn, tp) in last:
                nums += [last[(conn, tp)], hw] if last[(conn, tp)] != hw else [hw]
            nums += [x for x in f['stable'][tp] if x >= 0]
            if hw >= 0:
                last[(conn, tp)] = hw
            want[num] = nums
    return want


def kafka_checks(t, pcaps):
    """Each Fetch response's explanation carries tshark's numbers, in both languages; every Kafka
    hint is explained; the lag and the 0 -> 17 of the seed are there."""
    for name in ('kafka-seed.pcap', 'kafka-group.pcap', 'kafka-errors.pcap'):
        path = os.path.join(pcaps, name)
        want = kafka_fetch_expected(tshark_pdus(path))
        outs = {lang: run([t, '-n', '--explain', '--lang', lang, '-r', path])[1] for lang in ('en', 'zh')}
        en, zh = explained(outs['en']), explained(outs['zh'])
        hints = sum(len(re.findall(r'kafka \S+ v\d+ (?:request|response)', l))
                    for l in outs['en'].splitlines() if not l.startswith(' '))
        lines = [s for _, p in en for s in p if s[0].startswith('kafka ')]
        check('%s: every Kafka hint has its sentence (%d)' % (name, hints), len(lines) == hints > 0,
              len(lines))
        got = {}
        for (n, en_s), (_, zh_s) in zip(en, zh):
            for (label, s_en), (_, s_zh) in zip(en_s, zh_s):
                if label == 'kafka Fetch response':
                    got[n] = (s_en, s_zh)
        ok = [n for n in want if n in got and numbers(got[n][0])[1:] == want[n] and
              numbers(got[n][1])[1:] == want[n] and CJK.search(got[n][1])]
        check('%s: %d Fetch responses explained with tshark\'s high watermark, records, asked offset, '
              'lag, previous high watermark and the last stable and log start offsets, in both languages'
              % (name, len(want)), len(want) > 0 and ok == sorted(want),
              [(n, want[n], got.get(n)) for n in want if n not in ok][:2])
        if name == 'kafka-seed.pcap':
            check('kafka-seed: the high watermark moves 0 -> 17 with a lag of 17',
                  any('moved 0 -> 17' in s and '17 records behind' in s for s, _ in got.values())
                  and any('0 \u2192 17' in z for _, z in got.values()), sorted(got.values())[-1:])


def main():
    a = tcpnote_and_pcaps()
    t = a.tcpnote
    seed = os.path.join(a.pcaps, 'seed-keepalive.pcap')
    frames = tshark_frames(seed)

    rc, en_out, err = run([t, '-n', '--explain', '--lang', 'en', '-r', seed])
    rc2, zh_out, err2 = run([t, '-n', '--explain', '--lang', 'zh', '-r', seed])
    en, zh = explained(en_out), explained(zh_out)
    check('--explain runs on the seed capture in both languages', rc == 0 and rc2 == 0, (err, err2))
    labeled = [l for l in en_out.splitlines() if '  # ' in l and not l.startswith('    #')]
    check('every labeled packet is explained, one line per label and hint',
          len(en) == len(frames) and all(len(s) == len(re.sub(r'.*  # ', '', line).split(', '))
                                         for (_, s), line in zip(en, labeled)), en_out[:400])
    kinds = set()
    for (n, en_s), (_, zh_s) in zip(en, zh):
        for (label, s_en), (label_zh, s_zh) in zip(en_s, zh_s):
            kinds.add(label)
            where = 'frame %d %s' % (n, label)
            check('%s: the Chinese line explains the same label' % where, label == label_zh)
            check('%s: English words, Chinese words' % where,
                  not CJK.search(s_en) and CJK.search(s_zh), (s_en, s_zh))
            check('%s: the same numbers in both languages' % where, numbers(s_en) == numbers(s_zh),
                  (s_en, s_zh))
            want = expected(label, frames[n], frames, n)
            if want is not None:
                check('%s: the numbers are the packet\'s (%s)' % (where, want),
                      in_order(want, numbers(s_en)), s_en)
    check('the seed capture explains handshake, data, ack, keepalive and the close',
          {'handshake 1/3', 'handshake 2/3', 'handshake 3/3', 'data', 'ack', 'keepalive',
           'keepalive ack', 'close 1/4', 'FIN merged', 'close 4/4', 'http request'} <= kinds, kinds)
    check('the keepalive explanation says it is one below the next byte',
          any('one below the next byte' in s for _, ss in en for l, s in ss if l == 'keepalive'))

    # With -S the sentences use the raw numbers the line prints.
    rc, out, err = run([t, '-n', '--explain', '--lang', 'en', '-S', '-r', seed])
    data = [s for _, ss in explained(out) for l, s in ss if l == 'data'][0]
    f4 = frames[4]
    check('-S: the data sentence has the raw seq numbers',
          in_order([f4['len'], f4['seq_raw'], f4['seq_raw'] + f4['len']], numbers(data)), data)

    # -v: the loopback checksum, explained once, on 127.0.0.1 and on ::1.
    tls12 = os.path.join(a.pcaps, 'tls12.pcap')
    for name in ('tls12.pcap', 'seed-keepalive-ipv6.pcap'):
        rc, out, err = run([t, '-n', '--explain', '--lang', 'en', '-v', '-r',
                            os.path.join(a.pcaps, name)])
        ck = [l for l in out.splitlines() if l.startswith('    # cksum incorrect:')]
        check('-v: why loopback checksums are "incorrect", once (%s)' % name,
              len(ck) == 1 and 'loopback' in ck[0] and
              re.search(r'shows 0x[0-9a-f]{4}, not 0x[0-9a-f]{4}', ck[0]), ck)
    rc, out, err = run([t, '-n', '--explain', '--lang', 'en', '-r', tls12])
    check('without -v, nothing about checksums', 'cksum' not in out)

    # The language: --lang, else LC_ALL, LC_MESSAGES, LANG.
    for env, want_zh in (({'LANG': 'zh_CN.UTF-8'}, True), ({'LANG': 'en_US.UTF-8'}, False),
                         ({'LANG': 'zh_CN.UTF-8', 'LC_ALL': 'C'}, False),
                         ({'LANG': 'C', 'LC_MESSAGES': 'zh_TW.UTF-8'}, True), ({}, False)):
        e = {k: v for k, v in ENV.items() if k not in ('LANG', 'LC_ALL', 'LC_MESSAGES')}
        e.update(env)
        p = subprocess.run([t, '-n', '--explain', '-r', seed], stdout=subprocess.PIPE,
                           stderr=subprocess.PIPE, env=e, timeout=60)
        out = p.stdout.decode('utf-8', 'replace')
        check('language from %s: %s' % (env or 'nothing', 'zh' if want_zh else 'en'),
              p.returncode == 0 and bool(CJK.search(out)) == want_zh)
    rc, out, err = run([t, '-n', '--explain', '--lang', 'zh', '-r', seed], )
    check('--lang overrides the environment', CJK.search(out))
    rc, out, err = run([t, '-n', '-q', '--explain', '--lang', 'en', '-r', seed])
    check('--explain under -q (quick lines): each labeled line still explained',
          rc == 0 and ': tcp 78  # data, http request GET /\n    # data:' in out, out[:600])
    for args, what in ((['--explain', '--json'], '--explain with --json'),
                       (['--explain', '--quiet'], '--explain with --quiet'),
                       (['--explain', '--lang', 'fr'], 'an unknown --lang'),
                       (['--lang', 'zh'], '--lang without --explain')):
        rc, out, err = run([t] + args + ['-r', seed])
        check('%s is a usage error (exit 2) with a message' % what, rc == 2 and err.startswith('tcpnote:'),
              (rc, err))

    # With --keylog: every decrypted hint, "tls resumed", and the reasons decryption stops.
    seen = set()
    for pcap in sorted(glob.glob(os.path.join(a.pcaps, '*-keylog.pcap')) +
                       glob.glob(os.path.join(a.pcaps, 'hrr', '*-keylog.pcap'))):
        seen |= keylog_checks(t, pcap)
    check('the key-log captures explain every decrypted hint and "tls resumed"',
          set(DECRYPTED) | {'tls resumed'} <= seen, sorted(seen))
    undecryptable_checks(t, a.pcaps)
    kafka_checks(t, a.pcaps)

    # Every capture, both languages, -v: no failure, and nothing foreign reaches the terminal
    # unescaped (the hostile capture's names are in the sentences too).
    for name in sorted(os.listdir(a.pcaps)):
        if not name.endswith('.pcap'):
            continue
        for lang in ('en', 'zh'):
            rc, out, err = run([t, '-n', '--explain', '-v', '--lang', lang, '-r', os.path.join(a.pcaps, name)])
            # tcpdump's own "\n\t" (MPLS and GRE under -v) is the only tab allowed
            ok = rc == 0 and not re.search('[\x00-\x08\x0b-\x1f\x7f]|[^\n]\t', out)
            if lang == 'en':
                ok = ok and all(ord(c) < 0x80 for c in out)
            check('%s --lang %s: runs, output safe for a terminal' % (name, lang), ok, (rc, err[-300:]))
    return finish('explain')


if __name__ == '__main__':
    sys.exit(main())
