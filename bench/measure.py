#!/usr/bin/env python3
"""measure.py - runs a command N times with output to /dev/null; prints median seconds, peak RSS and whether it was cut.

MEASURE_TIMEOUT=S stops a run after S seconds: the line then ends in "cut", and the
seconds are a lower bound (used for tcpdump on the 4,000,000-packet capture, which it
takes a very long time over).
"""
import os
import signal
import statistics
import sys
import time


def main():
    runs = int(sys.argv[1])
    cmd = sys.argv[2:]
    limit = float(os.environ.get('MEASURE_TIMEOUT', '0'))
    times, peak, cut = [], 0, False
    for _ in range(runs):
        t0 = time.perf_counter()
        pid = os.fork()
        if pid == 0:
            fd = os.open(os.devnull, os.O_WRONLY)
            os.dup2(fd, 1)
            os.dup2(fd, 2)
            os.execvp(cmd[0], cmd)
        while True:
            done, status, ru = os.wait4(pid, os.WNOHANG)
            if done:
                break
            if limit and time.perf_counter() - t0 > limit:
                os.kill(pid, signal.SIGKILL)
                _, status, ru = os.wait4(pid, 0)
                cut = True
                break
            time.sleep(0.01)
        times.append(time.perf_counter() - t0)
        peak = max(peak, ru.ru_maxrss)
        if not cut and os.waitstatus_to_exitcode(status) != 0:
            print('error: %s exited %d' % (' '.join(cmd), os.waitstatus_to_exitcode(status)),
                  file=sys.stderr)
            return 1
        if cut:
            break
    print('%.4f %d %s' % (statistics.median(times), peak, 'cut' if cut else 'done'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
