#!/usr/bin/env python3
"""test_output.py - --json, --summary, --expect, --color, the Zeek states/histories and `duplicate`, on pcaps/.

JSON: every line of every capture parses with Python's json module; packet
records' frame numbers are tshark's frame.number for the same TCP packets; flow
records each lie within one of tshark's tcp.stream values and cover them all (Zeek
may cut a stream into several records); each record's labels are the
text output's. Connection state, history and close kind are compared with values
worked out by hand from each capture's packets (labels.md, Zeek's rules).
--expect: every form, passing and failing, exit codes checked.
`duplicate`: on exactly the frames that are a second copy of a packet, found here
independently of tcpnote's rule (the same IP packet on another interface).
"""
import json
import os
import pty
import re
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'oracle'))
from checks import ENV, check, finish, run, tcpnote_and_pcaps  # noqa: E402
from tcpdump_compare import VXLAN_OUTER  # noqa: E402
from pcap_copies import second_copies  # noqa: E402


# capture -> [(conn_state, history, close)] per connection, worked out by hand with Zeek 6/7's
# rules (src/conn_summary.c names them; TSA = src/packet_analysis/protocol/tcp/TCPSessionAdapter.cc):
# upper case = Zeek's originator (the first packet's sender, or its receiver when
# TCPAnalyzer::WantConnection() in src/packet_analysis/protocol/tcp/TCP.cc flips a connection
# that starts without a plain SYN from a likely server port: '^' first, Connection::FlipRoles()
# in src/Conn.cc); S syn, H syn+ack, A pure ack, D data without SYN/FIN/RST, F fin, R rst, once
# per side (TSA update_history(), Connection::CheckHistory()), S/F/R again at another sequence
# number; T a payload that does not advance the sequence space (TSA update_last_seq() ->
# TCP_Endpoint::DidRxmit()), W a zero window (TSA update_window() -> TCP_Endpoint::ZeroWindow()),
# both at the 1st, 10th, 100th ... time (Connection::ScaledHistoryEntry()); the state is
# conn_state() of scripts/base/protocols/conn/main.zeek over the endpoint states of TSA
# UpdateStateMachine().
BY_HAND = {
    # Tunnels (record-tunnels.sh): each tenant's connection a record of its own, each the
    # seed-like exchange of curl and http.server: a FIN-merged close.
    'tunnel-vxlan.pcap': [('SF', 'ShADadfF', 'FIN merged')] * 2,
    'tunnel-geneve.pcap': [('SF', 'ShADadfF', 'FIN merged')] * 2,
    'tunnel-gre.pcap': [('SF', 'ShADadfF', 'FIN merged')] * 3,
    'tunnel-ipip.pcap': [('SF', 'ShADadfF', 'FIN merged')] * 2,
    'tunnel-ip6ip.pcap': [('SF', 'ShADadfF', 'FIN merged')] * 2,
    'tunnel-mpls.pcap': [('SF', 'ShADadfF', 'FIN merged')] * 2,
    'tunnel-pppoe.pcap': [('SF', 'ShADadfF', 'FIN merged')] * 2,
    # wrap-tunnels.py's five more: the same two connections, two tenants where the tunnel has a number
    'tunnel-erspan.pcap': [('SF', 'ShADadfF', 'FIN merged')] * 4,
    'tunnel-pbb.pcap': [('SF', 'ShADadfF', 'FIN merged')] * 3,
    'tunnel-vntag.pcap': [('SF', 'ShADadfF', 'FIN merged')] * 2,
    'tunnel-teredo.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    'tunnel-gtp.pcap': [('SF', 'ShADadfF', 'FIN merged')] * 3,
    # S h A(3/3) D(GET) a(ack) ... F(client FIN) f(server FIN+ACK, merged)
    'seed-keepalive.pcap': [('SF', 'ShADaFf', 'FIN merged')],
    # server answers (a, d), closes first (f); client acks, later closes (F)
    'http-server-closes.pcap': [('SF', 'ShADadfF', 'four-way')],
    # client FIN right after its request (F), server data after it (d), then its FIN (f)
    'half-close.pcap': [('SF', 'ShADaFdf', 'four-way')],
    # SYN answered by RST+ACK: rejected
    'refused.pcap': [('REJ', 'Sr', 'refused')],
    # data both ways, then the client aborts with RST: originator reset
    'rst-abort.pcap': [('RSTO', 'ShADadR', 'reset')],
    'ipv6.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    # two connections on one 5-tuple; the server closes first each time
    'port-reuse.pcap': [('SF', 'ShADadfF', 'FIN merged'), ('SF', 'ShADadfF', 'FIN merged')],
    # the server's first data comes before any pure ACK of its own; its last ACK ends it
    'any-device.pcap': [('SF', 'ShADdfFa', 'FIN merged')],
    'http-keepalive-exchange.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    # 1 the client's SYN: S, its record ends at 2, the server's SYN with another ISN (TSA
    # IsReuse(): not closed, seq != the originator's StartSeq): S0. Record 2, the server the
    # originator: 2 S, 3 the client's SYN+ACK h (TSA UpdateInactiveState(): both ESTABLISHED),
    # 4 the server's SYN+ACK adds nothing (SYN and SYN+ACK share HIST_SYN_PKT in
    # update_history(), same sequence number), 5 d, 6 A, 7 f, 8 F, 9 a: SF
    'crafted-simultaneous.pcap': [('S0', 'S', 'open'), ('SF', 'ShdAfFa', 'simultaneous')],
    # 1-3 handshake, 4 request (D), 5 the server's response (d), 6 the client's RST; then the
    # same without a response: 7-9 handshake, 10 ClientHello (D), 11 the client's RST
    'crafted-hostile-hints.pcap': [('RSTO', 'ShADdR', 'reset'), ('RSTO', 'ShADR', 'reset')],
    # a resent client segment (T); 12 the server's ACK 3001 covers the client's 2001:2501, never
    # captured: a content gap, G (TCP_Reassembler.cc AckReceived() -> Undelivered() -> Gap(),
    # TCP_Endpoint::Gap()); 13-14 the hole 3001:3501 is filled before 15 ACKs it: no gap;
    # the client's RST at the end
    'crafted-wrap-spurious.pcap': [('RSTO', 'ShADdTaGR', 'reset')],
    # the server's window goes to zero (w, three times: below the 10th); the second zero window
    # probe repeats the first one's byte: T (TSA update_last_seq(): delta <= 0 with payload)
    'crafted-zero-window-probe.pcap': [('SF', 'ShADawTFf', 'FIN merged')],
    # bulk transfers from the server with losses: it retransmits (t); all close normally
    'loss-both.pcap': [('SF', 'ShADadtfF', 'FIN merged')],
    'loss-receiver-view.pcap': [('SF', 'ShADadtfF', 'FIN merged')],
    'loss-sender-view.pcap': [('SF', 'ShADadtfF', 'FIN merged')],
    # 20 server segments arrive behind the highest one sent (reordered or resent): t at the
    # 1st and the 10th (Connection::ScaledHistoryEntry())
    'reorder.pcap': [('SF', 'ShADadttfF', 'four-way')],
    'sack.pcap': [('SF', 'ShADadtfF', 'four-way')],
    # the slow reader advertises a zero window 10 times: W at the 1st and the 10th
    # (TCP_Endpoint::ZeroWindow())
    'zero-window.pcap': [('SF', 'ShADadtWWfF', 'four-way')],
    # every packet twice: the copies add no letters
    'duplicate-capture.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    'duplicate-capture-ipv6.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    # the seed over IPv6: the same as over IPv4
    'seed-keepalive-ipv6.pcap': [('SF', 'ShADaFf', 'FIN merged')],
    # the server retransmits (t); the client's window is 0 once near the end (W)
    'loss-ipv6.pcap': [('SF', 'ShADadtWfF', 'FIN merged')],
    # TLS and HTTP/1.1 captures (record-tls.sh); packet numbers as tcpdump/tshark count them.
    # 1 S, 2 h, 3 A, 4 D (ClientHello), 5 a, 6 d; 17 F; 18 f with ack 4263183168, which
    # does not cover the client's FIN (seq 4263183168): the FINs cross; 19, 20 ack them
    'tls13.pcap': [('SF', 'ShADadFf', 'simultaneous')],
    # 1 S, 2 h, 3 A, 4 D, 5 a, 6 d; 15 F; 16 f with ack 3174368774 = FIN + 1: merged; 17 A
    'tls12.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    # the key-log captures (issue 14): who closes first differs from run to run (read off
    # the FIN lines of each capture's golden text)
    'tls13-aes128-keylog.pcap': [('SF', 'ShADadFf', 'four-way')],
    'tls13-chacha-keylog.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    'tls13-chain-keylog.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    'tls12-ecdhe-rsa-gcm-keylog.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    'tls12-chacha-keylog.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    'tls12-ecdsa-gcm-keylog.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    'tls13-keepalive-keylog.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    'tls13-keyupdate-keylog.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    # lossy path, captured at the client: the server's lost segments come again (t: 38 times,
    # so t at the 1st and 10th); the client closes first (266), the server's FIN acknowledges it (269)
    'tls13-lossy-keylog.pcap': [('SF', 'ShADadttFf', 'FIN merged')],
    # the client's first data (the ClientHello, 4) is dropped after the capture point and
    # sent again (5: T) before the server's first ACK (6: a); the server resends 38 times (t t);
    # closes as above (275, 276)
    'tls12-lossy-ipv6-keylog.pcap': [('SF', 'ShADTadttFf', 'FIN merged')],
    # 1 S, 2 h, 3 A, 4 D, 5 a, 6 d, 8 D (the alert); 9 the server's FIN (f); 10 the
    # client's RST+ACK (R): originator aborted after the handshake, so RSTO
    'tls-alert-unknown-ca.pcap': [('RSTO', 'ShADadfR', 'reset')],
    # 1 S, 2 h, 3 A, 4 D, 5 a, 6 d (the alert); 8 the server closes first (f);
    # 9 the client's FIN with ack 1585648461 = server FIN + 1 (F, merged); 10 a
    'tls-alert-version.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    # 1 S, 2 h, 3 A, 4 D (GET /a.txt), 5 a, 6 d; 15 F; 16 f with ack 1683105884 = FIN + 1
    'http-keepalive-two.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    # 1 S, 2 h, 3 A, 4-6 D (ClientHello in three segments), 7 a, 10 d; no zero window
    # (smallest win 61, frame 33); 35 F; 36 f with ack 1928016890 = FIN + 1; 37 A
    'tls-split-hello.pcap': [('SF', 'ShADadFf', 'FIN merged')],
    # two connections one after the other, each: 1 S, 2 h, 3 A, 4 D (ClientHello), 5 a,
    # 6 d; the server closes first (f, frames 17 and 34) and the client's FIN acks it (F)
    'tls13-resumed-keylog.pcap': [('SF', 'ShADadfF', 'FIN merged'), ('SF', 'ShADadfF', 'FIN merged')],
    # the same, but the client closes first (F, frames 15 and 32), the server's FIN acks it (f)
    'tls12-resumed-keylog.pcap': [('SF', 'ShADadFf', 'FIN merged'), ('SF', 'ShADadFf', 'FIN merged')],
    # TLS after a cleartext prefix (record-tls.sh step 9). The server speaks first in
    # SMTP, FTP, IMAP, POP3, IRC here and MySQL: 4 d (banner), 6 D, 7 a. SMTP: 20 the
    # server's FIN (f), 21 the client's FIN with ack 388319807 = FIN + 1 (F, merged)
    'starttls-smtp-keylog.pcap': [('SF', 'ShAdDafF', 'FIN merged')],
    # 19 f; 20 F with ack 897570634 = FIN + 1
    'starttls-ftp-keylog.pcap': [('SF', 'ShAdDafF', 'FIN merged')],
    # 20 F (the client closes first); 21 f with ack 2098861500 = FIN + 1
    'starttls-imap-keylog.pcap': [('SF', 'ShAdDaFf', 'FIN merged')],
    # 19 F; 20 f with ack 3539908949 = FIN + 1
    'starttls-pop3-keylog.pcap': [('SF', 'ShAdDaFf', 'FIN merged')],
    # 18 f; 19 F with ack 3176590571 = FIN + 1
    'starttls-irc-keylog.pcap': [('SF', 'ShAdDafF', 'FIN merged')],
    # 19 F; 20 f with ack 3319275380 = FIN + 1
    'starttls-mysql-keylog.pcap': [('SF', 'ShAdDaFf', 'FIN merged')],
    # the client speaks first: 4 D (the stream header, the SSLRequest, the CONNECT), 5 a,
    # 6 d. XMPP: 19 f, 20 F with ack 2269141056 = FIN + 1
    'starttls-xmpp-keylog.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    # 15 f; 16 F with ack 775923893 = FIN + 1
    'connect-tunnel-keylog.pcap': [('SF', 'ShADadfF', 'FIN merged')],
    # PostgreSQL: 18 the client's FIN (F); 19 the server answers with RST+ACK (r) after
    # Terminate: the responder aborted
    'starttls-postgres-keylog.pcap': [('RSTR', 'ShADadFr', 'reset')],
    # Kafka (kcat against librdkafka's mock broker): every connection opens with the
    # client's ApiVersions request (D), the broker's ACK (a) and answer (d); kcat closes
    # first (F) and the broker's FIN follows at once, acknowledging it (f, merged), except
    # in kafka-seed's consumer connection (frames 50-53): F, the broker's own ACK 840 =
    # FIN + 1, then its FIN: four-way.
    'kafka-seed.pcap': [('SF', 'ShADadFf', 'four-way'), ('SF', 'ShADadFf', 'FIN merged')],
    'kafka-group.pcap': [('SF', 'ShADadFf', 'FIN merged')] * 2,
    'kafka-errors.pcap': [('SF', 'ShADadFf', 'FIN merged')] * 3,
    'kafka-large.pcap': [('SF', 'ShADadFf', 'FIN merged')] * 2,
    'kafka-old.pcap': [('SF', 'ShADadFf', 'FIN merged')] * 4,
    # Zeek's states in namespaces (record-zeek.sh). 1 S, 2 r (RST+ACK): TSA UpdateInactiveState()
    # puts the responder in RESET while the originator is in SYN_SENT: REJ. 3, 5, 7 the client's
    # SYN again with the same ISN (its RSTs were dropped): one connection for tcpnote's labels,
    # as for Wireshark, but Zeek starts a record at each (TSA IsReuse(): a SYN once a side has
    # closed, ConnectionClosed() set did_close at the RST): four REJ records
    'syn-retry-same-isn.pcap': [('REJ', 'Sr', 'refused')] * 4,
    # 1-3 S h A, 4 d, 5 A (seen), 6 f, 7 A (seen), 8 F, 9 a (the server's first pure ACK), 10 the
    # client's RST after both FINs: R. TSA UpdateClosedState() leaves a CLOSED endpoint closed
    # on a RST when its peer is CLOSED too: SF, not RSTO
    'rst-after-fins.pcap': [('SF', 'ShAdfFaR', 'reset')],
    # (1) 1-3 S h A, 4 D, 5 a, 6 F (half-close), 7 a (seen), 8 the server's RST: r. The server
    # was ESTABLISHED: TSA UpdateEstablishedState() -> RESET; the client CLOSED: RSTR.
    # (2) 9-11 S h A, 12 D, 13 a, 14 F, 15 d (the answer), 16 A (seen), 17 the client's RST
    # after its FIN: its peer is not CLOSED, so TSA UpdateClosedState() -> RESET: RSTO
    'half-close-rst.pcap': [('RSTR', 'ShADaFr', 'reset'), ('RSTO', 'ShADaFdR', 'reset')],
    # Zeek's timers (derive-zeek-timers.sh; defaults of scripts/base/init-bare.zeek), timers
    # fire before the packet that passes them (TimerMgr::DoAdvance(): Time() <= network time).
    # (1) 1-3 the client's SYN thrice, same ISN (no IsReuse()): S once; TSA UpdateInactiveState()
    # set AttemptTimer at 1 + tcp_attempt_delay 5 s; 4 comes 6.05 s after 1 with the responder
    # still INACTIVE: TSA AttemptTimer() removed the connection, 4 is a record of its own: S0 S.
    # (2) rst-after-fins' 1-9 (no RST): SF ShAdfFa; 8, the client's FIN after the server's, made
    # the close complete (TSA ConnectionClosed(): peer->did_close) and set ConnDeleteTimer at
    # 8 + tcp_close_delay 5 s; the RST 6.10 s after 8 starts a record: not flipped (port 56140
    # is no likely server port), R, the originator RESET, the responder INACTIVE, no S: OTH.
    # (3) half-close-rst's first connection up to the client's FIN: S h A D a F, the server still
    # open: ConnectionClosed() sets only ExpireTimer, which removes nothing while a side is open;
    # S2. The server's ACK exactly 300 s after the FIN: Session::InactivityTimer() (last_time +
    # tcp_inactivity_timeout <= t) removed it first (tcpnote's --idle-timeout, 300 s, needs more);
    # the new record's originator is the server (8083 is no likely server port): A, then R: OTH
    'zeek-timers.pcap': [('S0', 'S', 'open'), ('S0', 'S', 'open'),
                         ('SF', 'ShAdfFa', 'four-way'), ('OTH', 'R', 'reset'),
                         ('S2', 'ShADaF', 'open'), ('OTH', 'AR', 'reset')],
    # first seen mid-stream, the server speaking. (1) port 8080 is in likely_server_ports
    # (scripts/base/protocols/http/main.zeek), the client's 43118 is not: TCPAnalyzer::
    # WantConnection() flips, '^', the client is the originator: 1 d, 2 A, 7 D, 8 a, 9 f, 12 F;
    # both endpoints PARTIAL then CLOSED (TSA UpdateInactiveState(), UpdateEstablishedState()): SF.
    # (2) port 7700 is not: no flip, the server is the originator: 13 D, 14 a, 19 d, 20 A, 21 F, 24 f
    'midstream-server.pcap': [('SF', '^dADafF', 'four-way'), ('SF', 'DadAFf', 'four-way')],
    # midstream-server's first connection without frame 7 (the client's data): flipped as there;
    # the hole is ACKed but both endpoints are PARTIAL, not established_or_cleanly_closing()
    # (TCP_Reassembler.cc): no gap letter
    'acked-unseen-repeat.pcap': [('SF', '^dAafF', 'four-way')],
    # content-gap (record-zeek.sh). (1) 1-3 S h A, 4 D, 5 a; 6 the server's ACK 52 covers the
    # client's bytes 10:52, which the capture left out: TCP_Reassembler::AckReceived() ->
    # TrimToSeq() -> Undelivered() calls Gap() once, both ends ESTABLISHED, so
    # TCP_Endpoint::Gap() writes G (ScaledHistoryEntry, the 1st); 7 52:63 starts at
    # last_reassem_seq (52), 8 its ACK: no gap; 9 d, 11 F, 12 f: SF (tshark: acked unseen on 6
    # and 8). (2) the first sending of 10:52 was lost before the capture point: 19 52:63 is a
    # block above the hole, 21 the retransmission fills it before 22 ACKs 63: no gap;
    # update_last_seq() sees 21 end below LastSeq() (63) with payload: T (TCP_Endpoint::DidRxmit)
    'content-gap.pcap': [('SF', 'ShADaGdFf', 'FIN merged'), ('SF', 'ShADaTdFf', 'FIN merged')],
    # rst-after-fins with its SYN after its SYN+ACK (derive-zeek-timers.sh). 1 the SYN+ACK from
    # 8082 (not a likely server port: TCPAnalyzer::WantConnection() does not flip): the server
    # is the originator, H, SYN_ACK_SENT; 2 the client's SYN at the ACKed sequence number, s:
    # UpdateInactiveState() sees the SYN/SYN-ACK reversal, Connection::FlipRoles() appends '^'
    # and the client is the originator; 3 A; 4 d; 6 f; 8 F; 9 a (the responder's ACK bit was
    # set for the server as originator: CheckHistory() bits do not move with the flip);
    # 10 the RST after both FINs: SF
    'syn-synack-reversal.pcap': [('SF', 'Hs^AdfFaR', 'reset')],
}


def terminal_safe(s):
    """A JSON string (its code points are bytes) as the text printer escapes it: \\xNN outside printable ASCII."""
    return ''.join(c if ' ' <= c < '\x7f' and c != '\\' else '\\x%02x' % ord(c) for c in s)


# Captures whose tenants share an inner 5-tuple at the same time: records tshark merges.
TENANTS_TSHARK_MERGES = {'tunnel-gre.pcap': 1, 'tunnel-geneve.pcap': 1, 'tunnel-erspan.pcap': 2,
                         'tunnel-pbb.pcap': 1, 'tunnel-gtp.pcap': 1}


def text_labels(out):
    labels = []
    for line in out.splitlines():
        if line.startswith('    ') or VXLAN_OUTER.search(line):
            continue
        m = re.search(r'  # (.*)$', line)
        labels.append(m.group(1).split(', ') if m else [])
    return labels


def flow_records(t, args):
    """The flow records of tcpnote -n --json ARGS, in flow order."""
    rc, out, err = run([t, '-n', '--json'] + args)
    return sorted((r for r in map(json.loads, out.splitlines()) if r['type'] == 'flow'),
                  key=lambda r: r['flow'])


def summary_rows(t, args):
    rc, out, err = run([t, '-n', '--quiet', '--summary'] + args)
    return [l for l in out.splitlines() if re.match(r'\s+\d+\s', l)]


def tls_facts_checks(t, pcaps):
    """decrypted, resumed, session_id, cert_chain and the ALPN of the EncryptedExtensions in the
    flow records and the --summary rows (their values against tshark: oracle/tshark_tls_facts.py)."""
    def keyed(name):
        path = os.path.join(pcaps, name + '.pcap')
        return ['-r', path, '--keylog', os.path.join(pcaps, name + '.keys')]

    f = flow_records(t, keyed('tls13-chain-keylog'))
    check('--keylog: decrypted, the chain leaf first, not resumed',
          len(f) == 1 and f[0]['decrypted'] is True and f[0]['resumed'] is False and
          [c['subject_cn'] for c in f[0]['cert_chain']] == ['tcpnote.test', 'tcpnote test intermediate']
          and re.fullmatch('[0-9a-f]{64}', f[0]['session_id']), f)
    check('cert_chain entries have their fields, dates in ISO 8601 UTC',
          all(set(c) == {'subject_cn', 'issuer_cn', 'san', 'not_before', 'not_after', 'key', 'sha256'}
              and re.fullmatch(r'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ', c['not_after'])
              for c in f[0]['cert_chain']), f[0]['cert_chain'])
    row = summary_rows(t, keyed('tls13-chain-keylog'))
    check('--summary: decrypted and the leaf\'s CN', len(row) == 1 and
          row[0].endswith('TLS_AES_256_GCM_SHA384 decrypted sni=tcpnote.test alpn-offered=http/1.1 '
                          'cn=tcpnote.test GET /chain 200'), row)
    f = flow_records(t, ['-r', os.path.join(pcaps, 'tls13-chain-keylog.pcap')])
    check('without a key log: not decrypted, and no chain in TLS 1.3',
          f[0]['decrypted'] is False and 'cert_chain' not in f[0], f)
    for v in ('13', '12'):
        f = flow_records(t, keyed('tls%s-resumed-keylog' % v))
        check('TLS 1.%s: the second connection is resumed, without a certificate' % v[1],
              [x['resumed'] for x in f] == [False, True] and 'cert_chain' in f[0] and
              'cert_chain' not in f[1] and all(x['decrypted'] for x in f), f)
        rows = summary_rows(t, keyed('tls%s-resumed-keylog' % v))
        check('TLS 1.%s --summary: "resumed" on the second row only' % v[1],
              [' decrypted resumed ' in r for r in rows] == [False, True], rows)
    f = flow_records(t, ['-r', os.path.join(pcaps, 'tls12-resumed-keylog.pcap')])
    check('TLS 1.2 with a ticket: the first ServerHello\'s session ID is empty (""), the '
          'second echoes the client\'s', f[0]['session_id'] == '' and len(f[1]['session_id']) == 64, f)
    f = flow_records(t, keyed('tls13-resumed-keylog'))
    check('TLS 1.3 ALPN: the EncryptedExtensions\' selection, beside the offer',
          [(x['alpn'], x['alpn_offered']) for x in f] == [('http/1.1', 'h2,http/1.1')] * 2, f)
    f = flow_records(t, ['-r', os.path.join(pcaps, 'tls13-resumed-keylog.pcap')])
    check('TLS 1.3 ALPN without a key log: the offer only',
          [('alpn' in x, x['alpn_offered']) for x in f] == [(False, 'h2,http/1.1')] * 2, f)
    f = flow_records(t, keyed('tls13-chain-keylog'))
    check('TLS 1.3, a server that chose no protocol (EncryptedExtensions read): no alpn',
          'alpn' not in f[0] and f[0]['alpn_offered'] == 'http/1.1', f)
    f = flow_records(t, ['-r', os.path.join(pcaps, 'tls12.pcap')])
    check('TLS 1.2, a ServerHello without ALPN: no alpn, the offer apart',
          'alpn' not in f[0] and f[0]['alpn_offered'] == 'h2,http/1.1', f)


def hostile_certificate_checks(t):
    """A server whose certificates carry terminal escapes, quotes, backslashes, bytes >= 0x80 and
    more names than fit, sending more certificates than are kept: JSON exact, text escaped."""
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'pcaps'))
    import craft  # noqa: E402
    cn = b'evil\x1b[2J"q\\b\xc3\xa9'
    names = [b'a\x1b]0;t\x07.test'] + [b'n%02d.' % i + b'x' * 40 + b'.test' for i in range(20)]
    with tempfile.TemporaryDirectory() as d:
        san = 'subjectAltName=' + ','.join('DNS:' + n.decode('latin-1') for n in names) + ',IP:10.0.0.1'
        subprocess.run(['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt',
                        'ec_paramgen_curve:P-256', '-nodes', '-utf8', '-subj',
                        b'/CN=' + cn.replace(b'\\', b'\\\\'), '-addext', san.encode('latin-1'),
                        '-days', '30', '-keyout', os.path.join(d, 'k.pem'), '-outform', 'DER',
                        '-out', os.path.join(d, 'c.der')], check=True, capture_output=True)
        der = open(os.path.join(d, 'c.der'), 'rb').read()
        certs = b''.join(len(der).to_bytes(3, 'big') + der for _ in range(10))
        sh = b'\x03\x03' + bytes(32) + b'\x00\xc0\x2b\x00'
        msgs = (b'\x02' + len(sh).to_bytes(3, 'big') + sh + b'\x0b' + (len(certs) + 3).to_bytes(3, 'big')
                + len(certs).to_bytes(3, 'big') + certs)
        flight = b''
        for i in range(0, len(msgs), 16384):
            piece = msgs[i:i + 16384]
            flight += b'\x16\x03\x03' + len(piece).to_bytes(2, 'big') + piece
        hello = craft.client_hello(b'x.test', [b'h2'])
        k = craft.Conn(40005, 443)
        c, srv = 7000, 90000
        k.seg(True, craft.SYN, c, 0, opts=craft.MSS, win=65535)
        k.seg(False, craft.SYN | craft.ACK, srv, c + 1, opts=craft.MSS, win=65535)
        k.seg(True, craft.ACK, c + 1, srv + 1, win=65535)
        k.seg(True, craft.PSH | craft.ACK, c + 1, srv + 1, hello, win=65535)
        for i in range(0, len(flight), 1400):
            k.seg(False, craft.PSH | craft.ACK, srv + 1 + i, c + 1 + len(hello), flight[i:i + 1400],
                  win=65535)
        path = os.path.join(d, 'hostile-cert.pcap')
        k.write(path)
        f = flow_records(t, ['-r', path])
        chain = f[0].get('cert_chain', []) if f else []
        check('hostile certificates: at most 8 of the 10 kept, each read',
              len(chain) == 8 and all(c['key'] == 'EC P-256' for c in chain), f)
        c0 = chain[0] if chain else {}
        got_san = [x.encode('latin-1') for x in c0.get('san', [])]
        check('hostile certificates: JSON keeps the CN\'s bytes (as U+0000-U+00FF)',
              c0.get('subject_cn', '').encode('latin-1') == cn and
              c0.get('issuer_cn', '').encode('latin-1') == cn, c0)
        check('hostile certificates: the names that fit, exact, then san_truncated',
              got_san and got_san == names[:len(got_san)] and len(got_san) < len(names) and
              sum(len(x) + 1 for x in got_san) <= 512 and c0.get('san_truncated') is True, got_san)
        for args in (['--summary'], ['--explain']):
            rc, out, err = run([t, '-n', '-r', path] + args)
            raw = out.encode('utf-8', 'surrogateescape')
            check('hostile certificates %s: escaped for the terminal' % args[0],
                  rc == 0 and 'cn=evil\\x1b[2J"q\\x5cb\\xc3\\xa9' in out.replace('CN ', 'cn=')
                  and not re.search(rb'[\x00-\x09\x0b-\x1f\x7f]', raw), out[-400:])


def main():
    a = tcpnote_and_pcaps()
    t = a.tcpnote
    files = sorted(f for f in os.listdir(a.pcaps) if f.endswith('.pcap'))
    check('every capture has hand-worked states', set(files) == set(BY_HAND),
          set(files) ^ set(BY_HAND))

    for name in files:
        path = os.path.join(a.pcaps, name)
        rc, out, err = run([t, '-n', '--json', '-r', path])
        recs = []
        bad = None
        for line in out.splitlines():
            try:
                recs.append(json.loads(line))
            except ValueError as e:
                bad = (line, e)
        check('%s: every JSON line parses' % name, rc == 0 and bad is None and recs, bad or err)
        pkts = [r for r in recs if r['type'] == 'packet']
        flows = [r for r in recs if r['type'] == 'flow']
        td = subprocess.run(['tshark', '-n', '-r', path, '-Y', 'tcp', '-T', 'fields', '-e',
                             'frame.number', '-e', 'tcp.stream'], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, timeout=120).stdout.decode().split()
        frames, streams = [int(x) for x in td[0::2]], set(td[1::2])
        check('%s: frame numbers are tshark\'s' % name, [p['frame'] for p in pkts] == frames,
              ([p['frame'] for p in pkts][:10], frames[:10]))
        # Zeek may cut one tcp.stream into several records (IsReuse()), never join two; tshark 4.0
        # keys a stream by addresses and ports alone, so a second tenant's connection (other GRE key,
        # other VNI, same inner 5-tuple) joins the first's stream: at least that many more records.
        extra = TENANTS_TSHARK_MERGES.get(name, 0)
        stream_of = {}
        for p, s in zip(pkts, td[1::2]):
            stream_of.setdefault(p['flow'], set()).add(s)
        check('%s: %d flow records, each within one of tshark\'s %d tcp.stream, covering all'
              % (name, len(flows), len(streams)),
              sorted(f['flow'] for f in flows) == sorted(stream_of) and
              all(len(v) == 1 for v in stream_of.values()) and
              set().union(*stream_of.values()) == streams and
              len(flows) >= len(streams) + extra, stream_of)
        check('%s: numbers are numbers' % name, all(
            isinstance(p['seq'], int) and isinstance(p['ts'], float) and isinstance(p['len'], int)
            for p in pkts))
        rc, out, err = run([t, '-n', '-r', path])
        check('%s: JSON labels are the text labels (escaped as the terminal shows them)' % name,
              [[terminal_safe(l) for l in p['labels']] for p in pkts] == text_labels(out))
        dups = {p['frame'] for p in pkts if 'duplicate' in p['labels']}
        copies = second_copies(path)
        check('%s: `duplicate` on the %d second copies and nothing else' % (name, len(copies)),
              dups == copies and all(p['labels'] == ['duplicate'] for p in pkts
                                     if p['frame'] in dups), sorted(dups ^ copies)[:10])
        if name.startswith('duplicate-capture'):
            check('%s: every packet is there twice' % name, 2 * len(copies) == len(frames),
                  (len(copies), len(frames)))
        got = [(f['state'], f['history'], f['close']) for f in sorted(flows, key=lambda f: f['flow'])]
        check('%s: state, history, close as worked out by hand' % name, got == BY_HAND.get(name),
              (got, BY_HAND.get(name)))

    seed = os.path.join(a.pcaps, 'seed-keepalive.pcap')
    loss = os.path.join(a.pcaps, 'loss-both.pcap')
    reuse = os.path.join(a.pcaps, 'port-reuse.pcap')
    rview = os.path.join(a.pcaps, 'loss-receiver-view.pcap')
    cases = [
        # (capture, expectation, exit code)
        (seed, 'keepalive', 0), (seed, 'reset', 3),
        (seed, '!reset', 0), (seed, '!keepalive', 3),
        (seed, 'keepalive=3', 0), (seed, 'keepalive=2', 3),
        (seed, 'keepalive>=3', 0), (seed, 'keepalive>=4', 3),
        (seed, 'keepalive<=3', 0), (seed, 'keepalive<=2', 3),
        (seed, 'handshake 3/3>=1', 0), (loss, 'retransmission=0', 3),
        (rview, 'dup ack>=1', 0), (rview, 'dup ack=0', 3),
        (reuse, 'state:SF=2', 0), (reuse, 'state:SF=1', 3),
        (reuse, 'state:SF>=2', 0), (reuse, 'state:REJ>=1', 3),
        (reuse, 'state:SF<=2', 0), (reuse, 'state:SF<=1', 3),
        (reuse, 'flows=2', 0), (reuse, 'flows=3', 3),
        (reuse, 'flows>=2', 0), (reuse, 'flows<=1', 3),
        (seed, 'nonsense label', 2), (seed, 'keepalive=x', 2), (seed, '!keepalive=0', 2),
        (seed, 'state:XX=1', 2), (seed, 'keepalive>3', 2), (seed, 'flows', 2),
    ]
    for path, expr, want in cases:
        rc, out, err = run([t, '-n', '--quiet', '-r', path, '--expect', expr])
        check('--expect %r on %s exits %d' % (expr, os.path.basename(path), want), rc == want,
              (rc, err))
        if want == 3:
            check('--expect %r says what it counted' % expr,
                  re.search(r"expectation failed: '.*': expected .*, counted \d+", err), err)
    rc, out, err = run([t, '-n', '--quiet', '-r', loss, '--expect', 'retransmission=0'])
    check('a failed label expectation names the first frames', re.search(r'\(frames \d+', err), err)
    rc, out, err = run([t, '-n', '--quiet', '-r', seed, '--expect', '!reset', '--expect', 'keepalive=3',
                        '--expect', 'state:SF=1', '--expect', 'flows=1'])
    check('several expectations, all true: exit 0, nothing printed', rc == 0 and out == '', (rc, out))

    rc, out, err = run([t, '-n', '--quiet', '--summary', '-r', reuse])
    rows = [l for l in out.splitlines() if re.match(r'\s+\d+\s', l)]
    check('--summary: a row per connection with state, history, close', len(rows) == 2 and
          all('SF' in r and 'ShADadfF' in r and 'FIN merged' in r for r in rows), out)
    rc, out2, err = run([t, '-n', '--summary', '-r', reuse])
    check('--summary comes after the packet lines', out2.endswith(out) and out2.count('\n') > 20)

    # A connection goes 5 s of capture time after its close completed (Zeek's tcp_close_delay):
    # content-gap's first connection closes 10 s before the second opens, so its JSON flow
    # record is written then, between the two connections' packets, not at the end of the input
    # (one thread or two); --summary and --expect still count it.
    gap = os.path.join(a.pcaps, 'content-gap.pcap')
    for threads in ('1', '2'):
        rc, out, err = run([t, '-n', '--json', '--threads', threads, '-r', gap])
        recs = [json.loads(l) for l in out.splitlines()]
        kinds = [(r['type'], r['flow']) for r in recs]
        at = kinds.index(('flow', 1)) if ('flow', 1) in kinds else -1
        check('--threads %s: a closed connection\'s flow record comes 5 s after its close, before '
              'the next connection\'s packets' % threads,
              rc == 0 and at > 0 and kinds[at - 1] == ('packet', 1) and
              kinds[at + 1] == ('packet', 2) and kinds[-1] == ('flow', 2) and
              recs[at + 1]['ts'] - recs[at]['last_ts'] >= 5, kinds)
    rc, out, err = run([t, '-n', '--quiet', '--summary', '-r', gap, '--expect', 'flows=2',
                        '--expect', 'state:SF=2'])
    rows = [l for l in out.splitlines() if re.match(r'\s+\d+\s', l)]
    check('--summary and --expect count the connection removed after its close',
          rc == 0 and len(rows) == 2, (rc, out, err))

    # TLS and HTTP facts of each connection: in the JSON flow record and the --summary row,
    # the same as the packets' hints (which tests/oracle/tshark_hints.py holds against tshark).
    for name, want in (('tls13.pcap', {'sni': 'tcpnote.test', 'alpn_offered': 'h2,http/1.1',
                                       'tls_version': 'TLSv1.3', 'cipher': 'TLS_AES_256_GCM_SHA384'}),
                       ('tls12.pcap', {'sni': 'tcpnote.test', 'tls_version': 'TLSv1.2',
                                       'cipher': 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384'}),
                       ('http-keepalive-two.pcap', {'http_request': 'GET /a.txt', 'http_status': 200})):
        rc, out, err = run([t, '-n', '--json', '-r', os.path.join(a.pcaps, name)])
        recs = [json.loads(l) for l in out.splitlines()]
        flow = [r for r in recs if r['type'] == 'flow']
        hints = [h for r in recs if r['type'] == 'packet' for h in r['labels']
                 if h.startswith(('tls ', 'http '))]
        check('%s: the flow record has %s' % (name, sorted(want)), len(flow) == 1 and
              all(flow[0].get(k) == v for k, v in want.items()), flow)
        first = {'sni': 'tls client hello sni=', 'tls_version': 'tls server hello ',
                 'http_request': 'http request '}
        check('%s: the flow record repeats the first hints' % name,
              all(any(h.startswith(first[k] + str(want[k])) for h in hints) for k in want if k in first),
              hints)
        rc, out, err = run([t, '-n', '--quiet', '--summary', '-r', os.path.join(a.pcaps, name)])
        row = out.splitlines()[-1]
        check('%s: the --summary row ends with the facts' % name,
              all(str(v) in row for v in want.values()), row)

    # Hostile bytes in a path, a server name and ALPN: escaped in text, exact in JSON.
    hostile = os.path.join(a.pcaps, 'crafted-hostile-hints.pcap')
    rc, out, err = run([t, '-n', '--summary', '-r', hostile])
    raw = out.encode('utf-8', 'surrogateescape')
    check('hostile hints: no escape, BEL or byte >= 0x80 reaches the terminal',
          rc == 0 and not re.search(rb'[\x00-\x09\x0b-\x1f\x7f-\xff]', raw), out[-600:])
    check('hostile hints: shown escaped', '\\x1b[2J\\x1b]0;owned\\x07"quote"\\x5cback\\xff\\xfe' in out
          and 'sni=evil\\x1b]0;title\\x07"\\x5c.example alpn=h2,\\x1b[5m"x\\x5c,\\xc3\\xa9' in out, out)
    rc, out, err = run([t, '-n', '--json', '-r', hostile])
    recs = [json.loads(l) for l in out.splitlines()]
    labels = [h for r in recs if r['type'] == 'packet' for h in r['labels']]
    flows = [r for r in recs if r['type'] == 'flow']
    path = '/\x1b[2J\x1b]0;owned\x07"quote"\\back\xff\xfe'
    check('hostile hints: JSON keeps every byte (as U+0000-U+00FF)',
          'http request GET ' + path in labels and flows[0].get('http_request') == 'GET ' + path
          and flows[1].get('sni') == 'evil\x1b]0;title\x07"\\.example'
          and flows[1].get('alpn_offered') == 'h2,\x1b[5m"x\\,\xc3\xa9', (labels, flows))

    rc1, o1, e1 = run([t, '-n', '-tt', '-r', loss])
    rc2, o2, e2 = run([t, '-n', '-tt', '-r', loss])
    check('-tt output is byte-identical from run to run', rc1 == 0 and o1 == o2)
    rc, out, err = run([t, '-n', '--color=always', '-r', seed])
    check('--color=always colours the labels', '\x1b[32mhandshake 1/3\x1b[0m' in out, out[:200])
    rc, out, err = run([t, '-n', '--color=auto', '-r', seed])
    check('--color=auto does not colour a pipe', '\x1b[' not in out)
    rc, out, err = run([t, '-n', '--color=never', '-r', seed])
    check('--color=never', '\x1b[' not in out and rc == 0)
    rc, out, err = run([t, '-n', '--color=sometimes', '-r', seed])
    check('--color with a bad value is a usage error', rc == 2)
    # On a terminal: colour by default, none with NO_COLOR (https://no-color.org).
    for no_color, want in ((None, True), ('1', False)):
        env = dict(ENV)
        env.pop('NO_COLOR', None)
        if no_color:
            env['NO_COLOR'] = no_color
        master, slave = pty.openpty()
        p = subprocess.Popen([t, '-n', '-r', seed], stdout=slave, stderr=subprocess.DEVNULL, env=env)
        os.close(slave)
        chunks = []
        while True:
            try:
                data = os.read(master, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        p.wait(timeout=30)
        os.close(master)
        tty_out = b''.join(chunks).decode('utf-8', 'replace')
        check('on a terminal%s the labels are %scoloured' % (
            ' with NO_COLOR' if no_color else '', '' if want else 'not '),
            ('\x1b[32m' in tty_out) == want and 'handshake 1/3' in tty_out, tty_out[:200])
    tls_facts_checks(t, a.pcaps)
    hostile_certificate_checks(t)
    rc, out, err = run([t, '-n', '--help'])
    check('--help fits one screen (24 lines)', rc == 0 and out.count('\n') <= 24, out.count('\n'))

    return finish('output')


if __name__ == '__main__':
    sys.exit(main())
