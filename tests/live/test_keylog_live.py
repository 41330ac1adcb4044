#!/usr/bin/env python3
"""test_keylog_live.py - live --keylog: the key log written while tcpnote captures, as curl writes it.

tcpnote starts first, on a key log that does not exist yet; then `openssl s_server -www`
(a throwaway EC certificate made here) on loopback, and `SSLKEYLOGFILE=K curl -k`. Over
TLS 1.3, TLS 1.2 (`--tls-max 1.2`) and IPv6 (::1): the request's `http request GET /` and
`tls finished` appear (on time or marked late), nothing says `cannot decrypt`, and every
late group comes less than a second after the record it belongs to. Then an idle
connection (`openssl s_client`, its key log copied in only after its handshake): the late
hints come on lines of their own, within the second; one whose key never comes says `tls
cannot decrypt (no key)` within the second (JSON `late` records). A key log path that
cannot be read stops tcpnote with exit 1. Latencies are printed. Needs root (or
CAP_NET_RAW) to capture on lo; without it the test reports itself skipped (exit 77).
"""
import argparse
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cli'))
from checks import ENV, check, finish, interrupt  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_live import free_port  # noqa: E402

LATE = re.compile(r'\[late, from (\d+\.\d+) (\S+) > (\S+): ([^\]]*)\]')
LATENCIES = []


def free_port6():
    s = socket.socket(socket.AF_INET6)
    s.bind(('::1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(cond, seconds):
    """Polls cond until it is true or seconds have passed; its last value."""
    deadline = time.monotonic() + seconds
    while True:
        value = cond()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.02)


class Capture:
    """tcpnote -n -l -tt -i lo --keylog KEYS ... on PORT; each stdout line kept with the
    wall-clock time it arrived."""

    def __init__(self, tcpnote, keys, port, extra=()):
        self.p = subprocess.Popen([tcpnote, '-n', '-l', '-tt', '-i', 'lo', '--keylog', keys] +
                                  list(extra) + ['tcp', 'port', str(port)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
        self.lines = []
        self.err = []
        while True:  # up to "listening on": the capture is open from here on
            raw = self.p.stderr.readline()
            if not raw:
                break
            self.err.append(raw.decode('utf-8', 'replace').rstrip('\n'))
            if self.err[-1].startswith('listening on'):
                break
        self.th = threading.Thread(target=self._read, daemon=True)
        self.th.start()

    def _read(self):
        for raw in self.p.stdout:
            self.lines.append((time.time(), raw.decode('utf-8', 'replace').rstrip('\n')))

    def listening(self):
        return bool(self.err) and self.err[-1].startswith('listening on')

    def saw(self, text):
        return any(text in l for _, l in self.lines)

    def stop(self):
        rc, _, err = interrupt(self.p, timeout=15)
        self.th.join(timeout=5)
        self.err += err.decode('utf-8', 'replace').splitlines()
        return rc

    def text(self):
        return '\n'.join(l for _, l in self.lines)


def server(work, host, port, extra=()):
    """openssl s_server -www on host:port with the test's certificate, once it listens."""
    srv = subprocess.Popen(['openssl', 's_server', '-quiet', '-www', '-accept',
                            '%s:%d' % ('[%s]' % host if ':' in host else host, port),
                            '-cert', os.path.join(work, 'cert.pem'), '-key', os.path.join(work, 'key.pem')] +
                           list(extra), stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    listening = wait_until(lambda: subprocess.run(['ss', '-Hltn', 'sport = :%d' % port],
                                                  stdout=subprocess.PIPE).stdout.strip(), 10)
    check('s_server listens on %s:%d' % (host, port), listening)
    return srv


def stop_proc(p):
    p.terminate()
    try:
        p.wait(timeout=10)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()


def late_groups(cap):
    """(arrival time, the line's own time, from time, hints) of every late group shown."""
    out = []
    for at, line in cap.lines:
        own = re.match(r'(\d+\.\d+) ', line)
        for m in LATE.finditer(line):
            out.append((at, float(own.group(1)) if own else None, float(m.group(1)), m.group(4)))
    return out


def check_late_in_time(name, cap):
    """Every late group arrived (and names a record) less than one second after the record."""
    groups = late_groups(cap)
    worst = max([at - frm for at, _, frm, _ in groups], default=0.0)
    LATENCIES.extend((name, at - frm, hints) for at, _, frm, hints in groups)
    check('%s: each late group within 1 s of its record (%d groups, slowest %.3f s)' %
          (name, len(groups), worst), worst < 1.0, groups)
    return groups


def curl_session(tcpnote, work, name, host, port, curl_extra=()):
    """tcpnote first (no key log yet), then s_server, then curl writing the key log."""
    keys = os.path.join(work, 'keys-%s' % name.replace(' ', '-'))
    cap = Capture(tcpnote, keys, port)
    check('%s: tcpnote says it waits for the key log that does not exist yet' % name,
          cap.listening() and any('does not exist yet: waiting for it' in e for e in cap.err), cap.err)
    srv = server(work, host, port)
    try:
        url = 'https://%s:%d/' % ('[%s]' % host if ':' in host else host, port)
        curl = subprocess.run(['curl', '-s', '-k', '-o', '/dev/null', '-w', '%{http_code}'] +
                              list(curl_extra) + [url], stdout=subprocess.PIPE, timeout=30,
                              env=dict(ENV, SSLKEYLOGFILE=keys))
        check('%s: curl got HTTP 200' % name, curl.stdout == b'200', curl.stdout)
        check('%s: the connection closes while tcpnote runs' % name,
              wait_until(lambda: cap.saw('close 4/4'), 10))
    finally:
        rc = cap.stop()
        stop_proc(srv)
    text = cap.text()
    check('%s: SIGINT exits 0' % name, rc == 0, (rc, cap.err[-5:]))
    check('%s: the request is decrypted (http request GET /)' % name, 'http request GET /' in text, text[-1500:])
    check('%s: tls finished is shown (on time or late)' % name, 'tls finished' in text, text[-1500:])
    check('%s: nothing says cannot decrypt' % name, 'cannot decrypt' not in text, text[-1500:])
    check('%s: the response is decrypted (http response 200)' % name, 'http response 200' in text, text[-1500:])
    groups = check_late_in_time(name, cap)
    addr = re.escape(host)
    for _, _, _, hints in groups:
        check('%s: a late group names its hints' % name, hints.startswith(('tls ', 'http ')), hints)
    for line in [l for _, l in cap.lines if '[late, from' in l]:
        check('%s: a late group names the connection' % name,
              re.search(r'\[late, from \d+\.\d{6} %s\.\d+ > %s\.\d+: ' % (addr, addr), line), line)
    return groups


def idle_session(tcpnote, work, port):
    """openssl s_client keeps the connection open and idle; its key log reaches K only after
    the handshake: the late hints are printed on lines of their own, within the second."""
    name = 'idle connection'
    keys = os.path.join(work, 'keys-idle')
    private = os.path.join(work, 'keys-idle-private')
    cap = Capture(tcpnote, keys, port)
    srv = server(work, '127.0.0.1', port)
    client = subprocess.Popen(['openssl', 's_client', '-quiet', '-keylogfile', private, '-connect',
                               '127.0.0.1:%d' % port], stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        # The client's Finished and the server's two tickets: the handshake is over.
        done = wait_until(lambda: sum('length 0' not in l for _, l in cap.lines) >= 5 and
                          os.path.exists(private) and
                          open(private).read().count('TRAFFIC_SECRET_0') == 2, 10)
        check('%s: the handshake ran with nothing decrypted yet' % name,
              done and not cap.saw('tls finished'), cap.text())
        time.sleep(0.1)  # the connection stays idle: no packet line to put late hints on
        shutil.copy(private, keys)
        copied = time.time()
        seen = wait_until(lambda: sum('[late, from' in l for _, l in cap.lines) >= 3, 3)
        got = time.time() - copied
    finally:
        client.stdin.close()
        stop_proc(client)
        rc = cap.stop()
        stop_proc(srv)
    own = [l for _, l in cap.lines if re.match(r'\d+\.\d+ \[late, from ', l)]
    check('%s: late hints on lines of their own, the time first' % name, seen and len(own) >= 3,
          cap.text())
    check('%s: the late lines hold both Finished messages and the certificate' % name,
          sum('tls finished' in l for l in own) == 2 and any('tls certificate cn=tcpnote.test' in l
                                                            for l in own), own)
    check('%s: SIGINT exits 0, nothing says cannot decrypt' % name,
          rc == 0 and 'cannot decrypt' not in cap.text(), (rc, cap.text()[-800:]))
    check_late_in_time(name, cap)
    LATENCIES.append(('%s: from the key log copy to the late lines' % name, got, ''))
    # The line's own time (when tcpnote found the key) is after the record's.
    check('%s: each own line is timed after its record' % name,
          all(o is not None and o >= f for _, o, f, _ in late_groups(cap)), late_groups(cap))


def no_key_json(tcpnote, work, port):
    """A key that never comes: 'tls cannot decrypt (no key)' once per direction, as JSON
    late records, within the second."""
    name = 'no key (JSON)'
    keys = os.path.join(work, 'keys-never')
    cap = Capture(tcpnote, keys, port, extra=['--json'])
    srv = server(work, '127.0.0.1', port)
    client = subprocess.Popen(['openssl', 's_client', '-quiet', '-connect', '127.0.0.1:%d' % port],
                              stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until(lambda: sum('"type":"late"' in l for _, l in cap.lines) >= 2, 5)
    finally:
        client.stdin.close()
        stop_proc(client)
        rc = cap.stop()
        stop_proc(srv)
    records = [json.loads(l) for _, l in cap.lines]
    late = [r for r in records if r['type'] == 'late']
    packets = {r['frame']: r for r in records if r['type'] == 'packet'}
    ways = {(r['src'], r['sport'], r['dst'], r['dport']) for r in late}
    check('%s: one late record per direction, each "tls cannot decrypt (no key)"' % name,
          len(late) == 2 and all(r['labels'] == ['tls cannot decrypt (no key)'] for r in late) and
          len(ways) == 2 and all((w[2], w[3], w[0], w[1]) in ways for w in ways), late)
    check('%s: a late record names its packet (frame, time, addresses, flow)' % name,
          late and all(r['frame'] in packets and packets[r['frame']]['ts'] == r['ts'] and
                       packets[r['frame']]['src'] == r['src'] and packets[r['frame']]['flow'] == r['flow']
                       for r in late), late)
    waited = [r['at'] - r['ts'] for r in late]
    LATENCIES.extend((name + ': record to "no key"', w, '') for w in waited)
    check('%s: said after the grace period and within 1 s of the record (%s)' %
          (name, ', '.join('%.3f s' % w for w in waited)),
          waited and all(0.75 <= w < 1.0 for w in waited), waited)
    check('%s: nothing else says cannot decrypt, SIGINT exits 0' % name,
          rc == 0 and sum('cannot decrypt' in json.dumps(r) for r in records) == 2, rc)


def unreadable(tcpnote, work):
    """A key log path that exists but is no readable file: exit 1, named, before capturing."""
    p = subprocess.run([tcpnote, '-n', '-i', 'lo', '--keylog', work, 'tcp', 'port', '9'],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=20, env=ENV)
    err = p.stderr.decode('utf-8', 'replace')
    check('live --keylog on a folder: exit 1, the path named', p.returncode == 1 and work in err and
          'listening on' not in err, (p.returncode, err))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    a = ap.parse_args()
    work = tempfile.mkdtemp(prefix='tcpnote-keylog-live-')
    try:
        test = subprocess.Popen([a.tcpnote, '-n', '-i', 'lo', 'tcp', 'port', '9'],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
        first = test.stderr.readline().decode('utf-8', 'replace')
        interrupt(test)
        if 'permission' in first.lower() or 'not permitted' in first.lower():
            print('SKIPPED: live capture needs root or CAP_NET_RAW: %s' % first.strip())
            return 77
        made = subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                               'ec_paramgen_curve:P-256', '-nodes', '-subj', '/CN=tcpnote.test',
                               '-days', '2', '-keyout', os.path.join(work, 'key.pem'),
                               '-out', os.path.join(work, 'cert.pem')],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=60)
        check('a throwaway certificate is made', made.returncode == 0)
        unreadable(a.tcpnote, work)
        curl_session(a.tcpnote, work, 'TLS 1.3', '127.0.0.1', free_port())
        curl_session(a.tcpnote, work, 'TLS 1.2', '127.0.0.1', free_port(), ['--tls-max', '1.2'])
        curl_session(a.tcpnote, work, 'TLS 1.3 over IPv6', '::1', free_port6())
        idle_session(a.tcpnote, work, free_port())
        no_key_json(a.tcpnote, work, free_port())
    finally:
        shutil.rmtree(work, ignore_errors=True)
    for what, seconds, hints in LATENCIES:
        print('latency %-45s %.6f s  %s' % (what, seconds, hints))
    return finish('keylog_live')


if __name__ == '__main__':
    sys.exit(main())
