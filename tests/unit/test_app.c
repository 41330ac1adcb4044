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

/* A single direction fed from relative sequence number 1 (ISN 1000). */
static const char *feed1(struct app_dir *d, bool from_client, uint32_t relseq, const uint8_t *p,
			 size_t n)
{
	static struct app_hints h;

	app_feed(d, from_client, 1000 + relseq, p, n, &h);
	return hints_text(&h);
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
		assert_true(f.flags & APP_FACT_ALPN_SELECTED);
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
		/* TLS 1.3 encrypts the selection: the client's offer stays. */
		assert_string_equal(f.alpn, "h2,http/1.1");
		assert_false(f.flags & APP_FACT_ALPN_SELECTED);
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
 * Out of order: the later part arrives first and is ignored (only in-order
 * bytes are parsed), so the hint waits for its retransmission.
 */
static void test_app_out_of_order_waits(void **state)
{
	struct recording r;
	struct app_dir *d = dir_open();
	const struct rec_seg *ch = client_hello_of(&r, "tls12.hex");

	(void)state;
	assert_string_equal(feed1(d, true, 101, ch->data + 100, ch->len - 100), "");
	assert_string_equal(feed1(d, true, 1, ch->data, 100), "");
	assert_string_equal(feed1(d, true, 101, ch->data + 100, ch->len - 100), CH_TEXT);
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

	/* A gap that stays: done once more than 16 KiB have been seen past it. */
	d = dir_open();
	assert_string_equal(feed1(d, false, 1, alert, 3), "");
	assert_string_equal(feed1(d, false, 1000, big, 1000), "");
	assert_false(app_dir_done(d));
	assert_string_equal(feed1(d, false, 1 + APP_STREAM_MAX + 10, big, 1000), "");
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
		cmocka_unit_test(test_app_out_of_order_waits),
		cmocka_unit_test(test_app_unanchored),
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
