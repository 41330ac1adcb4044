#!/usr/bin/env python3
"""tshark_kafka.py - tcpnote's Kafka hints against tshark's Kafka dissector, frame by frame.

Usage: tshark_kafka.py --tcpnote TCPNOTE [--show] [--none PATH]... PCAP...

tshark (4.0) decodes Kafka only on a port it is told about: the server port of each
capture (the destination of a SYN without ACK) is handed to it with
-d tcp.port==PORT,kafka, and its PDML read. Like tcpnote, tshark puts a message that
spans segments on the frame that completes it. For every Kafka message (PDU) of every
frame, these are compared with the hint `tcpnote -n --json -r` gives for it (its labels):

  api        the API key (tcpnote writes the protocol guide's name; NAMES below maps it)
  version    the API version (a response's is its request's)
  direction  request or response
  topics     the (topic, partition) pairs of the message; for Metadata, the topic names
  offsets    per partition, the number tcpnote shows after "from offset" (Fetch request),
             "high watermark" (Fetch response: tshark's kafka.offset in the partition),
             "base offset" (Produce response), "offset" (ListOffsets response, OffsetCommit
             request, OffsetFetch response, "none" being -1)
  records    per partition, the records of a Produce request or Fetch response (tshark's
             Record entries)
  errors     the non-zero error codes anywhere in the message, by name (ERRORS below)
  group      the consumer group and member id where tcpnote shows them

Then the facts of each connection's JSON flow record ("kafka": client id, requests by API,
last high watermark per topic-partition) against the same connection's messages in
tshark: the first client id its requests carry, its requests counted by API key, and per
topic-partition the high watermark of its last Fetch response that gave one (not -1).
The flow record keeps at most 16 topic-partitions (the others counted in
high_watermarks_not_kept); the captures have fewer.

A table of agreements is printed; the exit status is 1 if any message differs (one only
one side has, or a field with different values), with the frames listed. --show prints
both sides of every frame.

--none PATH (a capture, or a directory of them; repeatable): captures that hold no Kafka,
on which tcpnote must find none (content sniffing must not mistake TLS, HTTP or
tcpdump's test captures for Kafka).

Known difference, not counted as one: ApiVersions v3 responses with error
UNSUPPORTED_VERSION. The broker (librdkafka's mock) writes the version list in a layout of
its own; tshark reads it as v3 and finds a throttle time and garbage after the error,
tcpnote reads only the error (src/app_kafka.c). Their error codes are still compared.
"""
import argparse
import collections
import json
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

# The protocol guide's names of the API keys in the captures (an independent copy of
# kafka_names.c's, which this checks).
NAMES = {
    'Produce': 0, 'Fetch': 1, 'ListOffsets': 2, 'Metadata': 3, 'OffsetCommit': 8,
    'OffsetFetch': 9, 'FindCoordinator': 10, 'JoinGroup': 11, 'Heartbeat': 12,
    'LeaveGroup': 13, 'SyncGroup': 14, 'SaslHandshake': 17, 'ApiVersions': 18,
    'CreateTopics': 19, 'InitProducerId': 22, 'SaslAuthenticate': 36,
}

# Kafka error codes (protocol guide, "Error Codes") that the captures hold.
ERRORS = {
    1: 'OFFSET_OUT_OF_RANGE', 3: 'UNKNOWN_TOPIC_OR_PARTITION', 6: 'NOT_LEADER_OR_FOLLOWER',
    15: 'COORDINATOR_NOT_AVAILABLE', 16: 'NOT_COORDINATOR', 25: 'UNKNOWN_MEMBER_ID',
    27: 'REBALANCE_IN_PROGRESS', 35: 'UNSUPPORTED_VERSION', 79: 'MEMBER_ID_REQUIRED',
}

# The word before the number that is the partition's offset in tcpnote's hint, per API and
# direction; tshark's counterpart is the partition's kafka.offset.
OFFSET_WORD = {
    (1, 'request'): 'from offset', (1, 'response'): 'high watermark',
    (0, 'response'): 'base offset', (2, 'response'): 'offset',
    (8, 'request'): 'offset', (9, 'response'): 'offset',
}

FIELDS = ['api', 'version', 'direction', 'topics', 'offsets', 'records', 'errors', 'group']

# The flow record's Kafka facts compared per connection.
FACTS = ['client_id', 'apis', 'high_watermarks']


def server_ports(pcap):
    out = subprocess.run(['tshark', '-n', '-r', pcap, '-Y', 'tcp.flags.syn==1 && tcp.flags.ack==0',
                          '-T', 'fields', '-e', 'tcp.dstport'], capture_output=True, text=True,
                         check=True).stdout
    return sorted({int(p) for p in out.split()})


def children(node, name):
    return [c for c in node if c.tag == 'field' and c.get('name') == name]


def first_show(node, name):
    c = children(node, name)
    return c[0].get('show') if c else None


def walk_partitions(node, topic, out):
    """(topic, partition, node) for every kafka.partition_id, topic from the nearest topic_name."""
    t = first_show(node, 'kafka.topic_name')
    if t is not None:
        topic = t
    for c in node:
        if c.tag == 'field' and c.get('name') == 'kafka.partition_id':
            out.append((topic, int(c.get('show')), node))
    for c in node:
        if c.tag == 'field' and len(c):
            walk_partitions(c, topic, out)


def count_records(node):
    return sum(1 for f in node.iter('field') if f.get('name') == '' and f.get('show') == 'Record')


def tshark_pdus(pcap):
    """{frame: [message facts]} from tshark's PDML."""
    dis = []
    for port in server_ports(pcap):
        dis += ['-d', 'tcp.port==%d,kafka' % port]
    p = subprocess.run(['tshark', '-n', '-r', pcap] + dis + ['-T', 'pdml', '-Y', 'kafka'],
                       capture_output=True, check=True)
    frames = collections.defaultdict(list)
    for pkt in ET.fromstring(p.stdout).iter('packet'):
        num = None
        ports = None
        for proto in pkt.iter('proto'):
            if proto.get('name') == 'geninfo':
                num = int(first_show(proto, 'num'))
            if proto.get('name') == 'tcp':
                ports = (int(first_show(proto, 'tcp.srcport')), int(first_show(proto, 'tcp.dstport')))
            if proto.get('name') != 'kafka':
                continue
            direction = 'request' if children(proto, 'kafka.request_key') else 'response'
            key = int(first_show(proto, 'kafka.api_key'))
            ver = first_show(proto, 'kafka.api_version' if direction == 'request'
                             else 'kafka.response.version')
            parts = []
            walk_partitions(proto, None, parts)
            f = {'api': key, 'version': int(ver), 'direction': direction,
                 'client_port': ports[0] if direction == 'request' else ports[1],
                 'client_id': first_show(proto, 'kafka.client_id'),
                 'correlation_id': int(first_show(proto, 'kafka.correlation_id')), 'stable': {}}
            if key == 3:  # Metadata: the topic names only
                f['topics'] = sorted({fl.get('show') for fl in proto.iter('field')
                                      if fl.get('name') == 'kafka.topic_name'})
            else:
                f['topics'] = sorted({(t, pt) for t, pt, _ in parts})
            f['offsets'] = {}
            f['records'] = {}
            word = OFFSET_WORD.get((key, direction))
            for t, pt, node in parts:
                off = first_show(node, 'kafka.offset')
                if word and off is not None:
                    f['offsets'][(t, pt)] = int(off)
                if (key, direction) in ((0, 'request'), (1, 'response')):
                    f['records'][(t, pt)] = count_records(node)
                if (key, direction) == (1, 'response'):  # for test_explain.py
                    f['stable'][(t, pt)] = tuple(int(first_show(node, n) or -1) for n in
                                                 ('kafka.last_stable_offset', 'kafka.log_start_offset'))
            f['errors'] = sorted({int(fl.get('show')) for fl in proto.iter('field')
                                  if fl.get('name') == 'kafka.error' and fl.get('show') != '0'})
            if key == 18 and direction == 'response' and 35 in f['errors']:
                f['errors'] = [35]  # the rest is tshark reading the mock's list as v3
            group = first_show(proto, 'kafka.consumer_group')
            if group is None and key == 10:
                group = first_show(proto, 'kafka.coordinator_key')
            member = first_show(proto, 'kafka.member_id')
            f['group'] = (group, member)
            frames[num].append(f)
    return frames


HINT = re.compile(r'kafka (api \d+|\S+) v(\d+) (request|response)(.*)$')
PART = re.compile(r'(?:^| |, )([^ ,/()]+)/(-?\d+)((?:(?!, [^ ,/()]+/-?\d+).)*)')


def parse_hint(text):
    m = HINT.match(text)
    if not m:
        raise ValueError('not a kafka hint: %r' % text)
    name, ver, direction, rest = m.groups()
    key = int(name[4:]) if name.startswith('api ') else NAMES.get(name)
    if key is None:
        raise ValueError('unknown API name %r: add it to NAMES' % name)
    f = {'api': key, 'version': int(ver), 'direction': direction, 'offsets': {}, 'records': {}}
    rest = rest.replace(' [|kafka]', '')
    if key == 3:
        # Request: " T1,T2", " all topics" or " no topics"; response: "... topics T1,T2(ERROR)".
        tm = re.search(r' topics (\S+)' if direction == 'response' else r'^ (\S+)$', rest)
        f['topics'] = sorted(re.sub(r'\([A-Z_]+\)', '', t) for t in tm.group(1).split(',')
                             if t != '...') if tm else []
    else:
        parts = PART.findall(rest)
        f['topics'] = sorted({(t, int(p)) for t, p, _ in parts})
        word = OFFSET_WORD.get((key, direction))
        for t, p, detail in parts:
            if word:
                om = re.search(word + r' (-?\d+|none)', detail)
                if om:
                    f['offsets'][(t, int(p))] = -1 if om.group(1) == 'none' else int(om.group(1))
            rm = re.search(r'(\d+) records?', detail)
            if rm and (key, direction) in ((0, 'request'), (1, 'response')):
                f['records'][(t, int(p))] = int(rm.group(1))
    names = {v: k for k, v in ERRORS.items()}
    errs = set()
    for word in re.findall(r'\b[A-Z][A-Z_]{3,}\b', rest):
        if word not in names:
            raise ValueError('unknown error name %r: add it to ERRORS' % word)
        errs.add(names[word])
    f['errors'] = sorted(errs)
    gm = re.search(r' group (\S+)', rest)
    mm = re.search(r' member (\S+)', rest)
    f['group'] = (gm.group(1) if gm else None, mm.group(1) if mm else None)
    return f


def dump_pdus(tcpnote, pcap, flows=None):
    """The Kafka hints of `tcpnote -n --json -r PCAP`, per frame; flows (a dict) gets each flow
    record's "kafka" facts by client port."""
    p = subprocess.run([tcpnote, '-n', '--json', '-r', pcap], capture_output=True, text=True)
    frames = collections.defaultdict(list)
    texts = collections.defaultdict(list)
    for line in p.stdout.splitlines():  # a file libpcap cannot read gives none (the corpus holds a few)
        r = json.loads(line)
        if r.get('type') == 'flow' and flows is not None and 'kafka' in r:
            flows[int(r['client'].rsplit(':', 1)[1])] = r['kafka']
        if r.get('type') != 'packet':
            continue
        for text in r.get('labels') or []:
            if text.startswith('kafka '):
                frames[r['frame']].append(parse_hint(text))
                texts[r['frame']].append(text)
    return frames, texts


def tshark_facts(ts):
    """{client port: facts} as the flow record should state them, from tshark's messages in frame order."""
    inv = {v: k for k, v in NAMES.items()}
    facts = {}
    for num in sorted(ts):
        for f in ts[num]:
            c = facts.setdefault(f['client_port'], {'client_id': None, 'apis': collections.Counter(),
                                                     'high_watermarks': {}})
            if f['direction'] == 'request':
                c['apis'][inv.get(f['api'], 'api %d' % f['api'])] += 1
                if c['client_id'] is None and f['client_id']:
                    c['client_id'] = f['client_id']
            elif f['api'] == 1:
                for tp, hw in f['offsets'].items():
                    if hw >= 0:
                        c['high_watermarks'][tp] = hw
    return facts


def tcpnote_facts(k):
    """A flow record's "kafka" member in tshark_facts' shape."""
    return {'client_id': k.get('client_id'), 'apis': collections.Counter(k['apis']),
            'high_watermarks': {(h['topic'], h['partition']): h['high_watermark']
                                for h in k['high_watermarks']}}


def compare_group(ts, tn):
    """tshark's (group, member) against tcpnote's: only what tcpnote shows is compared."""
    tg, tm = ts
    ng, nm = tn
    return (ng is None or ng == tg) and (nm is None or nm == tm)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--tcpnote', required=True)
    ap.add_argument('--show', action='store_true')
    ap.add_argument('--none', action='append', default=[])
    ap.add_argument('pcaps', nargs='+')
    a = ap.parse_args()
    agree = collections.Counter()
    total = collections.Counter()
    values = collections.Counter()
    versions = collections.Counter()
    bad = []
    n_msgs = 0
    fact_agree = collections.Counter()
    fact_total = collections.Counter()
    for pcap in a.pcaps:
        ts = tshark_pdus(pcap)
        flows = {}
        tn, texts = dump_pdus(a.tcpnote, pcap, flows)
        want = tshark_facts(ts)
        for port in sorted(set(want) | set(flows)):
            x = want.get(port)
            y = tcpnote_facts(flows[port]) if port in flows else None
            if a.show:
                print('%s: connection from port %d\n  tshark:  %s\n  tcpnote: %s' % (pcap, port, x, y))
            for k in FACTS:
                fact_total[k] += 1
                if x is not None and y is not None and x[k] == y[k]:
                    fact_agree[k] += 1
                else:
                    bad.append('%s connection from port %d, flow record %s: tshark %r, tcpnote %r' %
                               (pcap, port, k, x and x[k], y and y[k]))
        for num in sorted(set(ts) | set(tn)):
            x, y = ts.get(num, []), tn.get(num, [])
            if a.show:
                print('%s:%d\n  tshark:  %s\n  tcpnote: %s' % (pcap, num, x, texts.get(num)))
            if len(x) != len(y):
                bad.append('%s frame %d: tshark has %d messages, tcpnote %d: %s' %
                           (pcap, num, len(x), len(y), texts.get(num)))
                continue
            for fx, fy, text in zip(x, y, texts[num]):
                n_msgs += 1
                versions[(fx['api'], fx['direction'], fx['version'])] += 1
                for k in FIELDS:
                    total[k] += 1
                    same = compare_group(fx[k], fy[k]) if k == 'group' else fx[k] == fy[k]
                    if k in ('offsets', 'records'):
                        values[k] += len(fx[k])
                    if same:
                        agree[k] += 1
                    else:
                        bad.append('%s frame %d %s: tshark %r, tcpnote %r (%s)' %
                                   (pcap, num, k, fx[k], fy[k], text))
    print('%d Kafka messages in %d captures' % (n_msgs, len(a.pcaps)))
    print('%-10s %9s' % ('field', 'agree'))
    for k in FIELDS:
        print('%-10s %4d/%-4d%s' % (k, agree[k], total[k],
                                    ' (%d partition values)' % values[k] if k in values else ''))
    for k in FACTS:
        print('%-10s %4d/%-4d(flow records)' % (k, fact_agree[k], fact_total[k]))
    print('API versions seen: ' + ', '.join(
        '%d %s v%d (%d)' % (k, d, v, n) for (k, d, v), n in sorted(versions.items())))
    none = []
    for path in a.none:
        none += sorted(os.path.join(path, f) for f in os.listdir(path)) if os.path.isdir(path) \
            else [path]
    for path in none:
        _, texts = dump_pdus(a.tcpnote, path)
        for num in sorted(texts):
            bad.append('%s frame %d: a Kafka hint on a capture without Kafka: %s' %
                       (path, num, texts[num]))
    if none:
        print('%d captures without Kafka: %d with a Kafka hint' %
              (len(none), len({b.split(' frame')[0] for b in bad if 'without Kafka' in b})))
    for b in bad:
        print('DIFFERS: ' + b)
    if n_msgs == 0:
        print('no Kafka message compared')
        return 1
    passed = sum(agree.values()) + sum(fact_agree.values())
    print('%d passed, %d failed' % (passed, sum(total.values()) + sum(fact_total.values()) - passed))
    return 1 if bad else 0


if __name__ == '__main__':
    sys.exit(main())
