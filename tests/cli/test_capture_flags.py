#!/usr/bin/env python3
"""test_capture_flags.py - tcpdump's capture flags that need no capture rights: -D, -V, -F, -U, and the rest's arguments.

-D against tcpdump -D, byte for byte; -V on a list of every capture in pcaps/ against
tcpdump -V (the tcpdump part of each record, and the "reading from file" lines), also
with -c and with the list on standard input, its errors, and -w across the files; -F
against the same filter given inline and against tcpdump -F; -U on a replay (the first
packet is in the -w file while tcpnote still reads, and without -U it is not yet); the
arguments of -Q, -B, -j and -y; and the live-only flags left alone when reading a
file, as tcpdump leaves them. The live side is tests/live/test_capture_live.py.
"""
import glob
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'oracle'))
import tcpdump_compare  # noqa: E402
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import ENV, check, finish, run, tcpnote_and_pcaps  # noqa: E402


def same_records(tn_out, td_out):
    """(all equal, first difference): the tcpdump part of tcpnote's records against tcpdump's."""
    tn = [tcpdump_compare.LABELS.sub('', r) for r in tcpdump_compare.records(tn_out)]
    td = tcpdump_compare.records(td_out)
    for a, b in zip(tn, td):
        if not tcpdump_compare.same_tcp_part(a, b):
            return False, (a, b)
    return len(tn) == len(td) and len(td) > 0, (len(tn), len(td))


def reading_lines(err):
    return [l for l in err.splitlines() if l.startswith('reading from file ')]


def tcpdump(args, stdin=None):
    return run(['tcpdump'] + args, stdin=stdin)


def list_devices(t):
    rc1, out1, err1 = run([t, '-D'])
    rc2, out2, err2 = tcpdump(['-D'])
    check('-D lists what tcpdump -D lists, byte for byte', rc1 == 0 and rc2 == 0 and out1 == out2
          and out1.startswith('1.'), (out1, out2, err1))
    rc, out, err = run([t, '--list-interfaces'])
    check('--list-interfaces is -D', rc == 0 and out == out1, err)
    rc, out, err = run([t, '-D', '-r', '/nonexistent.pcap'])
    check('-D lists and exits before anything else is opened, as tcpdump', rc == 0 and out == out1, err)


def file_lists(t, pcaps, tmp):
    files = sorted(glob.glob(os.path.join(pcaps, '*.pcap')))
    names = os.path.join(tmp, 'all.txt')
    open(names, 'w').write(''.join(f + '\n' for f in files))
    for flags in ([], ['-v'], ['-S', '-tt'], ['-c', '3']):
        rc1, out1, err1 = run([t, '-n'] + flags + ['-V', names, 'tcp'])
        rc2, out2, err2 = tcpdump(['-n'] + flags + ['-V', names, 'tcp'])
        same, diff = same_records(out1, out2)
        check('-V %s (%d files): the tcpdump part equals tcpdump -V, record for record'
              % (' '.join(flags) or 'alone', len(files)), rc1 == 0 and rc2 == 0 and same, (diff, err1[-300:]))
        check('-V %s: a "reading from file" line per file, as tcpdump\'s' % (' '.join(flags) or 'alone'),
              reading_lines(err1) == reading_lines(err2) and len(reading_lines(err1)) == len(files),
              (reading_lines(err1)[:3], reading_lines(err2)[:3]))
        if flags == ['-c', '3']:
            each = [len(tcpdump_compare.records(run([t, '-n', '-r', f, 'tcp'])[1])) for f in files]
            check('-V -c 3: up to three packets of each file, as tcpdump counts',
                  len(tcpdump_compare.records(out1)) == sum(min(3, n) for n in each) < sum(each),
                  (len(tcpdump_compare.records(out1)), each))
    rc, full, _ = run([t, '-n', '-V', names, 'tcp'])
    rc, out, err = run([t, '-n', '-V', '-', 'tcp'], stdin=open(names, 'rb').read())
    check('-V - reads the list from standard input', rc == 0 and out == full, err)
    rc1, out1, err1 = run([t, '-n', '-r', files[0], 'tcp'])
    one = os.path.join(tmp, 'one.txt')
    open(one, 'w').write(files[0])  # no newline at the end: still a name
    rc, out, err = run([t, '-n', '-V', one, 'tcp'])
    check('-V with one file (no final newline) prints what -r prints', rc == 0 and out == out1, err)

    seed = os.path.join(pcaps, 'seed-keepalive.pcap')
    refused = os.path.join(pcaps, 'refused.pcap')
    anydev = os.path.join(pcaps, 'any-device.pcap')
    saved = os.path.join(tmp, 'both.pcap')
    two = os.path.join(tmp, 'two.txt')
    open(two, 'w').write('%s\n%s\n' % (seed, refused))
    rc, out, err = run([t, '-n', '-V', two, '-w', saved])
    rc1, n1, _ = tcpdump(['-n', '-r', saved])
    rc2, n2, _ = tcpdump(['-n', '-V', two])
    check('-V -w saves the packets of every file, one after the other', rc == 0 and rc1 == 0 and
          n1 == n2 and n1.count('\n') > 10, (err, n1.count('\n'), n2.count('\n')))
    mixed = os.path.join(tmp, 'mixed.txt')
    open(mixed, 'w').write('%s\n%s\n' % (seed, anydev))
    rc, out, err = run([t, '-n', '-V', mixed, '-w', os.path.join(tmp, 'mixed.pcap')])
    check('-V -w with another link type next: exit 1, "new dlt does not match original" as tcpdump',
          rc == 1 and '%s: new dlt does not match original' % anydev in err, err)
    rc, out, err = run([t, '-n', '-V', mixed])
    rc2, out2, err2 = tcpdump(['-n', '-V', mixed])
    check('-V without -w goes on across link types (EN10MB, then LINUX_SLL2), as tcpdump',
          rc == 0 and same_records(out, out2)[0] and 'LINUX_SLL2' in reading_lines(err)[1], err)
    gone = os.path.join(tmp, 'gone.txt')
    open(gone, 'w').write('%s\n%s\n%s\n' % (refused, os.path.join(tmp, 'nothere.pcap'), seed))
    rc, out, err = run([t, '-n', '-V', gone])
    rc1, out1, _ = run([t, '-n', '-r', refused])
    check('-V: a missing file stops there, exit 1, after the packets of the files before it',
          rc == 1 and out == out1 and 'nothere.pcap: No such file or directory' in err, (out, err))
    empty = os.path.join(tmp, 'empty.txt')
    open(empty, 'w').write('')
    rc, out, err = run([t, '-n', '-V', empty])
    check('-V of an empty list: exit 1, "Nothing in LIST" as tcpdump', rc == 1 and
          ('Nothing in %s' % empty) in err, err)
    rc, out, err = run([t, '-n', '-V', os.path.join(tmp, 'nolist.txt')])
    check('-V of a missing list: exit 1 naming it', rc == 1 and 'nolist.txt' in err, err)
    rc, out, err = run([t, '-n', '-V', two, '-r', seed])
    check('-V with -r is a usage error (2)', rc == 2 and 'mutually exclusive' in err, err)
    rc, out, err = run([t, '-n', '-V', two, '-i', 'lo'])
    check('-V with -i is a usage error (2)', rc == 2 and '-i captures live' in err, err)
    selfw = os.path.join(tmp, 'self.pcap')
    open(selfw, 'wb').write(open(refused, 'rb').read())
    listed = os.path.join(tmp, 'self.txt')
    open(listed, 'w').write('%s\n%s\n' % (seed, selfw))
    rc, out, err = run([t, '-n', '-V', listed, '-w', selfw])
    check('-V -w onto a listed file is refused before anything is written', rc == 1 and 'overwrite' in err
          and open(selfw, 'rb').read() == open(refused, 'rb').read(), err)


def filter_files(t, pcaps, tmp):
    seed = os.path.join(pcaps, 'seed-keepalive.pcap')
    inline = ['tcp', 'and', 'src', 'port', '7070', 'and', 'tcp[tcpflags]', '&', 'tcp-fin', '==', '0']
    f = os.path.join(tmp, 'filter.bpf')
    open(f, 'w').write('# the server\'s side\ntcp and src port 7070 # not the client\n'
                       '  and tcp[tcpflags] & tcp-fin == 0  # no FIN#\n')
    rc1, out1, err1 = run([t, '-n', '-r', seed] + inline)
    rc2, out2, err2 = run([t, '-n', '-F', f, '-r', seed])
    check('-F FILE (comments, several lines) equals the same filter inline', rc1 == 0 and rc2 == 0 and
          out1 == out2 and 0 < out1.count('\n') < 14, (out1, err2))
    rc3, out3, err3 = tcpdump(['-n', '-F', f, '-r', seed])
    check('-F FILE: the tcpdump part equals tcpdump -F FILE', same_records(out2, out3)[0], (out2, out3))
    rc, out, err = run([t, '-n', '-F', f, '-r', seed, 'port', '1'])
    check('-F with words after it: they are ignored, as tcpdump, with a warning', rc == 0 and out == out2
          and 'WARNING' in err and "'port'" in err, err)
    rc, out, err = run([t, '-n', '-F', '/dev/stdin', '-r', seed], stdin=b'tcp and src port 7070')
    rc1, out1, _ = run([t, '-n', '-r', seed, 'tcp', 'and', 'src', 'port', '7070'])
    check('-F from a pipe reads to its end (tcpdump reads only fstat\'s size: none)', rc == 0 and out == out1
          and out.count('\n') > 3, err)
    rc, out, err = run([t, '-n', '-F', os.path.join(tmp, 'none.bpf'), '-r', seed])
    check('-F of a missing file: exit 1, "can\'t open FILE" as tcpdump', rc == 1 and "can't open" in err and
          'none.bpf' in err, err)
    rc, out, err = run([t, '-n', '-F', tmp, '-r', seed])
    check('-F of a folder: exit 1, "read FILE: Is a directory" as tcpdump', rc == 1 and 'Is a directory' in err,
          err)
    bad = os.path.join(tmp, 'bad.bpf')
    open(bad, 'w').write('tcp port and # broken\n')
    rc, out, err = run([t, '-n', '-F', bad, '-r', seed])
    check('-F with a filter that does not compile: a usage error (2)', rc == 2 and 'bad filter' in err, err)
    empty = os.path.join(tmp, 'empty.bpf')
    open(empty, 'w').write('')
    rc, out, err = run([t, '-n', '-F', empty, '-r', seed])
    rc1, out1, _ = run([t, '-n', '-r', seed])
    check('-F of an empty file: no filter', rc == 0 and out == out1, err)


def packet_buffered(t, pcaps, tmp):
    """-r - from a pipe that stays open after one packet: is the packet in the -w file yet?"""
    data = open(os.path.join(pcaps, 'seed-keepalive.pcap'), 'rb').read()
    first = 24 + 16 + int.from_bytes(data[24 + 8:24 + 12], 'little')
    for flags, want in (([], 24), (['-U'], first), (['--packet-buffered'], first)):
        out = os.path.join(tmp, 'u%d.pcap' % len(flags))
        p = subprocess.Popen([t, '-n'] + flags + ['-r', '-', '-w', out], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
        p.stdin.write(data[:first])
        p.stdin.flush()
        deadline = time.monotonic() + 3
        size = -1
        while time.monotonic() < deadline:
            size = os.path.getsize(out) if os.path.exists(out) else -1
            if size >= want:
                break
            time.sleep(0.05)
        time.sleep(0.2)
        size = os.path.getsize(out) if os.path.exists(out) else -1
        p.stdin.write(data[first:])
        p.stdin.close()
        p.wait(timeout=20)
        check('replay -w %s: %s while tcpnote still reads' % (' '.join(flags) or 'without -U',
              'the first packet is in the file' if flags else 'only the header is in the file (1 MiB blocks)'),
              size == want and os.path.getsize(out) == len(data), (size, want))


def arguments(t, pcaps):
    seed = os.path.join(pcaps, 'seed-keepalive.pcap')
    for args, word in ((['-Q', 'sideways'], 'unknown capture direction'),
                       (['-B', '0'], 'invalid packet buffer size'),
                       (['-B', 'abc'], 'invalid packet buffer size'),
                       (['-B', '2097152'], 'invalid packet buffer size'),
                       (['-j', 'bogus'], 'invalid time stamp type'),
                       (['-y', 'bogus'], 'invalid data link type'),
                       (['-y', '113'], 'invalid data link type')):
        rc, out, err = run([t, '-n'] + args + ['-r', seed])
        rc2, _, err2 = tcpdump(['-n'] + args + ['-r', seed])
        check('%s: a usage error (2) saying "%s", which tcpdump refuses too' % (' '.join(args), word),
              rc == 2 and word in err and rc2 != 0 and word in err2, (err, err2))
    for opt in ('-Q', '-B', '-F', '-V', '-j', '-y'):
        rc, out, err = run([t, opt])
        check('%s without its argument: a usage error (2)' % opt, rc == 2 and 'needs an argument' in err, err)
    rc, full, _ = run([t, '-n', '-r', seed])
    for args in (['-p'], ['-Q', 'IN'], ['-B', '1024'], ['-j', 'host'], ['-y', 'LINUX_SLL'], ['-U'], ['-L'],
                 ['-J'], ['--direction=out', '--buffer-size=8', '--no-promiscuous-mode',
                          '--time-stamp-type=adapter', '--linktype=EN10MB']):
        rc, out, err = run([t, '-n'] + args + ['-r', seed])
        rc2, out2, _ = tcpdump(['-n'] + args + ['-r', seed])
        check('%s with -r: left alone, the file is read as without it (as tcpdump)' % ' '.join(args),
              rc == 0 and out == full and same_records(out, out2)[0], err)
    rc, out, err = run([t, '-n', '-r', seed, '-i', 'lo'])
    check('-r with -i is a usage error (2)', rc == 2 and '-i captures live' in err, err)


def main():
    a = tcpnote_and_pcaps()
    tmp = tempfile.mkdtemp()
    os.chmod(tmp, 0o755)  # tcpdump, run as root, reads as the user it drops to
    list_devices(a.tcpnote)
    file_lists(a.tcpnote, a.pcaps, tmp)
    filter_files(a.tcpnote, a.pcaps, tmp)
    packet_buffered(a.tcpnote, a.pcaps, tmp)
    arguments(a.tcpnote, a.pcaps)
    return finish('capture_flags')


if __name__ == '__main__':
    sys.exit(main())
