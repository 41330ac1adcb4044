/* test_keylog_live.c - live --keylog: the key log followed as it grows, and TLS records held until their keys come, on real captures. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include "tcpnote/app_keys.h"
#include "tcpnote/app_track.h"
#include "tcpnote/decode.h"
#include "tcpnote/tls_keylog.h"
#include "tcpnote/tls_keylog_tail.h"

#define RANDOM1 "0102030405060708091011121314151617181920212223242526272829303132"
#define RANDOM2 "a102030405060708091011121314151617181920212223242526272829303132"
#define RANDOM3 "b102030405060708091011121314151617181920212223242526272829303132"
#define SECRET32 "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643"
#define MASTER48 SECRET32 "00112233445566778899aabbccddeeff"

static uint8_t rnd(const char *hex, int i)
{
	unsigned v;

	sscanf(hex + 2 * i, "%2x", &v);
	return (uint8_t)v;
}

/* Does the key log hold a secret for (random, label)? */
static bool has(const struct tls_keylog *kl, const char *random_hex, enum tls_keylog_label label)
{
	uint8_t r[TLS_KL_RANDOM_LEN];
	const uint8_t *secret;
	size_t len;
	int i;

	for (i = 0; i < TLS_KL_RANDOM_LEN; i++)
		r[i] = rnd(random_hex, i);
	return tls_keylog_find(kl, r, label, &secret, &len);
}

static void put(const char *path, const char *mode, const char *text)
{
	FILE *f = fopen(path, mode);

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* A fresh folder for one test's key log, and its path inside. */
struct place {
	char dir[64];
	char path[96];
};

static void place_new(struct place *pl)
{
	strcpy(pl->dir, "/tmp/tcpnote-keylive-XXXXXX");
	assert_non_null(mkdtemp(pl->dir));
	snprintf(pl->path, sizeof(pl->path), "%s/keys", pl->dir);
}

static void place_free(struct place *pl)
{
	char other[112];

	unlink(pl->path);
	snprintf(other, sizeof(other), "%s.new", pl->path);
	unlink(other);
	rmdir(pl->dir);
}

static long poll_ok(struct tls_keylog_tail *t, struct tls_keylog *kl)
{
	char err[256] = "";
	long n = tls_keylog_tail_poll(t, kl, err, sizeof(err));

	assert_true(n >= 0);
	assert_string_equal(err, "");
	return n;
}

/* Not there yet, then appended to: whole lines are taken, a last line waits for its newline. */
static void test_tail_appended_lines(void **state)
{
	struct place pl;
	struct tls_keylog *kl = tls_keylog_new();
	struct tls_keylog_tail *t;
	char longline[700];

	(void)state;
	place_new(&pl);
	t = tls_keylog_tail_new(pl.path);
	assert_non_null(t);
	assert_int_equal(poll_ok(t, kl), 0);
	assert_false(tls_keylog_tail_found(t));

	put(pl.path, "w", "CLIENT_RANDOM " RANDOM1 " " MASTER48 "\nCLIENT_HANDSHAKE_TRAFFIC_SECRET " RANDOM2
		     " " SECRET32);
	assert_int_equal(poll_ok(t, kl), 1);
	assert_true(tls_keylog_tail_found(t));
	assert_true(has(kl, RANDOM1, TLS_KL_CLIENT_RANDOM));
	assert_false(has(kl, RANDOM2, TLS_KL_CLIENT_HS)); /* no newline yet */
	assert_int_equal(poll_ok(t, kl), 0);
	put(pl.path, "a", "\r\n");
	assert_int_equal(poll_ok(t, kl), 1);
	assert_true(has(kl, RANDOM2, TLS_KL_CLIENT_HS));

	/* Lines that do not parse are counted, a long one once; a line seen again is not new. */
	memset(longline, 'A', sizeof(longline) - 2);
	longline[sizeof(longline) - 2] = '\n';
	longline[sizeof(longline) - 1] = '\0';
	put(pl.path, "a", "not a key log line\n");
	put(pl.path, "a", longline);
	put(pl.path, "a", "# a comment\n\nCLIENT_RANDOM " RANDOM1 " " MASTER48 "\n");
	assert_int_equal(poll_ok(t, kl), 0);
	assert_int_equal(tls_keylog_tail_bad(t), 2);
	assert_int_equal(tls_keylog_sessions(kl), 2);
	tls_keylog_tail_free(t);
	tls_keylog_free(kl);
	place_free(&pl);
}

/* Cut shorter than what was read: read again from the start; a line begun before is forgotten. */
static void test_tail_truncated(void **state)
{
	struct place pl;
	struct tls_keylog *kl = tls_keylog_new();
	struct tls_keylog_tail *t;

	(void)state;
	place_new(&pl);
	t = tls_keylog_tail_new(pl.path);
	put(pl.path, "w", "CLIENT_RANDOM " RANDOM1 " " MASTER48 "\nCLIENT_RANDOM " RANDOM2 " 0011");
	assert_int_equal(poll_ok(t, kl), 1);
	/* The writer starts again (a new run of curl truncating the file): a shorter file. */
	put(pl.path, "w", "2233\nSERVER_TRAFFIC_SECRET_0 " RANDOM3 " " SECRET32 "\n");
	assert_int_equal(poll_ok(t, kl), 1);
	assert_true(has(kl, RANDOM3, TLS_KL_SERVER_AP0));
	/* "2233" alone does not parse: not joined to the old file's unfinished line. */
	assert_false(has(kl, RANDOM2, TLS_KL_CLIENT_RANDOM));
	assert_int_equal(tls_keylog_tail_bad(t), 1);
	assert_true(has(kl, RANDOM1, TLS_KL_CLIENT_RANDOM)); /* known secrets stay known */
	tls_keylog_tail_free(t);
	tls_keylog_free(kl);
	place_free(&pl);
}

/* Replaced by another file (rename over it), or removed and made again. */
static void test_tail_replaced(void **state)
{
	struct place pl;
	struct tls_keylog *kl = tls_keylog_new();
	struct tls_keylog_tail *t;
	char other[112];
	FILE *old;

	(void)state;
	place_new(&pl);
	snprintf(other, sizeof(other), "%s.new", pl.path);
	t = tls_keylog_tail_new(pl.path);
	put(pl.path, "w", "CLIENT_RANDOM " RANDOM1 " " MASTER48 "\n");
	assert_int_equal(poll_ok(t, kl), 1);
	/* A writer that still holds the old file appends a line after the rename: read first. */
	old = fopen(pl.path, "a");
	assert_non_null(old);
	put(other, "w", "CLIENT_HANDSHAKE_TRAFFIC_SECRET " RANDOM3 " " SECRET32 "\n");
	assert_int_equal(rename(other, pl.path), 0);
	fputs("CLIENT_RANDOM " RANDOM2 " " MASTER48 "\n", old);
	fclose(old);
	assert_int_equal(poll_ok(t, kl), 2);
	assert_true(has(kl, RANDOM2, TLS_KL_CLIENT_RANDOM));
	assert_true(has(kl, RANDOM3, TLS_KL_CLIENT_HS));

	/* Removed: no error, nothing lost; made again: read from its start. */
	assert_int_equal(unlink(pl.path), 0);
	assert_int_equal(poll_ok(t, kl), 0);
	put(pl.path, "w", "SERVER_HANDSHAKE_TRAFFIC_SECRET " RANDOM3 " " SECRET32 "\n");
	assert_int_equal(poll_ok(t, kl), 1);
	assert_true(has(kl, RANDOM3, TLS_KL_SERVER_HS));
	assert_true(has(kl, RANDOM1, TLS_KL_CLIENT_RANDOM));
	tls_keylog_tail_free(t);
	tls_keylog_free(kl);
	place_free(&pl);
}

/* A path that exists but cannot be read as a file is an error naming it. */
static void test_tail_error(void **state)
{
	struct place pl;
	struct tls_keylog *kl = tls_keylog_new();
	struct tls_keylog_tail *t;
	char err[256] = "";

	(void)state;
	place_new(&pl);
	t = tls_keylog_tail_new(pl.dir);
	assert_int_equal(tls_keylog_tail_poll(t, kl, err, sizeof(err)), -1);
	assert_non_null(strstr(err, pl.dir));
	assert_non_null(strstr(err, "--keylog"));
	tls_keylog_tail_free(t);
	tls_keylog_free(kl);
	place_free(&pl);
}

/* ------------------------------------------------------------------ */
/* Records held for keys that come late, on the captures recorded with their key logs */

#define MAX_FRAMES 64
#define TEXT_MAX 2048

struct capture_file {
	int dlt;
	int n;
	struct pcap_pkthdr hdr[MAX_FRAMES];
	uint8_t *data[MAX_FRAMES];
};

static void capture_load(struct capture_file *c, const char *name)
{
	char path[512], ebuf[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *bytes;
	pcap_t *p;

	snprintf(path, sizeof(path), "%s/%s", TCPNOTE_PCAPS, name);
	p = pcap_open_offline(path, ebuf);
	assert_non_null(p);
	c->dlt = pcap_datalink(p);
	c->n = 0;
	while (c->n < MAX_FRAMES && pcap_next_ex(p, &h, &bytes) == 1) {
		c->hdr[c->n] = *h;
		c->data[c->n] = malloc(h->caplen);
		assert_non_null(c->data[c->n]);
		memcpy(c->data[c->n], bytes, h->caplen);
		c->n++;
	}
	pcap_close(p);
}

static void capture_free(struct capture_file *c)
{
	int i;

	for (i = 0; i < c->n; i++)
		free(c->data[i]);
}

/* One connection of a capture followed as the pipeline follows it, with hints by frame. */
struct run {
	struct capture_file *cap;
	uint16_t server_port;
	struct app_state *st;
	uint8_t judged;
	struct app_keys *keys;
	struct tls_keylog *kl;
	struct tls_keylog_tail *tail;
	struct app_hints ontime[MAX_FRAMES + 1]; /* by frame, from 1 */
	struct app_hints late[MAX_FRAMES + 1];
	int late_events;
	int64_t now;
};

static void on_late(void *ctx, const struct app_late *l)
{
	struct run *r = ctx;
	struct app_hints *h;
	uint32_t bits = l->hints.bits;
	enum app_hint_kind k;

	assert_true(l->from.frame >= 1 && l->from.frame <= (uint64_t)r->cap->n);
	assert_int_equal(l->from.flow, 1);
	assert_int_equal(l->from.ip_version, 4);
	assert_true(l->from.sport == r->server_port || l->from.dport == r->server_port);
	assert_int_equal(l->from.ts_sec, r->cap->hdr[l->from.frame - 1].ts.tv_sec);
	assert_int_equal(l->from.ts_frac, r->cap->hdr[l->from.frame - 1].ts.tv_usec);
	h = &r->late[l->from.frame];
	/* Kinds are merged by hand: each field only for its kind. */
	while ((k = app_hints_next(&bits)) != APP_HINT_COUNT) {
		assert_false(app_hints_has(h, k));
		h->bits |= 1u << k;
	}
	if (app_hints_has(&l->hints, APP_HINT_DEC_CERTIFICATE)) {
		memcpy(h->cn, l->hints.cn, sizeof(h->cn));
		h->chain = l->hints.chain;
	}
	if (app_hints_has(&l->hints, APP_HINT_ENC_EXT))
		memcpy(h->alpn, l->hints.alpn, sizeof(h->alpn));
	if (app_hints_has(&l->hints, APP_HINT_CANNOT_DECRYPT))
		h->undecryptable = l->hints.undecryptable;
	if (app_hints_has(&l->hints, APP_HINT_ALERT)) {
		h->alert_encrypted = l->hints.alert_encrypted;
		h->alert_level = l->hints.alert_level;
		h->alert_desc = l->hints.alert_desc;
	}
	if (app_hints_has(&l->hints, APP_HINT_HTTP_REQUEST)) {
		memcpy(h->method, l->hints.method, sizeof(h->method));
		memcpy(h->path, l->hints.path, sizeof(h->path));
		h->path_truncated = l->hints.path_truncated;
	}
	if (app_hints_has(&l->hints, APP_HINT_HTTP_RESPONSE))
		h->status = l->hints.status;
	r->late_events++;
}

/* live: follow the file at path (NULL: the capture's .keys, read whole, as -r does). */
static void run_start(struct run *r, struct capture_file *cap, const char *name,
		      uint16_t server_port, const char *path)
{
	char keys[512], err[256];
	unsigned long bad = 0;

	memset(r, 0, sizeof(*r));
	r->cap = cap;
	r->server_port = server_port;
	r->kl = tls_keylog_new();
	assert_non_null(r->kl);
	if (path != NULL) {
		r->tail = tls_keylog_tail_new(path);
		assert_non_null(r->tail);
	} else {
		snprintf(keys, sizeof(keys), "%s/%.*s.keys", TCPNOTE_PCAPS, (int)strlen(name) - 5, name);
		assert_int_equal(tls_keylog_load(r->kl, keys, &bad, err, sizeof(err)), 0);
	}
	r->keys = app_keys_new(r->kl, r->tail, on_late, r);
	assert_non_null(r->keys);
	assert_int_equal(app_keys_live(r->keys), path != NULL);
	r->now = 1000000000;
}

/* Frames first..last (from 1), each at the clock r->now as it is. */
static void run_frames(struct run *r, int first, int last)
{
	struct decode_opts opts = {.verify_checksums = false};
	struct packet p;
	int f;

	for (f = first; f <= last && f <= r->cap->n; f++) {
		const struct pcap_pkthdr *h = &r->cap->hdr[f - 1];
		int role;

		decode_packet(r->cap->dlt, r->cap->data[f - 1], h->caplen, h->len, &opts, &p);
		p.number = (uint32_t)f;
		p.ts_sec = h->ts.tv_sec;
		p.ts_frac = (uint32_t)h->ts.tv_usec;
		p.ts_nano = false;
		assert_true(packet_has_tcp(&p));
		role = p.tcp.sport == r->server_port ? 1 : 0;
		app_keys_tick(r->keys, r->now);
		app_keys_packet(r->keys, &p, (uint64_t)f, 1);
		assert_true(app_track_segment(&r->st, &r->judged, role, false, 0, &p, true, r->keys,
					      &r->ontime[f]));
	}
}

static void run_end(struct run *r)
{
	app_keys_finish(r->keys);
	app_track_clear(&r->st, &r->judged);
	app_keys_free(r->keys);
	tls_keylog_tail_free(r->tail);
	tls_keylog_free(r->kl);
}

/* Hints of h (and of more, kind by kind), in the order a line prints them. */
static void hints_text(const struct app_hints *h, const struct app_hints *more, char *out)
{
	char one[APP_HINT_TEXT_MAX];
	size_t used = 0;
	int k;

	out[0] = '\0';
	for (k = 0; k < APP_HINT_COUNT; k++) {
		const struct app_hints *from = app_hints_has(h, (enum app_hint_kind)k) ? h
					       : more != NULL &&
							 app_hints_has(more, (enum app_hint_kind)k)
						       ? more
						       : NULL;

		if (from == NULL)
			continue;
		app_hint_format(from, (enum app_hint_kind)k, one, sizeof(one));
		used += (size_t)snprintf(out + used, TEXT_MAX - used, "%s%s", used ? ", " : "", one);
	}
}

/*
 * Every frame shows, on time and late together, exactly what the whole key
 * log shows (-r); decrypted hints that came late are not on time too.
 */
static void same_as_whole(struct run *r, const char *name, uint16_t server_port)
{
	static struct run whole;
	struct capture_file *cap = r->cap;
	char a[TEXT_MAX], b[TEXT_MAX];
	int f;

	run_start(&whole, cap, name, server_port, NULL);
	run_frames(&whole, 1, cap->n);
	for (f = 1; f <= cap->n; f++) {
		assert_int_equal(r->ontime[f].bits & r->late[f].bits, 0);
		hints_text(&r->ontime[f], &r->late[f], a);
		hints_text(&whole.ontime[f], NULL, b);
		if (strcmp(a, b) != 0)
			fail_msg("frame %d: live shows \"%s\", the whole key log \"%s\"", f, a, b);
	}
	assert_int_equal(whole.late_events, 0);
	run_end(&whole);
}

static void keys_of(const char *name, char *path, size_t n)
{
	snprintf(path, n, "%s/%.*s.keys", TCPNOTE_PCAPS, (int)strlen(name) - 5, name);
}

/* Copy the capture's key log into the followed file, all of it or only the lines with label. */
static void write_keys(const char *name, const char *to, const char *only)
{
	char from[512], line[512];
	FILE *in, *out;

	keys_of(name, from, sizeof(from));
	in = fopen(from, "r");
	out = fopen(to, "a");
	assert_non_null(in);
	assert_non_null(out);
	while (fgets(line, sizeof(line), in) != NULL)
		if (only == NULL || strstr(line, only) != NULL)
			fputs(line, out);
	fclose(in);
	fclose(out);
}

/* One test's live run: a capture, the folder of the key log followed, the run. */
static struct live {
	struct run r;
	struct capture_file cap;
	struct place pl;
	const char *name;
	uint16_t port;
} L;

static struct run *live_begin(const char *name, uint16_t server_port)
{
	place_new(&L.pl);
	capture_load(&L.cap, name);
	L.name = name;
	L.port = server_port;
	run_start(&L.r, &L.cap, name, server_port, L.pl.path);
	return &L.r;
}

static void live_close(void)
{
	run_end(&L.r);
	capture_free(&L.cap);
	place_free(&L.pl);
}

/* The end of a run whose keys all came: every frame as the whole key log shows it. */
static void live_end(void)
{
	same_as_whole(&L.r, L.name, L.port);
	live_close();
}

/* The capture idles for ns: the clock moves on, a tick. */
static void live_idle(int64_t ns)
{
	L.r.now += ns;
	app_keys_tick(L.r.keys, L.r.now);
}

/* The client writes its key log (the lines with `only` in them; NULL: all). */
static void live_keys(const char *only)
{
	write_keys(L.name, L.pl.path, only);
}

/* The hints frame has on time (late false) or late. */
static void live_expect(int frame, bool late, const char *want)
{
	char text[TEXT_MAX];

	hints_text(late ? &L.r.late[frame] : &L.r.ontime[frame], NULL, text);
	assert_string_equal(text, want);
}

/*
 * TLS 1.3 as curl and the capture meet it live: the server's flight
 * (frame 6) comes before the client has written the handshake secrets.
 * It is held, and opened when the key log grows: the late hints are those
 * the whole key log gives frame 6. (live_end checks every frame so.)
 */
static void test_late_tls13_server_flight(void **state)
{
	struct run *r = live_begin("tls13-aes128-keylog.pcap", 7448);

	(void)state;
	run_frames(r, 1, 6);
	assert_int_equal(r->late_events, 0);
	live_expect(6, false, "tls server hello TLSv1.3 TLS_AES_128_GCM_SHA256, tls change cipher spec, "
			      "tls app data");
	live_idle(100000000); /* a tick before the key: still held, nothing said */
	assert_int_equal(r->late_events, 0);
	live_keys(NULL);
	live_idle(100000000);
	assert_int_equal(r->late_events, 1);
	live_expect(6, true, "tls encrypted extensions, tls certificate cn=tcpnote.test, "
			     "tls certificate verify, tls finished");
	run_frames(r, 7, L.cap.n);
	assert_int_equal(r->late_events, 1);
	live_end();
}

/*
 * Only the handshake secrets at first: after its Finished each side needs
 * its application secret, so the tickets and the request wait behind it,
 * in order, and come out when the key log has the rest. The request that
 * came late is in the connection's facts.
 */
static void test_late_application_secrets(void **state)
{
	struct run *r = live_begin("tls13-aes128-keylog.pcap", 7448);
	const struct app_conn_facts *facts;

	(void)state;
	live_keys("_HANDSHAKE_TRAFFIC_SECRET");
	run_frames(r, 1, 11);
	live_expect(8, false, "tls change cipher spec, tls app data, tls finished");
	assert_int_equal(r->late_events, 0);
	assert_int_equal(r->ontime[9].bits | r->ontime[10].bits | r->ontime[11].bits, 0);
	live_keys("_TRAFFIC_SECRET_0");
	live_idle(50000000);
	assert_int_equal(r->late_events, 3); /* frames 9, 10 and 11 */
	live_expect(9, true, "http request GET /");
	run_frames(r, 12, L.cap.n);
	facts = app_track_facts(r->st);
	assert_non_null(facts);
	assert_string_equal(facts->http_method, "GET");
	assert_int_equal(facts->http_status, 200);
	live_end();
}

/* TLS 1.2: the master secret comes after every record; both directions wait, then open. */
static void test_late_tls12(void **state)
{
	struct run *r = live_begin("tls12-ecdhe-rsa-gcm-keylog.pcap", 7451);

	(void)state;
	run_frames(r, 1, L.cap.n);
	assert_int_equal(r->late_events, 0);
	live_keys(NULL);
	live_idle(10000000);
	/* both Finished, the request, the response, both close_notify alerts */
	assert_int_equal(r->late_events, 6);
	live_expect(10, true, "http request GET /tls12");
	live_expect(12, true, "tls alert warning close_notify");
	live_expect(14, true, "tls alert warning close_notify");
	live_end();
}

/* No key within the grace period: "no key" once per direction, late, of the first record held. */
static void test_no_key_after_grace(void **state)
{
	struct run *r = live_begin("tls13-aes128-keylog.pcap", 7448);
	int f;

	(void)state;
	run_frames(r, 1, L.cap.n);
	live_idle(APP_KEYS_GRACE_NS - 1);
	assert_int_equal(r->late_events, 0);
	live_idle(1);
	assert_int_equal(r->late_events, 2);
	live_expect(6, true, "tls cannot decrypt (no key)");
	live_expect(8, true, "tls cannot decrypt (no key)");
	for (f = 1; f <= L.cap.n; f++)
		assert_false(app_hints_has(&r->ontime[f], APP_HINT_CANNOT_DECRYPT));
	/* The key that comes after that changes nothing. */
	live_keys(NULL);
	app_keys_finish(r->keys);
	assert_int_equal(r->late_events, 2);
	live_close();
}

/*
 * The connection ends (its record is reused or evicted) while records wait:
 * they are settled then, as at the end of the capture.
 */
static void test_settled_when_the_connection_goes(void **state)
{
	struct run *r = live_begin("tls13-aes128-keylog.pcap", 7448);

	(void)state;
	run_frames(r, 1, 8);
	assert_int_equal(r->late_events, 0);
	app_track_clear(&r->st, &r->judged);
	assert_int_equal(r->late_events, 2); /* frame 6 (server) and frame 8 (client) */
	live_expect(6, true, "tls cannot decrypt (no key)");
	live_expect(8, true, "tls cannot decrypt (no key)");
	live_close();
}

/*
 * Bounded: a direction holds at most APP_KEYS_HOLD_MAX bytes. The server of
 * the keep-alive capture sends more than that before any key comes: the
 * record that does not fit gets "no key" on time, once, and nothing after.
 */
static void test_hold_bounded(void **state)
{
	struct run *r = live_begin("tls13-keepalive-keylog.pcap", 7452);
	int f, said = 0, at = 0;
	uint64_t bytes = 0;

	(void)state;
	run_frames(r, 1, L.cap.n);
	for (f = 1; f <= L.cap.n; f++)
		if (app_hints_has(&r->ontime[f], APP_HINT_CANNOT_DECRYPT)) {
			said++;
			at = f;
			assert_int_equal(r->ontime[f].undecryptable, APP_UNDEC_NO_KEY);
		}
	assert_int_equal(said, 1);
	/* It is a server frame, after more than the bound's worth of server bytes. */
	for (f = 6; f <= at; f++) {
		const struct pcap_pkthdr *h = &L.cap.hdr[f - 1];
		struct decode_opts opts = {.verify_checksums = false};
		struct packet p;

		decode_packet(L.cap.dlt, L.cap.data[f - 1], h->caplen, h->len, &opts, &p);
		if (p.tcp.sport == 7452)
			bytes += p.tcp.payload.len;
	}
	assert_true(bytes > APP_KEYS_HOLD_MAX - 4096);
	live_keys(NULL);
	app_keys_finish(r->keys);
	/* The client's records still fitted: they open at the end. */
	for (f = 1; f <= L.cap.n; f++)
		assert_false(app_hints_has(&r->late[f], APP_HINT_CANNOT_DECRYPT));
	assert_true(r->late_events > 0);
	assert_true(app_hints_has(&r->late[10], APP_HINT_HTTP_REQUEST));
	live_close();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tail_appended_lines),
		cmocka_unit_test(test_tail_truncated),
		cmocka_unit_test(test_tail_replaced),
		cmocka_unit_test(test_tail_error),
		cmocka_unit_test(test_late_tls13_server_flight),
		cmocka_unit_test(test_late_application_secrets),
		cmocka_unit_test(test_late_tls12),
		cmocka_unit_test(test_no_key_after_grace),
		cmocka_unit_test(test_settled_when_the_connection_goes),
		cmocka_unit_test(test_hold_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
