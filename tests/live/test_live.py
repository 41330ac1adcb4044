#!/usr/bin/env python3
"""test_live.py - tcpnote -i lo with a port filter while curl talks to a local HTTP server.

Checks, on real traffic: the lifecycle labels appear in order, lines arrive while the
capture runs (in blocks of at most 100 ms), SIGINT stops cleanly with tcpdump's three counters on
stderr, and -w saves exactly the packets that were printed. Then the seed's own
command, `tcpnote -i lo -S -v tcp port 7070`, beside `tcpdump -i lo -S -v tcp port 7070`
while curl keeps an idle connection to a server that never answers: names as tcpdump
shows them (localhost.PORT > localhost.7070), the keepalive labels, and the same
tcpdump part record for record. Last, Ctrl-C the moment curl's connection is closed:
what the kernel's ring still holds is read before the end (a line per packet it counted,
the close complete).
Needs root (or CAP_NET_RAW); without it the test
reports itself skipped (exit 77), never passed.
"""
import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cli'))
from checks import check, finish, interrupt  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'oracle'))
import tcpdump_compare  # noqa: E402

SEED_PORT = 7070


def free_port():
    s = socket.socket()
    s.bind(('127.0.0.1', 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http_server(port, folder):
    """python3's HTTP server on 127.0.0.1:port, accepting before this returns (the capture
    that starts next sees only the client's connection)."""
    server = subprocess.Popen([sys.executable, '-m', 'http.server', '--bind', '127.0.0.1',
                               str(port)], cwd=folder, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(('127.0.0.1', port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.1)
    return server


def stop(tn, server):
    """Ctrl-C for the capture, then the server."""
    tn.send_signal(signal.SIGINT)
    try:
        tn.wait(timeout=10)
    except subprocess.TimeoutExpired:
        tn.kill()
    server.terminate()
    server.wait(timeout=10)


def live_ladder(tcpnote):
    """--ladder live: the connection's ladder is printed as soon as it closes, before Ctrl-C."""
    port = free_port()
    tmp = tempfile.mkdtemp()
    server = http_server(port, tmp)
    tn = subprocess.Popen([tcpnote, '-i', 'lo', '-l', '--ladder', '--ascii', 'tcp', 'port', str(port)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, TZ='UTC'))
    lines = []
    th = threading.Thread(target=lambda: [lines.append(raw.decode('utf-8', 'replace').rstrip('\n'))
                                          for raw in tn.stdout], daemon=True)
    th.start()
    try:
        tn.stderr.readline()
        time.sleep(0.3)
        subprocess.run(['curl', '-s', '-o', '/dev/null', 'http://127.0.0.1:%d/' % port],
                       stdout=subprocess.PIPE, timeout=20)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any('close 4/4' in l for l in lines):
            time.sleep(0.05)
        running = tn.poll() is None
        text = '\n'.join(lines)
        check('--ladder live: the ladder appears when the connection closes, before Ctrl-C',
              running and text.startswith('connection 1: client 127.0.0.1:') and
              re.search(r'\|- S seq 0 -+>\|  handshake 1/3', text) and
              'http request GET /' in text and 'close 4/4' in text, text[-800:])
    finally:
        stop(tn, server)
    th.join(timeout=5)
    check('--ladder live: the connection is drawn once', '\n'.join(lines).count('connection 1:') == 1,
          lines[-5:])


def silent_server(port, host='127.0.0.1'):
    """The seed's server: accepts on host:port, reads, never answers, closes on EOF."""
    srv = socket.socket(socket.AF_INET6 if ':' in host else socket.AF_INET)
    srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    srv.bind((host, port))
    srv.listen(1)

    def serve():
        conn, _ = srv.accept()
        while conn.recv(4096):
            pass
        conn.close()
        srv.close()
    threading.Thread(target=serve, daemon=True).start()


def seed_command(tcpnote):
    """The learner's command from the seed, exactly, beside tcpdump's, during the seed scenario."""
    try:
        silent_server(SEED_PORT)
    except OSError as e:
        check('port %d is free for the seed scenario' % SEED_PORT, False, e)
        return
    env = dict(os.environ, TZ='UTC')
    cmd = ['-i', 'lo', '-S', '-v', 'tcp', 'port', str(SEED_PORT)]
    tn = subprocess.Popen([tcpnote] + cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # tcpdump in immediate mode, so that no packet is still in its buffer at Ctrl-C
    # (tcpnote takes what its ring still holds when it stops); the line format is the same.
    td = subprocess.Popen(['tcpdump', '--immediate-mode'] + cmd, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, env=env)
    for p in (tn, td):
        p.stderr.readline()  # "listening on lo, ...": both capture from here on
    time.sleep(0.3)
    subprocess.run(['curl', '-s', '--keepalive-time', '1', '-m', '4',
                    'http://127.0.0.1:%d/' % SEED_PORT], stdout=subprocess.DEVNULL, timeout=20)
    time.sleep(0.5)
    outs = [interrupt(p)[1].decode('utf-8', 'replace') for p in (tn, td)]
    tn_rec = tcpdump_compare.records(outs[0])
    td_rec = tcpdump_compare.records(outs[1])
    names = [r.split('\n', 1)[-1].split(':', 1)[0].strip() for r in tn_rec]
    check('the seed command: every line reads localhost.PORT > localhost.%d or back' % SEED_PORT,
          len(names) >= 10 and all(re.fullmatch(r'localhost\.(\d+|%d) > localhost\.(\d+|%d)'
                                                % (SEED_PORT, SEED_PORT), n) for n in names) and
          any(n.endswith('> localhost.%d' % SEED_PORT) for n in names), names[:4])
    labels = ';'.join(m.group(1) for r in tn_rec for m in [re.search(r'  # (.*)$', r)] if m)
    check('the seed command: handshake, request, keepalives and the close are labelled',
          re.match(r'handshake 1/3;handshake 2/3;handshake 3/3;data, http request GET /;ack;'
                   r'(keepalive;keepalive ack;)+close 1/4;(FIN merged|close 2/4;close 3/4);close 4/4$',
                   labels), labels)
    # Each capture handle timestamps its own copy of a packet (a microsecond apart
    # under some kernels), so the clock is left out; everything after it must match.
    def untimed(r):
        return tcpdump_compare.TS.sub('', tcpdump_compare.LABELS.sub('', r), count=1)
    differ = [(a, b) for a, b in zip(tn_rec, td_rec)
              if not tcpdump_compare.same_tcp_part(untimed(a), untimed(b))]
    check('the seed command: the tcpdump part equals tcpdump -i lo -S -v, record for record',
          len(tn_rec) == len(td_rec) and not differ, (len(tn_rec), len(td_rec), differ[:1]))


def ipv6_keepalive(tcpnote):
    """The seed scenario over ::1: each probe and its answer is a keepalive, never a duplicate
    (IPv6 has no IP ID, and loopback's checksum is the same for every empty segment)."""
    s6 = socket.socket(socket.AF_INET6)
    s6.bind(('::1', 0))
    port = s6.getsockname()[1]
    s6.close()
    silent_server(port, '::1')
    tn = subprocess.Popen([tcpnote, '-n', '-i', 'lo', 'tcp', 'port', str(port)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=dict(os.environ, TZ='UTC'))
    tn.stderr.readline()
    time.sleep(0.3)
    subprocess.run(['curl', '-s', '--keepalive-time', '1', '-m', '4', 'http://[::1]:%d/' % port],
                   stdout=subprocess.DEVNULL, timeout=20)
    time.sleep(0.5)
    lines = interrupt(tn)[1].decode('utf-8', 'replace').splitlines()
    labels = ';'.join(l.split('  # ', 1)[1] for l in lines if '  # ' in l)
    check('IPv6 live: keepalives and their answers are labelled so, none duplicate',
          lines and all(' IP6 ::1.' in l for l in lines) and
          re.match(r'handshake 1/3;handshake 2/3;handshake 3/3;data, http request GET /;ack;'
                   r'(keepalive;keepalive ack;){2,}close 1/4;(FIN merged|close 2/4;close 3/4);'
                   r'close 4/4$', labels), labels)


def closed_on_the_wire(port, timeout=5):
    """Wait until every IPv4 TCP socket on port, the listener aside, is in TIME_WAIT or gone:
    then both FINs were ACKed, and every packet of the connection has gone through lo (the
    server closes its end when the scheduler lets it, maybe after curl has returned)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with open('/proc/net/tcp') as f:
            states = [row.split()[3] for row in f.read().splitlines()[1:]
                      if int(row.split()[1].split(':')[1], 16) == port or
                      int(row.split()[2].split(':')[1], 16) == port]
        if all(st in ('06', '0A') for st in states):  # TIME_WAIT, LISTEN
            return True
        time.sleep(0.001)
    return False


def ctrl_c_after_curl(tcpnote, mode):
    """Ctrl-C the moment curl's connection is closed: its last packets are still in the kernel's
    ring (in blocks, in the open one), and must be read before the end, so that every
    packet the kernel counted is a line and the close is complete (without that, in blocks
    none of the session's 12 packets was printed, in immediate mode 10 of 12 now and then)."""
    port = free_port()
    server = http_server(port, tempfile.mkdtemp())
    tn = None
    try:
        tn = subprocess.Popen([tcpnote, '-n', '-i', 'lo'] + mode + ['tcp', 'port', str(port)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              env=dict(os.environ, TZ='UTC'))
        tn.stderr.readline()  # "listening on lo, ...": capturing from here on
        time.sleep(0.3)
        curl = subprocess.run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}',
                               'http://127.0.0.1:%d/' % port], stdout=subprocess.PIPE, timeout=20)
        closed = closed_on_the_wire(port)
        status, out, err = interrupt(tn)
    finally:
        if tn is not None and tn.poll() is None:
            tn.kill()
            tn.wait()
        server.terminate()
        server.wait(timeout=10)
    lines = out.decode('utf-8', 'replace').splitlines()
    err = err.decode('utf-8', 'replace')
    counts = [int(m.group(1)) if m else -1 for m in
              (re.search(r'^(\d+) packets? %s$' % what, err, re.M)
               for what in ('captured', 'received by filter', 'dropped by kernel'))]
    labels = ';'.join(l.split('  # ', 1)[1] for l in lines if '  # ' in l)
    name = 'Ctrl-C right after curl (%s)' % ' '.join(mode or ['blocks'])
    check(name + ': exit 0, curl got HTTP 200, the connection closed', status == 0 and
          curl.stdout == b'200' and closed, (status, curl.stdout, closed, err))
    # The kernel's count is "received by filter": on lo it sees each packet twice, leaving
    # and arriving (libpcap drops the leaving copy); "captured" is tcpnote's own count.
    check(name + ': a line for every packet the kernel counted, none dropped',
          len(lines) > 0 and counts == [len(lines), 2 * len(lines), 0], (len(lines), counts))
    # both sides close at once now and then (curl and http.server): then each FIN is ACKed
    check(name + ': the whole session, its close complete', re.match(
        r'handshake 1/3;handshake 2/3;handshake 3/3;data, http request GET /;.*close 1/4;'
        r'((FIN merged|close 2/4;close 3/4);close 4/4|simultaneous close;'
        r'(close 2/4;close 4/4|close 4/4;close 2/4))$', labels), labels)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    a = ap.parse_args()
    port = free_port()
    tmp = tempfile.mkdtemp()
    saved = os.path.join(tmp, 'live.pcap')
    server = http_server(port, tmp)
    drop = os.geteuid() == 0
    tn = subprocess.Popen([a.tcpnote, '-i', 'lo', '-l', '--summary', '-w', saved] +
                          (['-Z', 'nobody'] if drop else []) + ['tcp', 'port', str(port)],
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          env=dict(os.environ, TZ='UTC'))
    lines = []
    first_line_at = []

    def reader():
        for raw in tn.stdout:
            if not first_line_at:
                first_line_at.append(time.monotonic())
            lines.append(raw.decode('utf-8', 'replace').rstrip('\n'))

    th = threading.Thread(target=reader, daemon=True)
    th.start()
    try:
        err_first = tn.stderr.readline().decode()
        if 'permission' in err_first.lower() or 'not permitted' in err_first.lower():
            print('SKIPPED: live capture needs root or CAP_NET_RAW: %s' % err_first.strip())
            return 77
        check('tcpnote says it is listening', err_first.startswith('listening on lo'), err_first)
        time.sleep(0.3)
        if drop:
            uid = [l.split()[1:] for l in open('/proc/%d/status' % tn.pid) if l.startswith('Uid:')][0]
            check('-Z nobody: the running capture has given up root', uid[0] != '0' and
                  all(u == uid[0] for u in uid), uid)
        before = len(lines)
        t0 = time.monotonic()
        curl = subprocess.run(['curl', '-s', '-o', '/dev/null', '-w', '%{http_code}',
                               'http://127.0.0.1:%d/' % port], stdout=subprocess.PIPE, timeout=20)
        check('curl got HTTP 200', curl.stdout == b'200', curl.stdout)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and not any('close 4/4' in l for l in lines[before:]):
            time.sleep(0.05)
        check('lines appear while the capture is still running', len(lines) > before and
              tn.poll() is None, len(lines))
    finally:
        stop(tn, server)
    th.join(timeout=5)
    err_rest = tn.stderr.read().decode()
    check('SIGINT exits 0', tn.returncode == 0, tn.returncode)
    check('stderr has the three counters', re.search(r'\d+ packets? captured\n\d+ packets? received by '
                                                      r'filter\n\d+ packets? dropped by kernel', err_rest),
          err_rest)
    summary_at = [i for i, l in enumerate(lines) if l.startswith('connections: ')]
    check('Ctrl-C prints the --summary table after the packets',
          summary_at == [len(lines) - 3] and re.match(r'\s+1\s+127\.0\.0\.1:\d+\s+127\.0\.0\.1:%d\s.*\sSF\s'
                                                    % port, lines[-1]), lines[-4:])
    lines_all = lines
    lines = lines[:summary_at[0] - 1] if summary_at else lines
    labels = [m.group(1) for l in lines for m in [re.search(r'  # (.*)$', l)] if m]
    conn = [l for l in labels if 'handshake 1/3' in l]
    seq = ';'.join(labels)
    pattern = (r'handshake 1/3;handshake 2/3;handshake 3/3;data, http request GET /;(ack;)?'
               r'data, http response 200(;ack)?.*close 1/4;.*close 4/4')
    check('labels and HTTP hints in order for the curl connection', re.match(pattern, seq), seq)
    check('the --summary row names the request and status', re.search(r'\sGET / 200$', lines_all[-1]),
          lines_all[-1:])
    check('exactly one connection was seen', len(conn) == 1, conn)
    td = subprocess.run(['tcpdump', '-n', '-r', saved], stdout=subprocess.PIPE,
                        stderr=subprocess.DEVNULL)
    check('-w saved the packets that were printed', td.stdout.count(b'\n') == len(lines),
          (td.stdout.count(b'\n'), len(lines)))
    live_ladder(a.tcpnote)
    seed_command(a.tcpnote)
    ipv6_keepalive(a.tcpnote)
    for mode in ([], ['--threads', '1'], ['--immediate-mode']):
        ctrl_c_after_curl(a.tcpnote, mode)
    return finish('live')


if __name__ == '__main__':
    sys.exit(main())
