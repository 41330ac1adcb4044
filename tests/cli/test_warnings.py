#!/usr/bin/env python3
"""test_warnings.py - the default build (TCPNOTE_WERROR off) prints no warning with gcc and clang at Debug, RelWithDebInfo and Release."""
import argparse
import os
import sys
import tempfile
import time

from checks import check, cmake_build, finish

# gcc builds everything, the unit tests included (gcc 12 -O3 found a warning only there);
# clang builds the program, which keeps the test near a minute on two cores.
COMPILERS = (('gcc', 'ON', None), ('clang', 'OFF', 'tcpnote'))
BUILD_TYPES = ('Debug', 'RelWithDebInfo', 'Release')


def warnings_in(output):
    """The lines of a configure and build that are warnings: the compiler's, the linker's, CMake's."""
    return [line for line in output.splitlines() if 'warning:' in line or 'CMake Warning' in line]


def cached(build, name):
    """The value of NAME in BUILD's CMakeCache.txt, or None."""
    with open(os.path.join(build, 'CMakeCache.txt')) as f:
        for line in f:
            if line.startswith(name + ':'):
                return line.rstrip('\n').split('=', 1)[1]
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--source', required=True)
    a = ap.parse_args()
    started = time.monotonic()
    for cc, testing, target in COMPILERS:
        for build_type in BUILD_TYPES:
            name = '%s %s%s' % (cc, build_type, '' if target is None else ' (%s only)' % target)
            with tempfile.TemporaryDirectory(prefix='tcpnote-warnings-') as build:
                t0 = time.monotonic()
                status, output = cmake_build(a.source, build, {'CMAKE_BUILD_TYPE': build_type,
                                                               'BUILD_TESTING': testing},
                                             cc=cc, target=target)
                check('%s builds (%.0f s)' % (name, time.monotonic() - t0), status == 0,
                      output[-800:])
                found = warnings_in(output)
                check('%s: no warnings' % name, not found, '%d: %s' % (len(found), '\n'.join(found[:8])))
                check('%s: TCPNOTE_WERROR is off by default' % name,
                      cached(build, 'TCPNOTE_WERROR') == 'OFF', cached(build, 'TCPNOTE_WERROR'))
    print('%d builds in %.0f s' % (len(COMPILERS) * len(BUILD_TYPES), time.monotonic() - started))
    return finish('warnings')


if __name__ == '__main__':
    sys.exit(main())
