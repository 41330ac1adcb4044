#!/usr/bin/env python3
"""test_capture_live.py - tcpdump's live capture flags, each beside tcpdump itself on this machine.

No -i and -i N choose the device tcpdump chooses (the "listening on" lines are compared,
here and in a network namespace of the test's own, whose first device is "any"); -D in
that namespace; -L and -J print tcpdump's lists; -y and -j set what tcpdump sets, with
its messages; -Q in/out/inout capture what tcpdump captures, on lo (curl to a local
python3 http.server) and on a veth pair between two namespaces, where "in" and "out"
part the packets; -p leaves the device's promiscuity counter alone; -B sizes the
kernel ring as tcpdump -B does, in blocks by default and with --immediate-mode as
tcpdump --immediate-mode -B; -U -w has each packet in the file while the capture still runs. Needs root
(network namespaces, capture rights); without it the test reports itself skipped
(exit 77). Everything stays on loopback or in the test's own namespaces.
"""
import argparse
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'cli'))
from checks import ENV, check, finish, interrupt, make_netns, run  # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'oracle'))
import tcpdump_compare  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from test_live import free_port, http_server  # noqa: E402

TCPDUMP_CHATTER = 'tcpdump: verbose output suppressed'
NS = 'tn_capflags_%d' % os.getpid()


def start(cmd):
    return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)


def stop(p):
    """Ctrl-C, then (exit status, stdout, stderr)."""
    rc, out, err = interrupt(p)
    return rc, out.decode('utf-8', 'replace'), err.decode('utf-8', 'replace')


def opening(cmd):
    """The stderr lines a capture prints up to its "listening on" line (or until it fails), as
    "tcpnote: ..." whichever program said it; tcpdump's -v advice is left out."""
    p = start(cmd)
    lines = []
    while True:
        raw = p.stderr.readline()
        if not raw:
            break
        line = raw.decode('utf-8', 'replace').rstrip('\n')
        if line.startswith(TCPDUMP_CHATTER):
            continue
        lines.append(re.sub(r'^tcpdump: ', 'tcpnote: ', line))
        if line.startswith('listening on'):
            break
    rc, _, _ = stop(p)
    return lines, rc


def both_open(t, args, prefix=()):
    """opening() of tcpnote and of tcpdump with the same arguments, one after the other."""
    mine = opening(list(prefix) + [t, '-n'] + args)
    theirs = opening(list(prefix) + ['tcpdump', '-n'] + args)
    return mine, theirs


def in_ns(cmd):
    return ['ip', 'netns', 'exec', NS] + cmd


def device_choice(t):
    (mine, _), (theirs, _) = both_open(t, [])
    check('no -i: the device tcpdump chooses (the first of -D): %s' % (theirs[-1:] or '?'),
          mine == theirs and mine and mine[-1].startswith('listening on '), (mine, theirs))
    ns_list = run(in_ns([t, '-D']))[1]
    check('-D in a new network namespace lists what tcpdump -D lists there, byte for byte',
          ns_list == run(in_ns(['tcpdump', '-D']))[1] and ns_list.startswith('1.any '), ns_list)
    (mine, _), (theirs, _) = both_open(t, [], prefix=in_ns([]))
    check('no -i where the first device is any: "listening on any", LINUX_SLL, as tcpdump',
          mine == theirs and mine[-1:] == ['listening on any, link-type LINUX_SLL (Linux cooked v1), '
                                           'snapshot length 262144 bytes'], (mine, theirs))
    count = len(ns_list.splitlines())
    for n in ('1', '2', '0', str(count + 1)):
        (mine, rc1), (theirs, rc2) = both_open(t, ['-i', n], prefix=in_ns([]))
        if rc2 == 0 or theirs[-1:] and theirs[-1].startswith('listening on'):
            check('-i %s: the device tcpdump -i %s captures on (%s)' % (n, n, theirs[-1].split()[2][:-1]),
                  mine == theirs, (mine, theirs))
        else:
            check('-i %s: refused (exit 1) as tcpdump refuses it: %s' % (n, theirs),
                  rc1 == 1 and rc2 != 0 and 'invalid adapter index' in ' '.join(mine), (mine, rc1))
    (mine, _), (theirs, _) = both_open(t, ['-i', 'any'])
    check('-i any: LINUX_SLL2 with tcpdump\'s "data link type LINUX_SLL2" line', mine == theirs and
          mine[0] == 'tcpnote: data link type LINUX_SLL2', (mine, theirs))


def lists_and_types(t):
    for args in (['-L'], ['-L', '-i', 'lo'], ['-L', '-i', 'any'], ['-L', '-i', '1'], ['-J'],
                 ['-J', '-i', 'lo'], ['-J', '-i', 'any'], ['--list-data-link-types', '-i', 'lo'],
                 ['--list-time-stamp-types', '-i', 'lo']):
        rc1, out1, err1 = run([t] + args)
        rc2, out2, err2 = run(['tcpdump'] + args)
        check('%s: tcpdump\'s list, byte for byte (on stderr, as tcpdump 4.99)' % ' '.join(args),
              rc1 == 0 and rc2 == 0 and out1 == out2 == '' and err1 == err2 and ' types for ' in err1,
              (err1, err2))
    for args in (['-i', 'any', '-y', 'LINUX_SLL'], ['-i', 'any', '--linktype=linux_sll2'],
                 ['-i', 'lo', '-y', 'EN10MB'], ['-i', 'lo', '-y', 'LINUX_SLL'],
                 ['-i', 'lo', '-j', 'host'], ['-i', 'lo', '-j', 'adapter'],
                 ['-i', 'lo', '--time-stamp-type=host_hiprec']):
        (mine, rc1), (theirs, rc2) = both_open(t, args)
        check('%s: the lines tcpdump prints, then %s' % (' '.join(args), 'it listens' if rc2 == 0 else
                                                          'exit 1'),
              mine == theirs and (rc1 == 0) == (rc2 == 0), (mine, theirs))
    (mine, rc), _ = both_open(t, ['-i', 'eth0', '-y', 'DOCSIS'])
    check('-y DOCSIS (which tcpdump takes but tcpnote cannot decode): exit 1, named', rc == 1 and
          'link-type DOCSIS (DOCSIS) is not supported' in ' '.join(mine), mine)


def untimed_records(got):
    """Each program's records, labels and clock left out: each handle stamps its own copy."""
    return {k: [tcpdump_compare.TS.sub('', tcpdump_compare.LABELS.sub('', r), count=1)
                for r in tcpdump_compare.records(v[1])] for k, v in got.items()}


def same(tn, td):
    """tcpnote's records against tcpdump's: tcpdump may go on with an HTTP decode tcpnote leaves out."""
    return len(tn) == len(td) and all(tcpdump_compare.same_tcp_part(a, b) for a, b in zip(tn, td))


def traffic(port):
    subprocess.run(['curl', '-s', '-o', '/dev/null', 'http://127.0.0.1:%d/' % port], timeout=20)


def direction_lo(t, tmp):
    port = free_port()
    server = http_server(port, tmp)
    try:
        bpf = ['tcp', 'port', str(port)]
        procs = {}
        for q in ('in', 'out', 'inout'):
            procs[('tcpnote', q)] = start([t, '-n', '-l', '-Q', q, '-i', 'lo'] + bpf)
            procs[('tcpdump', q)] = start(['tcpdump', '--immediate-mode', '-n', '-l', '-Q', q, '-i', 'lo'] + bpf)
        for p in procs.values():
            p.stderr.readline()
        time.sleep(0.3)
        traffic(port)
        time.sleep(0.5)
        got = {k: stop(p) for k, p in procs.items()}
    finally:
        server.terminate()
        server.wait(timeout=10)
    recs = untimed_records(got)
    for q in ('in', 'out', 'inout'):
        check('-Q %s on lo: what tcpdump -Q %s captures (%d packets)' % (q, q, len(recs[('tcpdump', q)])),
              got[('tcpnote', q)][0] == 0 and same(recs[('tcpnote', q)], recs[('tcpdump', q)]),
              (recs[('tcpnote', q)][:2], recs[('tcpdump', q)][:2]))
    check('-Q on lo: "in" and "inout" see the whole exchange, "out" nothing (libpcap keeps the '
          'incoming copy of each loopback packet)', len(recs[('tcpnote', 'in')]) >= 10 and
          recs[('tcpnote', 'in')] == recs[('tcpnote', 'inout')] and recs[('tcpnote', 'out')] == [],
          {q: len(recs[('tcpnote', q)]) for q in ('in', 'out', 'inout')})


def direction_veth(t, tmp):
    """Namespace NS (10.213.0.1 on va) and NS_b (10.213.0.2 on vb, a server): -Q on va parts them."""
    peer = NS + '_b'
    cmds = [['ip', 'netns', 'add', peer],
            ['ip', 'link', 'add', 'va', 'netns', NS, 'type', 'veth', 'peer', 'name', 'vb', 'netns', peer],
            in_ns(['ip', 'addr', 'add', '10.213.0.1/24', 'dev', 'va']), in_ns(['ip', 'link', 'set', 'va', 'up']),
            ['ip', 'netns', 'exec', peer, 'ip', 'addr', 'add', '10.213.0.2/24', 'dev', 'vb'],
            ['ip', 'netns', 'exec', peer, 'ip', 'link', 'set', 'vb', 'up']]
    for c in cmds:
        if subprocess.run(c, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE).returncode != 0:
            check('a veth pair between two namespaces (%s)' % ' '.join(c), False)
            return
    server = subprocess.Popen(['ip', 'netns', 'exec', peer, sys.executable, '-m', 'http.server', '--bind',
                               '10.213.0.2', '8080'], cwd=tmp, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            if run(in_ns(['curl', '-s', '-o', '/dev/null', '-m', '1', 'http://10.213.0.2:8080/']))[0] == 0:
                break
            time.sleep(0.1)
        procs = {}
        for q in ('in', 'out', 'inout'):
            procs[('tcpnote', q)] = start(in_ns([t, '-n', '-l', '-Q', q, '-i', 'va', 'tcp']))
            procs[('tcpdump', q)] = start(in_ns(['tcpdump', '--immediate-mode', '-n', '-l', '-Q', q, '-i',
                                                 'va', 'tcp']))
        for p in procs.values():
            p.stderr.readline()
        time.sleep(0.3)
        run(in_ns(['curl', '-s', '-o', '/dev/null', 'http://10.213.0.2:8080/']))
        time.sleep(0.5)
        got = {k: stop(p) for k, p in procs.items()}
    finally:
        server.terminate()
        server.wait(timeout=10)
        subprocess.run(['ip', 'netns', 'del', peer])
    recs = untimed_records(got)
    for q in ('in', 'out', 'inout'):
        check('-Q %s on a veth: what tcpdump -Q %s captures (%d packets)' % (q, q, len(recs[('tcpdump', q)])),
              got[('tcpnote', q)][0] == 0 and same(recs[('tcpnote', q)], recs[('tcpdump', q)]) and
              recs[('tcpnote', q)], (recs[('tcpnote', q)][:2], recs[('tcpdump', q)][:2]))
    src = {q: {r.split(' ')[1].rsplit('.', 1)[0] for r in recs[('tcpnote', q)]} for q in ('in', 'out')}
    check('-Q in captures only what the peer sent, -Q out only what was sent to it, inout both',
          src == {'in': {'10.213.0.2'}, 'out': {'10.213.0.1'}} and
          len(recs[('tcpnote', 'inout')]) == len(recs[('tcpnote', 'in')]) + len(recs[('tcpnote', 'out')]),
          (src, {q: len(recs[('tcpnote', q)]) for q in ('in', 'out', 'inout')}))


def promiscuity():
    out = run(in_ns(['ip', '-d', 'link', 'show', 'lo']))[1]
    m = re.search(r'promiscuity (\d+)', out)
    return int(m.group(1)) if m else None


def promisc_and_buffer(t):
    for prog in ([t], ['tcpdump']):
        seen = []
        for flag in ([], ['-p'], ['--no-promiscuous-mode']):
            p = start(in_ns(prog + ['-n'] + flag + ['-i', 'lo']))
            p.stderr.readline()
            seen.append(promiscuity())
            stop(p)
        check('%s: promiscuous by default, not with -p or --no-promiscuous-mode (promiscuity %s)'
              % (os.path.basename(prog[0]), seen), seen == [1, 0, 0], seen)
    rings = {}
    modes = {'': ([t], ['tcpdump']), 'imm': ([t, '--immediate-mode'], ['tcpdump', '--immediate-mode'])}
    for mode, progs in modes.items():
        for kib in ('1024', '8192'):
            for name, prog in zip(('tcpnote', 'tcpdump'), progs):
                for flag in (['-B', kib], ['--buffer-size=' + kib]):
                    p = start(in_ns(prog + ['-n'] + flag + ['-i', 'lo']))
                    p.stderr.readline()
                    maps = open('/proc/%d/maps' % p.pid).read()
                    stop(p)
                    ring = [int(b, 16) - int(a, 16)
                            for a, b in re.findall(r'^(\w+)-(\w+) .* socket:', maps, re.M)]
                    rings[(mode, name, kib, flag[0][:3])] = ring
    for mode in modes:
        r = {k[1:]: v for k, v in rings.items() if k[0] == mode}
        check('-B 1024 and -B 8192 (and --buffer-size)%s: the kernel ring tcpdump%s -B maps, '
              'eight times larger for 8192' % (' with --immediate-mode' if mode else ', in blocks',
                                               ' --immediate-mode' if mode else ''),
              all(r[('tcpnote', k, f)] == r[('tcpdump', k, f)] for k in ('1024', '8192')
                  for f in ('-B', '--b')) and r[('tcpnote', '1024', '-B')] and
              r[('tcpnote', '8192', '-B')][0] == 8 * r[('tcpnote', '1024', '-B')][0], r)


def packet_buffered_live(t, tmp):
    port = free_port()
    srv = socket.socket()
    srv.bind(('127.0.0.1', port))
    srv.listen(1)
    saved = os.path.join(tmp, 'live-U.pcap')
    p = start([t, '-n', '-U', '-w', saved, '-i', 'lo', 'tcp', 'port', str(port)])
    p.stderr.readline()
    time.sleep(0.3)
    c = socket.create_connection(('127.0.0.1', port))
    conn, _ = srv.accept()
    c.sendall(b'hello')
    deadline = time.monotonic() + 3
    read = ''
    while time.monotonic() < deadline and read.count('\n') < 4:
        read = run(['tcpdump', '-n', '-r', saved])[1]
        time.sleep(0.1)
    running = p.poll() is None
    c.close()
    conn.close()
    srv.close()
    rc, out, err = stop(p)
    check('-U -w live: the handshake and the data are in the file, readable, while the capture runs',
          running and read.count('\n') >= 4 and 'length 5' in read, read)
    check('-U -w live: Ctrl-C exits 0 with the file complete', rc == 0 and
          run(['tcpdump', '-n', '-r', saved])[1].count('\n') >= read.count('\n'), err)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    a = ap.parse_args()
    skipped = make_netns(NS)
    if skipped is not None:
        return skipped
    tmp = tempfile.mkdtemp()
    os.chmod(tmp, 0o755)
    try:
        run(in_ns(['ip', 'link', 'set', 'lo', 'up']))
        device_choice(a.tcpnote)
        lists_and_types(a.tcpnote)
        direction_lo(a.tcpnote, tmp)
        direction_veth(a.tcpnote, tmp)
        promisc_and_buffer(a.tcpnote)
        packet_buffered_live(a.tcpnote, tmp)
    finally:
        subprocess.run(['ip', 'netns', 'del', NS])
    return finish('capture_live')


if __name__ == '__main__':
    sys.exit(main())
