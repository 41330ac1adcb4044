#!/usr/bin/env python3
"""tcpdump_compare.py - compares the tcpdump part of tcpnote's lines with tcpdump's, packet by packet.

For each capture it runs `tcpdump -n FLAGS -r FILE tcp` and `tcpnote -n FLAGS -r FILE tcp`,
groups both outputs into one record per packet (a record starts at a timestamp, in any
of tcpdump's -t formats or print.c's "[Error converting time]", at an "[Invalid header"
line, or with -t at a line not indented by a tab or four spaces;
-v continuation lines and application decodes do not), strips tcpnote's "  # labels"
and compares. A tcpnote record equals tcpdump's when
the texts are identical, or when tcpdump's goes on past tcpnote's final
"length N" with an application-layer decode (": HTTP ...", " [RST ...", BGP lines),
which tcpnote deliberately does not print.

--linktypes adds the captures tests/oracle/linktypes.py writes (every link type, VLAN tags,
nanosecond and microsecond timestamps) to the files; --convert FORMAT compares copies
of the files that `editcap -F FORMAT` makes (nsecpcap: nanosecond pcap; pcapng), for
--nano; --bpf changes the filter both are given ("" for none).

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
CONTINUED = re.compile(r'^(\t|    )')
LABELS = re.compile(r'  # [^\n]*$', re.M)
ENDS_WITH_LENGTH = re.compile(r'length \d+$')


def records(text, no_timestamps=False):
    out = []
    for line in text.split('\n'):
        if line == '':
            continue
        # Without timestamps a continuation line is indented by a tab or four spaces
        # (an SLL direction column, "  B", by fewer).
        starts = not CONTINUED.match(line) if no_timestamps else TS.match(line)
        if starts or not out:
            out.append(line)
        else:
            out[-1] += '\n' + line
    return out


def run(cmd, env):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    return p.returncode, p.stdout.decode('utf-8', 'replace'), p.stderr.decode('utf-8', 'replace')


def same_tcp_part(tn, td):
    if tn == td:
        return True
    if td.startswith(tn) and ENDS_WITH_LENGTH.search(tn):
        nxt = td[len(tn)]
        return not nxt.isdigit()
    return False


def compare(tcpnote, path, flags, env, bpf=('tcp',), extra=(), numeric=('-n',)):
    rc1, td_out, td_err = run(['tcpdump'] + list(numeric) + flags + ['-r', path] + list(bpf), env)
    rc2, tn_out, tn_err = run([tcpnote] + list(numeric) + flags + list(extra) + ['-r', path] +
                              list(bpf), env)
    td = records(td_out, '-t' in flags)
    tn = [LABELS.sub('', r) for r in records(tn_out, '-t' in flags)]
    diffs = []
    n = max(len(td), len(tn))
    same = 0
    for i in range(n):
        a = tn[i] if i < len(tn) else '<missing>'
        b = td[i] if i < len(td) else '<missing>'
        if i < len(tn) and i < len(td) and same_tcp_part(a, b):
            same += 1
        else:
            diffs.append((i + 1, a, b))
    return {'tcpdump_rc': rc1, 'tcpnote_rc': rc2, 'tcpnote_err': tn_err.strip(),
            'records': len(td), 'tcpnote_records': len(tn), 'same': same, 'diffs': diffs,
            'tcpdump_text': td_out}


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
        if not a.files:
            print('oracle: no capture files to compare')
            return 1
        return compare_all(a)


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
            if r['diffs']:
                tag = 'known' if base in known else 'DIFF'
                print('%s %s [%s]: %d of %d records differ%s' % (
                    tag, base, ' '.join(flags) or 'default', len(r['diffs']), r['records'],
                    (' (' + known[base] + ')') if base in known else ''))
                for (i, tn, td) in r['diffs'][:a.show]:
                    print('   #%d tcpnote: %s' % (i, tn.replace('\n', '\\n')))
                    print('   #%d tcpdump: %s' % (i, td.replace('\n', '\\n')))
                if base not in known:
                    unexplained.append((base, flags))
    if total == 0:
        print('oracle: tcpdump printed no TCP packet at all: nothing was compared')
        return 1
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
