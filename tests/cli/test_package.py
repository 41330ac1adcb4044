#!/usr/bin/env python3
"""test_package.py - cpack -G DEB on a fresh Release build: the package's files, its fields and Depends, and the packaged program run."""
import argparse
import gzip
import os
import sys
import tempfile

from checks import check, cmake_build, finish, run

# What the package holds, with its mode; besides these only the folders leading to them.
FILES = {
    './usr/bin/tcpnote': '-rwxr-xr-x',
    './usr/share/man/man1/tcpnote.1.gz': '-rw-r--r--',
    './usr/share/doc/tcpnote/README.md': '-rw-r--r--',
    './usr/share/doc/tcpnote/LICENSE': '-rw-r--r--',
}


def parents(path):
    """'./usr/bin/tcpnote' -> {'./usr/', './usr/bin/'}, as dpkg-deb -c names folders."""
    parts = path.split('/')
    return {'/'.join(parts[:i]) + '/' for i in range(2, len(parts))}


def contents(deb):
    """{path: (mode, owner)} of every entry dpkg-deb -c lists."""
    _status, out, _err = run(['dpkg-deb', '-c', deb])
    entries = {}
    for line in out.splitlines():
        mode, owner, _size, _date, _time, path = line.split(None, 5)
        entries[path.split(' -> ')[0]] = (mode, owner)
    return entries


def fields(deb):
    """The control fields of the package, {name: value} (continuation lines joined)."""
    _status, out, _err = run(['dpkg-deb', '-f', deb])
    result, name = {}, None
    for line in out.splitlines():
        if line.startswith(' ') and name:
            result[name] += '\n' + line
        else:
            name, _, value = line.partition(':')
            result[name] = value.strip()
    return result


def owner_package(soname):
    """The Debian package that ships the shared library SONAME of this architecture, or None."""
    _status, multiarch, _err = run(['dpkg-architecture', '-qDEB_HOST_MULTIARCH'])
    status, out, _err = run(['dpkg-query', '-S', '*/%s/%s' % (multiarch.strip(), soname)])
    return out.split(':')[0] if status == 0 and out else None


def check_contents(deb):
    entries = contents(deb)
    for path, mode in FILES.items():
        check('the package holds %s (%s)' % (path[1:], mode), entries.get(path, ('',))[0] == mode,
              entries.get(path))
    allowed = set(FILES).union(*(parents(p) for p in FILES))
    unexpected = sorted(set(entries) - allowed)
    check('nothing else: no headers, libraries or test programs', not unexpected, unexpected)
    check('every entry is owned by root/root',
          all(owner == 'root/root' for _mode, owner in entries.values()), entries)


def check_fields(deb, version, arch, binary):
    f = fields(deb)
    for name, want in (('Package', 'tcpnote'), ('Version', version), ('Architecture', arch),
                       ('Section', 'net')):
        check('%s: %s' % (name, want), f.get(name) == want, f.get(name))
    check('a Maintainer with an address', '@' in f.get('Maintainer', ''), f.get('Maintainer'))
    check('a Description: a summary and a long text',
          f.get('Description', '').count('\n') >= 2, f.get('Description'))
    check('no Homepage', 'Homepage' not in f, f.get('Homepage'))
    depends = {d.split()[0] for d in f.get('Depends', '').split(', ') if d}
    for name in ('libc6', 'libpcap0.8', 'libssl3'):
        check('Depends on %s' % name, name in depends, f.get('Depends'))
    # Every library the program links, whatever its name on this release, comes from a Depends.
    status, out, err = run(['readelf', '-d', binary])
    needed = [w.strip('[]') for line in out.splitlines() if '(NEEDED)' in line
              for w in line.split() if w.startswith('[')]
    check('readelf lists the libraries the program links', status == 0 and needed, err)
    for soname in needed:
        package = owner_package(soname)
        check('%s comes from a Depends (%s)' % (soname, package), package in depends,
              f.get('Depends'))


def check_program(root, source, pcaps):
    binary = os.path.join(root, 'usr', 'bin', 'tcpnote')
    status, out, err = run([binary, '-n', '-r', os.path.join(pcaps, 'seed-keepalive.pcap')])
    check('the packaged tcpnote reads the seed capture', status == 0, err)
    check('and prints its first line, labelled',
          any('127.0.0.1.35482 > 127.0.0.1.7070: Flags [S], seq' in line and
              line.endswith('  # handshake 1/3') for line in out.splitlines()), out[:800])
    _status, out, _err = run(['file', binary])
    check('the program is stripped', ', stripped' in out, out)
    with gzip.open(os.path.join(root, 'usr', 'share', 'man', 'man1', 'tcpnote.1.gz'), 'rb') as f:
        page = f.read()
    with open(os.path.join(source, 'doc', 'tcpnote.1'), 'rb') as f:
        check('tcpnote.1.gz is doc/tcpnote.1', page == f.read())
    for name in ('README.md', 'LICENSE'):
        with open(os.path.join(root, 'usr', 'share', 'doc', 'tcpnote', name), 'rb') as packaged, \
                open(os.path.join(source, name), 'rb') as original:
            check('%s is the source tree\'s' % name, packaged.read() == original.read())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--source', required=True)
    ap.add_argument('--pcaps', required=True)
    a = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix='tcpnote-package-') as tmp:
        build = os.path.join(tmp, 'build')
        # As the README says: a Release build (tests included: none of them may be packaged).
        status, output = cmake_build(a.source, build, {'CMAKE_BUILD_TYPE': 'Release'})
        if not check('the Release build builds', status == 0, output[-800:]):
            return finish('package')
        status, out, err = run(['cpack', '-G', 'DEB'], cwd=build, timeout=300)
        check('cpack -G DEB succeeds', status == 0, out + err)
        version = run([os.path.join(build, 'tcpnote'), '--version'])[1].split()[1]
        arch = run(['dpkg', '--print-architecture'])[1].strip()
        deb = os.path.join(build, 'tcpnote_%s_%s.deb' % (version, arch))
        if not check('it makes %s' % os.path.basename(deb), os.path.isfile(deb), os.listdir(build)):
            return finish('package')
        check_contents(deb)
        root = os.path.join(tmp, 'root')
        status, out, err = run(['dpkg-deb', '-x', deb, root])
        check('dpkg-deb -x extracts it', status == 0, err)
        check_fields(deb, version, arch, os.path.join(root, 'usr', 'bin', 'tcpnote'))
        check_program(root, a.source, a.pcaps)
        # apt resolves the Depends against this system's packages without installing anything.
        status, out, err = run(['apt-get', 'install', '--simulate', deb], timeout=300)
        check('apt-get install --simulate accepts it', status == 0 and 'Inst tcpnote' in out,
              out + err)
    return finish('package')


if __name__ == '__main__':
    sys.exit(main())
