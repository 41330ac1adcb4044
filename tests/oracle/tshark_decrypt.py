#!/usr/bin/env python3
"""tshark_decrypt.py - what tcpnote decrypts with --keylog against what tshark decrypts, frame by frame.

Usage: tshark_decrypt.py TCPNOTE PCAP...   (each PCAP with its NSS key log beside it: NAME.keys)

tshark (4.0) reads each capture with -o tls.keylog_file:NAME.keys, TLS decoded on the
server port (the destination of the first SYN), or, when TLS starts after a cleartext
prefix (STARTTLS, SSLRequest, MySQL, CONNECT), that protocol's dissector on the port,
which follows it into TLS (cleartext_prefix.py; IRC, which tshark 4.0 does not follow, from
a copy without the frames before its first TLS record), HTTP header reassembly on, and
out-of-order TCP segments reassembled (tcp.reassemble_out_of_order, off by default: without
it tshark gives up on a lossy capture's records after the first gap, where tcpnote holds
the segments past the gap until the retransmission fills it).  The hints
tcpnote should print with --keylog are worked out per frame from the decrypted fields:

  tls encrypted extensions [alpn=P]   handshake type 8; ALPN as selected
  tls certificate [cn=NAME] [chain=N] handshake type 11; the first certificate's subject CN
                                      (read by `openssl x509`); chain= only in TLS 1.3 and
                                      when N > 1 (TLS 1.2's cleartext hint has no chain=)
  tls certificate verify              handshake type 15
  tls finished                        handshake type 20
  tls new session ticket              handshake type 4 (TLS 1.3: inside application keys)
  tls key update                      handshake type 24
  tls alert LEVEL DESCRIPTION         tls.alert_message: what an opened Alert record says (close_notify
                                      at the end of most sessions: TLS 1.2 sends it encrypted, TLS 1.3
                                      inside an application_data record), or a cleartext one; an alert
                                      record tshark could not open is "tls alert (encrypted)"
  http request METHOD URI             http.request.method and http.request.uri
  http response CODE                  http.response.code

tcpnote's side is `TCPNOTE -n --json --keylog NAME.keys -r PCAP`: the labels of those kinds.
Per frame, the set of hints must be equal.  A count of agreeing hints per capture is
printed; the exit status is 1 if any frame differs (listed), or if a capture has no
decrypted hint at all (so a broken key log cannot pass unnoticed).

HTTP responses are compared in order rather than per frame, for a known reason: tshark
puts a response on the frame that completes its body (it reassembles the body across TLS
records; with http.desegment_body:FALSE it glues the previous body to the next header
record instead and loses the response), while tcpnote puts it, as issue 14 asks, on the
frame whose record carries the status line.  So each connection's response codes must be
the same list, and each of tcpnote's frames must come no later than tshark's.  tshark runs
twice, with and without body reassembly, and the run that finds more responses is used:
without it, a keep-alive response after the first is lost; with it, a response that ends
only with the connection (HTTP/1.0 without Content-Length, openssl s_server -www) is never
completed.

Left out: the TLS 1.2 NewSessionTicket is cleartext, shown by tshark as
type 4 before ChangeCipherSpec; tcpnote has no cleartext ticket hint, so TLS 1.2 type 4 is
left out.
"""
import collections
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cleartext_prefix import View  # noqa: E402
from tshark_hints import ALERTS, LEVELS  # noqa: E402

KINDS = ('tls encrypted extensions', 'tls certificate', 'tls certificate verify', 'tls finished',
         'tls new session ticket', 'tls key update', 'tls alert', 'http request', 'http response')
HS_NAMES = {8: 'tls encrypted extensions', 15: 'tls certificate verify', 20: 'tls finished',
            4: 'tls new session ticket', 24: 'tls key update'}
FIELDS = ['frame.number', 'tls.handshake.type', 'tls.handshake.extensions.supported_version',
          'tls.handshake.extensions_alpn_str', 'tls.handshake.certificate', 'http.request.method',
          'http.request.uri', 'http.response.code', 'tcp.stream', 'tls.alert_message.level',
          'tls.alert_message.desc', 'tls.record.content_type']


def tshark(args):
    return subprocess.run(['tshark', '-n'] + args, check=True, capture_output=True,
                          text=True).stdout


def server_port(pcap):
    out = tshark(['-r', pcap, '-Y', 'tcp.flags.syn==1 && tcp.flags.ack==0', '-T', 'fields',
                  '-e', 'tcp.dstport'])
    return out.split()[0]


def subject_cn(der_hex):
    der = bytes.fromhex(der_hex.replace(':', ''))
    out = subprocess.run(['openssl', 'x509', '-inform', 'DER', '-noout', '-subject',
                          '-nameopt', 'multiline,utf8,-esc_msb'], input=der,
                         capture_output=True, check=True).stdout.decode()
    for line in out.splitlines():
        line = line.strip()
        if line.startswith('commonName'):
            return line.split('=', 1)[1].strip()
    return ''


def tshark_hints(pcap, keys, body, tmpdir):
    port = server_port(pcap)
    view = View(pcap, tmpdir)
    cmd = ['-r', view.path, '-o', 'tls.keylog_file:' + keys, '-o', 'tcp.desegment_tcp_streams:TRUE',
           '-o', 'tcp.reassemble_out_of_order:TRUE',
           '-o', 'http.desegment_body:' + ('TRUE' if body else 'FALSE')] + view.args + \
        ['-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a', '-E', 'aggregator=|']
    # HTTP inside TLS: on a TLS port or through a CONNECT tunnel, not after STARTTLS
    if view.protos.get(int(port), 'connect') == 'connect':
        cmd += ['-d', 'tls.port==%s,http' % port]
    for f in FIELDS:
        cmd += ['-e', f]
    tls13 = {}
    hints = collections.defaultdict(set)
    for line in tshark(cmd).splitlines():
        v = dict(zip(FIELDS, line.split('\t')))
        frame = view.frame(int(v['frame.number']))
        stream = v['tcp.stream']
        if '0x0304' in v['tls.handshake.extensions.supported_version'].split('|') and \
                '2' in v['tls.handshake.type'].split('|'):
            tls13[stream] = True
        is13 = tls13.get(stream, False)
        types = [int(t) for t in v['tls.handshake.type'].split('|') if t]
        for t in types:
            if t in HS_NAMES and not (t == 4 and not is13):
                h = HS_NAMES[t]
                if t == 8 and v['tls.handshake.extensions_alpn_str']:
                    h += ' alpn=' + v['tls.handshake.extensions_alpn_str'].split('|')[-1]
                hints[frame].add(h)
        if 11 in types:
            certs = [c for c in v['tls.handshake.certificate'].split('|') if c]
            h = 'tls certificate'
            if certs:
                cn = subject_cn(certs[0])
                if cn:
                    h += ' cn=' + cn
            if is13 and len(certs) > 1:
                h += ' chain=%d' % len(certs)
            hints[frame].add(h)
        alerts = list(zip(v['tls.alert_message.level'].split('|'),
                          v['tls.alert_message.desc'].split('|')))
        for lvl, desc in alerts[:1]:
            if lvl and desc:
                lvl, desc = int(lvl), int(desc)
                hints[frame].add('tls alert %s %s' % (LEVELS.get(lvl, str(lvl)),
                                                      ALERTS.get(desc, str(desc))))
        if '21' in v['tls.record.content_type'].split('|') and not any(l for l, _ in alerts):
            hints[frame].add('tls alert (encrypted)')
        methods = [m for m in v['http.request.method'].split('|') if m]
        uris = v['http.request.uri'].split('|')
        for i, m in enumerate(methods[:1]):
            hints[frame].add('http request %s %s' % (m, uris[i] if i < len(uris) else ''))
        for c in [c for c in v['http.response.code'].split('|') if c][:1]:
            hints[frame].add('http response ' + c)
    return hints


def split_responses(hints):
    """Take the http response hints out of the per-frame sets: [(frame, hint)] in order."""
    out = []
    for frame in sorted(hints):
        for h in sorted(hints[frame]):
            if h.startswith('http response '):
                out.append((frame, h))
        hints[frame] = {h for h in hints[frame] if not h.startswith('http response ')}
    return out


def tcpnote_hints(tcpnote, pcap, keys):
    out = subprocess.run([tcpnote, '-n', '--json', '--keylog', keys, '-r', pcap], check=True,
                         capture_output=True, text=True).stdout
    hints = collections.defaultdict(set)
    for line in out.splitlines():
        rec = json.loads(line)
        if rec.get('type') != 'packet':
            continue
        for label in rec['labels']:
            if any(label == k or label.startswith(k + ' ') for k in KINDS):
                # "tls certificate verify" is its own kind, not a certificate with fields
                hints[rec['frame']].add(label)
    return hints


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tcpnote, pcaps = sys.argv[1], sys.argv[2:]
    failed = False
    total = 0
    for pcap in pcaps:
        keys = pcap[:-len('.pcap')] + '.keys'
        with tempfile.TemporaryDirectory() as tmpdir:
            want = tshark_hints(pcap, keys, False, tmpdir)
            with_body = tshark_hints(pcap, keys, True, tmpdir)
        got = tcpnote_hints(tcpnote, pcap, keys)
        agree = 0
        diffs = []
        # The responses in capture order (the resumed captures hold two connections, one after
        # the other, so their order is the connections' too).
        want_r, got_r = split_responses(want), split_responses(got)
        body_r = split_responses(with_body)
        if len(body_r) > len(want_r):
            want_r = body_r
        if [h for _, h in want_r] != [h for _, h in got_r]:
            diffs.append('  responses: tshark %s, tcpnote %s' % (want_r, got_r))
        else:
            for (wf, h), (gf, _) in zip(want_r, got_r):
                if gf > wf:
                    diffs.append('  %s: tcpnote frame %d after tshark frame %d' % (h, gf, wf))
                else:
                    agree += 1
        for frame in sorted(set(want) | set(got)):
            if want[frame] == got[frame]:
                agree += len(want[frame])
            else:
                diffs.append('  frame %d: tshark %s, tcpnote %s' %
                             (frame, sorted(want[frame]), sorted(got[frame])))
        total += agree
        print('%-36s %3d hints agree, %d frames differ' % (os.path.basename(pcap), agree,
                                                            len(diffs)))
        for d in diffs:
            print(d)
        if diffs or agree == 0:
            failed = True
    print('total: %d decrypted hints agree' % total)
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
