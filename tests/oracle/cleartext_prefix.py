"""cleartext_prefix.py - how the oracles make tshark read TLS that starts after a cleartext prefix (STARTTLS and its kin).

tshark (4.0) follows STARTTLS itself in its SMTP, IMAP, POP, FTP, XMPP, PostgreSQL and
MySQL dissectors, and an HTTP CONNECT tunnel in its HTTP dissector, but only on the port it
is told carries that protocol (the captures use ports of their own: -d tcp.port==P,smtp).
Which protocol a server port carries is read here from the first payload each way, the
same bytes a person would look at:

  smtp      the server's "220" banner, the client's EHLO/HELO/LHLO
  ftp       the server's "220" banner, the client's AUTH/USER/FEAT
  imap      "* OK" from the server        pop3      "+OK" from the server
  xmpp      "<stream:stream" or "<?xml" from the client
  postgres  the client's SSLRequest (00000008 04d2162f)
  mysql     a protocol-10 greeting from the server
  connect   "CONNECT " from the client
  irc       "STARTTLS"/"CAP"/"NICK"/"PASS"/"USER" from the client, or ":server NNN"

tshark 4.0's IRC dissector has no STARTTLS, so for IRC tshark is given a copy of the
capture without the connection's frames before its first TLS record (the client's first
payload that starts 16 03), decoded as TLS, and its frame numbers are mapped back.

View(path, tmpdir) gives what an oracle runs tshark on: .path, .args (the -d options for
every server port whose protocol is known: a client that speaks first with a TLS record
header (16 03) is TLS, an HTTP method or a server's "HTTP/" is HTTP, the prefixes above are
their protocols: tshark finds TLS and HTTP on any port by heuristics, unless a port-based
dissector claims the port first, 7075 is "nano" for one), .frame(n) (tshark's
frame number in .path -> the frame number in the original capture), and .switches(): the
frames where TLS takes over, as tcpnote's hint would say it ("starttls smtp"): the last
frame with payload before tshark's first TLS frame of the connection (for IRC: the frame
tshark's IRC dissector shows the 670 answer on). CONNECT has no such hint (tcpnote shows
the request and the 200 as HTTP hints).
"""
import os
import subprocess

TSHARK_NAME = {'smtp': 'smtp', 'ftp': 'ftp', 'imap': 'imap', 'pop3': 'pop', 'xmpp': 'xmpp',
               'postgres': 'pgsql', 'mysql': 'mysql', 'connect': 'http', 'irc': 'irc'}

# tshark 4.0 does not follow these to TLS by itself
NO_STARTTLS = {'irc'}

PG_SSL_REQUEST = bytes.fromhex('0000000804d2162f')

HTTP_METHODS = (b'GET ', b'HEAD ', b'POST ', b'PUT ', b'DELETE ', b'OPTIONS ', b'PATCH ',
                b'CONNECT ', b'TRACE ')


def tshark(args):
    return subprocess.run(['tshark', '-n'] + args, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, check=True, timeout=300).stdout.decode(
                              'utf-8', 'replace')


def first_payloads(path):
    """The server ports (destination of a SYN without ACK) and the first payload each way."""
    out = tshark(['-r', path, '-Y', 'tcp', '-T', 'fields', '-E', 'separator=/t',
                  '-e', 'tcp.srcport', '-e', 'tcp.dstport', '-e', 'tcp.flags.syn',
                  '-e', 'tcp.flags.ack', '-e', 'tcp.payload'])
    servers = set()
    first_to, first_from = {}, {}
    for line in out.splitlines():
        sport, dport, syn, ack, payload = (line.split('\t') + [''] * 5)[:5]
        if not sport or not dport:
            continue
        sport, dport = int(sport), int(dport)
        if syn in ('1', 'True') and ack in ('0', 'False'):
            servers.add(dport)
        if payload:
            data = bytes.fromhex(payload.replace(':', '')[:64])
            first_to.setdefault(dport, data)
            first_from.setdefault(sport, data)
    return servers, first_to, first_from


def protocol(to, frm):
    """The cleartext protocol of a port from its first payloads (to the server, from it)."""
    if to.startswith(b'CONNECT '):
        return 'connect'
    if to.startswith(PG_SSL_REQUEST):
        return 'postgres'
    if to.startswith((b'<stream:stream', b'<?xml')):
        return 'xmpp'
    if frm.startswith((b'220 ', b'220-')):
        if to[:4].upper() in (b'EHLO', b'HELO', b'LHLO'):
            return 'smtp'
        if to[:4].upper() in (b'AUTH', b'USER', b'FEAT'):
            return 'ftp'
        return None
    if frm.startswith(b'* OK '):
        return 'imap'
    if frm.startswith(b'+OK'):
        return 'pop3'
    if len(frm) > 5 and frm[3] == 0 and frm[4] == 10:
        return 'mysql'
    if to.startswith((b'STARTTLS', b'CAP ', b'NICK ', b'PASS ', b'USER ')) or \
            (frm.startswith(b':') and b' ' in frm):
        return 'irc'
    return None


def is_tls(to, frm):
    return to[:2] == b'\x16\x03' or (to[:1] == b'\x80' and frm[:2] in (b'\x16\x03', b'\x15\x03'))


class View:
    def __init__(self, path, tmpdir):
        self.orig = path
        self.path = path
        self.args = []
        self.protos = {}  # server port -> cleartext protocol
        self.kept = None  # frames of the original kept in the copy, in order
        servers, first_to, first_from = first_payloads(path)
        cut = []
        for port in sorted(servers):
            to, frm = first_to.get(port, b''), first_from.get(port, b'')
            if is_tls(to, frm):
                self.args += ['-d', 'tcp.port==%d,tls' % port]
                continue
            proto = protocol(to, frm)
            if proto is None:
                if to.startswith(HTTP_METHODS) or frm.startswith(b'HTTP/'):
                    self.args += ['-d', 'tcp.port==%d,http' % port]
                continue
            self.protos[port] = proto
            if proto in NO_STARTTLS:
                self.args += ['-d', 'tcp.port==%d,tls' % port]
                cut.append(port)
            else:
                self.args += ['-d', 'tcp.port==%d,%s' % (port, TSHARK_NAME[proto])]
        if cut:
            self._cut(cut, tmpdir)

    def _cut(self, ports, tmpdir):
        """Drop each connection's frames on these ports before its client's first TLS record."""
        out = tshark(['-r', self.orig, '-T', 'fields', '-E', 'separator=/t', '-e', 'frame.number',
                      '-e', 'tcp.stream', '-e', 'tcp.dstport', '-e', 'tcp.srcport',
                      '-e', 'tcp.payload'])
        rows = [(line.split('\t') + [''] * 5)[:5] for line in out.splitlines()]
        started = set()
        drop = []
        for frame, stream, dport, sport, payload in rows:
            if not dport or (int(dport) not in ports and int(sport) not in ports):
                continue
            if stream not in started and int(dport) in ports and \
                    payload.replace(':', '').startswith('1603'):
                started.add(stream)
            if stream not in started:
                drop.append(int(frame))
        self.kept = [int(r[0]) for r in rows if int(r[0]) not in set(drop)]
        self.path = os.path.join(tmpdir, os.path.basename(self.orig))
        subprocess.run(['editcap', self.orig, self.path] + [str(f) for f in drop], check=True,
                       stdout=subprocess.DEVNULL)

    def frame(self, n):
        return self.kept[n - 1] if self.kept is not None else n

    def switches(self):
        """frame (original numbering) -> "starttls PROTO" where tshark sees TLS take over."""
        found = {}
        if not self.protos:
            return found
        fields = ['frame.number', 'tcp.stream', 'tcp.srcport', 'tcp.dstport', 'tcp.len',
                  'frame.protocols', 'irc.response.command']
        # the original capture, every port as its cleartext protocol (IRC's answer included)
        cmd = ['-r', self.orig, '-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a',
               '-E', 'aggregator=,']
        for port, proto in sorted(self.protos.items()):
            cmd += ['-d', 'tcp.port==%d,%s' % (port, TSHARK_NAME[proto])]
        for f in fields:
            cmd += ['-e', f]
        last_payload, tls_seen = {}, set()
        for line in tshark(cmd).splitlines():
            v = dict(zip(fields, line.split('\t') + [''] * len(fields)))
            if not v['tcp.dstport']:
                continue
            port = int(v['tcp.dstport'])
            if port not in self.protos:
                port = int(v['tcp.srcport'])
            proto = self.protos.get(port)
            if proto is None or proto == 'connect':
                continue
            stream, frame = v['tcp.stream'], int(v['frame.number'])
            layers = v['frame.protocols'].split(':')
            if proto == 'irc':
                if '670' in v['irc.response.command'].split(','):
                    found[frame] = 'starttls irc'
                continue
            if stream in tls_seen:
                continue
            if 'tls' in layers:
                tls_seen.add(stream)
                # the switch in the same frame as the first TLS bytes, or the frame before
                if TSHARK_NAME[proto] in layers:
                    found[frame] = 'starttls ' + proto
                elif stream in last_payload:
                    found[last_payload[stream]] = 'starttls ' + proto
            elif v['tcp.len'] not in ('', '0'):
                last_payload[stream] = frame
        return found
