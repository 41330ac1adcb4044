/* test_app.c - unit tests of the application hints: real TLS handshakes, every split and truncation, HTTP lines. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fixtures.h"
#include "tcpnote/app_hints.h"
#include "tcpnote/tls_names.h"

#ifndef TCPNOTE_UNIT_DATA
#define TCPNOTE_UNIT_DATA "tests/unit/data"
#endif

/* ------------------------------------------------------------------ */
/* Recorded connections (the .hex files in data/): one segment a line */

#define MAX_SEGS 32

struct rec_seg {
	bool from_client;
	uint32_t relseq;
	uint8_t *data;
	size_t len;
};

struct recording {
	struct rec_seg seg[MAX_SEGS];
	size_t n;
};

static void rec_load(struct recording *r, const char *name)
{
	char path[512], dir;
	static char line[70000];
	unsigned long relseq;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", TCPNOTE_UNIT_DATA, name);
	f = fopen(path, "r");
	assert_non_null(f);
	r->n = 0;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *hex;
		size_t n;
		struct rec_seg *s;
		int off = 0;

		if (line[0] == '#' || line[0] == '\n')
			continue;
		assert_int_equal(sscanf(line, "%c %lu %n", &dir, &relseq, &off), 2);
		assert_true(r->n < MAX_SEGS);
		hex = line + off;
		n = strcspn(hex, " \r\n");
		assert_int_equal(n % 2, 0);
		s = &r->seg[r->n++];
		s->from_client = dir == 'c';
		s->relseq = (uint32_t)relseq;
		s->len = n / 2;
		s->data = malloc(s->len);
		assert_non_null(s->data);
		unhex(hex, s->data, s->len);
	}
	fclose(f);
}

static void rec_free(struct recording *r)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		free(r->seg[i].data);
	r->n = 0;
}

/* The label of both recorded ClientHellos. */
#define CH_TEXT "tls client hello sni=example.test alpn=h2,http/1.1"

/* Load file into r and return its first segment, the client's ClientHello. */
static const struct rec_seg *client_hello_of(struct recording *r, const char *file)
{
	rec_load(r, file);
	assert_true(r->n > 0 && r->seg[0].from_client);
	return &r->seg[0];
}

/* ------------------------------------------------------------------ */
/* Feeding and reading back the labels */

/* Both directions of one connection, the client's and the server's initial sequence numbers. */
struct app_conv {
	struct app_dir *dir[2]; /* [0] client, [1] server */
	uint32_t isn[2];
	struct app_conn_facts facts;
	struct app_hints h;
};

static void conv_open(struct app_conv *v, uint32_t cli_isn, uint32_t srv_isn)
{
	memset(v, 0, sizeof(*v));
	v->isn[0] = cli_isn;
	v->isn[1] = srv_isn;
	v->dir[0] = app_dir_new();
	v->dir[1] = app_dir_new();
	assert_non_null(v->dir[0]);
	assert_non_null(v->dir[1]);
	app_dir_anchor(v->dir[0], cli_isn + 1);
	app_dir_anchor(v->dir[1], srv_isn + 1);
}

static void conv_close(struct app_conv *v)
{
	app_dir_free(v->dir[0]);
	app_dir_free(v->dir[1]);
}

/* Feed bytes at relative sequence number relseq (1 = first payload byte); the labels. */
static const char *conv_feed(struct app_conv *v, bool from_client, uint32_t relseq,
			     const uint8_t *p, size_t n)
{
	int i = from_client ? 0 : 1;

	app_feed(v->dir[i], from_client, v->isn[i] + relseq, p, n, &v->h);
	if (v->h.bits != 0)
		app_facts_note(&v->facts, &v->h);
	return hints_text(&v->h);
}

/* Feed n bytes at sequence number seq; the labels. */
static const char *feed_at(struct app_dir *d, bool from_client, uint32_t seq, const uint8_t *p,
			   size_t n)
{
	static struct app_hints h;

	app_feed(d, from_client, seq, p, n, &h);
	return hints_text(&h);
}

/* A single direction fed from relative sequence number 1 (ISN 1000). */
static const char *feed1(struct app_dir *d, bool from_client, uint32_t relseq, const uint8_t *p,
			 size_t n)
{
	return feed_at(d, from_client, 1000 + relseq, p, n);
}

static struct app_dir *dir_open(void)
{
	struct app_dir *d = app_dir_new();

	assert_non_null(d);
	app_dir_anchor(d, 1001);
	return d;
}

/* ------------------------------------------------------------------ */
/* Real connections, end to end */

struct expect_seg {
	char dir;
	uint32_t relseq;
	const char *labels;
};

static void run_recording(const char *file, const struct expect_seg *want, size_t nwant,
			  uint32_t cli_isn, uint32_t srv_isn, struct app_conn_facts *facts)
{
	struct recording r;
	struct app_conv v;
	size_t i;

	rec_load(&r, file);
	assert_int_equal(r.n, nwant);
	conv_open(&v, cli_isn, srv_isn);
	for (i = 0; i < r.n; i++) {
		const struct rec_seg *s = &r.seg[i];

		case_begin("%s segment %zu (%c %u), isn %#x/%#x", file, i, want[i].dir,
			   (unsigned)want[i].relseq, (unsigned)cli_isn, (unsigned)srv_isn);
		assert_int_equal(s->from_client, want[i].dir == 'c');
		assert_int_equal(s->relseq, want[i].relseq);
		assert_string_equal(conv_feed(&v, s->from_client, s->relseq, s->data, s->len),
				    want[i].labels);
	}
	case_end();
	*facts = v.facts;
	conv_close(&v);
	rec_free(&r);
}

/* What tshark shows for the same bytes, in our words (see data/tls12.hex). */
static const struct expect_seg tls12_want[] = {
	{'c', 1, CH_TEXT},
	{'s', 1,
	 "tls server hello TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "
	 "tls certificate cn=tcpnote.test"},
	{'c', 176, "tls change cipher spec"},
	{'s', 1202, "tls change cipher spec"},
	{'c', 269, "tls app data"},
	{'s', 1444, "tls app data"},
	{'s', 1479, "tls alert (encrypted)"},
	{'c', 306, "tls alert (encrypted)"},
};

static const struct expect_seg tls13_want[] = {
	{'c', 1, CH_TEXT},
	{'s', 1,
	 "tls server hello TLSv1.3 TLS_AES_256_GCM_SHA384, tls change cipher spec, tls app data"},
	{'c', 265, "tls change cipher spec, tls app data"},
	{'c', 345, ""},
	{'s', 1353, ""},
	{'s', 1608, ""},
	{'s', 1863, ""},
	{'s', 1891, ""},
	{'c', 375, ""},
};

/* Initial sequence numbers, the second pair so that both streams wrap 2^32 mid-handshake. */
static const uint32_t isns[][2] = {{1000, 5000}, {0xffffff00u, 0xfffffc00u}};

static void test_app_tls12_connection(void **state)
{
	struct app_conn_facts f;
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(isns); i++) {
		run_recording("tls12.hex", tls12_want, N_OF(tls12_want), isns[i][0], isns[i][1],
			      &f);
		assert_string_equal(f.sni, "example.test");
		/* TLS 1.2 shows the server's choice in the clear. */
		assert_string_equal(f.alpn, "http/1.1");
		assert_string_equal(f.alpn_offered, "h2,http/1.1");
		assert_int_equal(f.tls_version, 0x0303);
		assert_int_equal(f.tls_cipher, 0xc030);
		assert_int_equal(f.http_status, 0);
		assert_string_equal(f.http_method, "");
	}
}

static void test_app_tls13_connection(void **state)
{
	struct app_conn_facts f;
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(isns); i++) {
		run_recording("tls13.hex", tls13_want, N_OF(tls13_want), isns[i][0], isns[i][1],
			      &f);
		assert_string_equal(f.sni, "example.test");
		/* TLS 1.3 encrypts the selection: only the client's offer is known. */
		assert_string_equal(f.alpn, "");
		assert_string_equal(f.alpn_offered, "h2,http/1.1");
		assert_int_equal(f.tls_version, 0x0304);
		assert_int_equal(f.tls_cipher, 0x1302);
	}
}

/* The structured fields behind the labels. */
static void test_app_hint_fields(void **state)
{
	struct recording r;
	struct app_dir *c = dir_open(), *s = dir_open();
	struct app_hints h;

	(void)state;
	rec_load(&r, "tls12.hex");
	app_feed(c, true, 1001, r.seg[0].data, r.seg[0].len, &h);
	assert_int_equal(h.bits, 1u << APP_HINT_CLIENT_HELLO);
	assert_string_equal(h.sni, "example.test");
	assert_string_equal(h.alpn, "h2,http/1.1");
	app_feed(s, false, 1001, r.seg[1].data, r.seg[1].len, &h);
	assert_int_equal(h.bits, (1u << APP_HINT_SERVER_HELLO) | (1u << APP_HINT_CERTIFICATE));
	assert_int_equal(h.version, 0x0303);
	assert_int_equal(h.cipher, 0xc030);
	assert_string_equal(h.alpn, "http/1.1");
	assert_string_equal(h.cn, "tcpnote.test");
	assert_false(app_dir_done(c));
	app_dir_free(c);
	app_dir_free(s);
	rec_free(&r);
}

/* ------------------------------------------------------------------ */
/* Segmentation: splits, retransmissions, overlaps, order */

/* One message split into two segments at every offset: reported once, on the second. */
static void split_every_offset(const char *file, size_t segno, const char *whole)
{
	struct recording r;
	const struct rec_seg *s;
	size_t k;

	rec_load(&r, file);
	s = &r.seg[segno];
	for (k = 1; k < s->len; k++) {
		struct app_dir *d = dir_open();
		char first[512];

		case_begin("%s segment %zu split at %zu", file, segno, k);
		snprintf(first, sizeof(first), "%s", feed1(d, s->from_client, 1, s->data, k));
		if (strcmp(whole, CH_TEXT) == 0) {
			/* The ClientHello is one record: nothing until its last byte. */
			assert_string_equal(first, "");
			assert_string_equal(feed1(d, s->from_client, 1 + (uint32_t)k, s->data + k,
						  s->len - k),
					    whole);
		} else {
			char both[1024];
			const char *second =
			    feed1(d, s->from_client, 1 + (uint32_t)k, s->data + k, s->len - k);

			/* Several messages: each on the segment that completes it, once. */
			snprintf(both, sizeof(both), "%s%s%s", first,
				 first[0] && second[0] ? ", " : "", second);
			assert_string_equal(both, whole);
		}
		/* Both segments again, as retransmissions: nothing more. */
		assert_string_equal(feed1(d, s->from_client, 1, s->data, s->len), "");
		assert_string_equal(feed1(d, s->from_client, 1, s->data, k), "");
		app_dir_free(d);
	}
	case_end();
	rec_free(&r);
}

static void test_app_client_hello_split_everywhere(void **state)
{
	(void)state;
	split_every_offset("tls12.hex", 0, CH_TEXT);
	split_every_offset("tls13.hex", 0, CH_TEXT);
}

static void test_app_server_flight_split_everywhere(void **state)
{
	(void)state;
	split_every_offset("tls12.hex", 1,
			   "tls server hello TLSv1.2 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384, "
			   "tls certificate cn=tcpnote.test");
}

/* The ClientHello one byte per segment: reported on the last. */
static void test_app_client_hello_byte_by_byte(void **state)
{
	struct recording r;
	struct app_dir *d = dir_open();
	const struct rec_seg *s = client_hello_of(&r, "tls13.hex");
	size_t i;

	(void)state;
	for (i = 0; i + 1 < s->len; i++)
		assert_string_equal(feed1(d, true, 1 + (uint32_t)i, s->data + i, 1), "");
	assert_string_equal(feed1(d, true, (uint32_t)s->len, s->data + s->len - 1, 1),
			    CH_TEXT);
	app_dir_free(d);
	rec_free(&r);
}

static void test_app_retransmission_and_overlap(void **state)
{
	struct recording r;
	struct app_dir *d = dir_open();
	const struct rec_seg *ch = client_hello_of(&r, "tls12.hex");

	(void)state;
	assert_string_equal(feed1(d, true, 1, ch->data, 100), "");
	assert_string_equal(feed1(d, true, 1, ch->data, 100), ""); /* retransmitted */
	/* Overlaps the first: only its new tail counts. */
	assert_string_equal(feed1(d, true, 51, ch->data + 50, ch->len - 50), CH_TEXT);
	assert_string_equal(feed1(d, true, 1, ch->data, ch->len), "");
	app_dir_free(d);
	rec_free(&r);
}

/*
 * Out of order: the later part arrives first and is held, so the hint comes
 * with the segment that fills the gap; the later part again is old.
 */
static void test_app_out_of_order_held(void **state)
{
	struct recording r;
	struct app_dir *d = dir_open();
	const struct rec_seg *ch = client_hello_of(&r, "tls12.hex");

	(void)state;
	assert_string_equal(feed1(d, true, 101, ch->data + 100, ch->len - 100), "");
	assert_string_equal(feed1(d, true, 1, ch->data, 100), CH_TEXT);
	assert_string_equal(feed1(d, true, 101, ch->data + 100, ch->len - 100), "");
	assert_false(app_dir_done(d));
	app_dir_free(d);
	rec_free(&r);
}

/* Without an anchor the first segment fed starts the stream. */
static void test_app_unanchored(void **state)
{
	struct recording r;
	struct app_dir *d = app_dir_new();
	const struct rec_seg *ch = client_hello_of(&r, "tls12.hex");
	struct app_hints h;

	(void)state;
	app_feed(d, true, 0xfffffff0u, ch->data, ch->len, &h);
	assert_string_equal(hints_text(&h), CH_TEXT);
	app_dir_free(d);
	rec_free(&r);
}

/* ------------------------------------------------------------------ */
/* Held segments: out of order, the window, the peer's ACK */

/* A direction whose first byte has sequence number first. */
static struct app_dir *dir_at(uint32_t first)
{
	struct app_dir *d = app_dir_new();

	assert_non_null(d);
	app_dir_anchor(d, first);
	return d;
}

/*
 * The ClientHello in six pieces, fed in every one of the 720 orders, with
 * every piece fed so far sent again after each step: the hint comes once,
 * whole, with the last piece (the one that closes the last gap). The
 * second start makes the sequence numbers wrap 2^32 inside the hello.
 */
static void test_app_held_every_order(void **state)
{
	static const uint32_t firsts[] = {1001, 0xffffff00u};
	struct recording r;
	const struct rec_seg *ch = client_hello_of(&r, "tls13.hex");
	size_t cut[7] = {0, 3, 5, 90, 200, 201, 0};
	int order[6] = {0, 1, 2, 3, 4, 5};
	size_t f, step, k, perms = 0;

	(void)state;
	cut[6] = ch->len;
	for (;;) {
		for (f = 0; f < N_OF(firsts); f++) {
			struct app_dir *d = dir_at(firsts[f]);

			case_begin("order %d%d%d%d%d%d, first %#x", order[0], order[1], order[2],
				   order[3], order[4], order[5], (unsigned)firsts[f]);
			for (step = 0; step < 6; step++) {
				int i = order[step];

				assert_string_equal(feed_at(d, true, firsts[f] + (uint32_t)cut[i],
							    ch->data + cut[i], cut[i + 1] - cut[i]),
						    step == 5 ? CH_TEXT : "");
				for (k = 0; k <= step; k++) {
					i = order[k];
					assert_string_equal(
					    feed_at(d, true, firsts[f] + (uint32_t)cut[i],
						    ch->data + cut[i], cut[i + 1] - cut[i]),
					    "");
				}
			}
			assert_false(app_dir_done(d));
			app_dir_free(d);
		}
		perms++;
		/* The next permutation in lexicographic order. */
		for (k = 5; k > 0 && order[k - 1] > order[k]; k--)
			;
		if (k == 0)
			break;
		for (step = 5; order[step] < order[k - 1]; step--)
			;
		f = (size_t)order[k - 1], order[k - 1] = order[step], order[step] = (int)f;
		for (step = 5; k < step; k++, step--)
			f = (size_t)order[k], order[k] = order[step], order[step] = (int)f;
	}
	case_end();
	assert_int_equal(perms, 720);
	rec_free(&r);
}

/*
 * Overlapping retransmissions of held bytes, and a filler that reaches into
 * them: each byte is parsed once. Alerts are whole records of 7 bytes, one
 * hint per segment, so where each one lands shows.
 */
static void test_app_held_overlaps(void **state)
{
	static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
	uint8_t alerts[8 * 7];
	struct app_dir *d = dir_open();
	size_t i;

	(void)state;
	for (i = 0; i < 8; i++)
		memcpy(alerts + 7 * i, alert, 7);
	/* Held: bytes 10-29, then 20-40 over them, then 35-49 (one island, 10-49). */
	assert_string_equal(feed1(d, false, 11, alerts + 10, 20), "");
	assert_string_equal(feed1(d, false, 21, alerts + 20, 21), "");
	assert_string_equal(feed1(d, false, 36, alerts + 35, 15), "");
	/* The filler overlaps what is held: alerts 1-7 complete here. */
	assert_string_equal(feed1(d, false, 1, alerts, 14), "tls alert fatal handshake_failure");
	/* All of it again, and past it: only the last alert is new. */
	assert_string_equal(feed1(d, false, 1, alerts, 49), "");
	assert_string_equal(feed1(d, false, 1, alerts, sizeof(alerts)),
			    "tls alert fatal handshake_failure");
	assert_false(app_dir_done(d));
	app_dir_free(d);
}

/*
 * Islands filled one by one: the hint goes to each filler. Alerts 2, 4, 6
 * and 8 come first (four islands), then 1, 3, 5 and 7.
 */
static void test_app_held_islands(void **state)
{
	static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00};
	struct app_dir *d = dir_open();
	uint32_t i;

	(void)state;
	for (i = 1; i < 8; i += 2)
		assert_string_equal(feed1(d, true, 1 + 7 * i, alert, 7), "");
	for (i = 0; i < 8; i += 2)
		assert_string_equal(feed1(d, true, 1 + 7 * i, alert, 7),
				    "tls alert warning close_notify");
	/* Nothing is held now: the next alert in order is read at once. */
	assert_string_equal(feed1(d, true, 57, alert, 7), "tls alert warning close_notify");
	assert_false(app_dir_done(d));
	app_dir_free(d);

	/* APP_HOLD_RANGES islands are held; one more ends the direction. */
	d = dir_open();
	for (i = 0; i < APP_HOLD_RANGES; i++)
		assert_string_equal(feed1(d, true, 3 + 2 * i, alert, 1), "");
	/* Growing the last island is no new one. */
	assert_string_equal(feed1(d, true, 2 + 2 * APP_HOLD_RANGES, alert, 1), "");
	assert_false(app_dir_done(d));
	assert_string_equal(feed1(d, true, 5 + 2 * APP_HOLD_RANGES, alert, 1), "");
	assert_true(app_dir_done(d));
	app_dir_free(d);
}

/*
 * The window: a segment may end exactly APP_HOLD_MAX bytes past the next
 * expected byte, not one more. A long record held nearly whole, then
 * filled: the ring's end is crossed where the sequence numbers wrap 2^32,
 * and the ClientHello at the record's end (after a message too long to
 * keep) reads whole.
 */
static void test_app_held_window(void **state)
{
	static uint8_t rec[5 + APP_HOLD_MAX];
	struct recording r;
	const struct rec_seg *ch = client_hello_of(&r, "tls13.hex");
	size_t chm = ch->len - 5, skip = APP_HOLD_MAX - chm - 4, at;
	uint32_t first = 0u - 16800u; /* byte 16800 of the stream has sequence number 0 */
	struct app_dir *d;

	(void)state;
	d = dir_open();
	assert_string_equal(feed1(d, true, 2, rec, APP_HOLD_MAX - 1), "");
	assert_false(app_dir_done(d));
	app_dir_free(d);
	d = dir_open();
	assert_string_equal(feed1(d, true, 2, rec, APP_HOLD_MAX), "");
	assert_true(app_dir_done(d));
	app_dir_free(d);

	/* One handshake record of APP_HOLD_MAX bytes: a message of type 99, then the ClientHello. */
	rec[0] = 0x16, rec[1] = 3, rec[2] = 3, rec[3] = APP_HOLD_MAX >> 8, rec[4] = APP_HOLD_MAX & 0xff;
	rec[5] = 99, rec[6] = (uint8_t)(skip >> 16), rec[7] = (uint8_t)(skip >> 8), rec[8] = (uint8_t)skip;
	memcpy(rec + 9 + skip, ch->data + 5, chm);
	d = dir_at(first);
	for (at = 0; at < 16000; at += 1000)
		assert_string_equal(feed_at(d, true, first + (uint32_t)at, rec + at, 1000), "");
	assert_string_equal(feed_at(d, true, first + 17000, rec + 17000, sizeof(rec) - 17000), "");
	assert_string_equal(feed_at(d, true, first + 16500, rec + 16500, 500), "");
	assert_string_equal(feed_at(d, true, first + 16000, rec + 16000, 500), CH_TEXT);
	assert_false(app_dir_done(d));
	app_dir_free(d);
	rec_free(&r);
}

/* The peer's ACK past a gap, or a reset: the missing bytes will not come. */
static void test_app_held_acked(void **state)
{
	static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00};
	static const uint32_t firsts[] = {1001, 0xfffffffeu};
	struct app_hints h = {0};
	size_t f;

	(void)state;
	for (f = 0; f < N_OF(firsts); f++) {
		uint32_t next = firsts[f] + 7; /* after one alert; the second is missing */
		struct app_dir *d = dir_at(firsts[f]);

		case_begin("first %#x", (unsigned)firsts[f]);
		assert_string_equal(feed_at(d, true, firsts[f], alert, 7),
				    "tls alert warning close_notify");
		/* Nothing held: acknowledging one more byte may be the FIN, two may not. */
		app_dir_acked(d, true, next, &h);
		app_dir_acked(d, true, next + 1, &h);
		assert_false(app_dir_done(d));
		app_dir_acked(d, true, next + 2, &h);
		assert_true(app_dir_done(d));
		app_dir_free(d);

		/* Bytes held past the gap: an ACK up to it changes nothing, past it ends the wait. */
		d = dir_at(firsts[f]);
		feed_at(d, true, firsts[f], alert, 7);
		assert_string_equal(feed_at(d, true, next + 7, alert, 7), "");
		app_dir_acked(d, true, next, &h);
		app_dir_acked(d, true, next - 100, &h);
		assert_false(app_dir_done(d));
		app_dir_acked(d, true, next + 1, &h);
		assert_true(app_dir_done(d));
		/* Ended: nothing more is read. */
		assert_string_equal(feed_at(d, true, next, alert, 7), "");
		app_dir_free(d);

		/* A reset with bytes held ends the wait; without, nothing changes. */
		d = dir_at(firsts[f]);
		app_dir_reset(d, true, &h);
		assert_false(app_dir_done(d));
		feed_at(d, true, next + 7, alert, 7);
		app_dir_reset(d, true, &h);
		assert_true(app_dir_done(d));
		app_dir_free(d);
	}
	case_end();
	/* Without decryption nothing is said. */
	assert_int_equal(h.bits, 0);
	app_dir_acked(NULL, true, 5, &h);
	app_dir_reset(NULL, true, &h);
}

/* HTTP does not wait: what was held before its first bytes is dropped, as before. */
static void test_app_held_not_for_http(void **state)
{
	static const char req1[] = "GET /a HTTP/1.1\r\n\r\n", req2[] = "GET /b HTTP/1.1\r\n\r\n";
	struct app_dir *d = dir_open();
	uint32_t n = sizeof(req1) - 1;
	struct app_hints h = {0};

	(void)state;
	assert_string_equal(feed1(d, true, 1 + n, (const uint8_t *)req2, n), "");
	assert_string_equal(feed1(d, true, 1, (const uint8_t *)req1, n), "http request GET /a");
	assert_string_equal(feed1(d, true, 1 + 2 * n, (const uint8_t *)req1, n),
			    "http request GET /a");
	/* The peer acknowledging bytes never seen, or a reset, changes nothing either. */
	app_dir_acked(d, true, 1000 + 10 * n, &h);
	app_dir_reset(d, true, &h);
	assert_false(app_dir_done(d));
	assert_string_equal(feed1(d, true, 1 + 20 * n, (const uint8_t *)req2, n),
			    "http request GET /b");
	assert_int_equal(h.bits, 0);
	app_dir_free(d);
}

/* ------------------------------------------------------------------ */
/* Hostile and truncated input */

/* Every prefix of a ClientHello: no hint, and nothing read past the bytes given. */
static void test_app_client_hello_every_truncation(void **state)
{
	struct recording r;
	size_t k, f;
	static const char *const files[] = {"tls12.hex", "tls13.hex"};

	(void)state;
	for (f = 0; f < N_OF(files); f++) {
		const struct rec_seg *ch = client_hello_of(&r, files[f]);

		for (k = 0; k < ch->len; k++) {
			struct app_dir *d = dir_open();
			uint8_t *copy = k > 0 ? malloc(k) : NULL; /* exact: ASan sees overreads */

			case_begin("%s cut at %zu", files[f], k);
			assert_true(k == 0 || copy != NULL);
			if (k > 0)
				memcpy(copy, ch->data, k);
			assert_string_equal(feed1(d, true, 1, copy, k), "");
			free(copy);
			app_dir_free(d);
		}
		case_end();
		rec_free(&r);
	}
}

/*
 * The ClientHello body cut at every length, with the record and handshake
 * lengths made to agree: the inner lengths then lie. A hint may come, but
 * only with names that are whole.
 */
static void test_app_client_hello_inner_lengths_lie(void **state)
{
	struct recording r;
	const struct rec_seg *ch = client_hello_of(&r, "tls12.hex");
	const uint8_t *body = ch->data + 9; /* record header 5, handshake header 4 */
	size_t k, blen = ch->len - 9;

	(void)state;
	for (k = 0; k <= blen; k++) {
		struct app_dir *d = dir_open();
		uint8_t *rec = malloc(k + 9);
		static struct app_hints h;

		case_begin("body cut at %zu", k);
		assert_non_null(rec);
		rec[0] = 0x16, rec[1] = 3, rec[2] = 1;
		rec[3] = (uint8_t)((k + 4) >> 8), rec[4] = (uint8_t)(k + 4);
		rec[5] = 1, rec[6] = 0, rec[7] = (uint8_t)(k >> 8), rec[8] = (uint8_t)k;
		memcpy(rec + 9, body, k);
		app_feed(d, true, 1001, rec, k + 9, &h);
		assert_int_equal(h.bits, 1u << APP_HINT_CLIENT_HELLO);
		assert_true(strcmp(h.sni, "") == 0 || strcmp(h.sni, "example.test") == 0);
		assert_true(strcmp(h.alpn, "") == 0 || strcmp(h.alpn, "h2") == 0 ||
			    strcmp(h.alpn, "h2,http/1.1") == 0);
		free(rec);
		app_dir_free(d);
	}
	case_end();
	rec_free(&r);
}

/* Every byte of the real flights set to 0x00, 0xff and 0x80 in turn: no crash, no overread. */
static void test_app_every_byte_damaged(void **state)
{
	static const uint8_t vals[] = {0x00, 0xff, 0x80};
	struct recording r;
	size_t segno, i, v;

	(void)state;
	rec_load(&r, "tls12.hex");
	for (segno = 0; segno < 2; segno++) {
		const struct rec_seg *s = &r.seg[segno];
		uint8_t *copy = malloc(s->len);

		assert_non_null(copy);
		for (i = 0; i < s->len; i++) {
			for (v = 0; v < N_OF(vals); v++) {
				struct app_dir *d = dir_open();

				memcpy(copy, s->data, s->len);
				copy[i] = vals[v];
				feed1(d, s->from_client, 1, copy, s->len);
				app_dir_free(d);
			}
		}
		free(copy);
	}
	rec_free(&r);
}

/* A ClientHello with one extension, server_name, built from parts. */
static size_t make_client_hello(uint8_t *out, const uint8_t *ext, size_t ext_len)
{
	size_t n = 0, body;

	out[n++] = 0x16, out[n++] = 3, out[n++] = 1, n += 2; /* record header, length later */
	out[n++] = 1, n += 3;                                /* handshake header */
	out[n++] = 3, out[n++] = 3;                          /* legacy_version */
	memset(out + n, 0xab, 32), n += 32;                  /* random */
	out[n++] = 0;                                        /* session id */
	out[n++] = 0, out[n++] = 2, out[n++] = 0x13, out[n++] = 0x01; /* cipher suites */
	out[n++] = 1, out[n++] = 0;                                   /* compression */
	out[n++] = (uint8_t)(ext_len >> 8), out[n++] = (uint8_t)ext_len;
	memcpy(out + n, ext, ext_len), n += ext_len;
	body = n - 9;
	out[3] = (uint8_t)((body + 4) >> 8), out[4] = (uint8_t)(body + 4);
	out[6] = (uint8_t)(body >> 16), out[7] = (uint8_t)(body >> 8), out[8] = (uint8_t)body;
	return n;
}

static void test_app_server_name_lies(void **state)
{
	/* ext type, ext len, list len, name type, name len, name */
	static const struct {
		const char *name;
		uint8_t ext[24];
		size_t len;
		const char *want;
	} cases[] = {
	    {"good", {0, 0, 0, 8, 0, 6, 0, 0, 3, 'a', '.', 'b'}, 12, "tls client hello sni=a.b"},
	    {"zero-length name", {0, 0, 0, 5, 0, 3, 0, 0, 0}, 9, "tls client hello"},
	    {"name longer than the list", {0, 0, 0, 8, 0, 6, 0, 0, 9, 'a', '.', 'b'}, 12,
	     "tls client hello"},
	    {"list longer than the extension", {0, 0, 0, 8, 0xff, 0xff, 0, 0, 3, 'a', '.', 'b'}, 12,
	     "tls client hello"},
	    {"extension longer than the block", {0, 0, 0xff, 0xff, 0, 6, 0, 0, 3, 'a', '.', 'b'},
	     12, "tls client hello"},
	    {"not a host_name first",
	     {0, 0, 0, 14, 0, 12, 1, 0, 3, 'x', 'y', 'z', 0, 0, 3, 'a', '.', 'b'},
	     18, "tls client hello sni=a.b"},
	    {"embedded NUL", {0, 0, 0, 8, 0, 6, 0, 0, 3, 'a', 0, 'b'}, 12,
	     "tls client hello sni=a"},
	    {"empty ALPN name", {0, 16, 0, 5, 0, 3, 0, 1, 'x'}, 9, "tls client hello"},
	    {"ALPN list lies", {0, 16, 0, 5, 0, 9, 2, 'h', '2'}, 9, "tls client hello"},
	};
	uint8_t buf[128];
	size_t i, n;

	(void)state;
	for (i = 0; i < N_OF(cases); i++) {
		struct app_dir *d = dir_open();

		case_begin("%s", cases[i].name);
		n = make_client_hello(buf, cases[i].ext, cases[i].len);
		assert_string_equal(feed1(d, true, 1, buf, n), cases[i].want);
		app_dir_free(d);
	}
	case_end();
}

/* Long names: SNI cut at 255, ALPN names that do not fit left out. */
static void test_app_long_names(void **state)
{
	uint8_t ext[600], buf[700];
	struct app_dir *d = dir_open();
	struct app_hints h;
	size_t n = 0, i;

	(void)state;
	ext[n++] = 0, ext[n++] = 0, ext[n++] = 0x01, ext[n++] = 0x2f; /* server_name, 303 */
	ext[n++] = 0x01, ext[n++] = 0x2d, ext[n++] = 0, ext[n++] = 0x01, ext[n++] = 0x2a;
	memset(ext + n, 'n', 298), n += 298;
	ext[n++] = 0, ext[n++] = 16, ext[n++] = 0, ext[n++] = 0x9f; /* ALPN, 159 */
	ext[n++] = 0, ext[n++] = 0x9d;
	ext[n++] = 2, ext[n++] = 'h', ext[n++] = '2';
	ext[n++] = 150;
	memset(ext + n, 'p', 150), n += 150;
	ext[n++] = 2, ext[n++] = 'h', ext[n++] = '3';
	n = make_client_hello(buf, ext, n);
	app_feed(d, true, 1001, buf, n, &h);
	assert_int_equal(h.bits, 1u << APP_HINT_CLIENT_HELLO);
	assert_int_equal(strlen(h.sni), APP_SNI_MAX);
	for (i = 0; i < APP_SNI_MAX; i++)
		assert_int_equal(h.sni[i], 'n');
	assert_string_equal(h.alpn, "h2,..."); /* the names that do not fit are "..." */
	app_dir_free(d);
}

/* Record headers that are not TLS end the direction's hints. */
static void test_app_bad_record_headers(void **state)
{
	static const struct {
		const char *name;
		uint8_t b[7];
	} cases[] = {
	    {"length 65535", {0x15, 3, 3, 0xff, 0xff, 2, 40}},
	    {"length 2^14+2049", {0x17, 3, 3, 0x48, 0x01, 0, 0}},
	    {"version 4.0", {0x15, 4, 0, 0, 2, 2, 40}},
	    {"type 25", {0x19, 3, 3, 0, 2, 2, 40}},
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(cases); i++) {
		struct app_dir *d = dir_open();
		static const uint8_t alert[] = {0x15, 3, 3, 0, 2, 2, 40};

		case_begin("%s", cases[i].name);
		assert_string_equal(feed1(d, false, 1, cases[i].b, sizeof(cases[i].b)), "");
		assert_true(app_dir_done(d));
		assert_string_equal(feed1(d, false, 8, alert, sizeof(alert)), "");
		app_dir_free(d);
	}
	case_end();
}

/* ------------------------------------------------------------------ */
/* Alerts, change cipher spec, application data */

static void test_app_alerts(void **state)
{
	/* The server's answer to a TLS 1.3-only client, recorded from openssl s_server -tls1_2. */
	static const uint8_t proto_version[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x46};
	static const uint8_t close_notify[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00};
	static const uint8_t unknown[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x03, 0xfe};
	static const uint8_t ccs[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
	static const uint8_t two_alerts[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x01, 0x70,
					     0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28};
	uint8_t long_alert[5 + 26] = {0x15, 0x03, 0x03, 0x00, 26};
	struct app_dir *d;

	(void)state;
	d = dir_open();
	assert_string_equal(feed1(d, false, 1, proto_version, sizeof(proto_version)),
			    "tls alert fatal protocol_version");
	assert_string_equal(feed1(d, false, 8, close_notify, sizeof(close_notify)),
			    "tls alert warning close_notify");
	assert_string_equal(feed1(d, false, 15, unknown, sizeof(unknown)), "tls alert 3 254");
	/* A 26-byte alert is encrypted (TLS 1.2 AES-GCM). */
	assert_string_equal(feed1(d, false, 22, long_alert, sizeof(long_alert)),
			    "tls alert (encrypted)");
	/* After ChangeCipherSpec even two bytes are ciphertext. */
	assert_string_equal(feed1(d, false, 53, ccs, sizeof(ccs)), "tls change cipher spec");
	assert_string_equal(feed1(d, false, 59, close_notify, sizeof(close_notify)),
			    "tls alert (encrypted)");
	app_dir_free(d);

	/* Two alerts in one segment: the first is kept. */
	d = dir_open();
	assert_string_equal(feed1(d, true, 1, two_alerts, sizeof(two_alerts)),
			    "tls alert warning unrecognized_name");
	app_dir_free(d);

	/* An alert split between two segments, inside its body. */
	d = dir_open();
	assert_string_equal(feed1(d, false, 1, proto_version, 6), "");
	assert_string_equal(feed1(d, false, 7, proto_version + 6, 1),
			    "tls alert fatal protocol_version");
	app_dir_free(d);
}

/* "tls app data" once per direction; a record is reported when its last byte comes. */
static void test_app_data_once(void **state)
{
	uint8_t rec[5 + 100] = {0x17, 0x03, 0x03, 0x00, 100};
	struct app_dir *d = dir_open();

	(void)state;
	assert_string_equal(feed1(d, true, 1, rec, 50), "");
	assert_string_equal(feed1(d, true, 51, rec + 50, sizeof(rec) - 50), "tls app data");
	assert_string_equal(feed1(d, true, 106, rec, sizeof(rec)), "");
	app_dir_free(d);
}

/* ------------------------------------------------------------------ */
/* The 16 KiB bound */

/* Records starting past APP_STREAM_MAX are not looked at; one that starts before is followed. */
static void test_app_beyond_16k(void **state)
{
	static const uint8_t alert[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
	uint8_t *big = calloc(1, 5 + 18000);
	struct app_dir *d;
	uint32_t at;

	(void)state;
	assert_non_null(big);
	/* An 18000-byte app data record from offset 0: reported when it ends, past 16 KiB. */
	d = dir_open();
	big[0] = 0x17, big[1] = 3, big[2] = 3, big[3] = 18000 >> 8, big[4] = 18000 & 0xff;
	for (at = 0; at + 1000 < 5 + 18000; at += 1000)
		assert_string_equal(feed1(d, true, 1 + at, big + at, 1000), "");
	assert_string_equal(feed1(d, true, 1 + at, big + at, 5 + 18000 - at), "tls app data");
	assert_false(app_dir_done(d));
	/* The next record starts past 16 KiB: ignored, and the direction is done. */
	assert_string_equal(feed1(d, true, 1 + 5 + 18000, alert, sizeof(alert)), "");
	assert_true(app_dir_done(d));
	app_dir_free(d);

	/* Alerts up to the bound, then none. */
	d = dir_open();
	for (at = 0; at < APP_STREAM_MAX; at += sizeof(alert))
		assert_string_equal(feed1(d, false, 1 + at, alert, sizeof(alert)),
				    "tls alert fatal handshake_failure");
	assert_string_equal(feed1(d, false, 1 + at, alert, sizeof(alert)), "");
	app_dir_free(d);

	/* A gap that stays: done once a segment would end past the held window. */
	d = dir_open();
	assert_string_equal(feed1(d, false, 1, alert, 3), "");
	assert_string_equal(feed1(d, false, 1000, big, 1000), "");
	assert_false(app_dir_done(d));
	assert_string_equal(feed1(d, false, 4 + APP_HOLD_MAX - 999, big, 1000), "");
	assert_true(app_dir_done(d));
	app_dir_free(d);
	free(big);
}

/* A Certificate longer than the buffer is passed over: the hint without cn=, once. */
static void test_app_certificate_too_long(void **state)
{
	enum { MLEN = 20000, R1 = 10000 };
	uint8_t *s = calloc(1, 5 + 4 + MLEN + 5 + 5);
	struct app_dir *d = dir_open();
	size_t r2 = 4 + MLEN - R1, n = 0, at;
	const char *t;
	char got[256] = "";

	(void)state;
	assert_non_null(s);
	s[n++] = 0x16, s[n++] = 3, s[n++] = 3, s[n++] = R1 >> 8, s[n++] = R1 & 0xff;
	s[n++] = 11, s[n++] = 0, s[n++] = MLEN >> 8, s[n++] = MLEN & 0xff;
	n = 5 + R1;
	s[n++] = 0x16, s[n++] = 3, s[n++] = 3, s[n++] = (uint8_t)(r2 >> 8), s[n++] = (uint8_t)r2;
	n += r2;
	for (at = 0; at < n; at += 1400) {
		t = feed1(d, false, 1 + (uint32_t)at, s + at, n - at < 1400 ? n - at : 1400);
		if (t[0] != '\0') {
			assert_string_equal(got, "");
			assert_true(at + 1400 >= n); /* on the last segment */
			snprintf(got, sizeof(got), "%s", t);
		}
	}
	assert_string_equal(got, "tls certificate");
	app_dir_free(d);
	free(s);
}

/* ------------------------------------------------------------------ */
/* ServerHello fields and names */

/* A TLS 1.2-style ServerHello with a given legacy version and cipher, no extensions. */
static void test_app_server_hello_names(void **state)
{
	static const struct {
		uint16_t version, cipher;
		const char *want;
	} cases[] = {
	    {0x0303, 0xc02f, "tls server hello TLSv1.2 TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
	    {0x0302, 0x0035, "tls server hello TLSv1.1 TLS_RSA_WITH_AES_256_CBC_SHA"},
	    {0x0301, 0xc014, "tls server hello TLSv1 TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
	    {0x0300, 0x000a, "tls server hello SSLv3 TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
	    {0x0303, 0xcca8,
	     "tls server hello TLSv1.2 TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
	    {0x0303, 0x009f, "tls server hello TLSv1.2 TLS_DHE_RSA_WITH_AES_256_GCM_SHA384"},
	    {0x7f1c, 0xabcd, "tls server hello 0x7f1c 0xabcd"},
	};
	uint8_t m[5 + 4 + 38 + 3];
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(cases); i++) {
		struct app_dir *d = dir_open();

		case_begin("%#x %#x", cases[i].version, cases[i].cipher);
		memset(m, 0, sizeof(m));
		m[0] = 0x16, m[1] = 3, m[2] = 3, m[3] = 0, m[4] = 4 + 38;
		m[5] = 2, m[8] = 38;
		m[9] = (uint8_t)(cases[i].version >> 8), m[10] = (uint8_t)cases[i].version;
		m[43] = 0; /* session id */
		m[44] = (uint8_t)(cases[i].cipher >> 8), m[45] = (uint8_t)cases[i].cipher;
		assert_string_equal(feed1(d, false, 1, m, 5 + 4 + 38), cases[i].want);
		app_dir_free(d);
	}
	case_end();
}

/* A ServerHello of the TLS 1.3 form with the given random's first byte and extensions. */
static size_t server_hello13(uint8_t *m, const uint8_t *random, const uint8_t *exts, size_t elen)
{
	size_t n = 0, body = 2 + 32 + 1 + 32 + 2 + 1 + 2 + elen;

	m[n++] = 0x16, m[n++] = 3, m[n++] = 3, m[n++] = (uint8_t)((4 + body) >> 8);
	m[n++] = (uint8_t)(4 + body);
	m[n++] = 2, m[n++] = 0, m[n++] = (uint8_t)(body >> 8), m[n++] = (uint8_t)body;
	m[n++] = 3, m[n++] = 3;
	memcpy(m + n, random, 32), n += 32;
	m[n++] = 32;
	memset(m + n, 0xab, 32), n += 32; /* legacy_session_id, echoed */
	m[n++] = 0x13, m[n++] = 0x01, m[n++] = 0;
	m[n++] = (uint8_t)(elen >> 8), m[n++] = (uint8_t)elen;
	memcpy(m + n, exts, elen);
	return n + elen;
}

/* The session ID echo, an accepted PSK (with or without key_share), a HelloRetryRequest. */
static void test_app_server_hello_resumption(void **state)
{
	static const uint8_t hrr[32] = {
	    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
	    0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
	    0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c};
	/* supported_versions 1.3, pre_shared_key selected 0, key_share x25519 (32 bytes) */
	static const uint8_t psk_dhe[] = {0, 43, 0, 2, 3, 4, 0, 41, 0, 2, 0, 0, 0, 51, 0, 36, 0, 29, 0, 32,
					  1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
					  17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
	uint8_t random[32], m[256];
	struct app_hints h;
	struct app_dir *d;
	size_t n;

	(void)state;
	memset(random, 0x42, sizeof(random));
	d = dir_open();
	n = server_hello13(m, random, psk_dhe, sizeof(psk_dhe));
	app_feed(d, false, 1001, m, n, &h);
	assert_int_equal(h.bits, 1u << APP_HINT_SERVER_HELLO);
	assert_int_equal(h.version, 0x0304);
	assert_true(h.psk && h.psk_dhe && !h.hello_retry);
	assert_int_equal(h.session_id_len, 32);
	assert_int_equal(h.session_id[31], 0xab);
	app_dir_free(d);
	/* psk_ke: a PSK without a key share */
	d = dir_open();
	n = server_hello13(m, random, psk_dhe, 12);
	app_feed(d, false, 1001, m, n, &h);
	assert_true(h.psk && !h.psk_dhe);
	app_dir_free(d);
	/* A HelloRetryRequest: its ChangeCipherSpec does not end the cleartext handshake. */
	d = dir_open();
	n = server_hello13(m, hrr, psk_dhe, 6);
	m[n++] = 0x14, m[n++] = 3, m[n++] = 3, m[n++] = 0, m[n++] = 1, m[n++] = 1;
	app_feed(d, false, 1001, m, n, &h);
	assert_true(h.hello_retry && !h.psk);
	assert_string_equal(hints_text(&h), "tls server hello TLSv1.3 TLS_AES_128_GCM_SHA256, "
					    "tls change cipher spec");
	app_feed(d, false, 1001 + (uint32_t)n, m, server_hello13(m, random, psk_dhe, 6), &h);
	assert_true(app_hints_has(&h, APP_HINT_SERVER_HELLO) && !h.hello_retry);
	app_dir_free(d);
}

/* The client's direction after a HelloRetryRequest: ChangeCipherSpec, then ClientHello again. */
static void test_app_second_client_hello(void **state)
{
	static const uint8_t ccs[] = {0x14, 3, 3, 0, 1, 1};
	struct recording r;
	const struct rec_seg *ch = client_hello_of(&r, "tls13.hex");
	uint32_t at = 1;
	int told;

	(void)state;
	for (told = 0; told < 2; told++) {
		struct app_dir *c = dir_open();

		case_begin("told of the HelloRetryRequest: %d", told);
		assert_string_equal(feed1(c, true, at, ch->data, ch->len), CH_TEXT);
		if (told)
			app_dir_hello_retry(c);
		assert_string_equal(feed1(c, true, at + (uint32_t)ch->len, ccs, sizeof(ccs)),
				    "tls change cipher spec");
		assert_string_equal(feed1(c, true, at + (uint32_t)(ch->len + sizeof(ccs)), ch->data,
					  ch->len),
				    told ? CH_TEXT : "");
		app_dir_free(c);
	}
	case_end();
	rec_free(&r);
}

/* A TLS 1.2 Certificate record holding count copies of der (and junk for the last when junk). */
static size_t certificate_record(uint8_t *m, const uint8_t *der, size_t dlen, unsigned count,
				 bool junk)
{
	size_t list = count * (3 + dlen), n = 0, i;

	m[n++] = 0x16, m[n++] = 3, m[n++] = 3;
	m[n++] = (uint8_t)((4 + 3 + list) >> 8), m[n++] = (uint8_t)(4 + 3 + list);
	m[n++] = 11, m[n++] = 0, m[n++] = (uint8_t)((3 + list) >> 8), m[n++] = (uint8_t)(3 + list);
	m[n++] = 0, m[n++] = (uint8_t)(list >> 8), m[n++] = (uint8_t)list;
	for (i = 0; i < count; i++) {
		m[n++] = 0, m[n++] = (uint8_t)(dlen >> 8), m[n++] = (uint8_t)dlen;
		memcpy(m + n, der, dlen);
		if (junk && i + 1 == count)
			memset(m + n + 4, 0xee, 16); /* no longer DER */
		n += dlen;
	}
	return n;
}

/* Feed the server's bytes m to a new direction that collects the chain; the chain (to free). */
static struct app_cert_chain *chain_of(const uint8_t *m, size_t n, struct app_hints *h)
{
	struct app_cert_chain *chain = NULL;
	struct app_dir *s = dir_open();

	app_dir_collect_chain(s, &chain);
	app_feed(s, false, 1001, m, n, h);
	app_dir_free(s);
	assert_non_null(chain);
	return chain;
}

/*
 * The chain of a real certificate (tls12.hex's, self-signed tcpnote.test), as
 * `openssl x509 -noout -fingerprint -sha256 -dates -text` reads the same bytes; a
 * chain longer than APP_CHAIN_MAX; a certificate libcrypto cannot read.
 */
static void test_app_cert_chain(void **state)
{
	static const uint8_t sha256[32] = {
	    0xcc, 0xff, 0xbd, 0x97, 0xff, 0x82, 0x18, 0x6f, 0xdb, 0xcf, 0x25, 0x86, 0x4e, 0x3f, 0x99, 0x3b,
	    0xda, 0x7e, 0x55, 0xeb, 0xf6, 0x45, 0xc1, 0x48, 0xd9, 0x55, 0x18, 0x5d, 0x4b, 0x3c, 0xa5, 0xa1};
	struct recording r;
	struct app_cert_chain *chain;
	struct app_hints h;
	const uint8_t *der = NULL;
	size_t dlen = 0, i;
	uint8_t *m;

	(void)state;
	rec_load(&r, "tls12.hex");
	chain = chain_of(r.seg[1].data, r.seg[1].len, &h);
	assert_string_equal(h.cn, "tcpnote.test");
	assert_int_equal(chain->sent, 1);
	assert_int_equal(chain->n, 1);
	assert_true(chain->cert[0].parsed);
	assert_string_equal(chain->cert[0].subject_cn, "tcpnote.test");
	assert_string_equal(chain->cert[0].issuer_cn, "tcpnote.test");
	assert_int_equal(chain->cert[0].san_count, 0);
	assert_string_equal(chain->cert[0].not_before, "2026-11-26T00:36:32Z");
	assert_string_equal(chain->cert[0].not_after, "2036-11-23T00:36:32Z");
	assert_string_equal(chain->cert[0].key, "RSA 2048");
	assert_memory_equal(chain->cert[0].sha256, sha256, 32);
	free(chain);

	/* The certificate's DER: the Certificate message (11), its lengths, then a SEQUENCE. */
	for (i = 0; i + 12 < r.seg[1].len; i++)
		if (r.seg[1].data[i] == 11 && r.seg[1].data[i + 10] == 0x30 &&
		    r.seg[1].data[i + 11] == 0x82) {
			der = r.seg[1].data + i + 10;
			dlen = (size_t)r.seg[1].data[i + 8] << 8 | r.seg[1].data[i + 9];
			break;
		}
	assert_non_null(der);
	m = malloc(12 + 11 * (3 + dlen));
	assert_non_null(m);
	chain = chain_of(m, certificate_record(m, der, dlen, 11, true), &h);
	assert_string_equal(hints_text(&h), "tls certificate cn=tcpnote.test");
	assert_int_equal(chain->sent, 11);
	assert_int_equal(chain->n, APP_CHAIN_MAX);
	assert_memory_equal(chain->cert[APP_CHAIN_MAX - 1].sha256, sha256, 32);
	free(chain);
	/* The only certificate does not parse: its fingerprint still, no names. */
	chain = chain_of(m, certificate_record(m, der, dlen, 1, true), &h);
	assert_string_equal(hints_text(&h), "tls certificate");
	assert_int_equal(chain->n, 1);
	assert_false(chain->cert[0].parsed);
	assert_string_equal(chain->cert[0].subject_cn, "");
	assert_string_equal(chain->cert[0].not_after, "");
	assert_memory_not_equal(chain->cert[0].sha256, sha256, 32);
	free(chain);
	free(m);
	rec_free(&r);
}

static void test_app_tls_names(void **state)
{
	static const uint16_t tls13[] = {0x1301, 0x1302, 0x1303, 0x1304, 0x1305};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(tls13); i++)
		assert_non_null(tls_cipher_name(tls13[i]));
	assert_string_equal(tls_cipher_name(0x1303), "TLS_CHACHA20_POLY1305_SHA256");
	assert_string_equal(tls_cipher_name(0xc02c), "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384");
	assert_string_equal(tls_cipher_name(0x0000), "TLS_NULL_WITH_NULL_NULL");
	assert_null(tls_cipher_name(0x0a0a)); /* GREASE */
	assert_string_equal(tls_version_name(0x0304), "TLSv1.3");
	assert_null(tls_version_name(0x0200));
	assert_string_equal(tls_alert_name(0), "close_notify");
	assert_string_equal(tls_alert_name(48), "unknown_ca");
	assert_string_equal(tls_alert_name(42), "bad_certificate");
	assert_string_equal(tls_alert_name(120), "no_application_protocol");
	assert_null(tls_alert_name(1));
	assert_string_equal(tls_alert_level_name(2), "fatal");
	assert_null(tls_alert_level_name(0));
	assert_string_equal(tls_sigscheme_name(0x0804), "rsa_pss_rsae_sha256");
	assert_string_equal(tls_sigscheme_name(0x0807), "ed25519");
	assert_null(tls_sigscheme_name(0x0000));
}

/* ------------------------------------------------------------------ */
/* HTTP */

static const char *feed_str(struct app_dir *d, bool from_client, uint32_t relseq, const char *s)
{
	return feed1(d, from_client, relseq, (const uint8_t *)s, strlen(s));
}

static void test_app_http_exchange(void **state)
{
	static const char req1[] = "GET /index.html HTTP/1.1\r\nHost: example.test\r\n\r\n";
	static const char req2[] = "POST /form?a=1 HTTP/1.1\r\nContent-Length: 4\r\n\r\nbody";
	static const char rsp1[] = "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello";
	static const char rsp2[] = "HTTP/1.0 404 Not Found\r\n\r\n";
	struct app_dir *c = dir_open(), *s = dir_open();
	uint32_t cs = 1, ss = 1;

	(void)state;
	assert_string_equal(feed_str(c, true, cs, req1), "http request GET /index.html");
	assert_string_equal(feed_str(c, true, cs, req1), ""); /* retransmission */
	cs += sizeof(req1) - 1;
	assert_string_equal(feed_str(s, false, ss, rsp1), "http response 200");
	ss += sizeof(rsp1) - 1;
	/* Keep-alive: the next request at the start of a segment. */
	assert_string_equal(feed_str(c, true, cs, req2), "http request POST /form?a=1");
	cs += sizeof(req2) - 1;
	/* A body segment that is not a request line. */
	assert_string_equal(feed_str(c, true, cs, "more body\r\n"), "");
	cs += 11;
	/* A segment after a gap (not captured) is still looked at. */
	assert_string_equal(feed_str(s, false, ss + 100, rsp2), "http response 404");
	/* A status line from the client, a request line from the server: nothing. */
	assert_string_equal(feed_str(c, true, cs, rsp2), "");
	assert_string_equal(feed_str(s, false, ss + 100 + sizeof(rsp2) - 1, req1), "");
	assert_false(app_dir_done(c));
	app_dir_free(c);
	app_dir_free(s);
}

static void test_app_http_lines(void **state)
{
	static const struct {
		bool from_client;
		const char *text;
		const char *want;
	} cases[] = {
	    {true, "HEAD / HTTP/1.0\r\n", "http request HEAD /"},
	    {true, "OPTIONS * HTTP/1.1\n", "http request OPTIONS *"},
	    {true, "CONNECT example.test:443 HTTP/1.1\r\n",
	     "http request CONNECT example.test:443"},
	    {true, "DELETE /x HTTP/1.1\r\n", "http request DELETE /x"},
	    {true, "PUT /x HTTP/1.1\r\n", "http request PUT /x"},
	    {true, "TRACE /x HTTP/1.1\r\n", "http request TRACE /x"},
	    {true, "PATCH /x HTTP/1.1\r\n", "http request PATCH /x"},
	    {true, "GET /no-line-end HTTP/1.1", ""},
	    {true, "GET / HTTP/2.0\r\n", ""},
	    {true, "GET  HTTP/1.1\r\n", ""},
	    {true, "GET HTTP/1.1\r\n", ""},
	    {true, "get / HTTP/1.1\r\n", ""},
	    {true, "GETS / HTTP/1.1\r\n", ""},
	    {false, "HTTP/1.1 101 Switching Protocols\r\n", "http response 101"},
	    {false, "HTTP/1.1 304\r\n", "http response 304"},
	    {false, "HTTP/1.1 20 OK\r\n", ""},
	    {false, "HTTP/1.1 2000 OK\r\n", ""},
	    {false, "HTTP/1.1 099 x\r\n", ""},
	    {false, "HTTP/1.2 200 OK\r\n", ""},
	    {false, "HTTP/1.1 200", ""},
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(cases); i++) {
		struct app_dir *d = dir_open();

		case_begin("%s", cases[i].text);
		assert_string_equal(feed_str(d, cases[i].from_client, 1, cases[i].text),
				    cases[i].want);
		app_dir_free(d);
	}
	case_end();
}

/* Paths are cut at APP_PATH_MAX; the label shows it. Every prefix of a request line is safe. */
static void test_app_http_long_path(void **state)
{
	char line[512], want[APP_PATH_MAX + 1];
	struct app_dir *d;
	struct app_hints h;
	size_t k;

	(void)state;
	memset(want, 0, sizeof(want));
	memset(want, 'a', APP_PATH_MAX);
	snprintf(line, sizeof(line), "GET /%s HTTP/1.1\r\n", want);
	d = dir_open();
	app_feed(d, true, 1001, (const uint8_t *)line, strlen(line), &h);
	assert_true(h.path_truncated);
	assert_int_equal(strlen(h.path), APP_PATH_MAX);
	assert_true(strncmp(hints_text(&h) + strlen(hints_text(&h)) - 3, "...", 3) == 0);
	app_dir_free(d);

	/* Exactly APP_PATH_MAX bytes: whole. */
	snprintf(line, sizeof(line), "GET %s HTTP/1.1\r\n", want);
	d = dir_open();
	app_feed(d, true, 1001, (const uint8_t *)line, strlen(line), &h);
	assert_false(h.path_truncated);
	assert_string_equal(h.path, want);
	app_dir_free(d);

	for (k = 0; k < strlen(line); k++) {
		char *copy = malloc(k + 1);

		assert_non_null(copy);
		memcpy(copy, line, k);
		d = dir_open();
		app_feed(d, true, 1001, (const uint8_t *)copy, k, &h);
		assert_int_equal(h.bits, 0);
		app_dir_free(d);
		free(copy);
	}
}

/* ------------------------------------------------------------------ */
/* Sniffing, formatting, facts */

static void test_app_sniff(void **state)
{
	static const struct {
		const char *name;
		const char *bytes;
		size_t len;
		enum app_proto want;
	} cases[] = {
	    {"handshake", "\x16\x03\x01\x00\xff", 5, APP_TLS},
	    {"handshake 1 byte", "\x16", 1, APP_TLS},
	    {"handshake version 3.5", "\x16\x03\x05", 3, APP_NONE},
	    {"alert", "\x15\x03\x03\x00\x02", 5, APP_TLS},
	    {"app data", "\x17\x03\x03", 3, APP_TLS},
	    {"ccs", "\x14\x03\x03", 3, APP_TLS},
	    {"type 22 version 2", "\x16\x02\x00", 3, APP_NONE},
	    {"SSLv2 hello", "\x80\x2e\x01", 3, APP_NONE},
	    {"GET", "GET / HTTP/1.1\r\n", 16, APP_HTTP},
	    {"GE", "GE", 2, APP_HTTP},
	    {"OPTIONS", "OPTIONS * HTTP/1.1\r\n", 20, APP_HTTP},
	    {"GETX", "GETX", 4, APP_NONE},
	    {"status", "HTTP/1.1 200 OK\r\n", 17, APP_HTTP},
	    {"HTTP/2", "HTTP/2 200\r\n", 11, APP_NONE},
	    {"ssh", "SSH-2.0-OpenSSH\r\n", 17, APP_NONE},
	    {"empty", "", 0, APP_NONE},
	};
	size_t i;

	(void)state;
	for (i = 0; i < N_OF(cases); i++) {
		case_begin("%s", cases[i].name);
		assert_int_equal(app_sniff((const uint8_t *)cases[i].bytes, cases[i].len),
				 cases[i].want);
	}
	case_end();
	assert_int_equal(app_sniff(NULL, 5), APP_NONE);
	assert_string_equal(app_proto_name(APP_TLS), "tls");
}

/* A direction that starts with neither is done at once; feeding NULL or nothing is safe. */
static void test_app_not_mine(void **state)
{
	struct app_dir *d = dir_open();
	struct app_hints h;

	(void)state;
	assert_string_equal(feed_str(d, true, 1, "SSH-2.0-x\r\n"), "");
	assert_true(app_dir_done(d));
	assert_string_equal(feed_str(d, true, 12, "GET / HTTP/1.1\r\n"), "");
	app_dir_free(d);
	app_feed(NULL, true, 1, (const uint8_t *)"x", 1, &h);
	assert_int_equal(h.bits, 0);
	d = dir_open();
	app_feed(d, true, 1001, NULL, 0, &h);
	assert_int_equal(h.bits, 0);
	assert_false(app_dir_done(d));
	app_dir_free(d);
	app_dir_free(NULL);
}

static void test_app_format_bounds(void **state)
{
	struct app_hints h;
	char buf[16];
	size_t n;

	(void)state;
	memset(&h, 0, sizeof(h));
	h.bits = 1u << APP_HINT_SERVER_HELLO;
	h.version = 0x0304;
	h.cipher = 0x1301;
	n = app_hint_format(&h, APP_HINT_SERVER_HELLO, buf, sizeof(buf));
	assert_int_equal(n, strlen("tls server hello TLSv1.3 TLS_AES_128_GCM_SHA256"));
	assert_string_equal(buf, "tls server hell");
	/* A kind that is not set writes nothing. */
	assert_int_equal(app_hint_format(&h, APP_HINT_ALERT, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(app_hint_format(&h, APP_HINT_COUNT, buf, sizeof(buf)), 0);
	assert_string_equal(app_hint_kind_name(APP_HINT_APP_DATA), "tls app data");
}

/* Facts keep the first of each; the client's ALPN offer gives way to the server's choice once. */
static void test_app_facts(void **state)
{
	struct app_conn_facts f;
	struct app_hints h;

	(void)state;
	memset(&f, 0, sizeof(f));
	memset(&h, 0, sizeof(h));
	h.bits = 1u << APP_HINT_HTTP_REQUEST;
	strcpy(h.method, "GET");
	strcpy(h.path, "/a");
	h.path_truncated = true;
	app_facts_note(&f, &h);
	strcpy(h.path, "/b");
	app_facts_note(&f, &h);
	assert_string_equal(f.http_method, "GET");
	assert_string_equal(f.http_path, "/a");
	assert_true(f.flags & APP_FACT_PATH_TRUNCATED);

	h.bits = 1u << APP_HINT_HTTP_RESPONSE;
	h.status = 301;
	app_facts_note(&f, &h);
	h.status = 200;
	app_facts_note(&f, &h);
	assert_int_equal(f.http_status, 301);

	h.bits = 1u << APP_HINT_CLIENT_HELLO;
	strcpy(h.sni, "a.test");
	strcpy(h.alpn, "h2,http/1.1");
	app_facts_note(&f, &h);
	h.bits = 1u << APP_HINT_SERVER_HELLO;
	h.version = 0x0303;
	h.cipher = 0xc030;
	strcpy(h.alpn, "h2");
	app_facts_note(&f, &h);
	strcpy(h.alpn, "http/1.1");
	h.version = 0x0304;
	app_facts_note(&f, &h);
	assert_string_equal(f.sni, "a.test");
	assert_string_equal(f.alpn, "h2");
	assert_int_equal(f.tls_version, 0x0303);
	assert_int_equal(f.tls_cipher, 0xc030);
	assert_true(f.flags & APP_FACT_TLS);
	assert_false(f.flags & (APP_FACT_RESUMED | APP_FACT_DECRYPTED));

	/* TLS 1.3: the selection comes with the EncryptedExtensions; the leaf's CN; resumed. */
	memset(&f, 0, sizeof(f));
	h.bits = 1u << APP_HINT_CLIENT_HELLO;
	app_facts_note(&f, &h);
	h.bits = 1u << APP_HINT_SERVER_HELLO | 1u << APP_HINT_RESUMED;
	h.alpn[0] = '\0';
	h.session_id_len = 2;
	h.session_id[0] = 0xbe, h.session_id[1] = 0xef;
	app_facts_note(&f, &h);
	h.bits = 1u << APP_HINT_ENC_EXT | 1u << APP_HINT_DEC_CERTIFICATE;
	strcpy(h.alpn, "h2");
	strcpy(h.cn, "leaf.test");
	app_facts_note(&f, &h);
	assert_string_equal(f.alpn, "h2");
	assert_string_equal(f.cert_cn, "leaf.test");
	assert_int_equal(f.session_id_len, 2);
	assert_int_equal(f.session_id[1], 0xef);
	assert_true(f.flags & APP_FACT_RESUMED);
	f.flags |= APP_FACT_DECRYPTED;
	{
		char text[APP_FACTS_TEXT_MAX];

		app_facts_format(&f, text, sizeof(text));
		assert_string_equal(text, "TLSv1.3 TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 decrypted "
					  "resumed sni=a.test alpn=h2 cn=leaf.test");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_app_tls12_connection, case_teardown),
		cmocka_unit_test_teardown(test_app_tls13_connection, case_teardown),
		cmocka_unit_test(test_app_hint_fields),
		cmocka_unit_test_teardown(test_app_client_hello_split_everywhere, case_teardown),
		cmocka_unit_test_teardown(test_app_server_flight_split_everywhere, case_teardown),
		cmocka_unit_test(test_app_client_hello_byte_by_byte),
		cmocka_unit_test(test_app_retransmission_and_overlap),
		cmocka_unit_test(test_app_out_of_order_held),
		cmocka_unit_test(test_app_unanchored),
		cmocka_unit_test(test_app_held_every_order),
		cmocka_unit_test(test_app_held_overlaps),
		cmocka_unit_test(test_app_held_islands),
		cmocka_unit_test(test_app_held_window),
		cmocka_unit_test(test_app_held_acked),
		cmocka_unit_test(test_app_held_not_for_http),
		cmocka_unit_test_teardown(test_app_client_hello_every_truncation, case_teardown),
		cmocka_unit_test_teardown(test_app_client_hello_inner_lengths_lie, case_teardown),
		cmocka_unit_test(test_app_every_byte_damaged),
		cmocka_unit_test_teardown(test_app_server_name_lies, case_teardown),
		cmocka_unit_test(test_app_long_names),
		cmocka_unit_test_teardown(test_app_bad_record_headers, case_teardown),
		cmocka_unit_test(test_app_alerts),
		cmocka_unit_test(test_app_data_once),
		cmocka_unit_test(test_app_beyond_16k),
		cmocka_unit_test(test_app_certificate_too_long),
		cmocka_unit_test_teardown(test_app_server_hello_names, case_teardown),
		cmocka_unit_test(test_app_tls_names),
		cmocka_unit_test(test_app_server_hello_resumption),
		cmocka_unit_test_teardown(test_app_second_client_hello, case_teardown),
		cmocka_unit_test(test_app_cert_chain),
		cmocka_unit_test(test_app_http_exchange),
		cmocka_unit_test_teardown(test_app_http_lines, case_teardown),
		cmocka_unit_test(test_app_http_long_path),
		cmocka_unit_test_teardown(test_app_sniff, case_teardown),
		cmocka_unit_test(test_app_not_mine),
		cmocka_unit_test(test_app_format_bounds),
		cmocka_unit_test(test_app_facts),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
