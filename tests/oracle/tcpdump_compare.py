#!/usr/bin/env python3
"""tcpdump_compare.py - compares the tcpdump part of tcpnote's lines with tcpdump's, packet by packet.

For each capture it runs `tcpdump -n FLAGS -r FILE tcp` and `tcpnote -n FLAGS -r FILE tcp`,
groups both outputs into one record per packet (a record starts at a timestamp, in any
of tcpdump's -t formats or print.c's "[Error converting time]", at an "[Invalid header"
line, after the packet number with -#, or with -t at a line not indented by a tab or
four spaces; -v continuation lines and application decodes do not), strips tcpnote's
"  # labels" and compares. A tcpnote record equals tcpdump's when the texts are
identical, or when tcpdump's goes on past tcpnote's final "length N" with an
application-layer decode (": HTTP ...", " [RST ...", BGP lines), which tcpnote
deliberately does not print.

A payload dump (-x, -X, -A and doubled) is compared byte for byte, apart from the
packet's own lines: the -x/-X dump is a record's trailing run of "\t0x0000: " lines
from offset 0 on; an -A dump can hold any text, even a line that looks like a packet's,
so both outputs are cut at the packet lines that the same flags without -A print.

--linktypes adds the captures tests/oracle/linktypes.py writes (every link type, VLAN tags,
nanosecond and microsecond timestamps) to the files; --convert FORMAT compares copies
of the files that `editcap -F FORMAT` makes (nsecpcap: nanosecond pcap; pcapng), for
--nano; --bpf changes the filter both are given ("" for none).

--lines compares lines instead of records, for the TCP that tcpdump finds without a filter
(inside tunnels, on every link type): every line tcpdump prints with a TCP "Flags [" in it
(after the ports' ": "; Geneve's and LLC's own flags are not TCP's), cut after its first
"length N", must be among tcpnote's lines cut the same way, in any order; tcpnote's TCP
lines that tcpdump does not print count too. --lines-known FILE lists, per capture, how
many lines may be missing and why ("capture<TAB>missing<TAB>encapsulation<TAB>reason"):
the test fails on any other count, fewer included (a stale entry hides the next loss).
The count may read "M+E": M lines missing and E TCP lines that tcpnote prints and tcpdump
does not (the encapsulations tcpdump 4.99 has no printer for: ERSPAN, PBB, VN-Tag,
Teredo, GTP-U), again exactly; without "+E" no such line is allowed.
The summary counts tcpdump's lines and the missing ones per encapsulation.

--frames compares records by frame number (both run with -# and without a filter), for
the flags where a tunnel's outer headers are printed differently (-v, -vv, -q): tcpnote
must print exactly the frames in which tcpdump, without flags or with -v, prints a TCP
line, each record as tcpdump prints that frame. --encapsulated FILE takes the captures
from a --lines-known file (those whose encapsulation is not "plain"), looked up in the
--dir folders; --frames-known FILE lists, per capture and flags, how many records may
differ and why ("capture<TAB>flags<TAB>count<TAB>reason"), counted exactly as --lines-known.
--outer-options adds, for each Ethernet pcap file among them that has a tunnel over IPv4,
a copy "opts-NAME" whose outer IPv4 headers carry options (tests/oracle/outer_options.py).

With --resolve HOSTS both run without -n, so addresses and ports are shown by name,
inside a network and mount namespace of their own where HOSTS is /etc/hosts (and
--ethers FILE /etc/ethers, which names MAC addresses for -e): the
names are known in advance, and a reverse lookup that falls through to DNS fails at
once instead of leaving the machine (the namespace has no network).
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile

TS = re.compile(r'^(\d\d:\d\d:\d\d\.\d+ |[ -]\d\d+:\d\d:\d\d\.\d+ |\d+\.\d+ |\d{4}-\d\d-\d\d |'
                r'[ -]?\[Error converting time\] |\[Invalid header: )')
NUMBER = re.compile(r'^ *\d+  ')  # print.c's "%5u  " under -#
CONTINUED = re.compile(r'^(\t|    )')
LABELS = re.compile(r'  # [^\n]*$', re.M)
ENDS_WITH_LENGTH = re.compile(r'length \d+$')
HEX_LINE = re.compile(r'^\t0x([0-9a-f]{4,}):  ')
DUMP_FLAGS = re.compile(r'^-[AxX]+$')
APP_GAVE_UP = re.compile(r' \[\|[a-z0-9_.-]+\]$')
# A VXLAN packet's outer line (print-vxlan.c): its inner packet follows on a line of its own.
VXLAN_OUTER = re.compile(r': VXLAN, flags \[[I.]\] \(0x[0-9a-f]{2}\), vni \d+$')


def records(text, numbered=False, no_timestamps=False):
    """One string per packet: its line, continuation lines and -x/-X dump, without newlines
    at the end. With -A the dump lines could look like anything: see split_at()."""
    out = []
    for line in text.split('\n'):
        if line == '':
            continue
        # Without timestamps a continuation line is indented by a tab or four spaces
        # (an SLL direction column, "  B", by fewer).
        if numbered:
            starts = NUMBER.match(line)
        elif no_timestamps:
            starts = not CONTINUED.match(line)
        else:
            starts = TS.match(line)
        if starts or not out:
            out.append(line)
        else:
            out[-1] += '\n' + line
    return out


def hex_dump_split(rec):
    """(lines, dump) of a record: the dump is the trailing run of -x/-X lines counted from
    offset 0 (an application decoder's own hex lines before it start over at 0)."""
    lines = rec.split('\n')
    i = len(lines)
    while i > 1 and HEX_LINE.match(lines[i - 1]):
        i -= 1
    for j in range(i, len(lines)):
        offs = [int(HEX_LINE.match(x).group(1), 16) for x in lines[j:]]
        if offs == list(range(0, 16 * len(offs), 16)):
            return '\n'.join(lines[:j]), '\n'.join(lines[j:])
    return rec, ''


def dump_hex(dump):
    """The bytes of an -x/-X dump, as hex digits."""
    return ''.join(HEX_LINE.sub('', x)[:39].replace(' ', '') for x in dump.split('\n') if x)


def app_gave_up(tn, td, mode):
    """True when tcpdump's application decoder (not printed by tcpnote) gave up on the packet
    (" [|openflow]") and, as print.c does then, dumped it from the frame's first byte: the
    dump ends with tcpnote's, from the network header, and has the link header before it."""
    if td[0] == tn[0] or not APP_GAVE_UP.search(td[0]) or td[1] == tn[1]:
        return False
    if mode == 'A':
        return td[1].endswith(tn[1])  # a byte's text depends only on it and what follows
    return dump_hex(td[1]).endswith(dump_hex(tn[1]))


def split_at(text, heads):
    """Cut text (an -A output) into [(head, dump)]: heads are the packets' records printed by
    the same flags without -A, each followed in text by a newline, then its dump. None when
    a head is not where it must be."""
    out = []
    pos = 0
    for i, h in enumerate(heads):
        if not text.startswith(h + '\n', pos):
            return None
        pos += len(h) + 1
        nxt = text.find('\n' + heads[i + 1], pos - 1) + 1 if i + 1 < len(heads) else len(text)
        if nxt <= 0:
            return None
        out.append((h, text[pos:nxt]))
        pos = nxt
    return out if pos == len(text) else None


def run(cmd, env):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    # latin-1: every byte stays itself, so two different bytes never compare equal
    return p.returncode, p.stdout.decode('latin-1'), p.stderr.decode('utf-8', 'replace')


def same_tcp_part(tn, td):
    if tn == td:
        return True
    if td.startswith(tn) and ENDS_WITH_LENGTH.search(tn):
        nxt = td[len(tn)]
        return not nxt.isdigit()
    return False


def dump_mode(flags):
    """'X', 'x', 'A' or '': the dump tcpdump prints for these flags (print.c: -X, then -x, then -A)."""
    letters = ''.join(f[1:] for f in flags if DUMP_FLAGS.match(f))
    return next((m for m in 'XxA' if m in letters), '')


def packets(out, heads, flags, mode):
    """[(lines, dump)] per packet of one output; None when it cannot be cut (-A)."""
    if mode == 'A':
        return split_at(out, heads)
    recs = records(out, '-#' in flags or '--number' in flags, '-t' in flags)
    return [hex_dump_split(r) if mode else (r, '') for r in recs]


def compare(tcpnote, path, flags, env, bpf=('tcp',), extra=(), numeric=('-n',)):
    def both(fl):
        td = run(['tcpdump'] + list(numeric) + fl + ['-r', path] + list(bpf), env)
        tn = run([tcpnote] + list(numeric) + fl + list(extra) + ['-r', path] + list(bpf), env)
        return td, tn
    mode = dump_mode(flags)
    (rc1, td_out, td_err), (rc2, tn_out, tn_err) = both(flags)
    td_heads = tn_heads = None
    if mode == 'A':
        # the packets' own lines, from the same flags without -A, cut the outputs
        numbered = '-#' in flags or '--number' in flags
        (_, td_base, _), (_, tn_base, _) = both([f for f in flags if not DUMP_FLAGS.match(f)])
        td_heads = records(td_base, numbered, '-t' in flags)
        tn_heads = records(tn_base, numbered, '-t' in flags)
    td = packets(td_out, td_heads, flags, mode)
    tn = packets(tn_out, tn_heads, flags, mode)
    diffs = []
    same = whole = 0
    if td is None or tn is None:
        diffs.append((0, '<cannot cut the -A output>' if tn is None else tn_out[:300],
                      '<cannot cut the -A output>' if td is None else td_out[:300]))
        td = td or []
        tn = []
    for i in range(max(len(td), len(tn))):
        a = tn[i] if i < len(tn) else None
        b = td[i] if i < len(td) else None
        a = a and (LABELS.sub('', a[0]), a[1])
        if a is not None and b is not None and same_tcp_part(a[0], b[0]) and a[1] == b[1]:
            same += 1
        elif a is not None and b is not None and same_tcp_part(a[0], b[0]) and \
                app_gave_up(a, b, mode):
            same += 1
            whole += 1
        else:
            diffs.append((i + 1, '\n'.join(x for x in a if x) if a else '<missing>',
                          '\n'.join(x for x in b if x) if b else '<missing>'))
    return {'tcpdump_rc': rc1, 'tcpnote_rc': rc2, 'tcpnote_err': tn_err.strip(),
            'records': len(td), 'tcpnote_records': len(tn), 'same': same, 'diffs': diffs,
            'app_whole_frame': whole, 'tcpdump_text': td_out}


def shorten(text, other, room=600):
    """text on one line, from a little before where it first differs from other (a dump of
    a large packet is long)."""
    at = next((i for i, (x, y) in enumerate(zip(text, other)) if x != y), min(len(text), len(other)))
    start = max(0, min(at - 200, len(text) - room))
    return ('...' if start else '') + text[start:start + room].replace('\n', '\\n') + \
        ('...' if start + room < len(text) else '')


def in_own_namespace(hosts, script=__file__, ethers=None):
    """Runs script (this one by default) again, with this process's arguments, in a network
    and mount namespace with HOSTS as /etc/hosts (and ETHERS as /etc/ethers, in a copy of
    /etc, as the machine may have none to mount over): its exit status, 77 (skipped) when
    not root, or None when already inside."""
    if os.environ.get('TCPNOTE_ORACLE_NS') == '1':
        return None
    if os.geteuid() != 0:
        print('oracle: SKIPPED: --resolve needs root for its namespace (unshare -n -m)')
        return 77
    env = dict(os.environ, TCPNOTE_ORACLE_NS='1')
    argv = [sys.executable, os.path.abspath(script)] + sys.argv[1:]
    if ethers is None:
        cmd = ['unshare', '--net', '--mount', '--propagation', 'private', 'sh', '-c',
               'mount --bind "$0" /etc/hosts && exec "$@"', os.path.abspath(hosts)] + argv
        return subprocess.run(cmd, env=env).returncode
    with tempfile.TemporaryDirectory(prefix='tcpnote-oracle-etc-') as etc:
        subprocess.run(['cp', '-a', '/etc/.', etc], check=True)
        shutil.copyfile(hosts, os.path.join(etc, 'hosts'))
        shutil.copyfile(ethers, os.path.join(etc, 'ethers'))
        cmd = ['unshare', '--net', '--mount', '--propagation', 'private', 'sh', '-c',
               'mount --bind "$0" /etc && exec "$@"', etc] + argv
        return subprocess.run(cmd, env=env).returncode


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    ap.add_argument('--flags', action='append', default=None,
                    help='flag sets to try, e.g. "" "-v" "-S"')
    ap.add_argument('--expect-identical', action='store_true',
                    help='fail unless every record is identical')
    ap.add_argument('--known', help='file of "capture<TAB>reason" lines: differences allowed there')
    ap.add_argument('--show', type=int, default=3, help='differences to print per file')
    ap.add_argument('--dir', action='append', default=[],
                    help='compare every .pcap and .pcapng file in this folder (repeatable)')
    ap.add_argument('--tcpnote-extra', default='',
                    help='options given to tcpnote only, which must not change the tcpdump part '
                         '(e.g. "--max-flows 1": evicted connections keep tcpdump\'s numbering)')
    ap.add_argument('--resolve', metavar='HOSTS',
                    help='run both without -n, with HOSTS as /etc/hosts and no network')
    ap.add_argument('--ethers', metavar='FILE',
                    help='with --resolve: FILE as /etc/ethers (MAC names for -e)')
    ap.add_argument('--require-name', action='append', default=[],
                    help='with --resolve: fail unless tcpdump printed this name somewhere')
    ap.add_argument('--bpf', default='tcp',
                    help='the filter expression both are given (default tcp; "" for none)')
    ap.add_argument('--linktypes', action='store_true',
                    help='also compare the captures tests/oracle/linktypes.py writes, with '
                         'nanosecond and microsecond timestamps')
    ap.add_argument('--convert', action='append', default=[], metavar='FORMAT',
                    help='compare copies made by editcap -F FORMAT instead (repeatable)')
    ap.add_argument('--lines', action='store_true',
                    help='compare every TCP line ("Flags [" ... "length N") as a set, not records')
    ap.add_argument('--lines-known', metavar='FILE',
                    help='with --lines: "capture<TAB>missing<TAB>encapsulation<TAB>reason" lines')
    ap.add_argument('--frames', action='store_true',
                    help='compare the records of the frames with TCP in them, by frame number')
    ap.add_argument('--encapsulated', metavar='LINES_KNOWN',
                    help='the captures of this --lines-known file that are not "plain", in --dir')
    ap.add_argument('--frames-known', metavar='FILE',
                    help='with --frames: "capture<TAB>flags<TAB>count<TAB>reason" lines')
    ap.add_argument('--outer-options', action='store_true',
                    help='also compare copies whose tunnels\' outer IPv4 headers carry options')
    ap.add_argument('files', nargs='*')
    a = ap.parse_args()
    if a.resolve:
        rc = in_own_namespace(a.resolve, ethers=a.ethers)
        if rc is not None:
            return rc
    for d in a.dir:
        if not os.path.isdir(d):
            print('oracle: no such folder: %s' % d)
            return 1
    if a.encapsulated:
        # not those with lines tcpdump does not print at all: it has no printer to compare with
        names = [n for n, (_, more, encap, _) in read_lines_known(a.encapsulated).items()
                 if encap != 'plain' and more == 0]
        for name in names:
            found = [os.path.join(d, name) for d in a.dir if os.path.isfile(os.path.join(d, name))]
            if not found:
                print('oracle: %s (listed in %s) is in none of the folders' % (name, a.encapsulated))
                return 1
            a.files += found
    else:
        for d in a.dir:
            a.files += sorted(os.path.join(d, f) for f in os.listdir(d)
                              if f.endswith('.pcap') or f.endswith('.pcapng'))
    with tempfile.TemporaryDirectory(prefix='tcpnote-oracle-') as tmp:
        if a.linktypes:
            for kind in ('nano', 'micro'):
                d = os.path.join(tmp, 'linktypes-' + kind)
                subprocess.run([sys.executable, os.path.join(os.path.dirname(
                    os.path.abspath(__file__)), 'linktypes.py'), d, '--' + kind], check=True)
                a.files += sorted(os.path.join(d, f) for f in os.listdir(d))
        if a.convert:
            if shutil.which('editcap') is None:
                print('oracle: SKIPPED: --convert needs editcap (Wireshark)')
                return 77
            a.files = convert(a.files, a.convert, tmp)
        if a.outer_options:
            a.files += outer_option_copies(a.files, tmp)
        if not a.files:
            print('oracle: no capture files to compare')
            return 1
        if a.frames:
            return compare_frames_all(a)
        return compare_lines_all(a) if a.lines else compare_all(a)


TCP_LINE = re.compile(r'^(.*?: Flags \[[^\]]*\].*?length \d+)')


def tcp_lines(text):
    """Every TCP line of an output (labels stripped), cut after the first "length N" that
    follows its TCP flags."""
    out = []
    for line in text.split('\n'):
        m = TCP_LINE.match(LABELS.sub('', line))
        if m:
            out.append(m.group(1))
    return out


def compare_lines(tcpnote, path, flags, env, bpf):
    """(tcpdump's TCP lines, those tcpnote does not print, tcpnote's that tcpdump does not)."""
    td = tcp_lines(run(['tcpdump', '-n'] + flags + ['-r', path] + bpf, env)[1])
    tn = tcp_lines(run([tcpnote, '-n'] + flags + ['-r', path] + bpf, env)[1])
    left = {}
    for line in tn:
        left[line] = left.get(line, 0) + 1
    missing = []
    for line in td:
        if left.get(line, 0) > 0:
            left[line] -= 1
        else:
            missing.append(line)
    extra = []
    for line in tn:
        if left[line] > 0:
            left[line] -= 1
            extra.append(line)
    return td, missing, extra


def read_lines_known(path):
    """capture -> (missing lines, lines tcpdump does not print, encapsulation, reason) of a
    --lines-known file (the count reads "M" or "M+E")."""
    known = {}
    for line in open(path):
        line = line.rstrip('\n')
        if line and not line.startswith('#'):
            name, count, encap, reason = line.split('\t', 3)
            miss, _, more = count.partition('+')
            known[name] = (int(miss), int(more or 0), encap, reason)
    return known


def numbered_records(tool, path, flags, env):
    """frame number -> record (labels stripped) of one -# run without a filter."""
    out = {}
    for rec in records(run([tool, '-n', '-#'] + flags + ['-r', path], env)[1], numbered=True):
        m = NUMBER.match(rec)
        if m:
            out[int(m.group())] = LABELS.sub('', rec)
    return out


def compare_frames(tcpnote, path, flagsets, env):
    """[(flags, frames compared, how many of them differ, [(frame, tcpnote's record, tcpdump's)])]:
    the frames with a TCP line in tcpdump's output without flags or with -v, in each flag set;
    a frame only tcpnote prints is a difference too."""
    tcp_frames = set()
    for fl in ([], ['-v']):
        for n, rec in numbered_records('tcpdump', path, fl, env).items():
            if any(TCP_LINE.match(x) for x in rec.split('\n')):
                tcp_frames.add(n)
    out = []
    for flags in flagsets:
        td = numbered_records('tcpdump', path, flags, env)
        tn = numbered_records(tcpnote, path, flags, env)
        diffs = []
        for n in sorted(tcp_frames | set(tn)):
            a = tn.get(n)
            b = td.get(n) if n in tcp_frames else None
            if a is None or b is None or not same_tcp_part(a, b):
                diffs.append((n, a or '<not printed>', b or '<no TCP for tcpdump>'))
        out.append((flags, len(tcp_frames), sum(1 for d in diffs if d[0] in tcp_frames), diffs))
    return out


def compare_frames_all(a):
    flagsets = [f.split() for f in (a.flags or ['-v', '-q'])]
    env = dict(os.environ, TZ='UTC', LC_ALL='C')
    known = {}
    if a.frames_known:
        for line in open(a.frames_known):
            line = line.rstrip('\n')
            if line and not line.startswith('#'):
                name, flags, count, reason = line.split('\t', 3)
                known[(name, flags)] = (int(count), reason)
    total = ok = failed = 0
    for path in a.files:
        base = os.path.basename(path)
        for flags, n, wrong, diffs in compare_frames(a.tcpnote, path, flagsets, env):
            fl = ' '.join(flags)
            total += n
            ok += n - wrong
            count, reason = known.get((base, fl), (0, ''))
            if len(diffs) == count:
                if count:
                    print('known %s [%s]: %d of %d records differ (%s)' % (base, fl, count, n, reason))
                continue
            failed += 1
            print('DIFF %s [%s]: %d of %d records differ (listed: %d)' % (base, fl, len(diffs), n, count))
            for (i, tn, td) in diffs[:a.show]:
                print('   #%d tcpnote: %s' % (i, shorten(tn, td)))
                print('   #%d tcpdump: %s' % (i, shorten(td, tn)))
    return verdict('oracle frames: %d records of frames with TCP compared, %d identical', total, ok,
                   failed)


def verdict(what, total, ok, failed):
    """Prints the totals (what: "... %d ... %d ...") and gives the exit status: 1 when nothing
    was compared or counts differ from the listed ones."""
    print((what + ' (%.2f%%)') % (total, ok, 100.0 * ok / total if total else 100.0))
    if total == 0:
        print('oracle: tcpdump printed no TCP line at all: nothing was compared')
        return 1
    if failed:
        print('oracle: %d file/flag combinations differ from the listed counts' % failed)
        return 1
    return 0


def compare_lines_all(a):
    flagsets = [f.split() for f in (a.flags or [''])]
    env = dict(os.environ, TZ='UTC', LC_ALL='C')
    known = read_lines_known(a.lines_known) if a.lines_known else {}
    total = ok = 0
    per_encap = {}  # encapsulation -> [tcpdump lines, missing]
    failed = 0
    for path in a.files:
        base = os.path.basename(path)
        for flags in flagsets:
            td, missing, extra = compare_lines(a.tcpnote, path, flags, env, a.bpf.split())
            total += len(td)
            ok += len(td) - len(missing)
            count, more, encap, reason = known.get(base, (0, 0, 'plain', ''))
            counts = per_encap.setdefault(encap, [0, 0, 0])
            counts[0] += len(td)
            counts[1] += len(missing)
            counts[2] += len(extra)
            if len(missing) == count and len(extra) == more:
                if count or more:
                    print('known %s [%s]: %d of %d lines missing, %d printed that tcpdump does not '
                          '(%s: %s)' % (base, ' '.join(flags) or 'default', count, len(td), more,
                                        encap, reason))
                continue
            failed += 1
            print('DIFF %s [%s]: %d of %d lines missing (listed: %d), %d printed that tcpdump '
                  'does not (listed: %d)' % (base, ' '.join(flags) or 'default', len(missing),
                                             len(td), count, len(extra), more))
            for line in missing[:a.show]:
                print('   missing: %s' % line[:600])
            for line in extra[:a.show]:
                print('   extra:   %s' % line[:600])
    for encap, (n, miss, more) in sorted(per_encap.items()):
        print('oracle lines [%s]: %d tcpdump lines, %d missing, %d more in tcpnote' % (
            encap, n, miss, more))
    return verdict('oracle: %d TCP lines of tcpdump compared, %d printed identically', total, ok, failed)


def outer_option_copies(files, tmp):
    """Copies of the Ethernet pcap files whose outer IPv4 headers got options (some frame changed)."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import outer_options
    out = []
    for path in files:
        dst = os.path.join(tmp, 'opts-' + os.path.basename(path))
        if outer_options.copy_with_options(path, dst):
            out.append(dst)
    return out


def convert(files, formats, tmp):
    """Copies of files in each format, as editcap writes them."""
    out = []
    for fmt in formats:
        d = os.path.join(tmp, fmt)
        os.makedirs(d, exist_ok=True)
        for path in files:
            dst = os.path.join(d, os.path.basename(path) + '.' + fmt)
            subprocess.run(['editcap', '-F', fmt, path, dst], check=True,
                           stdout=subprocess.DEVNULL)
            out.append(dst)
    return out


def compare_all(a):
    flagsets = [f.split() for f in (a.flags or ['', '-v', '-S', '-S -v'])]
    env = dict(os.environ, TZ='UTC', LC_ALL='C')
    known = {}
    if a.known:
        for line in open(a.known):
            line = line.rstrip('\n')
            if line and not line.startswith('#'):
                name, _, reason = line.partition('\t')
                known[name] = reason
    total = same = 0
    per_set = {}  # flags -> [records, identical, dumped whole after an application decoder gave up]
    unexplained = []
    seen_names = set()
    numeric = () if a.resolve else ('-n',)
    for path in a.files:
        base = os.path.basename(path)
        for flags in flagsets:
            r = compare(a.tcpnote, path, flags, env, bpf=a.bpf.split(),
                        extra=a.tcpnote_extra.split(), numeric=numeric)
            seen_names.update(n for n in a.require_name if n in r['tcpdump_text'])
            total += r['records']
            same += min(r['same'], r['records'])
            counts = per_set.setdefault(' '.join(flags) or 'default', [0, 0, 0])
            counts[0] += r['records']
            counts[1] += min(r['same'], r['records'])
            counts[2] += r['app_whole_frame']
            if r['diffs']:
                tag = 'known' if base in known else 'DIFF'
                print('%s %s [%s]: %d of %d records differ%s' % (
                    tag, base, ' '.join(flags) or 'default', len(r['diffs']), r['records'],
                    (' (' + known[base] + ')') if base in known else ''))
                for (i, tn, td) in r['diffs'][:a.show]:
                    print('   #%d tcpnote: %s' % (i, shorten(tn, td)))
                    print('   #%d tcpdump: %s' % (i, shorten(td, tn)))
                if base not in known:
                    unexplained.append((base, flags))
    if total == 0:
        print('oracle: tcpdump printed no TCP packet at all: nothing was compared')
        return 1
    if len(per_set) > 1 or any(c[2] for c in per_set.values()):
        for name, (n, ok, whole) in per_set.items():
            print('oracle [%s]: %d records, %d identical%s' % (
                name, n, ok, ' (%d dumped from the link header after tcpdump\'s application '
                'decoder gave up)' % whole if whole else ''))
    print('oracle: %d tcpdump records compared, %d identical in their tcpdump part (%.2f%%)' % (
        total, same, 100.0 * same / total if total else 100.0))
    if unexplained:
        print('oracle: %d file/flag combinations differ without a listed reason' % len(unexplained))
        return 1
    missing = [n for n in a.require_name if n not in seen_names]
    if missing:
        print('oracle: tcpdump never printed %s: the names were not exercised' % ', '.join(missing))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
