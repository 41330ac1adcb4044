#!/usr/bin/env python3
"""tshark_tls_facts.py - the TLS facts of tcpnote's JSON flow records against tshark, connection by connection.

Usage: tshark_tls_facts.py TCPNOTE PCAP...   (a PCAP with NAME.keys beside it is read with that
                                              key log, by both; one without, in cleartext)

tcpnote's side is the flow records of `TCPNOTE -n --json [--keylog NAME.keys] -r PCAP`; flow N
is tshark's tcp.stream N - 1 (both number connections by their first packet).  tshark (4.0)
reads the capture with -o tls.keylog_file:NAME.keys and TLS decoded on the server ports, and
per connection:

  cert_chain   the server's first Certificate message, each certificate in the order sent,
               from tshark's own X.509 dissector (PDML): subject_cn and issuer_cn (the first
               id-at-commonName), san (x509ce.dNSName and iPAddress inside the
               subjectAltName extension, 2.5.29.17, in order), not_before and not_after
               (x509af.utcTime/generalizedTime, as ISO 8601 UTC), key (rsaEncryption and the
               modulus's bits, id-ecPublicKey and the named curve, Ed25519/Ed448 by OID), and
               sha256 (hashlib over the certificate bytes tshark shows)
  session_id   the ServerHello's (not a HelloRetryRequest's) tls.handshake.session_id
  resumed      that ServerHello has a selected pre_shared_key identity (TLS 1.3), or tshark's
               tls.resumed (TLS 1.2: the client's session ID echoed)
  decrypted    tshark shows a message only decryption gives: EncryptedExtensions (8),
               Finished (20), KeyUpdate (24), or an HTTP line inside the TLS connection
  alpn         the server's choice only: tls.handshake.extensions_alpn_str of the server's
               ServerHello (TLS 1.2) or EncryptedExtensions (TLS 1.3, which tshark sees only
               with the key log); "" when the server chose none or its choice is encrypted
  alpn_offered the client's first ClientHello's list, comma-joined ("" for none); a list
               tcpnote cut at its bound (ending in "...") agrees with the start of tshark's

Each must be equal (a connection without a Certificate has no cert_chain on either side; a
fact absent from the flow record is ""). A line per capture, then the totals ("alpn 96/96,
alpn_offered 96/96" and how many of them are not empty); the exit status is 1 if any fact
differs (listed), or if no certificate, no server-chosen alpn or no alpn_offered at all was
compared (so a broken dissection cannot pass unnoticed).
"""
import collections
import hashlib
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cleartext_prefix import View  # noqa: E402
from tshark_hints import name_cn, tshark  # noqa: E402

AGG = '\x1f'
HRR_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c'
CURVES = {'1.2.840.10045.3.1.7': 'P-256', '1.3.132.0.34': 'P-384', '1.3.132.0.35': 'P-521'}
KEY_OIDS = {'1.3.101.112': 'Ed25519', '1.3.101.113': 'Ed448'}
ALPN = ('alpn', 'alpn_offered')
FIELDS = ['tcp.stream', 'tcp.srcport', 'tls.handshake.type', 'tls.handshake.session_id',
          'tls.handshake.random', 'tls.resumed', 'tls.handshake.extensions.psk.identity.selected',
          'tls.handshake.extensions_alpn_str', 'http.request.method', 'http.response.code']


def split(v):
    return v.split(AGG) if v else []


def key_log(pcap):
    keys = pcap[:-len('.pcap')] + '.keys'
    return keys if os.path.exists(keys) else None


def options(pcap, tmpdir):
    """tshark's options for pcap and the capture it reads (cleartext_prefix.View: the
    protocol of each server port, and for IRC a copy from the first TLS record on)."""
    view = View(pcap, tmpdir)
    keys = key_log(pcap)
    return (['-o', 'tls.keylog_file:' + keys] if keys else []) + view.args, view.path


def child(field, name):
    return next((f for f in field.iter('field') if f.get('name') == name), None)


def iso_time(field):
    """x509af.notBefore/notAfter's time ("2026-11-30 21:17:00 (UTC)") as "2026-11-30T21:17:00Z"."""
    t = child(field, 'x509af.utcTime')
    if t is None:
        t = child(field, 'x509af.generalizedTime')
    if t is None:
        return ''
    day, clock = t.get('show').split()[:2]
    return '%sT%sZ' % (day, clock)


def cert_facts(cert):
    """One certificate's facts from its tls.handshake.certificate PDML field."""
    der = bytes.fromhex(cert.get('show').replace(':', ''))
    san = []
    for ext in cert.iter('field'):
        if ext.get('name') != 'x509af.Extension_element':
            continue
        oid = child(ext, 'x509af.extension.id')
        if oid is None or oid.get('show') != '2.5.29.17':
            continue
        for f in ext.iter('field'):
            if f.get('name') in ('x509ce.dNSName', 'x509ce.IPAddress.ipv4', 'x509ce.IPAddress.ipv6'):
                san.append(f.get('show'))
    spki = child(cert, 'x509af.subjectPublicKeyInfo_element')
    alg = child(spki, 'x509af.algorithm.id').get('show')
    if alg == '1.2.840.113549.1.1.1':
        key = 'RSA %d' % int(child(spki, 'pkcs1.modulus').get('show').replace(':', ''), 16).bit_length()
    elif alg == '1.2.840.10045.2.1':
        curve = child(spki, 'pkcs1.namedCurve').get('show')
        key = 'EC ' + CURVES.get(curve, curve)
    else:
        key = KEY_OIDS.get(alg, alg)
    validity = child(cert, 'x509af.validity_element')
    return {'subject_cn': name_cn(cert, 'x509af.subject') or '',
            'issuer_cn': name_cn(cert, 'x509af.issuer') or '', 'san': san,
            'not_before': iso_time(child(validity, 'x509af.notBefore')),
            'not_after': iso_time(child(validity, 'x509af.notAfter')),
            'key': key, 'sha256': hashlib.sha256(der).hexdigest()}


def tshark_facts(pcap, tmpdir):
    """stream -> the facts tshark shows for it (see the module's description)."""
    opts, pcap = options(pcap, tmpdir)
    cmd = ['-r', pcap] + opts + ['-T', 'fields', '-E', 'separator=\t', '-E', 'occurrence=a',
                                 '-E', 'aggregator=' + AGG]
    for f in FIELDS:
        cmd += ['-e', f]
    servers = {int(a[a.index('==') + 2:a.index(',')]) for a in opts if a.startswith('tcp.port==')}
    facts = collections.defaultdict(lambda: {'decrypted': False, 'resumed': False,
                                             'alpn': '', 'alpn_offered': ''})
    for line in tshark(cmd).decode('utf-8', 'replace').splitlines():
        v = dict(zip(FIELDS, line.split('\t') + [''] * len(FIELDS)))
        if not v['tcp.stream']:
            continue
        f = facts[int(v['tcp.stream'])]
        types = [int(t) for t in split(v['tls.handshake.type'])]
        from_server = int(v['tcp.srcport']) in servers
        alpn = split(v['tls.handshake.extensions_alpn_str'])
        # The first ClientHello with a list (after a HelloRetryRequest the second repeats it);
        # the server's choice from the first ServerHello or EncryptedExtensions that has one
        # (a HelloRetryRequest or a TLS 1.3 ServerHello carries none).
        if 1 in types and not from_server and not f['alpn_offered']:
            f['alpn_offered'] = ','.join(alpn)
        if from_server and (2 in types or 8 in types) and not f['alpn']:
            f['alpn'] = ','.join(alpn)
        if 2 in types and from_server and 'session_id' not in f and \
                split(v['tls.handshake.random'])[:1] != [HRR_RANDOM.upper()] and \
                split(v['tls.handshake.random'])[:1] != [HRR_RANDOM]:
            sids = split(v['tls.handshake.session_id'])
            f['session_id'] = sids[0].replace(':', '') if sids else ''
            f['resumed'] = bool(split(v['tls.handshake.extensions.psk.identity.selected']) or
                                split(v['tls.resumed']))
        if {8, 20, 24} & set(types) or v['http.request.method'] or v['http.response.code']:
            f['decrypted'] = True
    out = tshark(['-r', pcap] + opts + ['-Y', 'tls.handshake.type == 11', '-T', 'pdml'])
    for packet in ET.fromstring(out).iter('packet'):
        stream = int(child(packet, 'tcp.stream').get('show'))
        if int(child(packet, 'tcp.srcport').get('show')) not in servers or \
                'cert_chain' in facts[stream]:
            continue
        facts[stream]['cert_chain'] = [cert_facts(c) for c in packet.iter('field')
                                       if c.get('name') == 'tls.handshake.certificate']
    return facts


def tcpnote_facts(tcpnote, pcap):
    keys = key_log(pcap)
    args = [tcpnote, '-n', '--json', '-r', pcap] + (['--keylog', keys] if keys else [])
    out = subprocess.run(args, check=True, capture_output=True, text=True).stdout
    facts = {}
    for line in out.splitlines():
        rec = json.loads(line)
        if rec.get('type') == 'flow':
            rec.setdefault('alpn', '')
            rec.setdefault('alpn_offered', '')
            facts[rec['flow'] - 1] = rec
    return facts


def same(name, want, got):
    """Equal; an offered ALPN list tcpnote cut at its bound ("...") agrees with the start of
    tshark's (the server's choice is one name, never cut)."""
    if want == got:
        return True
    return name == 'alpn_offered' and isinstance(got, str) and got.endswith('...') and \
        isinstance(want, str) and want.startswith(got[:-3].rstrip(','))


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    tcpnote, pcaps = sys.argv[1], sys.argv[2:]
    failed, certs = False, 0
    alpn = {name: [0, 0, 0] for name in ALPN}  # name -> [agree, compared, agree and not ""]
    tmp = tempfile.TemporaryDirectory()
    for pcap in pcaps:
        want, got = tshark_facts(pcap, tmp.name), tcpnote_facts(tcpnote, pcap)
        diffs, agree = [], 0
        for stream in sorted(set(want) | set(got)):
            w, g = want.get(stream, {}), got.get(stream, {})
            for name in ('cert_chain', 'session_id', 'resumed', 'decrypted') + ALPN:
                ok = same(name, w.get(name), g.get(name))
                if name in ALPN:
                    alpn[name][0] += ok
                    alpn[name][1] += 1
                    alpn[name][2] += bool(ok and w.get(name))
                if ok:
                    agree += 1
                    if name == 'cert_chain' and w.get(name):
                        certs += len(w[name])
                else:
                    diffs.append('  connection %d %s: tshark %s, tcpnote %s' %
                                 (stream + 1, name, w.get(name), g.get(name)))
        print('%-36s %3d facts agree, %d differ' % (os.path.basename(pcap), agree, len(diffs)))
        for d in diffs:
            print(d)
        failed = failed or bool(diffs)
    print('total: %d certificates agree; %s' % (certs, ', '.join(
        '%s %d/%d (%d not empty)' % (name, a, n, full) for name, (a, n, full) in alpn.items())))
    return 1 if failed or certs == 0 or any(full == 0 for _, _, full in alpn.values()) else 0


if __name__ == '__main__':
    sys.exit(main())
