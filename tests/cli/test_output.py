#!/usr/bin/env python3
"""test_output.py - --json, --summary, --expect, --color, the Zeek states/histories and `duplicate`, on pcaps/.

JSON: every line of every capture parses with Python's json module; packet
records' frame numbers are tshark's frame.number for the same TCP packets; flow
records are as many as tshark's tcp.stream values; each record's labels are the
text output's. Connection state, history and close kind are compared with values
worked out by hand from each capture's packets (labels.md, Zeek's rules).
--expect: every form, passing and failing, exit codes checked.
`duplicate`: on exactly the frames that are a second copy of a packet, found here
independently of tcpnote's rule (the same IP packet on another interface).
"""
import json
import os
import pty
import re
import subprocess
import sys
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'oracle'))
from checks import ENV, check, finish, run, tcpnote_and_pcaps  # noqa: E402
from pcap_copies import second_copies  # noqa: E402


# capture -> [(conn_state, history, close)] per connection, worked out by hand:
# upper case = client; S syn, H syn+ack, A pure ack, D data, F fin, R rst,
# T retransmitted data, W zero window; each letter once per side, in order.
BY_HAND = {
    # S h A(3/3) D(GET) a(ack) ... F(client FIN) f(server FIN+ACK, merged)
    'seed-keepalive.pcap': [('SF', 'ShADaFf', 'FIN merged')],
    # server answers (a, d), closes first (f); client acks, later closes (F)
    'http-server-closes.pcap': [('SF', 'ShADadfF', 'four-way')],
    # client FIN right after its request (F), server data after it (d), then its FIN (f)
    'half-close.pcap': [('SF', 'ShADaFdf', 'four-way')],
    # SYN answered by RST+ACK: rejected
    'refused.pcap': [('REJ', 'Sr', 'refused')],
    # data both ways, then the client aborts with RST: originator reset
    'rst-abort.pcap': [('RSTO', 'ShADadR', 'reset')],
    'ipv6.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    # two connections on one 5-tuple; the server closes first each time
    'port-reuse.pcap': [('SF', 'ShADadfF', 'FIN merged'), ('SF', 'ShADadfF', 'FIN merged')],
    # the server's first data comes before any pure ACK of its own; its last ACK ends it
    'any-device.pcap': [('SF', 'ShADdfFa', 'FIN merged')],
    'http-keepalive-exchange.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    # both SYNs (S s), both SYN+ACKs (H h), data, crossing FINs, the client's last ACK
    'crafted-simultaneous.pcap': [('SF', 'SsHhDaFfA', 'simultaneous')],
    # 1-3 handshake, 4 request (D), 5 the server's response (d), 6 the client's RST; then the
    # same without a response: 7-9 handshake, 10 ClientHello (D), 11 the client's RST
    'crafted-hostile-hints.pcap': [('RSTO', 'ShADdR', 'reset'), ('RSTO', 'ShADR', 'reset')],
    # a resent client segment (T) and the client's RST at the end
    'crafted-wrap-spurious.pcap': [('RSTO', 'ShADdTaR', 'reset')],
    # the server's window goes to zero (w)
    'crafted-zero-window-probe.pcap': [('SF', 'ShADawFf', 'FIN merged')],
    # bulk transfers from the server with losses: it retransmits (t); all close normally
    'loss-both.pcap': [('SF', 'ShADadtfF', 'FIN merged')],
    'loss-receiver-view.pcap': [('SF', 'ShADadtfF', 'FIN merged')],
    'loss-sender-view.pcap': [('SF', 'ShADadtfF', 'FIN merged')],
    'reorder.pcap': [('SF', 'ShADadtfF', 'four-way')],
    'sack.pcap': [('SF', 'ShADadtfF', 'four-way')],
    # the slow reader's window closes (W)
    'zero-window.pcap': [('SF', 'ShADadtWfF', 'four-way')],
    # every packet twice: the copies add no letters
    'duplicate-capture.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    'duplicate-capture-ipv6.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    # the seed over IPv6: the same as over IPv4
    'seed-keepalive-ipv6.pcap': [('SF', 'ShADaFf', 'FIN merged')],
    # the server retransmits (t); the client's window is 0 once near the end (W)
    'loss-ipv6.pcap': [('SF', 'ShADadtWfF', 'FIN merged')],
    # TLS and HTTP/1.1 captures (record-tls.sh); packet numbers as tcpdump/tshark count them.
    # 1 S, 2 h, 3 A, 4 D (ClientHello), 5 a, 6 d; 17 F; 18 f with ack 4263183168, which
    # does not cover the client's FIN (seq 4263183168): the FINs cross; 19, 20 ack them
    'tls13.pcap': [('SF', 'ShADadFf', 'simultaneous')],
    # 1 S, 2 h, 3 A, 4 D, 5 a, 6 d; 15 F; 16 f with ack 3174368774 = FIN + 1: merged; 17 A
    'tls12.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    # the key-log captures (issue 14): who closes first differs from run to run (read off
    # the FIN lines of each capture's golden text)
    'tls13-aes128-keylog.pcap': [('SF', 'ShADadFf', 'four-way')],
    'tls13-chacha-keylog.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    'tls13-chain-keylog.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    'tls12-ecdhe-rsa-gcm-keylog.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    'tls12-chacha-keylog.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    'tls12-ecdsa-gcm-keylog.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    'tls13-keepalive-keylog.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    'tls13-keyupdate-keylog.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    # 1 S, 2 h, 3 A, 4 D, 5 a, 6 d, 8 D (the alert); 9 the server's FIN (f); 10 the
    # client's RST+ACK (R): originator aborted after the handshake, so RSTO
    'tls-alert-unknown-ca.pcap': [('RSTO', 'ShADadfR', 'reset')],
    # 1 S, 2 h, 3 A, 4 D, 5 a, 6 d (the alert); 8 the server closes first (f);
    # 9 the client's FIN with ack 1585648461 = server FIN + 1 (F, merged); 10 a
    'tls-alert-version.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    # 1 S, 2 h, 3 A, 4 D (GET /a.txt), 5 a, 6 d; 15 F; 16 f with ack 1683105884 = FIN + 1
    'http-keepalive-two.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    # 1 S, 2 h, 3 A, 4-6 D (ClientHello in three segments), 7 a, 10 d; no zero window
    # (smallest win 61, frame 33); 35 F; 36 f with ack 1928016890 = FIN + 1; 37 A
    'tls-split-hello.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    # Kafka (kcat against librdkafka's mock broker): every connection opens with the
    # client's ApiVersions request (D), the broker's ACK (a) and answer (d); kcat closes
    # first (F) and the broker's FIN follows at once, acknowledging it (f, merged), except
    # in kafka-seed's consumer connection (frames 50-53): F, the broker's own ACK 840 =
    # FIN + 1, then its FIN: four-way.
    'kafka-seed.pcap': [('SF', 'ShADadFf', 'four-way'), ('SF', 'ShADadFf', 'FIN merged')],
    'kafka-group.pcap': [('SF', 'ShADadFf', 'FIN merged')] * 2,
    'kafka-errors.pcap': [('SF', 'ShADadFf', 'FIN merged')] * 3,
    'kafka-large.pcap': [('SF', 'ShADadFf', 'FIN merged')] * 2,
    'kafka-old.pcap': [('SF', 'ShADadFf', 'FIN merged')] * 4,
}


def terminal_safe(s):
    """A JSON string (its code points are bytes) as the text printer escapes it: \\xNN outside printable ASCII."""
    return ''.join(c if ' ' <= c < '\x7f' and c != '\\' else '\\x%02x' % ord(c) for c in s)


def text_labels(out):
    labels = []
    for line in out.splitlines():
        if line.startswith('    '):
            continue
        m = re.search(r'  # (.*)$', line)
        labels.append(m.group(1).split(', ') if m else [])
    return labels


def main():
    a = tcpnote_and_pcaps()
    t = a.tcpnote
    files = sorted(f for f in os.listdir(a.pcaps) if f.endswith('.pcap'))
    check('every capture has hand-worked states', set(files) == set(BY_HAND),
          set(files) ^ set(BY_HAND))

    for name in files:
        path = os.path.join(a.pcaps, name)
        rc, out, err = run([t, '-n', '--json', '-r', path])
        recs = []
        bad = None
        for line in out.splitlines():
            try:
                recs.append(json.loads(line))
            except ValueError as e:
                bad = (line, e)
        check('%s: every JSON line parses' % name, rc == 0 and bad is None and recs, bad or err)
        pkts = [r for r in recs if r['type'] == 'packet']
        flows = [r for r in recs if r['type'] == 'flow']
        td = subprocess.run(['tshark', '-n', '-r', path, '-Y', 'tcp', '-T', 'fields', '-e',
                             'frame.number', '-e', 'tcp.stream'], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, timeout=120).stdout.decode().split()
        frames, streams = [int(x) for x in td[0::2]], set(td[1::2])
        check('%s: frame numbers are tshark\'s' % name, [p['frame'] for p in pkts] == frames,
              ([p['frame'] for p in pkts][:10], frames[:10]))
        check('%s: %d flow records, tshark has %d tcp.stream' % (name, len(flows), len(streams)),
              len(flows) == len(streams))
        check('%s: numbers are numbers' % name, all(
            isinstance(p['seq'], int) and isinstance(p['ts'], float) and isinstance(p['len'], int)
            for p in pkts))
        rc, out, err = run([t, '-n', '-r', path])
        check('%s: JSON labels are the text labels (escaped as the terminal shows them)' % name,
              [[terminal_safe(l) for l in p['labels']] for p in pkts] == text_labels(out))
        dups = {p['frame'] for p in pkts if 'duplicate' in p['labels']}
        copies = second_copies(path)
        check('%s: `duplicate` on the %d second copies and nothing else' % (name, len(copies)),
              dups == copies and all(p['labels'] == ['duplicate'] for p in pkts
                                     if p['frame'] in dups), sorted(dups ^ copies)[:10])
        if name.startswith('duplicate-capture'):
            check('%s: every packet is there twice' % name, 2 * len(copies) == len(frames),
                  (len(copies), len(frames)))
        got = [(f['state'], f['history'], f['close']) for f in sorted(flows, key=lambda f: f['flow'])]
        check('%s: state, history, close as worked out by hand' % name, got == BY_HAND.get(name),
              (got, BY_HAND.get(name)))

    seed = os.path.join(a.pcaps, 'seed-keepalive.pcap')
    loss = os.path.join(a.pcaps, 'loss-both.pcap')
    reuse = os.path.join(a.pcaps, 'port-reuse.pcap')
    rview = os.path.join(a.pcaps, 'loss-receiver-view.pcap')
    cases = [
        # (capture, expectation, exit code)
        (seed, 'keepalive', 0), (seed, 'reset', 3),
        (seed, '!reset', 0), (seed, '!keepalive', 3),
        (seed, 'keepalive=3', 0), (seed, 'keepalive=2', 3),
        (seed, 'keepalive>=3', 0), (seed, 'keepalive>=4', 3),
        (seed, 'keepalive<=3', 0), (seed, 'keepalive<=2', 3),
        (seed, 'handshake 3/3>=1', 0), (loss, 'retransmission=0', 3),
        (rview, 'dup ack>=1', 0), (rview, 'dup ack=0', 3),
        (reuse, 'state:SF=2', 0), (reuse, 'state:SF=1', 3),
        (reuse, 'state:SF>=2', 0), (reuse, 'state:REJ>=1', 3),
        (reuse, 'state:SF<=2', 0), (reuse, 'state:SF<=1', 3),
        (reuse, 'flows=2', 0), (reuse, 'flows=3', 3),
        (reuse, 'flows>=2', 0), (reuse, 'flows<=1', 3),
        (seed, 'nonsense label', 2), (seed, 'keepalive=x', 2), (seed, '!keepalive=0', 2),
        (seed, 'state:XX=1', 2), (seed, 'keepalive>3', 2), (seed, 'flows', 2),
    ]
    for path, expr, want in cases:
        rc, out, err = run([t, '-n', '--quiet', '-r', path, '--expect', expr])
        check('--expect %r on %s exits %d' % (expr, os.path.basename(path), want), rc == want,
              (rc, err))
        if want == 3:
            check('--expect %r says what it counted' % expr,
                  re.search(r"expectation failed: '.*': expected .*, counted \d+", err), err)
    rc, out, err = run([t, '-n', '--quiet', '-r', loss, '--expect', 'retransmission=0'])
    check('a failed label expectation names the first frames', re.search(r'\(frames \d+', err), err)
    rc, out, err = run([t, '-n', '--quiet', '-r', seed, '--expect', '!reset', '--expect', 'keepalive=3',
                        '--expect', 'state:SF=1', '--expect', 'flows=1'])
    check('several expectations, all true: exit 0, nothing printed', rc == 0 and out == '', (rc, out))

    rc, out, err = run([t, '-n', '--quiet', '--summary', '-r', reuse])
    rows = [l for l in out.splitlines() if re.match(r'\s+\d+\s', l)]
    check('--summary: a row per connection with state, history, close', len(rows) == 2 and
          all('SF' in r and 'ShADadfF' in r and 'FIN merged' in r for r in rows), out)
    rc, out2, err = run([t, '-n', '--summary', '-r', reuse])
    check('--summary comes after the packet lines', out2.endswith(out) and out2.count('\n') > 20)

    # TLS and HTTP facts of each connection: in the JSON flow record and the --summary row,
    # the same as the packets' hints (which tests/oracle/tshark_hints.py holds against tshark).
    for name, want in (('tls13.pcap', {'sni': 'tcpnote.test', 'alpn': 'h2,http/1.1',
                                       'tls_version': 'TLSv1.3', 'cipher': 'TLS_AES_256_GCM_SHA384'}),
                       ('tls12.pcap', {'sni': 'tcpnote.test', 'tls_version': 'TLSv1.2',
                                       'cipher': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'}),
                       ('http-keepalive-two.pcap', {'http_request': 'GET /a.txt', 'http_status': 200})):
        rc, out, err = run([t, '-n', '--json', '-r', os.path.join(a.pcaps, name)])
        recs = [json.loads(l) for l in out.splitlines()]
        flow = [r for r in recs if r['type'] == 'flow']
        hints = [h for r in recs if r['type'] == 'packet' for h in r['labels']
                 if h.startswith(('tls ', 'http '))]
        check('%s: the flow record has %s' % (name, sorted(want)), len(flow) == 1 and
              all(flow[0].get(k) == v for k, v in want.items()), flow)
        first = {'sni': 'tls client hello sni=', 'tls_version': 'tls server hello ',
                 'http_request': 'http request '}
        check('%s: the flow record repeats the first hints' % name,
              all(any(h.startswith(first[k] + str(want[k])) for h in hints) for k in want if k in first),
              hints)
        rc, out, err = run([t, '-n', '--quiet', '--summary', '-r', os.path.join(a.pcaps, name)])
        row = out.splitlines()[-1]
        check('%s: the --summary row ends with the facts' % name,
              all(str(v) in row for v in want.values()), row)

    # Hostile bytes in a path, a server name and ALPN: escaped in text, exact in JSON.
    hostile = os.path.join(a.pcaps, 'crafted-hostile-hints.pcap')
    rc, out, err = run([t, '-n', '--summary', '-r', hostile])
    raw = out.encode('utf-8', 'surrogateescape')
    check('hostile hints: no escape, BEL or byte >= 0x80 reaches the terminal',
          rc == 0 and not re.search(rb'[\x00-\x09\x0b-\x1f\x7f-\xff]', raw), out[-600:])
    check('hostile hints: shown escaped', '\\x1b[2J\\x1b]0;owned\\x07"quote"\\x5cback\\xff\\xfe' in out
          and 'sni=evil\\x1b]0;title\\x07"\\x5c.example alpn=h2,\\x1b[5m"x\\x5c,\\xc3\\xa9' in out, out)
    rc, out, err = run([t, '-n', '--json', '-r', hostile])
    recs = [json.loads(l) for l in out.splitlines()]
    labels = [h for r in recs if r['type'] == 'packet' for h in r['labels']]
    flows = [r for r in recs if r['type'] == 'flow']
    path = '/\x1b[2J\x1b]0;owned\x07"quote"\\back\xff\xfe'
    check('hostile hints: JSON keeps every byte (as U+0000-U+00FF)',
          'http request GET ' + path in labels and flows[0].get('http_request') == 'GET ' + path
          and flows[1].get('sni') == 'evil\x1b]0;title\x07"\\.example'
          and flows[1].get('alpn') == 'h2,\x1b[5m"x\\,\xc3\xa9', (labels, flows))

    rc1, o1, e1 = run([t, '-n', '-tt', '-r', loss])
    rc2, o2, e2 = run([t, '-n', '-tt', '-r', loss])
    check('-tt output is byte-identical from run to run', rc1 == 0 and o1 == o2)
    rc, out, err = run([t, '-n', '--color=always', '-r', seed])
    check('--color=always colours the labels', '\x1b[32mhandshake 1/3\x1b[0m' in out, out[:200])
    rc, out, err = run([t, '-n', '--color=auto', '-r', seed])
    check('--color=auto does not colour a pipe', '\x1b[' not in out)
    rc, out, err = run([t, '-n', '--color=never', '-r', seed])
    check('--color=never', '\x1b[' not in out and rc == 0)
    rc, out, err = run([t, '-n', '--color=sometimes', '-r', seed])
    check('--color with a bad value is a usage error', rc == 2)
    # On a terminal: colour by default, none with NO_COLOR (https://no-color.org).
    for no_color, want in ((None, True), ('1', False)):
        env = dict(ENV)
        env.pop('NO_COLOR', None)
        if no_color:
            env['NO_COLOR'] = no_color
        master, slave = pty.openpty()
        p = subprocess.Popen([t, '-n', '-r', seed], stdout=slave, stderr=subprocess.DEVNULL, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        p.wait(timeout=30)
        os.close(master)
        tty_out = b''.join(chunks).decode('utf-8', 'replace')
        check('on a terminal%s the labels are %scoloured' % (
            ' with NO_COLOR' if no_color else '', '' if want else 'not '),
            ('\x1b[32m' in tty_out) == want and 'handshake 1/3' in tty_out, tty_out[:200])
    rc, out, err = run([t, '-n', '--help'])
    check('--help fits one screen (24 lines)', rc == 0 and out.count('\n') <= 24, out.count('\n'))

    return finish('output')


if __name__ == '__main__':
    sys.exit(main())
