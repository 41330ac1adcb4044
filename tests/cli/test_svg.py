#!/usr/bin/env python3
"""test_svg.py - --svg FILE on every capture in pcaps/: well-formed (xmllint), self-contained, every
label of the text output present as text, and rendered by headless Chromium to a PNG that is not blank.

Usage: test_svg.py --tcpnote BIN --pcaps DIR
"""
import glob
import os
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, finish, run, tcpnote_and_pcaps  # noqa: E402

SVG_NS = '{http://www.w3.org/2000/svg}'

# Labels each of these captures must show as text (besides everything its text output prints).
EXPECTED = {
    'seed-keepalive': ['handshake 1/3', 'handshake 2/3', 'handshake 3/3', 'keepalive',
                       'keepalive ack', 'close 1/4', 'FIN merged', 'close 4/4',
                       'http request GET /'],
    'loss-both': ['retransmission', 'previous segment not captured', 'out-of-order'],
    'loss-sender-view': ['fast retransmission', 'out-of-order', 'dup ack #1'],
    'zero-window': ['zero window', 'window update', 'keepalive'],
    'refused': ['refused'],
    'tls13': ['tls client hello', 'tls server hello'],
}

# These captures are rendered in Chromium and name a colour of the graph that must be on the
# picture (R, G, B). Every capture is checked as XML and as text; rendering and reading back a
# 1200x2000 screenshot costs about 7 s of CPU each, so only these and PICTURES are drawn.
RENDER = {
    'seed-keepalive': (0xe3, 0x77, 0xc2),  # keepalive marks
    'loss-both': (0xd6, 0x27, 0x28),       # retransmissions
    'zero-window': (0x94, 0x67, 0xbd),     # zero window marks
    'tls13': (0x2c, 0xa0, 0x2c),           # the ACK line
}

# Drawn too, without a colour to find: one capture of each other kind of content (the Kafka
# hints, a tunnel's outer line, decrypted TLS with gaps, the Zeek flip), and EXPECTED's.
PICTURES = set(RENDER) | set(EXPECTED) | {'kafka-seed', 'tunnel-vxlan', 'tls13-lossy-keylog',
                                          'midstream-server'}


def texts(root):
    """The text content of every <text> element."""
    return [''.join(t.itertext()) for t in root.iter(SVG_NS + 'text')]


def labels_of(tcpnote, pcap):
    """Every label and hint that the text output prints after '  # ' (dup ack #N as printed)."""
    rc, out, _ = run([tcpnote, '-n', '-r', pcap])
    items = set()
    for line in out.splitlines():
        if '  # ' in line:
            items.update(line.split('  # ', 1)[1].split(', '))
    return rc, items


def self_contained(data):
    """None when the document has no script, no link, no external resource; else what it has."""
    low = data.lower()
    for bad in (b'<script', b'href', b'@import', b'url(', b'<image', b'<foreignobject', b'<iframe',
                b'onload', b'onclick', b'javascript:'):
        if bad in low:
            return bad.decode()
    return None


def png_pixels(path):
    """(width, height, rows of (r, g, b) tuples) of an 8-bit RGB or RGBA PNG, with zlib only."""
    with open(path, 'rb') as f:
        data = f.read()
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('not a PNG')
    pos, idat, width = 8, b'', None
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b'IHDR':
            width, height, depth, ctype, _, _, interlace = struct.unpack('>IIBBBBB', body)
            if depth != 8 or ctype not in (2, 6) or interlace != 0:
                raise ValueError('PNG kind not handled: depth %d type %d interlace %d'
                                 % (depth, ctype, interlace))
            bpp = 3 if ctype == 2 else 4
        elif kind == b'IDAT':
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        ftype = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        if ftype == 2:
            line = bytearray((u + v) & 0xff for u, v in zip(line, prev))
            ftype = 0
        for i in range(stride if ftype else 0):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if ftype == 1:
                line[i] = (line[i] + a) & 0xff
            elif ftype == 2:
                line[i] = (line[i] + b) & 0xff
            elif ftype == 3:
                line[i] = (line[i] + (a + b) // 2) & 0xff
            elif ftype == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
                line[i] = (line[i] + pred) & 0xff
        rows.append([tuple(line[x * bpp:x * bpp + 3]) for x in range(width)])
        prev = line
    return width, height, rows


def chromium():
    for name in ('chromium', 'chromium-browser', 'google-chrome'):
        path = shutil.which(name)
        if path:
            return path
    return None


def render(browser, svg, png):
    """Screenshot svg in headless Chromium with a fresh profile; (ok, detail)."""
    profile = tempfile.mkdtemp(prefix='tcpnote-chromium-')
    try:
        p = subprocess.run([browser, '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run',
                            '--disable-background-networking', '--hide-scrollbars',
                            '--user-data-dir=' + profile, '--screenshot=' + png,
                            '--window-size=1200,2000', 'file://' + os.path.abspath(svg)],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    except subprocess.TimeoutExpired:
        return False, 'chromium did not finish within 60 s'
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    if not os.path.exists(png):
        return False, 'no screenshot (exit %d): %s' % (p.returncode, p.stderr.decode('utf-8', 'replace')[-600:])
    return True, ''


def check_picture(name, png, colour):
    width, height, rows = png_pixels(png)
    counts = {}
    for row in rows:
        for px in row:
            counts[px] = counts.get(px, 0) + 1
    total = width * height
    nonwhite = total - counts.get((255, 255, 255), 0)
    check('%s: the picture is 1200x2000' % name, (width, height) == (1200, 2000), (width, height))
    check('%s: more than 1%% of the pixels are not white' % name, nonwhite > total // 100,
          '%d of %d' % (nonwhite, total))
    check('%s: at least 5 colours' % name, len(counts) >= 5, len(counts))
    if colour is not None:
        near = sum(k for px, k in counts.items() if all(abs(px[i] - colour[i]) <= 12 for i in range(3)))
        check('%s: the mark colour #%02x%02x%02x is drawn' % (name, *colour), near >= 4, near)
    # The title is text alone at the top left: it is drawn only when a font is there.
    dark = sum(1 for y in range(12, 40) for x in range(5, 400) if sum(rows[y][x]) < 300)
    check('%s: the title text is drawn (a font is installed)' % name, dark > 100, dark)


def main():
    args = tcpnote_and_pcaps()
    pcaps = sorted(glob.glob(os.path.join(args.pcaps, '*.pcap')))
    check('there are captures in %s' % args.pcaps, pcaps)
    names = {os.path.basename(p)[:-5] for p in pcaps}
    check('every capture to draw is in %s' % args.pcaps, PICTURES <= names, PICTURES - names)
    xmllint = shutil.which('xmllint')
    check('xmllint is installed (apt-get install libxml2-utils)', xmllint)
    browser = chromium()
    check('chromium is installed (apt-get install chromium fonts-dejavu-core)', browser)
    work = tempfile.mkdtemp(prefix='tcpnote-svg-')
    try:
        for pcap in pcaps:
            name = os.path.basename(pcap)[:-5]
            svg = os.path.join(work, name + '.svg')
            rc, out, err = run([args.tcpnote, '--svg', svg, '--quiet', '-r', pcap])
            check('%s: --svg exits 0' % name, rc == 0, err)
            check('%s: --quiet prints no packet lines' % name, out == '', out[:200])
            if rc != 0 or not os.path.exists(svg):
                continue
            with open(svg, 'rb') as f:
                data = f.read()
            if xmllint:
                lint = subprocess.run([xmllint, '--noout', svg], stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE)
                check('%s: xmllint --noout accepts it' % name, lint.returncode == 0,
                      lint.stderr.decode('utf-8', 'replace'))
            bad = self_contained(data)
            check('%s: no script, link or external resource' % name, bad is None, bad)
            try:
                data.decode('utf-8')
                utf8 = True
            except UnicodeDecodeError as e:
                utf8 = e
            check('%s: valid UTF-8' % name, utf8 is True, utf8)
            root = ET.fromstring(data)
            check('%s: the root is an SVG element' % name, root.tag == SVG_NS + 'svg', root.tag)
            shown = texts(root)
            joined = '\n'.join(shown)
            rc, items = labels_of(args.tcpnote, pcap)
            missing = sorted(i for i in items if not any(i in t for t in shown))
            check('%s: every label of the text output is text in the SVG' % name,
                  rc == 0 and not missing, missing)
            missing = [w for w in EXPECTED.get(name, []) if w not in joined]
            check('%s: the expected labels are there' % name, not missing, missing)
            nconn = sum(1 for t in shown if t.startswith('connection '))
            check('%s: a section per connection, each with a graph and a ladder' % name,
                  nconn > 0 and joined.count('time-sequence graph') == nconn and
                  joined.count('ladder (seconds') == nconn, nconn)
            if browser and name in PICTURES:
                png = os.path.join(work, name + '.png')
                ok, detail = render(browser, svg, png)
                check('%s: chromium renders it' % name, ok, detail)
                if ok:
                    check_picture(name, png, RENDER.get(name))
        # --flow draws one connection of several.
        pcap = os.path.join(args.pcaps, 'port-reuse.pcap')
        svg = os.path.join(work, 'flow2.svg')
        rc, _, err = run([args.tcpnote, '--svg', svg, '--flow', '2', '--quiet', '-r', pcap])
        shown = texts(ET.parse(svg).getroot()) if rc == 0 else []
        check('--flow 2 draws connection 2 alone', rc == 0 and
              [t.split(':')[0] for t in shown if t.startswith('connection ')] == ['connection 2'],
              err or shown[:3])
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return finish('svg')


if __name__ == '__main__':
    sys.exit(main())
