#!/usr/bin/env python3
"""measure.py - runs a command N times with output to /dev/null; prints median seconds and peak RSS."""
import os
import resource
import statistics
import subprocess
import sys
import time


def main():
    runs = int(sys.argv[1])
    cmd = sys.argv[2:]
    times, peak = [], 0
    for _ in range(runs):
        t0 = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.execvp(cmd[0], cmd)
        _, status, ru = os.wait4(pid, 0)
        times.append(time.perf_counter() - t0)
        peak = max(peak, ru.ru_maxrss)
        if os.waitstatus_to_exitcode(status) != 0:
            print('error: %s exited %d' % (' '.join(cmd), os.waitstatus_to_exitcode(status)),
                  file=sys.stderr)
            return 1
    print('%.4f %d' % (statistics.median(times), peak))
    return 0


if __name__ == '__main__':
    sys.exit(main())
