/* test_starttls.c - unit tests of TLS after a cleartext prefix: the recorded connections of each protocol, refusals, hostile prefixes and their bounds. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "fixtures.h"
#include "tcpnote/app_starttls.h"
#include "tcpnote/app_track.h"
#include "tcpnote/decode.h"
#include "tcpnote/app_keys.h"
#include "tcpnote/tls_keylog.h"

#ifndef TCPNOTE_PCAPS
#define TCPNOTE_PCAPS "pcaps"
#endif

/* ------------------------------------------------------------------ */
/* The recorded connections (pcaps/, record-tls.sh step 9), replayed through app_track_segment */

#define MAX_HINTS 64

/* Every hint a replay gave, one kind at a time, in the order the segments gave them. */
struct replay {
	char hint[MAX_HINTS][APP_HINT_TEXT_MAX];
	size_t n;
	uint32_t starttls_frame; /* the frame whose segment carried the starttls hint */
	bool state_left;         /* the connection still held application state at its end */
};

enum feed_mode {
	FEED_WHOLE, /* each segment as captured */
	FEED_BYTES, /* each payload byte as a segment of its own, after the opener's segment */
	FEED_TWICE  /* each segment, then the same again (a retransmission: no hint twice) */
};

static void note_hints(struct replay *r, const struct app_hints *h, uint32_t frame)
{
	uint32_t b = h->bits;
	enum app_hint_kind k;

	while ((k = app_hints_next(&b)) != APP_HINT_COUNT) {
		assert_true(r->n < MAX_HINTS);
		app_hint_format(h, k, r->hint[r->n++], APP_HINT_TEXT_MAX);
		if (k == APP_HINT_STARTTLS)
			r->starttls_frame = frame;
	}
}

/* The connection being replayed: its application state and the tracker's facts about it. */
struct replayed {
	struct app_state *st;
	uint8_t judged;
	struct app_keys *keys;
	uint32_t isn[2];
	bool have_isn[2];
};

static void feed(struct replayed *c, int role, const struct packet *p, uint32_t frame,
		 struct replay *r)
{
	struct app_hints h;

	assert_true(app_track_segment(&c->st, &c->judged, role, c->have_isn[role],
				      c->isn[role] + 1, p, 0, c->keys, &h));
	note_hints(r, &h, frame);
}

static void feed_mode(struct replayed *c, int role, const struct packet *p, uint32_t frame,
		      enum feed_mode mode, struct replay *r)
{
	struct packet one;
	size_t i, before = r->n;

	/* The connection's first payload is judged as it comes: an opener is never cut. */
	if (mode == FEED_BYTES && c->judged == 0)
		mode = FEED_WHOLE;
	switch (mode) {
	case FEED_WHOLE:
		feed(c, role, p, frame, r);
		break;
	case FEED_TWICE:
		feed(c, role, p, frame, r);
		before = r->n;
		feed(c, role, p, frame, r);
		assert_int_equal(r->n, before);
		break;
	case FEED_BYTES:
		for (i = 0; i < p->tcp.payload.len; i++) {
			one = *p;
			one.tcp.seq = p->tcp.seq + (uint32_t)i;
			one.tcp.payload = span_make(p->tcp.payload.data + i, 1);
			one.tcp.paylen = 1;
			feed(c, role, &one, frame, r);
		}
		break;
	}
}

/*
 * Replay pcaps/NAME: the server is the destination of the first SYN. With
 * keys, the capture's key log is used. merge_frame (0: none): that frame's
 * payload and the next payload of the same side are fed as one segment, as
 * a sender that coalesced them would have sent it.
 */
static void replay(const char *name, bool keys, enum feed_mode mode, uint32_t merge_frame,
		   struct replay *r)
{
	static uint8_t merged[70000];
	char path[512], ebuf[PCAP_ERRBUF_SIZE];
	struct decode_opts dopts = {.verify_checksums = false};
	struct replayed c = {0};
	struct tls_keylog *kl = NULL;
	struct pcap_pkthdr *h;
	const unsigned char *bytes;
	struct packet p, held;
	uint16_t server = 0;
	uint32_t frame = 0;
	size_t mlen = 0;
	bool holding = false;
	pcap_t *pc;

	memset(r, 0, sizeof(*r));
	if (keys) {
		unsigned long bad = 0;
		char err[256];

		snprintf(path, sizeof(path), "%s/%.*s.keys", TCPNOTE_PCAPS,
			 (int)(strlen(name) - strlen(".pcap")), name);
		kl = tls_keylog_new();
		assert_non_null(kl);
		assert_int_equal(tls_keylog_load(kl, path, &bad, err, sizeof(err)), 0);
		assert_int_equal(bad, 0);
		c.keys = app_keys_new(kl, NULL, NULL, NULL);
		assert_non_null(c.keys);
	}
	snprintf(path, sizeof(path), "%s/%s", TCPNOTE_PCAPS, name);
	pc = pcap_open_offline(path, ebuf);
	if (pc == NULL)
		fail_msg("%s: %s", path, ebuf);
	while (pcap_next_ex(pc, &h, &bytes) == 1) {
		int role;

		frame++;
		decode_packet(pcap_datalink(pc), bytes, h->caplen, h->len, &dopts, &p);
		assert_true(packet_is_tcp(&p));
		if ((p.tcp.flags & TCPF_SYN) && !(p.tcp.flags & TCPF_ACK))
			server = p.tcp.dport;
		role = p.tcp.sport == server ? 1 : 0;
		if (p.tcp.flags & TCPF_SYN) {
			c.isn[role] = p.tcp.seq;
			c.have_isn[role] = true;
		}
		if (p.tcp.payload.len == 0)
			continue;
		if (frame == merge_frame) {
			memcpy(merged, p.tcp.payload.data, p.tcp.payload.len);
			mlen = p.tcp.payload.len;
			held = p;
			holding = true;
			continue;
		}
		if (holding && (held.tcp.sport == server ? 1 : 0) == role) {
			assert_true(mlen + p.tcp.payload.len <= sizeof(merged));
			assert_int_equal(held.tcp.seq + (uint32_t)mlen, p.tcp.seq);
			memcpy(merged + mlen, p.tcp.payload.data, p.tcp.payload.len);
			mlen += p.tcp.payload.len;
			held.tcp.payload = span_make(merged, mlen);
			held.tcp.paylen = (uint32_t)mlen;
			holding = false;
			feed_mode(&c, role, &held, merge_frame, mode, r);
			continue;
		}
		feed_mode(&c, role, &p, frame, mode, r);
	}
	pcap_close(pc);
	assert_false(holding);
	r->state_left = c.st != NULL;
	app_track_clear(&c.st, &c.judged);
	app_keys_free(c.keys);
	tls_keylog_free(kl);
}

static void assert_hints(const struct replay *r, const char *const *want, size_t n)
{
	size_t i;

	for (i = 0; i < n && i < r->n; i++)
		assert_string_equal(r->hint[i], want[i]);
	assert_int_equal(r->n, n);
}

#define HELLO "tls client hello sni=tcpnote.test"
#define SH13 "tls server hello TLSv1.3 TLS_AES_256_GCM_SHA384"
#define SH12 "tls server hello TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
/* A TLS 1.3 handshake after the ServerHello, decrypted with the key log. */
#define DECRYPTED13                                                                                \
	"tls change cipher spec", "tls app data", "tls encrypted extensions",                      \
	    "tls certificate cn=tcpnote.test", "tls certificate verify", "tls finished",           \
	    "tls change cipher spec", "tls app data", "tls finished"

/* What tshark shows on the same captures (tests/oracle/tshark_hints.py), in our words. */
struct recorded {
	const char *pcap;
	uint32_t starttls_frame; /* the server's yes (MySQL: the client's SSL request) */
	const char *first;       /* the starttls hint, or CONNECT's two HTTP hints */
	bool tls12;
};

static const struct recorded recorded[] = {
	{"starttls-smtp-keylog.pcap", 10, "starttls smtp", false},
	{"starttls-imap-keylog.pcap", 10, "starttls imap", false},
	{"starttls-pop3-keylog.pcap", 8, "starttls pop3", true},
	{"starttls-ftp-keylog.pcap", 8, "starttls ftp", false},
	{"starttls-xmpp-keylog.pcap", 9, "starttls xmpp", false},
	{"starttls-irc-keylog.pcap", 8, "starttls irc", false},
	{"starttls-postgres-keylog.pcap", 6, "starttls postgres", false},
	{"starttls-mysql-keylog.pcap", 6, "starttls mysql", true},
};

/* The hints without a key log: the switch, then the TLS handshake from the next byte. */
static size_t expected_hints(const struct recorded *rc, const char **want)
{
	static const char *const tail13[] = {HELLO, SH13, "tls change cipher spec", "tls app data",
					     "tls change cipher spec", "tls app data"};
	static const char *const tail12[] = {HELLO,
					     SH12,
					     "tls certificate cn=tcpnote.test",
					     "tls change cipher spec",
					     "tls change cipher spec",
					     "tls app data",
					     "tls app data",
					     "tls alert (encrypted)",
					     "tls alert (encrypted)"};
	const char *const *tail = rc->tls12 ? tail12 : tail13;
	size_t n = rc->tls12 ? N_OF(tail12) : N_OF(tail13), i;

	want[0] = rc->first;
	for (i = 0; i < n; i++)
		want[1 + i] = tail[i];
	return 1 + n;
}

static void test_starttls_recorded(void **state)
{
	static const enum feed_mode modes[] = {FEED_WHOLE, FEED_BYTES, FEED_TWICE};
	const char *want[16];
	struct replay r;
	size_t i, m, n;

	(void)state;
	for (i = 0; i < N_OF(recorded); i++) {
		n = expected_hints(&recorded[i], want);
		for (m = 0; m < N_OF(modes); m++) {
			case_begin("%s, feed mode %zu", recorded[i].pcap, m);
			replay(recorded[i].pcap, false, modes[m], 0, &r);
			assert_hints(&r, want, n);
			assert_int_equal(r.starttls_frame, recorded[i].starttls_frame);
		}
	}
	case_end();
}

/* HTTP CONNECT: the request and the 200 keep their HTTP hints; the tunnel is read as TLS. */
static void test_starttls_connect_recorded(void **state)
{
	static const char *const want[] = {
	    "http request CONNECT tcpnote.test:7479", "http response 200",
	    HELLO " alpn=http/1.1", SH13, "tls change cipher spec", "tls app data",
	    "tls change cipher spec", "tls app data"};
	static const char *const want_keys[] = {"http request CONNECT tcpnote.test:7479",
						"http response 200",
						HELLO " alpn=http/1.1",
						SH13,
						DECRYPTED13,
						"tls new session ticket",
						"http request GET /tunnel",
						"http response 200",
						"tls alert warning close_notify",
						"tls alert warning close_notify"};
	struct replay r;

	(void)state;
	replay("connect-tunnel-keylog.pcap", false, FEED_WHOLE, 0, &r);
	assert_hints(&r, want, N_OF(want));
	assert_int_equal(r.starttls_frame, 0);
	replay("connect-tunnel-keylog.pcap", true, FEED_WHOLE, 0, &r);
	assert_hints(&r, want_keys, N_OF(want_keys));
}

/* With the key log, the session made at the switch decrypts both directions. */
static void test_starttls_recorded_keylog(void **state)
{
	static const char *const smtp[] = {"starttls smtp",	      HELLO,
					   SH13,		      DECRYPTED13,
					   "tls new session ticket", "tls new session ticket",
					   "tls alert warning close_notify",
					   "tls alert warning close_notify"};
	static const char *const mysql[] = {"starttls mysql",
					    HELLO,
					    SH12,
					    "tls certificate cn=tcpnote.test",
					    "tls change cipher spec",
					    "tls finished",
					    "tls change cipher spec",
					    "tls finished",
					    "tls app data",
					    "tls app data",
					    "tls alert warning close_notify",
					    "tls alert warning close_notify"};
	struct replay r;

	(void)state;
	replay("starttls-smtp-keylog.pcap", true, FEED_WHOLE, 0, &r);
	assert_hints(&r, smtp, N_OF(smtp));
	replay("starttls-mysql-keylog.pcap", true, FEED_WHOLE, 0, &r);
	assert_hints(&r, mysql, N_OF(mysql));
}

/*
 * A MySQL client writes its SSL request and its ClientHello back to back;
 * here (frame 6 and frame 8 of the recording) they are one segment: both
 * hints on it, and the handshake goes on as before.
 */
static void test_starttls_switch_mid_segment(void **state)
{
	const char *want[16];
	struct replay r;
	size_t n = expected_hints(&recorded[7], want);

	(void)state;
	assert_string_equal(recorded[7].pcap, "starttls-mysql-keylog.pcap");
	replay(recorded[7].pcap, false, FEED_WHOLE, 6, &r);
	assert_hints(&r, want, n);
	assert_int_equal(r.starttls_frame, 6);
	replay(recorded[7].pcap, true, FEED_WHOLE, 6, &r);
	assert_string_equal(r.hint[0], "starttls mysql");
	assert_string_equal(r.hint[1], HELLO);
	assert_string_equal(r.hint[5], "tls finished");
}

/* ------------------------------------------------------------------ */
/* The follower on its own, with conversations written out */

#define ISN_C 1000u
#define ISN_S 5000u

struct fconv {
	struct app_starttls *f;
	uint32_t next[2]; /* by role: the next sequence number */
	struct app_starttls_switch sw;
};

/* The first payload opens the follower (it must), sent by role. */
static void fc_open(struct fconv *c, uint32_t isn_c, uint32_t isn_s)
{
	memset(c, 0, sizeof(*c));
	c->next[0] = isn_c + 1;
	c->next[1] = isn_s + 1;
}

static enum app_starttls_step fc_send(struct fconv *c, int role, const void *data, size_t n)
{
	enum app_starttls_step step;
	bool oom = true;

	if (c->f == NULL) {
		/* The parser table's sniff says yes to exactly what opens a follower. */
		assert_true(app_starttls_opens(role, data, n));
		c->f = app_starttls_open(role, data, n, &oom);
		assert_false(oom);
		assert_non_null(c->f);
		app_starttls_anchor(c->f, 0, c->next[0]);
		app_starttls_anchor(c->f, 1, c->next[1]);
	}
	step = app_starttls_feed(c->f, role, c->next[role], data, n, &c->sw);
	c->next[role] += (uint32_t)n;
	return step;
}

static enum app_starttls_step fc_say(struct fconv *c, int role, const char *text)
{
	return fc_send(c, role, text, strlen(text));
}

static void fc_close(struct fconv *c)
{
	app_starttls_free(c->f);
	c->f = NULL;
}

/* One line of a script: who sends what (bytes: n > 0, else a string). */
struct line {
	int role;
	const char *text;
	size_t n;
};

#define C(s) {0, s, 0}
#define S(s) {1, s, 0}
#define CB(s) {0, s, sizeof(s) - 1}
#define SB(s) {1, s, sizeof(s) - 1}

static size_t line_len(const struct line *l)
{
	return l->n > 0 ? l->n : strlen(l->text);
}

#define PG_SSLREQUEST "\x00\x00\x00\x08\x04\xd2\x16\x2f"
/* MariaDB's greeting as the recording's server sends it (CLIENT_SSL 0x0800 set). */
#define MYSQL_GREETING                                                                             \
	"\x63\x00\x00\x00\x0a\x35\x2e\x35\x2e\x35\x2d\x31\x30\x2e\x31\x31\x2e\x36\x2d\x4d\x61\x72" \
	"\x69\x61\x44\x42\x2d\x30\x2b\x64\x65\x62\x31\x32\x75\x31\x00\x2a\x00\x00\x00\x74\x63\x70" \
	"\x6e\x6f\x74\x65\x21\x00\xfe\xff\x2d\x02\x00\xff\x81\x15\x00\x00\x00\x00\x00\x00\x1d\x00" \
	"\x00\x00\x74\x63\x70\x6e\x6f\x74\x65\x2d\x74\x65\x73\x74\x00\x6d\x79\x73\x71\x6c\x5f\x6e" \
	"\x61\x74\x69\x76\x65\x5f\x70\x61\x73\x73\x77\x6f\x72\x64\x00"
/* openssl s_client's SSL request: capabilities 0x007fae85 (CLIENT_SSL set), 16 MB, utf8. */
#define MYSQL_SSL_REQUEST                                                                          \
	"\x20\x00\x00\x01\x85\xae\x7f\x00\x00\x00\x00\x01\x21\x00\x00\x00\x00\x00\x00\x00\x00\x00" \
	"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"

struct script {
	const char *name;
	struct line lines[8];
	enum app_starttls_proto proto;
};

/*
 * Each protocol's cleartext part up to the positive answer, which is the
 * last line: the switch must come exactly there, the client's TLS after
 * its last line, the server's after its last line (MySQL: the greeting).
 */
static const struct script scripts[] = {
	{"smtp",
	 {S("220 mx.example ESMTP\r\n"), C("EHLO client.example\r\n"),
	  S("250-mx.example\r\n250-STARTTLS\r\n250 8BITMIME\r\n"), C("STARTTLS\r\n"),
	  S("220 2.0.0 Ready to start TLS\r\n")},
	 APP_STARTTLS_SMTP},
	{"smtp, lower case, after a refusal",
	 {S("220-mx.example\r\n220 ESMTP\r\n"), C("EHLO c\r\n"), S("250 STARTTLS\r\n"),
	  C("STARTTLS\r\n"), S("454 4.7.0 TLS not available due to temporary reason\r\n"),
	  C("starttls\r\n"), S("220 go ahead\r\n")},
	 APP_STARTTLS_SMTP},
	{"ftp",
	 {S("220-Welcome\r\n220 FTP ready\r\n"), C("FEAT\r\n"),
	  S("211-Features:\r\n AUTH TLS\r\n211 End\r\n"), C("AUTH TLS\r\n"),
	  S("234 Proceed with negotiation.\r\n")},
	 APP_STARTTLS_FTP},
	{"ftp, AUTH SSL, a reply of two lines",
	 {S("220 ready\r\n"), C("AUTH SSL\r\n"), S("234-AUTH SSL accepted\r\n234 go\r\n")},
	 APP_STARTTLS_FTP},
	{"imap",
	 {S("* OK [CAPABILITY IMAP4rev1 STARTTLS] ready\r\n"), C("a1 CAPABILITY\r\n"),
	  S("* CAPABILITY IMAP4rev1 STARTTLS\r\na1 OK done\r\n"), C("a2 STARTTLS\r\n"),
	  S("* OK still here\r\na1 OK not this tag\r\n"), S("a2 OK Begin TLS negotiation now\r\n")},
	 APP_STARTTLS_IMAP},
	{"pop3",
	 {S("+OK POP3 ready\r\n"), C("CAPA\r\n"), S("+OK\r\nSTLS\r\nUSER\r\n.\r\n"), C("STLS\r\n"),
	  S("+OK Begin TLS negotiation\r\n")},
	 APP_STARTTLS_POP3},
	{"xmpp",
	 {C("<?xml version='1.0'?><stream:stream to='example.test' xmlns='jabber:client' "
	    "xmlns:stream='http://etherx.jabber.org/streams' version='1.0'>"),
	  S("<stream:stream from='example.test' id='1' version='1.0'><stream:features>"
	    "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'><required/></starttls>"
	    "</stream:features>"),
	  C("\n<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
	  S("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")},
	 APP_STARTTLS_XMPP},
	{"xmpp, elements opened and closed",
	 {C("<stream:stream to='example.test' version='1.0'>"),
	  S("<stream:stream id='2'><stream:features>"
	    "<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
	    "</stream:features>"),
	  C("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'></starttls>"),
	  S("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'></proceed>")},
	 APP_STARTTLS_XMPP},
	{"irc, the client first",
	 {C("STARTTLS\r\n"), S(":irc.example 020 * :Please wait\r\n"),
	  S(":irc.example 670 * :STARTTLS successful, go ahead with TLS handshake\r\n")},
	 APP_STARTTLS_IRC},
	{"irc, the server first",
	 {S(":irc.example NOTICE * :*** Looking up your hostname...\r\n"), C("CAP LS 302\r\n"),
	  S(":irc.example CAP * LS :multi-prefix tls\r\n"), C("STARTTLS\r\n"),
	  S(":irc.example 670 * :STARTTLS successful\r\n")},
	 APP_STARTTLS_IRC},
	{"postgres", {CB(PG_SSLREQUEST), SB("S")}, APP_STARTTLS_POSTGRES},
	{"mysql", {SB(MYSQL_GREETING), CB(MYSQL_SSL_REQUEST)}, APP_STARTTLS_MYSQL},
	{"connect",
	 {C("CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n"
	    "User-Agent: curl/7.88.1\r\n\r\n"),
	  S("HTTP/1.1 200 Connection established\r\n\r\n")},
	 APP_STARTTLS_CONNECT},
	{"connect, after 407",
	 {C("CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n"),
	  S("HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\n"
	    "Content-Length: 0\r\n\r\n"),
	  C("CONNECT example.test:443 HTTP/1.1\r\nProxy-Authorization: Basic dTpw\r\n\r\n"),
	  S("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n\r\n")},
	 APP_STARTTLS_CONNECT},
};

static size_t script_lines(const struct script *s)
{
	size_t n = 0;

	while (n < N_OF(s->lines) && s->lines[n].text != NULL)
		n++;
	return n;
}

/* Where each side's TLS must start: after its last line (MySQL's server: after its greeting). */
static void expected_tls_seq(const struct script *s, uint32_t isn_c, uint32_t isn_s,
			     uint32_t want[2])
{
	uint32_t next[2] = {isn_c + 1, isn_s + 1};
	size_t i, n = script_lines(s);

	for (i = 0; i < n; i++) {
		next[s->lines[i].role] += (uint32_t)line_len(&s->lines[i]);
		want[s->lines[i].role] = next[s->lines[i].role];
	}
}

/*
 * Play the script whole, or one byte a segment after the opening line (a
 * first payload shorter than its opener opens nothing): MORE until the
 * last byte of the last line.
 */
static void play(const struct script *s, uint32_t isn_c, uint32_t isn_s, bool bytewise)
{
	struct fconv c;
	size_t i, j, n = script_lines(s);
	uint32_t want[2];

	fc_open(&c, isn_c, isn_s);
	for (i = 0; i < n; i++) {
		const struct line *l = &s->lines[i];
		size_t len = line_len(l);
		enum app_starttls_step step = APP_STARTTLS_MORE;

		if (!bytewise || i == 0) {
			step = fc_send(&c, l->role, l->text, len);
		} else {
			for (j = 0; j < len; j++) {
				assert_int_equal(step, APP_STARTTLS_MORE);
				step = fc_send(&c, l->role, l->text + j, 1);
			}
		}
		assert_int_equal(step, i + 1 < n ? APP_STARTTLS_MORE : APP_STARTTLS_SWITCH);
	}
	expected_tls_seq(s, isn_c, isn_s, want);
	assert_int_equal(c.sw.proto, s->proto);
	assert_int_equal(c.sw.tls_seq[0], want[0]);
	assert_int_equal(c.sw.tls_seq[1], want[1]);
	fc_close(&c);
}

static void test_starttls_scripts(void **state)
{
	/* the second pair wraps 2^32 in the middle of the cleartext */
	static const uint32_t isns[][2] = {{ISN_C, ISN_S}, {0xffffffd0u, 0xffffff80u}};
	size_t i, k;

	(void)state;
	for (i = 0; i < N_OF(scripts); i++) {
		for (k = 0; k < N_OF(isns); k++) {
			case_begin("%s, isn %#x/%#x, whole", scripts[i].name, (unsigned)isns[k][0],
				   (unsigned)isns[k][1]);
			play(&scripts[i], isns[k][0], isns[k][1], false);
			case_begin("%s, isn %#x/%#x, byte by byte", scripts[i].name,
				   (unsigned)isns[k][0], (unsigned)isns[k][1]);
			play(&scripts[i], isns[k][0], isns[k][1], true);
		}
	}
	case_end();
}

/* Refused or never asked: the follower goes on (MORE) or gives up, never switches. */
struct refusal {
	const char *name;
	struct line lines[8];
	enum app_starttls_step last; /* after the last line */
};

static const struct refusal refusals[] = {
	{"smtp refused",
	 {S("220 mx ESMTP\r\n"), C("STARTTLS\r\n"), S("454 4.7.0 TLS not available\r\n"),
	  S("220 a later line is no answer\r\n")},
	 APP_STARTTLS_MORE},
	{"smtp, a command pipelined behind STARTTLS",
	 {S("220 mx ESMTP\r\n"), C("STARTTLS\r\nMAIL FROM:<a@example>\r\n"), S("220 go\r\n")},
	 APP_STARTTLS_MORE},
	{"smtp, 220 to AUTH TLS is no FTP",
	 {S("220 mx ESMTP\r\n"), C("AUTH TLS\r\n"), S("220 hm\r\n")}, APP_STARTTLS_MORE},
	{"smtp, STARTTLS with an argument",
	 {S("220 mx ESMTP\r\n"), C("STARTTLS now\r\n"), S("220 go\r\n")}, APP_STARTTLS_MORE},
	{"ftp refused", {S("220 ftp\r\n"), C("AUTH TLS\r\n"), S("534 not here\r\n")},
	 APP_STARTTLS_MORE},
	{"imap NO", {S("* OK ready\r\n"), C("x STARTTLS\r\n"), S("x NO no TLS\r\n")},
	 APP_STARTTLS_MORE},
	{"imap BAD", {S("* OK ready\r\n"), C("x STARTTLS\r\n"), S("x BAD what\r\n")},
	 APP_STARTTLS_MORE},
	{"imap, another tag says OK", {S("* OK ready\r\n"), C("x STARTTLS\r\n"), S("xy OK\r\n")},
	 APP_STARTTLS_MORE},
	{"pop3 -ERR", {S("+OK ready\r\n"), C("STLS\r\n"), S("-ERR no\r\n"), S("+OK\r\n")},
	 APP_STARTTLS_MORE},
	{"xmpp failure",
	 {C("<stream:stream to='x'>"), S("<stream:stream id='3'>"),
	  C("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
	  S("<failure xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"),
	  S("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")},
	 APP_STARTTLS_MORE},
	{"xmpp, closing tags without their opening ones",
	 {C("<stream:stream to='x'>"), S("<stream:stream id='4'>"), C("</starttls>"),
	  C("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"), S("</proceed>")},
	 APP_STARTTLS_MORE},
	{"xmpp, another element between <starttls> and </starttls>",
	 {C("<stream:stream to='x'>"), S("<stream:stream id='5'>"),
	  C("<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'>"), C("<x/>"), C("</starttls>"),
	  S("<proceed xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>")},
	 APP_STARTTLS_MORE},
	{"irc 691", {C("STARTTLS\r\n"), S(":irc 691 * :STARTTLS failure\r\n"), S(":irc 670 *\r\n")},
	 APP_STARTTLS_MORE},
	{"irc 421", {C("STARTTLS\r\n"), S(":irc 421 * STARTTLS :Unknown command\r\n"),
		     S(":irc 670 *\r\n")},
	 APP_STARTTLS_MORE},
	{"postgres N", {CB(PG_SSLREQUEST), SB("N")}, APP_STARTTLS_GIVE_UP},
	{"postgres, the client goes on", {CB(PG_SSLREQUEST "\x00")}, APP_STARTTLS_GIVE_UP},
	{"mysql, a login in cleartext",
	 {SB(MYSQL_GREETING),
	  CB("\x40\x00\x00\x01\x85\xa6\x3f\x20\x00\x00\x00\x01\x21\x00\x00\x00\x00\x00\x00\x00"
	     "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00root\x00")},
	 APP_STARTTLS_GIVE_UP},
	{"mysql, a second server packet", {SB(MYSQL_GREETING), SB("\x01")}, APP_STARTTLS_GIVE_UP},
	{"connect 403",
	 {C("CONNECT example.test:443 HTTP/1.1\r\n\r\n"),
	  S("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")},
	 APP_STARTTLS_MORE},
	{"connect, 200 before the request ended",
	 {C("CONNECT example.test:443 HTTP/1.1\r\n"), S("HTTP/1.1 200 OK\r\n\r\n")},
	 APP_STARTTLS_MORE},
};

static void test_starttls_refusals(void **state)
{
	struct fconv c;
	size_t i, j;

	(void)state;
	for (i = 0; i < N_OF(refusals); i++) {
		const struct refusal *r = &refusals[i];
		enum app_starttls_step step = APP_STARTTLS_MORE;

		case_begin("%s", r->name);
		fc_open(&c, ISN_C, ISN_S);
		for (j = 0; j < N_OF(r->lines) && r->lines[j].text != NULL; j++) {
			assert_int_equal(step, APP_STARTTLS_MORE);
			step = fc_send(&c, r->lines[j].role, r->lines[j].text,
				       line_len(&r->lines[j]));
		}
		assert_int_equal(step, r->last);
		fc_close(&c);
	}
	case_end();
}

/* A MySQL greeting without CLIENT_SSL: nothing to follow once it has ended. */
static void test_starttls_mysql_without_ssl(void **state)
{
	uint8_t g[sizeof(MYSQL_GREETING) - 1];
	struct fconv c;
	size_t caps;

	(void)state;
	memcpy(g, MYSQL_GREETING, sizeof(g));
	caps = 4 + 1 + strlen((const char *)g + 5) + 1 + 4 + 8 + 1;
	assert_int_equal(g[caps] | g[caps + 1] << 8, 0xfffe);
	g[caps + 1] &= (uint8_t)~0x08u;
	fc_open(&c, ISN_C, ISN_S);
	assert_int_equal(fc_send(&c, 1, g, sizeof(g) - 1), APP_STARTTLS_MORE);
	assert_int_equal(fc_send(&c, 1, g + sizeof(g) - 1, 1), APP_STARTTLS_GIVE_UP);
	fc_close(&c);
}

/* First payloads that open nothing: no follower, no memory. */
static void test_starttls_not_openers(void **state)
{
	static const struct {
		const char *b;
		size_t n;
	} none[] = {
	    {"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n", 0},
	    {"GET / HTTP/1.1\r\nHost: x\r\n\r\n", 0},
	    {"HTTP/1.1 200 OK\r\n\r\n", 0},
	    {"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11},
	    {"220", 0},   /* a banner cut short: not judged */
	    {"+OK", 0},
	    {"* PREAUTH logged in\r\n", 0}, /* IMAP already authenticated: no STARTTLS */
	    {"421 Service not available\r\n", 0},
	    {"starttls\r\n", 0}, /* IRC clients send commands in capitals */
	    {":\r\n", 0},
	    {":irc.example\r\n", 0},
	    {":irc.example hello\r\n", 0},
	    {"\x00\x00\x00\x08\x04\xd2\x16", 7},         /* an SSLRequest cut short */
	    {"\x00\x00\xff\xff\x04\xd2\x16\x2f", 8},     /* a lying PostgreSQL length */
	    {"\x00\x00\x00\x08\x04\xd2\x16\x30", 8},     /* GSSENCRequest */
	    {"\x00\x00\x00\x2a\x00\x03\x00\x00user", 12}, /* a StartupMessage in cleartext */
	    {"\xff\xff\xff\x00\x0a\x35\x2e\x35", 8},     /* a MySQL greeting claiming 16 MB */
	    {"\x10\x00\x00\x00\x0a\x35\x2e\x35", 8},     /* ... or too short to hold its fields */
	    {"\x63\x00\x00\x00\xff\x35\x2e\x35", 8},     /* an error packet, not a greeting */
	    {"\x63\x00\x00\x00\x0a", 5},
	    {"<html>", 0},
	    {"", 0},
	};
	size_t i;
	bool oom;

	(void)state;
	for (i = 0; i < N_OF(none); i++) {
		size_t n = none[i].n > 0 ? none[i].n : strlen(none[i].b);

		case_begin("not an opener #%zu", i);
		assert_false(app_starttls_opens(0, (const uint8_t *)none[i].b, n));
		assert_false(app_starttls_opens(1, (const uint8_t *)none[i].b, n));
		oom = true;
		assert_null(app_starttls_open(0, (const uint8_t *)none[i].b, n, &oom));
		assert_false(oom);
		oom = true;
		assert_null(app_starttls_open(1, (const uint8_t *)none[i].b, n, &oom));
		assert_false(oom);
	}
	case_end();
	oom = true;
	assert_null(app_starttls_open(2, (const uint8_t *)"220 x\r\n", 7, &oom));
	assert_null(app_starttls_open(0, NULL, 7, &oom));
	assert_false(app_starttls_opens(2, (const uint8_t *)"220 x\r\n", 7));
	assert_false(app_starttls_opens(0, NULL, 7));
}

/*
 * The side that sent the opener answers for server-first protocols, the
 * other side for client-first ones, whatever the tracker's roles are (a
 * capture that began late can have them the other way round).
 */
static void test_starttls_roles_from_the_opener(void **state)
{
	struct app_starttls_switch sw;
	struct app_starttls *f;
	bool oom;

	(void)state;
	/* role 0 sends the banner: role 0 is the SMTP server */
	f = app_starttls_open(0, (const uint8_t *)"220 mx\r\n", 8, &oom);
	assert_non_null(f);
	assert_int_equal(app_starttls_feed(f, 0, 100, (const uint8_t *)"220 mx\r\n", 8, &sw),
			 APP_STARTTLS_MORE);
	assert_int_equal(app_starttls_feed(f, 1, 900, (const uint8_t *)"STARTTLS\r\n", 10, &sw),
			 APP_STARTTLS_MORE);
	assert_int_equal(app_starttls_feed(f, 0, 108, (const uint8_t *)"220 go\r\n", 8, &sw),
			 APP_STARTTLS_SWITCH);
	assert_int_equal(sw.tls_seq[0], 116);
	assert_int_equal(sw.tls_seq[1], 910);
	app_starttls_free(f);
	/* role 1 sends the SSLRequest: role 0 is the PostgreSQL server */
	f = app_starttls_open(1, (const uint8_t *)PG_SSLREQUEST, 8, &oom);
	assert_non_null(f);
	assert_int_equal(app_starttls_feed(f, 1, 7, (const uint8_t *)PG_SSLREQUEST, 8, &sw),
			 APP_STARTTLS_MORE);
	assert_int_equal(app_starttls_feed(f, 0, 3, (const uint8_t *)"S", 1, &sw),
			 APP_STARTTLS_SWITCH);
	assert_int_equal(sw.proto, APP_STARTTLS_POSTGRES);
	assert_int_equal(sw.tls_seq[1], 15);
	assert_int_equal(sw.tls_seq[0], 4);
	app_starttls_free(f);
}

/* Retransmitted and overlapping bytes are read once; bytes past a gap end the follower. */
static void test_starttls_sequence(void **state)
{
	static const char banner[] = "220 mx ESMTP\r\n";
	struct fconv c;

	(void)state;
	fc_open(&c, ISN_C, ISN_S);
	assert_int_equal(fc_say(&c, 1, banner), APP_STARTTLS_MORE);
	assert_int_equal(fc_say(&c, 0, "STARTTLS\r\n"), APP_STARTTLS_MORE);
	/* the command again, then overlapping its end: nothing new */
	assert_int_equal(app_starttls_feed(c.f, 0, ISN_C + 1, (const uint8_t *)"STARTTLS\r\n", 10,
					   &c.sw),
			 APP_STARTTLS_MORE);
	assert_int_equal(app_starttls_feed(c.f, 0, ISN_C + 9, (const uint8_t *)"\r\n", 2, &c.sw),
			 APP_STARTTLS_MORE);
	/* the answer arrives as a retransmission of the banner's tail plus the new line */
	assert_int_equal(app_starttls_feed(c.f, 1, ISN_S + 1 + 12,
					   (const uint8_t *)"\r\n220 go\r\n", 10, &c.sw),
			 APP_STARTTLS_SWITCH);
	assert_int_equal(c.sw.tls_seq[0], ISN_C + 11);
	assert_int_equal(c.sw.tls_seq[1], ISN_S + 1 + 12 + 10);
	fc_close(&c);

	/* a segment beyond the next byte: the lines cannot be read, give up */
	fc_open(&c, ISN_C, ISN_S);
	assert_int_equal(fc_say(&c, 1, banner), APP_STARTTLS_MORE);
	assert_int_equal(app_starttls_feed(c.f, 0, ISN_C + 5, (const uint8_t *)"TLS\r\n", 5, &c.sw),
			 APP_STARTTLS_GIVE_UP);
	fc_close(&c);

	/* anchored at ISN + 1: a first segment that comes out of order is no start */
	fc_open(&c, ISN_C, ISN_S);
	c.f = app_starttls_open(1, (const uint8_t *)banner, sizeof(banner) - 1, &(bool){false});
	assert_non_null(c.f);
	app_starttls_anchor(c.f, 1, ISN_S + 1);
	assert_int_equal(app_starttls_feed(c.f, 1, ISN_S + 3, (const uint8_t *)banner + 2,
					   sizeof(banner) - 3, &c.sw),
			 APP_STARTTLS_GIVE_UP);
	fc_close(&c);
}

/* Each side is followed for APP_STARTTLS_MAX bytes at most: then the follower gives up. */
static void test_starttls_bounded(void **state)
{
	static char line[APP_STARTTLS_MAX + 64];
	uint8_t greeting[32];
	struct fconv c;
	size_t sent;

	(void)state;
	/* an endless banner, one line after another */
	fc_open(&c, ISN_C, ISN_S);
	for (sent = 0; sent + 8 <= APP_STARTTLS_MAX; sent += 8)
		assert_int_equal(fc_say(&c, 1, "220-xx\r\n"), APP_STARTTLS_MORE);
	assert_int_equal(sent, APP_STARTTLS_MAX);
	assert_int_equal(fc_say(&c, 1, "2"), APP_STARTTLS_GIVE_UP);
	fc_close(&c);

	/* one line that never ends, in one segment */
	memset(line, 'x', sizeof(line));
	memcpy(line, "220 ", 4);
	fc_open(&c, ISN_C, ISN_S);
	assert_int_equal(fc_send(&c, 1, line, APP_STARTTLS_MAX), APP_STARTTLS_MORE);
	assert_int_equal(fc_send(&c, 1, "x", 1), APP_STARTTLS_GIVE_UP);
	fc_close(&c);

	/* the client's side is bounded as well, however the server answers */
	fc_open(&c, ISN_C, ISN_S);
	assert_int_equal(fc_say(&c, 1, "+OK\r\n"), APP_STARTTLS_MORE);
	for (sent = 0; sent + 6 <= APP_STARTTLS_MAX; sent += 6)
		assert_int_equal(fc_say(&c, 0, "NOOP\r\n"), APP_STARTTLS_MORE);
	assert_int_equal(fc_send(&c, 0, line, 64), APP_STARTTLS_GIVE_UP);
	fc_close(&c);

	/* a MySQL greeting as long as an opener may claim: read to its end, which offers
	 * nothing (no NUL ends a version within the kept bytes) */
	memset(greeting, '5', sizeof(greeting));
	greeting[0] = (APP_STARTTLS_MAX - 4) & 0xff;
	greeting[1] = (APP_STARTTLS_MAX - 4) >> 8;
	greeting[2] = 0;
	greeting[3] = 0;
	greeting[4] = 10;
	fc_open(&c, ISN_C, ISN_S);
	assert_int_equal(fc_send(&c, 1, greeting, sizeof(greeting)), APP_STARTTLS_MORE);
	assert_int_equal(fc_send(&c, 1, line, APP_STARTTLS_MAX - 4 - sizeof(greeting)),
			 APP_STARTTLS_MORE);
	assert_int_equal(fc_send(&c, 1, line, 4), APP_STARTTLS_GIVE_UP);
	fc_close(&c);
}

/* ------------------------------------------------------------------ */
/* Through app_track_segment: what a connection costs, and hints that must not appear */

struct tconn {
	struct app_state *st;
	uint8_t judged;
	uint32_t next[2];
	char hints[4096]; /* every hint text, joined by "; " */
};

static void tc_open(struct tconn *t)
{
	memset(t, 0, sizeof(*t));
	t->next[0] = ISN_C + 1;
	t->next[1] = ISN_S + 1;
}

static void tc_send(struct tconn *t, int role, const void *data, size_t n)
{
	struct packet p;
	struct app_hints h;
	const char *text;

	make_segment4(&p, role == 0 ? addr4_1 : addr4_2, role == 0 ? 40000 : 25,
		      role == 0 ? addr4_2 : addr4_1, role == 0 ? 25 : 40000, TCPF_ACK | TCPF_PSH,
		      t->next[role], t->next[1 - role], (uint32_t)n, 512);
	p.tcp.payload = span_make(data, n);
	assert_true(app_track_segment(&t->st, &t->judged, role, true,
				      (role == 0 ? ISN_C : ISN_S) + 1, &p, APP_TRACK_FACTS, NULL, &h));
	t->next[role] += (uint32_t)n;
	text = hints_text(&h);
	if (text[0] != '\0') {
		size_t used = strlen(t->hints);

		snprintf(t->hints + used, sizeof(t->hints) - used, "%s%s", used > 0 ? "; " : "",
			 text);
	}
}

/* A TLS record header and a ClientHello's first bytes, as a client would send them. */
#define TLS_BYTES "\x16\x03\x01\x00\x30\x01\x00\x00\x2c\x03\x03"
/* A whole TLS record: fatal handshake_failure. */
#define TLS_ALERT "\x15\x03\x03\x00\x02\x02\x28"

/* A connection through app_track_segment, and the hints it must give (joined by "; "). */
struct tracked {
	const char *name;
	struct line lines[10];
	const char *hints;
	bool state_left; /* the connection holds application state at its end */
};

static const struct tracked tracked[] = {
	/* No switch, no TLS hints: TLS-looking bytes in a cleartext session are cleartext. */
	{"smtp without STARTTLS, a mail body that starts like TLS",
	 {S("220 mx ESMTP\r\n"), C("EHLO c\r\n"), S("250 mx\r\n"), C("DATA\r\n"),
	  S("354 go ahead\r\n"), CB(TLS_BYTES), C("\r\n.\r\n"),
	  S("220 not an answer to anything\r\n"), SB(TLS_BYTES)},
	 "", true},
	{"smtp, STARTTLS refused, and the client sends TLS anyway",
	 {S("220 mx ESMTP\r\n"), C("STARTTLS\r\n"), S("454 4.7.0 TLS not available\r\n"),
	  CB(TLS_BYTES)},
	 "", true},
	{"http without CONNECT, a body that starts like TLS",
	 {C("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
	  S("HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\n"),
	  SB(TLS_BYTES)},
	 "http request GET /; http response 200", true},
	{"the switch in a connection that did not open with the banner",
	 {C("HELO early\r\n"), S("220 mx ESMTP\r\n"), C("STARTTLS\r\n"), S("220 go\r\n"),
	  CB(TLS_BYTES)},
	 "", false},
	/* A connection that opens none of the protocols, or gave up, holds no state. */
	{"ssh", {S("SSH-2.0-OpenSSH_9.2p1\r\n"), C("SSH-2.0-OpenSSH_9.2p1\r\n")}, "", false},
	{"postgres answering N", {CB(PG_SSLREQUEST), SB("N")}, "", false},
	/* The switch: the hint on the answer, TLS from the next byte on. */
	{"imap",
	 {S("* OK IMAP4rev1 ready\r\n"), C("a STARTTLS\r\n"),
	  S("a OK Begin TLS negotiation now\r\n"),
	  CB(TLS_BYTES), SB(TLS_ALERT)},
	 "starttls imap; tls alert fatal handshake_failure", true},
	{"smtp, a client whose first bytes looked like TLS: new parsers at the switch",
	 {S("220 mx ESMTP\r\n"), CB(TLS_BYTES), C("\r\nSTARTTLS\r\n"), S("220 go\r\n"),
	  CB(TLS_BYTES), SB(TLS_ALERT)},
	 "starttls smtp; tls alert fatal handshake_failure", true},
	{"connect: the HTTP hints, then the tunnel's TLS",
	 {C("CONNECT example.test:443 HTTP/1.1\r\nHost: example.test:443\r\n\r\n"),
	  S("HTTP/1.1 200 Connection established\r\n\r\n"), SB(TLS_ALERT)},
	 "http request CONNECT example.test:443; http response 200; "
	 "tls alert fatal handshake_failure",
	 true},
};

static void test_starttls_tracked(void **state)
{
	struct tconn t;
	size_t i, j;

	(void)state;
	for (i = 0; i < N_OF(tracked); i++) {
		const struct tracked *k = &tracked[i];

		case_begin("%s", k->name);
		tc_open(&t);
		for (j = 0; j < N_OF(k->lines) && k->lines[j].text != NULL; j++)
			tc_send(&t, k->lines[j].role, k->lines[j].text, line_len(&k->lines[j]));
		assert_string_equal(t.hints, k->hints);
		assert_int_equal(t.st != NULL, k->state_left);
		app_track_clear(&t.st, &t.judged);
	}
	case_end();
}

/* A server that never stops greeting: followed, then given up, and forgotten. */
static void test_starttls_given_up_forgotten(void **state)
{
	static char banner[APP_STARTTLS_MAX + 100];
	struct tconn t;
	size_t i;

	(void)state;
	for (i = 0; i + 8 <= sizeof(banner); i += 8)
		memcpy(banner + i, "220-xx\r\n", 8);
	tc_open(&t);
	tc_send(&t, 1, banner, 8);
	assert_non_null(t.st);
	tc_send(&t, 1, banner + 8, sizeof(banner) - 8);
	assert_null(t.st);
	tc_send(&t, 0, "STARTTLS\r\n", 10);
	tc_send(&t, 1, "220 go\r\n", 8);
	tc_send(&t, 0, TLS_BYTES, sizeof(TLS_BYTES) - 1);
	assert_null(t.st);
	assert_string_equal(t.hints, "");
	app_track_clear(&t.st, &t.judged);
}

static void test_starttls_names(void **state)
{
	static const struct {
		enum app_starttls_proto p;
		const char *name;
	} names[] = {{APP_STARTTLS_SMTP, "smtp"},         {APP_STARTTLS_FTP, "ftp"},
		     {APP_STARTTLS_IMAP, "imap"},         {APP_STARTTLS_POP3, "pop3"},
		     {APP_STARTTLS_XMPP, "xmpp"},         {APP_STARTTLS_IRC, "irc"},
		     {APP_STARTTLS_POSTGRES, "postgres"}, {APP_STARTTLS_MYSQL, "mysql"},
		     {APP_STARTTLS_CONNECT, "connect"},   {APP_STARTTLS_NONE, "none"}};
	struct app_hints h;
	char text[64];
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(names); i++)
		assert_string_equal(app_starttls_proto_name(names[i].p), names[i].name);
	assert_string_equal(app_starttls_proto_name((enum app_starttls_proto)99), "none");
	memset(&h, 0, sizeof(h));
	h.bits = 1u << APP_HINT_STARTTLS;
	h.starttls = APP_STARTTLS_POSTGRES;
	assert_int_equal(app_hint_format(&h, APP_HINT_STARTTLS, text, sizeof(text)),
			 strlen("starttls postgres"));
	assert_string_equal(text, "starttls postgres");
	assert_string_equal(app_hint_kind_name(APP_HINT_STARTTLS), "starttls");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_starttls_recorded, case_teardown),
		cmocka_unit_test(test_starttls_connect_recorded),
		cmocka_unit_test(test_starttls_recorded_keylog),
		cmocka_unit_test(test_starttls_switch_mid_segment),
		cmocka_unit_test_teardown(test_starttls_scripts, case_teardown),
		cmocka_unit_test_teardown(test_starttls_refusals, case_teardown),
		cmocka_unit_test(test_starttls_mysql_without_ssl),
		cmocka_unit_test_teardown(test_starttls_not_openers, case_teardown),
		cmocka_unit_test(test_starttls_roles_from_the_opener),
		cmocka_unit_test(test_starttls_sequence),
		cmocka_unit_test(test_starttls_bounded),
		cmocka_unit_test_teardown(test_starttls_tracked, case_teardown),
		cmocka_unit_test(test_starttls_given_up_forgotten),
		cmocka_unit_test(test_starttls_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
