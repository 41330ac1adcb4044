/* app_tls_dec.c - TLS 1.3 and 1.2 records opened with an NSS key log: keys per direction, handshake messages and HTTP inside. */
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "app_priv.h"
#include "tcpnote/app_keys.h"
#include "tcpnote/tls_crypt.h"
#include "tcpnote/tls_keylog.h"

/* TLSCiphertext.length is at most 2^14 + 256 in TLS 1.3 and 2^14 + 2048 before (RFC 5246 6.2.3). */
#define REC_BODY_MAX (16384 + 2048)

enum {
	REC_ALERT = 21,
	REC_HANDSHAKE = 22,
	REC_APPLICATION_DATA = 23,
	HS_NEW_SESSION_TICKET = 4,
	HS_ENCRYPTED_EXTENSIONS = 8,
	HS_CERTIFICATE = 11,
	HS_CERTIFICATE_VERIFY = 15,
	HS_FINISHED = 20,
	HS_KEY_UPDATE = 24,
	TLS13 = 0x0304,
	TLS12 = 0x0303,
};

/*
 * Live, records that came before their key (app_keys.h): entries back to
 * back, a struct held_rec and then the record's body, APP_KEYS_HOLD_MAX
 * bytes at most.
 */
struct held_rec {
	uint64_t frame;  /* the packet that completed it */
	int64_t ts_sec;
	int64_t held_at; /* when it was held (the monotonic clock of app_keys_tick) */
	uint32_t ts_frac;
	uint16_t len;    /* body bytes */
	uint8_t hdr[5];
	bool ts_nano;
};

struct held {
	uint8_t *buf;
	uint32_t len, cap;
	struct app_keys *keys;  /* counts every session's held bytes against APP_KEYS_HELD_TOTAL */
	struct app_origin from; /* the direction's addresses and flow (frame and time per record) */
};

/* One direction's decryption. */
struct tls_dec {
	struct tls_aead *aead;   /* NULL: no keys (then `reason` says why) */
	uint8_t secret[TLS_KL_SECRET_MAX]; /* TLS 1.3: the current traffic secret, for KeyUpdate */
	uint8_t secret_len;
	uint8_t reason;          /* enum app_undecryptable, when aead is NULL */
	uint8_t label;           /* enum tls_keylog_label of the secret in use (or missing) */
	uint8_t updates;         /* TLS 1.3: KeyUpdates applied to it (at most 255 counted) */
	bool keyed;              /* keys were looked up: protected records are expected */
	bool active;             /* records are protected now (TLS 1.2: after this side's CCS) */
	bool failed;             /* "tls cannot decrypt" said: nothing more from this direction */
	bool app_keys;           /* TLS 1.3: application traffic keys are in use */
	uint8_t *rec;            /* the record being collected, REC_BODY_MAX bytes */
	uint32_t rec_len;
	uint8_t *hs;             /* decrypted handshake bytes not yet a whole message */
	uint32_t hs_len;
	uint32_t hs_skip;        /* bytes of a message too long to keep, still to pass over */
	uint8_t hs_skip_type;
	struct held held;        /* live: records waiting for their key */
};

struct app_tls_session {
	const struct tls_keylog *kl;
	uint8_t client_random[TLS_KL_RANDOM_LEN];
	bool have_random;
	bool hello_done; /* a ServerHello was taken */
	bool opened;     /* a record was opened */
	bool tls13;
	const struct tls_suite_info *suite;
	struct tls_dec dir[2]; /* [0] client to server, [1] server to client */
	uint8_t server_random[32]; /* TLS 1.2: for keys whose master secret comes later (live) */
	/* Live (app_tls_dec_follow): */
	struct app_keys *keys;          /* NULL: the key log is whole, a missing key is final */
	struct app_conn_facts *facts;   /* late hints are folded in here (NULL: not kept) */
	struct app_tls_session *wait_prev, *wait_next; /* app_keys' list of sessions holding records */
	bool waiting;
	/* Where the server's certificates go when they are collected (app_tls_dec_end's chain): kept,
	 * so a record opened late, held for its key, still fills it. */
	struct app_cert_chain **chain;
};

struct app_tls_session *app_tls_session_new(const struct tls_keylog *kl)
{
	struct app_tls_session *s = calloc(1, sizeof(*s));

	if (s != NULL)
		s->kl = kl;
	return s;
}

static void held_drop(struct held *h)
{
	if (h->buf != NULL) {
		OPENSSL_cleanse(h->buf, h->cap);
		app_keys_held(h->keys, -(int64_t)h->cap);
	}
	free(h->buf);
	h->buf = NULL;
	h->len = h->cap = 0;
}

static void dec_drop(struct tls_dec *d)
{
	held_drop(&d->held);
	tls_aead_free(d->aead);
	d->aead = NULL;
	free(d->rec);
	d->rec = NULL;
	free(d->hs);
	d->hs = NULL;
	d->rec_len = d->hs_len = 0;
	OPENSSL_cleanse(d->secret, sizeof(d->secret));
}

void app_tls_session_free(struct app_tls_session *s)
{
	if (s == NULL)
		return;
	/* A connection that ends (replaced, evicted) while records wait: they are settled now. */
	if (s->waiting) {
		app_tls_dec_settle(s, 0, true);
		app_tls_dec_unwait(s);
	}
	dec_drop(&s->dir[0]);
	dec_drop(&s->dir[1]);
	OPENSSL_cleanse(s, sizeof(*s));
	free(s);
}

void app_dir_set_session(struct app_dir *d, struct app_tls_session *s)
{
	if (d != NULL)
		d->tls.sess = s;
}

void app_tls_dec_client_hello(struct app_tls_session *s, struct span m)
{
	/* legacy_version, then the 32-byte random (RFC 8446 section 4.1.2) */
	if (!s->have_random && span_copy(m, 2, s->client_random, TLS_KL_RANDOM_LEN))
		s->have_random = true;
}

/* TLS 1.3 traffic keys from a traffic secret (RFC 8446 section 7.3). */
static bool dec_keys13(struct app_tls_session *s, struct tls_dec *d, const uint8_t *secret,
		       size_t len)
{
	uint8_t key[32], iv[12];
	bool ok;

	tls_aead_free(d->aead);
	d->aead = NULL;
	if (len > sizeof(d->secret))
		return false;
	memmove(d->secret, secret, len);
	d->secret_len = (uint8_t)len;
	ok = tls_hkdf_expand_label(s->suite->hash, secret, len, "key", NULL, 0, key,
				   s->suite->key_len) &&
	     tls_hkdf_expand_label(s->suite->hash, secret, len, "iv", NULL, 0, iv, 12);
	if (ok)
		d->aead = tls_aead_new(s->suite, key, iv);
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(iv, sizeof(iv));
	if (d->aead == NULL)
		d->reason = ok ? APP_UNDEC_MEMORY : APP_UNDEC_CIPHER;
	return d->aead != NULL;
}

static void dec_keyed13(struct app_tls_session *s, int dir, enum tls_keylog_label label)
{
	struct tls_dec *d = &s->dir[dir];
	const uint8_t *secret;
	size_t len;

	d->keyed = true;
	d->active = true;
	d->label = (uint8_t)label;
	if (!tls_keylog_find(s->kl, s->client_random, label, &secret, &len)) {
		d->reason = APP_UNDEC_NO_KEY;
		return;
	}
	dec_keys13(s, d, secret, len);
}

/* TLS 1.2: key_block = PRF(master, "key expansion", server_random + client_random), RFC 5246 6.3. */
static void dec_keys12(struct app_tls_session *s, const uint8_t server_random[32])
{
	const struct tls_suite_info *su = s->suite;
	uint8_t seed[64], block[2 * 32 + 2 * 12];
	const uint8_t *master;
	size_t len, k = su->key_len, iv = su->iv_len;
	int i;

	for (i = 0; i < 2; i++) {
		s->dir[i].keyed = true;
		s->dir[i].reason = APP_UNDEC_NO_KEY;
		s->dir[i].label = TLS_KL_CLIENT_RANDOM;
	}
	if (!tls_keylog_find(s->kl, s->client_random, TLS_KL_CLIENT_RANDOM, &master, &len))
		return;
	if (s->dir[0].aead != NULL || s->dir[1].aead != NULL)
		return; /* keys made already */
	memcpy(seed, server_random, 32);
	memcpy(seed + 32, s->client_random, 32);
	/* AEAD suites have no MAC keys: client key, server key, client IV, server IV. */
	if (!tls12_prf(su->hash, master, len, "key expansion", seed, sizeof(seed), block,
		       2 * k + 2 * iv)) {
		s->dir[0].reason = s->dir[1].reason = APP_UNDEC_CIPHER;
		return;
	}
	s->dir[0].aead = tls_aead_new(su, block, block + 2 * k);
	s->dir[1].aead = tls_aead_new(su, block + k, block + 2 * k + iv);
	for (i = 0; i < 2; i++)
		if (s->dir[i].aead == NULL)
			s->dir[i].reason = APP_UNDEC_MEMORY;
	OPENSSL_cleanse(block, sizeof(block));
}

void app_tls_dec_server_hello(struct app_tls_session *s, struct span m, uint16_t version,
			      uint16_t suite, bool hello_retry)
{
	uint8_t server_random[32];
	int i;

	/* After a HelloRetryRequest the ClientHello comes again, with the same random. */
	if (s->hello_done || hello_retry || !span_copy(m, 2, server_random, sizeof(server_random)))
		return;
	s->hello_done = true;
	s->suite = tls_suite_find(suite);
	s->tls13 = version == TLS13;
	if (s->suite == NULL || s->suite->tls13 != s->tls13 || (!s->tls13 && version != TLS12) ||
	    !s->have_random) {
		for (i = 0; i < 2; i++) {
			s->dir[i].keyed = true;
			s->dir[i].active = s->tls13;
			s->dir[i].reason = s->have_random ? APP_UNDEC_CIPHER : APP_UNDEC_NO_KEY;
			s->dir[i].label = (uint8_t)(!s->tls13 ? TLS_KL_CLIENT_RANDOM
						: i == 0    ? TLS_KL_CLIENT_HS
							    : TLS_KL_SERVER_HS);
		}
		return;
	}
	memcpy(s->server_random, server_random, sizeof(server_random));
	if (s->tls13) {
		dec_keyed13(s, 0, TLS_KL_CLIENT_HS);
		dec_keyed13(s, 1, TLS_KL_SERVER_HS);
	} else {
		dec_keys12(s, server_random);
	}
}

bool app_tls_session_opened(const struct app_tls_session *s)
{
	return s != NULL && s->opened;
}

void app_tls_dec_ccs(struct app_tls_session *s, bool from_client)
{
	struct tls_dec *d = &s->dir[from_client ? 0 : 1];

	/* In TLS 1.3 ChangeCipherSpec is only for middleboxes (RFC 8446 appendix D.4). */
	if (!s->tls13 && d->keyed)
		d->active = true;
}

bool app_tls_dec_wants(const struct app_tls_session *s, bool from_client, uint8_t type)
{
	const struct tls_dec *d = &s->dir[from_client ? 0 : 1];

	if (!d->active || d->failed)
		return false;
	/* TLS 1.3 protects only application_data records; TLS 1.2 all after ChangeCipherSpec. */
	return s->tls13 ? type == REC_APPLICATION_DATA
			: type == REC_HANDSHAKE || type == REC_ALERT || type == REC_APPLICATION_DATA;
}

/* Live, a direction without its key may wait for the key log to grow; reading a file it may not. */
static bool dec_may_wait(const struct app_tls_session *s, const struct tls_dec *d)
{
	return s->keys != NULL && s->suite != NULL && s->have_random && d->keyed && !d->failed &&
	       d->aead == NULL && d->reason == APP_UNDEC_NO_KEY;
}

/* Live: read the key log again and look for the direction's key (the TLS 1.2 master for both). */
static bool dec_find_keys(struct app_tls_session *s, int dir)
{
	struct tls_dec *d = &s->dir[dir];
	static const enum tls_keylog_label label[2][2] = {{TLS_KL_CLIENT_HS, TLS_KL_SERVER_HS},
							  {TLS_KL_CLIENT_AP0, TLS_KL_SERVER_AP0}};

	if (d->aead != NULL)
		return true;
	if (!dec_may_wait(s, d))
		return false;
	app_keys_refresh(s->keys);
	if (s->tls13)
		dec_keyed13(s, dir, label[d->app_keys][dir]);
	else
		dec_keys12(s, s->server_random);
	return d->aead != NULL;
}

bool app_tls_dec_going(const struct app_tls_session *s, bool from_client)
{
	const struct tls_dec *d;

	if (s == NULL)
		return false;
	d = &s->dir[from_client ? 0 : 1];
	return d->keyed && !d->failed && (d->aead != NULL || dec_may_wait(s, d));
}

/* Claim kind k for a message read with d's keys, and name those keys. */
static bool dec_claim(const struct tls_dec *d, struct app_hints *out, enum app_hint_kind k)
{
	if (!app_hint_claim(out, k))
		return false;
	out->decrypted_bits |= 1u << k;
	out->keys[k].label = d->label;
	out->keys[k].updates = d->updates;
	return true;
}

/* Say once that this direction cannot be decrypted, and stop. */
static void dec_fail(struct tls_dec *d, uint8_t reason, struct app_hints *out)
{
	d->failed = true;
	if (dec_claim(d, out, APP_HINT_CANNOT_DECRYPT))
		out->undecryptable = reason;
	dec_drop(d);
}

void app_tls_dec_gap(struct app_tls_session *s, bool from_client, struct app_hints *out)
{
	struct tls_dec *d = &s->dir[from_client ? 0 : 1];

	if (!d->failed)
		dec_fail(d, APP_UNDEC_GAP, out);
}

void app_tls_dec_body(struct app_tls_session *s, bool from_client, struct span piece)
{
	struct tls_dec *d = &s->dir[from_client ? 0 : 1];
	size_t n = piece.len;

	if (d->failed || (d->aead == NULL && !dec_may_wait(s, d)))
		return;
	if (d->rec == NULL && (d->rec = malloc(REC_BODY_MAX)) == NULL)
		return; /* found at the record's end: rec_len disagrees */
	if (n > REC_BODY_MAX - d->rec_len)
		n = REC_BODY_MAX - d->rec_len;
	memcpy(d->rec + d->rec_len, piece.data, n);
	d->rec_len += (uint32_t)n;
}

/* Certificate in the TLS 1.3 form (RFC 8446 section 4.4.2): the leaf's CN and how many were sent. */
static void certificate13(const struct tls_dec *d, struct span m, struct app_cert_chain **chain,
			  struct app_hints *out)
{
	uint8_t ctx_len;
	uint32_t list_len, n;

	if (!dec_claim(d, out, APP_HINT_DEC_CERTIFICATE))
		return;
	out->cn[0] = '\0';
	out->chain = 0;
	if (!span_u8(m, 0, &ctx_len) || !app_tls_be24(m, 1u + ctx_len, &list_len) ||
	    !span_has(m, 4u + ctx_len, list_len))
		return;
	app_tls_cert_list(span_sub(m, 4u + ctx_len, list_len), true, chain, &n, out->cn);
	out->chain = (uint16_t)(n > 0xffff ? 0xffff : n);
}

/* A whole decrypted handshake message of direction dir. */
static void dec_message(struct app_tls_session *s, int dir, uint8_t type, struct span m,
			struct app_cert_chain **chain, struct app_hints *out)
{
	struct tls_dec *d = &s->dir[dir];
	enum tls_keylog_label next = dir == 0 ? TLS_KL_CLIENT_AP0 : TLS_KL_SERVER_AP0;
	uint16_t n;
	uint8_t asked;

	switch (type) {
	case HS_ENCRYPTED_EXTENSIONS:
		if (dec_claim(d, out, APP_HINT_ENC_EXT)) {
			out->alpn[0] = '\0';
			if (span_be16(m, 0, &n))
				app_tls_alpn_of(span_sub(m, 2, n <= m.len - 2 ? n : m.len - 2),
						out->alpn);
		}
		break;
	case HS_CERTIFICATE:
		if (s->tls13)
			certificate13(d, m, chain, out);
		break;
	case HS_CERTIFICATE_VERIFY:
		/* algorithm, then the signature (RFC 8446 section 4.4.3) */
		if (dec_claim(d, out, APP_HINT_CERT_VERIFY) && !span_be16(m, 0, &out->sig_scheme))
			out->sig_scheme = 0;
		break;
	case HS_FINISHED:
		dec_claim(d, out, APP_HINT_FINISHED);
		/* RFC 8446 section 7.3: after its Finished, a side sends with application keys. */
		if (s->tls13 && !d->app_keys) {
			const uint8_t *secret;
			size_t len;

			d->app_keys = true;
			d->label = (uint8_t)next;
			d->updates = 0;
			if (s->keys != NULL && !tls_keylog_find(s->kl, s->client_random, next, &secret, &len))
				app_keys_refresh(s->keys);
			if (!tls_keylog_find(s->kl, s->client_random, next, &secret, &len)) {
				if (s->keys == NULL) {
					dec_fail(d, APP_UNDEC_NO_KEY, out);
				} else {
					/* Live: the next record waits for the key (dec_find_keys). */
					tls_aead_free(d->aead);
					d->aead = NULL;
					d->reason = APP_UNDEC_NO_KEY;
				}
			} else if (!dec_keys13(s, d, secret, len)) {
				dec_fail(d, d->reason, out);
			}
		}
		break;
	case HS_NEW_SESSION_TICKET:
		/* ticket_lifetime first, in TLS 1.3 (RFC 8446 4.6.1) as in RFC 5077 section 3.3 */
		if (dec_claim(d, out, APP_HINT_NEW_TICKET) &&
		    !span_be32(m, 0, &out->ticket_lifetime))
			out->ticket_lifetime = 0;
		break;
	case HS_KEY_UPDATE:
		if (dec_claim(d, out, APP_HINT_KEY_UPDATE))
			out->key_update_asked = span_u8(m, 0, &asked) && asked == 1;
		/* RFC 8446 section 7.2: the sender's next secret is Expand-Label(secret, "traffic upd"). */
		if (s->tls13 && d->aead != NULL) {
			uint8_t upd[TLS_KL_SECRET_MAX];
			size_t len = d->secret_len;

			if (!tls_hkdf_expand_label(s->suite->hash, d->secret, len, "traffic upd",
						   NULL, 0, upd, len) ||
			    !dec_keys13(s, d, upd, len))
				dec_fail(d, APP_UNDEC_CIPHER, out);
			else if (d->updates < 255)
				d->updates++;
			OPENSSL_cleanse(upd, sizeof(upd));
		}
		break;
	default:
		break;
	}
}

/* Decrypted handshake bytes: whole messages are taken off as they complete. */
static void dec_handshake(struct app_tls_session *s, int dir, struct span data,
			  struct app_cert_chain **chain, struct app_hints *out)
{
	struct tls_dec *d = &s->dir[dir];
	size_t at = 0;

	while (at < data.len && !d->failed) {
		size_t n = data.len - at;
		struct span b;
		uint8_t type;
		uint32_t mlen;

		if (d->hs_skip > 0) {
			if (n > d->hs_skip)
				n = d->hs_skip;
			d->hs_skip -= (uint32_t)n;
			at += n;
			if (d->hs_skip == 0 && d->hs_skip_type == HS_CERTIFICATE &&
			    dec_claim(d, out, APP_HINT_DEC_CERTIFICATE)) {
				out->cn[0] = '\0';
				out->chain = 0;
			}
			continue;
		}
		if (d->hs == NULL && (d->hs = malloc(APP_STREAM_MAX)) == NULL) {
			dec_fail(d, APP_UNDEC_MEMORY, out);
			return;
		}
		if (n > APP_STREAM_MAX - d->hs_len)
			n = APP_STREAM_MAX - d->hs_len;
		memcpy(d->hs + d->hs_len, data.data + at, n);
		d->hs_len += (uint32_t)n;
		at += n;
		for (;;) {
			b = span_make(d->hs, d->hs_len);
			if (!span_u8(b, 0, &type) || !app_tls_be24(b, 1, &mlen))
				break;
			if (4 + (size_t)mlen > APP_STREAM_MAX) {
				/* Too long to keep (a long chain): counted through. */
				d->hs_skip = 4 + mlen - d->hs_len;
				d->hs_skip_type = type;
				d->hs_len = 0;
				break;
			}
			if (b.len < 4 + (size_t)mlen)
				break;
			dec_message(s, dir, type, span_sub(b, 4, mlen), chain, out);
			if (d->failed)
				return; /* the buffer is freed */
			memmove(d->hs, d->hs + 4 + mlen, d->hs_len - 4 - mlen);
			d->hs_len -= 4 + mlen;
		}
		/* Between messages nothing is kept: a session's memory is its one record. */
		if (d->hs_len == 0) {
			free(d->hs);
			d->hs = NULL;
		}
	}
}

/* Open one whole record of direction dir (body[0..len), changed in place) and take what is inside. */
static void dec_open(struct app_tls_session *s, int dir, const uint8_t hdr[5], uint8_t *body,
		     uint32_t len, struct app_hints *out)
{
	struct tls_dec *d = &s->dir[dir];
	uint8_t *plain, type = hdr[0];
	size_t plen;

	if (!tls_aead_open(d->aead, hdr, body, len, &plain, &plen)) {
		dec_fail(d, APP_UNDEC_AUTH, out);
		return;
	}
	s->opened = true;
	if (s->tls13) {
		/* TLSInnerPlaintext: content, the real type, then zero padding (RFC 8446 5.2). */
		while (plen > 0 && plain[plen - 1] == 0)
			plen--;
		if (plen == 0)
			return;
		type = plain[--plen];
	}
	if (type == REC_HANDSHAKE) {
		dec_handshake(s, dir, span_make(plain, plen), s->chain, out);
	} else if (type == REC_ALERT && plen == 2) {
		/*
		 * An Alert is level then description (RFC 8446 section 6, RFC 5246
		 * section 7.2): opened, "tls alert (encrypted)" names them. The
		 * cleartext walker claims the kind after this for TLS 1.2 and finds
		 * it taken; in TLS 1.3 the record said "tls app data" outside.
		 */
		if (dec_claim(d, out, APP_HINT_ALERT)) {
			out->alert_encrypted = false;
			out->alert_level = plain[0];
			out->alert_desc = plain[1];
		}
	} else if (type == REC_APPLICATION_DATA && plen > 0) {
		enum app_hint_kind k = dir == 0 ? APP_HINT_HTTP_REQUEST : APP_HINT_HTTP_RESPONSE;

		/* Each record that starts with a request or status line: HTTP/1.x keep-alive. */
		if (!app_hints_has(out, k)) {
			app_http_segment(dir == 0, span_make(plain, plen), out);
			if (app_hints_has(out, k)) {
				out->bits &= ~(1u << k);
				dec_claim(d, out, k);
			}
		}
	}
	OPENSSL_cleanse(plain, plen);
}

/* Hold the record just collected (d->rec) until its key comes; false when it does not fit. */
static bool dec_hold(struct app_tls_session *s, int dir, const uint8_t hdr[5], uint32_t len)
{
	struct held *h = &s->dir[dir].held;
	struct held_rec r;
	const struct app_origin *o = app_keys_origin(s->keys);
	size_t need = h->len + sizeof(r) + len;
	uint32_t was;

	if (need > APP_KEYS_HOLD_MAX)
		return false;
	if (need > h->cap) {
		size_t cap = h->cap ? h->cap : 4096;
		uint8_t *grown;

		while (cap < need)
			cap *= 2;
		if (cap > APP_KEYS_HOLD_MAX)
			cap = APP_KEYS_HOLD_MAX;
		if (!app_keys_held(s->keys, (int64_t)cap))
			return false; /* every session's held records together: no more room */
		grown = malloc(cap);
		if (grown == NULL) {
			app_keys_held(s->keys, -(int64_t)cap);
			return false;
		}
		/* Not realloc: the old bytes are cleansed before they are let go. */
		was = h->len;
		if (was > 0)
			memcpy(grown, h->buf, was);
		held_drop(h);
		h->buf = grown;
		h->cap = (uint32_t)cap;
		h->len = was;
		h->keys = s->keys;
	}
	if (h->len == 0)
		h->from = *o;
	memset(&r, 0, sizeof(r));
	r.frame = o->frame;
	r.ts_sec = o->ts_sec;
	r.ts_frac = o->ts_frac;
	r.ts_nano = o->ts_nano;
	r.held_at = app_keys_now(s->keys);
	r.len = (uint16_t)len;
	memcpy(r.hdr, hdr, sizeof(r.hdr));
	memcpy(h->buf + h->len, &r, sizeof(r));
	if (len > 0) /* a record of length 0 has no body (and rec may be NULL) */
		memcpy(h->buf + h->len + sizeof(r), s->dir[dir].rec, len);
	h->len = (uint32_t)need;
	if (!s->waiting)
		app_tls_dec_wait(s);
	return true;
}

/* Hints of held records, out as late ones (and into the connection's facts). */
static void dec_late(struct app_tls_session *s, int dir, const struct held_rec *r,
		     const struct app_hints *h)
{
	struct app_late l;

	if (h->bits == 0)
		return;
	l.from = s->dir[dir].held.from;
	l.from.frame = r->frame;
	l.from.ts_sec = r->ts_sec;
	l.from.ts_frac = r->ts_frac;
	l.from.ts_nano = r->ts_nano;
	l.hints = *h;
	if (s->facts != NULL)
		app_facts_note(s->facts, h);
	app_keys_emit(s->keys, &l);
}

/*
 * Open the held records in the order of their packets (both directions),
 * each while its direction's key is there: a TLS 1.3 Finished may need the
 * next secret, which may not be there yet, and then that direction stops.
 * The hints of the records one packet brought come out together.
 */
static void dec_drain(struct app_tls_session *s)
{
	struct held_rec r, next, cur;
	struct app_hints out;
	uint32_t at[2] = {0, 0};
	int dir, i, cur_dir = -1;

	memset(&out, 0, sizeof(out));
	memset(&cur, 0, sizeof(cur));
	memset(&r, 0, sizeof(r));
	for (;;) {
		for (dir = -1, i = 0; i < 2; i++) {
			struct tls_dec *d = &s->dir[i];

			if (at[i] >= d->held.len || d->failed || !dec_find_keys(s, i))
				continue;
			memcpy(&next, d->held.buf + at[i], sizeof(next));
			if (dir < 0 || next.frame < r.frame) {
				dir = i;
				r = next;
			}
		}
		if (dir < 0)
			break;
		if (out.bits != 0 && (r.frame != cur.frame || dir != cur_dir)) {
			dec_late(s, cur_dir, &cur, &out);
			memset(&out, 0, sizeof(out));
		}
		cur = r;
		cur_dir = dir;
		dec_open(s, dir, r.hdr, s->dir[dir].held.buf + at[dir] + sizeof(r), r.len, &out);
		at[dir] += (uint32_t)sizeof(r) + r.len;
	}
	if (cur_dir >= 0)
		dec_late(s, cur_dir, &cur, &out);
	for (i = 0; i < 2; i++) {
		struct held *h = &s->dir[i].held;

		if (s->dir[i].failed || at[i] >= h->len) {
			held_drop(h);
		} else if (at[i] > 0) {
			memmove(h->buf, h->buf + at[i], h->len - at[i]);
			h->len -= at[i];
			OPENSSL_cleanse(h->buf + h->len, at[i]);
		}
	}
}

void app_tls_dec_follow(struct app_tls_session *s, struct app_keys *keys,
			struct app_conn_facts *facts)
{
	s->keys = keys;
	s->facts = facts;
}

void app_tls_dec_wait(struct app_tls_session *s)
{
	struct app_wait_list *w = app_keys_waiting(s->keys);

	/* At the end: settled in the order they began to wait. */
	s->wait_prev = w->tail;
	s->wait_next = NULL;
	if (w->tail != NULL)
		w->tail->wait_next = s;
	else
		w->head = s;
	w->tail = s;
	s->waiting = true;
}

void app_tls_dec_unwait(struct app_tls_session *s)
{
	struct app_wait_list *w = app_keys_waiting(s->keys);

	if (!s->waiting)
		return;
	if (s->wait_prev != NULL)
		s->wait_prev->wait_next = s->wait_next;
	else
		w->head = s->wait_next;
	if (s->wait_next != NULL)
		s->wait_next->wait_prev = s->wait_prev;
	else
		w->tail = s->wait_prev;
	s->wait_prev = s->wait_next = NULL;
	s->waiting = false;
}

struct app_tls_session *app_tls_dec_next_waiting(const struct app_tls_session *s)
{
	return s->wait_next;
}

/* The frame of dir's first held record (UINT64_MAX: none). */
static uint64_t held_first(const struct tls_dec *d)
{
	struct held_rec r;

	if (d->held.len == 0)
		return UINT64_MAX;
	memcpy(&r, d->held.buf, sizeof(r));
	return r.frame;
}

bool app_tls_dec_settle(struct app_tls_session *s, int64_t now, bool force)
{
	int first, i;

	dec_drain(s);
	/* The direction that began to wait first goes first: late lines in the order of their packets. */
	first = held_first(&s->dir[1]) < held_first(&s->dir[0]) ? 1 : 0;
	for (i = 0; i < 2; i++) {
		int dir = first ^ i;
		struct tls_dec *d = &s->dir[dir];
		struct held_rec r;

		if (d->held.len == 0)
			continue;
		memcpy(&r, d->held.buf, sizeof(r));
		if (force || now - r.held_at >= APP_KEYS_GRACE_NS) {
			struct app_hints h;

			/* The key did not come in time: said once, late, of the first record held. */
			memset(&h, 0, sizeof(h));
			dec_fail(d, APP_UNDEC_NO_KEY, &h);
			dec_late(s, dir, &r, &h);
		}
	}
	return s->dir[0].held.len > 0 || s->dir[1].held.len > 0;
}

bool app_tls_dec_end(struct app_tls_session *s, bool from_client, const uint8_t hdr[5],
		     struct app_cert_chain **chain, struct app_hints *out)
{
	int dir = from_client ? 0 : 1;
	struct tls_dec *d = &s->dir[dir];
	uint32_t len = (uint32_t)((hdr[3] << 8) | hdr[4]);

	if (chain != NULL)
		s->chain = chain;

	if (d->failed)
		return false;
	/* Live: records held before this one go first, if their key has come. */
	if (s->dir[0].held.len > 0 || s->dir[1].held.len > 0) {
		dec_drain(s);
		if (d->failed)
			return false;
	}
	if (d->held.len > 0 || !dec_find_keys(s, dir)) {
		if (dec_may_wait(s, d) && d->rec_len == len && dec_hold(s, dir, hdr, len)) {
			d->rec_len = 0;
			return true;
		}
		dec_fail(d, d->reason, out);
		return false;
	}
	if (d->rec_len != len) {
		dec_fail(d, APP_UNDEC_MEMORY, out);
		return false;
	}
	d->rec_len = 0;
	dec_open(s, dir, hdr, d->rec, len, out);
	return false;
}
