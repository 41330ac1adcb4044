#!/usr/bin/env python3
"""tshark_hints.py - tcpnote's TLS and HTTP hints against tshark's dissection, frame by frame.

Usage: tshark_hints.py [--expected] [--show N] TCPNOTE PCAP...

For every capture, tshark (4.0) dissects TLS and HTTP with TCP reassembly on, out-of-order
segments included (tcp.reassemble_out_of_order, off by default: like tcpnote, which holds
a TLS direction's segments past a gap until it fills), and the hints tcpnote should print
are worked out per frame from its fields:

  tls client hello [sni=NAME] [alpn=P1,P2]   ClientHello; server_name and ALPN list as offered
  tls server hello VERSION CIPHER            ServerHello; VERSION from supported_versions if
                                             present, else the handshake's legacy version
                                             (TLSv1.3 .. SSLv3); CIPHER the IANA name (0xXXXX
                                             for a suite missing from SUITES below)
  tls resumed                                a ServerHello that resumes a session: TLS 1.3,
                                             a selected pre_shared_key identity
                                             (tls.handshake.extensions.psk.identity.selected);
                                             TLS 1.2, tshark's own tls.resumed (the client's
                                             session ID echoed)
  tls certificate [cn=NAME]                  Certificate (cleartext, so TLS <= 1.2); the first
                                             commonName of the first certificate's subject
  tls change cipher spec                     a ChangeCipherSpec record
  tls alert LEVEL DESCRIPTION                a cleartext alert: warning/fatal, RFC name
  tls app data                               the first record of content type 23 per
                                             connection (tcp.stream) and direction
  http request METHOD URI                    request line as sent
  http response CODE                         status line
  starttls PROTO                             TLS after a cleartext prefix (STARTTLS, AUTH TLS,
                                             SSLRequest, MySQL's SSL request): the last frame
                                             with payload before tshark's first TLS frame of
                                             the connection (IRC: tshark's 670 answer)

Like tcpnote, tshark puts a message that spans segments on the frame that completes it.
For HTTP only the header block is reassembled (http.desegment_body:FALSE), so the response
hint is on the frame that completes the headers, not the body; --http-body moves it to the
frame that completes the body.

Ports: tshark finds TLS and HTTP on any port by heuristics, unless a port-based dissector
claims the port first (7075 is "nano", for one).  So each capture is read twice: a first
pass lists the server ports (destination of a SYN without ACK) and the first payload bytes
sent to and from each; a port whose client speaks first with a TLS record header (16 03) is
decoded as TLS, one whose client sends an HTTP method or whose server sends "HTTP/" as
HTTP (-d tcp.port==PORT,tls / http), one that starts with a cleartext prefix as that
protocol (-d tcp.port==PORT,smtp ...; cleartext_prefix.py says how, and why IRC is read
from a copy without its cleartext frames).  The second pass reads the hint fields.  The
subject commonName comes from a third pass, in PDML, over Certificate frames only.

tcpnote's side is `TCPNOTE --json -r PCAP`: the labels of each packet record that start with
"tls ", "http " or "starttls ".  Hints are compared per frame and per kind (the first words up to the
argument: "tls server hello", "http request", ...).  A table of agreements is printed; the
exit status is 1 if any frame differs (a hint only one side has, or different text), with
the frames listed.  --expected also prints tshark's hints for every frame of each capture.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cleartext_prefix import View  # noqa: E402

KINDS = ['starttls', 'tls client hello', 'tls server hello', 'tls resumed', 'tls certificate', 'tls change cipher spec',
         'tls alert', 'tls app data', 'http request', 'http response']

# IANA TLS cipher suite registry: the suites OpenSSL 3, GnuTLS and browsers offer.
SUITES = {
    0x0004: 'TLS_RSA_WITH_RC4_128_MD5',
    0x0005: 'TLS_RSA_WITH_RC4_128_SHA',
    0x000A: 'TLS_RSA_WITH_3DES_EDE_CBC_SHA',
    0x002F: 'TLS_RSA_WITH_AES_128_CBC_SHA',
    0x0033: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA',
    0x0035: 'TLS_RSA_WITH_AES_256_CBC_SHA',
    0x0039: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA',
    0x003C: 'TLS_RSA_WITH_AES_128_CBC_SHA256',
    0x003D: 'TLS_RSA_WITH_AES_256_CBC_SHA256',
    0x0067: 'TLS_DHE_RSA_WITH_AES_128_CBC_SHA256',
    0x006B: 'TLS_DHE_RSA_WITH_AES_256_CBC_SHA256',
    0x009C: 'TLS_RSA_WITH_AES_128_GCM_SHA256',
    0x009D: 'TLS_RSA_WITH_AES_256_GCM_SHA384',
    0x009E: 'TLS_DHE_RSA_WITH_AES_128_GCM_SHA256',
    0x009F: 'TLS_DHE_RSA_WITH_AES_256_GCM_SHA384',
    0x00FF: 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV',
    0x1301: 'TLS_AES_128_GCM_SHA256',
    0x1302: 'TLS_AES_256_GCM_SHA384',
    0x1303: 'TLS_CHACHA20_POLY1305_SHA256',
    0x1304: 'TLS_AES_128_CCM_SHA256',
    0x1305: 'TLS_AES_128_CCM_8_SHA256',
    0x5600: 'TLS_FALLBACK_SCSV',
    0xC009: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA',
    0xC00A: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA',
    0xC013: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA',
    0xC014: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA',
    0xC023: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256',
    0xC024: 'TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384',
    0xC027: 'TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256',
    0xC028: 'TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384',
    0xC02B: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256',
    0xC02C: 'TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384',
    0xC02F: 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256',
    0xC030: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384',
    0xCCA8: 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
    0xCCA9: 'TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256',
    0xCCAA: 'TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256',
}

VERSIONS = {0x0300: 'SSLv3', 0x0301: 'TLSv1', 0x0302: 'TLSv1.1', 0x0303: 'TLSv1.2',
            0x0304: 'TLSv1.3'}

LEVELS = {1: 'warning', 2: 'fatal'}

# RFC 8446 section 6 and RFC 5246 section 7.2 (and the extensions' RFCs).
ALERTS = {
    0: 'close_notify', 10: 'unexpected_message', 20: 'bad_record_mac',
    21: 'decryption_failed', 22: 'record_overflow', 30: 'decompression_failure',
    40: 'handshake_failure', 41: 'no_certificate', 42: 'bad_certificate',
    43: 'unsupported_certificate', 44: 'certificate_revoked', 45: 'certificate_expired',
    46: 'certificate_unknown', 47: 'illegal_parameter', 48: 'unknown_ca',
    49: 'access_denied', 50: 'decode_error', 51: 'decrypt_error',
    60: 'export_restriction', 70: 'protocol_version', 71: 'insufficient_security',
    80: 'internal_error', 86: 'inappropriate_fallback', 90: 'user_canceled',
    100: 'no_renegotiation', 109: 'missing_extension', 110: 'unsupported_extension',
    111: 'certificate_unobtainable', 112: 'unrecognized_name',
    113: 'bad_certificate_status_response', 114: 'bad_certificate_hash_value',
    115: 'unknown_psk_identity', 116: 'certificate_required',
    120: 'no_application_protocol',
}

AGG = '\x1f'  # tshark's separator between occurrences of one field in one frame

FIELDS = ['frame.number', 'tcp.stream', 'ip.src', 'ipv6.src', 'tcp.srcport',
          'tls.handshake.type', 'tls.handshake.extensions_server_name',
          'tls.handshake.extensions_alpn_str', 'tls.handshake.ciphersuite',
          'tls.handshake.extensions.supported_version', 'tls.handshake.version',
          'tls.record.version', 'tls.record.content_type', 'tls.record.opaque_type',
          'tls.alert_message.level', 'tls.alert_message.desc',
          'http.request.method', 'http.request.uri', 'http.response.code',
          'tls.resumed', 'tls.handshake.extensions.psk.identity.selected']


def tshark(args):
    return subprocess.run(['tshark', '-n'] + args, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=True, timeout=300).stdout


def split(val):
    return val.split(AGG) if val != '' else []


def number(s):
    return int(s, 0)


def certificate_cns(view, opts):
    """frame -> the first commonName of the first certificate's subject, from PDML."""
    cns = {}
    out = tshark(['-r', view.path] + opts + ['-Y', 'tls.handshake.type == 11', '-T', 'pdml'])
    root = ET.fromstring(out)
    for packet in root.iter('packet'):
        frame = None
        for f in packet.iter('field'):
            if f.get('name') == 'frame.number':
                frame = view.frame(int(f.get('show')))
                break
        cert = next((f for f in packet.iter('field')
                     if f.get('name') == 'tls.handshake.certificate'), None)
        if frame is None or cert is None:
            continue
        cns[frame] = name_cn(cert, 'x509af.subject')
    return cns


def name_cn(cert, which):
    """The first commonName of a certificate's subject or issuer (which: 'x509af.subject' or
    'x509af.issuer'), from its PDML field; None when it has none."""
    name = next((f for f in cert.iter('field') if f.get('name') == which), None)
    if name is None:
        return None
    for rdn in name.iter('field'):
        if rdn.get('name') != 'x509if.RelativeDistinguishedName_item_element':
            continue
        oid = next((f for f in rdn.iter('field') if f.get('name') == 'x509if.oid'), None)
        if oid is None or oid.get('show') != '2.5.4.3':
            continue
        # the string's field is the one child of x509sat.DirectoryString
        # (uTF8String, printableString, ...), whose own value is the choice number
        s = next((f for f in rdn.iter('field') if f.get('name', '').startswith('x509sat.')
                  and f.get('name') != 'x509sat.DirectoryString'
                  and f.get('name', '').lower().endswith('string')), None)
        if s is not None:
            return s.get('show')
    return None


def tshark_hints(path, http_body, tmpdir):
    """frame -> list of expected hint strings, in tshark's order."""
    opts = ['-o', 'tcp.desegment_tcp_streams:TRUE', '-o', 'tcp.reassemble_out_of_order:TRUE',
            '-o', 'tls.desegment_ssl_records:TRUE',
            '-o', 'tls.desegment_ssl_application_data:TRUE',
            '-o', 'http.desegment_headers:TRUE',
            '-o', 'http.desegment_body:%s' % ('TRUE' if http_body else 'FALSE')]
    view = View(path, tmpdir)
    opts += view.args
    cmd = ['-r', view.path] + opts + ['-Y', 'tcp', '-T', 'fields', '-E', 'separator=/t',
                                 '-E', 'occurrence=a', '-E', 'aggregator=' + AGG]
    for f in FIELDS:
        cmd += ['-e', f]
    out = tshark(cmd).decode('utf-8', 'replace')
    cns = None
    seen_app = set()
    chosen = {}  # tcp.stream -> (frame, the server's ALPN or ''): ServerHello or EncryptedExtensions
    hints = collections.OrderedDict()
    for line in out.splitlines():
        cols = dict(zip(FIELDS, line.split('\t') + [''] * len(FIELDS)))
        frame = view.frame(int(cols['frame.number']))
        h = []
        types = [int(t) for t in split(cols['tls.handshake.type'])]
        if (2 in types or 8 in types) and 1 not in types:
            sel = ','.join(split(cols['tls.handshake.extensions_alpn_str']))
            if not chosen.get(cols['tcp.stream'], (0, ''))[1]:
                chosen[cols['tcp.stream']] = (frame, sel)
        if 1 in types:
            s = 'tls client hello'
            sni = split(cols['tls.handshake.extensions_server_name'])
            if sni:
                s += ' sni=' + sni[0]
            alpn = split(cols['tls.handshake.extensions_alpn_str'])
            if alpn:
                s += ' alpn=' + ','.join(alpn)
            h.append(s)
        if 2 in types:
            sv = split(cols['tls.handshake.extensions.supported_version'])
            hv = split(cols['tls.handshake.version'])
            v = number(sv[0]) if sv else number(hv[0]) if hv else None
            suite = split(cols['tls.handshake.ciphersuite'])
            c = number(suite[0]) if suite else None
            h.append('tls server hello %s %s' % (
                VERSIONS.get(v, '0x%04x' % v if v is not None else '?'),
                SUITES.get(c, '0x%04x' % c if c is not None else '?')))
            if split(cols['tls.handshake.extensions.psk.identity.selected']) or \
                    split(cols['tls.resumed']):
                h.append('tls resumed')
        if 11 in types:
            if cns is None:
                cns = certificate_cns(view, opts)
            cn = cns.get(frame)
            h.append('tls certificate' + (' cn=' + cn if cn else ''))
        ctypes = [int(t) for t in split(cols['tls.record.content_type']) +
                  split(cols['tls.record.opaque_type'])]
        if 20 in ctypes:
            h.append('tls change cipher spec')
        alerts = list(zip(split(cols['tls.alert_message.level']),
                          split(cols['tls.alert_message.desc'])))
        for lvl, desc in alerts:
            lvl, desc = int(lvl), int(desc)
            h.append('tls alert %s %s' % (LEVELS.get(lvl, str(lvl)), ALERTS.get(desc, str(desc))))
        if 21 in ctypes and not alerts:
            # tshark's "Encrypted Alert": the record is an alert, its level and description are not readable.
            h.append('tls alert (encrypted)')
        if 23 in ctypes:
            src = cols['ip.src'] or cols['ipv6.src']
            key = (cols['tcp.stream'], src, cols['tcp.srcport'])
            if key not in seen_app:
                seen_app.add(key)
                h.append('tls app data')
        for method, uri in zip(split(cols['http.request.method']), split(cols['http.request.uri'])):
            h.append('http request %s %s' % (method, uri))
        for code in split(cols['http.response.code']):
            h.append('http response %s' % code)
        if h:
            hints[frame] = h
    for frame, h in view.switches().items():
        hints.setdefault(frame, []).append(h)
    return collections.OrderedDict(sorted(hints.items())), chosen


def tcpnote_hints(tcpnote, path):
    out = subprocess.run([tcpnote, '--json', '-r', path], stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, timeout=300,
                         env=dict(os.environ, TZ='UTC')).stdout.decode('utf-8', 'replace')
    hints = {}
    flow_of = {}  # frame -> flow
    alpn = {}     # flow -> the flow record's "alpn" ('' when absent)
    for line in out.splitlines():
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if rec.get('type') == 'flow':
            alpn[rec['flow']] = rec.get('alpn', '')
        if rec.get('type') != 'packet':
            continue
        flow_of[rec['frame']] = rec.get('flow')
        h = [l for l in rec.get('labels', []) if l.startswith(('tls ', 'http ', 'starttls '))]
        if h:
            hints[rec['frame']] = h
    return hints, flow_of, alpn


def kind(hint):
    for k in KINDS:
        if hint == k or hint.startswith(k + ' '):
            return k
    return hint


def agrees(tn, ts):
    """One hint each: equal, or tcpnote's ALPN list cut with "..." and tshark's the full list.

    tcpnote's JSON carries foreign bytes as U+0000-U+00FF, while tshark prints bytes >= 0x80
    as UTF-8 or as U+FFFD, depending on the field; so a run of non-ASCII characters counts as
    one "?" on both sides (the bytes themselves are checked in tests/cli/test_output.py)."""
    tn, ts = (re.sub('[^\x00-\x7f]+', '?', x) for x in (tn, ts))
    if tn == ts:
        return True
    return tn.endswith('...') and ts.startswith(tn[:-3]) and ' alpn=' in tn


def by_kind(hints):
    d = collections.defaultdict(list)
    for h in hints:
        d[kind(h)].append(h)
    return d


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('tcpnote')
    ap.add_argument('pcaps', nargs='+')
    ap.add_argument('--expected', action='store_true', help="print tshark's hints per frame")
    ap.add_argument('--http-body', action='store_true',
                    help='HTTP response hint on the frame completing the body, not the headers')
    ap.add_argument('--show', type=int, default=20, help='differing frames listed per capture')
    a = ap.parse_args()
    total = collections.defaultdict(lambda: [0, 0, 0, 0])  # both, differ, only tcpnote, only tshark
    failed = []
    for path in a.pcaps:
        name = os.path.basename(path)
        with tempfile.TemporaryDirectory() as tmpdir:
            ts, chosen = tshark_hints(path, a.http_body, tmpdir)
        tn, flow_of, alpn = tcpnote_hints(a.tcpnote, path)
        if a.expected:
            print('== %s' % name)
            for frame, h in ts.items():
                print('   %5d  %s' % (frame, ' | '.join(h)))
        diffs = []
        for frame in sorted(set(ts) | set(tn)):
            tsk, tnk = by_kind(ts.get(frame, [])), by_kind(tn.get(frame, []))
            for k in sorted(set(tsk) | set(tnk), key=lambda k: KINDS.index(k) if k in KINDS else 99):
                t, n = sorted(tsk.get(k, [])), sorted(tnk.get(k, []))
                if len(t) == len(n) and all(agrees(x, y) for x, y in zip(n, t)):
                    total[k][0] += 1
                    continue
                total[k][1 if t and n else 2 if n else 3] += 1
                diffs.append((frame, k, n, t))
        # The flow record's "alpn" is the server's choice where tshark sees it (a TLS 1.2
        # ServerHello, or a TLS 1.3 EncryptedExtensions read with the key log), and absent
        # when the server chose none or tshark could not see the choice.
        flows_chosen = {}
        for frame, sel in chosen.values():
            flows_chosen[flow_of.get(frame)] = sel
        for flow in sorted(set(alpn) | set(flows_chosen), key=str):
            t, n = flows_chosen.get(flow, ''), alpn.get(flow, '')
            total['flow alpn'][0 if t == n else 1 if t and n else 2 if n else 3] += 1
            if t != n:
                diffs.append((0, 'flow %s alpn' % flow, [n], [t]))
        if diffs:
            failed.append(name)
            print('FAIL %s: %d differing frame/kind pairs' % (name, len(diffs)))
            for frame, k, n, t in diffs[:a.show]:
                print('   %s frame %d %s: tcpnote %s, tshark %s' % (name, frame, k, n, t))
            if len(diffs) > a.show:
                print('   ... %d more' % (len(diffs) - a.show))
    print()
    print('| hint | both | different text | only tcpnote | only tshark |')
    print('|---|---|---|---|---|')
    for k in KINDS + sorted(set(total) - set(KINDS)):
        if k in total:
            print('| %s | %d | %d | %d | %d |' % ((k,) + tuple(total[k])))
    print('hints: %d captures agree, %d differ%s' % (
        len(a.pcaps) - len(failed), len(failed), (': ' + ' '.join(failed)) if failed else ''))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
